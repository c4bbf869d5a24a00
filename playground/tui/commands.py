"""Command palette (ctrl+p): every action of the app, plus one entry per choice (each tool to force,
each provider/model, each record mode, each export format)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Callable

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from playground.tui.app import PlaygroundApp

Command = tuple[str, Callable[[], object], str]


def app_commands(app: "PlaygroundApp") -> list[Command]:
    run = app.run_action
    commands: list[Command] = [
        ("Send the message in the composer", app.action_send, "enter · sends the composer's text"),
        ("Cancel the run", partial(run, "cancel"), "esc · stops the request; the step is undone"),
        ("Continue: submit pending results / retry the failed step", partial(run, "continue"), "ctrl+r"),
        ("Run the whole session from the start", partial(run, "run_all"), "f5 · every saved turn, in order"),
        ("Switch provider / model…", partial(run, "switch_model"), "ctrl+t"),
        ("tool_choice…", partial(run, "tool_choice"), "f6 · auto, none, required or one forced function"),
        ("Toggle parallel tool calls", partial(run, "toggle_parallel"), "f7 · parallel_tool_calls on/off"),
        ("Toggle streaming", partial(run, "toggle_stream"), "f8 · stream on/off"),
        ("Toggle manual / automatic tool results", partial(run, "toggle_manual"),
         "f9 · manual: the run pauses so you can edit each result"),
        ("Record mode…", partial(run, "record_mode"), "f10 · off, once, new_episodes, all, replay"),
        ("Open a session…", partial(run, "open"), "ctrl+o"),
        ("Save the session", partial(run, "save"), "ctrl+s"),
        ("Save the session as…", partial(run, "save_as"), "f12"),
        ("New session", partial(run, "new_session"), "ctrl+n"),
        ("Export…", partial(run, "export"), "ctrl+g · python, curl or json, to a file and/or the clipboard"),
        ("Clear the conversation", partial(run, "clear_conversation"), "ctrl+l · tools and mocks stay"),
        ("Help: keys and how it works", partial(run, "help"), "f1"),
        ("Focus the Tools pane", partial(run, "focus_pane('tools')"), "f2"),
        ("Focus the conversation / composer", partial(run, "focus_pane('conversation')"), "f3"),
        ("Focus the Mocks pane", partial(run, "focus_pane('mocks')"), "f4"),
        ("Tools: add a tool", partial(app.tools_pane.run_action, "add"), "a in the tool list"),
        ("Tools: duplicate the selected tool", partial(app.tools_pane.run_action, "duplicate"), "d"),
        ("Tools: rename the selected tool…", partial(app.tools_pane.run_action, "rename"), "r"),
        ("Tools: delete the selected tool…", partial(app.tools_pane.run_action, "delete"), "delete"),
        ("Tools: load a tools file…", partial(app.tools_pane.run_action, "load"),
         "l · OpenAI tools JSON/YAML or an MCP tools/list result"),
        ("Tools: edit the whole list / one tool", partial(app.tools_pane.run_action, "toggle_view"), "w"),
        ("Quit", partial(run, "quit"), "ctrl+q · asks about unsaved changes"),
    ]
    for value, label in (("auto", "auto"), ("none", "none"), ("required", "required")):
        commands.append((f"tool_choice: {label}", partial(app.set_tool_choice, value), "f6"))
    session = app.session
    if session is not None:
        for name in session.tool_names():
            if name:
                commands.append((f"tool_choice: force {name}", partial(app.set_tool_choice, f"function:{name}"),
                                 "the model must call this function"))
    for mode in ("manual", "auto"):
        commands.append((f"Results: {mode}", partial(app.set_mode, mode), "f9"))
    for mode, label in (("off", "off"), ("once", "once"), ("new_episodes", "new_episodes"), ("all", "all"),
                        ("none", "replay only (none)")):
        commands.append((f"Record mode: {label}", partial(app.set_record_mode, mode), "f10"))
    for fmt in ("python", "curl", "json"):
        for where, label in (("both", "to a file and the clipboard"), ("file", "to a file"),
                             ("clipboard", "to the clipboard")):
            commands.append((f"Export {fmt} {label}", partial(app.export, fmt, where), "ctrl+g"))
    try:
        from playground.core.providers import load_profiles

        profiles, _ = load_profiles(session.base_dir if session else None)
    except Exception:
        profiles = {}
    for name, profile in profiles.items():
        for model in profile.models:
            commands.append((f"Model: {name} · {model}", partial(app.set_provider_model, name, model),
                             profile.label()))
    return commands


class PlaygroundCommands(Provider):
    """The app's actions for the command palette."""

    def _commands(self) -> list[Command]:
        from playground.tui.app import PlaygroundApp

        app = self.app
        if not isinstance(app, PlaygroundApp) or app.session is None:
            return []
        return app_commands(app)

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands()[:28]:
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
