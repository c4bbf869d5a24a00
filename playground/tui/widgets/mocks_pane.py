"""The Mocks pane: each tool's mock (kind + body), editable; in manual mode, the pending calls with
their pre-filled results to edit and submit (one by one or all at once)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, OptionList, Select, Static
from textual.widgets.option_list import Option

if TYPE_CHECKING:
    from playground.core.events import PendingCall
    from playground.core.session import MockSpec, Session

KINDS = ("none", "static", "template", "python", "sequence", "error")
KIND_HINTS = {
    "none": "No mock: calls get an error result unless you answer them by hand (manual mode).",
    "static": "static: this JSON is the result of every call.",
    "template": "template: JSON with {{argument}} placeholders filled from the call's arguments.",
    "python": "python: module:function — a .py file beside the session; called with the arguments.",
    "sequence": "sequence: a JSON list; call n gets item n (an item may be {\"error\": ...}).",
    "error": "error: the call fails with this message (a JSON string or any text).",
}


def body_text(kind: str, body: Any) -> str:
    if kind == "none":
        return ""
    if kind == "python":
        return str(body or "")
    if kind == "error" and isinstance(body, str):
        return body
    return json.dumps(body, indent=2, ensure_ascii=False)


def default_body(kind: str, tool: dict | None) -> str:
    params = ((tool or {}).get("function") or {}).get("parameters") or {}
    first = next(iter(params.get("properties") or {}), "query")
    return {
        "none": "",
        "static": '{\n  "ok": true\n}',
        "template": '{\n  "echo": "{{%s}}"\n}' % first,
        "python": "module:function",
        "sequence": '[\n  {"ok": true, "call": 1},\n  {"error": "second call fails"}\n]',
        "error": "simulated failure",
    }[kind]


def parse_body(kind: str, text: str) -> tuple[Any, str | None]:
    """(body, problem) for the editor's text of a mock of `kind`."""
    if kind == "python":
        return text.strip(), None  # MockSpec checks module:function
    if kind == "error":
        try:
            return json.loads(text), None
        except ValueError:
            return text.strip() or "simulated failure", None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        return None, f"{error.lineno}:{error.colno} not JSON: {error.msg}"
    if kind == "sequence" and not isinstance(value, list):
        return None, "a sequence is a JSON list: one item per call"
    return value, None


def _text_area():
    from textual.widgets import TextArea

    return TextArea


def compact_result(text: str) -> str:
    """What a hand-written result sends: valid JSON compacted the way mocks write it, else the text."""
    try:
        return json.dumps(json.loads(text), ensure_ascii=False)
    except ValueError:
        return text


class MockList(OptionList):
    pass


