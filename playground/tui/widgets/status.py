"""The status line at the top: the session, what the next request will be, where it is recorded."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Static


@dataclass(frozen=True)
class Status:
    name: str = "untitled"
    path: str | None = None
    dirty: bool = False
    provider: str = "offline"
    model: str = "gpt-4o"
    offline: bool = True
    tool_choice: str = "auto"
    parallel: bool | None = True
    stream: bool = True
    mode: str = "auto"
    record: str = "off"
    """"off", "● recording (once) → path" or "▶ replaying path"."""
    recording: bool = False
    replaying: bool = False
    running: str = ""
    """"" when idle, else what runs ("step 1: streaming", "waiting for your results", ...)."""


class StatusBar(Static):
    """The session on the first line, its settings on the next; items never break in the middle."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.status: Status | None = None

    def show(self, status: Status) -> None:
        self.status = status
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        status = self.status
        if status is None:
            return
        width = max(self.size.width, 40)
        head = Text(" ◆ ", style="bold magenta")
        head.append(status.name, style="bold")
        if status.dirty:
            head.append(" ● unsaved", style="bold yellow")
        if status.path:
            head.append(f"  {status.path}", style="dim")
        if status.running:
            head.append(f"   ⟳ {status.running}", style="bold cyan")
        head.truncate(width, overflow="ellipsis")
        if not status.provider:  # still loading
            self.update(head)
            return

        items: list[Text] = []

        def item(label: str, value: str, style: str = "bold") -> None:
            items.append(Text.assemble((label + " ", "dim"), (value, style)))

        provider = status.provider + (" (offline model)" if status.offline else "")
        item("provider", provider)
        item("model", status.model)
        item("tool_choice", status.tool_choice, "bold cyan" if status.tool_choice != "auto" else "bold")
        item("parallel", {True: "on", False: "off", None: "unset"}[status.parallel])
        item("stream", "on" if status.stream else "off")
        item("results", status.mode, "bold yellow" if status.mode == "manual" else "bold")
        record_style = "bold red" if status.recording else "bold green" if status.replaying else "bold"
        item("rec", status.record, record_style)

        lines = [head]
        line = Text(" ")
        for part in items:
            separator = Text(" │ ", style="dim") if len(line) > 1 else Text("")
            if len(line) > 1 and len(line) + len(separator) + len(part) > width:
                lines.append(line)
                line = Text(" ")
                separator = Text("")
            line.append_text(separator)
            line.append_text(part)
        lines.append(line)
        self.update(Text("\n").join(lines))
