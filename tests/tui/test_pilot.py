"""The app driven as a user would: keys and clicks through Textual's pilot, the offline model over
real loopback HTTP, files in a temporary folder."""

from __future__ import annotations

import json
import socket

import pytest
import yaml

from tests.tui.conftest import entries, idle, loaded, make_app, wait_for

DEMO = "What's the weather like in New York today? Also search for umbrellas"


async def close(app) -> None:
    await app.close_engine()


# -- tools ------------------------------------------------------------------------------------------

async def test_broken_json_shows_line_and_column_and_keeps_the_last_valid_tool(weather_copy):
    app = make_app(weather_copy)
    async with app.run_test(size=(140, 42)) as pilot:
        await loaded(pilot)
        pane = app.tools_pane
        before = json.dumps(app.session.tools[0])
        editor = pane.editor
        editor.focus()
        text = editor.text
        broken = text.replace('"name": "get_weather",', '"name": "get_weather"', 1)  # a missing comma
        editor.load_text(broken)
        await pilot.pause()
        errors = [p for p in pane.problems if p.severity == "error"]
        assert errors, "a syntax error is reported"
        assert (errors[0].line, errors[0].column) == (5, 5), errors[0]  # where the comma is missing
        assert json.dumps(app.session.tools[0]) == before, "an invalid edit never replaces the tool"
        assert pane.has_class("-invalid")
        shown = str(pane.query_one("#tool-problems").get_option_at_index(0).prompt)
        assert f"{errors[0].line}:{errors[0].column}" in shown
        assert "✗" in str(pane.query_one("#tool-list").get_option_at_index(0).prompt)

        # a schema error is placed too, with its JSON path
        editor.load_text(text.replace('"type": "object"', '"type": "objet"', 1))
        await pilot.pause()
        errors = [p for p in pane.problems if p.severity == "error"]
        assert errors and "parameters" in errors[0].path and errors[0].line, errors
        assert json.dumps(app.session.tools[0]) == before

        # fixed: applied, and the session has changed
        fixed = text.replace('"Get the current weather in a given city"', '"Current weather for a city"')
        editor.load_text(fixed)
        await pilot.pause()
        assert not [p for p in pane.problems if p.severity == "error"]
        assert app.session.tools[0]["function"]["description"] == "Current weather for a city"
        assert not pane.has_class("-invalid")
        assert app.dirty
        await close(app)


async def test_typing_in_the_editor_reports_errors_as_you_type(weather_copy):
    app = make_app(weather_copy)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        editor = app.tools_pane.editor
        editor.focus()
        editor.move_cursor((0, 1))  # after the opening brace
        await pilot.press("x")
        errors = [p for p in app.tools_pane.problems if p.severity == "error"]
        assert errors and errors[0].line == 1, errors
        await pilot.press("backspace")
        assert not [p for p in app.tools_pane.problems if p.severity == "error"]
        await close(app)


async def test_add_duplicate_rename_delete_tools(weather_copy):
    app = make_app(weather_copy)
    async with app.run_test(size=(140, 42)) as pilot:
        await loaded(pilot)
        app.query_one("#tool-list").focus()
        await pilot.press("a")
        await pilot.pause()
        assert app.session.tool_names()[-1] == "new_tool"
        app.query_one("#tool-list").focus()
        await pilot.press("d")
        await pilot.pause()
        assert "new_tool_copy" in app.session.tool_names()
        app.query_one("#tool-list").focus()
        await pilot.press("r")
        await pilot.pause()
        prompt = app.screen.query_one("#prompt-input")
        prompt.value = "lookup"
        await pilot.press("enter")
        await pilot.pause()
        assert "lookup" in app.session.tool_names() and "new_tool_copy" not in app.session.tool_names()
        app.query_one("#tool-list").focus()
        await pilot.press("delete")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert "lookup" not in app.session.tool_names()
        assert app.session.tool_names()[:2] == ["get_weather", "search_products"]
        await close(app)


