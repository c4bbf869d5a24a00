"""The offline model over real loopback HTTP with the real openai client: tools, arguments, text, errors."""

from __future__ import annotations

import http.client
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest
from jsonschema import Draft202012Validator

from playground.core.offline import (
    OfflineError,
    OfflineServer,
    complete,
    ensure_offline_server,
    fill_arguments,
    stream,
)

TOOLS = json.loads((Path(__file__).resolve().parents[2] / "fixtures" / "tools" / "weather.json").read_text())
SEED = "What's the weather like in New York today? Also search for umbrellas"
WEATHER = {"city": "New York", "temperature": 22, "unit": "celsius", "condition": "Sunny"}
PRODUCTS = [{"name": "Umbrella A", "price": 99}, {"name": "Umbrella B", "price": 149}]
TRIP_TOOLS = [
    {"type": "function", "function": {
        "name": "find_flights", "description": "Find flights between two cities on a date",
        "parameters": {"type": "object", "properties": {
            "origin": {"type": "string", "description": "City to fly from"},
            "destination": {"type": "string", "description": "City to fly to"},
            "date": {"type": "string", "format": "date", "description": "Departure date"},
            "cabin": {"type": "string", "enum": ["economy", "business"], "default": "economy"}},
            "required": ["origin", "destination"]}}},
    {"type": "function", "function": {
        "name": "book_hotel", "description": "Book a hotel room in a city for a number of nights",
        "parameters": {"type": "object", "properties": {
            "city": {"type": "string", "description": "City of the hotel"},
            "nights": {"type": "integer", "minimum": 1, "description": "Number of nights"}},
            "required": ["city", "nights"]}}},
]
STOCK_TOOL = {"type": "function", "function": {
    "name": "get_stock_price", "description": "Get the latest stock price for a ticker symbol", "strict": True,
    "parameters": {"type": "object", "properties": {"ticker": {"type": "string", "description": "Ticker symbol"}},
                   "required": ["ticker"], "additionalProperties": False}}}


@pytest.fixture(scope="module")
def server() -> Iterator[OfflineServer]:
    with OfflineServer() as running:
        yield running


@pytest.fixture
def client(server: OfflineServer) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0) as created:
        yield created


def _request(text: str = SEED, tools: list | None = None, **extra) -> dict:
    return {"model": "gpt-4o", "messages": [{"role": "user", "content": text}],
            "tools": TOOLS if tools is None else tools, **extra}


def _calls(response: dict) -> list[tuple[str, dict]]:
    calls = response["choices"][0]["message"].get("tool_calls") or []
    return [(c["function"]["name"], json.loads(c["function"]["arguments"])) for c in calls]


