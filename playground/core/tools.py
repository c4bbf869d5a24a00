"""Tool definitions (OpenAI `tools`): parse text with line/column problems, validate and lint the
tools and their JSON Schemas, and check a tool call's arguments against its schema."""

from __future__ import annotations

import bisect
import difflib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError, UnknownType, ValidationError, best_match
from jsonschema_specifications import REGISTRY as _SPECIFICATIONS
from referencing.exceptions import Unresolvable

from playground.core.session import InputError
from playground.core.yamlio import (
    load_yaml,
    position_of,
    yaml_error_position,
    yaml_positions,
)

Loc = tuple[str | int, ...]
"""A path into data as keys and indexes, e.g. ("tools", 0, "function", "name")."""

Locate = Callable[[Loc], "tuple[int, int] | None"]

SIMPLE_TYPES = ("array", "boolean", "integer", "null", "number", "object", "string")
NAME_RULE = "names may only contain a-z A-Z 0-9 _ -"
_NAME = re.compile(r"[a-zA-Z0-9_-]{1,64}")
_NOT_NAME_CHAR = re.compile(r"[^a-zA-Z0-9_-]")
_TOOL_KEYS = ("type", "function")
_FUNCTION_KEYS = ("name", "description", "parameters", "strict")


# --- problems and paths ------------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    severity: Literal["error", "warning"]
    path: str
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = ""
        if self.line:
            where = f"{self.line}:{self.column} " if self.column else f"{self.line} "
        return f"{where}{self.path}: {self.message}" if self.path else f"{where}{self.message}"


@dataclass(frozen=True)
class ParsedTools:
    tools: list[dict] | None
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


_PLAIN_KEY = re.compile(r"[A-Za-z0-9_$-]+")
_PATH_PART = re.compile(r'\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|\.?([A-Za-z0-9_$-]+)')


