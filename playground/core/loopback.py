"""A small threaded HTTP/1.1 server on loopback that maps a Request to a Response.

Used by the offline model, the cassette replay server and tests that serve crafted responses.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["Handler", "LoopbackServer", "Request", "Response", "error_response", "json_response"]

_DISCONNECTS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)
_REASONS = {
    200: "OK", 201: "Created", 204: "No Content", 400: "Bad Request", 401: "Unauthorized",
    403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 408: "Request Timeout",
    409: "Conflict", 413: "Payload Too Large", 422: "Unprocessable Entity", 429: "Too Many Requests",
    500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
}
_NO_BODY_STATUSES = {204, 304}


@dataclass
class Response:
    """What a handler returns; an iterable body is streamed chunk by chunk as it is produced."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | Iterable[bytes] = b""


@dataclass(frozen=True)
class Request:
    """One HTTP request as the handler sees it (header names lower-cased)."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


Handler = Callable[[Request], Response]


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(status, {"Content-Type": "application/json", **(headers or {})}, body)


def error_response(status: int, message: str, *, type: str = "invalid_request_error",
                   param: str | None = None, code: str | None = None) -> Response:
    """An OpenAI-style error body."""
    error = {"message": message, "type": type, "param": param, "code": code}
    return json_response({"error": error}, status)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], handler: Handler) -> None:
        self.app = handler
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _RequestHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Connection-level failures are the client's business: no traceback on stderr."""

    def close_connections(self) -> None:
        with self.connections_lock:
            connections = list(self.connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "playground-loopback"
    sys_version = ""
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        try:
            super().finish()
        except OSError:
            pass

    def handle(self) -> None:
        try:
            super().handle()
        except _DISCONNECTS:
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the playground owns the terminal."""

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = do_GET

    def _dispatch(self) -> None:
        try:
            request = self._read_request()
        except ValueError:
            self.close_connection = True
            response = error_response(400, "Malformed request framing (Content-Length or chunk size).")
            self._send_whole(response, bytes(response.body))
            return
        try:
            response = self.server.app(request)
            body = _prefetched(response.body)
        except Exception as exc:  # a handler bug must not take the connection's client down with it
            response = error_response(500, f"{type(exc).__name__}: {exc}", type="server_error")
            body = response.body
        if isinstance(body, (bytes, bytearray, memoryview)):
            self._send_whole(response, bytes(body))
        else:
            self._send_stream(response, body)

    def _read_request(self) -> Request:
        headers = {key.lower(): value for key, value in self.headers.items()}
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = self._read_chunked()
        else:
            length = int(headers.get("content-length") or 0)
            body = self.rfile.read(length) if length > 0 else b""
        path, _, query = self.path.partition("?")
        return Request(self.command, path, query, headers, body)

    def _read_chunked(self) -> bytes:
        parts = []
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(parts)
            parts.append(self.rfile.read(size))
            self.rfile.readline()

    def _head(self, response: Response, extra: dict[str, str]) -> bytearray:
        reason = _REASONS.get(response.status, "Unknown")
        head = bytearray(f"HTTP/1.1 {response.status} {reason}\r\n".encode("latin-1"))
        skip = {"content-length", "transfer-encoding", "connection"}
        for key, value in response.headers.items():
            if key.lower() == "connection" and value.lower() == "close":
                self.close_connection = True
            if key.lower() not in skip:
                head += f"{key}: {value}\r\n".encode("latin-1")
        for key, value in extra.items():
            head += f"{key}: {value}\r\n".encode("latin-1")
        if self.close_connection:
            head += b"Connection: close\r\n"
        head += b"\r\n"
        return head

    def _send_whole(self, response: Response, body: bytes) -> None:
        if response.status in _NO_BODY_STATUSES:
            body, extra = b"", {}
        else:
            extra = {"Content-Length": str(len(body))}
        head = self._head(response, extra)
        self.wfile.write(bytes(head) if self.command == "HEAD" else bytes(head + body))

    def _send_stream(self, response: Response, body: Iterator[bytes]) -> None:
        chunked = self.request_version != "HTTP/1.0"
        if not chunked:
            self.close_connection = True
        head = self._head(response, {"Transfer-Encoding": "chunked"} if chunked else {})
        try:
            self.wfile.write(bytes(head))
            if self.command != "HEAD":
                self._write_chunks(body, chunked)
        except _DISCONNECTS:
            self.close_connection = True
        except Exception:  # the handler failed after the status line went out: cut the stream short
            self.close_connection = True
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()

    def _write_chunks(self, body: Iterator[bytes], chunked: bool) -> None:
        write = self.wfile.write
        for chunk in body:
            if not chunk:
                continue
            write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
        if chunked:
            write(b"0\r\n\r\n")


def _prefetched(body: bytes | Iterable[bytes]) -> bytes | Iterator[bytes]:
    """Bytes as they are; an iterable with its first chunk pulled, so a failing generator is a 500."""
    if isinstance(body, (bytes, bytearray, memoryview)):
        return body
    if isinstance(body, str):
        return body.encode()
    iterator = iter(body)
    try:
        first = next(iterator)
    except StopIteration:
        return b""
    return _Chain(first, iterator)


class _Chain:
    """The first chunk, then the rest of the iterator; close() reaches the underlying generator."""

    def __init__(self, first: bytes, rest: Iterator[bytes]) -> None:
        self._first: bytes | None = first
        self._rest = rest

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        if self._first is not None:
            first, self._first = self._first, None
            return first
        return next(self._rest)

    def close(self) -> None:
        close = getattr(self._rest, "close", None)
        if close is not None:
            close()


class LoopbackServer:
    """A threaded HTTP/1.1 server bound at construction (port known at once), served on demand."""

    def __init__(self, handler: Handler, host: str = "127.0.0.1", port: int = 0) -> None:
        self._httpd = _HTTPServer((host, port), handler)
        self._host = host
        self._thread: threading.Thread | None = None
        self._closed = False

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def host(self) -> str:
        return self._host

    @property
    def base_url(self) -> str:
        host = "127.0.0.1" if self._host in ("", "0.0.0.0") else self._host
        host = "[::1]" if host == "::" else (f"[{host}]" if ":" in host else host)
        return f"http://{host}:{self.port}/v1"

    def start(self) -> LoopbackServer:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                name=f"loopback-{self.port}", daemon=True,
            )
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (the foreground `playground serve`)."""
        try:
            self._httpd.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            pass
        finally:
            self._close()

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._close()

    def _close(self) -> None:
        if not self._closed:
            self._closed = True
            self._httpd.server_close()
            self._httpd.close_connections()

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.base_url})"