async def test_a_name_another_tool_has_is_refused_in_the_rename_dialog_and_the_editor(weather_copy):
    app = make_app(weather_copy)
    async with app.run_test(size=(140, 42)) as pilot:
        await loaded(pilot)
        app.query_one("#tool-list").focus()
        await pilot.press("r")
        await pilot.pause()
        app.screen.query_one("#prompt-input").value = "search_products"
        await pilot.pause()
        problem = str(app.screen.query_one("#prompt-problem").content)
        assert problem == "duplicate name 'search_products': tools[1] already has it"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.query("#prompt-input"), "the dialog stays open"
        await pilot.press("escape")
        await pilot.pause()

        editor = app.tools_pane.editor
        editor.load_text(editor.text.replace('"get_weather"', '"search_products"', 1))
        await pilot.pause()
        assert app.session.tool_names() == ["get_weather", "search_products"], "the valid definition stays"
        assert [(p.path, p.message) for p in app.tools_pane.problems if p.severity == "error"] == [
            ("tools[0].function.name", "duplicate name 'search_products': tools[1] already has it")]
        await close(app)


async def test_rename_moves_the_mock_and_forced_choice(weather_copy):
    app = make_app(weather_copy)
    async with app.run_test(size=(140, 42)) as pilot:
        await loaded(pilot)
        app.set_tool_choice("function:get_weather")
        app.tools_pane.rename_tool(0, "weather_now")
        await pilot.pause()
        assert "weather_now" in app.session.mocks and "get_weather" not in app.session.mocks
        assert app.session.tool_choice.function == "weather_now"
        await close(app)


async def test_load_an_mcp_tools_list_result(weather_copy, tmp_path):
    mcp = {"jsonrpc": "2.0", "id": 1, "result": {"tools": [
        {"name": "read_file", "description": "Read a file from disk",
         "inputSchema": {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]}},
    ]}}
    path = tmp_path / "mcp_tools.json"
    path.write_text(json.dumps(mcp))
    app = make_app(weather_copy)
    async with app.run_test(size=(140, 42)) as pilot:
        await loaded(pilot)
        app._load_tools_file(path)
        await pilot.pause()
        await pilot.click("#append")
        await pilot.pause()
        assert app.session.tool_names() == ["get_weather", "search_products", "read_file"]
        tool = app.session.find_tool("read_file")
        assert tool["function"]["parameters"]["required"] == ["path"]
        await close(app)


async def test_a_bad_tools_file_is_a_notification(weather_copy, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('[{"type": "function", "function": {"name": "x",}}]')
    app = make_app(weather_copy)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app._load_tools_file(path)
        await pilot.pause()
        assert any("broken.json" in n.message for n in app._notifications)
        assert app.session.tool_names() == ["get_weather", "search_products"]
        await close(app)


# -- the conversation -------------------------------------------------------------------------------

async def test_send_the_demo_message_shows_two_parallel_calls_and_the_answer(weather_copy):
    app = make_app(weather_copy)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        assert app.focused is app.composer, "the composer has the focus at start"
        assert app.composer.value == DEMO, "the saved turn waits in the composer"
        await pilot.press("enter")
        await idle(pilot)
        calls = entries(app, "call")
        assert [c.data["name"] for c in calls] == ["get_weather", "search_products"]
        assert json.loads(calls[0].data["arguments"]) == {"city": "New York"}
        assert json.loads(calls[1].data["arguments"]) == {"query": "umbrellas"}
        results = entries(app, "result")
        assert [r.data["source"] for r in results] == ["mock:python", "mock:python"]
        answer = entries(app, "assistant")[-1].text
        assert "Sunny" in answer and "Umbrella A" in answer
        assert any(e.kind == "meta" and "step 1" in e.text for e in app.conversation.entries)
        text = app.conversation.plain_text()
        assert "⚙ get_weather" in text and "⚙ search_products" in text
        assert not app.dirty, "running a saved turn changes nothing in the file"

        # a new message of one's own
        await pilot.press(*"Search for umbrellas")
        await pilot.press("enter")
        await idle(pilot)
        assert len(app.session.turns) == 2 and app.session.turns[1].user == "Search for umbrellas"
        assert app.dirty
        await close(app)


async def test_manual_mode_edit_a_pending_result_and_submit(weather_copy):
    app = make_app(weather_copy)
    async with app.run_test(size=(140, 42)) as pilot:
        await loaded(pilot)
        await pilot.press("f9")
        assert app.session.mode == "manual" and app.engine.mode == "manual"
        app.composer.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.mocks_pane.has_pending, what="pending calls")
        await pilot.pause()
        cards = list(app.query(".pending-card"))
        assert [c.call.name for c in cards] == ["get_weather", "search_products"]
        assert json.loads(cards[0].editor.text)["temperature"] == 22, "pre-filled from the mock"
        state = cards[0].query_one(".pending-state")
        cards[0].editor.load_text('X{"city": "New York"}')
        await pilot.pause()
        assert str(state.content) == "⚠ not JSON: sent as text"
        cards[0].editor.load_text('{"city": "New York", "temperature": -3, "condition": "Snow"}')
        await pilot.pause()
        assert str(state.content) == ""
        cards[0].editor.focus()
        await pilot.press("ctrl+j")  # submit this one
        await pilot.pause()
        assert cards[0].submitted is not None and app.engine.waiting_for_results
        title = str(app.query_one("#pending-title").content)
        assert title.startswith("‖ 1 call waits for your result"), "the count follows the submits"
        view_text = app.conversation.plain_text()
        assert view_text.count("waiting for your result") == 1 and "result submitted; sent with the others" in view_text
        await pilot.press("ctrl+r")  # submit the rest
        await idle(pilot)
        results = entries(app, "result")
        assert results[0].data["source"] == "hand"
        assert json.loads(results[0].text) == {"city": "New York", "temperature": -3, "condition": "Snow"}
        assert results[1].data["source"] == "mock:python", "a result submitted unchanged stays the mock's"
        assert "Snow" in entries(app, "assistant")[-1].text
        assert "hand-written" in app.conversation.plain_text()
        tool_messages = [m for m in app.engine.messages if m["role"] == "tool"]
        assert json.loads(tool_messages[0]["content"])["temperature"] == -3
        assert list(app.session.turns[0].results) == [cards[0].call.call_id], "kept in the session"
        await close(app)


