"""Regressions from a new user's review: keys in editors, messages, focus, layout at 80/120 columns."""

from __future__ import annotations

import json

import pytest
from rich.console import Console
from textual import events

from tests.tui.conftest import entries, idle, loaded, make_app, wait_for


async def close(app) -> None:
    await app.close_engine()


def toasts(app) -> list:
    return list(app._notifications)


# -- 2. global keys work in the tool editor -----------------------------------------------------------

@pytest.mark.parametrize("focus", ["#tool-editor", "#mock-editor", "#tool-list", "#composer"])
async def test_function_keys_work_while_an_editor_has_focus(weather_copy, focus):
    app = make_app(weather_copy)
    async with app.run_test(size=(140, 42)) as pilot:
        await loaded(pilot)
        app.query_one(focus).focus()
        await pilot.pause()
        before = app.query_one("#tool-editor").text
        await pilot.press("f7")  # TextArea binds f7 to select all: the app's key must win
        await pilot.pause()
        assert app.session.parallel_tool_calls is False
        assert app.query_one("#tool-editor").text == before
        await pilot.press("f6")
        await pilot.pause()
        assert type(app.screen).__name__ == "ChoiceScreen", "f6 opens tool_choice from any widget"
        await pilot.press("f7")  # a dialog is open: the global keys are off
        await pilot.pause()
        assert app.session.parallel_tool_calls is False
        await pilot.press("escape")
        await pilot.pause()
        app.query_one(focus).focus()
        await pilot.press("f1")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("f1")  # f1 closes help again (the help screen's own key)
        await pilot.pause()
        assert type(app.screen).__name__ != "HelpScreen"
        await close(app)


async def test_f2_lands_in_the_tool_editor_and_again_in_the_list(weather_copy):
    app = make_app(weather_copy)
    async with app.run_test(size=(140, 42)) as pilot:
        await loaded(pilot)
        await pilot.press("f2")
        await pilot.pause()
        assert app.focused is app.query_one("#tool-editor")
        await pilot.press("f2")
        await pilot.pause()
        assert app.focused is app.query_one("#tool-list")
        await pilot.press("f2")
        await pilot.pause()
        assert app.focused is app.query_one("#tool-editor")
        await close(app)


# -- 3. messages ----------------------------------------------------------------------------------------

async def test_loading_tools_reports_what_was_added_and_skipped(weather_copy, tmp_path):
    mcp = {"tools": [
        {"name": "get_weather", "description": "dup", "inputSchema": {"type": "object", "properties": {}}},
        {"name": "read_file", "description": "Read a file",
         "inputSchema": {"type": "object", "properties": {"path": {"type": "string"}}}},
    ]}
    path = tmp_path / "mcp.json"
    path.write_text(json.dumps(mcp))
    app = make_app(weather_copy)
    async with app.run_test(size=(140, 42)) as pilot:
        await loaded(pilot)
        app._load_tools_file(path)
        await pilot.pause()
        await pilot.click("#append")
        await pilot.pause()
        assert app.session.tool_names() == ["get_weather", "search_products", "read_file"]
        message = toasts(app)[-1].message
        assert "Added 1 tool from mcp.json" in message and "Skipped 1 tool" in message
        assert "get_weather" in message and "2 tools" not in message
        await close(app)


async def test_deleting_a_tool_mentions_its_mock_only_when_there_is_one(weather_copy):
    app = make_app(weather_copy)
    async with app.run_test(size=(140, 42)) as pilot:
        await loaded(pilot)
        app.tools_pane.run_action("add")
        await pilot.pause()
        index = app.session.tool_names().index("new_tool")
        app.post_message(app.tools_pane.ActionRequested("delete", index, "new_tool"))
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert toasts(app)[-1].message == "Deleted tool new_tool."
        app.post_message(app.tools_pane.ActionRequested("delete", 0, "get_weather"))
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert "its mock stays" in toasts(app)[-1].message
        await close(app)