def format_path(loc: Iterable[str | int]) -> str:
    """("tools", 0, "function", "name") -> 'tools[0].function.name'; odd keys as ["a b"]."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _PLAIN_KEY.fullmatch(part):
            out += f".{part}" if out else part
        else:
            out += f"[{json.dumps(part, ensure_ascii=False)}]"
    return out


def parse_path(path: str) -> Loc:
    """The inverse of `format_path` (stops at the first part it cannot read)."""
    loc: list[str | int] = []
    pos = 0
    while pos < len(path):
        match = _PATH_PART.match(path, pos)
        if match is None:
            break
        index, quoted, plain = match.groups()
        loc.append(int(index) if index is not None else json.loads(quoted) if quoted else plain)
        pos = match.end()
    return tuple(loc)


def _at_start(message: str) -> Problem:
    return Problem("error", "", message, 1, 1)


def _error(loc: Loc, message: str) -> Problem:
    return Problem("error", format_path(loc), message)


def _warning(loc: Loc, message: str) -> Problem:
    return Problem("warning", format_path(loc), message)


# --- text: JSON first, YAML as fallback --------------------------------------------------------

def _declared_format(source: str) -> str | None:
    """"yaml" or "json" when the file name says so."""
    return {".yaml": "yaml", ".yml": "yaml", ".json": "json"}.get(Path(source).suffix.lower())


def _reads_as_yaml(text: str, source: str) -> bool:
    declared = _declared_format(source)
    if declared is not None:
        return declared == "yaml"
    return text.lstrip()[:1] not in ("{", "[")


_STRUCTURE = re.compile(r"[{}\[\]:]")


def _meant_as_json(text: str, source: str) -> bool:
    """Text of no declared format whose first bracket or ':' is an opening bracket: JSON with
    something stray before it (`x{...}`), not YAML."""
    first = _STRUCTURE.search(text)
    return _declared_format(source) is None and first is not None and first.group() in "{["


def _decode(text: str, source: str) -> tuple[Any, Problem | None, bool]:
    """(data, syntax problem, read as YAML). Broken YAML that was meant as JSON gets JSON's
    message and place, which point at the real mistake."""
    if not text.strip():
        return None, _at_start("the text is empty; expected a tool or a list of tools"), False
    if _reads_as_yaml(text, source):
        data, problem = _decode_yaml(text)
        if problem is None or not _meant_as_json(text, source):
            return data, problem, True
    data, problem = _decode_json(text)
    return data, problem, False


def _decode_json(text: str) -> tuple[Any, Problem | None]:
    try:
        return json.loads(text), None
    except json.JSONDecodeError as error:
        return None, Problem("error", "", _json_message(error), error.lineno, error.colno)
    except RecursionError:
        return None, _at_start("the JSON is nested too deeply")


def _decode_yaml(text: str) -> tuple[Any, Problem | None]:
    try:
        return _plain_data(load_yaml(text)), None
    except yaml.YAMLError as error:
        line, column = yaml_error_position(error) or (None, None)
        reason = getattr(error, "problem", None) or str(error).splitlines()[0]
        return None, Problem("error", "", f"not valid YAML: {reason}", line, column)


def _plain_data(value: Any) -> Any:
    """YAML data as JSON data: dates become ISO strings, keys become strings."""
    if isinstance(value, dict):
        return {str(k) if not isinstance(k, str) else k: _plain_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_data(v) for v in value]
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    return value


_JSON_MESSAGES = {
    "Expecting value": "expected a value (a string, number, object, array, true, false or null)",
    "Expecting property name enclosed in double quotes": "expected a key in double quotes",
    "Expecting ',' delimiter": "expected ',' between two items, or a closing bracket",
    "Expecting ':' delimiter": "expected ':' after the key",
    "Unterminated string starting at": "this string is never closed with '\"'",
    "Invalid control character at": "a line break or tab inside a string must be written as \\n or \\t",
    "Invalid \\escape": "invalid escape in a string (use \\\\ for a backslash)",
    "Invalid \\uXXXX escape": "invalid \\u escape: it takes exactly four hex digits",
    "Extra data": "extra text after the end of the JSON value (a missing '[' or ',' earlier?)",
    "Unexpected UTF-8 BOM (decode using utf-8-sig)": "the text starts with a byte order mark",
}


def _json_message(error: json.JSONDecodeError) -> str:
    here = error.doc[error.pos:error.pos + 1]
    before = error.doc[:error.pos].rstrip()
    if error.msg.startswith("Expecting") and here in ("}", "]") and before.endswith(","):
        return f"trailing comma before '{here}': JSON does not allow one"
    if here == "'" and error.msg.startswith("Expecting"):
        return "JSON strings and keys take double quotes, not single quotes"
    if error.msg.startswith("Expecting") and not error.doc[error.pos:].strip():
        return "the JSON ends too early: a value or a closing bracket is missing"
    return _JSON_MESSAGES.get(error.msg, error.msg)


# --- input shapes: OpenAI tools, {"tools": [...]}, MCP tools/list, bare functions --------------

Mapper = Callable[[Loc], Loc]
"""Maps a path under one normalized tool ("function", "parameters", ...) to the path in the text."""


def _as_is(rest: Loc) -> Loc:
    return rest


def _unwrapped(rest: Loc) -> Loc:
    return rest[1:] if rest[:1] == ("function",) else rest


def _from_mcp(rest: Loc) -> Loc:
    if rest[:2] == ("function", "parameters"):
        return ("inputSchema",) + rest[2:]
    return rest[1:] if rest[:1] == ("function",) else ()


def normalize_tool(item: Any) -> tuple[Any, Mapper]:
    """An MCP tool or a bare function object as an OpenAI tool; anything else unchanged."""
    if not isinstance(item, dict) or "function" in item:
        return item, _as_is
    if "inputSchema" in item:
        function = {key: item[key] for key in ("name", "description") if key in item}
        function["parameters"] = item["inputSchema"]
        return {"type": "function", "function": function}, _from_mcp
    if "name" in item and item.get("type", "function") == "function":
        function = {key: value for key, value in item.items() if key != "type"}
        return {"type": "function", "function": function}, _unwrapped
    return item, _as_is


@dataclass
class _Shape:
    tools: list[Any] | None
    base: Loc | None  # where the list of tools sits in the text; None: the text is one tool
    mappers: dict[int, Mapper]
    problems: list[Problem]

    def text_path(self, loc: Loc) -> Loc:
        if loc[:1] != ("tools",):
            return loc
        if len(loc) < 2 or not isinstance(loc[1], int):
            return self.base or ()
        index, rest = loc[1], loc[2:]
        mapped = self.mappers.get(index, _as_is)(rest)
        return mapped if self.base is None else self.base + (index,) + mapped


def _tools_list(data: dict) -> tuple[Any, Loc] | None:
    if "tools" in data and "function" not in data and "name" not in data:
        return data["tools"], ("tools",)
    result = data.get("result")
    if isinstance(result, dict) and "tools" in result:
        return result["tools"], ("result", "tools")
    return None


def _read_shape(data: Any) -> _Shape:
    if isinstance(data, dict):
        found = _tools_list(data)
        if found is None:
            tool, mapper = normalize_tool(data)
            return _Shape([tool], None, {0: mapper}, [])
        items, base = found
        if not isinstance(items, list):
            return _Shape(None, base, {}, [_error(("tools",), "'tools' must be a list of tool objects")])
    elif isinstance(data, list):
        items, base = data, ()
    else:
        return _Shape(None, (), {}, [_at_start(f"expected a tool object or a list of tools, not {_json_kind(data)}")])
    pairs = [normalize_tool(item) for item in items]
    return _Shape([tool for tool, _ in pairs], base, {i: mapper for i, (_, mapper) in enumerate(pairs)}, [])


def _json_kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


# --- positions of keys and values in the text --------------------------------------------------

_JSON_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+')


def json_offsets(text: str) -> dict[Loc, int]:
    """Where each part of valid JSON text starts, by path (character offsets): object members at
    their key, list items and the root at their value. Duplicate keys: the last one wins, as in json."""
    offsets: dict[Loc, int] = {}
    paths: list[Loc] = []  # the open containers
    slots: list[Any] = []  # their current key or index
    expects_key: list[bool | None] = []  # objects: the next string is a key; lists: None
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        first = token[0]
        if first == ",":
            if expects_key[-1] is None:
                slots[-1] += 1
            else:
                expects_key[-1] = True
        elif first == ":":
            expects_key[-1] = False
        elif first in "}]":
            paths.pop()
            slots.pop()
            expects_key.pop()
        elif expects_key and expects_key[-1]:
            key = json.loads(token) if "\\" in token else token[1:-1]
            slots[-1] = key
            offsets[paths[-1] + (key,)] = match.start()
        else:
            path = paths[-1] + (slots[-1],) if paths else ()
            if not paths or expects_key[-1] is None:
                offsets[path] = match.start()
            if first in "{[":
                paths.append(path)
                slots.append(None if first == "{" else 0)
                expects_key.append(True if first == "{" else None)
    return offsets


def json_locator(text: str) -> Locate:
    """path -> 1-based (line, column) of it, or of its nearest ancestor, in valid JSON text."""
    offsets = json_offsets(text)
    line_starts = [0] + [match.end() for match in re.finditer("\n", text)]

    def locate(loc: Loc) -> tuple[int, int] | None:
        for end in range(len(loc), -1, -1):
            offset = offsets.get(loc[:end])
            if offset is not None:
                line = bisect.bisect_right(line_starts, offset)
                return line, offset - line_starts[line - 1] + 1
        return None

    return locate


def _yaml_locator(text: str) -> Locate:
    positions = yaml_positions(text)
    return lambda loc: position_of(positions, loc)


def _placed(problems: list[Problem], locate: Locate, text_path: Mapper) -> list[Problem]:
    placed = []
    for problem in problems:
        if problem.line is None and problem.path:
            found = locate(text_path(parse_path(problem.path)))
            if found:
                problem = replace(problem, line=found[0], column=found[1])
        placed.append(problem)
    return placed


# --- parsing -----------------------------------------------------------------------------------

def parse_tools_text(text: str, *, source: str = "<text>") -> ParsedTools:
    """Tools from JSON (or YAML) text, with every problem placed at its line and column.

    Accepts a list of tools, one tool, {"tools": [...]}, an MCP `tools/list` result (bare or in
    its JSON-RPC envelope) and bare function objects; all come out as OpenAI tools. Text that
    starts with '{' or '[' (or a `source` ending in .json) is JSON, so broken JSON is reported as
    such; other text (or a .yaml/.yml `source`) is read as YAML, except that YAML which does not
    parse and whose first bracket comes before any ':' is reported as the broken JSON it is."""
    text = text.removeprefix("\ufeff")
    data, syntax_problem, as_yaml = _decode(text, source)
    if syntax_problem:
        return ParsedTools(None, [syntax_problem])
    shape = _read_shape(data)
    problems = shape.problems if shape.tools is None else validate_tools(shape.tools)
    return ParsedTools(shape.tools, _place(problems, text, as_yaml, shape))


def parse_tool_text(text: str, index: int = 0) -> ParsedTools:
    """One tool object's text (the editor of a single tool); paths read "tools[index]...."."""
    text = text.removeprefix("\ufeff")
    data, syntax_problem, as_yaml = _decode(text, "<tool>")
    if syntax_problem:
        return ParsedTools(None, [syntax_problem])
    if not isinstance(data, dict):
        return ParsedTools(None, [_at_start(f"expected one tool object, not {_json_kind(data)}")])
    tool, mapper = normalize_tool(data)
    shape = _Shape([tool], None, {index: mapper}, [])
    return ParsedTools([tool], _place(validate_tool(tool, index), text, as_yaml, shape))


