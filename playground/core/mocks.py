"""Mock tool outputs: static, template, python, sequence and error; a failing mock is an error
result the user sees, never a crash."""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

from playground.core.session import MOCK_KINDS, MockSpec, Session, result_text
from playground.core.tools import Problem


@dataclass(frozen=True)
class ToolOutput:
    """The content of one `tool` message and where it came from."""

    content: str
    source: str  # "mock:static", "mock:python", ..., "hand", "none"
    is_error: bool = False


def error_output(message: str, source: str) -> ToolOutput:
    return ToolOutput(json.dumps({"error": message}, ensure_ascii=False), source, is_error=True)


_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][\w.\-]*)\s*\}\}")


def render_template(template: Any, arguments: dict[str, Any]) -> Any:
    """Fill `{{name}}` (or `{{a.b}}`) from the arguments. A string that is only a placeholder keeps
    the argument's type; inside text it is formatted. Unknown names become empty. No code runs."""
    if isinstance(template, str):
        whole = _PLACEHOLDER.fullmatch(template.strip())
        if whole:
            return _lookup(arguments, whole.group(1))
        return _PLACEHOLDER.sub(lambda m: _as_text(_lookup(arguments, m.group(1))), template)
    if isinstance(template, list):
        return [render_template(item, arguments) for item in template]
    if isinstance(template, dict):
        return {render_template(k, arguments) if isinstance(k, str) else k: render_template(v, arguments)
                for k, v in template.items()}
    return template


def _lookup(arguments: Any, dotted: str) -> Any:
    value = arguments
    for part in dotted.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def mock_module_path(target: str, base_dir: Path) -> Path:
    """The file a python mock `module:function` is loaded from: the module beside the session."""
    return base_dir / (target.split(":", 1)[0].replace(".", "/") + ".py")


class PythonMockError(Exception):
    pass