def _raw(server: OfflineServer, method: str, path: str, body: bytes | None = None) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request(method, path, body=body, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def _post(server: OfflineServer, payload: dict | bytes) -> tuple[int, dict, bytes]:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return _raw(server, "POST", "/v1/chat/completions", body)


def _with_results(request: dict, response: dict, results: list) -> dict:
    message = response["choices"][0]["message"]
    calls = message["tool_calls"]
    messages = [*request["messages"], {"role": "assistant", "content": None, "tool_calls": calls}]
    messages += [{"role": "tool", "tool_call_id": call["id"], "content": json.dumps(result)}
                 for call, result in zip(calls, results)]
    return {**request, "messages": messages}


# ---------------------------------------------------------------- the seed example


def test_seed_example_non_streamed(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(
        model="gpt-4o", tools=TOOLS,
        messages=[{"role": "system", "content": "You are a helpful assistant."}, {"role": "user", "content": SEED}])
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert completion.model == "offline-gpt-4o"
    assert [(c.function.name, c.function.arguments) for c in choice.message.tool_calls] == [
        ("get_weather", '{"city": "New York"}'), ("search_products", '{"query": "umbrellas"}')]
    assert re.fullmatch(r"chatcmpl-offline-[0-9a-f]{12}", completion.id)
    assert all(re.fullmatch(r"call_[0-9a-zA-Z]{16}", c.id) for c in choice.message.tool_calls)
    assert completion.usage.total_tokens == completion.usage.prompt_tokens + completion.usage.completion_tokens > 0


def test_seed_example_streamed_gives_the_same_calls(client: openai.OpenAI) -> None:
    kwargs = {"model": "gpt-4o", "tools": TOOLS, "messages": [{"role": "user", "content": SEED}]}
    plain = client.chat.completions.create(**kwargs)
    calls: dict[int, dict] = {}
    finish, usage, first_delta = None, None, None
    with client.chat.completions.create(**kwargs, stream=True, stream_options={"include_usage": True}) as events:
        for chunk in events:
            if chunk.usage is not None:
                usage = chunk.usage
                assert chunk.choices == []
            for choice in chunk.choices:
                first_delta = first_delta or choice.delta
                finish = choice.finish_reason or finish
                for delta in choice.delta.tool_calls or []:
                    call = calls.setdefault(delta.index, {"id": delta.id, "name": delta.function.name, "arguments": ""})
                    call["arguments"] += delta.function.arguments or ""
    assert first_delta.role == "assistant"
    assert finish == "tool_calls"
    assert [(c["name"], c["arguments"]) for c in calls.values()] == [
        (c.function.name, c.function.arguments) for c in plain.choices[0].message.tool_calls]
    assert [c["id"] for c in calls.values()] == [c.id for c in plain.choices[0].message.tool_calls]
    assert usage.total_tokens == plain.usage.total_tokens


def test_seed_answer_after_tool_results_uses_both(client: openai.OpenAI) -> None:
    request = _request(SEED)
    followup = _with_results(request, complete(request), [WEATHER, PRODUCTS])
    completion = client.chat.completions.create(**followup)
    text = completion.choices[0].message.content
    assert completion.choices[0].finish_reason == "stop"
    assert not completion.choices[0].message.tool_calls
    for fact in ("New York", "22", "Sunny", "Umbrella A", "99", "Umbrella B", "149", "2 results"):
        assert fact in text
    streamed = ""
    with client.chat.completions.create(**followup, stream=True) as events:
        pieces = [c.choices[0].delta.content for c in events if c.choices and c.choices[0].delta.content]
    streamed = "".join(pieces)
    assert len(pieces) > 3  # several content deltas, not one blob
    assert streamed == text


def test_answer_after_results_even_when_a_tool_is_forced() -> None:
    request = _request(SEED, tool_choice={"type": "function", "function": {"name": "get_weather"}})
    first = complete(request)
    assert [name for name, _ in _calls(first)] == ["get_weather"]
    second = complete(_with_results(request, first, [WEATHER]))
    assert second["choices"][0]["finish_reason"] == "stop"
    assert "Sunny" in second["choices"][0]["message"]["content"]


def test_error_result_is_reported_as_a_failure() -> None:
    request = _request('What is the stock price of "ACME"?', tools=[STOCK_TOOL])
    first = complete(request)
    assert _calls(first) == [("get_stock_price", {"ticker": "ACME"})]
    reply = complete(_with_results(request, first, [{"error": "upstream quote service timed out (503)"}]))
    text = reply["choices"][0]["message"]["content"]
    assert "get_stock_price" in text and "failed" in text and "timed out (503)" in text


# ---------------------------------------------------------------- determinism


def test_same_request_gives_the_same_bytes(server: OfflineServer) -> None:
    for payload in (_request(), _request(stream=True, stream_options={"include_usage": True}),
                    _request("Tell me a joke", max_tokens=5)):
        first, second = _post(server, payload), _post(server, payload)
        assert first[0] == 200
        assert first[2] == second[2]


def test_streamed_body_is_sse_ending_with_done(server: OfflineServer) -> None:
    status, headers, body = _post(server, _request(stream=True))
    assert status == 200
    assert headers["Content-Type"].startswith("text/event-stream")
    events = body.decode().split("\n\n")
    assert events[-2:] == ["data: [DONE]", ""]
    assert all(event.startswith("data: {") for event in events[:-2])


def test_ids_differ_between_conversations() -> None:
    one = complete(_request("Weather in Paris"))
    two = complete(_request("Weather in Rome"))
    assert one["id"] != two["id"]
    assert one["choices"][0]["message"]["tool_calls"][0]["id"] != two["choices"][0]["message"]["tool_calls"][0]["id"]


# ---------------------------------------------------------------- tool choice and parallel calls


def test_tool_choice_none_answers_in_text(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(**_request("What's the weather like in Berlin?", tool_choice="none"))
    message = completion.choices[0].message
    assert message.tool_calls is None
    assert completion.choices[0].finish_reason == "stop"
    assert "get_weather" in message.content and "Berlin" in message.content


def test_auto_with_an_irrelevant_message_lists_the_tools() -> None:
    response = complete(_request("Tell me a joke", tool_choice="auto"))
    message = response["choices"][0]["message"]
    assert "tool_calls" not in message
    assert "get_weather" in message["content"] and "search_products" in message["content"]


def test_no_tools_answers_in_text() -> None:
    response = complete({"model": "offline-1", "messages": [{"role": "user", "content": "Hello"}]})
    assert response["model"] == "offline-1"
    assert response["choices"][0]["finish_reason"] == "stop"
    assert "Hello" in response["choices"][0]["message"]["content"]


def test_required_calls_a_tool_even_for_an_irrelevant_message() -> None:
    calls = _calls(complete(_request("Tell me a joke", tool_choice="required")))
    assert len(calls) >= 1
    assert calls[0][0] in {"get_weather", "search_products"}


def test_forced_function_is_called_whatever_the_text() -> None:
    forced = {"type": "function", "function": {"name": "search_products"}}
    assert [name for name, _ in _calls(complete(_request(SEED, tool_choice=forced)))] == ["search_products"]
    weather = {"type": "function", "function": {"name": "get_weather"}}
    calls = _calls(complete(_request("I'm flying to Paris tomorrow, what should I pack?", tool_choice=weather)))
    assert calls == [("get_weather", {"city": "Paris"})]


def test_parallel_false_gives_at_most_one_call() -> None:
    calls = _calls(complete(_request(SEED, parallel_tool_calls=False)))
    assert calls == [("get_weather", {"city": "New York"})]


def _steps(request: dict, results: dict, limit: int = 8) -> list[dict]:
    """Answer tool calls with results[name] until the model answers in text; every response, in order."""
    responses = []
    for _ in range(limit):
        response = complete(request)
        responses.append(response)
        message = response["choices"][0]["message"]
        if not message.get("tool_calls"):
            return responses
        request = _with_results(request, response, [results[c["function"]["name"]] for c in message["tool_calls"]])
    raise AssertionError(f"still calling tools after {limit} steps")


def test_parallel_false_calls_one_clause_per_step_then_answers() -> None:
    responses = _steps(_request(SEED, parallel_tool_calls=False),
                       {"get_weather": WEATHER, "search_products": PRODUCTS})
    assert [_calls(r) for r in responses] == [
        [("get_weather", {"city": "New York"})], [("search_products", {"query": "umbrellas"})], []]
    assert [r["choices"][0]["finish_reason"] for r in responses] == ["tool_calls", "tool_calls", "stop"]
    text = responses[-1]["choices"][0]["message"]["content"]
    for fact in ("New York", "Sunny", "Umbrella A", "umbrellas"):
        assert fact in text
    ids = [r["choices"][0]["message"]["tool_calls"][0]["id"] for r in responses[:2]]
    assert ids[0] != ids[1]


def test_parallel_false_steps_pass_the_strict_wire_schemas(server: OfflineServer, reference: Path) -> None:
    schemas = reference / "openai-wire" / "schemas"

    def validator(name: str) -> Draft202012Validator:
        return Draft202012Validator(json.loads((schemas / f"{name}.schema.json").read_text()))

    requests, request = [], _request(SEED, parallel_tool_calls=False)
    for response in _steps(request, {"get_weather": WEATHER, "search_products": PRODUCTS}):
        requests.append(request)
        calls = response["choices"][0]["message"].get("tool_calls") or []
        if calls:
            request = _with_results(request, response, [WEATHER if c["function"]["name"] == "get_weather"
                                                        else PRODUCTS for c in calls])
    assert len(requests) == 3
    for request in requests:
        assert list(validator("CreateChatCompletionRequest").iter_errors(request)) == []
        status, _headers, body = _post(server, request)
        assert status == 200
        assert list(validator("CreateChatCompletionResponse").iter_errors(json.loads(body))) == []
        status, _headers, body = _post(server, {**request, "stream": True, "stream_options": {"include_usage": True}})
        assert status == 200
        events = body.decode().split("\n\n")
        assert events[-2:] == ["data: [DONE]", ""]
        for event in events[:-2]:
            assert list(validator("CreateChatCompletionStreamResponse").iter_errors(json.loads(event[6:]))) == []


def test_parallel_false_continues_under_required_and_allowed_tools() -> None:
    for choice in ("required", {"type": "allowed_tools", "allowed_tools": {"mode": "auto", "tools": [
            {"type": "function", "function": {"name": "get_weather"}},
            {"type": "function", "function": {"name": "search_products"}}]}}):
        responses = _steps(_request(SEED, parallel_tool_calls=False, tool_choice=choice),
                           {"get_weather": WEATHER, "search_products": PRODUCTS})
        assert [len(_calls(r)) for r in responses] == [1, 1, 0]


def test_parallel_false_same_tool_for_two_places_in_two_steps() -> None:
    responses = _steps(_request("What's the weather in Paris and in London?", parallel_tool_calls=False),
                       {"get_weather": WEATHER})
    assert [_calls(r) for r in responses] == [
        [("get_weather", {"city": "Paris"})], [("get_weather", {"city": "London"})], []]


def test_parallel_false_after_results_answers_in_text_when_forced_or_done() -> None:
    forced = _request(SEED, parallel_tool_calls=False,
                      tool_choice={"type": "function", "function": {"name": "get_weather"}})
    assert [len(_calls(r)) for r in _steps(forced, {"get_weather": WEATHER})] == [1, 0]
    single = _request("What's the weather in Oslo?", parallel_tool_calls=False)
    assert [len(_calls(r)) for r in _steps(single, {"get_weather": WEATHER})] == [1, 0]
    irrelevant = _request("Tell me a joke", parallel_tool_calls=False, tool_choice="required")
    assert [len(_calls(r)) for r in _steps(irrelevant, {"get_weather": WEATHER, "search_products": PRODUCTS})] == [1, 0]


def test_parallel_false_never_repeats_a_clause() -> None:
    """Calls made since the user message count by name and arguments, else by tool (edited arguments)."""
    request = _request(SEED, parallel_tool_calls=False)
    first = complete(request)
    edited = json.loads(json.dumps(first))
    edited["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"] = '{"city": "Boston"}'
    second = complete(_with_results(request, edited, [WEATHER]))
    assert _calls(second) == [("search_products", {"query": "umbrellas"})]
    # both clauses answered (in the other order, in one message): text
    both = complete(request | {"parallel_tool_calls": True})
    reordered = json.loads(json.dumps(both))
    reordered["choices"][0]["message"]["tool_calls"].reverse()
    done = complete(_with_results(request, reordered, [PRODUCTS, WEATHER]))
    assert done["choices"][0]["finish_reason"] == "stop"
    # as many calls made as clauses planned, whatever they were: text
    other = json.loads(json.dumps(first))
    other["choices"][0]["message"]["tool_calls"][0]["function"] = {"name": "search_products",
                                                                    "arguments": '{"query": "boots"}'}
    first_round = _with_results(request, other, [PRODUCTS])
    after_one = complete(first_round)
    assert _calls(after_one) == [("get_weather", {"city": "New York"})]
    final = complete(_with_results(first_round, after_one, [WEATHER]))
    assert final["choices"][0]["finish_reason"] == "stop"
    assert "boots" in final["choices"][0]["message"]["content"]


def test_parallel_true_still_answers_in_text_after_results() -> None:
    responses = _steps(_request(SEED), {"get_weather": WEATHER, "search_products": PRODUCTS})
    assert [len(_calls(r)) for r in responses] == [2, 0]


def test_parallel_false_earlier_turns_do_not_count() -> None:
    """Only calls after the latest user message count: a new message asking the same again calls again."""
    request = _request(SEED, parallel_tool_calls=False)
    responses = _steps(request, {"get_weather": WEATHER, "search_products": PRODUCTS})
    messages = [*request["messages"]]
    for response, result in zip(responses, [WEATHER, PRODUCTS]):
        messages += [response["choices"][0]["message"] | {"content": None},
                     {"role": "tool", "tool_call_id": response["choices"][0]["message"]["tool_calls"][0]["id"],
                      "content": json.dumps(result)}]
    messages += [{"role": "assistant", "content": responses[-1]["choices"][0]["message"]["content"]},
                 {"role": "user", "content": SEED}]
    again = complete({**request, "messages": messages})
    assert _calls(again) == [("get_weather", {"city": "New York"})]


async def test_engine_runs_the_seed_one_call_per_step_with_parallel_off(server: OfflineServer) -> None:
    from playground.core.engine import run_session
    from playground.core.session import load_session

    session = load_session(Path(__file__).resolve().parents[2] / "fixtures" / "weather.yaml")
    session.parallel_tool_calls = False
    transcript, _events = await run_session(session, client_factory=lambda: openai.AsyncOpenAI(
        base_url=server.base_url, api_key="sk-test", max_retries=0))
    assert transcript.steps == 3
    assert [(c["name"], c["arguments"]) for c in transcript.tool_calls()] == [
        ("get_weather", {"city": "New York"}), ("search_products", {"query": "umbrellas"})]
    assert [len(m.get("tool_calls") or []) for m in transcript.messages if m["role"] == "assistant"] == [1, 1, 0]
    final = transcript.final_text or ""
    for fact in ("New York", "Sunny", "Umbrella A"):
        assert fact in final


def test_same_tool_twice_for_two_places() -> None:
    calls = _calls(complete(_request("What's the weather in Paris and in London?")))
    assert calls == [("get_weather", {"city": "Paris"}), ("get_weather", {"city": "London"})]


def test_identical_calls_are_not_duplicated() -> None:
    calls = _calls(complete(_request("Weather in Paris. Also the weather in Paris")))
    assert calls == [("get_weather", {"city": "Paris"})]


def test_allowed_tools_choice_restricts_the_tools() -> None:
    choice = {"type": "allowed_tools", "allowed_tools": {
        "mode": "required", "tools": [{"type": "function", "function": {"name": "search_products"}}]}}
    assert [name for name, _ in _calls(complete(_request(SEED, tool_choice=choice)))] == ["search_products"]


# ---------------------------------------------------------------- arguments from the text


@pytest.mark.parametrize(("text", "tools", "expected"), [
    ("Weather in Paris in fahrenheit please", TOOLS, [("get_weather", {"city": "Paris", "unit": "fahrenheit"})]),
    ("search for umbrellas under $50", TOOLS, [("search_products", {"query": "umbrellas", "max_price": 50})]),
    ('Find me "golf umbrellas" below 30 dollars', TOOLS,
     [("search_products", {"query": "golf umbrellas", "max_price": 30})]),
    ("Find flights from London to Lisbon in business class", TRIP_TOOLS,
     [("find_flights", {"origin": "London", "destination": "Lisbon", "cabin": "business"})]),
    ("Book a hotel in Lisbon for 3 nights", TRIP_TOOLS, [("book_hotel", {"city": "Lisbon", "nights": 3})]),
    ("Find flights from London to Lisbon on 2024-05-03 and book a hotel there for three nights", TRIP_TOOLS,
     [("find_flights", {"origin": "London", "destination": "Lisbon", "date": "2024-05-03"}),
      ("book_hotel", {"city": "Lisbon", "nights": 3})]),
    ("Fly from Boston to Denver on March 3, 2025", TRIP_TOOLS,
     [("find_flights", {"origin": "Boston", "destination": "Denver", "date": "2025-03-03"})]),
    ('What is the stock price of "ACME"?', [STOCK_TOOL], [("get_stock_price", {"ticker": "ACME"})]),
    ("What is the stock price of ACME?", [STOCK_TOOL], [("get_stock_price", {"ticker": "ACME"})]),
])
def test_arguments_are_filled_from_the_text(text: str, tools: list, expected: list) -> None:
    assert _calls(complete(_request(text, tools=tools))) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Is it raining in São Paulo?", [("get_weather", {"city": "São Paulo"})]),
    ("Will it snow in Ürümqi tomorrow?", [("get_weather", {"city": "Ürümqi"})]),
    ("How hot is it in Zürich right now?", [("get_weather", {"city": "Zürich"})]),
    ("What's the temperature in Reykjavík in fahrenheit?", [("get_weather", {"city": "Reykjavík",
                                                                             "unit": "fahrenheit"})]),
    ("Is it sunny in Malmö?", [("get_weather", {"city": "Malmö"})]),
    # weather words that are products stay with the catalog search; umbrellas are products
    ("Search for rain jackets", [("search_products", {"query": "rain jackets"})]),
    ("Find hot sauce under $10", [("search_products", {"query": "hot sauce", "max_price": 10})]),
    ("search for umbrellas in Île-de-France", [("search_products", {"query": "umbrellas"})]),
])
def test_weather_words_and_non_ascii_places(text: str, expected: list) -> None:
    assert _calls(complete(_request(text))) == expected


def test_a_tool_named_for_a_weather_word_beats_the_weather_tool() -> None:
    thermostat = {"type": "function", "function": {
        "name": "set_temperature", "description": "Set the thermostat of the house",
        "parameters": {"type": "object", "properties": {"degrees": {"type": "number"}}, "required": ["degrees"]}}}
    calls = _calls(complete(_request("Set the temperature to 21 degrees", tools=[*TOOLS, thermostat])))
    assert calls == [("set_temperature", {"degrees": 21})]


def test_user_content_as_parts() -> None:
    request = {"model": "gpt-4o", "tools": TOOLS, "messages": [
        {"role": "user", "content": [{"type": "text", "text": "What's the weather in Oslo?"}]}]}
    assert _calls(complete(request)) == [("get_weather", {"city": "Oslo"})]


def test_booleans_numbers_lists_and_integers() -> None:
    tool = {"type": "function", "function": {"name": "search_news", "description": "Search news articles",
            "parameters": {"type": "object", "properties": {
                "query": {"type": "string"}, "limit": {"type": "integer", "maximum": 50},
                "include_images": {"type": "boolean"}, "sources": {"type": "array", "items": {"type": "string"}},
                "min_score": {"type": "number"}},
                "required": ["query", "sources"]}}}
    request = _request("Search news about Mars with limit 5 without images, score at least 0.5, "
                       "from sources: BBC, Reuters and CNN", tools=[tool])
    (name, arguments), = _calls(complete(request))
    assert name == "search_news"
    assert arguments["limit"] == 5
    assert arguments["include_images"] is False
    assert arguments["min_score"] == 0.5
    assert arguments["sources"] == ["BBC", "Reuters", "CNN"]
    assert arguments["query"].startswith("news about Mars")


def test_required_values_that_cannot_be_found_still_validate() -> None:
    schema = {
        "type": "object",
        "$defs": {"point": {"type": "object", "properties": {"x": {"type": "number", "minimum": 10},
                                                              "y": {"type": "number"}}, "required": ["x", "y"]}},
        "properties": {
            "code": {"type": "string", "pattern": "^[A-Z]{3}-\\d{4}$"},
            "when": {"type": "string", "format": "date"},
            "stamp": {"type": "string", "format": "date-time"},
            "email": {"type": "string", "format": "email"},
            "site": {"type": "string", "format": "uri"},
            "name": {"type": "string", "minLength": 12, "maxLength": 14},
            "count": {"type": "integer", "exclusiveMinimum": 5, "maximum": 9, "multipleOf": 2},
            "ratio": {"type": "number", "exclusiveMaximum": 0},
            "point": {"$ref": "#/$defs/point"},
            "points": {"type": "array", "items": {"$ref": "#/$defs/point"}, "minItems": 2},
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 3, "uniqueItems": True},
            "mode": {"const": "fast"},
            "either": {"anyOf": [{"type": "integer", "minimum": 100}, {"type": "string"}]},
            "exactly": {"oneOf": [{"type": "string", "maxLength": 2}, {"type": "string", "minLength": 5}]},
            "level": {"enum": [3, 4]},
            "maybe": {"type": ["string", "null"]},
            "flag": {"type": "boolean", "default": True},
            "nested": {"type": "object", "properties": {"deep": {"type": "object", "properties": {
                "leaf": {"type": "string", "enum": ["a", "b"]}}, "required": ["leaf"]}}, "required": ["deep"]},
        },
        "required": ["code", "when", "stamp", "email", "site", "name", "count", "ratio", "point", "points", "tags",
                     "mode", "either", "exactly", "level", "maybe", "flag", "nested"],
        "additionalProperties": False,
    }
    arguments = fill_arguments(schema, "Nothing useful here")
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert list(validator.iter_errors(arguments)) == []
    assert arguments["flag"] is True and arguments["mode"] == "fast" and arguments["when"] == "2024-01-01"


