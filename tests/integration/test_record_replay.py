"""Recording sessions with the offline model and replaying them through the engine: identical
transcripts without any server, deterministic bytes, record modes, mismatch messages, bad cassettes,
indexed replay, live streaming while recording, hand-written results, and plain vcrpy cassettes."""

from __future__ import annotations

import gzip
import json
import socket
import time
from contextlib import contextmanager
from pathlib import Path

import openai
import pytest
import vcr
import yaml

import playground.core.offline as offline_package
from playground.core import events as ev
from playground.core.engine import Engine, run_session
from playground.core.loopback import LoopbackServer, Request, Response, json_response
from playground.core.offline import OfflineServer
from playground.core.session import (
    InputError,
    Session,
    Turn,
    load_session,
    save_session,
)
from playground.recording import (
    RECORD_MODES,
    CassetteError,
    Recorder,
    ReplayMismatch,
    default_cassette_path,
    use_cassette,
)
from playground.recording import player as player_module
from playground.recording.cassette import (
    Interaction,
    RecordedRequest,
    RecordedResponse,
    save_cassette,
)
from tests.conftest import FIXTURES, ROOT

FIXTURE_FILES = sorted(p for p in FIXTURES.glob("*.yaml") if not p.name.endswith(".autosave.yaml"))


async def record(session: Session, cassette: Path, mode: str = "once"):
    with Recorder(session, mode=mode, cassette=cassette) as recorder:
        return await run_session(session, client_factory=recorder.client_factory())


async def replay(session: Session, cassette: Path | None = None):
    with Recorder(session, mode="none", cassette=cassette) as recorder:
        return await run_session(session, client_factory=recorder.client_factory())


def forbid_network(patch: pytest.MonkeyPatch) -> None:
    """Replay must not start the offline model, any server, or open any connection."""
    patch.setattr(offline_package, "ensure_offline_server", _refuse)
    patch.setattr(LoopbackServer, "start", _refuse)
    patch.setattr(socket.socket, "connect", _refuse)
    patch.setattr(socket.socket, "connect_ex", _refuse)
    patch.setattr(socket, "create_connection", _refuse)


def _refuse(*args, **kwargs):
    raise AssertionError("the network was used")


@contextmanager
def network_forbidden():
    with pytest.MonkeyPatch.context() as patch:
        forbid_network(patch)
        yield


@pytest.fixture
def no_network(monkeypatch):
    """Call it to forbid the network for the rest of the test."""
    return lambda: forbid_network(monkeypatch)


def errors(events) -> list[ev.ErrorEvent]:
    return [e for e in events if isinstance(e, ev.ErrorEvent)]


# -- record, replay, determinism ----------------------------------------------------------------


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.stem)
async def test_a_recorded_fixture_replays_to_the_identical_transcript_without_any_server(path, tmp_path, no_network):
    cassette = tmp_path / f"{path.stem}.yaml"
    recorded, recorded_events = await record(load_session(path), cassette)
    assert cassette.is_file() and not errors(recorded_events)
    no_network()
    replayed, replayed_events = await replay(load_session(path), cassette)
    assert not errors(replayed_events)
    assert replayed.to_dict() == recorded.to_dict()
    assert [type(e) for e in replayed_events] == [type(e) for e in recorded_events]


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.stem)
async def test_recording_twice_gives_the_same_bytes(path, tmp_path):
    first, second = tmp_path / "first.yaml", tmp_path / "second.yaml"
    await record(load_session(path), first)
    await record(load_session(path), second)
    assert first.read_bytes() == second.read_bytes()


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.stem)
async def test_the_committed_cassettes_replay(path, no_network):
    session = load_session(path)
    assert default_cassette_path(session) == ROOT / "cassettes" / f"{path.stem}.yaml"
    no_network()
    transcript, events = await replay(session)
    assert not errors(events)
    assert len([e for e in events if isinstance(e, ev.TurnFinished)]) == len(session.turns)
    assert transcript.final_text


