"""The Tools pane: the list of tools with a validity mark, a JSON editor for the selected tool or
the whole list, and the problems of the text in the editor as you type (line:column and path).

An edit is applied to the session only when it has no errors: the last valid definition stays in
force (and is what a run sends) until the text is fixed. Invalid drafts are kept per tool.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from playground.core.tools import Problem, dump_tools_json, name_problem, parse_path, tool_name

if TYPE_CHECKING:
    from textual.widgets import TextArea

    from playground.core.session import Session

NEW_TOOL = {
    "type": "function",
    "function": {
        "name": "new_tool",
        "description": "Describe what the tool does and when to use it",
        "parameters": {
            "type": "object",
            "properties": {"query": {"type": "string", "description": "What to look up"}},
            "required": ["query"],
        },
    },
}


def problem_index(problem: "Problem") -> int | None:
    """The tool a problem of a whole-list validation points at ("tools[3]...." -> 3)."""
    loc = parse_path(problem.path or "")
    return loc[1] if len(loc) > 1 and loc[0] == "tools" and isinstance(loc[1], int) else None


class ToolList(OptionList):
    """The tools, one line each, with a validity mark."""

    BINDINGS = [
        # the footer shows two (it must fit 80 columns); the buttons, palette and F1 show them all
        Binding("a,insert", "pane('add')", "Add", id="tools.add"),
        Binding("d", "pane('duplicate')", "Duplicate", id="tools.duplicate", show=False),
        Binding("r", "pane('rename')", "Rename", id="tools.rename", show=False),
        Binding("delete,x", "pane('delete')", "Delete", id="tools.delete"),
        Binding("l", "pane('load')", "Load file", id="tools.load", show=False),
        Binding("w", "pane('toggle_view')", "Whole list", id="tools.whole_list", show=False),
    ]

    def action_pane(self, name: str) -> None:
        pane = next((a for a in self.ancestors if isinstance(a, ToolsPane)), None)
        if pane is not None:
            pane.run_action(name)

    def action_select(self) -> None:
        super().action_select()
        pane = next((a for a in self.ancestors if isinstance(a, ToolsPane)), None)
        if pane is not None:
            pane.query_one("#tool-editor").focus()


class ProblemList(OptionList):
    """Problems of the editor's text; selecting one moves the editor's cursor there."""


class ToolsPane(Vertical):
    """Edits `session.tools` in place (only with valid definitions) and posts `ToolsChanged`."""

    class ToolsChanged(Message):
        """session.tools changed; `renamed` maps old -> new names, `copied` original -> duplicate."""

        def __init__(self, renamed: dict[str, str] | None = None, copied: dict[str, str] | None = None) -> None:
            super().__init__()
            self.renamed = renamed or {}
            self.copied = copied or {}

    class ToolSelected(Message):
        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    class ActionRequested(Message):
        """An action that needs a dialog (rename, delete, load) for the app to run."""

        def __init__(self, action: str, index: int | None, name: str) -> None:
            super().__init__()
            self.action = action
            self.index = index
            self.name = name

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.session: Session | None = None
        self.index = 0
        self.mode = "tool"  # "tool" | "all"
        self.drafts: dict[int, str] = {}
        """Editor text per tool index that has errors (not applied)."""
        self.all_draft: str | None = None
        self.problems: list[Problem] = []
        self._shown_text: str | None = None

    @property
    def frame(self) -> Any:
        """The bordered pane around this widget (it carries the title)."""
        parent = self.parent
        return parent if parent is not None and parent.has_class("pane") else self

    def compose(self) -> ComposeResult:
        yield ToolList(id="tool-list")
        with Horizontal(id="tool-buttons"):
            yield Button("+Add", id="tool-add", compact=True, tooltip="Add a tool (a)")
            yield Button("Dup", id="tool-duplicate", compact=True, tooltip="Duplicate the selected tool (d)")
            yield Button("Ren", id="tool-rename", compact=True, tooltip="Rename the selected tool (r)")
            yield Button("Del", id="tool-delete", compact=True, tooltip="Delete the selected tool (delete)")
            yield Button("Load", id="tool-load", compact=True, tooltip="Load a tools file (l)")
            yield Button("All", id="tool-toggle", compact=True, tooltip="Edit the whole list as JSON (w)")
        yield Static("", id="tool-caption")
        from textual.widgets import TextArea

        yield TextArea.code_editor("", language="json", theme="vscode_dark", id="tool-editor",
                                   soft_wrap=True, show_line_numbers=True)
        yield ProblemList(id="tool-problems")

    def on_mount(self) -> None:
        for button in self.query("#tool-buttons Button"):
            # a Button pads its label by 2 cells whatever the CSS says: at its label's width (and a
            # margin between them) all six fit the narrow Tools pane at 80 columns
            button.styles.line_pad = 0  # (CSS refuses line-pad: 0)
            button.styles.width = len(str(button.label))

    # -- attributes down ----------------------------------------------------------------------------

    def set_session(self, session: "Session") -> None:
        self.session = session
        self.drafts.clear()
        self.all_draft = None
        self.index = 0
        self.mode = "tool"
        self.refresh_list()
        self.show_editor()

    @property
    def editor(self) -> "TextArea":
        return self.query_one("#tool-editor")  # type: ignore[return-value]

    @property
    def tools(self) -> list[Any]:
        return self.session.tools if self.session is not None else []

    @property
    def selected_name(self) -> str:
        if 0 <= self.index < len(self.tools):
            return tool_name(self.tools[self.index])
        return ""

    def tool_label(self, index: int) -> str:
        name = tool_name(self.tools[index]) if 0 <= index < len(self.tools) else ""
        return name or f"tool {index + 1}"

    def refresh_list(self) -> None:
        from playground.core.tools import validate_tools

        tool_list = self.query_one(ToolList)
        problems = validate_tools(self.tools)
        by_index: dict[int, list[Problem]] = {}
        for problem in problems:
            index = problem_index(problem)
            if index is not None:
                by_index.setdefault(index, []).append(problem)
        options = []
        for index, tool in enumerate(self.tools):
            name = tool_name(tool) or f"(tool {index + 1})"
            errors = [p for p in by_index.get(index, []) if p.severity == "error"]
            warnings = [p for p in by_index.get(index, []) if p.severity == "warning"]
            label = Text()
            if index in self.drafts:
                label.append("✗ ", style="bold red")
                label.append(name)
                label.append("  draft has errors", style="red")
            elif errors:
                label.append("✗ ", style="bold red")
                label.append(name)
                label.append(f"  {len(errors)} error{'s' * (len(errors) > 1)}", style="red")
            elif warnings:
                label.append("! ", style="bold yellow")
                label.append(name)
                label.append(f"  {len(warnings)} warning{'s' * (len(warnings) > 1)}", style="yellow")
            else:
                label.append("✓ ", style="bold green")
                label.append(name)
            options.append(Option(label, id=f"tool-{index}"))
        tool_list.clear_options()
        if options:
            tool_list.add_options(options)
            tool_list.highlighted = min(self.index, len(options) - 1)
        count = len(self.tools)
        self.frame.border_title = f"Tools ({count})"
        invalid = any(p.severity == "error" for p in problems) or self.drafts
        self.frame.border_subtitle = "✗ errors" if invalid else ""

    def show_editor(self) -> None:
        """Put the selected tool (or the whole list) in the editor."""
        caption = self.query_one("#tool-caption", Static)
        toggle = self.query_one("#tool-toggle", Button)
        if self.mode == "all":
            text = self.all_draft if self.all_draft is not None else dump_tools_json(self.tools)
            caption.update(Text.assemble(("All tools", "bold"), (" · the whole list as JSON (w: one tool)", "dim")))
            toggle.label = "One"
        elif not self.tools:
            text = ""
            caption.update(Text("No tools: a adds, l loads", style="dim"))
            toggle.label = "All"
        else:
            self.index = max(0, min(self.index, len(self.tools) - 1))
            text = self.drafts.get(self.index) or dump_tools_json(self.tools[self.index])
            caption.update(Text.assemble((self.selected_name or f"tool {self.index + 1}", "bold"),
                                         (f" · {self.index + 1}/{len(self.tools)} · w: all", "dim")))
            toggle.label = "All"
        editor = self.editor
        editor.read_only = self.mode == "tool" and not self.tools
        editor.show_line_numbers = not editor.read_only  # no stray "1" beside the empty hint
        if editor.text != text:
            self._shown_text = text
            editor.load_text(text)
        self.validate_text(text)

    # -- as you type --------------------------------------------------------------------------------

    def on_text_area_changed(self, event: "TextArea.Changed") -> None:
        if event.text_area.id != "tool-editor":
            return
        event.stop()
        if self.session is None:
            return
        text = event.text_area.text
        self.validate_text(text, apply=True)

    def validate_text(self, text: str, apply: bool = False) -> None:
        from playground.core.tools import parse_tool_text, parse_tools_text

        if self.session is None:
            return
        if self.mode == "all":
            parsed = parse_tools_text(text)
        elif self.tools:
            parsed = parse_tool_text(text, self.index)
        else:
            self.show_problems([])
            return
        self.show_problems(parsed.problems)
        if not apply:
            return
        if self.mode == "all":
            if parsed.ok and parsed.tools is not None:
                self.all_draft = None
                if parsed.tools != self.tools:
                    old_names = [tool_name(t) for t in self.tools]
                    self.tools[:] = parsed.tools
                    new_names = [tool_name(t) for t in self.tools]
                    renamed = {o: n for o, n in zip(old_names, new_names, strict=True) if o != n and o and n} \
                        if len(old_names) == len(new_names) else {}
                    self.drafts.clear()
                    self.index = min(self.index, max(len(self.tools) - 1, 0))
                    self.refresh_list()
                    self.post_message(self.ToolsChanged(renamed))
            else:
                self.all_draft = text
            self._update_subtitle(parsed.ok)
            return
        had_draft = self.index in self.drafts
        if parsed.ok and parsed.tools:
            self.drafts.pop(self.index, None)
            tool = parsed.tools[0]
            current = self.tools[self.index]
            clash = self.name_problem(tool_name(tool), self.index)
            if clash:
                self.drafts[self.index] = text
                at = f"tools[{self.index}].function.name"
                self.show_problems(parsed.problems + [Problem("error", at, clash)])
                self.refresh_list()
                return
            if tool != current:
                old, new = tool_name(current), tool_name(tool)
                self.tools[self.index] = tool
                self.refresh_list()
                self.post_message(self.ToolsChanged({old: new} if old != new and old and new else {}))
            elif had_draft:
                self.refresh_list()
        else:
            if text != dump_tools_json(self.tools[self.index]):
                self.drafts[self.index] = text
            if not had_draft:
                self.refresh_list()

    def _update_subtitle(self, ok: bool) -> None:
        if not ok:
            self.frame.border_subtitle = "✗ errors"

    def show_problems(self, problems: list["Problem"]) -> None:
        self.problems = list(problems)
        problem_list = self.query_one(ProblemList)
        problem_list.clear_options()
        errors = [p for p in problems if p.severity == "error"]
        if not problems:
            problem_list.add_option(Option(Text("✓ valid", style="green"), disabled=True))
        for index, problem in enumerate(problems):
            line = Text()
            mark, style = ("✗", "red") if problem.severity == "error" else ("!", "yellow")
            line.append(f"{mark} ", style=f"bold {style}")
            if problem.line:
                line.append(f"{problem.line}:{problem.column or 1} ", style="bold")
            if problem.path:
                line.append(f"{problem.path}: ", style="cyan")
            line.append(problem.message)
            problem_list.add_option(Option(line, id=f"problem-{index}"))
        if errors:
            note = "the last valid definition stays in use until this is fixed"
            problem_list.add_option(Option(Text(note, style="dim italic"), disabled=True))
        self.set_class(bool(errors), "-invalid")

    @on(OptionList.OptionSelected, "#tool-problems")
    def _jump_to_problem(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id or ""
        if not option_id.startswith("problem-"):
            return
        problem = self.problems[int(option_id.split("-")[1])]
        if problem.line:
            editor = self.editor
            editor.move_cursor((problem.line - 1, max((problem.column or 1) - 1, 0)))
            editor.focus()

    # -- the list -----------------------------------------------------------------------------------

    @on(OptionList.OptionHighlighted, "#tool-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        index = int((event.option.id or "tool-0").split("-")[1])
        if index != self.index or self.mode == "all":
            self.index = index
            if self.mode == "all" and self.all_draft is None:
                self.mode = "tool"
            self.show_editor()
            self.post_message(self.ToolSelected(self.selected_name))

    @on(OptionList.OptionSelected, "#tool-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()

    def select_tool(self, name: str) -> None:
        for index, tool in enumerate(self.tools):
            if tool_name(tool) == name:
                self.index = index
                self.query_one(ToolList).highlighted = index
                self.show_editor()
                return

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        event.stop()
        action = (event.button.id or "").removeprefix("tool-")
        self.run_action("toggle_view" if action == "toggle" else action)

    def run_action(self, name: str) -> None:
        if self.session is None:
            return
        if name == "add":
            self.add_tool(copy.deepcopy(NEW_TOOL))
        elif name == "duplicate":
            if self.tools:
                original = self.selected_name
                tool = copy.deepcopy(self.tools[self.index])
                if isinstance(tool.get("function"), dict):
                    tool["function"]["name"] = self._free_name(f"{original or 'tool'}_copy")
                self.add_tool(tool, at=self.index + 1, copy_of=original)
        elif name == "toggle_view":
            if self.mode == "all" and self.all_draft is not None:
                self.app.notify("The whole-list text has errors; fix them (or undo) before switching back.",
                                severity="warning")
                return
            self.mode = "tool" if self.mode == "all" else "all"
            self.show_editor()
            self.editor.focus()
        elif name in ("rename", "delete"):
            if self.tools:
                self.post_message(self.ActionRequested(name, self.index, self.selected_name))
        elif name == "load":
            self.post_message(self.ActionRequested("load", None, ""))

    def _free_name(self, base: str) -> str:
        names = {tool_name(t) for t in self.tools}
        if base not in names:
            return base
        number = 2
        while f"{base}_{number}" in names:
            number += 1
        return f"{base}_{number}"

    def add_tool(self, tool: dict, at: int | None = None, copy_of: str | None = None) -> None:
        """Insert `tool` (a new one: the editor gets the focus; a copy, which takes the original's
        mock: the list keeps it, so d, r and Delete go on working)."""
        if isinstance(tool.get("function"), dict):
            tool["function"]["name"] = self._free_name(tool_name(tool) or "new_tool")
        at = len(self.tools) if at is None else at
        self.tools.insert(at, tool)
        self.drafts = {(i + 1 if i >= at else i): t for i, t in self.drafts.items()}
        self.index = at
        self.mode = "tool"
        self.refresh_list()
        self.show_editor()
        self.post_message(self.ToolsChanged(copied={copy_of: self.selected_name} if copy_of else None))
        self.post_message(self.ToolSelected(self.selected_name))
        if copy_of is None:
            self.editor.focus()

    def rename_tool(self, index: int, new_name: str) -> None:
        tool = self.tools[index]
        old = tool_name(tool)
        tool = copy.deepcopy(tool)
        tool.setdefault("function", {})["name"] = new_name
        self.tools[index] = tool
        self.drafts.pop(index, None)
        self.refresh_list()
        self.show_editor()
        self.post_message(self.ToolsChanged({old: new_name} if old else {}))

    def delete_tool(self, index: int) -> None:
        del self.tools[index]
        self.drafts = {(i - 1 if i > index else i): t for i, t in self.drafts.items() if i != index}
        self.index = max(0, min(index, len(self.tools) - 1))
        self.refresh_list()
        self.show_editor()
        self.post_message(self.ToolsChanged())

    def replace_tools(self, tools: list[dict], append: bool) -> tuple[int, list[str]]:
        """Replace the tools, or add those whose names are new: (how many went in, names skipped)."""
        skipped: list[str] = []
        if append:
            names = {tool_name(t) for t in self.tools}
            added = []
            for tool in tools:
                name = tool_name(tool)
                if name in names:
                    skipped.append(name or "(unnamed)")
                else:
                    names.add(name)
                    added.append(tool)
            self.tools.extend(added)
            count = len(added)
        else:
            self.tools[:] = tools
            count = len(tools)
        self.drafts.clear()
        self.all_draft = None
        self.index = 0
        self.mode = "tool"
        self.refresh_list()
        self.show_editor()
        self.post_message(self.ToolsChanged())
        return count, skipped

    def name_problem(self, name: str, index: int | None) -> str | None:
        """Why `name` cannot be the name of the tool at `index` (None: a new tool), or None."""
        return name_problem(self.tools, name, index)
