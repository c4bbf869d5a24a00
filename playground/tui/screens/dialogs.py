"""Small modal dialogs: confirm (several buttons), prompt (one line), choose (a list), pick a file."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DirectoryTree, Input, OptionList, Static
from textual.widgets.option_list import Option

ResultType = TypeVar("ResultType")


class _Dialog(ModalScreen[ResultType]):
    """A modal dialog that Esc dismisses with None."""

    BINDINGS = [Binding("escape", "dismiss_none", "Cancel", id="dialog.cancel")]

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class _InputDialog(_Dialog[ResultType]):
    """A dialog around one Input: Enter or the "ok" button accepts, any other button cancels."""

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._accept()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "ok":
            self._accept()
        else:
            self.dismiss(None)

    def _accept(self) -> None:
        raise NotImplementedError


class ConfirmScreen(_Dialog[str | None]):
    """A question with buttons; dismisses with the chosen button's id (None on Esc)."""

    def __init__(self, title: str, message: str, buttons: Iterable[tuple[str, str, str]],
                 *, keys: dict[str, str] | None = None) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.message = message
        self.buttons = list(buttons)
        self.keys = keys or {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.title_text, style="bold"), classes="dialog-title")
            yield Static(self.message, classes="dialog-message")
            with Horizontal(classes="dialog-buttons"):
                for button_id, label, variant in self.buttons:
                    yield Button(label, id=button_id, variant=variant)  # type: ignore[arg-type]

    def on_mount(self) -> None:
        self.query(Button).first().focus()

    def on_key(self, event) -> None:
        if event.key in self.keys:
            event.stop()
            self.dismiss(self.keys[event.key])

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id)


class PromptScreen(_InputDialog[str | None]):
    """One line of input with a live check; Enter accepts, Esc cancels."""

    def __init__(self, title: str, value: str = "", *, hint: str = "",
                 check: Callable[[str], str | None] | None = None, placeholder: str = "") -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.value = value
        self.hint = hint
        self.check = check
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.title_text, style="bold"), classes="dialog-title")
            if self.hint:
                yield Static(Text(self.hint, style="dim"), classes="dialog-message")
            yield Input(self.value, placeholder=self.placeholder, id="prompt-input")
            yield Static("", id="prompt-problem")
            with Horizontal(classes="dialog-buttons"):
                yield Button("OK", id="ok", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def _problem(self, value: str) -> str | None:
        return self.check(value) if self.check else None

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        problem = self._problem(event.value)
        self.query_one("#prompt-problem", Static).update(Text(problem or "", style="red"))

    def _accept(self) -> None:
        value = self.query_one(Input).value
        problem = self._problem(value)
        if problem:
            self.query_one("#prompt-problem", Static).update(Text(problem, style="red"))
            return
        self.dismiss(value)


class ChoiceScreen(_Dialog[str | None]):
    """Pick one of several options (id, label); the current one is highlighted."""

    def __init__(self, title: str, options: Iterable[tuple[str | None, str | Text]], *,
                 current: str | None = None, hint: str = "") -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.options = list(options)
        self.current = current
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.title_text, style="bold"), classes="dialog-title")
            if self.hint:
                yield Static(Text(self.hint, style="dim"), classes="dialog-message")
            items: list[Option | None] = []
            for option_id, label in self.options:
                if option_id is None:  # a heading
                    items.append(Option(Text(str(label), style="bold dim"), disabled=True))
                else:
                    mark = "● " if option_id == self.current else "  "
                    items.append(Option(Text(mark) + (label if isinstance(label, Text) else Text(label)),
                                        id=option_id))
            yield OptionList(*items, id="choice-list")

    def on_mount(self) -> None:
        option_list = self.query_one(OptionList)
        option_list.focus()
        if self.current is not None:
            try:
                option_list.highlighted = option_list.get_option_index(self.current)
            except Exception:
                pass

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)


class _FilteredTree(DirectoryTree):
    suffixes: tuple[str, ...] = ()

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [p for p in paths if not p.name.startswith(".") and (p.is_dir() or p.suffix in self.suffixes)
                and not p.name.endswith(".autosave.yaml")]


class FileScreen(_InputDialog[Path | None]):
    """Type a path or pick it in the tree below; Enter opens."""

    def __init__(self, title: str, start: Path, suffixes: tuple[str, ...], value: str = "") -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.start = start
        self.suffixes = suffixes
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dialog-tall"):
            yield Static(Text(self.title_text, style="bold"), classes="dialog-title")
            yield Input(self.value, placeholder="path/to/file", id="file-input")
            yield Static("", id="file-problem")
            tree = _FilteredTree(self.start, id="file-tree")
            tree.suffixes = self.suffixes
            yield tree
            with Horizontal(classes="dialog-buttons"):
                yield Button("Open", id="ok", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(DirectoryTree.FileSelected)
    def _file(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self.query_one(Input).value = str(event.path)
        self._accept()

    def _accept(self) -> None:
        value = self.query_one(Input).value.strip()
        if not value:
            self.query_one("#file-problem", Static).update(Text("type a path or pick a file", style="red"))
            return
        path = Path(value).expanduser()
        if not path.is_absolute():
            path = (self.start / path) if not Path(value).exists() else Path(value).resolve()
        if not path.is_file():
            self.query_one("#file-problem", Static).update(Text(f"no such file: {path}", style="red"))
            return
        self.dismiss(path)
