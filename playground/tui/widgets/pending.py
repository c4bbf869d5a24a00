"""Manual mode: a pending tool call with its pre-filled result to edit and submit."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static, TextArea

from playground.tui.widgets.mocks_pane import MocksPane, compact_result

if TYPE_CHECKING:
    from playground.core.events import PendingCall


class PendingEditor(TextArea):
    BINDINGS = [Binding("ctrl+j", "submit_one", "Submit", id="mocks.submit_one")]

    def action_submit_one(self) -> None:
        card = next((a for a in self.ancestors if isinstance(a, PendingCard)), None)
        if card is not None:
            card.submit()


class PendingCard(Vertical):
    """One call waiting for its result."""

    def __init__(self, call: "PendingCall", index: int) -> None:
        super().__init__(classes="pending-card")
        self.call = call
        self.index = index
        self.submitted: str | None = None

    def compose(self) -> ComposeResult:
        call = self.call
        head = Text()
        head.append(f"{self.index + 1}. ", style="bold")
        head.append(call.name, style="bold yellow")
        head.append(f"  {call.call_id}", style="dim")
        args = call.arguments if call.parsed is None else json.dumps(call.parsed, ensure_ascii=False)
        head.append(f"\n   {args}", style="")
        source = call.proposed.source
        head.append(f"\n   proposed by {source}", style="dim")
        if call.problems:
            head.append("\n   ⚠ " + "; ".join(call.problems), style="red")
        yield Static(head, classes="pending-head")
        try:
            text = json.dumps(json.loads(call.proposed.content), indent=2, ensure_ascii=False)
        except ValueError:
            text = call.proposed.content
        yield PendingEditor(text, language="json", theme="vscode_dark", soft_wrap=True,
                            classes="pending-editor", id=f"pending-editor-{self.index}")
        with Horizontal(classes="pending-buttons"):
            yield Button("Submit this", id=f"pending-submit-{self.index}", compact=True, variant="primary")
            yield Static("", classes="pending-state")

    @property
    def editor(self) -> TextArea:
        return self.query_one(PendingEditor)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        """Any text is a valid tool result, but text that was meant as JSON and is not is a slip."""
        event.stop()
        if self.submitted is not None:
            return
        try:
            json.loads(event.text_area.text)
            note = Text("")
        except ValueError:
            note = Text("⚠ not JSON: sent as text", style="yellow")
        self.query_one(".pending-state", Static).update(note)

    def submit(self) -> None:
        if self.submitted is not None:
            return
        self.submitted = compact_result(self.editor.text)
        self.editor.read_only = True
        self.add_class("-submitted")
        self.query_one(".pending-state", Static).update(Text("✓ submitted", style="green"))
        self.query_one(Button).disabled = True
        pane = next((a for a in self.ancestors if isinstance(a, MocksPane)), None)
        if pane is not None:
            pane.card_submitted(self.call.call_id)