def test_cassettes_are_readable_and_load_with_plain_vcrpy():
    from vcr.persisters.filesystem import FilesystemPersister
    from vcr.serializers import yamlserializer

    text = (ROOT / "cassettes" / "weather.yaml").read_text()
    requests, responses = FilesystemPersister.load_cassette(ROOT / "cassettes" / "weather.yaml", yamlserializer)
    assert len(requests) == len(responses) == 2
    assert "!!binary" not in text and "gzip" not in text and "!!python" not in text
    body = yaml.safe_load(text)["interactions"][0]["response"]["body"]["string"]
    assert body.count("data: ") == body.count("\n\ndata: ") + 1  # one `data:` line per event
    assert "      string: |+\n        data: {" in text  # a YAML literal block
    assert '"description": "Get the current weather in a given city"' in text  # JSON request decoded


def test_plain_vcrpy_can_replay_our_cassettes():
    session = load_session(FIXTURES / "weather.yaml")
    from playground.export import export_session

    request = json.loads(export_session(session, "json"))
    with vcr.use_cassette(str(ROOT / "cassettes" / "weather.yaml"), record_mode="none",
                          match_on=("method", "path", "body")):
        client = openai.OpenAI(base_url="http://127.0.0.1:9/v1", api_key="sk-none", max_retries=0)
        names = [d.function.name for chunk in client.chat.completions.create(**request) if chunk.choices
                 for d in chunk.choices[0].delta.tool_calls or [] if d.function.name]
    assert names == ["get_weather", "search_products"]


# -- record modes -------------------------------------------------------------------------------


async def test_record_modes(tmp_path, no_network):
    session_file = tmp_path / "weather.yaml"
    session_file.write_text((FIXTURES / "weather.yaml").read_text())
    (tmp_path / "weather_mocks.py").write_text((FIXTURES / "weather_mocks.py").read_text())
    (tmp_path / "cassettes").mkdir()
    cassette = tmp_path / "cassettes" / "weather.yaml"
    assert default_cassette_path(load_session(session_file)) == cassette
    assert RECORD_MODES == ("none", "once", "new_episodes", "all")

    # none never writes, not even a missing cassette
    with pytest.raises(CassetteError, match="no such cassette"):
        Recorder(load_session(session_file), mode="none")
    assert not cassette.exists()

    # once records a missing cassette ...
    recorder = Recorder(load_session(session_file), mode="once")
    assert recorder.label == f"recording to {cassette} (once)"
    await record(load_session(session_file), cassette, "once")
    original = cassette.read_bytes()
    assert original.count(b"- request:") == 2

    # ... and afterwards only replays: the file is not rewritten
    cassette.write_bytes(original + b"# touched\n")
    recorder = Recorder(load_session(session_file), mode="once")
    assert recorder.replaying and recorder.label == f"replaying from {cassette}"
    with network_forbidden():
        transcript, events = await record(load_session(session_file), cassette, "once")
    assert not errors(events) and cassette.read_bytes() == original + b"# touched\n"

    # all rewrites
    await record(load_session(session_file), cassette, "all")
    assert cassette.read_bytes() == original

    # new_episodes replays what is there and appends a new turn's requests
    session = load_session(session_file)
    session.turns.append(Turn(user="What's the weather like in Paris?"))
    save_session(session)
    transcript, events = await record(load_session(session_file), cassette, "new_episodes")
    assert not errors(events) and transcript.messages[-1]["role"] == "assistant"
    grown = cassette.read_bytes()
    assert grown.startswith(original.removesuffix(b"version: 1\n")) and grown.count(b"- request:") == 4
    no_network()
    replayed, events = await replay(load_session(session_file))
    assert not errors(events) and replayed.to_dict() == transcript.to_dict()


def test_an_unknown_record_mode_is_refused(tmp_path):
    with pytest.raises(ValueError, match="sometimes"):
        Recorder(Session(name="x"), mode="sometimes", cassette=tmp_path / "x.yaml")


# -- mismatches and bad cassettes ---------------------------------------------------------------


