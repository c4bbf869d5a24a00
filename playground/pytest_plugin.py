"""pytest plugin (pytest11 `playground`): replay session files against their cassettes
(`playground_replay`), put a test's own openai code under a cassette
(`@pytest.mark.playground_cassette(path)`), and choose the record mode (`--playground-record`)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playground.core.transcript import Transcript
    from playground.recording import CassetteRun

MARKER = "playground_cassette"
REPLAY_PLACEHOLDER_KEY = "sk-playground-replay"
"""OPENAI_API_KEY while replaying, when unset: clients can be built; nothing is sent anywhere."""


class UnusedResultsWarning(UserWarning):
    """A session's hand-written results answered no call of the replay (see `UnusedResults`)."""


def pytest_addoption(parser: pytest.Parser) -> None:
    from playground.recording.recorder import RECORD_MODES

    group = parser.getgroup("playground", "playground record/replay")
    group.addoption("--playground-record", dest="playground_record", default="none", choices=RECORD_MODES,
                    help="record mode for playground cassettes: none (default: replay only, no network), "
                         "once (record missing cassettes), new_episodes (record requests not in the "
                         "cassette), all (record everything again)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARKER}(path): run the test's own openai/httpx2 code against this cassette "
                   "(path relative to the rootdir), replayed or recorded per --playground-record")


@pytest.fixture
def playground_record_mode(pytestconfig: pytest.Config) -> str:
    """The record mode chosen with --playground-record."""
    return pytestconfig.getoption("playground_record", "none") or "none"


@pytest.fixture
def playground_replay(pytestconfig: pytest.Config, playground_record_mode: str) -> Callable[..., "Transcript"]:
    """`playground_replay("fixtures/weather.yaml")`: run the session file (relative to the rootdir)
    through the engine against its cassette and return the transcript. Replay errors fail the test."""
    root = pytestconfig.rootpath

    def replay(session_file: str | Path, *, cassette: str | Path | None = None) -> "Transcript":
        from playground.core.events import ErrorEvent, UnusedResults
        from playground.core.session import InputError, load_session
        from playground.recording import Recorder

        try:  # a missing or corrupt file, or a cassette that would hold a key
            session = load_session(root / session_file)
            with Recorder(session, mode=playground_record_mode,
                          cassette=None if cassette is None else root / cassette) as recorder:
                transcript, events = _run_in_own_loop(_run(session, recorder))
        except InputError as error:
            pytest.fail(str(error), pytrace=False)
        for event in events:
            if isinstance(event, ErrorEvent) and event.kind == "replay":
                pytest.fail(event.message, pytrace=False)
            if isinstance(event, UnusedResults):
                warnings.warn(UnusedResultsWarning(f"{session_file}: {event.message}"), stacklevel=2)
        return transcript

    return replay


async def _run(session: Any, recorder: Any) -> tuple["Transcript", list[Any]]:
    from playground.core.engine import run_session

    return await run_session(session, client_factory=recorder.client_factory())


def _run_in_own_loop(coroutine: Any) -> Any:
    """Run to the end, also from inside an async test (whose loop is busy running the test)."""
    if not _loop_running():
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


@pytest.fixture(autouse=True)
def playground_cassette(request: pytest.FixtureRequest, playground_record_mode: str,
                        monkeypatch: pytest.MonkeyPatch) -> Iterator["CassetteRun | None"]:
    """With the marker: the cassette the test's httpx2 traffic goes through (None without it)."""
    marker = request.node.get_closest_marker(MARKER)
    if marker is None:
        yield None
        return
    from playground.recording import CassetteError, CassetteRun
    from playground.recording.transport import intercept_httpx2

    path = _marker_path(marker, request.config.rootpath)
    try:
        run = CassetteRun(path, mode=playground_record_mode, name=path.stem)
    except CassetteError as error:
        pytest.fail(str(error), pytrace=False)
    if run.replaying:
        monkeypatch.setenv("OPENAI_API_KEY", os.environ.get("OPENAI_API_KEY") or REPLAY_PLACEHOLDER_KEY)
    with intercept_httpx2(run.player):
        yield run
    try:
        run.save()
    except CassetteError as error:
        pytest.fail(str(error), pytrace=False)
    if run.player.mismatches and not _failed(request.node):
        pytest.fail(run.player.mismatches[0].user_message, pytrace=False)


def _marker_path(marker: pytest.Mark, root: Path) -> Path:
    path = marker.args[0] if marker.args else marker.kwargs.get("path")
    if not path:
        raise pytest.UsageError(f"@pytest.mark.{MARKER} needs a cassette path, e.g. "
                                f"@pytest.mark.{MARKER}('cassettes/weather.yaml')")
    return root / path


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    """A replay mismatch is reported as its message and the test's line, not a trace through
    openai and httpx2; a failed call is remembered so teardown does not report a mismatch twice."""
    report = yield
    mismatch = _mismatch_in(call.excinfo.value) if call.excinfo is not None else None
    if mismatch is not None and report.failed:
        report.longrepr = f"{_test_line(call.excinfo, item)}{mismatch.user_message}"
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


_CALL_FAILED = pytest.StashKey[bool]()


def _failed(item: pytest.Item) -> bool:
    return item.stash.get(_CALL_FAILED, False)


def _mismatch_in(error: BaseException | None) -> Any:
    from playground.recording import ReplayMismatch

    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, ReplayMismatch):
            return error
        error, seen = error.__cause__ or error.__context__, seen + 1
    return None


def _test_line(excinfo: pytest.ExceptionInfo, item: pytest.Item) -> str:
    """`test_file.py:12: ` for the last frame in the test's own file."""
    test_file = Path(str(item.fspath))
    for entry in reversed(excinfo.traceback):
        if Path(str(entry.path)) == test_file:
            return f"{test_file.name}:{entry.lineno + 1}: "
    return ""
