"""The engine over real loopback HTTP: the offline model, and crafted servers for every model fault
and network failure of DESIGN 4."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterator

import openai
import pytest

from playground.core import events as ev
from playground.core.engine import Engine, run_session
from playground.core.loopback import LoopbackServer, Request, Response
from playground.core.offline import OfflineServer
from playground.core.session import ForcedFunction, MockSpec, Session, Turn, load_session
from tests.conftest import FIXTURES

DEMO_TEXT = "What's the weather like in New York today? Also search for umbrellas"


@pytest.fixture(scope="module")
def offline() -> Iterator[OfflineServer]:
    with OfflineServer().start() as server:
        yield server


def factory(base_url: str, **options) -> Callable[[], openai.AsyncOpenAI]:
    options.setdefault("max_retries", 0)
    return lambda: openai.AsyncOpenAI(base_url=base_url, api_key="sk-test", **options)


def demo(**changes) -> Session:
    session = load_session(FIXTURES / "weather.yaml")
    for key, value in changes.items():
        setattr(session, key, value)
    return session


async def collect(agen) -> list:
    return [event async for event in agen]


@pytest.mark.parametrize("stream", [True, False])
async def test_seed_example_gives_two_parallel_calls_then_a_text_answer(offline, stream):
    transcript, events = await run_session(demo(stream=stream), client_factory=factory(offline.base_url))
    roles = [m["role"] for m in transcript.messages]
    assert roles == ["system", "user", "assistant", "tool", "tool", "assistant"]
    calls = transcript.messages[2]["tool_calls"]
    assert [(c["function"]["name"], json.loads(c["function"]["arguments"])) for c in calls] == [
        ("get_weather", {"city": "New York"}), ("search_products", {"query": "umbrellas"})]
    tool_messages = transcript.messages[3:5]
    assert [m["tool_call_id"] for m in tool_messages] == [c["id"] for c in calls]
    assert json.loads(tool_messages[0]["content"]) == {
        "city": "New York", "temperature": 22, "unit": "celsius", "condition": "Sunny"}
    assert json.loads(tool_messages[1]["content"]) == [
        {"name": "Umbrella A", "price": 99}, {"name": "Umbrella B", "price": 149}]
    final = transcript.messages[-1]["content"]
    assert "New York" in final and "Sunny" in final and "Umbrella A" in final
    assert transcript.steps == 2 and transcript.usage.total_tokens > 0
    assert not [e for e in events if isinstance(e, (ev.ErrorEvent, ev.Fault))]
    if stream:
        assert any(isinstance(e, ev.TextDelta) for e in events)
        assert sum(isinstance(e, ev.ToolCallDelta) for e in events) >= 4


async def test_streamed_and_non_streamed_runs_give_the_same_messages(offline):
    streamed, _ = await run_session(demo(stream=True), client_factory=factory(offline.base_url))
    plain, _ = await run_session(demo(stream=False), client_factory=factory(offline.base_url))
    assert streamed.messages == plain.messages


async def test_every_fixture_runs_to_a_text_answer(offline):
    for path in sorted(FIXTURES.glob("*.yaml")):
        transcript, events = await run_session(load_session(path), client_factory=factory(offline.base_url))
        finished = [e for e in events if isinstance(e, ev.TurnFinished)]
        assert len(finished) == len(load_session(path).turns), path.name
        assert all(f.reason == "stop" for f in finished), path.name
        assert transcript.messages[-1]["role"] == "assistant" and transcript.messages[-1]["content"], path.name


async def test_manual_mode_pauses_with_the_mock_prefilled_and_keeps_hand_results(offline):
    session = demo()
    engine = Engine(session, client_factory=factory(offline.base_url), mode="manual")
    seen = []
    async for event in engine.run_all():
        seen.append(event)
        if isinstance(event, ev.ToolCallsRequested):
            assert event.manual and engine.waiting_for_results
            proposed = {c.name: c.proposed for c in event.calls}
            assert json.loads(proposed["get_weather"].content)["temperature"] == 22
            weather_id = next(c.call_id for c in event.calls if c.name == "get_weather")
            engine.submit_results({c.call_id: c.proposed.content for c in event.calls}
                                  | {weather_id: '{"city": "New York", "temperature": -5, "condition": "Snow"}'})
    await engine.aclose()
    results = [e for e in seen if isinstance(e, ev.ToolResult)]
    assert [r.output.source for r in results] == ["hand", "hand"]
    assert session.turns[0].results[weather_id] == '{"city": "New York", "temperature": -5, "condition": "Snow"}'
    assert "Snow" in engine.messages[-1]["content"]

    # Replayed in auto mode, the hand-written results are used again: the same requests go out.
    transcript, _ = await run_session(session, client_factory=factory(offline.base_url))
    assert transcript.messages == engine.transcript().messages


async def test_hand_results_no_call_of_the_run_answers_are_reported_not_dropped_silently(offline):
    first, _ = await run_session(demo(), client_factory=factory(offline.base_url))
    weather_id = first.messages[2]["tool_calls"][0]["id"]
    session = demo()
    session.turns[0].results = {weather_id: '{"temperature": -5}', "call_from_an_old_recording": '{"x": 1}'}
    transcript, events = await run_session(session, client_factory=factory(offline.base_url))
    assert transcript.messages[3] == {"role": "tool", "tool_call_id": weather_id, "content": '{"temperature": -5}'}
    unused = [e for e in events if isinstance(e, ev.UnusedResults)]
    assert unused == [ev.UnusedResults(0, ("call_from_an_old_recording",))]
    assert unused[0].message.startswith("turn 1: hand-written result for call_from_an_old_recording went unused")
    assert isinstance(events[-1], ev.TurnFinished) and events.index(unused[0]) == len(events) - 2

    session.turns[0].results = {weather_id: '{"temperature": -5}'}
    _, events = await run_session(session, client_factory=factory(offline.base_url))
    assert not [e for e in events if isinstance(e, ev.UnusedResults)]


async def test_tool_choice_none_answers_in_text(offline):
    transcript, _ = await run_session(demo(tool_choice="none"), client_factory=factory(offline.base_url))
    assert [m["role"] for m in transcript.messages] == ["system", "user", "assistant"]


async def test_forced_function_is_used(offline):
    session = demo(tool_choice=ForcedFunction(function="search_products"))
    session.turns = [Turn(user="What's the weather in Paris?")]
    transcript, _ = await run_session(session, client_factory=factory(offline.base_url))
    assert [c["name"] for c in transcript.tool_calls()] == ["search_products"]


async def test_parallel_off_gives_one_call_per_step(offline):
    transcript, _ = await run_session(demo(parallel_tool_calls=False), client_factory=factory(offline.base_url))
    assistant_calls = [len(m.get("tool_calls") or []) for m in transcript.messages if m["role"] == "assistant"]
    assert all(n <= 1 for n in assistant_calls) and sum(assistant_calls) >= 1


# -- crafted servers ---------------------------------------------------------------------------

class Crafted:
    """A loopback server that answers with the next of a list of handlers, recording requests."""

    def __init__(self, *answers: Callable[[Request], Response]):
        self.answers = list(answers)
        self.requests: list[dict] = []
        self.server = LoopbackServer(self._handle)

    def _handle(self, request: Request) -> Response:
        self.requests.append(request.json())
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return answer(request)

    def __enter__(self) -> "Crafted":
        self.server.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.stop()


def sse(*chunks: dict) -> Callable[[Request], Response]:
    body = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
    return lambda request: Response(200, {"content-type": "text/event-stream"}, body.encode())


def completion(message: dict, finish: str = "stop") -> Callable[[Request], Response]:
    body = {"id": "x", "object": "chat.completion", "created": 1, "model": "m",
            "choices": [{"index": 0, "message": {"role": "assistant", **message}, "finish_reason": finish}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
    return lambda request: Response(200, {"content-type": "application/json"}, json.dumps(body).encode())


def chunk(delta: dict, finish: str | None = None) -> dict:
    return {"id": "x", "object": "chat.completion.chunk", "created": 1, "model": "m",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


def call(call_id: str, name: str, arguments: str) -> dict:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


TEXT = completion({"content": "done"})


async def run_crafted(server: Crafted, session: Session | None = None) -> tuple:
    session = session or demo(stream=False)
    return await run_session(session, client_factory=factory(server.server.base_url))


async def test_request_passes_tool_choice_and_parallel_through_as_set():
    with Crafted(TEXT) as server:
        session = demo(stream=True, tool_choice=ForcedFunction(function="get_weather"), parallel_tool_calls=False,
                       temperature=0.2, seed=7)
        session.stream = False
        await run_crafted(server, session)
    sent = server.requests[0]
    assert sent["tool_choice"] == {"type": "function", "function": {"name": "get_weather"}}
    assert sent["parallel_tool_calls"] is False and sent["temperature"] == 0.2 and sent["seed"] == 7
    assert sent["messages"][0] == {"role": "system", "content": "You are a helpful assistant."}
    assert [t["function"]["name"] for t in sent["tools"]] == ["get_weather", "search_products"]


async def test_arguments_that_are_not_json_are_a_fault_with_an_editable_error_result():
    with Crafted(completion({"content": None, "tool_calls": [call("c1", "get_weather", '{"city": "Par')]},
                            "tool_calls"), TEXT) as server:
        transcript, events = await run_crafted(server)
    faults = [e for e in events if isinstance(e, ev.Fault)]
    assert [f.kind for f in faults] == ["arguments_not_json"]
    tool_message = transcript.messages[3]
    assert tool_message["tool_call_id"] == "c1" and "not valid JSON" in json.loads(tool_message["content"])["error"]
    assert transcript.messages[-1]["content"] == "done"


async def test_arguments_against_the_schema_and_unknown_tools_are_faults():
    answer = completion({"content": None, "tool_calls": [
        call("c1", "get_weather", '{"unit": "kelvin"}'), call("c2", "launch_rockets", "{}")]}, "tool_calls")
    with Crafted(answer, TEXT) as server:
        transcript, events = await run_crafted(server)
    faults = {f.call_id: f for f in events if isinstance(f, ev.Fault)}
    assert faults["c1"].kind == "arguments_invalid" and "city" in faults["c1"].message
    assert "kelvin" in faults["c1"].message
    assert faults["c2"].kind == "unknown_tool"
    pending = next(e for e in events if isinstance(e, ev.ToolCallsRequested)).calls
    assert pending[0].problems and pending[0].proposed.is_error
    assert [m["tool_call_id"] for m in transcript.messages if m["role"] == "tool"] == ["c1", "c2"]


async def test_gemini_style_stream_without_index_and_finish_stop_with_calls():
    stream = sse(
        chunk({"role": "assistant", "content": ""}),
        chunk({"tool_calls": [call("g1", "get_weather", '{"city": "Rome"}')]}),
        chunk({"tool_calls": [call("g2", "search_products", '{"query": "hats"}')]}),
        chunk({}, "stop"),
    )
    with Crafted(stream, TEXT) as server:
        session = demo(stream=True)
        server.answers[1] = sse(chunk({"role": "assistant", "content": "done"}), chunk({}, "stop"))
        transcript, events = await run_crafted(server, session)
    assert {f.kind for f in events if isinstance(f, ev.Fault)} == {"missing_index", "stop_with_tool_calls"}
    assert [c["name"] for c in transcript.tool_calls()] == ["get_weather", "search_products"]
    assert [m.get("tool_call_id") for m in transcript.messages if m["role"] == "tool"] == ["g1", "g2"]
    assert json.loads(transcript.messages[3]["content"])["city"] == "Rome"
    assert transcript.messages[-1]["content"] == "done"


async def test_http_500_ends_the_step_with_an_error_and_the_session_intact():
    error = {"error": {"message": "upstream exploded", "type": "server_error"}}
    with Crafted(lambda r: Response(500, {"content-type": "application/json"}, json.dumps(error).encode())) as server:
        session = demo(stream=False)
        engine = Engine(session, client_factory=factory(server.server.base_url))
        events = await collect(engine.run_all())
        await engine.aclose()
    errors = [e for e in events if isinstance(e, ev.ErrorEvent)]
    assert len(errors) == 1 and errors[0].status == 500 and "upstream exploded" in errors[0].message
    assert engine.messages == [{"role": "user", "content": DEMO_TEXT}] and engine.steps == 0
    assert len(session.turns) == 1


async def test_network_error_then_resume_retries_the_step(offline):
    with LoopbackServer(lambda r: Response()).start() as closed:
        dead_url = closed.base_url
    session = demo()
    urls = [dead_url, offline.base_url]
    engine = Engine(session, client_factory=lambda: factory(urls[0])())
    events = await collect(engine.send("What's the weather in Oslo?"))
    assert [e.kind for e in events if isinstance(e, ev.ErrorEvent)] == ["network"]
    assert engine.messages == [{"role": "user", "content": "What's the weather in Oslo?"}]
    urls.pop(0)
    await engine.aclose()
    events = await collect(engine.resume())
    await engine.aclose()
    assert isinstance(events[-1], ev.TurnFinished) and "Oslo" in engine.messages[-1]["content"]


async def test_a_network_error_names_the_base_url_without_its_secrets():
    with LoopbackServer(lambda r: Response()).start() as closed:
        port = closed.port
    engine = Engine(demo(), client_factory=factory(f"http://user:sk-secret@127.0.0.1:{port}/v1/?key=sk-query"))
    events = await collect(engine.run_all())
    await engine.aclose()
    [error] = [e for e in events if isinstance(e, ev.ErrorEvent)]
    assert error.message == (f"cannot reach the provider at http://127.0.0.1:{port}/v1: "
                             "All connection attempts failed — is the server running?")


async def test_timeout_is_an_error_event():
    release = threading.Event()

    def slow(request: Request) -> Response:
        release.wait(5)
        return TEXT(request)

    with Crafted(slow) as server:
        engine = Engine(demo(stream=False), client_factory=factory(server.server.base_url, timeout=0.3))
        events = await collect(engine.run_all())
        release.set()
        await engine.aclose()
    assert [e.kind for e in events if isinstance(e, ev.ErrorEvent)] == ["timeout"]


async def test_max_steps_stops_a_model_that_never_stops_calling():
    looping = completion({"content": None, "tool_calls": [call("c", "get_weather", '{"city": "X"}')]}, "tool_calls")
    with Crafted(looping) as server:
        transcript, events = await run_crafted(server, demo(stream=False, max_steps=3))
    assert len(server.requests) == 3 and transcript.steps == 3
    assert [e.kind for e in events if isinstance(e, ev.ErrorEvent)] == ["max_steps"]
    assert isinstance(events[-1], ev.TurnFinished) and events[-1].reason == "max_steps"


async def test_cancelling_a_stream_leaves_the_conversation_as_before_the_step():
    gate = threading.Event()

    def endless(request: Request) -> Response:
        def body():
            yield f"data: {json.dumps(chunk({'role': 'assistant', 'content': 'partial'}))}\n\n".encode()
            gate.wait(5)
        return Response(200, {"content-type": "text/event-stream"}, body())

    with Crafted(endless) as server:
        engine = Engine(demo(stream=True), client_factory=factory(server.server.base_url))
        seen: list = []

        async def consume():
            async for event in engine.run_all():
                seen.append(event)

        task = asyncio.create_task(consume())
        while not any(isinstance(e, ev.TextDelta) for e in seen):
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        gate.set()
        await engine.aclose()
    assert engine.messages == [{"role": "user", "content": DEMO_TEXT}] and engine.steps == 0


async def test_truncate_drops_a_turn_and_what_follows(offline):
    session = load_session(FIXTURES / "trip_planner.yaml")
    engine = Engine(session, client_factory=factory(offline.base_url))
    await collect(engine.run_all())
    assert engine.steps == 4  # two turns of a call and an answer
    first_turn_messages = engine.messages[: engine.turn_starts[1]]
    engine.truncate(1)
    assert engine.messages == first_turn_messages and len(session.turns) == 1
    assert engine.steps == 2 and engine.transcript().steps == 2
    events = await collect(engine.send("Book a hotel in Porto for 2 nights"))
    await engine.aclose()
    assert isinstance(events[-1], ev.TurnFinished) and events[-1].steps == 4
    assert [e.step for e in events if isinstance(e, ev.StepStarted)] == [3, 4]
    assert any(c["arguments"] == {"city": "Porto", "nights": 2} for c in engine.transcript().tool_calls())


async def test_a_slow_python_mock_does_not_block_the_event_loop_and_can_be_cancelled(offline, tmp_path):
    (tmp_path / "slow.py").write_text("import time\n\ndef f(**kw):\n    time.sleep(0.5)\n    return {'ok': True}\n")
    session = demo()
    session.path = tmp_path / "s.yaml"
    session.mocks = {"get_weather": MockSpec(python="slow:f"), "search_products": MockSpec(python="slow:f")}
    engine = Engine(session, client_factory=factory(offline.base_url))
    ticks = 0

    async def ticker():
        nonlocal ticks
        while True:
            await asyncio.sleep(0.02)
            ticks += 1

    tick_task = asyncio.create_task(ticker())
    events = await collect(engine.run_all())
    assert isinstance(events[-1], ev.TurnFinished) and ticks >= 20  # the loop ran during 1 s of mocks

    run = asyncio.create_task(collect(engine.send("What's the weather in Rome?")))
    await asyncio.sleep(0.3)  # inside the slow mock
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    tick_task.cancel()
    await engine.aclose()
    assert engine.messages[-1] == {"role": "user", "content": "What's the weather in Rome?"}


@pytest.mark.parametrize("stream", [True, False])
async def test_an_empty_response_is_an_error_not_an_answer(stream):
    empty_stream = lambda r: Response(200, {"content-type": "text/event-stream"}, b"data: [DONE]\n\n")  # noqa: E731
    empty_body = completion({"content": "x"})
    with Crafted(empty_stream if stream else empty_body) as server:
        if not stream:
            body = json.dumps({"id": "x", "object": "chat.completion", "created": 1, "model": "m", "choices": []})
            server.answers[0] = lambda r: Response(200, {"content-type": "application/json"}, body.encode())
        transcript, events = await run_crafted(server, demo(stream=stream))
    assert [e.kind for e in events if isinstance(e, ev.ErrorEvent)] == ["protocol"]
    assert transcript.steps == 0 and transcript.messages[-1]["role"] == "user"


async def test_cancel_while_waiting_for_results_undoes_the_whole_step(offline):
    session = demo(max_steps=2)
    session.mocks["get_weather"] = MockSpec(sequence=[{"n": 1}, {"n": 2}])
    engine = Engine(session, client_factory=factory(offline.base_url), mode="manual")

    async def consume():  # the user never answers: the engine waits inside the step
        async for _ in engine.run_all():
            pass

    task = asyncio.create_task(consume())
    while not engine.waiting_for_results:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert (engine.steps, engine.usage.total_tokens, len(engine.messages)) == (0, 0, 1)

    engine.mode = "auto"
    events = await collect(engine.resume())
    await engine.aclose()
    assert [e.step for e in events if isinstance(e, ev.StepStarted)] == [1, 2]
    weather = next(e for e in events if isinstance(e, ev.ToolResult) and e.name == "get_weather")
    assert weather.output.content == '{"n": 1}'
    assert isinstance(events[-1], ev.TurnFinished) and events[-1].reason == "stop"
