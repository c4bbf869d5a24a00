"""Snapshots (SVG) of each pane and state at 80x24 and 140x42. The offline model is deterministic and
timings are masked, so the pictures are stable. Regenerate with `pytest tests/tui --snapshot-update`
and look at them (snapshot_report.html)."""

from __future__ import annotations

import pytest

from tests.tui.conftest import FIXTURES, ROOT, idle, loaded, make_app, wait_for

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((140, 42), id="140x42")]


@pytest.fixture(autouse=True)
def _in_the_project(monkeypatch):
    monkeypatch.chdir(ROOT)  # the status line shows the session path relative to here


def demo_app():
    app = make_app(FIXTURES / "weather.yaml")
    app.hide_timings = True
    app.cursor_blink = False
    return app


async def _without_toasts(pilot) -> None:
    """notify() posts a message: clearing before it arrives leaves a toast that shows up later."""
    await pilot.pause()
    pilot.app.clear_notifications()
    await pilot.pause()
    assert not pilot.app.query("Toast")


async def _settle(pilot) -> None:
    await pilot.pause(0.3)
    await pilot.app.workers.wait_for_complete()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_start(snap_compare, size):
    async def run_before(pilot):
        await loaded(pilot)
        await _settle(pilot)

    assert snap_compare(demo_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_after_the_demo_turn(snap_compare, size):
    async def run_before(pilot):
        await loaded(pilot)
        await pilot.press("enter")
        await idle(pilot)
        await pilot.app.close_engine()
        await _settle(pilot)

    assert snap_compare(demo_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_tool_editor_with_an_error(snap_compare, size):
    async def run_before(pilot):
        await loaded(pilot)
        editor = pilot.app.tools_pane.editor
        editor.load_text(editor.text.replace('"type": "object"', '"type": "objet"', 1))
        editor.focus()
        editor.move_cursor((0, 0))
        await _settle(pilot)

    assert snap_compare(demo_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_whole_tool_list_view(snap_compare, size):
    async def run_before(pilot):
        await loaded(pilot)
        pilot.app.query_one("#tool-list").focus()
        await pilot.press("w")
        pilot.app.query_one("#tool-list").focus()
        await _settle(pilot)

    assert snap_compare(demo_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_manual_mode_pending_results(snap_compare, size):
    async def run_before(pilot):
        app = pilot.app
        await loaded(pilot)
        app.set_mode("manual")
        await _without_toasts(pilot)
        app.composer.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.mocks_pane.has_pending, what="pending calls")
        await _settle_pending(pilot)

    assert snap_compare(demo_app(), terminal_size=size, run_before=run_before)


async def _settle_pending(pilot) -> None:
    """Wait until two screenshots 0.2 s apart are the same: on a loaded machine the pending editors
    mount and scroll a little later, and a fixed pause was not always enough."""
    previous = None
    for _ in range(40):
        await pilot.pause(0.2)
        await pilot.wait_for_scheduled_animations()
        shot = pilot.app.export_screenshot()
        if shot == previous:
            return
        previous = shot


@pytest.mark.parametrize("size", SIZES)
def test_mocks_pane(snap_compare, size):
    async def run_before(pilot):
        await loaded(pilot)
        await pilot.press("f4")
        pilot.app.mocks_pane.select_tool("search_products")
        await _settle(pilot)

    assert snap_compare(demo_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_help_screen(snap_compare, size):
    async def run_before(pilot):
        await loaded(pilot)
        await pilot.press("f1")
        await _settle(pilot)

    assert snap_compare(demo_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_tool_choice_dialog(snap_compare, size):
    async def run_before(pilot):
        await loaded(pilot)
        await pilot.press("f6")
        await _settle(pilot)

    assert snap_compare(demo_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_provider_error(snap_compare, size):
    async def run_before(pilot):
        app = pilot.app
        await loaded(pilot)
        app.set_provider_model("http://127.0.0.1:9/v1", "gpt-4o")  # the discard port: nothing listens
        await pilot.press("enter")
        await idle(pilot, timeout=60)
        await _without_toasts(pilot)
        await _settle(pilot)

    assert snap_compare(demo_app(), terminal_size=size, run_before=run_before)