async def test_a_changed_tool_description_is_a_mismatch_naming_session_interaction_and_path(no_network):
    session = load_session(FIXTURES / "weather.yaml")
    session.tools[0]["function"]["description"] = "Get the weather"
    no_network()
    transcript, events = await replay(session)
    [error] = errors(events)
    assert error.kind == "replay"
    assert error.message == (
        "replay mismatch in session 'weather': request 1 (POST /v1/chat/completions) does not match "
        "interaction 1 of cassettes/weather.yaml: tools[0].function.description is "
        '"Get the current weather in a given city" in the cassette but "Get the weather" now')
    assert error.details["path"] == "tools[0].function.description"
    assert error.details["interaction"] == 1 and error.details["session"] == "weather"
    assert transcript.steps == 0


async def test_a_mismatch_later_in_the_session_names_that_interaction(no_network):
    session = load_session(FIXTURES / "trip_planner.yaml")
    session.turns[1].user = "Book a hotel in Porto for 3 nights"
    no_network()
    _, events = await replay(session)
    [error] = errors(events)
    assert "request 3 (POST /v1/chat/completions) does not match interaction 3" in error.message
    assert 'messages[5].content is "Book a hotel in Lisbon for 3 nights" in the cassette but ' \
           '"Book a hotel in Porto for 3 nights" now' in error.message


def test_replay_mismatch_is_what_the_client_raises(tmp_path):
    with use_cassette(ROOT / "cassettes" / "weather.yaml"):
        client = openai.OpenAI(base_url="http://127.0.0.1:9/v1", api_key="sk-none", max_retries=2)
        with pytest.raises(ReplayMismatch) as raised:
            client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
    assert raised.value.details["path"] == "messages[0].role"
    assert raised.value.user_message.endswith('messages[0].role is "system" in the cassette but "user" now')
    assert raised.value.user_message.startswith("replay mismatch in session 'weather': request 1 ")


@pytest.mark.parametrize("content, message", [
    ("interactions: [\n", "not valid YAML"),
    ("just text\n", "not a vcrpy cassette"),
    ("", "the cassette is empty"),
    ("interactions:\n- request: {method: POST}\n", "interaction 1 is malformed"),
    (b"\xff\xfe", "not UTF-8"),
])
@pytest.mark.parametrize("mode", ["none", "once", "new_episodes"])
def test_a_corrupt_cassette_is_a_cassette_error_and_is_not_overwritten(tmp_path, content, message, mode):
    cassette = tmp_path / "cassettes" / "weather.yaml"
    cassette.parent.mkdir()
    raw = content if isinstance(content, bytes) else content.encode()
    cassette.write_bytes(raw)
    with pytest.raises(CassetteError) as raised:
        Recorder(load_session(FIXTURES / "weather.yaml"), mode=mode, cassette=cassette)
    assert message in str(raised.value) and str(cassette.name) in str(raised.value)
    assert "\n" not in str(raised.value)
    assert cassette.read_bytes() == raw and len(list(cassette.parent.iterdir())) == 1


def test_a_missing_cassette_is_not_created_on_replay(tmp_path):
    with pytest.raises(CassetteError) as raised:
        Recorder(load_session(FIXTURES / "weather.yaml"), mode="none", cassette=tmp_path / "absent.yaml")
    assert "absent.yaml" in str(raised.value) and "no such cassette" in str(raised.value)
    assert isinstance(raised.value, InputError)
    assert not (tmp_path / "absent.yaml").exists()


# -- indexed replay -----------------------------------------------------------------------------


