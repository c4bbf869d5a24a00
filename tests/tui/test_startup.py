"""Quitting at the very first frame, before the panes are mounted, exits cleanly (no MountError)."""

from __future__ import annotations

from textual.app import App

from playground.tui.app import create_app
from tests.conftest import FIXTURES


def test_quit_right_after_the_first_frame_is_clean(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    display = App._display

    def paint_then_quit(app, screen, renderable):
        display(app, screen, renderable)
        if renderable is not None:
            app.exit()

    monkeypatch.setattr(App, "_display", paint_then_quit)
    app = create_app(FIXTURES / "weather.yaml")
    app.run(headless=True, size=(120, 40))
    assert app.return_code == 0