def _place(problems: list[Problem], text: str, as_yaml: bool, shape: _Shape) -> list[Problem]:
    if not any(p.line is None and p.path for p in problems):
        return problems
    locate = _yaml_locator(text) if as_yaml else json_locator(text)
    return _placed(problems, locate, shape.text_path)


# --- validation of tools -----------------------------------------------------------------------

def validate_tools(tools: Any) -> list[Problem]:
    """Every problem of a list of tools: each tool's own, then duplicate names."""
    if not isinstance(tools, list):
        return [_error(("tools",), f"tools must be a list of tool objects, not {_json_kind(tools)}")]
    problems: list[Problem] = []
    first_index: dict[str, int] = {}
    for index, tool in enumerate(tools):
        problems += validate_tool(tool, index)
        name = _valid_name(tool)
        if name is None:
            continue
        if name in first_index:
            message = f"duplicate name {name!r}: tools[{first_index[name]}] already has it"
            problems.append(_error(("tools", index, "function", "name"), message))
        else:
            first_index[name] = index
    return problems


def name_problem(tools: list, name: Any, index: int | None = None) -> str | None:
    """Why `name` cannot be the name of the tool at `index` (None: a new tool), or None if it can."""
    problems = _name_problems(name, ("name",))
    if problems:
        return problems[0].message
    other = next((i for i, tool in enumerate(tools) if i != index and tool_name(tool) == name), None)
    return None if other is None else f"duplicate name {name!r}: tools[{other}] already has it"


