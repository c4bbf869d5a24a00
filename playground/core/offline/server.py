"""The offline model served over OpenAI's HTTP wire protocol on loopback (headless, stdlib only)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from functools import lru_cache, partial

from playground.core.loopback import (
    LoopbackServer,
    Request,
    Response,
    error_response,
    json_response,
)
from playground.core.offline.model import (
    CREATED,
    DEFAULT_MODEL,
    OfflineError,
    complete,
    model_name,
    stream,
)

__all__ = ["OfflineServer", "ensure_offline_server", "offline_handler"]

_OWNER = "playground-offline"
_SSE_HEADERS = {"Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache"}


def offline_handler(request: Request, *, chunk_delay: float = 0.0) -> Response:
    """Routes: POST /v1/chat/completions, GET /v1/models, GET /v1/models/{id}; anything else is a 404."""
    path = request.path.rstrip("/")
    route = path[3:] if path.startswith("/v1/") else path
    if route == "/chat/completions":
        return _only(request, "POST") or _chat(request, chunk_delay)
    if route == "/models":
        return _only(request, "GET") or json_response({"object": "list", "data": [_model(DEFAULT_MODEL)]})
    if route.startswith("/models/"):
        return _only(request, "GET") or json_response(_model(model_name(route[len("/models/"):])))
    return error_response(404, f"Invalid URL ({request.method} {request.path})")


def _only(request: Request, method: str) -> Response | None:
    if request.method == method:
        return None
    return error_response(405, f"Method {request.method} not allowed for {request.path} (use {method}).",
                          code="method_not_allowed")


def _model(model_id: str) -> dict:
    return {"id": model_id, "object": "model", "created": CREATED, "owned_by": _OWNER}


def _chat(request: Request, chunk_delay: float) -> Response:
    if len(request.body) <= _MEMO_LIMIT:
        status, headers, body = _answer(request.body)
    else:
        status, headers, body = _answer.__wrapped__(request.body)
    if isinstance(body, tuple):
        return Response(status, dict(headers), _sse(body, chunk_delay))
    return Response(status, dict(headers), body)


_MEMO_LIMIT = 256 * 1024


@lru_cache(maxsize=256)
def _answer(body: bytes) -> tuple[int, tuple[tuple[str, str], ...], bytes | tuple[bytes, ...]]:
    """Status, headers and body (the SSE events of a stream) for a request body.

    The model is a pure function of the body, so recent answers are remembered (same bytes either way).
    """
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        return _frozen(error_response(400, "We could not parse the JSON body of your request. (HINT: This likely "
                                      "means you aren't using your HTTP library correctly. The OpenAI API expects a "
                                      f"JSON payload, but what was sent was not valid JSON: {exc})"))
    try:
        if isinstance(payload, dict) and payload.get("stream"):
            chunks = stream(payload)
            events = tuple(b"data: " + _compact(chunk) + b"\n\n" for chunk in chunks) + (b"data: [DONE]\n\n",)
            return 200, (*_SSE_HEADERS.items(), ("x-request-id", _request_id(chunks[0]["id"]))), events
        completion = complete(payload)
    except OfflineError as exc:
        return _frozen(error_response(exc.status, exc.message, type=exc.type, param=exc.param, code=exc.code))
    headers = (("Content-Type", "application/json"), ("x-request-id", _request_id(completion["id"])))
    return 200, headers, _compact(completion)


def _frozen(response: Response) -> tuple[int, tuple[tuple[str, str], ...], bytes]:
    return response.status, tuple(response.headers.items()), bytes(response.body)


def _compact(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _request_id(completion_id: str) -> str:
    return "req_" + completion_id.rsplit("-", 1)[-1]


def _sse(events: tuple[bytes, ...], chunk_delay: float) -> Iterator[bytes]:
    for index, event in enumerate(events):
        if index and chunk_delay > 0:
            time.sleep(chunk_delay)
        yield event


class OfflineServer(LoopbackServer):
    """The offline model on 127.0.0.1 (ephemeral port unless given); chunk_delay slows each streamed chunk."""

    def __init__(self, *, chunk_delay: float = 0.0, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(partial(offline_handler, chunk_delay=chunk_delay), host, port)
        self.chunk_delay = chunk_delay


_shared: OfflineServer | None = None
_shared_lock = threading.Lock()


def ensure_offline_server() -> str:
    """The base URL of this process's offline server, started on first use (thread-safe)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = OfflineServer().start()
        return _shared.base_url
