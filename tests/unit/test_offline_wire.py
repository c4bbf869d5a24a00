"""Everything the offline model serves passes OpenAI's strict wire schemas; BFCL tools get valid arguments."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import openai
import pytest
from jsonschema import Draft202012Validator

from playground.core.offline import OfflineServer, complete

WEATHER_TOOLS = json.loads((Path(__file__).resolve().parents[2] / "fixtures" / "tools" / "weather.json").read_text())
SEED = "What's the weather like in New York today? Also search for umbrellas"
STRICT_TOOL = {"type": "function", "function": {
    "name": "get_stock_price", "description": "Get the latest stock price for a ticker symbol", "strict": True,
    "parameters": {"type": "object", "properties": {"ticker": {"type": "string"},
                                                    "exchange": {"type": ["string", "null"]}},
                   "required": ["ticker", "exchange"], "additionalProperties": False}}}
EVERY_KTH = 5  # 3,420 / 5 = 684 tools in the sample
OVER_HTTP_EVERY = 100


@lru_cache(maxsize=None)
def _validator(schemas: Path, name: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads((schemas / f"{name}.schema.json").read_text()))


@pytest.fixture
def schemas(reference: Path) -> Path:
    return reference / "openai-wire" / "schemas"


@pytest.fixture(scope="module")
def server() -> Iterator[OfflineServer]:
    with OfflineServer() as running:
        yield running


def _user(text: str, **extra) -> dict:
    return {"model": "gpt-4o", "messages": [{"role": "user", "content": text}], **extra}


def _seed_followup() -> dict:
    request = _user(SEED, tools=WEATHER_TOOLS)
    calls = complete(request)["choices"][0]["message"]["tool_calls"]
    results = [{"city": "New York", "temperature": 22, "unit": "celsius", "condition": "Sunny"},
               [{"name": "Umbrella A", "price": 99}, {"name": "Umbrella B", "price": 149}]]
    messages = [{"role": "system", "content": "Be brief."}, *request["messages"],
                {"role": "assistant", "content": None, "tool_calls": calls}]
    messages += [{"role": "tool", "tool_call_id": c["id"], "content": json.dumps(r)} for c, r in zip(calls, results)]
    return {**request, "messages": messages}


VARIED_REQUESTS = {
    "seed": _user(SEED, tools=WEATHER_TOOLS),
    "seed-parallel-off": _user(SEED, tools=WEATHER_TOOLS, parallel_tool_calls=False),
    "after-results": _seed_followup(),
    "choice-none": _user(SEED, tools=WEATHER_TOOLS, tool_choice="none"),
    "choice-required": _user("Tell me a joke", tools=WEATHER_TOOLS, tool_choice="required"),
    "choice-forced": _user("Tell me a joke", tools=WEATHER_TOOLS,
                           tool_choice={"type": "function", "function": {"name": "search_products"}}),
    "auto-irrelevant": _user("Tell me a joke", tools=WEATHER_TOOLS),
    "no-tools": _user("Hello there, who are you?"),
    "max-tokens": _user("Tell me a joke", tools=WEATHER_TOOLS, max_tokens=4),
    "max-completion-tokens": _user("Hi", max_completion_tokens=1),
    "strict-tool": _user('Quote for "ACME" please', tools=[STRICT_TOOL], temperature=0, seed=42),
    "content-parts": {"model": "offline-1", "messages": [
        {"role": "developer", "content": [{"type": "text", "text": "Answer well."}]},
        {"role": "user", "content": [{"type": "text", "text": "Weather in Rome in fahrenheit?"}]}],
        "tools": WEATHER_TOOLS},
    "ends-with-assistant": {"model": "m", "messages": [{"role": "user", "content": "Hi"},
                                                       {"role": "assistant", "content": "Hello!"}]},
    "json-object": _user("Say hi", response_format={"type": "json_object"}),
    "json-schema": _user("My name is Ada, aged 36", response_format={"type": "json_schema", "json_schema": {
        "name": "person", "schema": {"type": "object", "properties": {"name": {"type": "string"},
                                                                      "age": {"type": "integer"}},
                                     "required": ["name", "age"]}}}),
    "unicode": _user("Wetter in München? Ünïcödé ☂", tools=WEATHER_TOOLS),
}


def _post(server: OfflineServer, payload: dict) -> tuple[int, str, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("POST", "/v1/chat/completions", body=json.dumps(payload).encode(),
                     headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        conn.close()


def _sse_payloads(body: bytes) -> list[str]:
    events = body.decode("utf-8").split("\n\n")
    assert events[-1] == "" and events[-2] == "data: [DONE]"
    assert all(e.startswith("data: ") and "\n" not in e for e in events[:-2])
    return [e[len("data: "):] for e in events[:-2]]


def _errors(validator: Draft202012Validator, instance: object) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(instance)]


@pytest.mark.parametrize("name", sorted(VARIED_REQUESTS))
def test_served_bodies_pass_the_strict_response_schema(server: OfflineServer, schemas: Path, name: str) -> None:
    request_validator = _validator(schemas, "CreateChatCompletionRequest")
    assert _errors(request_validator, VARIED_REQUESTS[name]) == []  # the test itself sends valid requests
    status, content_type, body = _post(server, VARIED_REQUESTS[name])
    assert status == 200 and content_type == "application/json"
    assert _errors(_validator(schemas, "CreateChatCompletionResponse"), json.loads(body)) == []


@pytest.mark.parametrize("usage", [False, True])
@pytest.mark.parametrize("name", sorted(VARIED_REQUESTS))
def test_every_stream_chunk_passes_the_strict_chunk_schema(server: OfflineServer, schemas: Path, name: str,
                                                           usage: bool) -> None:
    payload = {**VARIED_REQUESTS[name], "stream": True}
    if usage:
        payload["stream_options"] = {"include_usage": True}
    status, content_type, body = _post(server, payload)
    assert status == 200 and content_type.startswith("text/event-stream")
    chunks = [json.loads(p) for p in _sse_payloads(body)]
    validator = _validator(schemas, "CreateChatCompletionStreamResponse")
    for chunk in chunks:
        assert _errors(validator, chunk) == []
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert len({c["id"] for c in chunks}) == 1
    finishing = [c for c in chunks if c["choices"] and c["choices"][0]["finish_reason"]]
    assert len(finishing) == 1 and finishing[0]["choices"][0]["delta"] == {}
    if usage:
        assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["total_tokens"] > 0
    else:
        assert all("usage" not in c for c in chunks)


def test_stream_tool_call_deltas_have_index_id_and_name_first(server: OfflineServer) -> None:
    _status, _type, body = _post(server, {**VARIED_REQUESTS["seed"], "stream": True})
    choices = [c for p in _sse_payloads(body) for c in json.loads(p)["choices"]]
    deltas = [d for c in choices for d in c["delta"].get("tool_calls", [])]
    seen: set[int] = set()
    for delta in deltas:
        if delta["index"] not in seen:
            seen.add(delta["index"])
            assert delta["id"].startswith("call_") and delta["type"] == "function"
            assert delta["function"]["name"] and delta["function"]["arguments"] == ""
        else:
            assert set(delta) == {"index", "function"} and set(delta["function"]) == {"arguments"}
    assert seen == {0, 1}
    assert len(deltas) > 4  # the arguments come in several fragments


@pytest.mark.parametrize("payload", [
    b"nope", json.dumps({"model": "x"}).encode(),
    json.dumps(_user(SEED, tools=WEATHER_TOOLS, tool_choice={"type": "function", "function": {"name": "zz"}})).encode(),
])
def test_error_bodies_pass_the_error_schema(server: OfflineServer, schemas: Path, payload: bytes) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("POST", "/v1/chat/completions", body=payload)
    response = conn.getresponse()
    body = json.loads(response.read())
    conn.close()
    assert response.status == 400
    assert _errors(_validator(schemas, "ErrorResponse"), body) == []


# ---------------------------------------------------------------- the 3,420 BFCL tools


def _bfcl(reference: Path) -> list[dict]:
    lines = (reference / "tools" / "bfcl_tools_openai.jsonl").read_text().splitlines()
    return [json.loads(line)["tool"] for line in lines if line.strip()]


def _forced(tool: dict) -> dict:
    function = tool["function"]
    text = function.get("description") or function["name"].replace("_", " ")
    return _user(text, tools=[tool], tool_choice={"type": "function", "function": {"name": function["name"]}})


def _arguments_problems(tool: dict, response: dict) -> list[str]:
    calls = response["choices"][0]["message"]["tool_calls"]
    assert [c["function"]["name"] for c in calls] == [tool["function"]["name"]]
    arguments = json.loads(calls[0]["function"]["arguments"])
    schema = tool["function"].get("parameters") or {}
    return _errors(Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER), arguments)


def _satisfiable(tool: dict) -> bool:
    """False when a required parameter's enum holds no value of its own type (no argument can validate)."""
    parameters = tool["function"].get("parameters") or {}
    for name in parameters.get("required", []):
        schema = parameters.get("properties", {}).get(name, {})
        if "enum" in schema and not any(Draft202012Validator(schema).is_valid(v) for v in schema["enum"]):
            return False
    return True