def _valid_name(tool: Any) -> str | None:
    name = tool_name(tool)
    return name if _NAME.fullmatch(name) else None


def validate_tool(tool: Any, index: int = 0) -> list[Problem]:
    at: Loc = ("tools", index)
    if not isinstance(tool, dict):
        shape = '{"type": "function", "function": {...}}'
        return [_error(at, f"a tool is an object {shape}, not {_json_kind(tool)}")]
    problems = _unknown_keys(tool, _TOOL_KEYS, at, "a tool")
    kind = tool.get("type")
    if kind is None:
        problems.append(_error(at + ("type",), 'a tool needs "type": "function"'))
    elif kind != "function":
        problems.append(_error(at + ("type",), f'"type" must be "function", not {kind!r}'))
    function = tool.get("function")
    if function is None:
        message = 'a tool needs a "function" object with name, description, parameters'
        problems.append(_error(at + ("function",), message))
    elif not isinstance(function, dict):
        problems.append(_error(at + ("function",), f'"function" must be an object, not {_json_kind(function)}'))
    else:
        problems += _function_problems(function, at + ("function",))
    return problems


def _unknown_keys(data: dict, known: tuple[str, ...], at: Loc, what: str) -> list[Problem]:
    expected = ", ".join(known)
    return [_warning(at + (key,), f"unknown key {key!r} in {what} (expected {expected})")
            for key in data if key not in known]