def test_optional_parameters_that_cannot_be_filled_are_left_out() -> None:
    assert _calls(complete(_request("What's the weather in Oslo?"))) == [("get_weather", {"city": "Oslo"})]


# ---------------------------------------------------------------- limits and usage


def test_max_tokens_truncates_text_with_finish_reason_length(client: openai.OpenAI) -> None:
    full = complete(_request("Tell me a joke"))["choices"][0]["message"]["content"]
    completion = client.chat.completions.create(**_request("Tell me a joke", max_tokens=8))
    choice = completion.choices[0]
    assert choice.finish_reason == "length"
    assert full.startswith(choice.message.content) and len(choice.message.content) < len(full)
    assert completion.usage.completion_tokens <= 8
    chunks = stream(_request("Tell me a joke", max_completion_tokens=8, stream=True))
    assert chunks[-1]["choices"][0]["finish_reason"] == "length"
    assert "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks) == choice.message.content


def test_sampling_parameters_are_accepted() -> None:
    plain = complete(_request(SEED))
    tuned = complete(_request(SEED, temperature=0.2, seed=7, top_p=1))
    assert _calls(plain) == _calls(tuned)


# ---------------------------------------------------------------- errors and routes


@pytest.mark.parametrize(("payload", "status", "param", "phrase"), [
    (b"{not json", 400, None, "could not parse the JSON body"),
    ({"model": "gpt-4o"}, 400, "messages", "messages"),
    ({"messages": [{"role": "user", "content": "hi"}]}, 400, "model", "model"),
    (_request(tool_choice={"type": "function", "function": {"name": "nope"}}), 400, "tool_choice", "nope"),
    (_request(n=2), 400, "n", "n=1"),
    (_request(temperature=3), 400, "temperature", "temperature"),
    (_request(stream_options={"include_usage": True}), 400, "stream_options", "stream"),
    ({"model": "m", "messages": [{"role": "user", "content": "hi"}], "tool_choice": "required"}, 400,
     "tool_choice", "tools"),
    ({"model": "m", "messages": [{"role": "user", "content": "hi"},
                                 {"role": "tool", "tool_call_id": "call_x", "content": "{}"}]}, 400, None, "tool"),
    ({"model": "m", "messages": [{"role": "user", "content": "hi"},
                                 {"role": "assistant", "content": None, "tool_calls": [
                                     {"id": "call_1", "type": "function",
                                      "function": {"name": "f", "arguments": "{}"}}]}]}, 400, None, "call_1"),
    (_request(tools=[{"type": "function", "function": {"name": "bad name!"}}]), 400, "tools[0].function.name",
     "pattern"),
])
def test_bad_requests_are_openai_style_400s(server: OfflineServer, payload, status, param, phrase) -> None:
    got_status, headers, body = _post(server, payload)
    assert got_status == status
    assert headers["Content-Type"] == "application/json"
    error = json.loads(body)["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["type"] == "invalid_request_error"
    if param is not None:
        assert error["param"] == param
    assert phrase in error["message"]


def test_openai_client_raises_bad_request_for_unknown_forced_tool(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(**_request(tool_choice={"type": "function", "function": {"name": "nope"}}))
    assert "nope" in str(caught.value)


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/v1/nothing", 404), ("POST", "/v1/completions", 404), ("GET", "/", 404),
    ("GET", "/v1/chat/completions", 405), ("POST", "/v1/models", 405),
])
def test_unknown_paths_and_methods(server: OfflineServer, method: str, path: str, status: int) -> None:
    got, _headers, body = _raw(server, method, path, b"{}" if method == "POST" else None)
    assert got == status
    assert json.loads(body)["error"]["message"]


