"""The composer: the next user message (a light module: it is on the first frame)."""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input
from textual.widgets.input import Selection


class Composer(Input):
    """The next user message. Enter sends."""

    BINDINGS = [
        Binding("enter", "send", "Send", id="send"),
    ]

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("select_on_focus", False)  # focusing keeps the cursor (and the text's start) in view
        super().__init__(*args, **kwargs)

    class SendRequested(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def offer(self, text: str) -> None:
        """Put `text` in, all selected with the cursor at its start: the start is in view, and typing
        replaces it instead of running into it."""
        self.value = text
        self.selection = Selection(len(text), 0)

    def type_text(self, text: str) -> None:
        """Text typed while another widget had the focus: it replaces the selection, as typing does."""
        start, end = sorted(self.selection)
        self.replace(text, start, end)

    def action_send(self) -> None:
        self.post_message(self.SendRequested(self.value))