def synthetic_cassette(path: Path, count: int) -> None:
    interactions = []
    for index in range(count):
        body = json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": f"question {index}"}]})
        answer = {"id": f"c{index}", "object": "chat.completion", "created": 1, "model": "gpt-4o",
                  "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                               "message": {"role": "assistant", "content": f"answer {index}", "refusal": None}}]}
        interactions.append(Interaction(
            RecordedRequest("POST", "http://127.0.0.1/v1/chat/completions", {}, body.encode()),
            RecordedResponse(200, "OK", {"content-type": ["application/json"]}, json.dumps(answer).encode())))
    save_cassette(path, interactions, set())


def test_replay_finds_each_request_by_its_key_not_by_scanning(tmp_path, monkeypatch):
    path = tmp_path / "thousand.yaml"
    synthetic_cassette(path, 1000)
    keys = []
    real_key = player_module.request_key
    monkeypatch.setattr(player_module, "request_key", lambda request: keys.append(1) or real_key(request))
    monkeypatch.setattr(player_module, "first_difference", _refuse)
    with use_cassette(path):
        client = openai.OpenAI(base_url="http://127.0.0.1:9/v1", api_key="sk-none", max_retries=0)
        for index in reversed(range(1000)):  # any order: no request scans the others
            answer = client.chat.completions.create(model="gpt-4o", messages=[
                {"role": "user", "content": f"question {index}"}])
            assert answer.choices[0].message.content == f"answer {index}"
    assert len(keys) == 2000  # one per interaction to build the index, one per request


def test_repeated_identical_requests_get_their_answers_in_recorded_order(tmp_path):
    path = tmp_path / "repeat.yaml"
    request = RecordedRequest("POST", "http://127.0.0.1/v1/chat/completions", {}, b'{"model": "m", "messages": []}')
    answers = [RecordedResponse(200, "OK", {"content-type": ["application/json"]}, json.dumps(
        {"id": f"c{i}", "object": "chat.completion", "created": 1, "model": "m", "choices": []}).encode())
        for i in range(3)]
    save_cassette(path, [Interaction(request, answer) for answer in answers], set())
    with use_cassette(path):
        client = openai.OpenAI(base_url="http://127.0.0.1:9/v1", api_key="sk-none", max_retries=0)
        ids = [client.chat.completions.create(model="m", messages=[]).id for _ in range(3)]
        assert ids == ["c0", "c1", "c2"]
        with pytest.raises(ReplayMismatch, match="repeats interaction 1 .* played already"):
            client.chat.completions.create(messages=[], model="m")


# -- live streaming while recording -------------------------------------------------------------


async def test_recording_keeps_the_stream_live(tmp_path, monkeypatch):
    delay = 0.2
    with OfflineServer(chunk_delay=delay) as slow:
        monkeypatch.setattr(offline_package, "ensure_offline_server", lambda: slow.base_url)
        session = load_session(FIXTURES / "weather.yaml")
        session.turns[0].user = "What's the weather like in Paris?"
        recorder = Recorder(session, mode="once", cassette=tmp_path / "slow.yaml")
        engine = Engine(session, client_factory=recorder.client_factory())
        started = time.perf_counter()
        stamps: list[tuple[float, object]] = []
        async for event in engine.run_all():
            stamps.append((time.perf_counter() - started, event))
            if isinstance(event, ev.AssistantMessage):
                break
        await engine.aclose()
    first_delta = next(t for t, e in stamps if isinstance(e, (ev.TextDelta, ev.ToolCallDelta)))
    message_at = next(t for t, e in stamps if isinstance(e, ev.AssistantMessage))
    deltas = sum(isinstance(e, (ev.TextDelta, ev.ToolCallDelta)) for _, e in stamps)
    assert deltas >= 3
    # the stream takes (chunks x delay); the first delta arrives chunks before its end
    assert message_at - first_delta >= (deltas - 1) * delay * 0.5
    assert recorder.save() is not None and "Paris" in (tmp_path / "slow.yaml").read_text()


# -- hand-written results, retries, plain vcrpy cassettes -----------------------------------------


async def test_hand_written_results_replay_with_byte_identical_requests(tmp_path, monkeypatch, no_network):
    session_file = tmp_path / "weather.yaml"
    session_file.write_text((FIXTURES / "weather.yaml").read_text())
    (tmp_path / "weather_mocks.py").write_text((FIXTURES / "weather_mocks.py").read_text())
    sent: list[bytes] = []
    real_request_from = player_module.CassettePlayer.request_from

    def spy(self, method, uri, headers, body):
        sent.append(body)
        return real_request_from(self, method, uri, headers, body)

    monkeypatch.setattr(player_module.CassettePlayer, "request_from", spy)
    session = load_session(session_file)
    cassette = tmp_path / "cassettes" / "weather.yaml"
    with Recorder(session, mode="once", cassette=cassette) as recorder:
        engine = Engine(session, client_factory=recorder.client_factory(), mode="manual")
        async for event in engine.run_all():
            if isinstance(event, ev.ToolCallsRequested):
                engine.submit_results({call.call_id: json.dumps({"hand": call.name, "note": "édité à la main"})
                                       for call in event.calls})
        await engine.aclose()
        recorded = engine.transcript()
    save_session(session)
    assert all(turn.results for turn in load_session(session_file).turns)
    recorded_bodies, sent[:] = list(sent), []
    no_network()
    replayed, events = await replay(load_session(session_file), cassette)
    assert not errors(events) and replayed.to_dict() == recorded.to_dict()
    assert sent == recorded_bodies and len(sent) == 2
    assert "édité à la main" in replayed.final_text or "hand" in json.dumps(replayed.messages)


def failing_then_answering():
    calls = []

    def handle(request: Request) -> Response:
        calls.append(request)
        if len(calls) == 1:
            return json_response({"error": {"message": "overloaded", "type": "server_error", "param": None,
                                            "code": None}}, status=503)
        return json_response({"id": "c1", "object": "chat.completion", "created": 1, "model": "gpt-4o",
                              "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None, "message": {
                                  "role": "assistant", "content": "Recovered.", "refusal": None}}]})
    return handle, calls


