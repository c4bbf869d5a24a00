"""Readable YAML in and out: literal blocks for multi-line text, positions for error messages,
and atomic writes (temp file + rename) so a failed save never leaves half a file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SafeDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class ReadableDumper(yaml.SafeDumper):
    """Multi-line strings as `|` blocks; order of keys kept as given."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value and _block_safe(value):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


def _block_safe(value: str) -> bool:
    # PyYAML silently falls back to quoted style for these; keep the check explicit.
    return not any(line != line.rstrip(" \t") for line in value.split("\n")) and "\t" not in value


ReadableDumper.add_representer(str, _represent_str)


class HandWrittenDumper(ReadableDumper):
    """Written the way people write YAML by hand: list items indented under their key, and small
    leaves (a mapping or list of a few plain values) on one line: `{type: string}`, `[city]`."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


_FLOW_LEAF_WIDTH = 72


def _is_flow_leaf(values: list[Any]) -> bool:
    return all(
        value is None or isinstance(value, (bool, int, float)) or (isinstance(value, str) and "\n" not in value)
        for value in values
    ) and len(repr(values)) <= _FLOW_LEAF_WIDTH


def _represent_dict(dumper: yaml.SafeDumper, data: dict) -> yaml.Node:
    node = dumper.represent_mapping("tag:yaml.org,2002:map", data.items())
    node.flow_style = _is_flow_leaf(list(data.values())) and all(isinstance(k, str) for k in data)
    return node


def _represent_list(dumper: yaml.SafeDumper, data: list) -> yaml.Node:
    node = dumper.represent_sequence("tag:yaml.org,2002:seq", data)
    node.flow_style = _is_flow_leaf(data)
    return node


HandWrittenDumper.add_representer(dict, _represent_dict)
HandWrittenDumper.add_representer(list, _represent_list)


def dump_yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=HandWrittenDumper, sort_keys=False, allow_unicode=True, width=100)


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_SafeLoader)


def atomic_write(path: str | os.PathLike[str], text: str) -> None:
    """Write `text` to `path` through a temp file in the same folder and a rename."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.chmod(tmp, _mode_for(target))
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _mode_for(target: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual 0o666 less the umask."""
    try:
        return target.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def yaml_positions(text: str) -> dict[tuple[Any, ...], tuple[int, int]]:
    """Map each key path (tuple of keys / indexes) in a YAML document to its 1-based line, col."""
    positions: dict[tuple[Any, ...], tuple[int, int]] = {}
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return positions

    def walk(node: yaml.Node | None, path: tuple[Any, ...]) -> None:
        if node is None:
            return
        positions.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = key_node.value
                positions[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                walk(value_node, path + (key,))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, path + (index,))

    walk(root, ())
    return positions


def position_of(positions: dict[tuple[Any, ...], tuple[int, int]], path: tuple[Any, ...]) -> tuple[int, int] | None:
    """The position of `path`, or of its nearest ancestor that has one."""
    for end in range(len(path), -1, -1):
        found = positions.get(tuple(path[:end]))
        if found:
            return found
    return None


def yaml_error_position(error: yaml.YAMLError) -> tuple[int, int] | None:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    if mark is None:
        return None
    return mark.line + 1, mark.column + 1
