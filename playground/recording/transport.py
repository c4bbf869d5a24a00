"""httpx2 transports that answer from a cassette, or send and record: a recorded stream is passed on
chunk by chunk as it arrives (live) while its whole body is kept for the cassette."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager

import httpx2

from playground.recording.cassette import (
    RecordedRequest,
    RecordedResponse,
    decompressed,
)
from playground.recording.player import CassettePlayer
from playground.recording.scrub import RESPONSE_HEADERS, kept_headers

_REAL_SYNC = httpx2.HTTPTransport.handle_request
_REAL_ASYNC = httpx2.AsyncHTTPTransport.handle_async_request
REPLAY_RETRY_AFTER_MS = "1"
"""Replayed retryable errors tell the client to retry at once: no real back-off sleeps on replay."""


def is_retryable(status: int) -> bool:
    return status in (408, 409, 429) or status >= 500


def replay_headers(response: RecordedResponse) -> list[tuple[str, str]]:
    headers = [(name, value) for name, values in response.headers.items()
               if name not in ("retry-after", "retry-after-ms") for value in values]
    if is_retryable(response.status):
        headers.append(("retry-after-ms", REPLAY_RETRY_AFTER_MS))
    return headers


def replayed_response(response: RecordedResponse) -> httpx2.Response:
    return httpx2.Response(response.status, headers=replay_headers(response),
                           stream=httpx2.ByteStream(response.body),
                           extensions={"reason_phrase": response.reason.encode("ascii", "replace")})


class _Capture:
    """Collects a live response's body and records it once it has all arrived."""

    def __init__(self, player: CassettePlayer, request: RecordedRequest, response: httpx2.Response):
        self.player, self.request, self.response = player, request, response
        self.chunks: list[bytes] = []
        self.done = False

    def finish(self) -> None:
        if self.done:
            return
        self.done = True
        headers = self.response.headers
        body = decompressed(b"".join(self.chunks), headers.get("content-encoding", ""))
        self.player.add(self.request, RecordedResponse(
            self.response.status_code, self.response.reason_phrase,
            kept_headers(headers.multi_items(), RESPONSE_HEADERS), body))

    def closed_early(self) -> None:
        """The client stopped reading: keep the body only if it is complete (an SSE stream that
        reached `[DONE]`); a cancelled, partial answer is not recorded."""
        if not self.done and b"data: [DONE]" in b"".join(self.chunks):
            self.finish()
        self.done = True


class _SyncTee(httpx2.SyncByteStream):
    def __init__(self, stream: httpx2.SyncByteStream, capture: _Capture):
        self._stream, self._capture = stream, capture

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._stream:
            self._capture.chunks.append(chunk)
            yield chunk
        self._capture.finish()

    def close(self) -> None:
        self._capture.closed_early()
        self._stream.close()


class _AsyncTee(httpx2.AsyncByteStream):
    def __init__(self, stream: httpx2.AsyncByteStream, capture: _Capture):
        self._stream, self._capture = stream, capture

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            self._capture.chunks.append(chunk)
            yield chunk
        self._capture.finish()

    async def aclose(self) -> None:
        self._capture.closed_early()
        await self._stream.aclose()


def _teed(player: CassettePlayer, request: RecordedRequest, response: httpx2.Response,
          tee: type[_SyncTee] | type[_AsyncTee]) -> httpx2.Response:
    return httpx2.Response(response.status_code, headers=response.headers, extensions=response.extensions,
                           stream=tee(response.stream, _Capture(player, request, response)))


def _prepare(player: CassettePlayer, request: httpx2.Request, body: bytes) -> RecordedRequest:
    return player.request_from(request.method, str(request.url), request.headers.multi_items(), body)


class CassetteTransport(httpx2.BaseTransport):
    """Sync: answers from the player, or sends with `send` and records (when the player records)."""

    def __init__(self, player: CassettePlayer, send: Callable[[httpx2.Request], httpx2.Response] | None = None,
                 close: Callable[[], None] | None = None):
        self.player, self._send, self._close = player, send, close

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        recorded = _prepare(self.player, request, request.read())
        answer = self.player.answer(recorded)
        if answer is not None:
            return replayed_response(answer)
        assert self._send is not None, "a recording player needs a transport to send with"
        request.headers["accept-encoding"] = "identity"
        return _teed(self.player, recorded, self._send(request), _SyncTee)

    def close(self) -> None:
        if self._close is not None:
            self._close()


class AsyncCassetteTransport(httpx2.AsyncBaseTransport):
    """Async twin of CassetteTransport (what the engine's AsyncOpenAI client speaks through)."""

    def __init__(self, player: CassettePlayer,
                 send: Callable[[httpx2.Request], Awaitable[httpx2.Response]] | None = None,
                 close: Callable[[], Awaitable[None]] | None = None):
        self.player, self._send, self._close = player, send, close

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        recorded = _prepare(self.player, request, await request.aread())
        answer = self.player.answer(recorded)
        if answer is not None:
            return replayed_response(answer)
        assert self._send is not None, "a recording player needs a transport to send with"
        request.headers["accept-encoding"] = "identity"
        return _teed(self.player, recorded, await self._send(request), _AsyncTee)

    async def aclose(self) -> None:
        if self._close is not None:
            await self._close()


def recording_transport(player: CassettePlayer) -> AsyncCassetteTransport:
    """An async cassette transport over a real connection pool (unaffected by `intercept_httpx2`)."""
    if not player.record:
        return AsyncCassetteTransport(player)
    real = httpx2.AsyncHTTPTransport()
    return AsyncCassetteTransport(player, functools.partial(_REAL_ASYNC, real), real.aclose)


@contextmanager
def intercept_httpx2(player: CassettePlayer) -> Iterator[CassettePlayer]:
    """Route every httpx2 client (sync and async, so any openai client) through the player."""

    def handle_request(transport: httpx2.HTTPTransport, request: httpx2.Request) -> httpx2.Response:
        send = functools.partial(_REAL_SYNC, transport) if player.record else None
        return CassetteTransport(player, send).handle_request(request)

    async def handle_async_request(transport: httpx2.AsyncHTTPTransport, request: httpx2.Request) -> httpx2.Response:
        send = functools.partial(_REAL_ASYNC, transport) if player.record else None
        return await AsyncCassetteTransport(player, send).handle_async_request(request)

    saved = httpx2.HTTPTransport.handle_request, httpx2.AsyncHTTPTransport.handle_async_request
    httpx2.HTTPTransport.handle_request = handle_request  # type: ignore[method-assign]
    httpx2.AsyncHTTPTransport.handle_async_request = handle_async_request  # type: ignore[method-assign]
    try:
        yield player
    finally:
        httpx2.HTTPTransport.handle_request, httpx2.AsyncHTTPTransport.handle_async_request = saved
