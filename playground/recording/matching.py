"""When a request is a recorded one: method, path, query and the JSON body compared as data (never
host or port), as a canonical key for an index, and the first difference as a JSON path for errors."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from playground.recording.cassette import RecordedRequest
from playground.recording.scrub import is_secret_param

ABSENT = object()
"""Where one side of a difference has no value (a key or list item that is not there)."""
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def body_data(body: bytes) -> Any:
    """The body as JSON data when it is JSON, else its text (or bytes)."""
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            return body


def canonical_body(body: bytes) -> bytes:
    """The same bytes for the same data, whatever the key order, spacing or escapes."""
    data = body_data(body)
    if isinstance(data, bytes):
        return data
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def matched_query(request: RecordedRequest) -> list[tuple[str, str]]:
    """The query parameters that count: credentials (dropped when recording) never do."""
    return [(name, value) for name, value in request.query if not is_secret_param(name)]


def request_key(request: RecordedRequest) -> tuple[str, str, str, str]:
    """What two requests share when they match: cheap to hash, whatever the cassette's size."""
    digest = hashlib.sha256(canonical_body(request.body)).hexdigest()
    query = json.dumps(matched_query(request), separators=(",", ":"))
    return request.method.upper(), request.path, query, digest


def first_difference(recorded: RecordedRequest, new: RecordedRequest) -> tuple[str, Any, Any] | None:
    """(where, recorded value, new value) of the first difference, `where` being `method`, `path`,
    `query` or a JSON path into the body such as `tools[0].function.description`."""
    for name, part in (("method", lambda r: r.method.upper()), ("path", lambda r: r.path), ("query", matched_query)):
        old_value, new_value = part(recorded), part(new)
        if old_value != new_value:
            return name, old_value, new_value
    return _walk(body_data(recorded.body), body_data(new.body), "")


def _walk(old: Any, new: Any, path: str) -> tuple[str, Any, Any] | None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in list(old) + [k for k in new if k not in old]:
            found = _walk(old.get(key, ABSENT), new.get(key, ABSENT), _join(path, key))
            if found:
                return found
        return None
    if isinstance(old, list) and isinstance(new, list):
        for index in range(max(len(old), len(new))):
            found = _walk(old[index] if index < len(old) else ABSENT,
                          new[index] if index < len(new) else ABSENT, f"{path}[{index}]")
            if found:
                return found
        return None
    if old is ABSENT or new is ABSENT or type(old) is not type(new) or old != new:
        return path or "body", old, new
    return None


def _join(path: str, key: str) -> str:
    if not _IDENTIFIER.match(key):
        return f"{path}[{json.dumps(key, ensure_ascii=False)}]"
    return f"{path}.{key}" if path else key


def shown_values(old: Any, new: Any, limit: int = 120) -> tuple[str, str]:
    """Both values for an error message, as compact JSON; long strings are cut around where they
    start to differ, so the difference stays in view."""
    if isinstance(old, str) and isinstance(new, str) and max(len(old), len(new)) > limit:
        start = max(0, next((i for i, (a, b) in enumerate(zip(old, new)) if a != b), min(len(old), len(new))) - 40)
        return _cut(old, start, limit), _cut(new, start, limit)
    return _shown(old, limit), _shown(new, limit)


def _cut(text: str, start: int, limit: int) -> str:
    window = text[start:start + limit]
    shown = json.dumps(window, ensure_ascii=False)
    return ("…" if start else "") + shown + ("…" if start + limit < len(text) else "")


def _shown(value: Any, limit: int) -> str:
    if value is ABSENT:
        return "(absent)"
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return text if len(text) <= limit else text[: limit - 1] + "…"
