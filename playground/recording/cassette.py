"""Cassettes on disk in vcrpy's YAML format: safe loading with one-line errors, readable bodies (JSON
pretty-printed, SSE one `data:` line per event, never gzip or base64) and deterministic atomic saves."""

from __future__ import annotations

import functools
import json
import re
import zlib
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import yaml

from playground.core.files import read_text, shown_path
from playground.core.yamlio import ReadableDumper, atomic_write, yaml_error_position
from playground.recording.errors import CassetteError
from playground.recording.scrub import (
    REQUEST_HEADERS,
    RESPONSE_HEADERS,
    Headers,
    clean_uri,
    flat_headers,
    kept_headers,
    refuse_secrets,
)

FORMAT_VERSION = 1
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_UNSAFE_IN_TEXT = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")
"""Characters YAML cannot keep in a literal block; inside JSON strings they become \\u escapes."""


@dataclass
class RecordedRequest:
    method: str
    uri: str
    headers: Headers
    body: bytes

    @property
    def path(self) -> str:
        return urlsplit(self.uri).path or "/"

    @property
    def query(self) -> list[tuple[str, str]]:
        return sorted(parse_qsl(urlsplit(self.uri).query, keep_blank_values=True))


@dataclass
class RecordedResponse:
    status: int
    reason: str
    headers: Headers
    body: bytes

    @property
    def content_type(self) -> str:
        return ";".join(self.headers.get("content-type", [])).lower()

    @property
    def is_event_stream(self) -> bool:
        return "text/event-stream" in self.content_type


@dataclass
class Interaction:
    request: RecordedRequest
    response: RecordedResponse


# -- reading ------------------------------------------------------------------------------------


def load_cassette(path: str | Path) -> list[Interaction]:
    """The interactions of a cassette file; CassetteError when it cannot be used as it is.
    A file loaded before and unchanged since is not parsed again (many tests share one cassette)."""
    path = Path(path).resolve()
    try:
        stat = path.stat()
    except OSError:
        return list(_read(path))
    return list(_read_unchanged(path, (stat.st_ino, stat.st_mtime_ns, stat.st_size)))


@functools.lru_cache(maxsize=16)
def _read_unchanged(path: Path, version: tuple[int, int, int]) -> tuple[Interaction, ...]:
    return _read(path)


def _read(path: Path) -> tuple[Interaction, ...]:
    text = read_text(path, "a cassette", CassetteError, missing="no such cassette (record one with --record once)")
    return tuple(parse_cassette(text, shown_path(path)))


def parse_cassette(text: str, where: str = "<cassette>") -> list[Interaction]:
    if not text.strip():
        raise CassetteError("the cassette is empty", path=where)
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.constructor.ConstructorError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else None
        tag = _tag_of(error)
        raise CassetteError(f"unsafe YAML tag {tag} refused (a cassette holds plain data only)",
                            path=where, line=line) from None
    except yaml.YAMLError as error:
        line, column = yaml_error_position(error) or (None, None)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise CassetteError(f"not valid YAML: {problem}", path=where, line=line, column=column) from None
    if not isinstance(data, dict) or not isinstance(data.get("interactions"), list):
        raise CassetteError("not a vcrpy cassette (no 'interactions' list)", path=where)
    interactions = []
    for number, raw in enumerate(data["interactions"], start=1):
        try:
            interactions.append(_interaction(raw))
        except (KeyError, TypeError, ValueError, AttributeError, zlib.error) as error:
            detail = f"missing {error}" if isinstance(error, KeyError) else str(error)
            raise CassetteError(f"interaction {number} is malformed: {detail}", path=where) from None
    return interactions


def _tag_of(error: yaml.constructor.ConstructorError) -> str:
    found = re.search(r"tag:yaml\.org,2002:([^'\s]+)", error.problem or "")
    if found:
        return "!!" + found.group(1)
    found = re.search(r"'(![^'\s]*)'", error.problem or "")
    return found.group(1) if found else "(unknown)"


def _interaction(raw: Any) -> Interaction:
    request, response = raw["request"], raw["response"]
    recorded_request = RecordedRequest(
        method=str(request["method"]).upper(),
        uri=str(request["uri"]),
        headers=_headers(request.get("headers")),
        body=_bytes(request.get("body")),
    )
    status = response["status"]
    code = int(status["code"])
    headers = _headers(response.get("headers"))
    body = response.get("body")
    body = _bytes(body.get("string") if isinstance(body, dict) else body)
    encoding = ",".join(headers.pop("content-encoding", [])).strip().lower()
    if encoding:
        body = decompressed(body, encoding)
        headers.pop("content-length", None)
    return Interaction(recorded_request, RecordedResponse(code, str(status.get("message") or _phrase(code)),
                                                          headers, body))