class MocksPane(Vertical):
    """Edits `session.mocks` in place (only valid bodies) and posts `MocksChanged`; collects
    manual results and posts `ResultsReady`."""

    class MocksChanged(Message):
        pass

    class CallAnswered(Message):
        """One pending call's result was submitted (the others still wait)."""

        def __init__(self, call_id: str) -> None:
            super().__init__()
            self.call_id = call_id

    class ResultsReady(Message):
        def __init__(self, results: dict[str, str]) -> None:
            super().__init__()
            self.results = results

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.session: Session | None = None
        self.tool: str | None = None
        self.kind = "none"
        self.pending: list[PendingCall] = []
        self.warnings: dict[str, list[Any]] = {}
        """mock_problems() by tool name: shown under the mock like the editor's errors."""

    @property
    def frame(self) -> Any:
        """The bordered pane around this widget (it carries the title)."""
        parent = self.parent
        return parent if parent is not None and parent.has_class("pane") else self

    def compose(self) -> ComposeResult:
        pending = VerticalScroll(
            Static("", id="pending-title"),
            Vertical(id="pending-cards"),
            Button("Submit all results (ctrl+r)", id="pending-submit-all", variant="success", compact=True),
            id="pending")
        pending.display = False
        box = Vertical(
            MockList(id="mock-list"),
            Horizontal(Static("kind", id="mock-kind-label"),
                       Select([(k, k) for k in KINDS], value="none", allow_blank=False, id="mock-kind",
                              compact=True),
                       id="mock-kind-row"),
            Static("", id="mock-hint"),
            _text_area().code_editor("", language="json", theme="vscode_dark", id="mock-editor",
                                 soft_wrap=True, show_line_numbers=False),
            Static("", id="mock-problem"),
            id="mock-editor-box")
        yield pending
        yield box

    def on_mount(self) -> None:
        self.frame.border_title = "Mocks"

    # -- attributes down ----------------------------------------------------------------------------

    def set_session(self, session: "Session") -> None:
        self.session = session
        names = session.tool_names()
        self.tool = names[0] if names else None
        self.refresh_list()
        self.show_mock()

    def tool_names(self) -> list[str]:
        if self.session is None:
            return []
        names = [n for n in self.session.tool_names() if n]
        names += [n for n in self.session.mocks if n not in names]
        return names

    def _check_mocks(self) -> None:
        """The core's warnings about the mocks (missing module/function, unknown placeholder, no such
        tool), by tool name."""
        self.warnings = {}
        if self.session is None:
            return
        from playground.core.mocks import mock_problems

        for problem in mock_problems(self.session):
            rest = (problem.path or "").removeprefix("mocks.")
            name = next((n for n in sorted(self.session.mocks, key=len, reverse=True)
                         if rest == n or rest.startswith(n + ".")), rest.split(".")[0])
            self.warnings.setdefault(name, []).append(problem)

    def refresh_list(self) -> None:
        self._check_mocks()
        mock_list = self.query_one(MockList)
        mock_list.clear_options()
        names = self.tool_names()
        if self.tool not in names:
            self.tool = names[0] if names else None
        for name in names:
            spec = self.session.mocks.get(name) if self.session else None
            label = Text(name)
            if spec is None:
                label.append("  no mock", style="dim red")
            else:
                label.append(f"  {spec.kind}", style="dim")
            if self.session is not None and name not in self.session.tool_names():
                label.append("  (no such tool)", style="yellow")
            elif self.warnings.get(name):
                label.append("  !", style="bold yellow")
            mock_list.add_option(Option(label, id=f"mock-{name}"))
        if self.tool is not None:
            mock_list.highlighted = names.index(self.tool)
        self.frame.border_title = f"Mocks ({sum(1 for n in names if self.session and n in self.session.mocks)})"
        if not self.has_class("-invalid"):
            self._problem(None)  # the warnings may have changed (a tool renamed, its parameters edited)

    def select_tool(self, name: str) -> None:
        if name and name in self.tool_names() and name != self.tool:
            self.tool = name
            self.query_one(MockList).highlighted = self.tool_names().index(name)
            self.show_mock()

    def show_mock(self) -> None:
        spec: MockSpec | None = None
        if self.session is not None and self.tool is not None:
            spec = self.session.mocks.get(self.tool)
        self.kind = spec.kind if spec is not None else "none"
        select = self.query_one("#mock-kind", Select)
        with select.prevent(Select.Changed):
            select.value = self.kind
        select.disabled = self.tool is None
        text = body_text(self.kind, spec.body) if spec is not None else ""
        self._load_editor(text)
        self._problem(None)

    def _load_editor(self, text: str) -> None:
        editor = self.query_one("#mock-editor")
        editor.language = None if self.kind in ("python", "none") else "json"
        editor.read_only = self.kind == "none" or self.tool is None
        self.query_one("#mock-hint", Static).update(
            Text(KIND_HINTS[self.kind] if self.tool else "No tools to mock yet.", style="dim"))
        if editor.text != text:
            editor.load_text(text)

    def _problem(self, problem: str | None) -> None:
        widget = self.query_one("#mock-problem", Static)
        if problem:
            shown = Text.assemble(("✗ ", "bold red"), (problem, "red"),
                                  ("\nthe last valid mock stays in use", "dim italic"))
        else:
            warnings = self.warnings.get(self.tool or "", []) if self.kind != "none" else []
            shown = Text("" if self.kind == "none" or warnings else "✓ valid", style="green")
            for index, warning in enumerate(warnings):
                if index:
                    shown.append("\n")
                where = (warning.path or "").removeprefix(f"mocks.{self.tool}").lstrip(".")
                shown.append("! ", style="bold yellow")
                if where:
                    shown.append(f"{where}: ", style="cyan")
                shown.append(warning.message, style="yellow")
        widget.update(shown)
        self.set_class(bool(problem), "-invalid")

    @on(OptionList.OptionHighlighted, "#mock-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        name = (event.option.id or "").removeprefix("mock-")
        if name != self.tool:
            self.tool = name
            self.show_mock()

    @on(OptionList.OptionSelected, "#mock-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#mock-editor").focus()

    @on(Select.Changed, "#mock-kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        event.stop()
        if self.session is None or self.tool is None or event.value == self.kind:
            return
        kind = str(event.value)
        old_spec = self.session.mocks.get(self.tool)
        self.kind = kind
        if kind == "none":
            self.session.mocks.pop(self.tool, None)
            self._load_editor("")
            self._problem(None)
            self.refresh_list()
            self.post_message(self.MocksChanged())
            return
        if old_spec is not None and old_spec.kind in ("static", "template") and kind in ("static", "template"):
            text = body_text(kind, old_spec.body)
        else:
            text = default_body(kind, self.session.find_tool(self.tool))
        self._load_editor(text)
        self._apply(text)

    def on_text_area_changed(self, event) -> None:
        if event.text_area.id != "mock-editor":
            return
        event.stop()
        if self.session is None or self.tool is None or self.kind == "none":
            return
        self._apply(event.text_area.text)

    def _apply(self, text: str) -> None:
        from playground.core.session import MockSpec

        assert self.session is not None and self.tool is not None
        body, problem = parse_body(self.kind, text)
        if problem is None:
            try:
                spec = MockSpec.model_validate({self.kind: body})
            except Exception as error:  # pydantic's ValidationError: show its first message
                errors = getattr(error, "errors", lambda: [])()
                problem = errors[0]["msg"].removeprefix("Value error, ") if errors else str(error)
        if problem is not None:
            self._problem(problem)
            return
        current = self.session.mocks.get(self.tool)
        if current is None or current.to_data() != spec.to_data():
            self.session.mocks[self.tool] = spec
            self.refresh_list()
            self.post_message(self.MocksChanged())
        self._problem(None)

    # -- manual mode --------------------------------------------------------------------------------

    def show_pending(self, calls: list["PendingCall"]) -> None:
        from playground.tui.widgets.pending import PendingCard

        self.pending = list(calls)
        box = self.query_one("#pending-cards", Vertical)
        box.remove_children()
        box.mount_all([PendingCard(call, index) for index, call in enumerate(calls)])
        apply_blink = getattr(self.app, "apply_blink", None)
        if apply_blink is not None:
            box.call_after_refresh(apply_blink, box)
        self._show_pending_title(len(calls))
        self.query_one("#pending").display = True
        self.add_class("-pending")
        self.frame.border_subtitle = "manual: results pending"

    def _show_pending_title(self, waiting: int) -> None:
        title = Text()
        one = waiting == 1
        title.append("‖ 1 call waits for your result" if one else f"‖ {waiting} calls wait for your results",
                     style="bold yellow")
        title.append("\nEdit each result, then submit it (ctrl+j) or all at once (ctrl+r).", style="dim")
        self.query_one("#pending-title", Static).update(title)

    def clear_pending(self) -> None:
        self.pending = []
        self.query_one("#pending-cards", Vertical).remove_children()
        self.query_one("#pending").display = False
        self.remove_class("-pending")
        self.frame.border_subtitle = ""

    def focus_pending(self) -> None:
        cards = [c for c in self.query(".pending-card") if c.submitted is None]
        if cards:
            # no scrolling: the title stays in view and the first editor is just below it
            cards[0].editor.focus(scroll_visible=cards[0].index > 0)

    @property
    def has_pending(self) -> bool:
        return bool(self.pending)

    def card_submitted(self, call_id: str) -> None:
        cards = list(self.query(".pending-card"))
        waiting = sum(card.submitted is None for card in cards)
        if cards and not waiting:
            self.post_message(self.ResultsReady(self.collect_all()))
        else:
            self.post_message(self.CallAnswered(call_id))
            self._show_pending_title(waiting)
            self.focus_pending()

    def collect_all(self) -> dict[str, str]:
        """The results that differ from what was proposed (the others stay the mock's)."""
        results = {}
        for card in self.query(".pending-card"):
            text = card.submitted if card.submitted is not None else compact_result(card.editor.text)
            if text != compact_result(card.call.proposed.content):
                results[card.call.call_id] = text
        return results

    def action_submit_all(self) -> None:
        if self.pending:
            self.post_message(self.ResultsReady(self.collect_all()))

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        event.stop()
        button_id = event.button.id or ""
        if button_id == "pending-submit-all":
            self.action_submit_all()
        elif button_id.startswith("pending-submit-"):
            index = int(button_id.rsplit("-", 1)[1])
            for card in self.query(".pending-card"):
                if card.index == index:
                    card.submit()
