"""Messages the engine worker posts to the app (messages up: widgets change only in handlers)."""

from __future__ import annotations

from typing import Any

from textual.message import Message


class EngineEvent(Message):
    """One event of the engine's run, with the turn it belongs to when it was produced."""

    def __init__(self, run: int, event: Any, turn: int) -> None:
        super().__init__()
        self.run = run
        self.event = event
        self.turn = turn
