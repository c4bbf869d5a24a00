"""The YAML writer: files read like hand-written ones, and load back to the same data."""

from __future__ import annotations

from playground.core.session import load_session, save_session, session_yaml
from playground.core.yamlio import dump_yaml, load_yaml
from tests.conftest import FIXTURES


def test_small_leaves_stay_on_one_line_and_list_items_are_indented():
    data = {"tools": [{"type": "function", "function": {"name": "f", "parameters": {
        "type": "object", "properties": {"city": {"type": "string", "description": "The city, e.g. Paris"}},
        "required": ["city"]}}}], "results": {}, "notes": "two\nlines\n"}
    text = dump_yaml(data)
    assert text == (
        "tools:\n"
        "  - type: function\n"
        "    function:\n"
        "      name: f\n"
        "      parameters:\n"
        "        type: object\n"
        "        properties:\n"
        "          city: {type: string, description: 'The city, e.g. Paris'}\n"
        "        required: [city]\n"
        "results: {}\n"
        "notes: |\n"
        "  two\n"
        "  lines\n"
    )
    assert load_yaml(text) == data


def test_long_or_nested_leaves_are_blocks():
    long_list = [f"value number {i}" for i in range(10)]
    text = dump_yaml({"enum": long_list, "nested": {"a": {"b": 1}}})
    assert text.startswith("enum:\n  - value number 0\n")
    assert "nested:\n  a: {b: 1}\n" in text
    assert load_yaml(text) == {"enum": long_list, "nested": {"a": {"b": 1}}}


def test_the_demo_session_written_back_is_nearly_the_file_as_written_by_hand():
    path = FIXTURES / "weather.yaml"
    written = session_yaml(load_session(path)).splitlines()
    by_hand = [line for line in path.read_text().splitlines() if not line.startswith("#")]
    changed = [line for line in written if line not in by_hand]
    assert len(changed) <= 8, changed


def test_saving_keeps_the_comments_a_session_file_starts_with(tmp_path):
    path = tmp_path / "weather.yaml"
    path.write_text((FIXTURES / "weather.yaml").read_text())
    (tmp_path / "weather_mocks.py").write_text((FIXTURES / "weather_mocks.py").read_text())
    session = load_session(path)
    session.max_steps = 3
    save_session(session)
    text = path.read_text()
    assert text.startswith("# The demo session: two parallel tool calls")
    assert "max_steps: 3\n" in text and load_session(path).max_steps == 3
    save_session(session, tmp_path / "copy.yaml")  # saved as: the description goes along
    assert (tmp_path / "copy.yaml").read_text().startswith("# The demo session")
