"""The pytest plugin used the way a user would: replaying sessions recorded in the playground, and
the user's own openai code under the marker; `pytester` runs prove the option and the failures."""

from __future__ import annotations

import json

import openai
import pytest

from playground.core.session import load_session, result_text
from playground.export import export_session
from tests.conftest import FIXTURES

pytest_plugins = ["pytester"]


# -- what a user writes -----------------------------------------------------------------------


def test_the_weather_session_calls_both_tools_then_answers(playground_replay):
    transcript = playground_replay("fixtures/weather.yaml")
    assert [(call["name"], call["arguments"]) for call in transcript.tool_calls()] == [
        ("get_weather", {"city": "New York"}), ("search_products", {"query": "umbrellas"})]
    assert "Sunny" in transcript.final_text and "Umbrella A" in transcript.final_text


def test_every_recorded_fixture_replays_to_a_text_answer(playground_replay):
    for path in sorted(FIXTURES.glob("*.yaml")):
        if path.name.endswith(".autosave.yaml"):  # the TUI's crash-safe copy, not a fixture
            continue
        transcript = playground_replay(f"fixtures/{path.name}")
        assert transcript.messages[-1]["role"] == "assistant" and transcript.final_text, path.name


async def test_replay_works_from_async_tests_too(playground_replay):
    transcript = playground_replay("fixtures/forced_function.yaml")
    assert transcript.tool_calls()[0]["name"] == "get_weather"


@pytest.mark.playground_cassette("cassettes/weather.yaml")
def test_my_own_client_code_replays_what_the_playground_recorded():
    """Plain openai code (no playground engine) against the cassette the playground recorded."""
    from fixtures.weather_mocks import get_weather, search_products

    request = json.loads(export_session(load_session(FIXTURES / "weather.yaml"), "json"))
    client = openai.OpenAI()  # replay: no key needed, nothing leaves the machine
    calls: dict[int, dict] = {}
    for chunk in client.chat.completions.create(**request):
        for delta in (chunk.choices[0].delta.tool_calls or []) if chunk.choices else []:
            call = calls.setdefault(delta.index, {"id": delta.id, "type": "function",
                                                  "function": {"name": "", "arguments": ""}})
            call["function"]["name"] += delta.function.name or ""
            call["function"]["arguments"] += delta.function.arguments or ""
    tools = {"get_weather": get_weather, "search_products": search_products}
    request["messages"].append({"role": "assistant", "content": None, "tool_calls": list(calls.values())})
    for call in calls.values():
        output = tools[call["function"]["name"]](**json.loads(call["function"]["arguments"]))
        request["messages"].append({"role": "tool", "tool_call_id": call["id"], "content": result_text(output)})
    answer = "".join(chunk.choices[0].delta.content or "" for chunk in client.chat.completions.create(**request)
                     if chunk.choices)
    assert "New York" in answer and "Umbrella A" in answer


@pytest.mark.playground_cassette("cassettes/weather.yaml")
async def test_my_own_async_client_code_replays_too():
    request = json.loads(export_session(load_session(FIXTURES / "weather.yaml"), "json"))
    async with openai.AsyncOpenAI() as client:
        stream = await client.chat.completions.create(**request)
        names = [delta.function.name async for chunk in stream if chunk.choices
                 for delta in chunk.choices[0].delta.tool_calls or [] if delta.function.name]
    assert names == ["get_weather", "search_products"]


# -- what the plugin promises, run by pytester ----------------------------------------------------

PROVIDER = '''
import json
import openai
import pytest
from playground.core.loopback import LoopbackServer, json_response

def answer(request):
    question = request.json()["messages"][-1]["content"]
    return json_response({"id": "c1", "object": "chat.completion", "created": 1, "model": "gpt-4o",
                          "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                                       "message": {"role": "assistant", "content": "echo: " + question, "refusal": None}}]})

@pytest.fixture(scope="session")
def provider():
    with LoopbackServer(answer) as server:
        yield server

def ask(base_url, question):
    client = openai.OpenAI(base_url=base_url, max_retries=0)
    return client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": question}]
                                          ).choices[0].message.content
'''

USES = '''
import pytest
from conftest import ask

@pytest.mark.playground_cassette("cassettes/{name}.yaml")
def test_{name}(provider):
    assert ask(provider.base_url, "{question}") == "echo: {question}"
'''


