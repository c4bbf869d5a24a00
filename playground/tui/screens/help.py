"""F1: every key binding (key and what it does, aligned in every section) and a short how-it-works."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

HOW = """\
How it works: the Tools pane holds the tool definitions the model sees (an edit with errors never \
replaces the last valid one). Send a message from the composer; the model's tool calls show as \
cards, and each is answered by its mock (Mocks pane) or, in manual mode (f9), by you. The session \
file keeps your messages, tools and mocks; record mode (f10) keeps the model's answers in a \
cassette so `playground replay` reruns it offline. ctrl+p searches every command."""


def binding_groups() -> list[tuple[str, list[Binding]]]:
    from playground.tui.app import PlaygroundApp
    from playground.tui.widgets.conversation import Composer, ConversationView
    from playground.tui.widgets.pending import PendingEditor
    from playground.tui.widgets.tools_pane import ToolList

    def only(bindings) -> list[Binding]:
        return [b for b in bindings if isinstance(b, Binding) and b.description]

    return [
        ("Everywhere", only(PlaygroundApp.BINDINGS) + [Binding("ctrl+p", "command_palette", "Command palette",
                                                                id="command_palette")]),
        ("Composer", only(Composer.BINDINGS)),
        ("Conversation (F3, then ↑↓ to select)", only(ConversationView.BINDINGS)),
        ("Tool list (F2 twice: F2 opens the tool editor, F2 again the list)", only(ToolList.BINDINGS)),
        ("Pending result editor (manual mode)", only(PendingEditor.BINDINGS)),
    ]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q", "dismiss", "Close", id="help.close")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dialog-wide", id="help"):
            yield Static(Text("playground — keys", style="bold"), classes="dialog-title")
            with VerticalScroll(id="help-body"):
                yield Static(Text(HOW, style="dim"), id="help-how")
                for title, bindings in binding_groups():
                    yield Static(help_table(title, bindings), classes="help-table")
            yield Static(Text("Esc closes", style="dim"), classes="dialog-message")

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)


KEY_WIDTH = 14


def key_label(key: str) -> str:
    keys = [k.strip() for k in key.split(",")]
    return ", ".join(k.upper() if len(k) <= 3 and k.startswith("f") and k[1:].isdigit() else k for k in keys)


def help_table(title: str, bindings: list[Binding]) -> Table:
    """Key | what it does; the key column has one width in every section so they line up."""
    table = Table(title=title, title_justify="left", title_style="bold", box=None,
                  padding=(0, 2, 0, 0), show_header=False, expand=True)
    table.add_column("key", style="bold cyan", no_wrap=True, width=KEY_WIDTH)
    table.add_column("what", ratio=1)
    for binding in bindings:
        what = binding.description + (f" — {binding.tooltip}" if binding.tooltip else "")
        table.add_row(key_label(binding.key), what)
    return table