def _function_problems(function: dict, at: Loc) -> list[Problem]:
    problems = _unknown_keys(function, _FUNCTION_KEYS, at, "a function")
    problems += _name_problems(function.get("name"), at + ("name",))
    problems += _function_description_problems(function, at + ("description",))
    strict = function.get("strict")
    if strict is not None and not isinstance(strict, bool):
        problems.append(_error(at + ("strict",), f'"strict" must be true or false, not {strict!r}'))
    if "parameters" in function:
        problems += _parameters_problems(function["parameters"], at + ("parameters",), strict is True)
    return problems


def _name_problems(name: Any, at: Loc) -> list[Problem]:
    if name is None:
        return [_error(at, "a function needs a name")]
    if not isinstance(name, str):
        return [_error(at, f"the name must be a string, not {_json_kind(name)}")]
    if not name:
        return [_error(at, "the name is empty")]
    if len(name) > 64:
        return [_error(at, f"names may have at most 64 characters; this one has {len(name)}")]
    bad = "".join(dict.fromkeys(_NOT_NAME_CHAR.findall(name)))
    return [_error(at, f"{NAME_RULE} (found {bad!r})")] if bad else []


def _function_description_problems(function: dict, at: Loc) -> list[Problem]:
    if "description" not in function:
        return [_warning(at, "the function has no description; models choose tools by their descriptions")]
    description = function["description"]
    if not isinstance(description, str):
        return [_error(at, f"the description must be a string, not {_json_kind(description)}")]
    return [] if description.strip() else [_warning(at, "the description is empty")]


# --- validation of the parameters schema -------------------------------------------------------

def _parameters_problems(parameters: Any, at: Loc, strict: bool) -> list[Problem]:
    if not isinstance(parameters, dict):
        shape = '{"type": "object", ...}'
        return [_error(at, f"parameters must be a JSON Schema object {shape}, not {_json_kind(parameters)}")]
    problems = _metaschema_problems(parameters, at)
    schema_ok = not problems
    top = parameters.get("type")
    if top != "object":
        message = ('parameters needs "type": "object" at the top (OpenAI requires it)' if top is None
                   else f'the top of parameters must be "type": "object" (OpenAI requires it), not {top!r}')
        problems.append(_error(at + ("type",), message))
    for loc, node in iter_subschemas(parameters):
        problems += _node_problems(node, at + loc, parameters, strict, schema_ok)
    return problems


_ONE_SCHEMA = ("items", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else",
               "unevaluatedItems", "unevaluatedProperties")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")


def iter_subschemas(schema: Any, loc: Loc = ()) -> Iterator[tuple[Loc, dict]]:
    """Every object (sub)schema with its path: properties, items, $defs, anyOf branches, ..."""
    if not isinstance(schema, dict):
        return
    yield loc, schema
    for key in _ONE_SCHEMA:
        if key in schema:
            yield from iter_subschemas(schema[key], loc + (key,))
    for key in _SCHEMA_LISTS:
        branches = schema.get(key)
        if isinstance(branches, list):
            for i, branch in enumerate(branches):
                yield from iter_subschemas(branch, loc + (key, i))
    for key in _SCHEMA_MAPS:
        members = schema.get(key)
        if isinstance(members, dict):
            for name, member in members.items():
                yield from iter_subschemas(member, loc + (key, name))


def _node_problems(node: dict, at: Loc, root: dict, strict: bool, schema_ok: bool) -> list[Problem]:
    problems = _ref_problems(node, at, root)
    problems += _required_problems(node, at)
    problems += _enum_problems(node, at, strict)
    problems += _property_description_problems(node, at)
    if schema_ok and "default" in node:
        problems += _default_problems(node, at, root)
    if strict:
        problems += _strict_problems(node, at)
    return problems


_MISSING = object()