def test_forced_calls_on_a_sample_of_bfcl_tools_validate(reference: Path) -> None:
    tools = _bfcl(reference)[::EVERY_KTH]
    assert len(tools) >= 600
    failures = {t["function"]["name"]: p for t in tools if _satisfiable(t)
                for p in [_arguments_problems(t, complete(_forced(t)))] if p}
    assert failures == {}


def test_forced_calls_on_all_bfcl_tools(reference: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tools = _bfcl(reference)
    assert len(tools) == 3420
    passed = [t for t in tools if not _arguments_problems(t, complete(_forced(t)))]
    impossible = [t["function"]["name"] for t in tools if not _satisfiable(t)]
    with capsys.disabled():
        print(f"\nBFCL forced calls: {len(passed)}/{len(tools)} argument sets validate; "
              f"{len(impossible)} tools are unsatisfiable (enum values of the wrong type): {impossible}")
    assert len(passed) == len(tools) - len(impossible)
    assert len(impossible) <= 3


def test_forced_calls_over_http_for_a_few_dozen_bfcl_tools(server: OfflineServer, reference: Path,
                                                           schemas: Path) -> None:
    tools = [t for t in _bfcl(reference)[::OVER_HTTP_EVERY] if _satisfiable(t)]
    assert len(tools) >= 30
    response_validator = _validator(schemas, "CreateChatCompletionResponse")
    with openai.OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0) as client:
        for tool in tools:
            raw = client.chat.completions.with_raw_response.create(**_forced(tool))
            body = json.loads(raw.http_response.content)
            assert _errors(response_validator, body) == []
            assert _arguments_problems(tool, body) == []
            parsed = raw.parse()
            assert parsed.choices[0].message.tool_calls[0].function.name == tool["function"]["name"]
