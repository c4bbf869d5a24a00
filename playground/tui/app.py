"""The playground's Textual app: one screen with the Tools, Conversation and Mocks panes.

The conversation loop is the engine's (`playground.core.engine.Engine`); this app only drives it
from one exclusive worker, turns its events into messages, and shows them. Heavy modules (the
engine, pydantic models, jsonschema, openai) load after the first frame.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.widget import MountError
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

from playground.core.files import InputError, demo_session_path, shown_path
from playground.tui.messages import EngineEvent
from playground.tui.widgets.composer import Composer
from playground.tui.widgets.status import Status, StatusBar

if TYPE_CHECKING:
    from playground.core.engine import Engine
    from playground.core.session import Session
    from playground.tui.widgets.conversation import ConversationView, Entry
    from playground.tui.widgets.mocks_pane import MocksPane
    from playground.tui.widgets.tools_pane import ToolsPane

AUTOSAVE_SECONDS = 5.0
NARROW_WIDTH = 130
RECORD_NAMES = {"off": "recording off", "once": "record once", "new_episodes": "record new_episodes",
                "all": "record all", "none": "replay"}
"""How the record menu (F10) names each mode; messages use the same words."""
ERROR_TITLES = {"network": "Network error", "timeout": "Timed out", "http": "Provider error",
                "protocol": "Bad model response", "replay": "Replay mismatch", "config": "Provider configuration",
                "cancelled": "Cancelled", "max_steps": "Max steps reached", "internal": "Internal error"}
GLOBAL_ACTIONS = frozenset({
    "continue", "help", "run_all", "tool_choice", "toggle_parallel", "toggle_stream", "toggle_manual",
    "record_mode", "switch_model", "save", "save_as", "open", "new_session", "export", "clear_conversation",
    "focus_pane"})
EXPORT_SUFFIX = {"python": ".export.py", "curl": ".export.sh", "json": ".export.json"}


def autosave_path(session_path: Path | None) -> Path:
    if session_path is not None:
        return session_path.with_name(session_path.stem + ".autosave.yaml")
    state = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "playground"
    return state / "untitled.autosave.yaml"


def _commands_provider() -> type:
    """The palette's provider, imported when the palette first opens (textual.command is costly)."""
    from playground.tui.commands import PlaygroundCommands

    return PlaygroundCommands


class VerticalTab(Static):
    """A collapsed side pane on narrow terminals: its name, vertically; a click opens it."""

    def __init__(self, label: str, key: str, action: str, **kwargs: Any) -> None:
        super().__init__("\n".join(label) + f"\n\n{key}", **kwargs)
        self.action = action

    async def on_click(self) -> None:
        await self.app.run_action(self.action)