async def test_cancel_while_waiting_for_results(weather_copy):
    app = make_app(weather_copy)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app.set_mode("manual")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.mocks_pane.has_pending, what="pending calls")
        await pilot.press("escape")
        await idle(pilot)
        assert not app.mocks_pane.has_pending
        assert app.last_outcome == "cancelled"
        assert not entries(app, "call"), "the cancelled step is undone"
        assert any(e.kind == "notice" and "cancelled" in e.text for e in app.conversation.entries)
        app.set_mode("auto")
        await pilot.press("ctrl+r")  # continue
        await idle(pilot)
        assert "Sunny" in entries(app, "assistant")[-1].text
        await close(app)


async def test_force_a_function_and_see_it_used(weather_copy):
    app = make_app(weather_copy)
    async with app.run_test(size=(140, 42)) as pilot:
        await loaded(pilot)
        await pilot.press("f6")
        await pilot.pause()
        choices = app.screen.query_one("#choice-list")
        choices.highlighted = choices.get_option_index("function:search_products")
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.tool_choice.function == "search_products"
        assert "force search_products" in str(app.query_one("#status").content)
        app.composer.value = "What's the weather like in Paris?"
        app.composer.focus()
        await pilot.press("enter")
        await idle(pilot)
        calls = entries(app, "call")
        assert calls and {c.data["name"] for c in calls} == {"search_products"}
        request = app.engine.request()
        assert request["tool_choice"] == {"type": "function", "function": {"name": "search_products"}}
        await close(app)


async def test_parallel_off_and_stream_off(weather_copy):
    app = make_app(weather_copy)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("f7")
        await pilot.press("f8")
        assert app.session.parallel_tool_calls is False and app.session.stream is False
        app.composer.focus()
        await pilot.press("enter")
        await idle(pilot)
        first_step_calls = [e for e in entries(app, "call") if e.step == 1]
        assert len(first_step_calls) == 1, "at most one call per step without parallel tool calls"
        assert entries(app, "assistant")[-1].text
        await close(app)


async def test_edit_a_past_message_and_rerun(weather_copy):
    app = make_app(weather_copy)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("enter")
        await idle(pilot)
        view = app.conversation
        await pilot.press("f3")  # to the conversation
        assert app.focused is view
        view.cursor = next(i for i, e in enumerate(view.entries) if e.kind == "user")
        await pilot.press("e")
        assert app.focused is app.composer and app.composer.value == DEMO
        app.composer.value = "Search for raincoats"
        await pilot.press("enter")
        await idle(pilot)
        assert [t.user for t in app.session.turns] == ["Search for raincoats"]
        assert [e.data["name"] for e in entries(app, "call")] == ["search_products"]
        assert len(entries(app, "user")) == 1
        assert [m["content"] for m in app.engine.messages if m["role"] == "user"] == ["Search for raincoats"]
        await close(app)


async def test_delete_a_past_message_and_rerun_the_rest(weather_copy):
    path = weather_copy.with_name("trip_planner.yaml")
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("f5")  # run the whole session
        await idle(pilot)
        assert len(app.engine.turn_starts) == 2
        view = app.conversation
        view.focus()
        view.cursor = next(i for i, e in enumerate(view.entries) if e.kind == "user" and e.turn == 0)
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("y")
        await idle(pilot)
        assert [t.user for t in app.session.turns] == ["Book a hotel in Lisbon for 3 nights"]
        assert [e.data["name"] for e in entries(app, "call")] == ["book_hotel"]
        assert len(app.engine.turn_starts) == 1
        await close(app)


async def test_clear_conversation(weather_copy):
    app = make_app(weather_copy)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("enter")
        await idle(pilot)
        await pilot.press("ctrl+l")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert app.session.turns == [] and app.engine.messages == []
        assert [e.kind for e in app.conversation.entries] == ["system"]
        await close(app)


# -- files ------------------------------------------------------------------------------------------

async def test_save_and_reopen(weather_copy):
    app = make_app(weather_copy)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("enter")
        await idle(pilot)
        await pilot.press(*"Search for umbrellas")
        await pilot.press("enter")
        await idle(pilot)
        app.set_tool_choice("required")
        app.tools_pane.run_action("add")
        await pilot.pause()
        assert app.dirty
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not app.dirty
        assert not weather_copy.with_name("weather.autosave.yaml").exists()
        await close(app)
    data = yaml.safe_load(weather_copy.read_text())
    assert [t["user"] for t in data["turns"]] == [DEMO, "Search for umbrellas"]
    assert data["tool_choice"] == "required"

    again = make_app(weather_copy)
    async with again.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        assert again.session.tool_names() == ["get_weather", "search_products", "new_tool"]
        assert [e.text for e in entries(again, "user")] == [DEMO, "Search for umbrellas"]
        assert all(e.data.get("queued") for e in entries(again, "user"))
        assert not again.dirty
        await close(again)


async def test_save_as_and_new_session(weather_copy, tmp_path):
    app = make_app(weather_copy)
    target = tmp_path / "copy.yaml"
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("f12")
        await pilot.pause()
        app.screen.query_one("#prompt-input").value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        assert target.is_file() and app.session.path == target
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.session.name == "untitled" and app.session.tools == []
        assert app.session.path is None
        await close(app)


async def test_save_as_into_another_folder_warns_that_the_python_mocks_stay_behind(weather_copy, tmp_path):
    target = tmp_path / "elsewhere" / "copy.yaml"
    target.parent.mkdir()
    app = make_app(weather_copy)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        assert app.save_to(target)
        await pilot.pause()
        warnings = [n.message for n in app._notifications if n.title == "Python mocks"]
        assert len(warnings) == 1 and "weather_mocks" in warnings[0] and "Copy the module from" in warnings[0]
        app.clear_notifications()
        assert app.save_to(target.with_name("again.yaml"))
        await pilot.pause()
        assert not [n for n in app._notifications if n.title == "Python mocks"], "same folder: nothing to say"
        await close(app)


async def test_quit_with_unsaved_changes_asks(weather_copy):
    app = make_app(weather_copy)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("f7")
        assert app.dirty
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmScreen"
        await pilot.press("escape")  # cancel: stay
        await pilot.pause()
        assert app.is_running
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("s")  # save, then quit
        await wait_for(pilot, lambda: not app.is_running or app._exit_renderables is not None, 5, "exit")
    assert yaml.safe_load(weather_copy.read_text())["parallel_tool_calls"] is False


async def test_autosave_and_recovery(weather_copy):
    app = make_app(weather_copy)
    app.autosave_seconds = 0.2
    backup = weather_copy.with_name("weather.autosave.yaml")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app.set_tool_choice("none")
        await wait_for(pilot, backup.exists, 5, "the autosave")
        await close(app)
    assert yaml.safe_load(backup.read_text())["tool_choice"] == "none"
    assert yaml.safe_load(weather_copy.read_text())["tool_choice"] == "auto", "the session file is untouched"

    again = make_app(weather_copy)
    async with again.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await wait_for(pilot, lambda: type(again.screen).__name__ == "ConfirmScreen", 5, "the recovery question")
        await pilot.press("r")
        await pilot.pause()
        assert again.session.tool_choice == "none" and again.dirty
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not backup.exists()
        await close(again)


async def test_export_writes_beside_the_session(weather_copy):
    app = make_app(weather_copy)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        path = app.export("python", "file")
        await pilot.pause()
        assert path == weather_copy.with_name("weather.export.py") and path.is_file()
        assert "get_weather" in path.read_text()
        assert any(str(path) in n.message for n in app._notifications)
        await close(app)


async def test_export_dialog_to_the_clipboard(weather_copy):
    app = make_app(weather_copy)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("ctrl+g")
        await pilot.pause()
        choices = app.screen.query_one("#choice-list")
        choices.highlighted = choices.get_option_index("curl:clipboard")
        await pilot.press("enter")
        await pilot.pause()
        assert "curl" in app.clipboard and "chat/completions" in app.clipboard
        assert not weather_copy.with_name("weather.export.sh").exists()
        await close(app)


# -- mocks ------------------------------------------------------------------------------------------

async def test_edit_a_mock_kind_and_body(weather_copy):
    app = make_app(weather_copy)
    async with app.run_test(size=(140, 42)) as pilot:
        await loaded(pilot)
        pane = app.mocks_pane
        pane.select_tool("search_products")
        await pilot.pause()
        select = pane.query_one("#mock-kind")
        select.value = "static"
        await pilot.pause()
        assert app.session.mocks["search_products"].kind == "static"
        editor = pane.query_one("#mock-editor")
        editor.load_text('[{"name": "Brolly", "price": 5}')  # broken
        await pilot.pause()
        assert pane.has_class("-invalid")
        assert app.session.mocks["search_products"].kind == "static"
        editor.load_text('[{"name": "Brolly", "price": 5}]')
        await pilot.pause()
        assert app.session.mocks["search_products"].static == [{"name": "Brolly", "price": 5}]
        await pilot.press("enter")  # composer still has the saved turn
        app.composer.focus()
        await pilot.press("enter")
        await idle(pilot)
        assert "Brolly" in entries(app, "assistant")[-1].text
        await close(app)


# -- errors keep the app alive ----------------------------------------------------------------------

def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_a_closed_port_is_an_error_in_the_conversation_not_a_crash(weather_copy):
    port = _closed_port()
    app = make_app(weather_copy, provider=f"http://127.0.0.1:{port}/v1")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("enter")
        await idle(pilot, timeout=60)
        notices = [e for e in app.conversation.entries if e.kind == "notice" and e.data["level"] == "error"]
        assert notices and "reach" in notices[-1].text.lower()
        assert app.last_outcome == "error" and app.is_running
        assert app.engine.messages[-1]["role"] == "user", "the session stays as it was"
        await pilot.press("ctrl+r")  # retry: fails again, still alive
        await idle(pilot, timeout=60)
        assert app.is_running and app.last_outcome == "error"
        await close(app)


async def test_a_broken_session_file_opens_an_empty_session(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: broken\ntools: [\n")
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        assert app.session.path is None and app.session.tools == []
        assert any("broken.yaml" in e.text for e in entries(app, "notice"))
        await close(app)
    assert path.read_text() == "name: broken\ntools: [\n", "nothing is written over a file that could not be read"


async def test_a_failing_mock_module_is_an_error_result(weather_copy):
    weather_copy.with_name("weather_mocks.py").write_text("raise RuntimeError('boom')\n")
    app = make_app(weather_copy)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("enter")
        await idle(pilot)
        results = entries(app, "result")
        assert results and all(r.data["is_error"] for r in results)
        assert "boom" in results[0].text
        await close(app)


async def test_invalid_tools_are_not_sent(weather_copy):
    app = make_app(weather_copy)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app.session.tools[0]["function"]["name"] = "bad name!"
        await pilot.press("enter")
        await pilot.pause()
        assert not app.running and not entries(app, "call")
        assert any("Fix the tools" in n.message for n in app._notifications)
        await close(app)


# -- keyboard first ---------------------------------------------------------------------------------

async def test_every_app_binding_has_an_id_and_a_palette_command(weather_copy):
    from playground.tui.app import PlaygroundApp
    from playground.tui.commands import app_commands

    app = make_app(weather_copy)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        names = [name for name, _, _ in app_commands(app)]
        for binding in PlaygroundApp.BINDINGS:
            assert binding.id, binding
        for wanted in ("Send", "Cancel", "provider / model", "tool_choice: force get_weather",
                       "parallel", "streaming", "manual", "Record mode: once", "Open", "Save the session",
                       "Save the session as", "New session", "Export python", "Export curl", "Export json",
                       "Clear the conversation", "Help"):
            assert any(wanted.lower() in name.lower() for name in names), wanted
        system = [command.title for command in app.get_system_commands(app.screen)]
        assert "Theme" in system and "Quit" not in system, "one Quit in the palette: ours, that asks"
        await close(app)


async def test_command_palette_runs_a_command(weather_copy):
    app = make_app(weather_copy)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"force search_products")
        await wait_for(pilot, lambda: app.screen.query("CommandList") and
                       app.screen.query_one("CommandList").option_count > 0, 5, "hits")
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.tool_choice.function == "search_products"
        await close(app)


async def test_help_screen_lists_the_bindings(weather_copy):
    app = make_app(weather_copy)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ != "HelpScreen"
        await close(app)


async def test_footer_shows_bindings(weather_copy):
    app = make_app(weather_copy)
    async with app.run_test(size=(200, 40)) as pilot:
        await loaded(pilot)
        await pilot.pause(0.2)
        keys = {key.key for key in app.query("FooterKey")}
        assert {"enter", "f1", "f5", "f10", "ctrl+s", "ctrl+q"} <= keys
        assert "f6" not in keys, "the rest stay in the palette and help, out of the footer"
        await close(app)


@pytest.mark.parametrize("width", [80, 120])
async def test_the_footer_fits_without_truncation(weather_copy, width):
    """Regression: at 120 columns the footer ended in "▏ctrl+p palettee" and cut `^s Save` off."""
    app = make_app(weather_copy)
    async with app.run_test(size=(width, 30)) as pilot:
        await loaded(pilot)
        await pilot.pause(0.2)
        for focus in ("#composer", "#tool-editor", "#tool-list", "#mock-editor", "#conversation"):
            app.action_focus_pane("mocks" if "mock" in focus else "tools")
            app.query_one(focus).focus()
            footer = app.query_one("Footer")
            await pilot.pause(0.3)
            await wait_for(pilot, lambda: "ctrl+s" in {k.key for k in footer.query("FooterKey")}, 5, "the footer")
            keys = list(footer.query("FooterKey"))
            used = sum(key.outer_size.width for key in keys)
            assert used <= width, f"{focus}: the footer keys need {used} columns of {width}"
            shown = {key.key for key in keys}
            assert "ctrl+s" in shown and "ctrl+q" in shown, focus
        # manual mode, calls pending: Esc, ctrl+r and ctrl+j join; the footer still fits
        await pilot.press("f9")
        app.composer.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.mocks_pane.has_pending, what="pending calls")
        await pilot.pause(0.3)
        keys = list(app.query_one("Footer").query("FooterKey"))
        shown = {key.key for key in keys}
        assert {"escape", "ctrl+r", "ctrl+s", "ctrl+q"} <= shown, shown
        assert sum(key.outer_size.width for key in keys) <= width
        app._cancel_run()
        await close(app)


async def test_mouse_clicks_select_a_tool_and_add_one(weather_copy):
    app = make_app(weather_copy)
    async with app.run_test(size=(140, 42)) as pilot:
        await loaded(pilot)
        await pilot.click("#tool-add")
        await pilot.pause()
        assert app.session.tool_names()[-1] == "new_tool"
        await close(app)


async def test_narrow_layout_switches_side_panes(weather_copy):
    app = make_app(weather_copy)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        assert app.screen.has_class("-narrow")
        assert app.query_one("#tools-pane").display and not app.query_one("#mocks-pane").display
        await pilot.press("f4")
        await pilot.pause()
        assert app.query_one("#mocks-pane").display and not app.query_one("#tools-pane").display
        await pilot.click("#tools-tab")
        await pilot.pause()
        assert app.query_one("#tools-pane").display
        await close(app)


