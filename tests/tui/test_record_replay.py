"""Record from the TUI, replay from the TUI and from `playground replay`: the same transcript."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.tui.conftest import entries, idle, loaded, make_app

ROOT = Path(__file__).resolve().parents[2]


async def test_record_then_replay_from_the_tui(weather_copy):
    cassette = weather_copy.parent / "cassettes" / "weather.yaml"
    app = make_app(weather_copy, record="once")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        assert app.recorder is not None and not app.recorder.replaying
        assert "recording" in str(app.query_one("#status").content)
        await pilot.press("enter")
        await idle(pilot)
        recorded = [dict(m) for m in app.engine.messages]
        await pilot.press("ctrl+s")
        await pilot.pause()
        await app.close_engine()
    assert cassette.is_file(), "the cassette is written when the turn ends"
    assert len([m for m in recorded if m["role"] == "tool"]) == 2

    replay = make_app(weather_copy, record="none")
    async with replay.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        assert replay.recorder is not None and replay.recorder.replaying
        assert "replaying" in str(replay.query_one("#status").content)
        await pilot.press("f5")
        await idle(pilot)
        assert replay.last_outcome == ""
        assert replay.engine.messages == recorded
        assert [e.data["name"] for e in entries(replay, "call")] == ["get_weather", "search_products"]
        await replay.close_engine()

    # and the saved session replays from the command line to the same transcript
    cli = Path(sys.executable).with_name("playground")
    if not cli.exists():
        pytest.skip("the playground command is not installed")
    done = subprocess.run([str(cli), "replay", str(weather_copy), "--json"], capture_output=True, text=True,
                          timeout=120, cwd=weather_copy.parent)
    assert done.returncode == 0, done.stderr
    transcript = json.loads(done.stdout)
    system = [{"role": "system", "content": "You are a helpful assistant."}]
    assert transcript["messages"] in (recorded, system + recorded)


async def test_a_replay_mismatch_is_an_error_not_a_crash(weather_copy):
    app = make_app(weather_copy, record="once")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("enter")
        await idle(pilot)
        await app.close_engine()

    replay = make_app(weather_copy, record="none")
    async with replay.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        replay.composer.value = "Something the cassette has never seen"
        replay.session.turns.clear()
        replay._reset_view()
        await pilot.press("enter")
        await idle(pilot)
        assert replay.is_running and replay.last_outcome == "error"
        notices = [e for e in entries(replay, "notice") if e.data["level"] == "error"]
        assert notices, "the mismatch is shown in the conversation"
        await replay.close_engine()


async def test_replay_without_a_cassette_falls_back_to_off(weather_copy):
    app = make_app(weather_copy, record="none")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        assert app.record_mode == "off" and app.recorder is None
        assert any("Record mode" in n.message or "cassette" in n.message.lower() for n in app._notifications)
        await app.close_engine()


def _cli_replay(session: Path) -> dict:
    cli = Path(sys.executable).with_name("playground")
    if not cli.exists():
        pytest.skip("the playground command is not installed")
    done = subprocess.run([str(cli), "replay", str(session), "--json"], capture_output=True, text=True,
                          timeout=120, cwd=session.parent)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _interactions(cassette: Path) -> int:
    from playground.recording.cassette import load_cassette

    return len(load_cassette(cassette))


@pytest.mark.parametrize("mode", ["once", "all"])
async def test_recording_keeps_every_turn_and_replays_from_the_cli(weather_copy, mode):
    """Regression: each turn's save used to replace the cassette with that turn's requests only."""
    cassette = weather_copy.parent / "cassettes" / "weather.yaml"
    if mode == "all":  # "all" replaces a good cassette: it must replace it with a whole one
        cassette.write_text("interactions: []\nversion: 1\n", encoding="utf-8")
    app = make_app(weather_copy)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app.set_record_mode(mode)
        await pilot.pause()
        recorder = app.recorder
        assert recorder is not None and not recorder.replaying
        await pilot.press("enter")  # the saved turn
        await idle(pilot)
        assert _interactions(cassette) == 2
        app.composer.focus()
        await pilot.press(*"search for boots", "enter")  # a typed turn
        await idle(pilot)
        assert app.recorder is recorder, "one Recorder for the whole recording period"
        assert _interactions(cassette) == 2, "the new turn is not in the session file yet: nor in the cassette"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert _interactions(cassette) == 4, "saved with the session; turn 1's interactions stay"
        messages = [dict(m) for m in app.engine.messages]
        await app.close_engine()
    assert [t["user"] for t in __import__("yaml").safe_load(weather_copy.read_text())["turns"]][1] == \
        "search for boots"
    transcript = _cli_replay(weather_copy)
    assert transcript["messages"][-len(messages):] == messages
    assert [m["content"] for m in transcript["messages"] if m["role"] == "user"] == [
        "What's the weather like in New York today? Also search for umbrellas", "search for boots"]


@pytest.mark.parametrize("mode", ["once", "all"])
async def test_run_all_records_the_whole_session(weather_copy, mode):
    from playground.core.session import Turn

    cassette = weather_copy.parent / "cassettes" / "weather.yaml"
    app = make_app(weather_copy)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app.session.turns.append(Turn(user="search for boots"))
        app.set_record_mode(mode)
        await pilot.press("f5")
        await idle(pilot)
        assert app.last_outcome == ""
        assert not cassette.exists(), "the session has an unsaved turn: the recording waits for its save"
        # F5 again reruns from the start: still the whole session, not a replay mismatch
        await pilot.press("f5")
        await idle(pilot)
        assert app.last_outcome == ""
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert _interactions(cassette) == 4
        messages = [dict(m) for m in app.engine.messages]
        await app.close_engine()
    transcript = _cli_replay(weather_copy)
    assert transcript["messages"][-len(messages):] == messages


async def test_editing_a_past_turn_while_recording_rewinds_the_cassette(weather_copy):
    """The cassette holds the conversation as it is now: no requests of the turn that was replaced."""
    cassette = weather_copy.parent / "cassettes" / "weather.yaml"
    app = make_app(weather_copy, record="once")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("enter")
        await idle(pilot)
        app.composer.focus()
        await pilot.press(*"search for boots", "enter")
        await idle(pilot)

        async def saved() -> int:
            await pilot.press("ctrl+s")
            await pilot.pause()
            return _interactions(cassette)

        assert await saved() == 4
        view = app.conversation
        view.focus()
        view.cursor = next(i for i, e in enumerate(view.entries) if e.kind == "user" and e.turn == 1)
        await pilot.press("e")
        app.composer.value = "search for raincoats"
        await pilot.press("enter")
        await idle(pilot)
        assert await saved() == 4, "turn 2's first version is gone from the cassette"
        view.focus()
        view.cursor = next(i for i, e in enumerate(view.entries) if e.kind == "user" and e.turn == 1)
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("y")
        await idle(pilot)
        assert await saved() == 2, "a deleted last turn leaves the cassette"
        app.composer.focus()
        await pilot.press(*"search for raincoats", "enter")
        await idle(pilot)
        assert await saved() == 4
        messages = [dict(m) for m in app.engine.messages]
        await app.close_engine()
    from playground.recording.cassette import load_cassette

    bodies = [json.loads(i.request.body) for i in load_cassette(cassette)]
    assert [[m["content"] for m in b["messages"] if m["role"] == "user"][-1] for b in bodies] == [
        "What's the weather like in New York today? Also search for umbrellas"] * 2 + ["search for raincoats"] * 2
    assert _cli_replay(weather_copy)["messages"][-len(messages):] == messages


async def test_a_retried_step_leaves_no_failed_try_in_the_cassette(weather_copy):
    """An error answer recorded for a step the user then retried would be what a replay meets first."""
    from playground.core.loopback import LoopbackServer, Response
    from playground.core.offline.server import offline_handler

    failures = [Response(400, {"content-type": "application/json"},
                         b'{"error": {"message": "try again", "type": "invalid_request_error"}}')]
    server = LoopbackServer(lambda request: failures.pop() if failures else offline_handler(request)).start()
    cassette = weather_copy.parent / "cassettes" / "weather.yaml"
    weather_copy.write_text(weather_copy.read_text().replace("provider: offline", f"provider: {server.base_url}"))
    try:
        app = make_app(weather_copy, record="once")
        async with app.run_test(size=(120, 40)) as pilot:
            await loaded(pilot)
            await pilot.press("enter")
            await idle(pilot)
            assert app.last_outcome == "error"
            await pilot.press("ctrl+r")
            await idle(pilot)
            assert app.last_outcome == "" and app.engine.messages[-1]["role"] == "assistant"
            await app.close_engine()
    finally:
        server.stop()
    from playground.recording.cassette import load_cassette

    assert [i.response.status for i in load_cassette(cassette)] == [200, 200]
    assert _cli_replay(weather_copy)["steps"] == 2


async def test_a_recording_of_unsaved_changes_waits_for_the_session_and_goes_if_they_are_discarded(weather_copy):
    """A cassette written for settings the session file does not have fails `playground replay`."""
    cassette = weather_copy.parent / "cassettes" / "weather.yaml"
    app = make_app(weather_copy, record="all")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app.set_tool_choice("function:search_products")
        await pilot.press("f5")
        await idle(pilot)
        assert app.dirty and app.recording_unsaved and not cassette.exists()
        await pilot.press("ctrl+q")
        await pilot.pause()
        message = app.screen.message
        assert "weather.yaml and the recording to" in message and "cassettes/weather.yaml" in message
        await pilot.press("d")
        await pilot.pause()
    assert not cassette.exists()
