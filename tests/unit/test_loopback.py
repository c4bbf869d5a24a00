"""The loopback HTTP server: streaming, errors as JSON, keep-alive, clean stop."""

from __future__ import annotations

import http.client
import json
import socket
import threading

import pytest

from playground.core.loopback import (
    LoopbackServer,
    Request,
    Response,
    error_response,
    json_response,
)


def _echo(request: Request) -> Response:
    return json_response({"method": request.method, "path": request.path, "query": request.query,
                          "body": request.body.decode(), "ua": request.headers.get("user-agent")})


def _connection(server: LoopbackServer) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)


def test_base_url_and_echo() -> None:
    with LoopbackServer(_echo) as server:
        assert server.base_url == f"http://127.0.0.1:{server.port}/v1"
        conn = _connection(server)
        conn.request("POST", "/v1/x?a=1", body=b'{"k": 1}', headers={"User-Agent": "t"})
        response = conn.getresponse()
        assert response.status == 200
        assert response.getheader("Content-Type") == "application/json"
        assert json.loads(response.read()) == {"method": "POST", "path": "/v1/x", "query": "a=1",
                                               "body": '{"k": 1}', "ua": "t"}
        conn.close()


def test_request_json_helper() -> None:
    request = Request("POST", "/", "", {}, b'{"a": [1, 2]}')
    assert request.json() == {"a": [1, 2]}


def test_stream_chunks_arrive_before_the_handler_finishes() -> None:
    first_read = threading.Event()
    handler_saw_first_read = []

    def handler(request: Request) -> Response:
        def body():
            yield b"first\n"
            handler_saw_first_read.append(first_read.wait(timeout=10))
            yield b"second\n"

        return Response(200, {"Content-Type": "text/plain"}, body())

    with LoopbackServer(handler) as server:
        conn = _connection(server)
        conn.request("GET", "/stream")
        response = conn.getresponse()
        assert response.getheader("Transfer-Encoding") == "chunked"
        assert response.read1(64) == b"first\n"  # arrives while the handler is still blocked
        first_read.set()
        assert response.read() == b"second\n"
        conn.close()
    assert handler_saw_first_read == [True]


def test_handler_exception_is_an_openai_style_500(capfd: pytest.CaptureFixture[str]) -> None:
    def broken(request: Request) -> Response:
        raise RuntimeError("boom")

    with LoopbackServer(broken) as server:
        conn = _connection(server)
        conn.request("GET", "/v1/anything")
        response = conn.getresponse()
        assert response.status == 500
        assert json.loads(response.read()) == {
            "error": {"message": "RuntimeError: boom", "type": "server_error", "param": None, "code": None}
        }
        conn.request("GET", "/v1/anything")  # the connection survives the failure
        assert conn.getresponse().status == 500
        conn.close()
    assert "Traceback" not in capfd.readouterr().err


def test_failing_generator_before_first_chunk_is_a_500() -> None:
    def handler(request: Request) -> Response:
        def body():
            raise ValueError("no data")
            yield b""  # pragma: no cover

        return Response(200, {}, body())

    with LoopbackServer(handler) as server:
        conn = _connection(server)
        conn.request("GET", "/")
        response = conn.getresponse()
        assert response.status == 500
        assert "no data" in json.loads(response.read())["error"]["message"]
        conn.close()


def test_keep_alive_reuses_one_connection() -> None:
    peers = []

    def handler(request: Request) -> Response:
        peers.append(request.headers.get("x-n"))
        return json_response({"n": len(peers)})

    with LoopbackServer(handler) as server:
        conn = _connection(server)
        for n in range(5):
            conn.request("GET", "/", headers={"x-n": str(n)})
            response = conn.getresponse()
            assert json.loads(response.read()) == {"n": n + 1}
            local = conn.sock.getsockname()
            if n == 0:
                first_local = local
            assert local == first_local  # the same TCP connection every time
        conn.close()


def test_error_response_and_disconnect_mid_stream_is_quiet(capfd: pytest.CaptureFixture[str]) -> None:
    stopped = threading.Event()

    def handler(request: Request) -> Response:
        if request.path == "/missing":
            return error_response(404, "nope")

        def body():
            try:
                for _ in range(10_000):
                    yield b"x" * 1024
            finally:
                stopped.set()

        return Response(200, {}, body())

    with LoopbackServer(handler) as server:
        conn = _connection(server)
        conn.request("GET", "/missing")
        response = conn.getresponse()
        assert response.status == 404
        assert json.loads(response.read())["error"] == {"message": "nope", "type": "invalid_request_error",
                                                        "param": None, "code": None}
        conn.request("GET", "/big")
        response = conn.getresponse()
        response.read1(1024)
        conn.sock.shutdown(socket.SHUT_RDWR)
        conn.close()
        assert stopped.wait(timeout=10)
    assert capfd.readouterr().err == ""


def test_stop_frees_the_port() -> None:
    server = LoopbackServer(_echo).start()
    port = server.port
    conn = _connection(server)
    conn.request("GET", "/")
    conn.getresponse().read()
    server.stop()
    conn.close()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    again = LoopbackServer(_echo, port=port).start()  # the same port can be bound again at once
    try:
        assert again.port == port
        conn = _connection(again)
        conn.request("GET", "/")
        assert conn.getresponse().status == 200
        conn.close()
    finally:
        again.stop()


def test_malformed_content_length_is_a_400_not_a_hang() -> None:
    with LoopbackServer(_echo) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n")
            reply = sock.makefile("rb").read()
    assert reply.startswith(b"HTTP/1.1 400 ")
    assert b'"invalid_request_error"' in reply


def test_string_and_generator_bodies() -> None:
    def handler(request: Request) -> Response:
        if request.path == "/text":
            return Response(200, {"Content-Type": "text/plain"}, "héllo")
        return Response(200, {}, (part for part in (b"a", b"", b"bc")))

    with LoopbackServer(handler) as server:
        conn = _connection(server)
        conn.request("GET", "/text")
        assert conn.getresponse().read() == "héllo".encode()
        conn.request("GET", "/gen")
        assert conn.getresponse().read() == b"abc"
        conn.close()
