"""The conversation: a virtualized view of entries (one per message part) and the composer.

The view renders each entry to strips once per width and draws only the lines on screen, so a
conversation of thousands of messages appends and scrolls at the same cost as a short one.
"""

from __future__ import annotations

import functools
import json
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any, Iterable

from rich.console import Group, RenderableType
from rich.highlighter import JSONHighlighter
from rich.padding import Padding
from rich.panel import Panel
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from playground.tui.widgets.composer import Composer  # noqa: F401  (re-exported)

RESULT_PREVIEW_LINES = 12
_json_highlighter = JSONHighlighter()

SOURCE_LABELS = {
    "hand": "hand-written",
    "fault": "error result (model fault)",
    "none": "no mock",
}


def source_label(source: str) -> str:
    if source.startswith("mock:"):
        return f"mock · {source[5:]}"
    return SOURCE_LABELS.get(source, source)


def pretty_json(text: str, width: int = 0) -> tuple[str, bool]:
    """JSON `text` on one line when it fits in about two lines of `width`, else indented;
    returns (text, is_json)."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return text, False
    compact = json.dumps(value, ensure_ascii=False)
    if width and len(compact) <= width * 2 - 4:
        return compact, True
    return json.dumps(value, indent=2, ensure_ascii=False), True


@dataclass(eq=False)
class Entry:
    """One block of the conversation: a message or a part of one, or a notice."""

    kind: str
    """system | user | assistant | call | result | meta | notice"""
    turn: int
    """Index of the session turn it belongs to (-1: before the first turn)."""
    text: str = ""
    step: int | None = None
    data: dict[str, Any] = field(default_factory=dict)
    version: int = 0
    _cache_key: tuple[int, int, bool] | None = None
    _strips: list[Strip] = field(default_factory=list)

    def changed(self) -> None:
        self.version += 1


class ConversationView(ScrollView, can_focus=True):
    """All entries of the conversation, virtualized. Select one with the cursor (up/down or click)."""

    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Prev", show=False),
        Binding("down,j", "cursor(1)", "Next", show=False),
        Binding("home", "cursor_home", "First", show=False),
        Binding("end", "cursor_end", "Last", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("e", "edit_entry", "Edit", id="conversation.edit", tooltip="edit the message and rerun from it"),
        Binding("delete,x", "delete_entry", "Delete", id="conversation.delete",
                tooltip="delete the turn and rerun the ones after it"),
        Binding("enter,space", "toggle_entry", "Expand", show=False, id="conversation.expand"),
        Binding("y", "copy_entry", "Copy", id="conversation.copy", show=False),
    ]

    COMPONENT_CLASSES = {
        "conversation--system",
        "conversation--user",
        "conversation--assistant",
        "conversation--call",
        "conversation--call-border",
        "conversation--result",
        "conversation--meta",
        "conversation--error",
        "conversation--warning",
        "conversation--fault",
        "conversation--info",
        "conversation--queued",
        "conversation--selected",
        "conversation--dim",
    }

    cursor: reactive[int | None] = reactive(None, init=False)
    hide_timings: bool = False
    """Snapshot tests set this: latency numbers are replaced by a fixed mark."""

    class TypedAway(Message):
        """A printable key that is no command here: text meant for the composer."""

        def __init__(self, character: str) -> None:
            super().__init__()
            self.character = character

    class EntryAction(Message):
        """The user asked to do something with an entry (edit, delete)."""

        def __init__(self, action: str, entry: Entry) -> None:
            super().__init__()
            self.action = action
            self.entry = entry

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None):
        super().__init__(name=name, id=id, classes=classes)
        self.entries: list[Entry] = []
        self._offsets: list[int] = []
        self._heights: list[int] = []
        self._total = 0
        self._width = 0
        self._dirty_from: int | None = None
        self._follow = True
        self._rich_styles: dict[str, Style] = {}
        self._typing_away = False

    # -- the public surface -----------------------------------------------------------------------

    def add(self, entry: Entry) -> Entry:
        """Add `entry` at the end, but before the saved turns that have not run yet (they stay last)."""
        height = self._measure(entry) if self._width else 1
        at = len(self.entries) if entry.data.get("queued") else self._queued_tail()
        if at == len(self.entries):
            self.entries.append(entry)
            self._offsets.append(self._total)
            self._heights.append(height)
        else:
            self.entries.insert(at, entry)
            self._offsets.insert(at, self._offsets[at])
            self._heights.insert(at, height)
            for i in range(at + 1, len(self._offsets)):
                self._offsets[i] += height
            if self.cursor is not None and self.cursor >= at:
                self.cursor += 1
        self._total += height
        self._after_change(grew=True)
        return entry

    def extend(self, entries: Iterable[Entry]) -> None:
        follow = self._at_bottom()
        for entry in entries:
            self.entries.append(entry)
            self._offsets.append(self._total)
            height = self._measure(entry) if self._width else 1
            self._heights.append(height)
            self._total += height
        self._follow = follow or self._follow
        self._after_change(grew=True)

    def update_entry(self, entry: Entry) -> None:
        """Re-render one entry after its content changed (streaming text, a result arrived)."""
        entry.changed()
        if not self.entries:
            return
        index = next((i for i in range(len(self.entries) - 1, -1, -1) if self.entries[i] is entry), None)
        if index is None:
            return
        if not self._width:
            return
        height = self._measure(entry)
        if height != self._heights[index]:
            delta = height - self._heights[index]
            self._heights[index] = height
            for i in range(index + 1, len(self._offsets)):
                self._offsets[i] += delta
            self._total += delta
            self._after_change(grew=delta > 0)
        else:
            self._refresh_entry(index)

    def _queued_tail(self) -> int:
        """Where the saved turns that have not run yet begin (the end when there are none)."""
        at = len(self.entries)
        while at and self.entries[at - 1].data.get("queued"):
            at -= 1
        return at

    def remove_where(self, predicate) -> int:
        """Remove the entries for which `predicate(entry)` is true; returns how many."""
        keep = [e for e in self.entries if not predicate(e)]
        removed = len(self.entries) - len(keep)
        if removed:
            self._set_entries(keep)
        return removed

    def clear(self) -> None:
        self._set_entries([])

    def last(self, kind: str | None = None) -> Entry | None:
        for entry in reversed(self.entries):
            if kind is None or entry.kind == kind:
                return entry
        return None

    @property
    def selected(self) -> Entry | None:
        if self.cursor is None or not (0 <= self.cursor < len(self.entries)):
            return None
        return self.entries[self.cursor]

    def plain_text(self) -> str:
        """The conversation as plain text (what a test or a copy wants)."""
        width = self._width or 80
        lines: list[str] = []
        for entry in self.entries:
            for strip in self._render(entry, width, False):
                lines.append(strip.text.rstrip())
        return "\n".join(lines)

    # -- layout and rendering ---------------------------------------------------------------------

    def _set_entries(self, entries: list[Entry]) -> None:
        self.entries = entries
        if self.cursor is not None and self.cursor >= len(entries):
            self.cursor = len(entries) - 1 if entries else None
        self._relayout()

    def _relayout(self) -> None:
        self._offsets = []
        self._heights = []
        total = 0
        for entry in self.entries:
            self._offsets.append(total)
            height = self._measure(entry) if self._width else 1
            self._heights.append(height)
            total += height
        self._total = total
        self._after_change(grew=False)

    def _after_change(self, grew: bool) -> None:
        follow = self._follow
        self.virtual_size = Size(self._width, self._total)
        if follow and grew:
            self.scroll_end(animate=False, immediate=False, x_axis=False)
        self.refresh()

    def _refresh_entry(self, index: int) -> None:
        top = self._offsets[index] - round(self.scroll_y)
        height = self._heights[index]
        if top + height < 0 or top > self.size.height:
            return
        self.refresh()

    def _at_bottom(self) -> bool:
        return self.scroll_y >= self.max_scroll_y - 1

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._follow = new_value >= self.max_scroll_y - 1

    def on_resize(self, event: events.Resize) -> None:
        width = self.scrollable_content_region.width
        if width and width != self._width:
            self._width = width
            self._relayout()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._rich_styles.clear()
        for entry in self.entries:
            entry._cache_key = None
        if self._width:
            self._relayout()

    def _measure(self, entry: Entry) -> int:
        return len(self._render(entry, self._width, False))

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        line = scroll_y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if line >= self._total or not self.entries:
            return Strip.blank(width, base)
        index = bisect_right(self._offsets, line) - 1
        entry = self.entries[index]
        selected = index == self.cursor
        strips = self._render(entry, self._width, selected)
        offset = line - self._offsets[index]
        if offset >= len(strips):
            return Strip.blank(width, base)
        strip = strips[offset]
        if selected:
            strip = strip.apply_style(self._style("conversation--selected"))
        return strip.crop_extend(scroll_x, scroll_x + width, base).apply_style(base)

    def _style(self, name: str) -> Style:
        style = self._rich_styles.get(name)
        if style is None:
            style = self.get_component_rich_style(name, partial=True)
            self._rich_styles[name] = style
        return style

    def _render(self, entry: Entry, width: int, selected: bool) -> list[Strip]:
        width = max(width, 10)
        key = (width, entry.version, False)
        if entry._cache_key != key:
            renderable = self._renderable(entry, width)
            console = self.app.console
            options = console.options.update(width=width, highlight=False, markup=False)
            lines = console.render_lines(renderable, options, pad=True)
            entry._strips = [Strip(line, width) for line in lines]
            entry._cache_key = key
        return entry._strips

    # -- what each kind of entry looks like -------------------------------------------------------

    def _label(self, text: str, style: str, extra: str = "") -> Text:
        label = Text("▍", style=self._style(style))
        label.append(f" {text}", style=self._style(style) + Style(bold=True))
        if extra:
            label.append(f"  {extra}", style=self._style("conversation--meta"))
        return label

    def _timing(self, seconds: float | None) -> str:
        if seconds is None:
            return "–"
        if self.hide_timings:
            return "‹t›"
        if seconds < 1:
            return f"{seconds * 1000:.0f} ms"
        return f"{seconds:.2f} s"

    def _renderable(self, entry: Entry, width: int) -> RenderableType:
        kind = entry.kind
        body_width = max(width - 2, 8)
        if kind == "system":
            return Group(Text(""), self._label("system", "conversation--system"),
                         Padding(Text(entry.text or "(none)"), (0, 0, 0, 2)))
        if kind == "user":
            queued = entry.data.get("queued")
            extra = f"turn {entry.turn + 1}"
            if queued:
                extra += " · saved, not run yet"
            body = Text(entry.text, style=self._style("conversation--queued") if queued else "")
            return Group(Text(""), self._label("you", "conversation--user", extra), Padding(body, (0, 0, 0, 2)))
        if kind == "assistant":
            extra = "streaming…" if entry.data.get("streaming") else ""
            if entry.data.get("calls"):
                count = entry.data["calls"]
                extra = (extra + " · " if extra else "") + f"{count} tool call{'s' * (count != 1)}"
            body = Text(entry.text) if entry.text else Text("(no text)", style=self._style("conversation--dim"))
            parts: list[RenderableType] = [Text(""), self._label("assistant", "conversation--assistant", extra)]
            if entry.text or not entry.data.get("calls"):
                parts.append(Padding(body, (0, 0, 0, 2)))
            return Group(*parts)
        if kind == "call":
            return self._call_card(entry, body_width)
        if kind == "result":
            return self._result(entry)
        if kind == "meta":
            return Padding(Text(entry.text, style=self._style("conversation--meta")), (0, 0, 0, 2))
        if kind == "notice":
            level = entry.data.get("level", "info")
            style = self._style(f"conversation--{level}")
            title = {"error": "error", "fault": "model fault", "info": "note"}.get(level, level)
            glyph = {"error": "✖", "fault": "⚠", "warning": "⚠"}.get(level, "•")
            text = Text()
            text.append(f"{glyph} {title}: ",
                        style=style + Style(bold=True))
            text.append(entry.text, style=style)
            return Padding(text, (0, 0, 0, 2))
        return Text(entry.text)

    def _call_card(self, entry: Entry, width: int) -> RenderableType:
        data = entry.data
        name = data.get("name") or "…"
        arguments = data.get("arguments", "")
        if data.get("complete"):
            shown, is_json = pretty_json(arguments or "{}", width - 6)
        else:
            shown, is_json = arguments, False
        body = Text(shown or "")
        if is_json:
            _json_highlighter.highlight(body)
        parts: list[RenderableType] = [body]
        for problem in data.get("problems") or ():
            parts.append(Text(f"⚠ {problem}", style=self._style("conversation--fault")))
        if data.get("pending") and data.get("answered"):
            parts.append(Text("✓ result submitted; sent with the others", style=self._style("conversation--info")))
        elif data.get("pending"):
            parts.append(Text("‖ waiting for your result (Mocks pane; ctrl+r submits)",
                              style=self._style("conversation--info")))
        title = Text(f"⚙ {name}", style=self._style("conversation--call") + Style(bold=True))
        call_id = data.get("call_id") or ""
        if call_id and len(name) + len(call_id) + 10 < width:
            title.append(f"  {call_id}", style=self._style("conversation--meta"))
        border = self._style("conversation--fault" if data.get("problems") else "conversation--call-border")
        return Padding(Panel(Group(*parts), title=title, title_align="left", border_style=border, expand=True,
                             padding=(0, 1)), (0, 0, 0, 2))

    def _result(self, entry: Entry) -> RenderableType:
        data = entry.data
        is_error = data.get("is_error")
        style = self._style("conversation--error" if is_error else "conversation--result")
        header = Text("  ↳ ", style=style)
        header.append(f"{data.get('name', '')} result", style=style + Style(bold=True))
        header.append(f"  {source_label(data.get('source', ''))}", style=self._style("conversation--meta"))
        shown, is_json = pretty_json(entry.text, self._width - 6)
        lines = shown.splitlines() or [""]
        expanded = data.get("expanded")
        if not expanded and len(lines) > RESULT_PREVIEW_LINES:
            hidden = len(lines) - RESULT_PREVIEW_LINES
            shown = "\n".join(lines[:RESULT_PREVIEW_LINES])
            more = Text(f"… {hidden} more lines (select, enter expands)", style=self._style("conversation--dim"))
        else:
            more = None
        body = Text(shown)
        if is_json:
            _json_highlighter.highlight(body)
        if is_error:
            body.stylize(style)
        parts: list[RenderableType] = [header, Padding(body, (0, 0, 0, 4))]
        if more is not None:
            parts.append(Padding(more, (0, 0, 0, 4)))
        return Group(*parts)

    # -- cursor and mouse -------------------------------------------------------------------------

    def watch_cursor(self, old: int | None, new: int | None) -> None:
        self.refresh()
        if new is not None and 0 <= new < len(self.entries):
            top = self._offsets[new]
            bottom = top + self._heights[new]
            if top < self.scroll_y:
                self.scroll_to(y=top, animate=False)
            elif bottom > self.scroll_y + self.size.height:
                self.scroll_to(y=max(top, bottom - self.size.height), animate=False)

    def action_cursor(self, delta: int) -> None:
        if not self.entries:
            return
        if self.cursor is None:
            self.cursor = len(self.entries) - 1 if delta < 0 else self._first_visible()
            return
        self.cursor = max(0, min(len(self.entries) - 1, self.cursor + delta))

    def _first_visible(self) -> int:
        index = bisect_right(self._offsets, round(self.scroll_y)) - 1
        return max(0, min(index, len(self.entries) - 1))

    def action_cursor_home(self) -> None:
        if self.entries:
            self.cursor = 0

    def action_cursor_end(self) -> None:
        if self.entries:
            self.cursor = len(self.entries) - 1
            self.scroll_end(animate=False)

    def action_page(self, direction: int) -> None:
        if direction < 0:
            self.scroll_page_up(animate=False)
        else:
            self.scroll_page_down(animate=False)

    def entry_at(self, y: int) -> int | None:
        line = round(self.scroll_y) + y
        if line >= self._total or not self.entries:
            return None
        return bisect_right(self._offsets, line) - 1

    def on_click(self, event: events.Click) -> None:
        index = self.entry_at(event.y)
        if index is not None:
            self.cursor = index
            if event.chain == 2:
                self.action_toggle_entry()

    def on_key(self, event: events.Key) -> None:
        # Once text starts, the keys that follow before the composer has the focus (a paste, fast
        # typing) are text too, even those that are commands here.
        if event.is_printable and event.character and (self._typing_away or event.key not in self._command_keys()):
            event.stop()
            event.prevent_default()
            self._typing_away = True
            self.post_message(self.TypedAway(event.character))

    @classmethod
    @functools.cache
    def _command_keys(cls) -> frozenset[str]:
        return frozenset(key.strip() for binding in cls.BINDINGS for key in binding.key.split(","))

    def on_blur(self) -> None:
        self._typing_away = False

    def on_focus(self) -> None:
        if self.cursor is None and self.entries:
            self.cursor = len(self.entries) - 1

    def action_toggle_entry(self) -> None:
        entry = self.selected
        if entry is not None and entry.kind == "result":
            entry.data["expanded"] = not entry.data.get("expanded")
            self.update_entry(entry)

    def action_edit_entry(self) -> None:
        entry = self.selected
        if entry is not None:
            self.post_message(self.EntryAction("edit", entry))

    def action_delete_entry(self) -> None:
        entry = self.selected
        if entry is not None:
            self.post_message(self.EntryAction("delete", entry))

    def action_copy_entry(self) -> None:
        entry = self.selected
        if entry is None:
            return
        text = entry.data.get("arguments", entry.text) if entry.kind == "call" else entry.text
        self.app.copy_to_clipboard(text)
        self.app.notify("Copied the selected message to the clipboard.", timeout=3)