def test_models(client: openai.OpenAI) -> None:
    assert [m.id for m in client.models.list()] == ["offline-1"]
    assert client.models.retrieve("gpt-4o").id == "offline-gpt-4o"
    assert client.models.retrieve("offline-1").id == "offline-1"


def test_ensure_offline_server_is_one_per_process() -> None:
    urls: list[str] = []
    threads = [threading.Thread(target=lambda: urls.append(ensure_offline_server())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(urls)) == 1 and urls[0] == ensure_offline_server()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/v1", urls[0])
    with openai.OpenAI(base_url=urls[0], api_key="sk-test", max_retries=0) as client:
        assert client.models.list().data[0].id == "offline-1"


def test_slow_stream_still_delivers_everything() -> None:
    with OfflineServer(chunk_delay=0.001) as slow:
        _status, _headers, body = _post(slow, _request(stream=True))
    assert body.endswith(b"data: [DONE]\n\n")
    assert body.count(b"data: ") == len(stream(_request(stream=True))) + 1


# ---------------------------------------------------------------- process-level properties


_DETERMINISM_SCRIPT = """
import json, sys
from playground.core.offline import complete, stream
requests = json.loads(sys.stdin.read())
print(json.dumps([[complete(r), stream(dict(r, stream=True))] for r in requests], sort_keys=True))
"""


def test_answers_do_not_depend_on_the_hash_seed() -> None:
    import subprocess
    import sys

    requests = [_request(SEED), _request("Find flights from London to Lisbon and book a hotel there for 3 nights",
                                         tools=TRIP_TOOLS), _request("My name is Ada, search for 'red, blue' things")]
    outputs = []
    for seed in ("1", "2"):
        done = subprocess.run([sys.executable, "-c", _DETERMINISM_SCRIPT], input=json.dumps(requests),
                              capture_output=True, text=True, env={"PYTHONHASHSEED": seed}, check=True, timeout=60)
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]


def test_offline_modules_import_neither_ui_nor_openai() -> None:
    import subprocess
    import sys

    script = ("import sys, playground.core.offline, playground.core.loopback; "
              "print(sorted(m for m in ('textual', 'rich', 'openai', 'httpx2') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60)
    assert done.stdout.strip() == "[]"


def test_strict_tools_are_checked_like_openai_and_filled_completely() -> None:
    loose = {"type": "function", "function": {"name": "get_stock_price", "strict": True, "parameters": {
        "type": "object", "properties": {"ticker": {"type": "string"}}, "required": ["ticker"]}}}
    with pytest.raises(OfflineError, match="additionalProperties"):
        complete(_request("Stock price of ACME", tools=[loose]))
    strict = {"type": "function", "function": {"name": "get_stock_price", "strict": True, "parameters": {
        "type": "object", "additionalProperties": False, "required": ["ticker", "exchange"],
        "properties": {"ticker": {"type": "string"}, "exchange": {"type": ["string", "null"]}}}}}
    assert _calls(complete(_request("Stock price of ACME", tools=[strict]))) == [
        ("get_stock_price", {"ticker": "ACME", "exchange": None})]
