"""Keeping secrets off disk: headers kept by allowlist, keys dropped from query strings, loopback
ports dropped from URIs, and the last check that a cassette holds no active API key."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from playground.core.files import shown_path
from playground.recording.errors import CassetteError

REQUEST_HEADERS = frozenset({"accept", "content-type"})
RESPONSE_HEADERS = frozenset({"content-type", "retry-after", "retry-after-ms", "x-should-retry"})
KEY_HEADERS = frozenset({"authorization", "proxy-authorization", "api-key", "x-api-key", "x-goog-api-key"})
"""Request headers whose values are credentials: never stored, and searched for before saving."""
_SECRET_PARAM = re.compile(r"key|token|secret|passw|signature|^sig$|auth|credential|session", re.IGNORECASE)
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
MIN_SECRET_LENGTH = 8
"""Shorter values (placeholders like "no-key") are not searched for."""

Headers = dict[str, list[str]]


def kept_headers(items: Iterable[tuple[str, str]], allowed: frozenset[str]) -> Headers:
    """The allowed headers, names lower-cased, values in order."""
    kept: Headers = {}
    for name, value in items:
        if name.lower() in allowed:
            kept.setdefault(name.lower(), []).append(value)
    return kept


def flat_headers(headers: Headers) -> list[tuple[str, str]]:
    return [(name, value) for name, values in headers.items() for value in values]


def is_secret_param(name: str) -> bool:
    return bool(_SECRET_PARAM.search(name))


def clean_uri(uri: str) -> str:
    """The URI without credentials in its query or user info, and without a loopback server's port
    (ephemeral ports would make every recording differ)."""
    parts = urlsplit(uri)
    host = parts.hostname or ""
    netloc = host if ":" not in host else f"[{host}]"
    if parts.port is not None and host not in _LOOPBACK_HOSTS:
        netloc += f":{parts.port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_secret_param(k)])
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def credentials_in(headers: Iterable[tuple[str, str]], uri: str) -> set[str]:
    """Credential values a request carries (key headers, secret query parameters)."""
    found = set()
    for name, value in headers:
        if name.lower() in KEY_HEADERS:
            found.add(value.split(" ", 1)[1] if value.lower().startswith(("bearer ", "basic ")) else value)
    for name, value in parse_qsl(urlsplit(uri).query, keep_blank_values=True):
        if is_secret_param(name):
            found.add(value)
    return {value.strip() for value in found if len(value.strip()) >= MIN_SECRET_LENGTH}


def active_keys(key_env: str | None = None) -> set[str]:
    """The API keys in use: the provider profile's variable and OPENAI_API_KEY."""
    names = {"OPENAI_API_KEY"} | ({key_env} if key_env else set())
    values = (os.environ.get(name, "").strip() for name in names)
    return {value for value in values if len(value) >= MIN_SECRET_LENGTH}


def refuse_secrets(text: str, secrets: Iterable[str], path: str | Path) -> None:
    """Raise CassetteError (and write nothing) when `text` contains one of `secrets`."""
    for secret in secrets:
        if secret and secret in text:
            raise CassetteError("not saved: the cassette would contain an API key in use (from the "
                                "environment or a request header); keep keys out of messages and tools",
                                path=shown_path(path))
