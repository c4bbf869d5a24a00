"""The `playground` command as a subprocess: output, exit codes and error messages (DESIGN 7)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from playground import __version__
from playground.core.offline import OfflineServer
from tests.conftest import FIXTURES, ROOT

WEATHER = str(FIXTURES / "weather.yaml")


def playground(*args: str, cwd: Path = ROOT, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "playground.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **(env or {})})


def assert_clean_error(result: subprocess.CompletedProcess, code: int, *fragments: str) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    for fragment in fragments:
        assert fragment in result.stderr


def test_version():
    result = playground("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"playground {__version__}"


def test_run_json_is_the_transcript_of_the_seed_example():
    result = playground("run", WEATHER, "--json")
    assert result.returncode == 0, result.stderr
    transcript = json.loads(result.stdout)
    assert {k: transcript[k] for k in ("session", "model", "provider", "steps")} == {
        "session": "weather", "model": "gpt-4o", "provider": "offline", "steps": 2}
    messages = transcript["messages"]
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "tool", "tool", "assistant"]
    calls = messages[2]["tool_calls"]
    assert [(c["type"], c["function"]["name"], json.loads(c["function"]["arguments"])) for c in calls] == [
        ("function", "get_weather", {"city": "New York"}), ("function", "search_products", {"query": "umbrellas"})]
    assert [m["tool_call_id"] for m in messages[3:5]] == [c["id"] for c in calls]
    assert set(transcript["usage"]) == {"prompt_tokens", "completion_tokens", "total_tokens"}


def test_run_prints_a_readable_transcript_and_writes_nothing(tmp_path):
    session = tmp_path / "weather.yaml"
    session.write_text((FIXTURES / "weather.yaml").read_text())
    (tmp_path / "weather_mocks.py").write_text((FIXTURES / "weather_mocks.py").read_text())
    before = sorted(p.name for p in tmp_path.rglob("*"))
    result = playground("run", str(session), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert 'get_weather({"city": "New York"})' in out and 'search_products({"query": "umbrellas"})' in out
    assert "Sunny" in out and "2 steps" in out
    after = sorted(p.name for p in tmp_path.rglob("*") if "__pycache__" not in p.parts)
    assert after == before  # run without --record never writes a cassette


def test_run_warns_about_hand_results_that_answer_no_call(tmp_path):
    session = tmp_path / "weather.yaml"
    text = (FIXTURES / "weather.yaml").read_text()
    assert "    results: {}\n" in text
    session.write_text(text.replace("    results: {}\n", "    results:\n      call_gone: '{\"x\": 1}'\n"))
    (tmp_path / "weather_mocks.py").write_text((FIXTURES / "weather_mocks.py").read_text())
    warning = "turn 1: hand-written result for call_gone went unused: no call of this run has that id"
    readable = playground("run", str(session), cwd=tmp_path)
    assert readable.returncode == 0, readable.stderr
    assert f"warning {warning}" in readable.stdout
    as_json = playground("run", str(session), "--json", cwd=tmp_path)
    assert as_json.returncode == 0 and json.loads(as_json.stdout)["steps"] == 2
    assert f"playground: weather: warning: {warning}" in as_json.stderr


def test_run_overrides_stream_and_max_steps():
    result = playground("run", WEATHER, "--json", "--no-stream", "--max-steps", "1")
    assert result.returncode == 1
    assert "max_steps" in result.stderr and json.loads(result.stdout)["steps"] == 1


def test_missing_session_is_exit_2_with_one_line():
    result = playground("run", "fixtures/nope.yaml")
    assert_clean_error(result, 2, "fixtures/nope.yaml", "no such file")
    assert len(result.stderr.strip().splitlines()) == 1


def test_malformed_session_is_exit_2_naming_line_and_key(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nmax_steps: lots\n")
    assert_clean_error(playground("run", str(bad)), 2, f"{bad}:2", "max_steps")
    bad.write_text("name: [unclosed\n")
    assert_clean_error(playground("run", str(bad)), 2, "not valid YAML")


def test_invalid_tools_are_exit_1(tmp_path):
    session = tmp_path / "s.yaml"
    session.write_text("name: s\ntools:\n  - type: function\n    function: {name: 'bad name!'}\nturns: [{user: hi}]\n")
    assert_clean_error(playground("run", str(session)), 1, "tools[0].function.name")


def test_model_error_is_exit_1(tmp_path):
    result = playground("run", WEATHER, "--provider", "http://127.0.0.1:9/v1")
    assert_clean_error(result, 1, "cannot reach")


def test_usage_errors_are_exit_2():
    assert_clean_error(playground("run"), 2, "SESSION")
    assert_clean_error(playground("export", WEATHER, "--format", "yaml"), 2, "invalid choice")
    assert_clean_error(playground("run", WEATHER, "--provider", "nowhere"), 2, "unknown provider")


@pytest.mark.parametrize("args, message", [
    (("run", WEATHER, "--max-steps", "0"), "playground run: argument --max-steps: must be from 1 to 100 (got 0)"),
    (("run", WEATHER, "--max-steps", "-3"), "playground run: argument --max-steps: must be from 1 to 100 (got -3)"),
    (("run", WEATHER, "--max-steps", "five"), "playground run: argument --max-steps: not a whole number: 'five'"),
    (("serve", "--offline", "--port", "70000"),
     "playground serve: argument --port: must be from 0 to 65535 (got 70000)"),
    (("serve", "--offline", "--port", "-1"), "playground serve: argument --port: must be from 0 to 65535 (got -1)"),
])
def test_numbers_out_of_range_are_usage_errors(args, message):
    result = playground(*args)
    assert_clean_error(result, 2)
    assert result.stderr.splitlines() == [message]


def test_serve_on_a_port_in_use_is_a_usage_error():
    with OfflineServer().start() as busy:
        result = playground("serve", "--offline", "--port", str(busy.port))
    assert_clean_error(result, 2)
    assert result.stderr.splitlines() == [f"playground: cannot listen on 127.0.0.1:{busy.port}: Address already in use"]
    assert result.stdout == ""


def test_a_session_with_several_errors_reports_each_first_line_first(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text('name: bad\nprovidr: offline\nmax_steps: "five"\n')
    for command in ("run", "validate"):
        result = playground(command, str(bad))
        assert_clean_error(result, 2)
        assert result.stderr.splitlines() == [
            f"playground: {bad}:2:1: key 'providr': unknown key",
            f"playground: {bad}:3:1: key 'max_steps': "
            "Input should be a valid integer, unable to parse string as an integer",
        ]


def test_validate_fixtures_and_tools_files():
    files = [str(p) for p in sorted(FIXTURES.glob("*.yaml"))] + [str(FIXTURES / "tools" / "weather.json")]
    result = playground("validate", *files)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(": ok") == len(files)


def test_validate_reports_problems_with_place_and_exit_codes(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('[{"type": "function",\n  "function": {"name": "f",}}]')
    assert_clean_error(playground("validate", str(broken)), 2, f"{broken}:2")
    invalid = tmp_path / "invalid.json"
    invalid.write_text(json.dumps([{"type": "function", "function": {
        "name": "f", "parameters": {"type": "object", "properties": {"x": {"type": "strin"}}}}}], indent=2))
    result = playground("validate", str(invalid))
    assert result.returncode == 1 and "properties.x" in result.stderr and "Traceback" not in result.stderr
    assert_clean_error(playground("validate", str(tmp_path / "missing.json")), 2, "no such file")


def test_export_json_and_curl_are_the_first_request():
    body = json.loads(playground("export", WEATHER, "--format", "json").stdout)
    assert body["model"] == "gpt-4o" and body["messages"][-1]["content"].startswith("What's the weather")
    assert body["tool_choice"] == "auto" and body["parallel_tool_calls"] is True
    curl = playground("export", WEATHER, "--format", "curl").stdout
    assert curl.count("curl -sS") == 1 and '"get_weather"' in curl and "Authorization: Bearer $OPENAI_API_KEY" in curl


@pytest.mark.parametrize("fixture", ["weather.yaml", "failing_tool.yaml", "trip_planner.yaml", "forced_function.yaml"])
def test_python_export_runs_as_is_against_the_offline_model(tmp_path, fixture):
    script = tmp_path / "demo.py"
    result = playground("export", str(FIXTURES / fixture), "--format", "python")
    assert result.returncode == 0, result.stderr
    script.write_text(result.stdout)
    with OfflineServer().start() as server:
        run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60,
                             cwd=tmp_path, env={**os.environ, "OPENAI_BASE_URL": server.base_url})
    assert run.returncode == 0, run.stderr
    assert "assistant: " in run.stdout
    assert [line for line in run.stdout.splitlines() if line.rstrip() == "assistant:"] == []  # calls only: no line
    if fixture == "weather.yaml":
        assert 'tool get_weather({"city": "New York"})' in run.stdout and "Umbrella A" in run.stdout


def test_replay_of_a_cassette_whose_stream_was_cut_off_fails(tmp_path):
    lines = (ROOT / "cassettes" / "weather.yaml").read_text().splitlines(keepends=True)
    body_start = next(i for i, line in enumerate(lines) if line.strip() == "string: |+")
    end = next(i for i in range(body_start + 1, len(lines)) if "data: [DONE]" in lines[i])
    truncated = lines[: body_start + 1] + ["        data: [DONE]\n"] + lines[end + 1:]
    cassette = tmp_path / "cut.yaml"
    cassette.write_text("".join(truncated))
    result = playground("replay", WEATHER, "--cassette", str(cassette))
    assert_clean_error(result, 1, "empty")


@pytest.mark.parametrize("name", ["weather", "failing_tool"])
def test_python_export_replays_against_its_own_cassette_served(tmp_path, name):
    from playground.server import serve_cassette

    script = tmp_path / "demo.py"
    script.write_text(playground("export", str(FIXTURES / f"{name}.yaml"), "--format", "python").stdout)
    with serve_cassette(ROOT / "cassettes" / f"{name}.yaml") as server:
        run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60,
                             cwd=tmp_path, env={**os.environ, "OPENAI_BASE_URL": server.base_url})
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr and run.stdout.count("assistant: ") == (1 if name == "weather" else 2)
    assert [line for line in run.stdout.splitlines() if line.rstrip() == "assistant:"] == []
