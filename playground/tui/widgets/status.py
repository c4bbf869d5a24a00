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
        self.update(Text("\n").join(self.lines(status, width)))

    @staticmethod
    def lines(status: Status, width: int) -> list[Text]:
        """Two lines at any width from 80 up: labels get shorter, the path goes when it does not fit."""
        head = Text(" ◆ ", style="bold magenta")
        head.append(status.name, style="bold")
        if status.dirty:
            head.append(" ● unsaved", style="bold yellow")
        running = Text(f"   ⟳ {status.running}", style="bold cyan") if status.running else Text("")
        if status.path and len(head) + 2 + len(status.path) + len(running) <= width:
            head.append(f"  {status.path}", style="dim")
        head.append_text(running)
        head.truncate(width, overflow="ellipsis")
        if not status.provider:  # still loading
            return [head]
        for compact in range(5):
            line = StatusBar._settings(status, compact)
            if len(line) <= width or compact == 4:
                break
        line.truncate(width, overflow="ellipsis")
        return [head, line]

    @staticmethod
    def _settings(status: Status, compact: int) -> Text:
        items: list[Text] = []

        def item(label: str, value: str, style: str = "bold") -> None:
            items.append(Text.assemble((label + " " if label else "", "dim"), (value, style)))

        offline_note = " (offline model)" if status.offline and status.provider != "offline" else ""
        if compact >= 2:
            item("", f"{status.provider}{' ⌂' if offline_note else ''} · {status.model}")
        else:
            item("provider", status.provider + offline_note)
            item("model", status.model)
        item("tool_choice" if compact < 3 else "choice", status.tool_choice,
             "bold cyan" if status.tool_choice != "auto" else "bold")
        item("parallel" if compact < 3 else "par", {True: "on", False: "off", None: "unset"}[status.parallel])
        item("stream", "on" if status.stream else "off")
        item("results", status.mode, "bold yellow" if status.mode == "manual" else "bold")
        record = status.record
        if compact >= 1 and " → " in record:
            record = record.split(" → ")[0]
        if compact >= 1 and record.startswith("▶ replaying "):
            record = "▶ replaying"
        record_style = "bold red" if status.recording else "bold green" if status.replaying else "bold"
        item("rec", record, record_style)
        separator = Text(" │ " if compact < 4 else "│", style="dim")
        line = Text(" ")
        line.append_text(separator.join(items))
        return line
