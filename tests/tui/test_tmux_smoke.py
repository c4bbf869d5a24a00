"""The real command in a real terminal (tmux): it starts, takes typed input, answers, and quits."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.tui.conftest import copy_session

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def _command() -> list[str]:
    cli = Path(sys.executable).with_name("playground")
    if cli.exists():
        return [str(cli)]
    return [sys.executable, "-c", "import sys; from playground.tui.app import create_app; "
                                  "create_app(sys.argv[1]).run()"]


class Tmux:
    def __init__(self, name: str):
        self.name = name

    def run(self, *args: str) -> str:
        return subprocess.run(["tmux", *args], capture_output=True, text=True, timeout=30).stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.name)

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", self.name, *keys)
        time.sleep(0.3)

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")


def test_start_type_answer_quit(tmp_path):
    session = copy_session(tmp_path)
    name = f"playground-smoke-{uuid.uuid4().hex[:8]}"
    tmux = Tmux(name)
    command = " ".join(f"'{part}'" for part in [*_command(), str(session)])
    env = {**os.environ, "TERM": "xterm-256color"}
    subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "120", "-y", "40",
                    f"cd '{tmp_path}' && {command}; echo PLAYGROUND-EXITED $?; sleep 30"],
                   check=True, env=env, timeout=30)
    try:
        screen = tmux.wait_for("Tools (2)", 60)
        assert "Conversation" in screen and "weather" in screen
        tmux.wait_for("saved turn 1/1 in the composer", 30)
        time.sleep(0.5)
        tmux.keys("C-u")  # clear the saved turn from the composer
        tmux.keys("-l", "Search for umbrellas")
        tmux.wait_for("Search for umbrellas", 10)
        tmux.keys("Enter")
        screen = tmux.wait_for("turn 1 done", 60)  # the typed text replaced the saved turn
        assert "search_products" in screen
        tmux.keys("C-q")
        tmux.wait_for("Save the changes", 10)  # it asks about the unsaved turn
        tmux.keys("d")
        screen = tmux.wait_for("PLAYGROUND-EXITED", 20)
        assert "PLAYGROUND-EXITED 0" in screen
        assert "Traceback" not in screen
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True, timeout=30)