async def test_a_recorded_5xx_and_its_retry_replay_without_real_back_off(tmp_path, monkeypatch, no_network):
    handle, calls = failing_then_answering()
    with LoopbackServer(handle) as provider:
        session = Session(name="retry", provider=provider.base_url, stream=False, turns=[Turn(user="hi")])
        session.path = tmp_path / "retry.yaml"
        monkeypatch.setattr(openai.AsyncOpenAI, "_calculate_retry_timeout", lambda *a, **k: 0.01)
        recorded, _ = await record(session, tmp_path / "retry_cassette.yaml")
        monkeypatch.undo()
    assert len(calls) == 2 and recorded.final_text == "Recovered."
    assert (tmp_path / "retry_cassette.yaml").read_text().count("code: 503") == 1
    waits: list[float] = []
    real = openai.AsyncOpenAI._calculate_retry_timeout
    monkeypatch.setattr(openai.AsyncOpenAI, "_calculate_retry_timeout",
                        lambda *a, **k: waits.append(real(*a, **k)) or waits[-1])
    no_network()
    replayed, events = await replay(session, tmp_path / "retry_cassette.yaml")
    assert replayed.to_dict() == recorded.to_dict() and not errors(events)
    assert waits and max(waits) <= 0.01


def gzip_provider(stream: bool):
    def handle(request: Request) -> Response:
        if stream:
            base = {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o"}
            events = [{**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": word},
                                            "finish_reason": None}]} for word in ("Zipped", " hello")]
            events.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
            body = b"".join(b"data: " + json.dumps(e).encode() + b"\n\n" for e in events) + b"data: [DONE]\n\n"
            content_type = "text/event-stream"
        else:
            body = json.dumps({"id": "c1", "object": "chat.completion", "created": 1, "model": "gpt-4o",
                               "choices": [{"index": 0, "finish_reason": "stop", "message": {
                                   "role": "assistant", "content": "Zipped hello"}}]}).encode()
            content_type = "application/json"
        return Response(200, {"Content-Type": content_type, "Content-Encoding": "gzip",
                              "Date": "Mon, 24 Nov 2025 13:00:00 GMT"}, gzip.compress(body))
    return handle


