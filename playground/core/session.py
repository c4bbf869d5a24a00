"""The session file (DESIGN 3): pydantic models, loading with file/line/key errors, atomic saves."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from playground.core.files import InputError
from playground.core.yamlio import (
    atomic_write,
    dump_yaml,
    load_yaml,
    position_of,
    yaml_error_position,
    yaml_positions,
)

if TYPE_CHECKING:
    from playground.core.tools import Problem

MOCK_KINDS = ("static", "template", "python", "sequence", "error")
ToolChoiceMode = Literal["auto", "none", "required"]
RunMode = Literal["auto", "manual"]
MAX_STEPS = 100
"""The most requests one turn may make (`max_steps`)."""


class SessionError(InputError):
    """A session file that cannot be used as it is. `others` are its further problems, in file order;
    `str()` gives one line per problem, this one first."""

    def __init__(self, message: str, *, others: Sequence[SessionError] = (), **where: Any):
        self.others = tuple(others)
        super().__init__(message, **where)

    def __str__(self) -> str:
        return "\n".join([super().__str__(), *(str(other) for other in self.others)])


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ForcedFunction(_Strict):
    function: str = Field(min_length=1)


ToolChoice = ToolChoiceMode | ForcedFunction


class MockSpec(_Strict):
    """How a tool call is answered: exactly one kind."""

    static: Any = None
    template: Any = None
    python: str | None = None
    sequence: list[Any] | None = None
    error: Any = None

    @model_validator(mode="before")
    @classmethod
    def _one_kind(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise ValueError(f"a mock is a mapping with one of {', '.join(MOCK_KINDS)}")
        kinds = [k for k in data if k in MOCK_KINDS]
        if len(kinds) != 1:
            raise ValueError(f"a mock has exactly one of {', '.join(MOCK_KINDS)} (got {len(kinds)})")
        return data

    @field_validator("python")
    @classmethod
    def _module_function(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = value.strip().split(":")
        if len(parts) != 2 or not all(part and not any(c.isspace() for c in part) for part in parts):
            raise ValueError("python mocks are 'module:function', e.g. 'weather_mocks:get_weather'")
        return value.strip()

    @property
    def kind(self) -> str:
        return next(k for k in MOCK_KINDS if k in self.model_fields_set)

    @property
    def body(self) -> Any:
        return getattr(self, self.kind)

    def to_data(self) -> dict[str, Any]:
        return {self.kind: self.body}


class Turn(_Strict):
    user: str
    results: dict[str, Any] = Field(default_factory=dict)
    """Hand-written tool results that override mocks, keyed by tool call id."""


class Session(_Strict):
    name: str = "untitled"
    provider: str = "offline"
    model: str = "gpt-4o"
    tool_choice: ToolChoice = "auto"
    parallel_tool_calls: bool | None = True
    stream: bool = True
    max_steps: int = Field(default=8, ge=1, le=MAX_STEPS)
    mode: RunMode = "auto"
    system: str | None = None
    temperature: float | None = Field(default=None, ge=0, le=2)
    seed: int | None = None
    max_tokens: int | None = Field(default=None, ge=1)
    cassette: str | None = None
    tools: list[Any] = Field(default_factory=list)
    mocks: dict[str, MockSpec] = Field(default_factory=dict)
    turns: list[Turn] = Field(default_factory=list)

    # Where the session was read from; not part of the file.
    path: Path | None = Field(default=None, exclude=True)
    tools_file: str | None = Field(default=None, exclude=True)

    @property
    def base_dir(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    def tool_names(self) -> list[str]:
        return [t.get("function", {}).get("name", "") for t in self.tools if isinstance(t, dict)]

    def find_tool(self, name: str) -> dict[str, Any] | None:
        for tool in self.tools:
            if isinstance(tool, dict) and tool.get("function", {}).get("name") == name:
                return tool
        return None

    def tool_problems(self) -> list["Problem"]:
        from playground.core.tools import Problem, validate_tools

        problems = validate_tools(self.tools)
        choice = self.tool_choice
        if isinstance(choice, ForcedFunction) and choice.function not in self.tool_names():
            problems.append(Problem("error", "tool_choice.function",
                                    f"tool_choice forces {choice.function!r}, which is not among the tools"))
        return problems

    def tool_errors(self) -> list["Problem"]:
        """The tool problems that stop a run (warnings do not)."""
        return [problem for problem in self.tool_problems() if problem.severity == "error"]

    def tool_choice_param(self) -> Any:
        """`tool_choice` as the API takes it."""
        if isinstance(self.tool_choice, ForcedFunction):
            return {"type": "function", "function": {"name": self.tool_choice.function}}
        return self.tool_choice

    def to_data(self) -> dict[str, Any]:
        """The file's content as plain data, in a readable key order, defaults left out."""
        data: dict[str, Any] = {"name": self.name, "provider": self.provider, "model": self.model}
        choice = self.tool_choice
        data["tool_choice"] = {"function": choice.function} if isinstance(choice, ForcedFunction) else choice
        data["parallel_tool_calls"] = self.parallel_tool_calls
        data["stream"] = self.stream
        data["max_steps"] = self.max_steps
        if self.mode != "auto":
            data["mode"] = self.mode
        for key in ("system", "temperature", "seed", "max_tokens", "cassette"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        data["tools"] = self._tools_data()
        data["mocks"] = {name: spec.to_data() for name, spec in self.mocks.items()}
        data["turns"] = [
            {"user": turn.user, "results": dict(turn.results)} for turn in self.turns
        ]
        return data

    def _tools_data(self) -> Any:
        if self.tools_file and self.path:
            try:
                on_disk = _read_tools_reference(self.base_dir / self.tools_file)
            except InputError:
                on_disk = None
            if on_disk == self.tools:
                return {"file": self.tools_file}
        return self.tools


SESSION_KEYS = frozenset(Session.model_fields) - {"path", "tools_file"}


def _read_tools_reference(file: Path) -> list[dict[str, Any]]:
    from playground.core.tools import (
        load_tools_file,  # tools imports session's InputError
    )

    return load_tools_file(file)


def _resolve_tools(raw: Any, base_dir: Path, path: Path, positions: dict) -> tuple[Any, str | None]:
    """`tools` may be a list of tool objects and `{file: ...}` entries, or one `{file: ...}`."""
    if isinstance(raw, dict) and set(raw) == {"file"}:
        return _load_reference(raw["file"], base_dir, path, positions, ("tools",)), str(raw["file"])
    if not isinstance(raw, list):
        return raw, None
    resolved: list[Any] = []
    for index, entry in enumerate(raw):
        if isinstance(entry, dict) and set(entry) == {"file"}:
            resolved.extend(_load_reference(entry["file"], base_dir, path, positions, ("tools", index)))
        else:
            resolved.append(entry)
    return resolved, None


def _load_reference(ref: Any, base_dir: Path, path: Path, positions: dict, at: tuple) -> list[Any]:
    line_col = position_of(positions, at) or (None, None)
    if not isinstance(ref, str) or not ref:
        raise SessionError("'file' must be a path to a tools file", path=path, line=line_col[0], key=_dotted(at))
    try:
        return _read_tools_reference(base_dir / ref)
    except InputError as error:
        raise SessionError(f"tools file {ref!r}: {error}", path=path, line=line_col[0], key=_dotted(at)) from None


def _dotted(path: tuple[Any, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def parse_session(text: str, path: str | Path = "<session>") -> Session:
    """Build a Session from YAML text; every problem is a SessionError naming file, line and key."""
    path = Path(path)
    try:
        data = load_yaml(text)
    except yaml.YAMLError as error:
        line, column = yaml_error_position(error) or (None, None)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise SessionError(f"not valid YAML: {problem}", path=path, line=line, column=column) from None
    if data is None:
        data = {}
    positions = yaml_positions(text)
    if not isinstance(data, dict):
        raise SessionError("a session file is a mapping of keys (name, model, tools, ...)", path=path, line=1)
    if "api_key" in data or any("key" == str(k).lower()[-3:] and "api" in str(k).lower() for k in data):
        raise SessionError("a session file never holds an API key; set it in the environment",
                           path=path, line=(position_of(positions, ("api_key",)) or (None,))[0])
    data = dict(data)
    data.setdefault("name", path.stem)
    tools_file = None
    if "tools" in data:
        data["tools"], tools_file = _resolve_tools(data["tools"], path.parent, path, positions)
    try:
        session = Session.model_validate(data)
    except ValidationError as error:
        raise _validation_error(error, path, positions) from None
    if not all(isinstance(tool, dict) for tool in session.tools):
        raise SessionError("each tool is a mapping (an OpenAI tool object)", path=path,
                           line=(position_of(positions, ("tools",)) or (None,))[0], key="tools")
    session.path = path
    session.tools_file = tools_file
    return session


def _validation_error(error: ValidationError, path: Path, positions: dict) -> SessionError:
    """Every key pydantic rejected, each with its line, first line first."""
    found: dict[tuple[Any, ...], tuple[int | None, int | None, str]] = {}
    for detail in error.errors():
        loc = _clean_loc(detail["loc"])
        if loc not in found:  # a union reports each branch that failed; the first says it best
            line, column = position_of(positions, loc) or (None, None)
            found[loc] = (line, column, _friendly(detail))
    problems = [SessionError(message, path=path, line=line, column=column, key=_dotted(loc))
                for loc, (line, column, message) in found.items()]
    problems.sort(key=lambda problem: (problem.line is None, problem.line or 0, problem.column or 0))
    first, *others = problems
    return SessionError(first.message, path=path, line=first.line, column=first.column, key=first.key,
                        others=others)


def _clean_loc(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    # pydantic adds union-branch names ("ForcedFunction", "literal[...]") and validator tags.
    cleaned = []
    for part in loc:
        if isinstance(part, str) and (part[:1].isupper() or part.startswith(("literal[", "function-"))):
            continue
        cleaned.append(part)
    return tuple(cleaned)


def _friendly(error: dict[str, Any]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required key is missing"
    message = error["msg"]
    return message.removeprefix("Value error, ")


def load_session(path: str | Path) -> Session:
    from playground.core.files import read_text

    return parse_session(read_text(path, "a session file", SessionError), path)


def session_yaml(session: Session) -> str:
    return dump_yaml(session.to_data())


def save_session(session: Session, path: str | Path | None = None) -> Path:
    """Write the session as readable YAML, atomically; returns where it went."""
    target = Path(path) if path is not None else session.path
    if target is None:
        raise SessionError("the session has no file yet; give a path")
    if session.path is not None and target.resolve() != session.path.resolve() and session.tools_file:
        session.tools_file = None  # a relative reference would point elsewhere from a new folder
    header = _leading_comments(target if target.exists() else session.path)
    atomic_write(target, header + session_yaml(session))
    session.path = target
    return target


def _leading_comments(path: Path | None) -> str:
    """The comment lines a session file starts with: what it is for stays when it is written again."""
    try:
        text = path.read_text(encoding="utf-8") if path is not None else ""
    except (OSError, UnicodeError):
        return ""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line + "\n")
    return "".join(lines)


def result_text(value: Any) -> str:
    """A tool result as the content of a `tool` message: strings as they are, the rest as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)