async def test_a_missing_api_key_is_a_configuration_error(weather_copy, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    app = make_app(weather_copy, provider="openai")
    async with app.run_test(size=(140, 42)) as pilot:
        await loaded(pilot)
        await pilot.press("enter")
        await idle(pilot)
        errors = [n for n in toasts(app) if n.severity == "error"]
        assert errors and "OPENAI_API_KEY" in errors[-1].message
        assert errors[-1].title == "Provider configuration"
        await close(app)


async def test_replay_without_a_cassette_uses_the_menus_word(weather_copy):
    app = make_app(weather_copy, record="none")
    async with app.run_test(size=(140, 42)) as pilot:
        await loaded(pilot)
        messages = [n.message for n in toasts(app)]
        assert any(m.startswith("Replay is not possible") for m in messages), messages
        assert not any("Record mode none" in m for m in messages)
        await close(app)


async def test_one_pending_call_waits_singular(weather_copy):
    app = make_app(weather_copy)
    async with app.run_test(size=(140, 42)) as pilot:
        await loaded(pilot)
        await pilot.press("f9")  # manual
        app.composer.value = "weather in Paris"
        app.session.turns.clear()
        app._reset_view()
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.mocks_pane.has_pending, what="pending calls")
        title = str(app.query_one("#pending-title").content)
        assert "1 call waits for your result" in title
        app._cancel_run()
        await close(app)


def test_plural():
    from playground.tui.app import error_title, plural

    assert plural(1, "step") == "1 step" and plural(2, "step") == "2 steps" and plural(0, "tool") == "0 tools"
    assert error_title("network", "OPENAI_API_KEY is not set") == "Provider configuration"
    assert error_title("network", "cannot reach the provider") == "Network error"


async def test_step_numbers_follow_the_engine_after_a_failed_step(weather_copy):
    from playground.core.events import ErrorEvent, StepStarted
    from playground.tui.messages import EngineEvent

    app = make_app(weather_copy)
    async with app.run_test(size=(140, 42)) as pilot:
        await loaded(pilot)
        app._run_id += 1
        run = app._run_id
        app.post_message(EngineEvent(run, StepStarted(1, {}), 0))
        app.post_message(EngineEvent(run, ErrorEvent("network", "cannot reach the provider"), 0))
        app.post_message(EngineEvent(run, StepStarted(1, {}), 0))  # the engine rolled the step back
        await pilot.pause()
        assert app._step == 1 and "step 1" in app.running
        app.post_message(EngineEvent(run, ErrorEvent("max_steps", "stopped after 1 step (max_steps)"), 0))
        await pilot.pause()
        assert any("after 1 step " in e.text for e in entries(app, "notice"))
        app.running = ""
        await close(app)


# -- 4. focus, composer, toasts, quitting ---------------------------------------------------------------

async def test_the_focused_widget_is_marked(weather_copy):
    app = make_app(weather_copy)
    async with app.run_test(size=(140, 42)) as pilot:
        await loaded(pilot)
        editor, tool_list = app.query_one("#tool-editor"), app.query_one("#tool-list")
        editor.focus()
        await pilot.pause()
        focused_color = editor.styles.border_left[1]
        assert tool_list.styles.border_left[1] != focused_color
        tool_list.focus()
        await pilot.pause()
        assert tool_list.styles.border_left[1] == focused_color
        assert editor.styles.border_left[1] != focused_color
        await close(app)


async def test_the_composer_shows_the_start_of_a_saved_turn(weather_copy):
    app = make_app(weather_copy)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        assert app.composer.value.startswith("What's the weather")
        assert app.composer.cursor_position == 0
        app.conversation.focus()
        app.composer.focus()
        await pilot.pause()
        assert app.composer.cursor_position == 0 and app.composer.scroll_x == 0
        await pilot.press(*"search for boots")
        assert app.composer.value == "search for boots", "typing replaces the saved text, not runs into it"
        await pilot.press("escape")
        assert app.composer.value.startswith("What's the weather"), "Esc puts the saved text back"
        await close(app)


async def test_a_new_session_starts_with_an_empty_composer(weather_copy):
    app = make_app(weather_copy)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        assert app.composer.value.startswith("What's the weather")
        await pilot.press("ctrl+n")
        await pilot.pause()
        await wait_for(pilot, lambda: app.session is not None and not app.session.turns, what="the new session")
        assert app.composer.value == ""
        await close(app)