def _ref_problems(node: dict, at: Loc, root: dict) -> list[Problem]:
    ref = node.get("$ref")
    if not isinstance(ref, str):
        return []
    if not ref.startswith("#"):
        message = f"$ref {ref!r} is not local; only refs into parameters ('#/$defs/...') resolve"
        return [_warning(at + ("$ref",), message)]
    missing = _unresolved_part(root, ref[1:])
    if missing is None:
        return []
    return [_error(at + ("$ref",), f"$ref {ref!r} does not resolve: {missing}")]


def _unresolved_part(root: dict, fragment: str) -> str | None:
    """None when the fragment points at something in root, else what is missing."""
    fragment = unquote(fragment)
    if not fragment:
        return None
    if not fragment.startswith("/"):
        found = any(node.get("$anchor") == fragment for _, node in iter_subschemas(root))
        return None if found else f"no $anchor {fragment!r} in parameters"
    node: Any = root
    walked = ""
    for token in fragment[1:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return _missing_message(node, token, walked)
        walked += "/" + token
    return None


def _missing_message(node: Any, token: str, walked: str) -> str:
    where = f"'#{walked}'" if walked else "parameters"
    message = f"{where} has no {token!r}"
    if isinstance(node, dict):
        close = difflib.get_close_matches(token, [k for k in node if isinstance(k, str)], n=1)
        if close:
            message += f" (did you mean {close[0]!r}?)"
    return message


def _required_problems(node: dict, at: Loc) -> list[Problem]:
    required = node.get("required")
    if not isinstance(required, list):
        return []
    properties = node.get("properties")
    if isinstance(properties, dict):
        return [_error(at + ("required", i), f"{name!r} is required but not in properties")
                for i, name in enumerate(required) if isinstance(name, str) and name not in properties]
    if any(key in node for key in ("allOf", "anyOf", "oneOf", "$ref", "patternProperties")):
        return []  # the properties come from elsewhere
    if node.get("additionalProperties") is False:
        return [_error(at + ("required", i), f"{name!r} is required but no properties are allowed")
                for i, name in enumerate(required) if isinstance(name, str)]
    # A free-form object may require keys it does not describe (valid, and seen in the reference tools).
    return [_warning(at + ("required", i), f"{name!r} is required but not described under properties")
            for i, name in enumerate(required) if isinstance(name, str)]


_TYPE_CHECKER = Draft202012Validator.TYPE_CHECKER


def _declared_types(node: dict) -> list[str] | None:
    declared = node.get("type")
    types = [declared] if isinstance(declared, str) else declared
    if isinstance(types, list) and types and all(t in SIMPLE_TYPES for t in types):
        return types
    return None


def _enum_problems(node: dict, at: Loc, strict: bool) -> list[Problem]:
    """Enum values of another type than declared. OpenAI rejects them only in strict mode; without
    it they are accepted (and common in the reference tools) but no argument can match both."""
    enum, types = node.get("enum"), _declared_types(node)
    if not isinstance(enum, list) or types is None:
        return []
    report = _error if strict else _warning
    expected = " or ".join(repr(t) for t in types)
    return [report(at + ("enum", i), f"enum value {value!r} is not of the declared type {expected}")
            for i, value in enumerate(enum) if not any(_TYPE_CHECKER.is_type(value, t) for t in types)]


def _property_description_problems(node: dict, at: Loc) -> list[Problem]:
    properties = node.get("properties")
    if not isinstance(properties, dict):
        return []
    problems = []
    for name, schema in properties.items():
        if not isinstance(schema, dict) or "$ref" in schema:
            continue
        description, where = schema.get("description"), at + ("properties", name, "description")
        if description is None:
            problems.append(_warning(where, f"property {name!r} has no description"))
        elif isinstance(description, str) and not description.strip():
            problems.append(_warning(where, f"property {name!r} has an empty description"))
    return problems


_SIMPLE_DEFAULT_KEYS = frozenset(("type", "description", "default", "title", "examples", "format"))


def _default_problems(node: dict, at: Loc, root: dict) -> list[Problem]:
    default = node["default"]
    types = _declared_types(node)
    if types is not None and _SIMPLE_DEFAULT_KEYS.issuperset(node):
        if any(_TYPE_CHECKER.is_type(default, t) for t in types):
            return []
        reason = f"{default!r} is not of type {' or '.join(repr(t) for t in types)}"
    else:
        try:
            found = best_match(Draft202012Validator(root).evolve(schema=node).iter_errors(default))
        except (Unresolvable, SchemaError, UnknownType, re.error):
            return []
        if found is None:
            return []
        reason = found.message
    return [_warning(at + ("default",), f"the default does not match its schema: {reason}")]


def _strict_problems(node: dict, at: Loc) -> list[Problem]:
    declared = node.get("type")
    is_object = declared == "object" or (isinstance(declared, list) and "object" in declared) or (
        declared is None and "properties" in node)
    if not is_object:
        return []
    problems = []
    if node.get("additionalProperties") is not False:
        problems.append(_error(at + ("additionalProperties",),
                               'strict mode needs "additionalProperties": false on every object'))
    properties = node.get("properties")
    required = node.get("required") if isinstance(node.get("required"), list) else []
    if isinstance(properties, dict):
        problems += [
            _error(at + ("properties", name),
                   f'strict mode needs every property in "required"; {name!r} is not '
                   '(give it type [..., "null"] to keep it optional)')
            for name in properties if name not in required
        ]
    return problems


# --- the 2020-12 metaschema, with a fast path for plain schemas --------------------------------

_METASCHEMA = Draft202012Validator(
    Draft202012Validator.META_SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _metaschema_keywords() -> frozenset[str]:
    keywords = set(Draft202012Validator.META_SCHEMA.get("properties", {}))
    for uri in _SPECIFICATIONS:
        if uri.startswith("https://json-schema.org/draft/2020-12/meta/"):
            keywords |= set(_SPECIFICATIONS.contents(uri).get("properties", {}))
    return frozenset(keywords)


_METASCHEMA_KEYWORDS = _metaschema_keywords()


def _metaschema_problems(schema: dict, at: Loc) -> list[Problem]:
    if plainly_valid(schema):
        return []
    return [_error(at + tuple(error.absolute_path), _metaschema_message(error))
            for error in _METASCHEMA.iter_errors(schema)]


def _metaschema_message(error: ValidationError) -> str:
    path = error.absolute_path
    if path and path[-1] == "type" and error.validator == "anyOf":
        return f"{error.instance!r} is not a JSON Schema type; use one of {', '.join(SIMPLE_TYPES)}"
    return error.message


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_type_spec(value: Any) -> bool:
    if isinstance(value, str):
        return value in SIMPLE_TYPES
    return (isinstance(value, list) and bool(value) and len(set(map(str, value))) == len(value)
            and all(isinstance(t, str) and t in SIMPLE_TYPES for t in value))


def _is_schema_map(value: Any) -> bool:
    return isinstance(value, dict) and all(plainly_valid(member) for member in value.values())


def _is_schema_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(plainly_valid(member) for member in value)


def _is_string_set(value: Any) -> bool:
    return (isinstance(value, list) and all(isinstance(s, str) for s in value)
            and len(set(value)) == len(value))


def _conforms(value: Any, format_name: str) -> bool:
    return isinstance(value, str) and _METASCHEMA.format_checker.conforms(value, format_name)


def _keyword_checks() -> dict[str, Callable[[Any], bool]]:
    checks: dict[str, Callable[[Any], bool]] = {
        "type": _is_type_spec,
        "required": _is_string_set,
        "multipleOf": lambda v: _is_number(v) and v > 0,
        "pattern": lambda v: _conforms(v, "regex"),
        "$ref": lambda v: isinstance(v, str) and (
            "uri-reference" not in _METASCHEMA.format_checker.checkers or _conforms(v, "uri-reference")),
    }
    for key in ("description", "title", "$comment", "format"):
        checks[key] = lambda v: isinstance(v, str)
    for key in ("default", "const"):
        checks[key] = lambda v: True
    for key in ("enum", "examples"):
        checks[key] = lambda v: isinstance(v, list)
    for key in ("properties", "$defs", "definitions", "dependentSchemas"):
        checks[key] = _is_schema_map
    for key in _ONE_SCHEMA:
        checks[key] = plainly_valid
    for key in _SCHEMA_LISTS:
        checks[key] = _is_schema_list
    for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        checks[key] = _is_number
    for key in ("minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties",
                "minContains", "maxContains"):
        checks[key] = _is_count
    for key in ("uniqueItems", "deprecated", "readOnly", "writeOnly"):
        checks[key] = lambda v: isinstance(v, bool)
    return checks


def plainly_valid(schema: Any) -> bool:
    """A fast, conservative metaschema check: True only when the 2020-12 metaschema surely accepts
    `schema`. Keywords it does not know are left to the metaschema (False)."""
    if isinstance(schema, bool):
        return True
    if not isinstance(schema, dict):
        return False
    for key, value in schema.items():
        check = _KEYWORD_CHECKS.get(key)
        if check is None:
            if key in _METASCHEMA_KEYWORDS:
                return False
        elif not check(value):
            return False
    return True


_KEYWORD_CHECKS = _keyword_checks()


# --- arguments of a call -----------------------------------------------------------------------

_ANY_OBJECT: dict[str, Any] = {"type": "object"}


def check_arguments(tool: dict, arguments: Any) -> list[Problem]:
    """Problems of a call's decoded arguments against the tool's parameters; paths "arguments.<...>"."""
    if not isinstance(arguments, dict):
        return [_error(("arguments",), f"arguments must be a JSON object, not {_json_kind(arguments)}")]
    try:
        key = json.dumps(_parameters_of(tool), sort_keys=True)
    except (TypeError, ValueError):
        return [_error(("arguments",), "the tool's parameters are not JSON data; cannot check the arguments")]
    validator, schema_problem = _argument_validator(key)
    if schema_problem:
        message = f"cannot check the arguments: the tool's parameters are invalid ({schema_problem})"
        return [_error(("arguments",), message)]
    try:
        return [_error(("arguments",) + tuple(error.absolute_path), error.message)
                for error in validator.iter_errors(arguments)]
    except (Unresolvable, SchemaError, UnknownType, re.error) as error:
        return [_error(("arguments",), f"cannot check the arguments against the tool's parameters: {error}")]


def _parameters_of(tool: Any) -> dict:
    if not isinstance(tool, dict):
        return _ANY_OBJECT
    function = tool.get("function")
    parameters = function.get("parameters") if isinstance(function, dict) else tool.get("parameters")
    return parameters if isinstance(parameters, dict) else _ANY_OBJECT


@lru_cache(maxsize=512)
def _argument_validator(schema_json: str) -> tuple[Draft202012Validator, str | None]:
    """A compiled validator per distinct schema (keyed by its canonical JSON), and why the schema
    itself is broken, if it is."""
    schema = json.loads(schema_json)
    problems = _metaschema_problems(schema, ())
    problem = str(problems[0]) if problems else None
    return Draft202012Validator(schema), problem


# --- files -------------------------------------------------------------------------------------

def load_tools_file(path: str | Path) -> list[dict]:
    """The tools in a JSON or YAML file; InputError when it is missing, unreadable or has errors."""
    from playground.core.files import read_text

    path = Path(path)
    text = read_text(path, "a tools file")
    parsed = parse_tools_text(text, source=str(path))
    errors = parsed.errors
    if errors or parsed.tools is None:
        first = errors[0]
        others = len(errors) - 1
        more = f" (and {others} more error{'s' if others > 1 else ''})" if others else ""
        raise InputError(first.message + more, path=path, line=first.line, column=first.column,
                         key=first.path or None)
    return parsed.tools


def tool_name(tool: Any) -> str:
    if not isinstance(tool, dict):
        return ""
    function = tool.get("function")
    name = function.get("name") if isinstance(function, dict) else tool.get("name")
    return name if isinstance(name, str) else ""


def dump_tools_json(tools: list[dict] | dict) -> str:
    """The canonical editor text of a list of tools (or of one tool)."""
    return json.dumps(tools, indent=2, ensure_ascii=False) + "\n"
