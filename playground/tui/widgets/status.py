"""The status line under the title: what the next request will be and where it is recorded."""

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
    """off | "rec once → path" | "replay ← path" (what the recorder says)."""
    recording: bool = False
    replaying: bool = False
    running: str = ""
    """"" when idle, else what runs ("streaming", "waiting for results", ...)."""


class StatusBar(Static):
    """Two short lines: the session and its settings; wraps on narrow terminals."""

    def show(self, status: Status) -> None:
        text = Text(no_wrap=False, overflow="fold")
        text.append(" ◆ ", style="bold magenta")
        text.append(status.name, style="bold")
        if status.dirty:
            text.append(" ●", style="bold yellow")
            text.append(" unsaved", style="yellow")
        if status.path:
            text.append(f"  {status.path}", style="dim")
        if status.running:
            text.append(f"   ⟳ {status.running}", style="bold cyan")
        text.append("\n")

        def item(label: str, value: str, style: str = "bold") -> None:
            text.append(f" {label} ", style="dim")
            text.append(value, style=style)
            text.append(" │", style="dim")

        provider = f"{status.provider}" + (" (offline model)" if status.offline else "")
        item("provider", provider)
        item("model", status.model)
        item("tool_choice", status.tool_choice, "bold cyan" if status.tool_choice != "auto" else "bold")
        item("parallel", {True: "on", False: "off", None: "unset"}[status.parallel])
        item("stream", "on" if status.stream else "off")
        item("results", status.mode, "bold yellow" if status.mode == "manual" else "bold")
        style = "bold red" if status.recording else "bold green" if status.replaying else "bold"
        text.append(" rec ", style="dim")
        text.append(status.record, style=style)
        self.update(text)
