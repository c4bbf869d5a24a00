"""Session files: loading with file/line/key errors, readable atomic saves, tool file references."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from playground.core.session import (
    ForcedFunction,
    MockSpec,
    Session,
    SessionError,
    Turn,
    load_session,
    parse_session,
    save_session,
)
from tests.conftest import FIXTURES


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_demo_session_loads_with_its_tools_and_mocks():
    session = load_session(FIXTURES / "weather.yaml")
    assert session.name == "weather" and session.provider == "offline"
    assert session.tool_names() == ["get_weather", "search_products"]
    assert session.mocks["get_weather"].kind == "python"
    assert session.turns[0].user.startswith("What's the weather like in New York today?")
    assert session.tool_problems() == []


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.yaml")))
def test_every_fixture_loads_and_round_trips(name, tmp_path):
    session = load_session(FIXTURES / name)
    assert [p for p in session.tool_problems() if p.severity == "error"] == []
    copy = save_session(session.model_copy(deep=True), tmp_path / name)
    again = load_session(copy)
    assert again.to_data() == session.to_data() | ({"tools": session.tools} if session.tools_file else {})


def test_unknown_key_names_file_line_and_key(tmp_path):
    path = write(tmp_path / "s.yaml", "name: s\nmodel: gpt-4o\nmocks:\n  f: {statik: 1}\n")
    with pytest.raises(SessionError) as error:
        load_session(path)
    assert error.value.line == 4 and error.value.key == "mocks.f"
    assert str(error.value).startswith(f"{path}:4")


def test_wrong_type_names_the_key_and_line(tmp_path):
    path = write(tmp_path / "s.yaml", "name: s\nmax_steps: many\n")
    with pytest.raises(SessionError) as error:
        load_session(path)
    assert (error.value.line, error.value.key) == (2, "max_steps")


def test_unknown_top_level_key(tmp_path):
    path = write(tmp_path / "s.yaml", "name: s\n\ntemprature: 0.3\n")
    with pytest.raises(SessionError, match="unknown key") as error:
        load_session(path)
    assert (error.value.line, error.value.key) == (3, "temprature")


def test_every_error_is_reported_first_line_first(tmp_path):
    path = write(tmp_path / "s.yaml", 'name: s\nprovidr: offline\nmax_steps: "five"\n')
    with pytest.raises(SessionError) as error:
        load_session(path)
    assert (error.value.line, error.value.key, error.value.message) == (2, "providr", "unknown key")
    assert str(error.value).splitlines() == [
        f"{path}:2:1: key 'providr': unknown key",
        f"{path}:3:1: key 'max_steps': Input should be a valid integer, unable to parse string as an integer",
    ]


def test_a_key_that_fits_no_branch_of_a_union_is_one_error(tmp_path):
    with pytest.raises(SessionError) as error:
        parse_session("name: s\ntool_choice: bogus\n", tmp_path / "s.yaml")
    assert str(error.value) == (f"{tmp_path / 's.yaml'}:2:1: key 'tool_choice': "
                                "Input should be 'auto', 'none' or 'required'")
    assert error.value.others == ()


def test_broken_yaml_gives_line_and_column(tmp_path):
    path = write(tmp_path / "s.yaml", "name: s\ntools: [\n  {a: 1\n")
    with pytest.raises(SessionError, match="not valid YAML") as error:
        load_session(path)
    assert error.value.line is not None and error.value.line >= 3


@pytest.mark.parametrize("problem, expected", [
    ("missing", "no such file"),
    ("folder", "is a folder"),
    ("binary", "cannot read"),
])
def test_unreadable_files(tmp_path, problem, expected):
    path = tmp_path / "s.yaml"
    if problem == "folder":
        path.mkdir()
    elif problem == "binary":
        path.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(SessionError, match=expected):
        load_session(path)


def test_a_session_file_never_holds_an_api_key(tmp_path):
    path = write(tmp_path / "s.yaml", "name: s\napi_key: sk-123\n")
    with pytest.raises(SessionError, match="never holds an API key"):
        load_session(path)


def test_mock_needs_exactly_one_kind(tmp_path):
    with pytest.raises(SessionError, match="exactly one"):
        parse_session("mocks:\n  f: {static: 1, error: x}\n", tmp_path / "s.yaml")
    with pytest.raises(SessionError, match="module:function"):
        parse_session("mocks:\n  f: {python: nocolon}\n", tmp_path / "s.yaml")


def test_tools_file_reference_resolves_beside_the_session(tmp_path):
    (tmp_path / "tools").mkdir()
    write(tmp_path / "tools" / "t.json",
          '[{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {}}}}]')
    session = load_session(write(tmp_path / "s.yaml", "tools: {file: tools/t.json}\n"))
    assert session.tool_names() == ["f"] and session.tools_file == "tools/t.json"
    save_session(session)
    assert "file: tools/t.json" in (tmp_path / "s.yaml").read_text()
    session.tools[0]["function"]["description"] = "changed"
    save_session(session)
    assert "description: changed" in (tmp_path / "s.yaml").read_text()


def test_missing_tools_file_is_an_error_naming_both_files(tmp_path):
    with pytest.raises(SessionError, match="nope.json") as error:
        load_session(write(tmp_path / "s.yaml", "name: s\ntools: {file: nope.json}\n"))
    assert error.value.line == 2


def test_forced_function_must_be_a_tool(tmp_path):
    session = Session(tools=[], tool_choice=ForcedFunction(function="ghost"))
    assert [p.path for p in session.tool_problems()] == ["tool_choice.function"]


def test_save_is_readable_yaml_with_literal_blocks(tmp_path):
    session = Session(name="n", system="line one\nline two", turns=[Turn(user="hi", results={"call_1": {"a": 1}})],
                      mocks={"f": MockSpec(static={"x": [1, 2]})})
    text = (save_session(session, tmp_path / "n.yaml")).read_text()
    assert "system: |-\n  line one\n  line two\n" in text
    assert text.index("name:") < text.index("tools:") < text.index("mocks:") < text.index("turns:")
    assert load_session(tmp_path / "n.yaml").turns[0].results == {"call_1": {"a": 1}}


def test_failed_save_leaves_the_old_file_untouched(tmp_path, monkeypatch):
    path = tmp_path / "s.yaml"
    save_session(Session(name="old"), path)
    before = path.read_text()

    def broken_replace(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        save_session(Session(name="new"), path)
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["s.yaml"]


def test_saved_files_get_normal_permissions_and_keep_existing_ones(tmp_path):
    path = save_session(Session(name="p"), tmp_path / "p.yaml")
    assert path.stat().st_mode & 0o777 == 0o666 & ~_umask()
    path.chmod(0o640)
    save_session(Session(name="p2"), path)
    assert path.stat().st_mode & 0o777 == 0o640


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