def _headers(raw: Any) -> Headers:
    if not raw:
        return {}
    headers: Headers = {}
    for name, values in dict(raw).items():
        values = values if isinstance(values, list) else [values]
        headers.setdefault(str(name).lower(), []).extend(str(v) for v in values)
    return headers


def _bytes(value: Any) -> bytes:
    if value is None:
        return b""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, (dict, list)):  # a body written by hand as YAML data
        return json.dumps(value, ensure_ascii=False).encode("utf-8")
    raise TypeError(f"a body is text, not {type(value).__name__}")


def decompressed(body: bytes, encoding: str) -> bytes:
    """The body without its content-encoding (gzip or deflate, as plain vcrpy may have stored it)."""
    for coding in reversed([c.strip() for c in encoding.split(",") if c.strip()]):
        if coding in ("gzip", "x-gzip"):
            body = zlib.decompress(body, zlib.MAX_WBITS | 16)
        elif coding == "deflate":
            try:
                body = zlib.decompress(body)
            except zlib.error:
                body = zlib.decompress(body, -zlib.MAX_WBITS)
        elif coding != "identity":
            raise ValueError(f"content-encoding {coding!r} is not supported in cassettes")
    return body


def _phrase(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return ""


# -- writing ------------------------------------------------------------------------------------


class CassetteDumper(ReadableDumper):
    """Readable YAML that plain vcrpy loads with its safe loader."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if _UNSAFE_IN_TEXT.search(value):  # a literal block would not give these back
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    return ReadableDumper.yaml_representers[str](dumper, value)


CassetteDumper.add_representer(str, _represent_str)


def dump_cassette(interactions: list[Interaction]) -> str:
    data = {"interactions": [_interaction_data(i) for i in interactions], "version": FORMAT_VERSION}
    return yaml.dump(data, Dumper=CassetteDumper, sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=False)


def save_cassette(path: str | Path, interactions: list[Interaction], secrets: set[str]) -> Path:
    """Write atomically; refuse (CassetteError, nothing written) if a secret would reach the file."""
    path = Path(path)
    text = dump_cassette(interactions)
    refuse_secrets(text, secrets, path)
    atomic_write(path, text)
    return path


def _interaction_data(interaction: Interaction) -> dict[str, Any]:
    """The interaction as saved: filtered again, so one loaded from any cassette is safe to write."""
    request, response = interaction.request, interaction.response
    return {
        "request": {
            "method": request.method,
            "uri": clean_uri(request.uri),
            "headers": _sorted_headers(request.headers, REQUEST_HEADERS),
            "body": readable_body(request.body, ";".join(request.headers.get("content-type", []))),
        },
        "response": {
            "status": {"code": response.status, "message": response.reason or _phrase(response.status)},
            "headers": _sorted_headers(response.headers, RESPONSE_HEADERS),
            "body": {"string": readable_body(response.body, response.content_type)},
        },
    }


def _sorted_headers(headers: Headers, allowed: frozenset[str]) -> Headers:
    kept = kept_headers(flat_headers(headers), allowed)
    return {name: kept[name] for name in sorted(kept)}


def readable_body(body: bytes, content_type: str) -> str | bytes:
    """A body as it is stored: pretty JSON, SSE text, other text, or bytes (only when not UTF-8)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return body
    if "event-stream" in content_type.lower():
        return readable_event_stream(text)
    if "json" in content_type.lower() or text.lstrip()[:1] in ("{", "["):
        try:
            return _escape_unsafe(json.dumps(json.loads(text), indent=2, ensure_ascii=False))
        except ValueError:
            pass
    return text


def readable_event_stream(text: str) -> str:
    """SSE with LF line ends and JSON `data:` payloads kept on one line each, YAML-safe."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for index, line in enumerate(lines):
        if line.startswith("data:") and _UNSAFE_IN_TEXT.search(line):
            payload = line[5:]
            try:
                json.loads(payload)
            except ValueError:
                continue
            lines[index] = "data:" + _escape_unsafe(payload)
    return "\n".join(lines)


def _escape_unsafe(json_text: str) -> str:
    return _UNSAFE_IN_TEXT.sub(lambda m: f"\\u{ord(m.group()):04x}", json_text)
