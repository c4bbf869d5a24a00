"""Record modes and the objects front ends use: a Recorder gives the engine its client factory for a
session's cassette; `use_cassette` puts any httpx2/openai code in a block under a cassette."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from playground.core.files import shown_path
from playground.core.providers import Profile, ProviderError, connect, resolve_profile
from playground.core.session import InputError, Session
from playground.recording.cassette import load_cassette, save_cassette
from playground.recording.player import CassettePlayer
from playground.recording.scrub import active_keys

if TYPE_CHECKING:
    import openai

RECORD_MODES = ("none", "once", "new_episodes", "all")
REPLAY_ORIGIN = "http://replay.invalid"
"""Where a replaying client points: never contacted (matching ignores host and port)."""


def default_cassette_path(session: Session) -> Path:
    """`session.cassette` (relative to the session file) when set, else `cassettes/<name>.yaml` at
    the project root: the nearest folder up from the session file with a `cassettes/` folder or a
    pyproject.toml (the session file's own folder when there is none)."""
    base = session.base_dir
    if session.cassette:
        return base / session.cassette
    for folder in (base, *base.parents):
        if (folder / "cassettes").is_dir() or (folder / "pyproject.toml").is_file():
            return folder / "cassettes" / f"{session.name}.yaml"
    return base / "cassettes" / f"{session.name}.yaml"


class CassetteRun:
    """One use of a cassette in a record mode: what is replayed, what is recorded, what is saved.

    none: replay only (the cassette must exist); once: record when the cassette does not exist,
    else replay only; new_episodes: replay what matches, record the rest and append it;
    all: record everything, and the cassette becomes this run's recording."""

    def __init__(self, path: str | Path, *, mode: str = "none", name: str | None = None,
                 key_env: str | None = None, repeat: bool = False):
        if mode not in RECORD_MODES:
            raise ValueError(f"record mode {mode!r} is not one of {', '.join(RECORD_MODES)}")
        self.path = Path(path)
        self.mode = mode
        self.replaying = mode == "none" or (mode == "once" and self.path.exists())
        keeps_old = self.replaying or (mode == "new_episodes" and self.path.exists())
        self.player = CassettePlayer(load_cassette(self.path) if keeps_old else [], path=self.path,
                                     name=name or self.path.stem, record=not self.replaying,
                                     repeat=repeat, secrets=active_keys(key_env))
        self._loaded = len(self.player.interactions)
        self._forgot = False

    @property
    def label(self) -> str:
        where = shown_path(self.path)
        return f"replaying from {where}" if self.replaying else f"recording to {where} ({self.mode})"

    @property
    def size(self) -> int:
        """How many interactions the cassette would hold if saved now."""
        return len(self.player.interactions) + len(self.player.recorded)

    def forget_from(self, size: int) -> None:
        """Forget what was recorded after the run held `size` interactions (the old cassette of
        new_episodes stays); the next save writes the cassette without it."""
        player = self.player
        size = max(size, self._loaded)
        if size >= self.size:
            return
        kept = len(player.interactions)
        if size >= kept:
            del player.recorded[size - kept:]
        else:
            del player.interactions[size:]
            player.recorded.clear()
        self._forgot = True

    @property
    def unsaved(self) -> bool:
        """Whether the cassette on disk lacks what was recorded (or still has what was forgotten)."""
        return not self.replaying and bool(self.player.recorded or self._forgot)

    def save(self) -> Path | None:
        """Write the cassette if anything new was recorded or forgotten; CassetteError if it would
        hold a key."""
        player = self.player
        if not self.unsaved:
            return None
        # What this run saved before (a front end saves after each turn) plus, with new_episodes,
        # the old cassette; once/all start from nothing, so a later save never drops earlier turns.
        kept = player.interactions
        path = save_cassette(self.path, kept + player.recorded, player.secrets)
        player.interactions, player.recorded = kept + player.recorded, []
        self._forgot = False
        return path


class Recorder:
    """A session's cassette for the engine: `Engine(session, client_factory=recorder.client_factory())`."""

    def __init__(self, session: Session, *, mode: str = "none", cassette: Path | None = None):
        self.session = session
        self.mode = mode
        self.path = Path(cassette) if cassette is not None else default_cassette_path(session)
        self._profile = _profile_of(session)
        key_env = self._profile.api_key_env if self._profile else None
        self.run = CassetteRun(self.path, mode=mode, name=session.name, key_env=key_env)
        self._steps: dict[tuple[int, int], int] = {}
        """(turn, step) -> the cassette's size when that step of the conversation started."""

    @property
    def replaying(self) -> bool:
        return self.run.replaying

    @property
    def player(self) -> CassettePlayer:
        return self.run.player

    @property
    def label(self) -> str:
        return self.run.label

    def client_factory(self) -> Callable[[], "openai.AsyncOpenAI"]:
        return self._replay_client if self.replaying else self._recording_client

    def _replay_client(self) -> "openai.AsyncOpenAI":
        profile = self._profile or Profile(self.session.provider)
        prefix = self.player.api_prefix or _path_of(profile.base_url) or "/v1"
        # No key is needed or sent; the profile's retries stay (replayed errors say "retry now").
        return connect(replace(profile, api_key_env=None, headers={}), base_url=REPLAY_ORIGIN + prefix,
                       http_client=_http_client(self.player))

    def _recording_client(self) -> "openai.AsyncOpenAI":
        profile = resolve_profile(self.session.provider, self.session.base_dir)  # errors become error events
        return connect(profile, http_client=_http_client(self.player))

    def step_started(self, turn: int, step: int) -> None:
        """Called before each request of a front end that can rewind the conversation. A step started
        again is a retry after an error or a cancel: what the failed try recorded is forgotten, so
        a replay does not meet the old error first."""
        if (turn, step) in self._steps:
            self.run.forget_from(self._steps[(turn, step)])
        else:
            self._steps[(turn, step)] = self.run.size

    def rewind(self, turn: int) -> None:
        """The conversation was cut back to before `turn` (a past turn edited or deleted): what that
        turn and the later ones recorded is forgotten."""
        dropped = [mark for (at, _step), mark in self._steps.items() if at >= turn]
        if dropped:
            self.run.forget_from(min(dropped))
        self._steps = {key: mark for key, mark in self._steps.items() if key[0] < turn}

    def save(self) -> Path | None:
        return self.run.save()

    def close(self) -> None:
        """Nothing stays open: the engine closes the clients it made."""

    def __enter__(self) -> "Recorder":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self.save()
        finally:
            self.close()


def _profile_of(session: Session) -> Profile | None:
    try:
        return resolve_profile(session.provider, session.base_dir)
    except (ProviderError, InputError):
        return None  # replay needs no profile; recording reports the problem at the first request


def _path_of(url: str | None) -> str | None:
    return (urlsplit(url).path.rstrip("/") or None) if url else None


def _http_client(player: CassettePlayer):
    import openai  # imported when a request is really made (~0.9 s), like httpx2 below

    from playground.recording.transport import recording_transport

    return openai.DefaultAsyncHttpxClient(transport=recording_transport(player))


@contextmanager
def use_cassette(path: str | Path, *, mode: str = "none", name: str | None = None) -> Iterator[CassetteRun]:
    """Every httpx2 request in the block (any openai client, sync or async) goes through the
    cassette, with the same matching, filtering and modes as the engine; saved on a clean exit."""
    from playground.recording.transport import intercept_httpx2

    run = CassetteRun(path, mode=mode, name=name)
    with intercept_httpx2(run.player):
        yield run
    run.save()
