"""The cassette in play: recorded interactions indexed by request key and answered in recorded order,
new ones collected for saving; one lock, so threaded servers and sync clients can share it."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable
from pathlib import Path

from playground.core.files import shown_path
from playground.recording.cassette import Interaction, RecordedRequest, RecordedResponse
from playground.recording.errors import ReplayMismatch
from playground.recording.matching import (
    ABSENT,
    first_difference,
    request_key,
    shown_values,
)
from playground.recording.scrub import (
    REQUEST_HEADERS,
    clean_uri,
    credentials_in,
    flat_headers,
    kept_headers,
)


class CassettePlayer:
    """Answers requests from `interactions`; a request it has no answer for is recorded when
    `record` is set, else a ReplayMismatch. With `repeat`, answers cycle instead of running out."""

    def __init__(self, interactions: Iterable[Interaction], *, path: str | Path, name: str,
                 record: bool = False, repeat: bool = False, secrets: Iterable[str] = ()):
        self.path = Path(path)
        self.name = name
        self.interactions = list(interactions)
        self.recorded: list[Interaction] = []
        self.record = record
        self.repeat = repeat
        self.secrets = set(secrets)
        """Credentials seen or known: a save that would contain one is refused."""
        for interaction in self.interactions:  # e.g. a plain vcrpy cassette that kept Authorization
            self.secrets |= credentials_in(flat_headers(interaction.request.headers), interaction.request.uri)
        self.requests = 0
        self.mismatches: list[ReplayMismatch] = []
        self._queues: dict[tuple[str, ...], deque[int]] = {}
        for index, interaction in enumerate(self.interactions):
            self._queues.setdefault(request_key(interaction.request), deque()).append(index)
        self._played = [False] * len(self.interactions)
        self._first_unplayed = 0
        self._lock = threading.Lock()

    def request_from(self, method: str, uri: str, headers: Iterable[tuple[str, str]], body: bytes) -> RecordedRequest:
        """A request as the cassette keeps it (no credentials), noting the credentials it carried."""
        headers = list(headers)
        found = credentials_in(headers, uri)
        if found:
            with self._lock:
                self.secrets |= found
        return RecordedRequest(method.upper(), clean_uri(uri), kept_headers(headers, REQUEST_HEADERS), body)

    def answer(self, request: RecordedRequest) -> RecordedResponse | None:
        """The recorded response, or None when the request is to be recorded."""
        with self._lock:
            self.requests += 1
            queue = self._queues.get(request_key(request))
            if queue:
                index = queue.popleft()
                if self.repeat:
                    queue.append(index)
                self._played[index] = True
                return self.interactions[index].response
            if self.record:
                return None
            mismatch = self._mismatch(request, self.requests)
            self.mismatches.append(mismatch)
            raise mismatch

    def add(self, request: RecordedRequest, response: RecordedResponse) -> None:
        with self._lock:
            self.recorded.append(Interaction(request, response))

    @property
    def api_prefix(self) -> str | None:
        """The path before `/chat/completions` in the recorded requests (`/v1` mostly)."""
        for interaction in self.interactions:
            path = interaction.request.path
            if path.endswith("/chat/completions"):
                return path.removesuffix("/chat/completions")
        return None

    def _mismatch(self, request: RecordedRequest, number: int) -> ReplayMismatch:
        where = shown_path(self.path)
        details = {"session": self.name, "cassette": where, "request": number}
        head = f"replay mismatch in session {self.name!r}: request {number} ({request.method} {request.path})"
        if not self.interactions:
            return ReplayMismatch(f"{head} is not in {where}, which has no interactions", details)
        index = self._candidate(number)
        recorded = self.interactions[index].request
        details["interaction"] = index + 1
        difference = first_difference(recorded, request)
        if difference is None:
            return ReplayMismatch(f"{head} repeats interaction {index + 1} of {where}, whose answer "
                                  f"was played already (the cassette has {len(self.interactions)})", details)
        path, old, new = difference
        details["path"] = path
        details.update({key: value for key, value in (("recorded", old), ("new", new)) if value is not ABSENT})
        old_shown, new_shown = shown_values(old, new)
        return ReplayMismatch(f"{head} does not match interaction {index + 1} of {where}: {path} is "
                              f"{old_shown} in the cassette but {new_shown} now", details)

    def _candidate(self, number: int) -> int:
        """The interaction the replay is at: the first one not played yet."""
        while self._first_unplayed < len(self._played) and self._played[self._first_unplayed]:
            self._first_unplayed += 1
        if self._first_unplayed < len(self._played):
            return self._first_unplayed
        return (number - 1) % len(self.interactions)