class _ModuleCache:
    """Mock modules loaded from files beside the session, by path; reloaded when they change."""

    def __init__(self) -> None:
        self._modules: dict[Path, tuple[float, ModuleType]] = {}

    def function(self, target: str, base_dir: Path) -> Callable[..., Any]:
        module_name, function_name = target.split(":", 1)
        path = mock_module_path(target, base_dir).resolve()
        if not path.is_file():
            raise PythonMockError(f"mock module {module_name!r} not found (looked for {path})")
        mtime = path.stat().st_mtime
        cached = self._modules.get(path)
        if cached is None or cached[0] != mtime:
            cached = (mtime, self._load(module_name, path))
            self._modules[path] = cached
        function = getattr(cached[1], function_name, None)
        if not callable(function):
            raise PythonMockError(f"mock module {module_name!r} has no function {function_name!r}")
        return function

    @staticmethod
    def _load(module_name: str, path: Path) -> ModuleType:
        unique = f"playground_mocks.{abs(hash(str(path)))}.{module_name}"
        spec = importlib.util.spec_from_file_location(unique, path)
        if spec is None or spec.loader is None:
            raise PythonMockError(f"cannot load mock module {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[unique] = module
        try:
            spec.loader.exec_module(module)
        except (Exception, SystemExit) as error:
            sys.modules.pop(unique, None)
            raise PythonMockError(f"mock module {module_name!r} failed to import: {_describe(error)}") from None
        return module


_modules = _ModuleCache()


def _describe(error: BaseException) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    where = f" ({Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return f"{type(error).__name__}: {error}{where}"


class MockRunner:
    """Answers tool calls from a session's mocks; keeps the position of each sequence."""

    def __init__(self, mocks: dict[str, MockSpec], base_dir: Path):
        self.mocks = mocks
        self.base_dir = base_dir
        self._calls: dict[str, int] = {}

    def reset(self) -> None:
        self._calls.clear()

    def positions(self) -> dict[str, int]:
        """How many calls each tool's mock has answered (where each sequence stands)."""
        return dict(self._calls)

    def restore(self, positions: dict[str, int]) -> None:
        self._calls = dict(positions)

    def runs_code(self, tool_name: str) -> bool:
        """Whether answering this tool may run user code (a python mock, maybe inside a sequence)."""
        spec = self.mocks.get(tool_name)
        return spec is not None and (spec.kind == "python" or spec.kind == "sequence")

    def resolve(self, tool_name: str, arguments: Any) -> ToolOutput:
        spec = self.mocks.get(tool_name)
        if spec is None:
            return error_output(f"no mock for tool {tool_name!r}: add one or write the result by hand", "none")
        count = self._calls.get(tool_name, 0)
        self._calls[tool_name] = count + 1
        return self._run(spec, arguments if isinstance(arguments, dict) else {}, count)

    def _run(self, spec: MockSpec, arguments: dict[str, Any], count: int) -> ToolOutput:
        kind = spec.kind
        source = f"mock:{kind}"
        if kind == "static":
            return ToolOutput(result_text(spec.static), source)
        if kind == "template":
            return ToolOutput(result_text(render_template(spec.template, arguments)), source)
        if kind == "error":
            message = spec.error if isinstance(spec.error, str) else json.dumps(spec.error, ensure_ascii=False)
            return error_output(message or "simulated tool failure", source)
        if kind == "sequence":
            items = spec.sequence or []
            if count >= len(items):
                return error_output(f"mock sequence exhausted after {len(items)} calls", source)
            return self._run(_sequence_item(items[count]), arguments, 0)
        return self._call_python(spec.python or "", arguments)

    def _call_python(self, target: str, arguments: dict[str, Any]) -> ToolOutput:
        source = "mock:python"
        try:
            function = _modules.function(target, self.base_dir)
        except PythonMockError as error:
            return error_output(str(error), source)
        try:
            value = function(**arguments)
        except (Exception, SystemExit) as error:
            return error_output(f"mock {target} raised {_describe(error)}", source)
        try:
            return ToolOutput(result_text(value), source)
        except (TypeError, ValueError) as error:
            return error_output(f"mock {target} returned a value that is not JSON: {error}", source)


def _sequence_item(item: Any) -> MockSpec:
    if isinstance(item, MockSpec):
        return item
    if isinstance(item, dict) and len(item) == 1 and next(iter(item)) in MOCK_KINDS and next(iter(item)) != "sequence":
        return MockSpec.model_validate(item)
    return MockSpec(static=item)


def mock_problems(session: Session) -> list[Problem]:
    """What is wrong with the session's mocks before anything runs (warnings: the run still goes,
    and the call gets an error result): a mock for a tool that does not exist, a python mock whose
    module or function is missing, a template placeholder that is not one of the tool's parameters.
    Reads mock modules as text; runs nothing."""
    problems: list[Problem] = []
    for name, spec in session.mocks.items():
        tool = session.find_tool(name)
        if tool is None:
            problems.append(Problem("warning", f"mocks.{name}", f"there is no tool named {name!r}"))
        problems.extend(_spec_problems(spec, f"mocks.{name}", tool, session.base_dir))
    return problems


def _spec_problems(spec: MockSpec, at: str, tool: dict[str, Any] | None, base_dir: Path) -> list[Problem]:
    if spec.kind == "sequence":
        return [problem for index, item in enumerate(spec.sequence or [])
                for problem in _spec_problems(_sequence_item(item), f"{at}.sequence[{index}]", tool, base_dir)]
    if spec.kind == "python":
        message = _python_target_problem(spec.python or "", base_dir)
        return [Problem("warning", f"{at}.python", message)] if message else []
    if spec.kind == "template" and tool is not None:
        parameters = set((tool.get("function", {}).get("parameters") or {}).get("properties") or {})
        unknown = sorted({name.split(".")[0] for name in _placeholders(spec.template)} - parameters)
        return [Problem("warning", f"{at}.template", f"{{{{{name}}}}} is not a parameter of the tool; it will be empty")
                for name in unknown]
    return []


def _placeholders(template: Any) -> list[str]:
    if isinstance(template, str):
        return _PLACEHOLDER.findall(template)
    if isinstance(template, list):
        return [name for item in template for name in _placeholders(item)]
    if isinstance(template, dict):
        return [name for key, value in template.items() for name in _placeholders(key) + _placeholders(value)]
    return []


def _python_target_problem(target: str, base_dir: Path) -> str | None:
    module_name, function_name = target.split(":", 1)
    path = mock_module_path(target, base_dir)
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return f"mock module {module_name!r} not found (looked for {path})"
    except (OSError, UnicodeDecodeError, SyntaxError) as error:
        return f"mock module {module_name!r} cannot be read: {error}"
    defined = {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    defined |= {target.id for node in tree.body if isinstance(node, ast.Assign)
                for target in node.targets if isinstance(target, ast.Name)}
    if function_name not in defined:
        return f"mock module {module_name!r} has no function {function_name!r}"
    return None