@pytest.fixture
def project(pytester, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-plugin-0000000000")
    pytester.makeini("[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makeconftest(PROVIDER)
    return pytester


def run(pytester, *args):
    """In-process (fast) unless xdist is asked for; plugins that keep session-wide state are left out."""
    quiet = ("-p", "no:randomly", "-p", "no:cacheprovider", "-p", "no:textual-snapshot", "-p", "no:syrupy")
    if "-n" in args:
        return pytester.runpytest_subprocess(*quiet, *args)
    return pytester.runpytest_inprocess(*quiet, *args)


def test_the_option_is_documented_and_checked(project):
    result = run(project, "--help")
    result.stdout.fnmatch_lines(["*--playground-record=*", "*none (default*"])
    result = run(project, "--playground-record=sometimes")
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*invalid choice: 'sometimes'*"])
    result = run(project, "--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.playground_cassette(path)*"])


def test_replay_is_the_default_and_a_missing_cassette_fails_clearly(project):
    project.makepyfile(test_one=USES.format(name="one", question="hi"))
    result = run(project)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*cassettes/one.yaml*no such cassette*"])
    assert not (project.path / "cassettes").exists()


def test_record_once_then_replay_without_network(project):
    project.makepyfile(test_one=USES.format(name="one", question="hi"))
    run(project, "--playground-record=once").assert_outcomes(passed=1)
    cassette = (project.path / "cassettes" / "one.yaml").read_text()
    assert "echo: hi" in cassette and "sk-test-plugin" not in cassette
    stamp = (project.path / "cassettes" / "one.yaml").stat().st_mtime_ns
    project.makeconftest(PROVIDER.replace("LoopbackServer(answer)", "LoopbackServer(None)"))  # answers nothing
    run(project).assert_outcomes(passed=1)
    run(project, "--playground-record=once").assert_outcomes(passed=1)
    assert (project.path / "cassettes" / "one.yaml").stat().st_mtime_ns == stamp


def test_a_request_not_in_the_cassette_fails_with_the_mismatch(project):
    project.makepyfile(test_one=USES.format(name="one", question="hi"))
    run(project, "--playground-record=once").assert_outcomes(passed=1)
    project.makepyfile(test_one=USES.format(name="one", question="hello"))
    result = run(project)
    result.assert_outcomes(failed=1)
    assert ("test_one.py:6: replay mismatch in session 'one': request 1 (POST /v1/chat/completions) does not "
            "match interaction 1 of cassettes/one.yaml: messages[0].content is \"hi\" in the cassette but "
            "\"hello\" now") in result.stdout.str()
    assert "httpx2" not in result.stdout.str()


def test_a_mismatch_fails_the_test_even_when_the_code_catches_it(project):
    project.makepyfile(test_one=USES.format(name="one", question="hi"))
    run(project, "--playground-record=once").assert_outcomes(passed=1)
    project.makepyfile(test_one='''
import pytest
from conftest import ask

@pytest.mark.playground_cassette("cassettes/one.yaml")
def test_one(provider):
    try:
        ask(provider.base_url, "something else")
    except Exception:
        pass
''')
    result = run(project)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*replay mismatch in session 'one'*"])


def test_new_episodes_adds_what_the_cassette_lacks(project):
    project.makepyfile(test_one=USES.format(name="one", question="hi"))
    run(project, "--playground-record=once").assert_outcomes(passed=1)
    project.makepyfile(test_one=USES.format(name="one", question="hi") + '''
@pytest.mark.playground_cassette("cassettes/one.yaml")
def test_two(provider):
    assert ask(provider.base_url, "more") == "echo: more"
''')
    run(project, "--playground-record=new_episodes").assert_outcomes(passed=2)
    assert (project.path / "cassettes" / "one.yaml").read_text().count("- request:") == 2
    run(project).assert_outcomes(passed=2)


def test_safe_under_xdist(project):
    for index in range(6):
        project.makepyfile(**{f"test_{index}": USES.format(name=f"c{index}", question=f"q{index}")})
    run(project, "-n", "2", "--playground-record=once").assert_outcomes(passed=6)
    run(project).assert_outcomes(passed=6)  # replay only reads
    assert sorted(p.name for p in (project.path / "cassettes").iterdir()) == [f"c{i}.yaml" for i in range(6)]


def test_the_session_fixture_in_a_users_project(project):
    (project.path / "fixtures").mkdir()
    (project.path / "cassettes").mkdir()
    session = (FIXTURES / "weather.yaml").read_text()
    (project.path / "fixtures" / "weather.yaml").write_text(session)
    (project.path / "fixtures" / "weather_mocks.py").write_text((FIXTURES / "weather_mocks.py").read_text())
    project.makepyfile(test_weather='''
def test_weather(playground_replay):
    transcript = playground_replay("fixtures/weather.yaml")
    assert [c["name"] for c in transcript.tool_calls()] == ["get_weather", "search_products"]
''')
    result = run(project)
    result.assert_outcomes(errors=0, failed=1)
    result.stdout.fnmatch_lines(["*cassettes/weather.yaml*no such cassette*"])
    run(project, "--playground-record=once").assert_outcomes(passed=1)
    assert (project.path / "cassettes" / "weather.yaml").is_file()
    run(project).assert_outcomes(passed=1)


def test_hand_results_that_answer_no_call_are_a_warning(project):
    (project.path / "fixtures").mkdir()
    session = (FIXTURES / "weather.yaml").read_text()
    (project.path / "fixtures" / "weather.yaml").write_text(
        session.replace("    results: {}\n", "    results:\n      call_gone: '{\"x\": 1}'\n"))
    (project.path / "fixtures" / "weather_mocks.py").write_text((FIXTURES / "weather_mocks.py").read_text())
    project.makepyfile(test_weather='''
def test_weather(playground_replay):
    playground_replay("fixtures/weather.yaml")
''')
    run(project, "--playground-record=once").assert_outcomes(passed=1, warnings=1)
    result = run(project)
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(["*UnusedResultsWarning: fixtures/weather.yaml: turn 1: hand-written result "
                                 "for call_gone went unused*"])
    run(project, "-W", "error::playground.pytest_plugin.UnusedResultsWarning").assert_outcomes(failed=1)
