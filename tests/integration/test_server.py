"""The replay server (`serve --cassette`) and `serve --offline` over real loopback HTTP, for any
client: recorded answers, SSE as a live stream, OpenAI-style mismatch errors, the base-URL line."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import httpx2
import openai
import pytest

from playground.core.loopback import LoopbackServer, Request, Response
from playground.recording import CassetteError, use_cassette
from playground.server import MISMATCH_STATUS, serve_cassette, serve_offline
from tests.conftest import ROOT

QUESTION = [{"role": "user", "content": "Say hello"}]


def sse(request: Request) -> Response:
    words = ["Hello", " from", " the", " cassette"]
    base = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o"}
    events = [{**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": word},
                                    "logprobs": None, "finish_reason": None}]} for word in words]
    events.append({**base, "choices": [{"index": 0, "delta": {}, "logprobs": None, "finish_reason": "stop"}]})
    body = b"".join(b"data: " + json.dumps(e).encode() + b"\n\n" for e in events) + b"data: [DONE]\n\n"
    if not request.json().get("stream"):
        message = {"role": "assistant", "content": "".join(words), "refusal": None}
        body = json.dumps({**base, "object": "chat.completion", "choices": [
            {"index": 0, "message": message, "logprobs": None, "finish_reason": "stop"}]}).encode()
        return Response(200, {"Content-Type": "application/json"}, body)
    return Response(200, {"Content-Type": "text/event-stream"}, [body])


@pytest.fixture
def cassette(tmp_path) -> Path:
    path = tmp_path / "cassettes" / "hello.yaml"
    with LoopbackServer(sse) as provider, use_cassette(path, mode="once"):
        client = openai.OpenAI(base_url=provider.base_url, api_key="sk-test", max_retries=0)
        list(client.chat.completions.create(model="gpt-4o", messages=QUESTION, stream=True))
        client.chat.completions.create(model="gpt-4o", messages=QUESTION)
    return path


def text_of(stream) -> str:
    return "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)


def test_recorded_answers_are_served_to_any_client_and_can_be_asked_again(cassette):
    with serve_cassette(cassette) as server:
        assert server.base_url.startswith("http://127.0.0.1:") and server.base_url.endswith("/v1")
        client = openai.OpenAI(base_url=server.base_url, api_key="anything", max_retries=0)
        for _ in range(3):  # a client may rerun its whole suite against one server
            assert text_of(client.chat.completions.create(model="gpt-4o", messages=QUESTION, stream=True)) \
                == "Hello from the cassette"
            plain = client.chat.completions.create(model="gpt-4o", messages=QUESTION)
            assert plain.choices[0].message.content == "Hello from the cassette"


def test_sse_is_served_event_by_event(cassette):
    with serve_cassette(cassette) as server:
        body = {"model": "gpt-4o", "messages": QUESTION, "stream": True}
        with httpx2.Client() as http, http.stream("POST", server.base_url + "/chat/completions", json=body) as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            assert response.headers["transfer-encoding"] == "chunked"
            events = [line for line in response.iter_lines() if line.startswith("data:")]
    assert len(events) == 6 and events[-1] == "data: [DONE]"


def test_a_request_not_in_the_cassette_is_an_openai_style_error_naming_the_difference(cassette):
    with serve_cassette(cassette) as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="anything", max_retries=3)
        with pytest.raises(openai.NotFoundError) as raised:
            client.chat.completions.create(model="gpt-4o-mini", messages=QUESTION)
        error = raised.value
        assert error.status_code == MISMATCH_STATUS == 404
        assert error.body["code"] == "cassette_mismatch" and error.body["type"] == "invalid_request_error"
        assert error.body["param"] is None
        message = error.body["message"]
        assert "session 'hello'" in message and "interaction 1" in message
        assert 'model is "gpt-4o" in the cassette but "gpt-4o-mini" now' in message
        raw = httpx2.post(server.base_url + "/chat/completions", json={"model": "x"})
        assert raw.status_code == 404 and set(raw.json()) == {"error"}
        assert raw.headers["x-should-retry"] == "false"


def test_a_missing_or_corrupt_cassette_is_a_cassette_error(tmp_path):
    with pytest.raises(CassetteError, match="no such cassette"):
        serve_cassette(tmp_path / "absent.yaml")
    corrupt = tmp_path / "corrupt.yaml"
    corrupt.write_text("interactions: [\n")
    with pytest.raises(CassetteError, match="not valid YAML"):
        serve_cassette(corrupt)
    assert not (tmp_path / "absent.yaml").exists() and corrupt.read_text() == "interactions: [\n"


def test_servers_listen_on_loopback_only_unless_a_host_is_given(cassette):
    for server in (serve_cassette(cassette), serve_offline()):
        with server:
            assert server.host == "127.0.0.1" and server.base_url.startswith("http://127.0.0.1:")
    with serve_cassette(cassette, host="0.0.0.0") as server:
        assert server.host == "0.0.0.0"
        assert httpx2.post(server.base_url + "/chat/completions", json={}).status_code == 404


def test_serve_offline_is_the_offline_model_for_any_client():
    with serve_offline() as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="anything", max_retries=0)
        answer = client.chat.completions.create(model="gpt-4o", messages=[
            {"role": "user", "content": "What's the weather like in Paris?"}], tools=[{
                "type": "function", "function": {"name": "get_weather", "description": "Get the weather in a city",
                                                 "parameters": {"type": "object", "properties": {
                                                     "city": {"type": "string"}}, "required": ["city"]}}}])
        calls = answer.choices[0].message.tool_calls
        assert calls and calls[0].function.name == "get_weather"
        assert json.loads(calls[0].function.arguments) == {"city": "Paris"}


# A shell starts background jobs with SIGINT ignored and children inherit that; the default handler
# stands in for the terminal a user presses ctrl+c in.
SERVE = ("import signal, sys, argparse; signal.signal(signal.SIGINT, signal.default_int_handler); "
         "from playground.server import main_serve; sys.exit(main_serve(argparse.Namespace(**{args})))")


def serve_process(**args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", SERVE.format(args=repr(args))], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_main_serve_prints_the_base_url_first_and_exits_quietly_when_stopped(cassette, stop):
    process = serve_process(cassette=str(cassette), offline=False, host="127.0.0.1", port=0)
    try:
        first = process.stdout.readline().strip()
        assert first.startswith("http://127.0.0.1:") and first.endswith("/v1")
        client = openai.OpenAI(base_url=first, api_key="anything", max_retries=0)
        assert text_of(client.chat.completions.create(model="gpt-4o", messages=QUESTION, stream=True)) \
            == "Hello from the cassette"
        process.send_signal(stop)
        out, err = process.communicate(timeout=20)
    finally:
        process.kill()
    assert process.returncode == 0
    assert out == "" and err == ""


def test_main_serve_offline(tmp_path):
    process = serve_process(cassette=None, offline=True, host="127.0.0.1", port=0)
    try:
        first = process.stdout.readline().strip()
        models = httpx2.get(first + "/models", timeout=10)
        assert models.status_code == 200 and models.json()["data"]
        process.terminate()
        assert process.wait(timeout=20) == 0
    finally:
        process.kill()
