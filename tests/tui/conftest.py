"""Helpers for driving the playground app with Textual pilots."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"


def copy_session(tmp_path: Path, name: str = "weather") -> Path:
    """A copy of a fixture session (with its mock modules and tools files) to change freely."""
    for item in FIXTURES.iterdir():
        if item.name.endswith(".autosave.yaml") or item.name == "__pycache__":
            continue
        target = tmp_path / item.name
        if item.is_dir():
            shutil.copytree(item, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(item, target)
    (tmp_path / "cassettes").mkdir(exist_ok=True)
    return tmp_path / f"{name}.yaml"


@pytest.fixture
def weather_copy(tmp_path: Path) -> Path:
    return copy_session(tmp_path)


async def wait_for(pilot, predicate, timeout: float = 15.0, what: str = "condition") -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)


async def loaded(pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: app.session is not None and bool(app.query("#tool-editor")), what="session")
    await pilot.pause()


async def idle(pilot, timeout: float = 20.0) -> None:
    app = pilot.app
    await pilot.pause()
    await wait_for(pilot, lambda: not app.running, timeout, what="the run to end")
    await pilot.pause()


def entries(app, kind: str | None = None):
    return [e for e in app.conversation.entries if kind is None or e.kind == kind]


def make_app(path: Path | None = None, **kwargs):
    from playground.tui.app import create_app

    app = create_app(path, **kwargs)
    app.autosave_seconds = 3600.0
    return app
