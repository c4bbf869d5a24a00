"""The 49 real OpenAI streams of the shared reference, put into a cassette, replay through the pytest
plugin's marker and through the replay server: the openai client rebuilds `expected_assembled`."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

import openai
import pytest

from playground.recording.cassette import (
    Interaction,
    RecordedRequest,
    RecordedResponse,
    dump_cassette,
    parse_cassette,
)
from playground.server import serve_cassette
from tests.conftest import REFERENCE

pytest_plugins = ["pytester"]
SSE_DIR = "sse/openai-python-inline-snapshots"


def cases(reference: Path) -> list[dict[str, Any]]:
    return json.loads((reference / SSE_DIR / "index.json").read_text())


def request_for(case: dict[str, Any]) -> dict[str, Any]:
    return {"model": case["model"], "messages": [{"role": "user", "content": f"replay {case['file']}"}],
            "stream": True}


def reference_cassette(reference: Path) -> str:
    """One cassette with every stream, as recorded from api.openai.com."""
    interactions = []
    for case in cases(reference):
        body = json.dumps(request_for(case)).encode()
        request = RecordedRequest("POST", "https://api.openai.com/v1/chat/completions",
                                  {"content-type": ["application/json"]}, body)
        sse = (reference / SSE_DIR / case["file"]).read_bytes()
        response = RecordedResponse(200, "OK", {"content-type": ["text/event-stream; charset=utf-8"]}, sse)
        interactions.append(Interaction(request, response))
    return dump_cassette(interactions)


def assemble(chunks) -> list[dict]:
    """Every choice of a chat-completions stream, rebuilt by hand (n > 1 choices, refusals, calls)."""
    choices: dict[int, dict] = {}
    for chunk in chunks:
        for choice in chunk.to_dict().get("choices") or []:
            built = choices.setdefault(choice["index"], {"index": choice["index"], "content": None, "refusal": None,
                                                         "tool_calls": [], "finish_reason": None})
            delta = choice.get("delta") or {}
            for key in ("content", "refusal"):
                if delta.get(key) is not None:
                    built[key] = (built[key] or "") + delta[key]
            for call in delta.get("tool_calls") or []:
                while len(built["tool_calls"]) <= call["index"]:
                    built["tool_calls"].append({"id": None, "type": "function",
                                                "function": {"name": "", "arguments": ""}})
                target = built["tool_calls"][call["index"]]
                target["id"] = call.get("id") or target["id"]
                function = call.get("function") or {}
                target["function"]["name"] += function.get("name") or ""
                target["function"]["arguments"] += function.get("arguments") or ""
            if choice.get("finish_reason"):
                built["finish_reason"] = choice["finish_reason"]
    return [choices[index] for index in sorted(choices)]


def test_the_reference_cassette_is_readable_and_loads_back(reference):
    text = reference_cassette(reference)
    interactions = parse_cassette(text)
    assert len(interactions) == 49
    first = (reference / SSE_DIR / cases(reference)[0]["file"]).read_text().replace("\r\n", "\n")
    assert interactions[0].response.body.decode() == first
    assert "string: |" in text and "!!binary" not in text


@pytest.fixture(scope="module")
def replay_server(tmp_path_factory):
    if not REFERENCE.is_dir():
        pytest.skip("shared reference data not found")
    path = tmp_path_factory.mktemp("reference") / "reference.yaml"
    path.write_text(reference_cassette(REFERENCE), encoding="utf-8")
    with serve_cassette(path) as server:
        yield server


def test_every_stream_replays_through_the_replay_server(reference, replay_server):
    client = openai.OpenAI(base_url=replay_server.base_url, api_key="sk-test", max_retries=0)
    with client:
        for case in cases(reference):
            stream = client.chat.completions.create(**request_for(case))
            assert assemble(stream) == case["expected_assembled"], case["file"]


async def test_the_server_streams_each_event_as_it_comes(reference, replay_server):
    case = next(c for c in cases(reference) if "parallel_tool_calls" in c["features"])
    async with openai.AsyncOpenAI(base_url=replay_server.base_url, api_key="sk-test", max_retries=0) as client:
        response = await client.chat.completions.with_raw_response.create(**request_for(case))
        assert response.http_response.headers.get("transfer-encoding") == "chunked"
        chunks = [chunk async for chunk in response.parse()]
    assert assemble(chunks) == case["expected_assembled"]


PLUGIN_TEST = '''
import json
import openai
import pytest

CASES = json.loads(open("expected.json").read())

{assemble}

def request_for(case):
    return {{"model": case["model"], "messages": [{{"role": "user", "content": "replay " + case["file"]}}],
            "stream": True}}


@pytest.mark.playground_cassette("cassettes/reference.yaml")
@pytest.mark.parametrize("case", CASES, ids=[c["file"][:12] for c in CASES])
def test_sync_client(case):
    client = openai.OpenAI()
    assert assemble(client.chat.completions.create(**request_for(case))) == case["expected_assembled"]


@pytest.mark.playground_cassette("cassettes/reference.yaml")
@pytest.mark.parametrize("case", CASES, ids=[c["file"][:12] for c in CASES])
async def test_async_client(case):
    async with openai.AsyncOpenAI(base_url="http://127.0.0.1:9/v1") as client:
        stream = await client.chat.completions.create(**request_for(case))
        chunks = [chunk async for chunk in stream]
    assert assemble(chunks) == case["expected_assembled"]
'''


def test_every_stream_replays_through_the_plugin_marker(reference, pytester, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    (pytester.path / "cassettes").mkdir()
    (pytester.path / "cassettes" / "reference.yaml").write_text(reference_cassette(reference), encoding="utf-8")
    (pytester.path / "expected.json").write_text(json.dumps(cases(reference)))
    pytester.makeini("[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_reference=PLUGIN_TEST.format(assemble=inspect.getsource(assemble)))
    result = pytester.runpytest_inprocess("-q", "-p", "no:randomly", "-p", "no:cacheprovider",
                                          "-p", "no:textual-snapshot", "-p", "no:syrupy")
    result.assert_outcomes(passed=98)