class PlaygroundApp(App):
    """Write tools, chat with a model, answer its tool calls, record and replay the session."""

    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "playground"
    COMMANDS = App.COMMANDS | {_commands_provider}
    COMMAND_PALETTE_DISPLAY = "ctrl+p"

    # Global keys are priority bindings: a focused editor (TextArea binds f6/f7 itself) or list
    # never swallows them; `check_action` turns them off while a dialog is open. Only the most
    # used show in the footer (it must fit 80 columns); all are in the palette (ctrl+p) and F1.
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="cancel"),
        Binding("ctrl+r", "continue", "Continue", id="continue", priority=True),
        Binding("f1", "help", "Help", id="help", priority=True),
        Binding("f5", "run_all", "Run all", id="run_all", priority=True),
        Binding("f6", "tool_choice", "tool_choice", id="tool_choice", priority=True, show=False),
        Binding("f7", "toggle_parallel", "Parallel", id="parallel", priority=True, show=False),
        Binding("f8", "toggle_stream", "Stream", id="stream", priority=True, show=False),
        Binding("f9", "toggle_manual", "Manual", id="manual", priority=True, show=False),
        Binding("f10", "record_mode", "Record", id="record", priority=True),
        Binding("ctrl+t", "switch_model", "Model", id="model", priority=True, show=False),
        Binding("ctrl+s", "save", "Save", id="save", priority=True),
        Binding("f12", "save_as", "Save as", id="save_as", priority=True, show=False),
        Binding("ctrl+o", "open", "Open", id="open", priority=True, show=False),
        Binding("ctrl+n", "new_session", "New", id="new", priority=True, show=False),
        Binding("ctrl+g", "export", "Export", id="export", priority=True, show=False),
        Binding("ctrl+l", "clear_conversation", "Clear", id="clear", priority=True, show=False),
        Binding("f2", "focus_pane('tools')", "Tools", id="focus_tools", priority=True, show=False,
                tooltip="the tool editor; again: the tool list"),
        Binding("f3", "focus_pane('conversation')", "Chat", id="focus_conversation", priority=True, show=False),
        Binding("f4", "focus_pane('mocks')", "Mocks", id="focus_mocks", priority=True, show=False),
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
    ]

    def __init__(self, session_path: Path | None = None, *, provider: str | None = None,
                 model: str | None = None, record: str | None = None) -> None:
        super().__init__()
        self.session_path = Path(session_path) if session_path is not None else None
        self._provider_override = provider
        self._model_override = model
        self.record_mode = record if record not in (None, "off") else "off"
        self.session: Session | None = None
        self.engine: Engine | None = None
        self.recorder: Any = None
        self.hide_timings = False
        """Snapshot tests set this: timings show as a fixed mark."""
        self.cursor_blink = True
        """Snapshot tests turn blinking cursors off (a blink is not a difference)."""
        self.autosave_seconds = AUTOSAVE_SECONDS
        self.dirty = False
        self._saved_text = ""
        self._autosaved_text = ""
        self.load_error: str | None = None
        # the run in progress
        self.running = ""
        self._run_id = 0
        self._offline_providers: dict[tuple[str, Path | None], bool] = {}
        self._worker: Worker | None = None
        self._step: int | None = None
        self._step_turn = -1
        self._assistant: Entry | None = None
        self._calls: dict[tuple[int, int], Entry] = {}
        self._calls_by_id: dict[str, Entry] = {}
        self._meta: Entry | None = None
        self._turn_time: dict[int, float] = {}
        self._turn_tokens: dict[int, int] = {}
        self._stream_dirty: set[int] = set()
        self._flush_scheduled = False
        self.last_outcome = ""
        """"" | "error" | "cancelled": what ctrl+r (continue) resumes."""
        self._edit_turn: int | None = None
        self.side = "tools"

    def notify(self, message: str, *, title: str = "", severity: str = "information",  # type: ignore[override]
               timeout: float | None = None, markup: bool = True) -> None:
        """A toast; good news (an information toast) clears stale error toasts."""
        if severity == "information":
            self.clear_error_toasts()
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)  # type: ignore[arg-type]

    def clear_error_toasts(self) -> None:
        stale = [n for n in self._notifications if n.severity == "error"]
        for notification in stale:
            self._unnotify(notification, refresh=False)
        if stale:
            self._refresh_notifications()

    # -- layout -------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with Horizontal(id="main"):
            yield VerticalTab("Tools", "F2", "focus_pane('tools')", id="tools-tab", classes="side-tab")
            with Vertical(id="tools-pane", classes="pane"):
                yield Static("loading…", classes="pane-loading")
            with Vertical(id="conversation-pane", classes="pane"):
                yield Static("", id="composer-hint")
                yield Composer(placeholder="Message the model… (Enter sends)", id="composer")
            with Vertical(id="mocks-pane", classes="pane"):
                yield Static("loading…", classes="pane-loading")
            yield VerticalTab("Mocks", "F4", "focus_pane('mocks')", id="mocks-tab", classes="side-tab")

    def on_mount(self) -> None:
        self.composer.cursor_blink = self.cursor_blink
        self.query_one("#conversation-pane").border_title = "Conversation"
        self.query_one(StatusBar).show(Status(name="loading…", provider=""))
        self._layout_for(self.size.width)
        self.query_one(Composer).focus()
        self.call_after_refresh(self._open_initial)
        self.set_interval(self.autosave_seconds, self._autosave)
        if not self.is_headless:
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self._hang_up)
            # Started under `make`, SIGHUP can be ignored: notice a hung-up terminal by polling.
            self.set_interval(1.0, self._check_terminal)

    def _check_terminal(self) -> None:
        try:
            os.tcgetpgrp(sys.__stdin__.fileno())
        except (OSError, AttributeError, ValueError):
            self._hang_up()

    def _hang_up(self) -> None:
        """The terminal went away (window closed, tmux session killed): keep the work, then exit
        instead of running on without a screen."""
        self._autosave()
        self.exit()

    def on_resize(self, event) -> None:
        self._layout_for(event.size.width)

    def _layout_for(self, width: int) -> None:
        narrow = width < NARROW_WIDTH
        self.screen.set_class(narrow, "-narrow")
        self.screen.set_class(self.side == "mocks", "-side-mocks")

    @property
    def conversation(self) -> "ConversationView":
        return self.query_one("#conversation")  # type: ignore[return-value]

    @property
    def composer(self) -> Composer:
        return self.query_one(Composer)

    @property
    def tools_pane(self) -> "ToolsPane":
        return self.query_one("#tools")  # type: ignore[return-value]

    @property
    def mocks_pane(self) -> "MocksPane":
        return self.query_one("#mocks")  # type: ignore[return-value]

    # -- opening a session --------------------------------------------------------------------------

    async def _open_initial(self) -> None:
        try:
            await self._mount_panes()
        except (MountError, NoMatches):
            if self._exit:  # quit during start-up: the panes are already going away
                return
            raise
        path = self.session_path or demo_session_path()
        if path is None:
            self._install(self._new_session(), saved=True)
            return
        self.open_path(path, initial=True)

    async def _mount_panes(self) -> None:
        # The first frame is painted; now the costly parts: footer keys, the panes' editors, the session.
        from playground.tui.widgets.conversation import ConversationView
        from playground.tui.widgets.mocks_pane import MocksPane
        from playground.tui.widgets.tools_pane import ToolsPane

        view = ConversationView(id="conversation")
        view.hide_timings = self.hide_timings
        await self.query_one("#conversation-pane").mount(view, before="#composer-hint")
        await self.query(".pane-loading").remove()
        await self.query_one("#tools-pane").mount(ToolsPane(id="tools"))
        await self.query_one("#mocks-pane").mount(MocksPane(id="mocks"))
        await self.mount(Footer(compact=True))
        self.apply_blink(self.screen)

    def apply_blink(self, root: Any) -> None:
        from textual.widgets import Input, TextArea

        for widget in root.query("Input, TextArea"):
            if isinstance(widget, (Input, TextArea)):
                widget.cursor_blink = self.cursor_blink

    def _new_session(self) -> "Session":
        from playground.core.session import Session

        return Session(name="untitled")

    def open_path(self, path: Path, *, initial: bool = False) -> bool:
        from playground.core.session import InputError, load_session

        try:
            session = load_session(path)
        except InputError as error:
            self.load_error = str(error)
            self.notify(f"Cannot open the session: {error}", title="Open failed", severity="error", timeout=12)
            if initial:
                self._install(self._new_session(), saved=True)
                self._notice(-1, "error", f"cannot open {path}: {error}. Nothing was changed on disk; "
                             "this is a new, empty session (save it under another name).")
            return False
        except Exception as error:  # a bug in the loader must not kill the app
            self.notify(f"Cannot open {path}: {type(error).__name__}: {error}", severity="error", timeout=12)
            if initial:
                self._install(self._new_session(), saved=True)
            return False
        if initial:
            if self._provider_override:
                session.provider = self._provider_override
            if self._model_override:
                session.model = self._model_override
        self._install(session, saved=True)
        if initial and (self._provider_override or self._model_override):
            self._refresh_dirty()
        self._offer_recovery(path)
        return True

    def _offer_recovery(self, path: Path) -> None:
        backup = autosave_path(path)
        if not backup.is_file():
            return
        try:
            text = backup.read_text(encoding="utf-8")
        except OSError:
            return
        if text == self._saved_text:
            backup.unlink(missing_ok=True)
            return
        from playground.tui.screens.dialogs import ConfirmScreen

        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(backup.stat().st_mtime))

        def answer(choice: str | None) -> None:
            if choice == "recover":
                self._recover(path, text)
            elif choice == "discard":
                backup.unlink(missing_ok=True)
                self.notify("Discarded the autosaved changes.")

        self.push_screen(ConfirmScreen(
            "Recover unsaved changes?",
            f"{backup.name} holds changes to {path.name} from {when} that were never saved.",
            [("recover", "Recover", "primary"), ("discard", "Discard", "error"), ("later", "Not now", "default")],
            keys={"r": "recover", "d": "discard"}), answer)

    def _recover(self, path: Path, text: str) -> None:
        from playground.core.session import InputError, parse_session

        try:
            session = parse_session(text, path)
        except InputError as error:
            self.notify(f"The autosave cannot be read: {error}", severity="error", timeout=10)
            return
        saved = self._saved_text
        self._install(session, saved=False)
        self._saved_text = saved
        self._refresh_dirty()
        self.notify("Recovered the autosaved changes (not saved yet: ctrl+s saves).", title="Recovered")

    def _install(self, session: "Session", *, saved: bool) -> None:
        """Make `session` the open one: a new engine, panes, conversation."""
        from playground.core.session import session_yaml

        self._cancel_run()
        old = self.engine
        if old is not None:
            self.run_worker(old.aclose(), group="close", exit_on_error=False)
        self.session = session
        self.session_path = session.path
        self.load_error = None if saved else self.load_error
        self._build_engine()
        self.tools_pane.set_session(session)
        self.mocks_pane.set_session(session)
        self.mocks_pane.clear_pending()
        self._reset_view()
        self._edit_turn = None
        self.last_outcome = ""
        self._saved_text = session_yaml(session) if saved else ""
        self._autosaved_text = self._saved_text
        self._refresh_dirty()
        self.composer.value = ""  # nothing typed for the session before goes to this one
        self._prefill_composer()
        self._warm_up()

    def _build_engine(self, rerecord: bool = False) -> None:
        """A new engine and, when recording or replaying, the ONE Recorder of this period: it keeps
        every interaction from here on and is saved after each turn (the cassette always holds
        the whole conversation since the period began)."""
        from playground.core.engine import Engine

        assert self.session is not None
        if self.recording_unsaved:  # this recording period ends: what it recorded is not dropped
            self._save_cassette()
        factory = None
        self.recorder = None
        if self.record_mode != "off":
            try:
                from playground.recording import Recorder

                mode = "all" if rerecord and self.record_mode == "once" else self.record_mode
                self.recorder = Recorder(self.session, mode=mode)
                factory = self.recorder.client_factory()
            except Exception as error:
                self.notify(f"{RECORD_NAMES.get(self.record_mode, self.record_mode).capitalize()} is not possible: "
                            f"{error}", title="Recording off",
                            severity="error", timeout=10)
                self.record_mode = "off"
                self.recorder = None
        self.engine = Engine(self.session, client_factory=factory, mode=self.session.mode)
        self._update_status()

    @work(thread=True, exit_on_error=False, group="warm-up")
    def _warm_up(self) -> None:
        """Import openai off the UI thread so the first send does not freeze the screen."""
        import openai  # noqa: F401

    # -- the conversation view ----------------------------------------------------------------------

    def _reset_view(self) -> None:
        from playground.tui.widgets.conversation import Entry

        view = self.conversation
        view.hide_timings = self.hide_timings
        view.clear()
        self._calls_by_id.clear()
        session = self.session
        if session is None:
            return
        if session.system:
            view.add(Entry("system", -1, session.system))
        for index, turn in enumerate(session.turns):
            view.add(Entry("user", index, turn.user, data={"queued": True}))

    def _queued_start(self) -> int:
        """Index of the first saved turn the engine has not run yet."""
        assert self.engine is not None
        return len(self.engine.turn_starts)

    def _queued_count(self) -> int:
        if self.session is None or self.engine is None:
            return 0
        return max(0, len(self.session.turns) - self._queued_start())

    def _prefill_composer(self) -> None:
        if self.session is None or self.engine is None:
            return
        if self._queued_count():
            self.composer.offer(self.session.turns[self._queued_start()].user)
        self._update_hint()

    def _update_hint(self) -> None:
        hint = Text()
        queued = self._queued_count()
        if self.running:
            if self.mocks_pane.has_pending:
                hint.append("‖ ", style="bold yellow")
                hint.append("the model called tools: edit the results in the Mocks pane, ctrl+r submits them",
                            style="yellow")
            else:
                hint.append("⟳ ", style="bold cyan")
                hint.append(f"{self.running}… Esc cancels", style="cyan")
        elif self._edit_turn is not None:
            hint.append("✎ ", style="bold magenta")
            hint.append(f"editing turn {self._edit_turn + 1}: Enter reruns from there, Esc keeps it as it was",
                        style="magenta")
        elif self.last_outcome in ("error", "cancelled"):
            hint.append("✖ " if self.last_outcome == "error" else "⊘ ", style="bold red")
            hint.append(f"the last step {'failed' if self.last_outcome == 'error' else 'was cancelled'}: "
                        "ctrl+r retries it, or send a new message", style="red")
        elif queued and self.composer.value.strip() not in ("", self.session.turns[self._queued_start()].user):
            start = self._queued_start()
            hint.append("✎ ", style="bold magenta")
            hint.append(f"Enter runs saved turn {start + 1} with your text · Esc puts the saved text back",
                        style="magenta")
        elif queued:
            start = self._queued_start()
            hint.append("▶ ", style="bold green")
            hint.append(f"saved turn {start + 1}/{len(self.session.turns)} in the composer: Enter runs it "
                        "· F5 runs all", style="green")
        else:
            hint.append("Enter sends · F3 ↑↓ select · e edit · x delete · F1 help", style="dim")
        self.query_one("#composer-hint", Static).update(hint)

    def _notice(self, turn: int, level: str, text: str) -> Entry:
        from playground.tui.widgets.conversation import Entry

        return self.conversation.add(Entry("notice", turn, text, data={"level": level}))

    def _fmt_time(self, seconds: float | None) -> str:
        if seconds is None:
            return "–"
        if self.hide_timings:
            return "‹t›"
        return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"

    # -- sending and running ------------------------------------------------------------------------

    @on(Composer.SendRequested)
    def _send_requested(self, event: Composer.SendRequested) -> None:
        self.send_text(event.text)

    @on(Composer.Changed)
    def _composer_changed(self, event: Composer.Changed) -> None:
        if self.session is not None and self.engine is not None and self._queued_count():
            self._update_hint()

    def send_text(self, text: str) -> None:
        from playground.tui.widgets.conversation import Entry

        if self.session is None or self.engine is None:
            return
        if self.running:
            if self.mocks_pane.has_pending:
                self.notify("The model is waiting for tool results: submit them first (ctrl+r).",
                            severity="warning")
            else:
                self.notify("A run is in progress: wait for it or press Esc to cancel it.", severity="warning")
            return
        text = text.strip()
        if not text:
            self.notify("Type a message first.", severity="warning", timeout=3)
            return
        if self._tool_errors():
            return
        if self._edit_turn is not None:
            turn, self._edit_turn = self._edit_turn, None
            self._rerun_from(turn, text)
            return
        if self.last_outcome:
            self.last_outcome = ""
        if self._queued_count():
            start = self._queued_start()
            if self.session.turns[start].user != text:
                self.session.turns[start].user = text
                for entry in self.conversation.entries:
                    if entry.kind == "user" and entry.turn == start:
                        entry.text = text
                        self.conversation.update_entry(entry)
            self.composer.value = ""
            self._start("turns", first=start, last=start)
            return
        self.composer.value = ""
        turn = len(self.session.turns)
        self.conversation.add(Entry("user", turn, text))
        self.conversation._follow = True
        self._start("send", text=text)

    def _tool_errors(self) -> bool:
        """Refuse to send tools the API would reject; say where the problem is."""
        assert self.session is not None
        try:
            problems = self.session.tool_errors()
        except Exception:
            return False
        if problems:
            first = problems[0]
            self.notify(f"Fix the tools first: {first.path}: {first.message}", title="Invalid tools",
                        severity="error", timeout=8)
            return True
        return False

    def _start(self, kind: str, **arguments: Any) -> None:
        self._run_id += 1
        self.running = {"send": "running", "turns": "running", "all": "running the session",
                        "resume": "retrying"}.get(kind, "running")
        self.last_outcome = ""
        self._step = None
        self._assistant = None
        self._meta = None
        self._calls.clear()
        self._update_status()
        self._update_hint()
        self._worker = self._run(self._run_id, kind, arguments)

    @work(exclusive=True, exit_on_error=False, group="engine", name="engine-run")
    async def _run(self, run: int, kind: str, arguments: dict[str, Any]) -> None:
        from playground.core.events import StepStarted, TurnFinished

        engine, recorder = self.engine, self.recorder
        assert engine is not None

        def turn_now() -> int:
            return len(engine.turn_starts) - 1

        async def consume(iterator) -> bool:
            finished = False
            async for event in iterator:
                if isinstance(event, StepStarted) and recorder is not None:
                    recorder.step_started(turn_now(), event.step)  # before the request goes out
                finished = finished or isinstance(event, TurnFinished)
                self.post_message(EngineEvent(run, event, turn_now()))
            return finished

        if kind == "send":
            await consume(engine.send(arguments["text"]))
        elif kind == "resume":
            await consume(engine.resume())
        elif kind == "all":
            await consume(engine.run_all())
        elif kind == "turns":
            for index in range(arguments["first"], arguments["last"] + 1):
                if not await consume(engine.run_turn(index)):
                    break

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place where the end of a run, and any failure of a worker, is shown."""
        worker = event.worker
        if worker.group == "warm-up" or worker.group == "close":
            if event.state == WorkerState.ERROR and worker.group == "close":
                self.log.warning(f"closing the client failed: {worker.error}")
            return
        if worker.group != "engine":
            if event.state == WorkerState.ERROR:
                self.notify(f"{worker.name or 'a task'} failed: {worker.error}", severity="error", timeout=10)
            return
        if worker is not self._worker or event.state not in (WorkerState.SUCCESS, WorkerState.ERROR,
                                                             WorkerState.CANCELLED):
            return
        self._flush_stream()
        turn = self._step_turn
        if event.state == WorkerState.CANCELLED:
            self._drop_step_entries()
            if self.engine is not None and self.engine.turn_starts:
                self._notice(turn, "info", "cancelled: the step was undone; ctrl+r runs it again")
                self.last_outcome = "cancelled"
        elif event.state == WorkerState.ERROR:
            error = worker.error
            self._drop_step_entries()
            self._notice(turn, "error", f"the run stopped: {type(error).__name__}: {error}")
            self.notify(f"{type(error).__name__}: {error}", title="Run failed", severity="error", timeout=10)
            self.last_outcome = "error"
        self.mocks_pane.clear_pending()
        self._unmark_pending()
        self.running = ""
        self._worker = None
        self._refresh_dirty()
        self._save_cassette_with_session()
        self._prefill_composer()
        self._update_status()
        self._update_hint()

    def _drop_step_entries(self) -> None:
        step = self._step
        if step is None:
            return
        self.conversation.remove_where(lambda e: e.step == step and e.kind in ("assistant", "call", "meta",
                                                                              "result"))
        self._assistant = None
        self._meta = None

    def _unmark_pending(self) -> None:
        for entry in self._calls_by_id.values():
            if entry.data.get("pending"):
                entry.data["pending"] = False
                self.conversation.update_entry(entry)

    def _mark_turn_started(self, turn: int) -> None:
        """A turn the view shows as saved, not run yet, is now running: it moves after what has run,
        before the saved turns still waiting."""
        view = self.conversation
        for entry in view.entries:
            if entry.kind == "user" and entry.turn == turn and entry.data.get("queued"):
                view.remove_where(lambda e, entry=entry: e is entry)
                entry.data["queued"] = False
                entry.changed()
                view.add(entry)
                break
        self._update_hint()

    @on(EngineEvent)
    def _engine_event(self, message: EngineEvent) -> None:
        from playground.tui.widgets.conversation import Entry

        if message.run != self._run_id:
            return
        from playground.core import events as ev

        event = message.event
        view = self.conversation
        turn = message.turn
        if isinstance(event, ev.StepStarted):
            self._flush_stream()
            self._step = event.step
            self._step_turn = turn
            self._assistant = None
            self._meta = None
            self._calls.clear()
            self._mark_turn_started(turn)
            self.running = f"step {event.step}: waiting for the model"
            self._update_status()
        elif isinstance(event, ev.TextDelta):
            entry = self._assistant_entry(turn)
            entry.text += event.text
            entry.data["streaming"] = True
            self._schedule_flush(entry)
            if not self.running.startswith("step") or "streaming" not in self.running:
                self.running = f"step {self._step}: streaming"
                self._update_status()
        elif isinstance(event, ev.ToolCallDelta):
            self._assistant_entry(turn)
            key = (self._step or 0, event.index)
            entry = self._calls.get(key)
            if entry is None:
                entry = view.add(Entry("call", turn, step=self._step,
                                       data={"name": event.name or "", "call_id": event.call_id or "",
                                             "arguments": "", "complete": False}))
                self._calls[key] = entry
            if event.name and not entry.data["name"]:
                entry.data["name"] = event.name
            if event.call_id:
                entry.data["call_id"] = event.call_id
            entry.data["arguments"] += event.arguments
            self._schedule_flush(entry)
        elif isinstance(event, ev.AssistantMessage):
            self._flush_stream()
            self._finish_assistant(event, turn)
        elif isinstance(event, ev.UsageReported):
            if self._meta is not None:
                usage = event.usage
                self._meta.data["tokens"] = f"{usage.prompt_tokens}+{usage.completion_tokens} tokens"
                self._meta.text = self._meta_text(self._meta)
                view.update_entry(self._meta)
            self._turn_tokens[turn] = self._turn_tokens.get(turn, 0) + event.usage.total_tokens
        elif isinstance(event, ev.Fault):
            if event.call_id is None or event.call_id not in self._calls_by_id:
                self._notice(turn, "fault", event.message).step = self._step
        elif isinstance(event, ev.UnusedResults):
            self._notice(turn, "warning", event.message).step = self._step
        elif isinstance(event, ev.ToolCallsRequested):
            for call in event.calls:
                entry = self._calls_by_id.get(call.call_id)
                if entry is not None:
                    entry.data["problems"] = list(call.problems)
                    entry.data["pending"] = event.manual
                    view.update_entry(entry)
            if event.manual:
                self.mocks_pane.show_pending(list(event.calls))
                self.running = "waiting for your results"
                if self.screen.has_class("-narrow"):
                    self.side = "mocks"
                    self._layout_for(self.size.width)
                self.mocks_pane.call_after_refresh(self.mocks_pane.focus_pending)
                self._update_status()
                self._update_hint()
        elif isinstance(event, ev.ToolResult):
            if self.mocks_pane.has_pending:
                self.mocks_pane.clear_pending()
                self.running = "running"
                self._update_hint()
            call_entry = self._calls_by_id.get(event.call_id)
            if call_entry is not None and call_entry.data.get("pending"):
                call_entry.data["pending"] = False
                view.update_entry(call_entry)
            output = event.output
            view.add(Entry("result", turn, output.content, step=self._step,
                           data={"name": event.name, "source": output.source, "is_error": output.is_error,
                                 "call_id": event.call_id}))
        elif isinstance(event, ev.TurnFinished):
            seconds = self._turn_time.pop(turn, None)
            tokens = self._turn_tokens.pop(turn, None)
            parts = [f"✓ turn {turn + 1} done", f"{self._fmt_time(seconds)} total" if seconds is not None else None,
                     plural(tokens, "token") if tokens else None,
                     f"finish: {event.reason}" if event.reason not in ("stop",) else None]
            view.add(Entry("meta", turn, " · ".join(p for p in parts if p), data={"summary": True}))
            self.clear_error_toasts()  # the turn went through: an old failure's toast is stale
            self._step = None
            self._refresh_dirty()
        elif isinstance(event, ev.ErrorEvent):
            self._flush_stream()
            if event.kind != "max_steps":
                self._drop_step_entries()
                self.last_outcome = "error"
            hint = "" if event.kind == "max_steps" else " (ctrl+r retries the step)"
            message = event.message
            self._notice(turn, "error", f"{message}{hint}")
            self.notify(message, title=error_title(event.kind, message), severity="error", timeout=8)
            self._step = None

    def _assistant_entry(self, turn: int) -> Entry:
        from playground.tui.widgets.conversation import Entry

        if self._assistant is None:
            self._assistant = self.conversation.add(Entry("assistant", turn, step=self._step,
                                                           data={"streaming": True}))
        return self._assistant

    def _finish_assistant(self, event: Any, turn: int) -> None:
        from playground.tui.widgets.conversation import Entry

        view = self.conversation
        message = event.message
        calls = message.get("tool_calls") or []
        entry = self._assistant
        if entry is None:
            entry = self._assistant = view.add(Entry("assistant", turn, step=self._step, data={}))
        entry.text = message.get("content") or ""
        entry.data["streaming"] = False
        entry.data["calls"] = len(calls)
        view.update_entry(entry)
        for index, call in enumerate(calls):
            key = (self._step or 0, index)
            card = self._calls.get(key)
            function = call.get("function") or {}
            if card is None:
                card = view.add(Entry("call", turn, step=self._step, data={}))
                self._calls[key] = card
            card.data.update(name=function.get("name", ""), call_id=call.get("id", ""),
                             arguments=function.get("arguments", ""), complete=True)
            self._calls_by_id[call.get("id", "")] = card
            view.update_entry(card)
        self._turn_time[turn] = self._turn_time.get(turn, 0.0) + (event.latency or 0.0)
        meta = Entry("meta", turn, step=self._step, data={
            "step": self._step, "latency": event.latency, "first": event.first_token,
            "finish": event.finish_reason, "model": event.model})
        meta.text = self._meta_text(meta)
        self._meta = view.add(meta)

    def _meta_text(self, meta: Entry) -> str:
        data = meta.data
        parts = [f"step {data.get('step')}", self._fmt_time(data.get("latency"))]
        if data.get("first") is not None and self.session is not None and self.session.stream:
            parts.append(f"first token {self._fmt_time(data.get('first'))}")
        if data.get("tokens"):
            parts.append(data["tokens"])
        if data.get("finish"):
            parts.append(str(data["finish"]))
        return " · ".join(parts)

    def _schedule_flush(self, entry: Entry) -> None:
        self._stream_dirty.add(id(entry))
        entry.data["_dirty"] = True
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self.set_timer(1 / 30, self._flush_stream)

    def _flush_stream(self) -> None:
        self._flush_scheduled = False
        if not self._stream_dirty:
            return
        self._stream_dirty.clear()
        view = self.conversation
        for entry in view.entries[-64:]:
            if entry.data.pop("_dirty", False):
                view.update_entry(entry)

    # -- continue / cancel --------------------------------------------------------------------------

    def action_cancel(self) -> None:
        if self._edit_turn is not None and not self.running:
            self._edit_turn = None
            self.composer.value = ""
            self._prefill_composer()
            self.notify("Edit dropped; the turn stays as it was.", timeout=3)
            return
        if self._worker is not None and self.running:
            self._worker.cancel()
            self.notify("Cancelled the run.", timeout=3)
        elif self._queued_count() and self.session is not None and \
                self.composer.value != self.session.turns[self._queued_start()].user:
            self._prefill_composer()
        elif getattr(self.focused, "id", None) == "conversation":
            self.composer.focus()

    def _cancel_run(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            self._worker = None
            self.running = ""

    def action_continue(self) -> None:
        if self.engine is None:
            return
        if self.mocks_pane.has_pending:
            self._submit_results(self.mocks_pane.collect_all())
            return
        if self.running:
            self.notify("A run is in progress.", severity="warning", timeout=3)
            return
        if not self.engine.turn_starts:
            self.notify("Nothing to continue: send a message first.", timeout=3)
            return
        self.conversation.remove_where(lambda e: e.kind == "notice" and e.data.get("level") in ("error", "info")
                                       and e.turn == len(self.engine.turn_starts) - 1
                                       and e is self.conversation.entries[-1])
        self._start("resume")

    def on_conversation_view_typed_away(self, event: "ConversationView.TypedAway") -> None:
        self.composer.focus()
        self.composer.type_text(event.character)

    def on_mocks_pane_call_answered(self, event: "MocksPane.CallAnswered") -> None:
        entry = self._calls_by_id.get(event.call_id)
        if entry is not None and entry.data.get("pending"):
            entry.data["answered"] = True
            self.conversation.update_entry(entry)

    def on_mocks_pane_results_ready(self, event: "MocksPane.ResultsReady") -> None:
        self._submit_results(event.results)

    def _submit_results(self, results: dict[str, str]) -> None:
        if self.engine is None or not self.engine.waiting_for_results:
            self.mocks_pane.clear_pending()
            return
        try:
            self.engine.submit_results(results)
        except RuntimeError as error:
            self.notify(str(error), severity="warning")
        self.mocks_pane.clear_pending()
        self.running = "running"
        self._update_hint()
        self._update_status()
        self._refresh_dirty()
        self.composer.focus()

    def action_run_all(self) -> None:
        if self.session is None or self.engine is None:
            return
        if self.running:
            self.notify("A run is in progress: Esc cancels it first.", severity="warning")
            return
        if not self.session.turns:
            self.notify("The session has no turns yet: type a message and press Enter.", timeout=4)
            return
        if self._tool_errors():
            return
        if self.recorder is not None and self.engine.turn_starts:
            # A rerun from the start: a fresh cassette run. A period that records (once with no
            # cassette at its start, or all) records the whole session again; `once` must not
            # turn into a replay of the cassette this period wrote itself.
            self._build_engine(rerecord=not self.recorder.replaying)
        self._edit_turn = None
        self.composer.value = ""
        self._reset_view()
        self._start("all")

    # -- edit / delete past messages ----------------------------------------------------------------

    def on_conversation_view_entry_action(self, event: "ConversationView.EntryAction") -> None:
        entry = event.entry
        if self.session is None:
            return
        if self.running:
            self.notify("Wait for the run to end (or Esc) before changing the conversation.", severity="warning")
            return
        if entry.kind == "system" or (entry.turn < 0 and event.action == "edit"):
            self._edit_system()
            return
        if entry.turn < 0 or entry.turn >= len(self.session.turns):
            self.notify("This entry is not part of a turn.", timeout=3)
            return
        if event.action == "edit":
            self._edit_turn = entry.turn
            self.composer.offer(self.session.turns[entry.turn].user)
            self.composer.focus()
            self._update_hint()
        else:
            self._confirm_delete(entry.turn)

    def _edit_system(self) -> None:
        from playground.tui.screens.dialogs import PromptScreen

        assert self.session is not None

        def done(value: str | None) -> None:
            if value is None or self.session is None:
                return
            self.session.system = value.strip() or None
            self._reset_view_keep()
            self._refresh_dirty()
            self.notify("System prompt changed; F5 reruns the session with it.", timeout=5)

        self.push_screen(PromptScreen("System prompt", self.session.system or "",
                                      hint="Sent first in every request; empty for none."), done)

    def _reset_view_keep(self) -> None:
        """Update the system entry in place."""
        from playground.tui.widgets.conversation import Entry

        view = self.conversation
        system = next((e for e in view.entries if e.kind == "system"), None)
        if self.session is None:
            return
        if system is not None and self.session.system:
            system.text = self.session.system
            view.update_entry(system)
        elif system is not None:
            view.remove_where(lambda e: e is system)
        elif self.session.system:
            entries = [Entry("system", -1, self.session.system)] + view.entries
            view.clear()
            view.extend(entries)

    def _confirm_delete(self, turn: int) -> None:
        from playground.tui.screens.dialogs import ConfirmScreen

        assert self.session is not None
        after = len(self.session.turns) - turn - 1
        text = self.session.turns[turn].user
        rerun = f" and rerun the {plural(after, 'turn')} after it" if after else ""

        def answer(choice: str | None) -> None:
            if choice == "delete":
                self._delete_turn(turn)

        self.push_screen(ConfirmScreen(
            f"Delete turn {turn + 1}?", f"“{_short(text)}” and its answers go{rerun}.",
            [("delete", "Delete", "error"), ("cancel", "Cancel", "default")], keys={"y": "delete", "n": "cancel"}),
            answer)

    def _truncate_keep(self, turn: int) -> list[Any]:
        """Drop turn `turn`.. from the engine and view; return those turns (to keep as saved)."""
        assert self.session is not None and self.engine is not None
        kept = list(self.session.turns[turn:])
        self.engine.truncate(turn)
        self.conversation.remove_where(lambda e: e.turn >= turn)
        if self.recorder is not None:  # the cassette goes back with the conversation
            self.recorder.rewind(turn)
        return kept

    def _rerun_from(self, turn: int, text: str) -> None:
        assert self.session is not None and self.engine is not None
        if turn >= self._queued_start():  # a saved turn that never ran: just change its text
            self.session.turns[turn].user = text
            self._requeue_view(turn)
            self.composer.value = ""
            self._start("turns", first=self._queued_start(), last=turn)
            return
        kept = self._truncate_keep(turn)
        kept[0].user = text
        self.session.turns.extend(kept)
        self._requeue_view(turn)
        self.composer.value = ""
        self._start("turns", first=turn, last=len(self.session.turns) - 1)

    def _delete_turn(self, turn: int) -> None:
        assert self.session is not None and self.engine is not None
        if turn >= self._queued_start():
            del self.session.turns[turn]
            self._requeue_view(self._queued_start())
            self._refresh_dirty()
            self._prefill_composer()
            return
        kept = self._truncate_keep(turn)[1:]
        self.session.turns.extend(kept)
        self._requeue_view(turn)
        self._refresh_dirty()
        if kept:
            self.composer.value = ""
            self._start("turns", first=turn, last=len(self.session.turns) - 1)
        else:
            self._prefill_composer()
            self.notify(f"Deleted turn {turn + 1}.", timeout=3)

    def _requeue_view(self, start: int) -> None:
        """Show saved turns from `start` on as not run yet (at the end of the view)."""
        from playground.tui.widgets.conversation import Entry

        assert self.session is not None
        view = self.conversation
        view.remove_where(lambda e: e.turn >= start)
        view.extend(Entry("user", index, turn.user, data={"queued": True})
                    for index, turn in enumerate(self.session.turns) if index >= start)

    # -- tools and mocks changed --------------------------------------------------------------------

    def on_tools_pane_tools_changed(self, event: "ToolsPane.ToolsChanged") -> None:
        from playground.core.session import ForcedFunction

        session = self.session
        if session is None:
            return
        for old, new in event.renamed.items():
            if old in session.mocks and new not in session.mocks:
                session.mocks[new] = session.mocks.pop(old)
            if isinstance(session.tool_choice, ForcedFunction) and session.tool_choice.function == old:
                session.tool_choice = ForcedFunction(function=new)
        for original, duplicate in event.copied.items():
            if original in session.mocks and duplicate not in session.mocks:
                session.mocks[duplicate] = session.mocks[original].model_copy(deep=True)
        forced = session.tool_choice.function if isinstance(session.tool_choice, ForcedFunction) else None
        if forced is not None and forced not in session.tool_names():
            session.tool_choice = "auto"
            self.notify(f"tool_choice forced {forced}, which is gone: it is auto now.", title="tool_choice",
                        timeout=6)
        self.mocks_pane.refresh_list()
        self.mocks_pane.select_tool(self.tools_pane.selected_name)
        self._refresh_dirty()
        self._update_status()

    def on_tools_pane_tool_selected(self, event: "ToolsPane.ToolSelected") -> None:
        self.mocks_pane.select_tool(event.name)

    def on_mocks_pane_mocks_changed(self, event: "MocksPane.MocksChanged") -> None:
        self._refresh_dirty()

    def on_tools_pane_action_requested(self, event: "ToolsPane.ActionRequested") -> None:
        from playground.tui.screens.dialogs import ConfirmScreen, FileScreen, PromptScreen

        pane = self.tools_pane
        if event.action == "rename" and event.index is not None:
            index = event.index

            def renamed(value: str | None) -> None:
                if value is not None and value != event.name:
                    pane.rename_tool(index, value.strip())

            self.push_screen(PromptScreen(f"Rename tool {event.name}", event.name,
                                          check=lambda v: pane.name_problem(v.strip(), index),
                                          hint="The mock and a forced tool_choice follow the new name."), renamed)
        elif event.action == "delete" and event.index is not None:
            index = event.index

            def deleted(choice: str | None) -> None:
                if choice == "delete":
                    pane.delete_tool(index)
                    has_mock = self.session is not None and event.name in self.session.mocks
                    self.notify(f"Deleted tool {event.name}"
                                + (" (its mock stays until you remove it)." if has_mock else "."), timeout=4)

            self.push_screen(ConfirmScreen(f"Delete tool {event.name}?", "Its definition goes from the session.",
                                           [("delete", "Delete", "error"), ("cancel", "Cancel", "default")],
                                           keys={"y": "delete", "n": "cancel"}), deleted)
        elif event.action == "load":
            self.push_screen(FileScreen("Load a tools file (OpenAI tools JSON/YAML or an MCP tools/list result)",
                                        self._base_dir(), (".json", ".yaml", ".yml")), self._load_tools_file)

    def _load_tools_file(self, path: Path | None) -> None:
        from playground.core.session import InputError
        from playground.core.tools import load_tools_file
        from playground.tui.screens.dialogs import ConfirmScreen

        if path is None:
            return
        try:
            tools = load_tools_file(path)
        except InputError as error:
            self.notify(str(error), title="Cannot load the tools", severity="error", timeout=10)
            return
        except Exception as error:
            self.notify(f"{path}: {type(error).__name__}: {error}", title="Cannot load the tools",
                        severity="error", timeout=10)
            return
        if not self.tools_pane.tools:
            count, _ = self.tools_pane.replace_tools(tools, append=False)
            self.notify(f"Loaded {plural(count, 'tool')} from {path.name}.", title="Tools loaded")
            return

        def answer(choice: str | None) -> None:
            if choice not in ("replace", "append"):
                return
            count, skipped = self.tools_pane.replace_tools(tools, append=choice == "append")
            if choice == "replace":
                self.notify(f"Replaced the tools with {plural(count, 'tool')} from {path.name}.",
                            title="Tools loaded")
                return
            told = f"Added {plural(count, 'tool')} from {path.name}."
            if skipped:
                told += f" Skipped {plural(len(skipped), 'tool')} already here: {', '.join(skipped)}."
            self.notify(told, title="Tools loaded", severity="warning" if skipped and not count else "information")

        self.push_screen(ConfirmScreen(f"Load {plural(len(tools), 'tool')} from {path.name}",
                                       "Replace the current tools, or add the new ones (same names are skipped)?",
                                       [("replace", "Replace", "warning"), ("append", "Add", "primary"),
                                        ("cancel", "Cancel", "default")]), answer)

    # -- settings -----------------------------------------------------------------------------------

    def _busy(self) -> bool:
        if self.running:
            self.notify("Wait for the run to end (or press Esc) first.", severity="warning", timeout=4)
            return True
        return False

    def action_tool_choice(self) -> None:
        from playground.tui.screens.dialogs import ChoiceScreen

        if self.session is None:
            return
        options: list[tuple[str | None, str]] = [
            ("auto", "auto — the model decides"), ("none", "none — no tool calls"),
            ("required", "required — at least one tool call")]
        names = [n for n in self.session.tool_names() if n]
        if names:
            options.append((None, "force one function"))
            options += [(f"function:{name}", f"force {name}") for name in names]
        self.push_screen(ChoiceScreen("tool_choice", options, current=self._choice_id()), self.set_tool_choice)

    def _choice_id(self) -> str:
        from playground.core.session import ForcedFunction

        choice = self.session.tool_choice if self.session else "auto"
        return f"function:{choice.function}" if isinstance(choice, ForcedFunction) else str(choice)

    def set_tool_choice(self, value: str | None) -> None:
        from playground.core.session import ForcedFunction

        if value is None or self.session is None:
            return
        if value.startswith("function:"):
            self.session.tool_choice = ForcedFunction(function=value.split(":", 1)[1])
        else:
            self.session.tool_choice = value  # type: ignore[assignment]
        self._setting_changed(f"tool_choice: {self._choice_label()}")

    def _choice_label(self) -> str:
        from playground.core.session import ForcedFunction

        choice = self.session.tool_choice if self.session else "auto"
        return f"force {choice.function}" if isinstance(choice, ForcedFunction) else str(choice)

    def action_toggle_parallel(self) -> None:
        if self.session is not None:
            self.session.parallel_tool_calls = not bool(self.session.parallel_tool_calls)
            self._setting_changed(f"parallel tool calls {'on' if self.session.parallel_tool_calls else 'off'}")

    def action_toggle_stream(self) -> None:
        if self.session is not None:
            self.session.stream = not self.session.stream
            self._setting_changed(f"streaming {'on' if self.session.stream else 'off'}")

    def action_toggle_manual(self) -> None:
        if self.session is None or self.engine is None:
            return
        mode = "auto" if self.session.mode == "manual" else "manual"
        self.session.mode = mode  # type: ignore[assignment]
        self.engine.mode = mode
        if mode == "auto" and self.mocks_pane.has_pending:
            self._submit_results(self.mocks_pane.collect_all())
        self._setting_changed("manual results: the run pauses at each tool call" if mode == "manual"
                              else "automatic results: mocks answer the tool calls")

    def set_mode(self, mode: str) -> None:
        if self.session is not None and self.session.mode != mode:
            self.action_toggle_manual()

    def _setting_changed(self, message: str) -> None:
        self._refresh_dirty()
        self._update_status()
        self.notify(message, timeout=3)

    def action_record_mode(self) -> None:
        from playground.tui.screens.dialogs import ChoiceScreen

        if self._busy() or self.session is None:
            return
        options = [("off", "off — talk to the provider, record nothing"),
                   ("once", "once — record if there is no cassette yet, else replay"),
                   ("new_episodes", "new_episodes — replay what matches, record the rest"),
                   ("all", "all — record everything again"),
                   ("none", "replay — answer only from the cassette (no network)")]
        where = self._cassette_label()
        self.push_screen(ChoiceScreen("Record mode", options, current=self.record_mode,
                                      hint=f"Cassette: {where}. Changing it restarts the conversation."),
                         self.set_record_mode)

    def _cassette_label(self) -> str:
        try:
            from playground.recording import default_cassette_path

            return shown_path(default_cassette_path(self.session))  # type: ignore[arg-type]
        except Exception:
            return "cassettes/<session>.yaml"

    def set_record_mode(self, mode: str | None) -> None:
        if mode is None or self.session is None or self._busy():
            return
        self.record_mode = mode
        old = self.engine
        if old is not None:
            self.run_worker(old.aclose(), group="close", exit_on_error=False)
        self._build_engine()
        self._reset_view()
        self.last_outcome = ""
        self._prefill_composer()
        self._update_hint()
        if self.recorder is not None:
            self.notify(f"{self.recorder.label.capitalize()}. F5 runs the session from the start.",
                        title="Record mode", timeout=6)
        elif mode == "off":
            self.notify("Recording off.", timeout=3)

    def _save_cassette_with_session(self) -> None:
        """Write the recording now if the session file is what it was recorded with; else it is
        written when the session is saved (and not at all if the changes are discarded), so a
        cassette never disagrees with its session file."""
        if not self.dirty:
            self._save_cassette()

    @property
    def recording_unsaved(self) -> bool:
        return self.recorder is not None and self.recorder.run.unsaved

    def _save_cassette(self) -> None:
        if self.recorder is None or self.recorder.replaying:
            return
        try:
            written = self.recorder.save()
        except Exception as error:
            self.notify(f"The cassette was not written: {error}", title="Recording", severity="error", timeout=10)
            return
        if written:
            self.notify(f"Cassette written: {shown_path(written)}", timeout=4)

    def action_switch_model(self) -> None:
        from playground.core.providers import load_profiles
        from playground.tui.screens.dialogs import ChoiceScreen

        if self._busy() or self.session is None:
            return
        try:
            profiles, _default = load_profiles(self.session.base_dir)
        except Exception as error:
            self.notify(f"Provider config: {error}", severity="error", timeout=8)
            profiles = {}
        options: list[tuple[str | None, str]] = []
        for name, profile in profiles.items():
            options.append((None, profile.label()))
            models = list(profile.models) or [self.session.model]
            for model in models:
                options.append((f"{name}\x00{model}", f"{name} · {model}"))
        options.append((None, "other"))
        options.append(("\x00custom", "type a provider (name or base URL) and model…"))
        self.push_screen(ChoiceScreen("Provider and model", options,
                                      current=f"{self.session.provider}\x00{self.session.model}"),
                         self._model_chosen)

    def _model_chosen(self, value: str | None) -> None:
        from playground.tui.screens.dialogs import PromptScreen

        if value is None or self.session is None:
            return
        if value == "\x00custom":
            def typed(text: str | None) -> None:
                if text and "/" in text.strip() and " " in text.strip():
                    provider, model = text.strip().rsplit(" ", 1)
                    self.set_provider_model(provider.strip(), model.strip())
                elif text and text.strip():
                    self.set_provider_model(self.session.provider, text.strip())  # type: ignore[union-attr]

            self.push_screen(PromptScreen("Provider and model", f"{self.session.provider} {self.session.model}",
                                          hint="“PROVIDER MODEL” (provider: a profile name or a base URL), "
                                               "or just a model name for the current provider."), typed)
            return
        provider, model = value.split("\x00", 1)
        self.set_provider_model(provider, model)

    def set_provider_model(self, provider: str, model: str) -> None:
        if self.session is None or self._busy():
            return
        self.session.provider = provider
        self.session.model = model
        if self.engine is not None:
            self.run_worker(self.engine.aclose(), group="close", exit_on_error=False)
        if self.recorder is not None:
            self._build_engine()
            self._reset_view()
            self._prefill_composer()
        self._setting_changed(f"Now using {provider} · {model}")

    # -- files --------------------------------------------------------------------------------------

    def _base_dir(self) -> Path:
        if self.session is not None and self.session.path is not None:
            return self.session.path.parent
        return Path.cwd()

    def _refresh_dirty(self) -> None:
        from playground.core.session import session_yaml

        if self.session is None:
            return
        try:
            self.dirty = session_yaml(self.session) != self._saved_text
        except Exception:
            self.dirty = True
        self._update_status()

    def action_save(self) -> None:
        if self.session is None:
            return
        if self.session.path is None:
            self.action_save_as()
            return
        self.save_to(self.session.path)

    def save_to(self, path: Path) -> bool:
        from playground.core.session import save_session, session_yaml

        assert self.session is not None
        old_path = self.session.path
        try:
            written = save_session(self.session, path)
        except Exception as error:
            self.notify(f"Not saved: {error}", title="Save failed", severity="error", timeout=10)
            return False
        self._saved_text = session_yaml(self.session)
        self._autosaved_text = self._saved_text
        for stale in {autosave_path(old_path), autosave_path(written)}:
            stale.unlink(missing_ok=True)
        self.session_path = written
        self._save_cassette()
        self._refresh_dirty()
        self.notify(f"Saved {written}", timeout=3)
        if old_path is not None and old_path.parent.resolve() != written.parent.resolve():
            self._warn_mock_modules_left_behind(old_path.parent)
        if self.recorder is not None and not self.recorder.replaying and self.engine is not None:
            ran, turns = len(self.engine.turn_starts), len(self.session.turns)
            if ran < turns:
                self.notify(f"The cassette holds {ran} of the session's {plural(turns, 'turn')}: `playground "
                            "replay` needs them all; F5 records the whole session.", title="Recording",
                            severity="warning", timeout=8, markup=False)
        return True

    def _warn_mock_modules_left_behind(self, old_folder: Path) -> None:
        """Python mocks live beside the session file: saved into another folder, they are not found
        there by `playground run` (this window keeps the modules it has loaded)."""
        from playground.core.mocks import mock_problems

        assert self.session is not None
        missing = [p.message for p in mock_problems(self.session) if p.path.endswith(".python")]
        if missing:
            self.notify(f"{missing[0]}. Copy the module from {shown_path(old_folder)} beside the session file "
                        "for `playground run` and replay.", title="Python mocks", severity="warning",
                        timeout=10, markup=False)

    def action_save_as(self, then: Any = None) -> None:
        from playground.tui.screens.dialogs import ConfirmScreen, PromptScreen

        if self.session is None:
            return
        current = self.session.path or (Path.cwd() / f"{self.session.name}.yaml")

        def check(value: str) -> str | None:
            value = value.strip()
            if not value:
                return "type a file name"
            if not value.endswith((".yaml", ".yml")):
                return "a session file ends in .yaml"
            if Path(value).expanduser().is_dir():
                return "that is a folder"
            return None

        def chosen(value: str | None) -> None:
            if value is None:
                return
            path = Path(value.strip()).expanduser()
            if not path.is_absolute():
                path = Path.cwd() / path

            def write() -> None:
                if self.save_to(path) and then is not None:
                    then()

            if path.exists() and (self.session.path is None or path.resolve() != self.session.path.resolve()):
                self.push_screen(ConfirmScreen("Overwrite?", f"{path} exists.",
                                               [("yes", "Overwrite", "error"), ("no", "Cancel", "default")]),
                                 lambda c: write() if c == "yes" else None)
            else:
                write()

        self.push_screen(PromptScreen("Save session as", str(current), check=check,
                                      hint="A .yaml path; tools and mocks go inline."), chosen)

    def _ask_unsaved(self, what: str, then: Any) -> None:
        """Run `then` once unsaved changes are saved or discarded (or at once when there are none)."""
        from playground.tui.screens.dialogs import ConfirmScreen

        drafts = self._unapplied_drafts()
        if not self.dirty and not drafts:
            then()
            return
        if not self.dirty:
            def discard_drafts(choice: str | None) -> None:
                if choice == "discard":
                    then()

            self.push_screen(ConfirmScreen(
                "Unsaved edit", f"{drafts} has errors, so it was never applied; it is lost if you {what}.",
                [("cancel", "Keep editing", "primary"), ("discard", f"{what.split()[0].capitalize()} anyway", "error")],
                keys={"d": "discard"}), discard_drafts)
            return

        def answer(choice: str | None) -> None:
            if choice == "save":
                if self.session is not None and self.session.path is not None:
                    if self.save_to(self.session.path):
                        then()
                else:
                    self.action_save_as(then=then)
            elif choice == "discard":
                if self.session is not None:
                    autosave_path(self.session.path).unlink(missing_ok=True)
                then()

        name = self.session.path.name if self.session and self.session.path else "the new session"
        if self.recording_unsaved:
            name += f" and the recording to {shown_path(self.recorder.path)}"
        lost = f" ({drafts} has errors: it is not saved and is lost.)" if drafts else ""
        self.push_screen(ConfirmScreen("Unsaved changes", f"Save the changes to {name} before you {what}?{lost}",
                                       [("save", "Save", "primary"), ("discard", "Don't save", "error"),
                                        ("cancel", "Cancel", "default")],
                                       keys={"s": "save", "d": "discard"}), answer)

    def _unapplied_drafts(self) -> str:
        """"" or what holds an edit with errors (never applied to the session, so not saved)."""
        try:
            tools, mocks = self.tools_pane, self.mocks_pane
        except NoMatches:
            return ""
        names = [tools.tool_label(index) for index in sorted(tools.drafts)]
        if tools.all_draft is not None:
            names.append("the whole tool list")
        if names:
            return "The tool editor's text for " + ", ".join(names)
        if mocks.has_class("-invalid") and mocks.tool:
            return f"The mock editor's text for {mocks.tool}"
        return ""

    def action_open(self) -> None:
        from playground.tui.screens.dialogs import FileScreen

        if self._busy():
            return

        def chosen(path: Path | None) -> None:
            if path is not None:
                self._ask_unsaved("open another session", lambda: self.open_path(path))

        self.push_screen(FileScreen("Open a session", self._base_dir(), (".yaml", ".yml")), chosen)

    def action_new_session(self) -> None:
        if self._busy():
            return

        def fresh() -> None:
            self._install(self._new_session(), saved=True)
            self.notify("New session: add tools in the Tools pane (F2, then a), then send a message.", timeout=5)

        self._ask_unsaved("start a new session", fresh)

    def action_clear_conversation(self) -> None:
        from playground.tui.screens.dialogs import ConfirmScreen

        if self._busy() or self.session is None or self.engine is None:
            return
        if not self.session.turns:
            self.notify("The conversation is already empty.", timeout=3)
            return

        def answer(choice: str | None) -> None:
            if choice != "clear" or self.session is None or self.engine is None:
                return
            self.engine.reset()
            self.session.turns.clear()
            self._edit_turn = None
            self.last_outcome = ""
            self.composer.value = ""
            self._reset_view()
            self._refresh_dirty()
            self._update_hint()

        count = len(self.session.turns)
        self.push_screen(ConfirmScreen("Clear the conversation?",
                                       f"All {plural(count, 'turn')} go (tools and mocks stay).",
                                       [("clear", "Clear", "error"), ("cancel", "Cancel", "default")],
                                       keys={"y": "clear", "n": "cancel"}), answer)

    def action_export(self) -> None:
        from playground.tui.screens.dialogs import ChoiceScreen

        if self.session is None:
            return
        options: list[tuple[str | None, str]] = []
        for fmt, label in (("python", "Python script"), ("curl", "curl command"), ("json", "JSON request body")):
            options.append((None, label))
            target = self._export_path(fmt).name
            options.append((f"{fmt}:both", f"{label} → {target} + clipboard"))
            options.append((f"{fmt}:file", f"{label} → {target}"))
            options.append((f"{fmt}:clipboard", f"{label} → clipboard"))
        self.push_screen(ChoiceScreen("Export the session", options,
                                      hint=f"Files go beside the session ({self._base_dir()})."),
                         lambda value: self.export(*value.split(":")) if value else None)

    def _export_path(self, fmt: str) -> Path:
        name = self.session.path.stem if self.session and self.session.path else (
            self.session.name if self.session else "session")
        return self._base_dir() / f"{name}{EXPORT_SUFFIX[fmt]}"

    def export(self, fmt: str, where: str = "both") -> Path | None:
        from playground.core.yamlio import atomic_write

        if self.session is None:
            return None
        try:
            from playground.export import export_session

            text = export_session(self.session, fmt)
        except Exception as error:
            self.notify(f"Export failed: {error}", severity="error", timeout=10)
            return None
        told = []
        path = None
        if where in ("file", "both"):
            path = self._export_path(fmt)
            try:
                atomic_write(path, text)
                if fmt in ("python", "curl"):
                    path.chmod(0o755)
            except OSError as error:
                self.notify(f"Cannot write {path}: {error}", severity="error", timeout=10)
                return None
            told.append(f"written to {path}")
        if where in ("clipboard", "both"):
            self.copy_to_clipboard(text)
            told.append("copied to the clipboard")
        self.notify(f"{fmt} export {' and '.join(told)}.", title="Exported", timeout=6)
        return path

    # -- autosave and quit --------------------------------------------------------------------------

    def _autosave(self) -> None:
        from playground.core.session import session_yaml
        from playground.core.yamlio import atomic_write

        if self.session is None or not self.dirty:
            return
        try:
            text = session_yaml(self.session)
            if text == self._autosaved_text:
                return
            atomic_write(autosave_path(self.session.path), text)
            self._autosaved_text = text
        except Exception as error:
            self.log.warning(f"autosave failed: {error}")

    async def action_quit(self) -> None:
        def leave() -> None:
            self.run_worker(self._leave(), group="quit", exit_on_error=False)

        self._ask_unsaved("quit", leave)

    async def _leave(self) -> None:
        self._cancel_run()
        await self.close_engine()
        self.exit()

    async def close_engine(self) -> None:
        if self.engine is not None:
            try:
                await self.engine.aclose()
            except Exception:
                pass

    # -- panes and help -----------------------------------------------------------------------------

    def action_focus_pane(self, pane: str) -> None:
        if self.session is None:
            return
        if pane in ("tools", "mocks"):
            self.side = pane
            self._layout_for(self.size.width)
            if pane == "tools":
                # F2 lands in the tool editor; pressed again it moves between editor and list
                editor = self.query_one("#tool-editor")
                if self.focused is editor:
                    self.query_one("#tool-list").focus()
                else:
                    editor.focus()
            else:
                if self.mocks_pane.has_pending:
                    self.mocks_pane.focus_pending()
                else:
                    self.query_one("#mock-list").focus()
        else:
            if self.focused is self.composer:
                self.conversation.focus()
            else:
                self.composer.focus()

    def get_system_commands(self, screen: Any) -> Iterable[SystemCommand]:
        """Textual's own commands, but its Quit: ours (ctrl+q, in the palette) asks about unsaved changes."""
        return (command for command in super().get_system_commands(screen) if command.title != "Quit")

    def action_help(self) -> None:
        from playground.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def action_send(self) -> None:
        self.send_text(self.composer.value)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in GLOBAL_ACTIONS and self.screen.is_modal:
            return False  # a dialog is open: its own keys (f1/escape close help, ...) win
        if action in ("run_all", "record_mode") and self.running:
            return False  # not while a run is going: out of the footer so Esc and ctrl+r fit there
        if action == "cancel":
            return bool(self.running or self._edit_turn is not None or self._composer_edited())
        if action == "continue":
            return bool(self.mocks_pane_ready() and (self.mocks_pane.has_pending or self.last_outcome))
        return True

    def _composer_edited(self) -> bool:
        try:
            return bool(self._queued_count()) and self.session is not None and \
                self.composer.value != self.session.turns[self._queued_start()].user
        except Exception:
            return False

    def mocks_pane_ready(self) -> bool:
        return bool(self.query("#mocks"))

    # -- status -------------------------------------------------------------------------------------

    def _is_offline(self, provider: str, base_dir: Path | None) -> bool:
        """Whether the provider is the offline model; read once per provider, not at every status update."""
        from playground.core.providers import ProviderError, resolve_profile

        key = (provider, base_dir)
        if key not in self._offline_providers:
            try:
                self._offline_providers[key] = resolve_profile(provider, base_dir).is_offline
            except (InputError, ProviderError):
                return False  # not cached: the run says what is wrong, and a fixed config is read again
        return self._offline_providers[key]

    def _update_status(self) -> None:
        session = self.session
        if session is None:
            return
        offline = self._is_offline(session.provider, session.base_dir)
        record = "off"
        recording = replaying = False
        if self.recorder is not None:
            replaying = bool(self.recorder.replaying)
            recording = not replaying
            where = shown_path(self.recorder.path)
            record = f"▶ replaying {where}" if replaying else f"● recording {self.recorder.mode} → {where}"
        path = None
        if session.path is not None:
            path = shown_path(session.path)
        self.query_one(StatusBar).show(Status(
            name=session.name, path=path, dirty=self.dirty, provider=session.provider, model=session.model,
            offline=offline, tool_choice=self._choice_label(), parallel=session.parallel_tool_calls,
            stream=session.stream, mode=session.mode, record=record, recording=recording,
            replaying=replaying, running=self.running))
        self.refresh_bindings()
        self.sub_title = session.name




def error_title(kind: str, message: str) -> str:
    """A toast title that says what went wrong: a missing key is configuration, not the network."""
    if kind == "config" or "API_KEY" in message or "is not set" in message:
        return "Provider configuration"
    return ERROR_TITLES.get(kind, "Error")


def plural(count: int, word: str, words: str | None = None) -> str:
    """"1 step", "2 steps" (or `words` for an irregular plural)."""
    return f"{count} {word if count == 1 else (words or word + 's')}"


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def create_app(session_path: Path | None = None, *, provider: str | None = None, model: str | None = None,
               record: str | None = None) -> PlaygroundApp:
    """The playground app for a session file (None: the bundled demo), as the CLI and tests use it."""
    return PlaygroundApp(session_path, provider=provider, model=model, record=record)