@pytest.mark.parametrize("stream", [False, True])
async def test_a_plain_vcrpy_cassette_with_gzip_and_base64_bodies_replays(tmp_path, stream, no_network, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_API_KEY", "sk-plain-vcrpy-000000")
    cassette = tmp_path / "plain.yaml"
    with LoopbackServer(gzip_provider(stream)) as provider:
        session = Session(name="plain", provider=provider.base_url, stream=stream, turns=[Turn(user="hi")])
        session.path = tmp_path / "plain_session.yaml"
        with vcr.use_cassette(str(cassette)):  # vcrpy's defaults: gzip kept, stored as base64 !!binary
            recorded, _ = await run_session(session)
    text = cassette.read_text()
    assert "!!binary" in text and "gzip" in text
    no_network()
    replayed, events = await replay(session, cassette)
    assert not errors(events)
    assert replayed.to_dict() == recorded.to_dict() and replayed.final_text == "Zipped hello"


def test_labels_and_default_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    weather = load_session(FIXTURES / "weather.yaml")
    assert default_cassette_path(weather) == ROOT / "cassettes" / "weather.yaml"
    assert Recorder(weather).label == "replaying from cassettes/weather.yaml"
    assert Recorder(weather, mode="all").label == "recording to cassettes/weather.yaml (all)"
    weather.cassette = "../cassettes/other.yaml"
    assert default_cassette_path(weather) == FIXTURES / "../cassettes/other.yaml"
    lone = Session(name="lone")
    lone.path = tmp_path / "deep" / "lone.yaml"
    assert default_cassette_path(lone) == tmp_path / "deep" / "cassettes" / "lone.yaml"
    (tmp_path / "pyproject.toml").write_text("")
    assert default_cassette_path(lone) == tmp_path / "cassettes" / "lone.yaml"


def test_the_context_manager_saves_on_success_only(tmp_path):
    session = Session(name="x")
    session.path = tmp_path / "x.yaml"
    with pytest.raises(RuntimeError):
        with Recorder(session, mode="once") as recorder:
            recorder.player.add(RecordedRequest("POST", "http://h/v1/chat/completions", {}, b"{}"),
                                RecordedResponse(200, "OK", {}, b"{}"))
            raise RuntimeError("boom")
    assert not (tmp_path / "cassettes" / "x.yaml").exists()
    with Recorder(session, mode="once") as recorder:
        recorder.player.add(RecordedRequest("POST", "http://h/v1/chat/completions", {}, b"{}"),
                            RecordedResponse(200, "OK", {}, b"{}"))
    assert (tmp_path / "cassettes" / "x.yaml").is_file()


async def test_replaying_a_remote_provider_session_needs_no_key(monkeypatch, no_network):
    """A session recorded against a keyed provider replays in CI, where the key is not set."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    session = load_session(FIXTURES / "weather.yaml")
    session.provider = "openai"
    no_network()
    transcript, events = await replay(session)
    assert not errors(events) and "Sunny" in transcript.final_text


def test_a_recorder_forgets_retried_steps_and_rewound_turns_but_never_the_old_cassette(tmp_path):
    def request(text: str) -> RecordedRequest:
        body = {"model": "gpt-4o", "messages": [{"role": "user", "content": text}]}
        return RecordedRequest("POST", "http://h/v1/chat/completions", {}, json.dumps(body).encode())

    def users(path: Path) -> list[str]:
        from playground.recording.cassette import load_cassette

        return [json.loads(i.request.body)["messages"][0]["content"] for i in load_cassette(path)]

    session = Session(name="x")
    session.path = tmp_path / "x.yaml"
    cassette = tmp_path / "cassettes" / "x.yaml"
    synthetic_cassette(cassette.parent / "old.yaml", 1)
    cassette.write_bytes((cassette.parent / "old.yaml").read_bytes())
    recorder = Recorder(session, mode="new_episodes")
    ok = RecordedResponse(200, "OK", {}, b"{}")
    recorder.step_started(0, 1)
    recorder.player.add(request("turn 1, failed try"), RecordedResponse(400, "Bad Request", {}, b"{}"))
    recorder.step_started(0, 1)  # the retry
    recorder.player.add(request("turn 1"), ok)
    recorder.save()
    recorder.step_started(1, 2)
    recorder.player.add(request("turn 2"), ok)
    recorder.step_started(1, 3)
    recorder.player.add(request("turn 2, step 2"), ok)
    recorder.save()
    assert users(cassette) == ["question 0", "turn 1", "turn 2", "turn 2, step 2"]
    recorder.rewind(1)
    assert recorder.save() == cassette
    assert users(cassette) == ["question 0", "turn 1"]
    recorder.rewind(0)
    recorder.save()
    assert users(cassette) == ["question 0"], "the cassette's old interactions stay"
    assert recorder.save() is None, "nothing changed since"
