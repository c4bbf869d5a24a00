"""`playground validate`: check tool files and session files, and report each problem with its place."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from playground.core.session import SESSION_KEYS, InputError, load_session
from playground.core.yamlio import load_yaml


@dataclass
class Report:
    path: Path
    lines: list[str] = field(default_factory=list)
    exit_code: int = 0


def looks_like_session(text: str) -> bool:
    try:
        data = load_yaml(text)
    except Exception:
        return False
    return isinstance(data, dict) and bool(set(data) & (SESSION_KEYS - {"tools"}))


def validate_file(path: Path) -> Report:
    from playground.core.mocks import mock_problems
    from playground.core.tools import parse_tools_text

    report = Report(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return _input_error(report, f"{path}: no such file")
    except IsADirectoryError:
        return _input_error(report, f"{path}: is a folder, not a file")
    except (OSError, UnicodeDecodeError) as error:
        return _input_error(report, f"{path}: cannot read: {error}")
    if looks_like_session(text):
        try:
            session = load_session(path)
        except InputError as error:
            return _input_error(report, *str(error).splitlines())
        problems = session.tool_problems() + mock_problems(session)
        kind = f"session, {_count(len(session.tools), 'tool')}, {_count(len(session.turns), 'turn')}"
    else:
        parsed = parse_tools_text(text, source=str(path))
        if parsed.tools is None:
            return _input_error(report, *(f"{path}:{p.line}:{p.column}: {p.message}" for p in parsed.problems))
        problems = parsed.problems
        kind = f"tools file, {_count(len(parsed.tools), 'tool')}"
    errors = [p for p in problems if p.severity == "error"]
    for problem in problems:
        place = f"{path}:{problem.line}:{problem.column}" if problem.line else str(path)
        report.lines.append(f"{place}: {problem.severity}: {problem.path}: {problem.message}")
    report.exit_code = 1 if errors else 0
    verdict = _count(len(errors), "error") if errors else "ok"
    warnings = len(problems) - len(errors)
    report.lines.append(f"{path}: {verdict} ({kind}{', ' + _count(warnings, 'warning') if warnings else ''})")
    return report


def _input_error(report: Report, *lines: str) -> Report:
    report.lines.extend(f"playground: {line}" for line in lines)
    report.exit_code = 2
    return report


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
