"""The `playground` command: the TUI, and headless run / replay / serve / validate / export.

Exit codes: 0 success; 1 the session ran but failed; 2 usage or input error (one line on stderr).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, Sequence

from playground import __version__

COMMANDS = ("run", "replay", "serve", "validate", "export")
EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")


def _whole_number(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from `low` to `high`, else a usage error saying so."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low} to {high} (got {value})")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    from playground.core.session import MAX_STEPS

    parser = _Parser(prog="playground", description="A terminal playground for LLM tool calling with record/replay.")
    parser.add_argument("--version", action="version", version=f"playground {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    run = sub.add_parser("run", help="run a session headless and print its transcript")
    _session_args(run)
    run.add_argument("--record", choices=("none", "once", "new_episodes", "all"),
                     help="record the HTTP traffic to the session's cassette")
    run.add_argument("--provider", help="provider profile or base URL (default: the session's)")
    run.add_argument("--model", help="model (default: the session's)")
    run.add_argument("--stream", action=argparse.BooleanOptionalAction, default=None, help="stream responses")
    run.add_argument("--max-steps", type=_whole_number(1, MAX_STEPS), help="requests per turn at most")

    replay = sub.add_parser("replay", help="rerun a session from its cassette, offline")
    _session_args(replay)

    serve = sub.add_parser("serve", help="serve the offline model or a cassette as an OpenAI-compatible endpoint")
    what = serve.add_mutually_exclusive_group(required=True)
    what.add_argument("--offline", action="store_true", help="serve the embedded offline model")
    what.add_argument("--cassette", type=Path, help="replay this cassette")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=_whole_number(0, 65535), default=0, help="0 picks a free port")

    validate = sub.add_parser("validate", help="check tool files and session files")
    validate.add_argument("files", nargs="+", type=Path, metavar="FILE")

    export = sub.add_parser("export", help="a session as a Python script, a curl command or JSON")
    export.add_argument("session", type=Path, metavar="SESSION")
    export.add_argument("--format", required=True, choices=("python", "curl", "json"))
    return parser


def _session_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("session", type=Path, metavar="SESSION")
    parser.add_argument("--json", action="store_true", help="print the transcript as JSON")
    parser.add_argument("--cassette", type=Path, help="cassette path (default: cassettes/<name>.yaml)")


def build_tui_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="playground", description="Open the playground TUI (no session: the bundled demo).",
                     epilog=f"commands: {', '.join(COMMANDS)} (playground COMMAND --help)")
    parser.add_argument("--version", action="version", version=f"playground {__version__}")
    parser.add_argument("session", nargs="?", type=Path, metavar="SESSION")
    parser.add_argument("--provider")
    parser.add_argument("--model")
    parser.add_argument("--record", choices=("none", "once", "new_episodes", "all"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        if args_list and args_list[0] in COMMANDS:
            args = build_parser().parse_args(args_list)
            return _dispatch(args)
        if args_list[:1] in (["-h"], ["--help"]):
            build_parser().print_help()
            return EXIT_OK
        return _tui(build_tui_parser().parse_args(args_list))
    except UsageError as error:
        print(error, file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # the last line of defence: one line, never a traceback
        from playground.core.session import InputError

        if isinstance(error, InputError):
            for line in str(error).splitlines():  # a session file may have several problems
                print(f"playground: {line}", file=sys.stderr)
            return EXIT_INPUT
        print(f"playground: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_FAILED


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "run":
        return cmd_run(args)
    if args.command == "replay":
        return cmd_replay(args)
    if args.command == "serve":
        return cmd_serve(args)
    if args.command == "validate":
        return cmd_validate(args.files)
    return cmd_export(args)


def _tui(args: argparse.Namespace) -> int:
    from playground.core.files import demo_session_path

    path = args.session or demo_session_path()
    if path is None:
        raise UsageError("playground: the bundled demo (fixtures/weather.yaml) is not here; give a session file")
    if args.session is not None and not path.exists():
        from playground.core.session import SessionError

        raise SessionError("no such file", path=path)
    from playground.tui.app import create_app

    create_app(path, provider=args.provider, model=args.model, record=args.record).run()
    return EXIT_OK


# -- run / replay ------------------------------------------------------------------------------

def _load(path: Path):
    from playground.core.session import load_session

    return load_session(path)


def _check_tools(session: Any) -> bool:
    errors = session.tool_errors()
    for problem in errors:
        print(f"playground: {session.path}: {problem.path}: {problem.message}", file=sys.stderr)
    return not errors


def cmd_run(args: argparse.Namespace) -> int:
    session = _load(args.session)
    for key in ("provider", "model", "stream", "max_steps"):
        value = getattr(args, key)
        if value is not None:
            setattr(session, key, value)
    _check_provider(session)
    if not _check_tools(session):
        return EXIT_FAILED
    if args.record is None:
        if args.cassette is not None:
            raise UsageError("playground run: --cassette goes with --record (or use playground replay)")
        return _run_and_print(session, None, args.json)
    from playground.recording import Recorder

    with Recorder(session, mode=args.record, cassette=args.cassette) as recorder:
        code = _run_and_print(session, recorder, args.json)
    print(f"cassette: {recorder.label}", file=sys.stderr)
    return code


def _check_provider(session: Any) -> None:
    """An unknown profile or a missing key is a usage error, found before anything runs."""
    from playground.core.providers import ProviderError, resolve_profile

    try:
        profile = resolve_profile(session.provider, session.base_dir)
    except ProviderError as error:
        raise UsageError(f"playground: {error}") from None
    if profile.api_key_env and not profile.is_offline and not profile.api_key() and not profile.is_loopback:
        raise UsageError(f"playground: {profile.api_key_env} is not set (needed by provider {profile.name!r})")


def cmd_replay(args: argparse.Namespace) -> int:
    session = _load(args.session)
    if not _check_tools(session):
        return EXIT_FAILED
    from playground.recording import Recorder

    with Recorder(session, mode="none", cassette=args.cassette) as recorder:
        return _run_and_print(session, recorder, args.json)


def _run_and_print(session: Any, recorder: Any, as_json: bool) -> int:
    from playground.core.engine import run_session
    from playground.core.events import ErrorEvent, UnusedResults

    printer = None if as_json else _EventPrinter(session)
    factory = recorder.client_factory() if recorder is not None else None
    transcript, events = asyncio.run(
        run_session(session, client_factory=factory, on_event=printer.show if printer else None)
    )
    errors = [e for e in events if isinstance(e, ErrorEvent)]
    if as_json:
        print(transcript.to_json())
        for event in events:  # the readable transcript shows these in place
            if isinstance(event, UnusedResults):
                print(f"playground: {session.name}: warning: {event.message}", file=sys.stderr)
    elif printer:
        printer.summary(transcript)
    for error in errors:
        print(f"playground: {session.name}: {error.message}", file=sys.stderr)
    return EXIT_FAILED if errors else EXIT_OK


class _EventPrinter:
    """The readable transcript, printed live as events arrive."""

    def __init__(self, session: Any):
        from rich.console import Console

        self.console = Console(highlight=False, soft_wrap=True)
        self.session = session
        self._streaming = False
        if session.system:
            self.console.print(f"[bold magenta]system[/]  {session.system}")

    def show(self, event: Any) -> None:
        from rich.markup import escape

        from playground.core import events as ev

        out = self.console
        if isinstance(event, ev.StepStarted):
            if event.request["messages"] and event.request["messages"][-1]["role"] == "user":
                out.print(f"\n[bold cyan]user[/]  {escape(event.request['messages'][-1]['content'])}")
        elif isinstance(event, ev.TextDelta):
            if not self._streaming:
                out.print("[bold green]assistant[/]  ", end="")
                self._streaming = True
            out.print(escape(event.text), end="")
        elif isinstance(event, ev.AssistantMessage):
            if self._streaming:
                out.print()
                self._streaming = False
            elif event.message.get("content"):
                out.print(f"[bold green]assistant[/]  {escape(event.message['content'])}")
            for call in event.message.get("tool_calls") or []:
                fn = call["function"]
                out.print(f"[bold yellow]tool call[/]  {escape(fn['name'])}({escape(fn['arguments'])})  [dim]{call['id']}[/]")
        elif isinstance(event, ev.ToolResult):
            out.print(f"[bold blue]tool[/] {escape(event.name)} [dim]({event.output.source})[/]  {escape(event.output.content)}")
        elif isinstance(event, ev.Fault):
            out.print(f"[bold red]model fault[/] {event.kind}: {escape(event.message)}")
        elif isinstance(event, ev.UnusedResults):
            out.print(f"[bold yellow]warning[/] {escape(event.message)}")
        elif isinstance(event, ev.ErrorEvent):
            if self._streaming:
                out.print()
                self._streaming = False
            out.print(f"[bold red]error[/] ({event.kind}) {escape(event.message)}")

    def summary(self, transcript: Any) -> None:
        usage = transcript.usage
        self.console.print(
            f"\n[dim]{transcript.session}: {transcript.steps} steps, {usage.total_tokens} tokens "
            f"({usage.prompt_tokens} prompt + {usage.completion_tokens} completion), "
            f"model {transcript.model} via {transcript.provider}[/]"
        )


# -- serve / validate / export -----------------------------------------------------------------

def cmd_serve(args: argparse.Namespace) -> int:
    from playground.server import main_serve

    return main_serve(args)


def cmd_validate(files: list[Path]) -> int:
    from playground.core.validate_files import validate_file

    worst = EXIT_OK
    for path in files:
        report = validate_file(path)
        stream = sys.stdout if report.exit_code == EXIT_OK else sys.stderr
        for line in report.lines:
            print(line, file=stream)
        worst = max(worst, report.exit_code)
    return worst


def cmd_export(args: argparse.Namespace) -> int:
    from playground.export import export_session

    session = _load(args.session)
    sys.stdout.write(export_session(session, args.format))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
