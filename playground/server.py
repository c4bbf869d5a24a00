"""A local OpenAI-compatible endpoint for any client: a cassette's replay (same matching as the
engine, SSE served as a live stream of events) or the embedded offline model."""

from __future__ import annotations

import re
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from playground.core.files import InputError
from playground.core.loopback import LoopbackServer, Request, Response, error_response
from playground.recording.cassette import load_cassette
from playground.recording.errors import ReplayMismatch
from playground.recording.player import CassettePlayer
from playground.recording.transport import replay_headers

MISMATCH_STATUS = 404
"""A request the cassette does not hold: 404 (`cassette_mismatch`), which OpenAI clients do not
retry (409 would be retried), plus `x-should-retry: false` for the clients that read it."""
_EVENT_END = re.compile(rb"(?<=\n\n)")


def cassette_handler(player: CassettePlayer):
    """Answer each request from the player; recorded answers cycle, so a client may rerun."""

    def handle(request: Request) -> Response:
        uri = "http://replay.invalid" + request.path + (f"?{request.query}" if request.query else "")
        recorded = player.request_from(request.method, uri, request.headers.items(), request.body)
        try:
            answer = player.answer(recorded)
        except ReplayMismatch as mismatch:
            response = error_response(MISMATCH_STATUS, mismatch.user_message, code="cassette_mismatch")
            response.headers["x-should-retry"] = "false"
            return response
        assert answer is not None  # a replaying player never asks to record
        headers: dict[str, str] = {}
        for name, value in replay_headers(answer):
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        body = _events(answer.body) if answer.is_event_stream else answer.body
        return Response(answer.status, headers, body)

    return handle


def _events(body: bytes) -> Iterator[bytes]:
    """An SSE body one event at a time, so clients see a live stream."""
    for event in _EVENT_END.split(body):
        if event:
            yield event


def serve_cassette(path: str | Path, host: str = "127.0.0.1", port: int = 0) -> LoopbackServer:
    """A replay server for the cassette, bound (its base_url is known) but not started: use it in a
    `with` block, call .start(), or .serve_forever(). CassetteError if the cassette cannot be used."""
    path = Path(path)
    player = CassettePlayer(load_cassette(path), path=path, name=path.stem, repeat=True)
    return LoopbackServer(cassette_handler(player), host, port)


def serve_offline(host: str = "127.0.0.1", port: int = 0) -> LoopbackServer:
    """The offline model on its own server (bound, not started), apart from the engine's singleton."""
    from playground.core.offline import OfflineServer

    return OfflineServer(host=host, port=port)


def main_serve(args: Any) -> int:
    """`playground serve`: print the base URL as the first stdout line, serve until SIGINT/SIGTERM."""
    host = getattr(args, "host", None) or "127.0.0.1"
    port = getattr(args, "port", None) or 0
    cassette = getattr(args, "cassette", None)
    try:
        server = serve_cassette(cassette, host, port) if cassette else serve_offline(host, port)
    except OSError as error:  # a port in use or not ours, an unknown host
        raise InputError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    signal.signal(signal.SIGTERM, _interrupt)
    print(server.base_url, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        sys.stdout.flush()
    return 0


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt
