"""The conversation view is virtualized: appending renders only the new entry, drawing renders only
the visible lines, and a long stream is batched; nothing here is timed."""

from __future__ import annotations

from playground.core.events import AssistantMessage, StepStarted, TextDelta, TurnFinished
from playground.tui.messages import EngineEvent
from playground.tui.widgets.conversation import ConversationView, Entry
from tests.tui.conftest import loaded, make_app


async def test_five_thousand_messages_append_and_scroll_without_rerendering(weather_copy):
    app = make_app(weather_copy)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app.session.turns.clear()  # no saved turn waiting at the end: appends go last
        app._reset_view()
        view: ConversationView = app.conversation
        rendered = []
        original = view._renderable

        def counting(entry, width):
            rendered.append(entry)
            return original(entry, width)

        view._renderable = counting  # type: ignore[method-assign]
        for index in range(5000):
            kind = ("user", "assistant", "result")[index % 3]
            view.add(Entry(kind, index // 3, f"message {index}", step=index // 3,
                           data={"name": "get_weather", "source": "mock:static"}))
        await pilot.pause()
        assert len(view.entries) >= 5000
        assert len(rendered) <= 5000 + 200, "each entry is rendered about once"

        rendered.clear()
        view.add(Entry("user", 9999, "one more"))
        await pilot.pause()
        assert rendered.count(view.entries[-1]) == 1
        assert len(set(map(id, rendered))) <= 3, "appending does not re-render the conversation"
        assert view.scroll_y == view.max_scroll_y, "the view follows the end"
        assert "one more" in view.render_line(view.size.height - 2).text + view.render_line(
            view.size.height - 1).text + view.render_line(view.size.height - 3).text

        rendered.clear()
        view.scroll_home(animate=False)
        await pilot.pause()
        assert "system" in view.render_line(1).text
        assert len(rendered) == 0, "scrolling draws from the cache"
        view.focus()
        await pilot.press("end")
        assert view.cursor == len(view.entries) - 1
        await app.close_engine()


async def test_a_long_stream_is_shown_live_and_the_ui_still_answers(weather_copy):
    app = make_app(weather_copy)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app._run_id += 1
        run = app._run_id
        app.running = "streaming"
        app.composer.value = ""
        app.post_message(EngineEvent(run, StepStarted(1, {}), 0))
        words = [f"word{index} " for index in range(2000)]
        for chunk in range(0, 2000, 100):
            for word in words[chunk:chunk + 100]:
                app.post_message(EngineEvent(run, TextDelta(word), 0))
            await pilot.press("x")  # typing in the composer while the stream goes on
        await pilot.pause(0.2)
        entry = app.conversation.last("assistant")
        assert entry is not None and entry.text == "".join(words)
        assert app.composer.value.endswith("x" * 20), "input was handled during the stream"
        message = {"role": "assistant", "content": "".join(words)}
        app.post_message(EngineEvent(run, AssistantMessage(message, "stop", 1.0, 0.1), 0))
        app.post_message(EngineEvent(run, TurnFinished("".join(words), "stop", 1), 0))
        await pilot.pause(0.2)
        assert not entry.data.get("streaming")
        assert "word1999" in app.conversation.plain_text()
        await app.close_engine()


async def test_schema_problems_of_the_arguments_are_flagged_on_the_card(weather_copy):
    from playground.core.events import PendingCall, ToolCallsRequested, ToolResult
    from playground.core.mocks import ToolOutput

    app = make_app(weather_copy)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app._run_id += 1
        run = app._run_id
        app.running = "running"
        message = {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"unit": "kelvin"}'}}]}
        problem = "arguments: 'city' is a required property"
        output = ToolOutput('{"error": "arguments do not match"}', "fault", is_error=True)
        for event in (StepStarted(1, {}), AssistantMessage(message, "tool_calls", 0.5, 0.1),
                      ToolCallsRequested((PendingCall("call_1", "get_weather", '{"unit": "kelvin"}',
                                                      {"unit": "kelvin"}, (problem,), output),), False),
                      ToolResult("call_1", "get_weather", output)):
            app.post_message(EngineEvent(run, event, 0))
        await pilot.pause(0.2)
        card = app.conversation.last("call")
        assert card.data["problems"] == [problem]
        text = app.conversation.plain_text()
        assert "⚠ arguments: 'city' is a required property" in text
        assert "error result (model fault)" in text
        await app.close_engine()