async def test_a_failing_worker_is_shown_and_the_app_stays_up(weather_copy):
    app = make_app(weather_copy)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)

        async def broken(text):
            raise RuntimeError("the engine fell over")
            yield  # pragma: no cover

        app.engine.send = broken  # type: ignore[method-assign]
        app.composer.value = ""
        app.session.turns.clear()
        app._reset_view()
        await pilot.press(*"hello")
        await pilot.press("enter")
        await idle(pilot)
        assert app.is_running and app.last_outcome == "error"
        assert any("fell over" in e.text for e in entries(app, "notice"))
        assert any("fell over" in n.message for n in app._notifications)
        await close(app)


async def test_edit_the_system_prompt(weather_copy):
    app = make_app(weather_copy)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        view = app.conversation
        view.focus()
        view.cursor = 0
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#prompt-input").value = "You answer in one sentence."
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.system == "You answer in one sentence."
        assert entries(app, "system")[0].text == "You answer in one sentence."
        assert app.dirty
        await close(app)


async def test_renaming_in_the_json_moves_the_mock(weather_copy):
    app = make_app(weather_copy)
    async with app.run_test(size=(140, 42)) as pilot:
        await loaded(pilot)
        editor = app.tools_pane.editor
        editor.load_text(editor.text.replace('"name": "get_weather"', '"name": "weather"', 1))
        await pilot.pause()
        assert app.session.tool_names()[0] == "weather"
        assert "weather" in app.session.mocks and "get_weather" not in app.session.mocks
        await close(app)


async def test_hand_results_no_call_answers_show_a_warning_in_the_conversation(weather_copy):
    text = weather_copy.read_text()
    weather_copy.write_text(text.replace("    results: {}\n", "    results:\n      call_gone: '{\"x\": 1}'\n"))
    app = make_app(weather_copy)
    async with app.run_test(size=(140, 42)) as pilot:
        await loaded(pilot)
        await pilot.press("enter")
        await idle(pilot)
        warnings = [e for e in entries(app, "notice") if e.data["level"] == "warning"]
        assert [w.text.split(":", 1)[0] for w in warnings] == ["turn 1"]
        assert "call_gone went unused" in warnings[0].text
        assert entries(app)[-2] is warnings[0], "shown where the turn ends, before its usage line"
        await close(app)


async def test_saved_turns_run_one_by_one_stay_in_their_order(weather_copy):
    path = weather_copy.with_name("trip_planner.yaml")
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        saved = [t.user for t in app.session.turns]
        assert len(saved) >= 2
        await pilot.press("enter")  # the first saved turn only
        await idle(pilot)
        users = [(e.turn, e.data.get("queued", False)) for e in entries(app, "user")]
        assert users == [(0, False)] + [(i, True) for i in range(1, len(saved))]
        kinds = [e.kind for e in app.conversation.entries]
        assert kinds[-(len(saved) - 1):] == ["user"] * (len(saved) - 1), "what has not run stays last"
        assert "assistant" in kinds[:kinds.index("user", kinds.index("user") + 1)]
        for _ in saved[1:]:
            await pilot.press("enter")
            await idle(pilot)
        turns = [e.turn for e in app.conversation.entries if e.turn >= 0]
        assert turns == sorted(turns), "each turn's entries follow the previous turn's"
        assert [e.text for e in entries(app, "user")] == saved
        await close(app)


async def test_a_duplicate_takes_the_mock_and_deleting_the_forced_tool_resets_tool_choice(weather_copy):
    app = make_app(weather_copy)
    async with app.run_test(size=(140, 42)) as pilot:
        await loaded(pilot)
        tool_list = app.query_one("#tool-list")
        tool_list.focus()
        await pilot.press("d")
        await pilot.pause()
        assert app.session.tool_names() == ["get_weather", "get_weather_copy", "search_products"]
        assert app.session.mocks["get_weather_copy"] == app.session.mocks["get_weather"]
        assert app.mocks_pane.frame.border_title == "Mocks (3)"
        assert app.focused is tool_list, "the list keeps the focus: r renames the copy, Delete removes it"
        app.set_tool_choice("function:get_weather_copy")
        await pilot.press("delete")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert app.session.tool_names() == ["get_weather", "search_products"]
        assert app.session.tool_choice == "auto"
        assert any("forced get_weather_copy, which is gone" in n.message for n in app._notifications)
        await close(app)