async def test_good_news_clears_a_stale_error_toast(weather_copy):
    app = make_app(weather_copy)
    async with app.run_test(size=(140, 42)) as pilot:
        await loaded(pilot)
        app.notify("something failed", severity="error", timeout=60)
        await pilot.press("f10")
        await pilot.pause()
        app.set_record_mode("off")
        app.screen.dismiss(None) if type(app.screen).__name__ == "ChoiceScreen" else None
        await pilot.press("f7")
        await pilot.pause()
        assert not [n for n in toasts(app) if n.severity == "error"]
        await close(app)


async def test_quitting_with_only_an_invalid_tool_draft_asks(weather_copy):
    app = make_app(weather_copy)
    async with app.run_test(size=(140, 42)) as pilot:
        await loaded(pilot)
        editor = app.query_one("#tool-editor")
        editor.focus()
        editor.insert("{ broken", (0, 0))
        await pilot.pause()
        assert app.tools_pane.drafts and not app.dirty
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmScreen", "an unapplied edit is an unsaved edit"
        await pilot.press("enter")  # the focused button keeps editing
        await pilot.pause()
        assert app.is_running and type(app.screen).__name__ != "ConfirmScreen"
        await close(app)


# -- 5. cosmetics ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("width", [80, 100, 120, 140])
async def test_the_status_header_is_two_lines(weather_copy, width):
    app = make_app(weather_copy, record="once")
    async with app.run_test(size=(width, 30)) as pilot:
        await loaded(pilot)
        app.running = "step 1: waiting for the model"
        app.dirty = True
        app._update_status()
        await pilot.pause()
        status = app.query_one("#status")
        assert status.size.height == 2
        lines = str(status.content).splitlines()
        assert len(lines) == 2 and "…" not in lines[1], lines
        assert "rec" in lines[1] and "recording" in lines[1]
        app.running = ""
        await close(app)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_all_tool_buttons_and_the_empty_hint_fit(tmp_path, size):
    session = tmp_path / "empty.yaml"
    session.write_text("name: empty\n")
    app = make_app(session)
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        pane = app.query_one("#tools")
        right = pane.region.right
        for button in app.query("#tool-buttons Button"):
            assert button.region.width > 0 and button.region.right <= right, button.id
        caption = app.query_one("#tool-caption")
        hint = str(caption.content)
        assert len(hint) <= caption.content_region.width, hint
        assert not app.query_one("#tool-editor").show_line_numbers
        await close(app)


def test_help_shows_keys_and_descriptions_aligned():
    from playground.tui.screens.help import KEY_WIDTH, binding_groups, help_table

    console = Console(width=100, record=True)
    for title, bindings in binding_groups():
        console.print(help_table(title, bindings))
    text = console.export_text()
    assert "focus_tools" not in text and "tools.add" not in text, "no action ids"
    starts = set()
    for line in text.splitlines():
        if line.startswith(("F", "ctrl", "a,", "e ", "escape", "enter")) and "  " in line:
            starts.add(len(line) - len(line[KEY_WIDTH:].lstrip()) if len(line) > KEY_WIDTH else None)
    starts.discard(None)
    assert starts == {KEY_WIDTH + 2}, starts


async def test_text_typed_in_the_conversation_goes_to_the_composer(weather_copy):
    """Regression: after F3 the letters of a message were taken as commands (e: edit) and lost."""
    app = make_app(weather_copy)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("f3")
        assert app.focused is app.conversation
        await pilot.press(*"what about Oslo")
        assert app.focused is app.composer
        assert app.composer.value == "what about Oslo", "the saved turn in the composer was replaced, not edited"
        assert app._edit_turn is None
        await pilot.press("f3")
        for key in ("n", "e", "x", "t", "space", "w", "e", "e", "k"):  # keys all queued before focus moves
            app.conversation.post_message(events.Key(key, " " if key == "space" else key))
        await pilot.pause()
        assert app.focused is app.composer and app.composer.value == "what about Oslonext week"
        assert app._edit_turn is None and not app.screen.query("ConfirmScreen")
        await close(app)
