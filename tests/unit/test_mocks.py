"""Mock outputs of every kind, and mocks that fail without crashing anything."""

from __future__ import annotations

import json
from pathlib import Path

from playground.core.mocks import MockRunner, render_template
from playground.core.session import MockSpec
from tests.conftest import FIXTURES


def runner(tmp_path: Path, **specs) -> MockRunner:
    return MockRunner({name: MockSpec.model_validate(spec) for name, spec in specs.items()}, tmp_path)


def test_seed_python_mocks_give_the_seed_outputs():
    from playground.core.session import load_session

    session = load_session(FIXTURES / "weather.yaml")
    mocks = MockRunner(session.mocks, session.base_dir)
    weather = mocks.resolve("get_weather", {"city": "New York"})
    assert json.loads(weather.content) == {"city": "New York", "temperature": 22, "unit": "celsius", "condition": "Sunny"}
    assert weather.source == "mock:python" and not weather.is_error
    products = mocks.resolve("search_products", {"query": "umbrellas"})
    assert products.content == '[{"name": "Umbrella A", "price": 99}, {"name": "Umbrella B", "price": 149}]'


def test_static_is_serialized_like_the_seed(tmp_path):
    out = runner(tmp_path, f={"static": {"city": "Zürich"}}).resolve("f", {})
    assert out.content == '{"city": "Zürich"}'  # ensure_ascii=False
    assert runner(tmp_path, f={"static": "plain text"}).resolve("f", {}).content == "plain text"


def test_template_fills_from_arguments_keeping_types():
    template = {"city": "{{city}}", "days": "{{days}}", "note": "{{city}} for {{days}} days", "x": "{{missing}}"}
    assert render_template(template, {"city": "Oslo", "days": 3}) == {
        "city": "Oslo", "days": 3, "note": "Oslo for 3 days", "x": None}
    assert render_template("{{a.b}}", {"a": {"b": [1]}}) == [1]


def test_template_runs_no_code(tmp_path):
    out = runner(tmp_path, f={"template": "{{__import__('os').system('true')}}"}).resolve("f", {})
    assert out.content == "{{__import__('os').system('true')}}"


def test_sequence_gives_one_output_per_call_then_an_error(tmp_path):
    mocks = runner(tmp_path, f={"sequence": [{"error": "down"}, {"static": 1}, "two"]})
    outputs = [mocks.resolve("f", {}) for _ in range(4)]
    assert [o.content for o in outputs[:3]] == ['{"error": "down"}', "1", "two"]
    assert [o.is_error for o in outputs] == [True, False, False, True]
    assert "exhausted after 3 calls" in outputs[3].content
    mocks.reset()
    assert mocks.resolve("f", {}).is_error


def test_error_mock_is_a_simulated_failure(tmp_path):
    out = runner(tmp_path, f={"error": "service unavailable"}).resolve("f", {})
    assert out.is_error and json.loads(out.content) == {"error": "service unavailable"}


def test_missing_mock_is_an_editable_error(tmp_path):
    out = runner(tmp_path).resolve("ghost", {})
    assert out.is_error and out.source == "none" and "ghost" in out.content


def test_python_mock_faults_are_error_results(tmp_path):
    (tmp_path / "m.py").write_text(
        "def boom(**kw):\n    raise ValueError('nope')\n\n"
        "def weird(**kw):\n    return object()\n\n"
        "def echo(**kw):\n    return kw\n"
    )
    (tmp_path / "broken.py").write_text("def f(:\n")
    mocks = runner(tmp_path, a={"python": "m:boom"}, b={"python": "m:weird"}, c={"python": "missing:f"},
                   d={"python": "m:nothing"}, e={"python": "broken:f"}, g={"python": "m:echo"})
    assert "raised ValueError: nope (m.py:2)" in mocks.resolve("a", {}).content
    assert "not JSON" in mocks.resolve("b", {}).content
    assert "not found" in mocks.resolve("c", {}).content
    assert "no function 'nothing'" in mocks.resolve("d", {}).content
    assert "failed to import: SyntaxError" in mocks.resolve("e", {}).content
    assert all(mocks.resolve(n, {}).is_error for n in "abcde")
    assert "unexpected keyword" in mocks.resolve("a", {"x": 1}).content or mocks.resolve("a", {"x": 1}).is_error
    assert json.loads(mocks.resolve("g", {"x": 1}).content) == {"x": 1}


def test_python_mock_module_is_reloaded_when_it_changes(tmp_path):
    import os

    module = tmp_path / "live.py"
    module.write_text("def f(**kw):\n    return 1\n")
    mocks = runner(tmp_path, f={"python": "live:f"})
    assert mocks.resolve("f", {}).content == "1"
    module.write_text("def f(**kw):\n    return 2\n")
    stat = module.stat()
    os.utime(module, (stat.st_atime, stat.st_mtime + 5))
    assert mocks.resolve("f", {}).content == "2"


def test_a_mock_that_calls_sys_exit_is_an_error_result_not_an_exit(tmp_path):
    (tmp_path / "quits.py").write_text("import sys\n\ndef f(**kw):\n    sys.exit('bye')\n")
    (tmp_path / "quits_on_import.py").write_text("import sys\nsys.exit(3)\n\ndef f(**kw):\n    return 1\n")
    mocks = runner(tmp_path, a={"python": "quits:f"}, b={"python": "quits_on_import:f"})
    called, imported = mocks.resolve("a", {}), mocks.resolve("b", {})
    assert called.is_error and "SystemExit: bye" in called.content
    assert imported.is_error and "failed to import: SystemExit: 3" in imported.content


def test_mock_problems_are_found_without_running_anything(tmp_path):
    from playground.core.mocks import mock_problems
    from playground.core.session import parse_session

    (tmp_path / "m.py").write_text("import os\nos.system('touch RAN')\n\ndef real(**kw):\n    return 1\n")
    session = parse_session(
        "tools:\n"
        "  - {type: function, function: {name: search, parameters: {type: object, properties: {query: {type: string}}}}}\n"
        "mocks:\n"
        "  search: {sequence: [{template: {q: '{{query}}', n: '{{nosuch}}'}}, {python: 'm:missing'}]}\n"
        "  ghost: {python: 'nomodule:f'}\n", tmp_path / "s.yaml")
    problems = {(p.path, p.severity): p.message for p in mock_problems(session)}
    assert problems == {
        ("mocks.search.sequence[0].template", "warning"): "{{nosuch}} is not a parameter of the tool; it will be empty",
        ("mocks.search.sequence[1].python", "warning"): "mock module 'm' has no function 'missing'",
        ("mocks.ghost", "warning"): "there is no tool named 'ghost'",
        ("mocks.ghost.python", "warning"): f"mock module 'nomodule' not found (looked for {tmp_path / 'nomodule.py'})",
    }
    assert not (tmp_path / "RAN").exists()


def test_bundled_fixtures_have_no_mock_problems():
    from playground.core.mocks import mock_problems
    from playground.core.session import load_session

    for path in sorted(FIXTURES.glob("*.yaml")):
        if not path.name.endswith(".autosave.yaml"):
            assert mock_problems(load_session(path)) == [], path.name
