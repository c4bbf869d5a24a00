"""Provider profiles (offline, openai, any OpenAI-compatible base URL) and the async client for one.

Profiles come from built-ins, then `playground.toml` in the project, then the user's config dir,
then the environment. API keys are only ever read from the environment variable a profile names.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from playground.core.session import InputError

if TYPE_CHECKING:
    import openai

OFFLINE = "offline"


class ProviderError(Exception):
    """A profile that cannot be used: unknown name, missing key, bad config."""


@dataclass(frozen=True)
class Profile:
    name: str
    base_url: str | None = None
    """None for the embedded offline model, which is started on demand."""
    api_key_env: str | None = None
    models: tuple[str, ...] = ()
    timeout: float = 60.0
    max_retries: int = 2
    send_parallel_tool_calls: bool = True
    """Some endpoints reject `parallel_tool_calls`; a profile can leave it out of requests."""
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def is_offline(self) -> bool:
        return self.base_url is None

    def api_key(self) -> str | None:
        return os.environ.get(self.api_key_env) if self.api_key_env else None

    @property
    def is_loopback(self) -> bool:
        return _is_loopback(self.base_url)

    def label(self) -> str:
        return f"{self.name} (offline model)" if self.is_offline else f"{self.name} {shown_url(self.base_url)}"


_LOCAL = dict(timeout=300.0, max_retries=0)
BUILTIN: dict[str, Profile] = {
    p.name: p for p in (
        Profile(OFFLINE, None, None, ("offline-1", "gpt-4o"), timeout=30.0, max_retries=0),
        Profile("openai", "https://api.openai.com/v1", "OPENAI_API_KEY",
                ("gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini")),
        Profile("openrouter", "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY",
                ("openai/gpt-4o", "anthropic/claude-sonnet-4", "google/gemini-2.5-pro")),
        Profile("ollama", "http://127.0.0.1:11434/v1", None, ("llama3.1", "qwen2.5"), **_LOCAL),
        Profile("vllm", "http://127.0.0.1:8000/v1", None, (), **_LOCAL),
        Profile("lmstudio", "http://127.0.0.1:1234/v1", None, (), **_LOCAL),
        Profile("llamacpp", "http://127.0.0.1:8080/v1", None, (), **_LOCAL),
    )
}

_PROFILE_KEYS = {"base_url", "api_key_env", "models", "timeout", "max_retries",
                 "send_parallel_tool_calls", "headers"}


def config_paths(project_dir: Path | None = None) -> list[Path]:
    """Config files in the order they are applied (later wins)."""
    paths = []
    user_dir = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "playground"
    paths.append(user_dir / "config.toml")
    if project_dir is not None:
        paths.append(project_dir / "playground.toml")
    paths.append(Path.cwd() / "playground.toml")
    seen: list[Path] = []
    for path in paths:
        if path not in seen:
            seen.append(path)
    return seen


def _read_config(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise InputError(f"cannot read provider config: {error}", path=path) from None
    if any("api_key" == key.lower() for table in data.get("providers", {}).values()
           if isinstance(table, dict) for key in table):
        raise InputError("provider config holds an API key; name its variable with api_key_env", path=path)
    return data


def _profile_from_table(name: str, table: Any, path: Path, base: Profile | None) -> Profile:
    if not isinstance(table, dict):
        raise InputError(f"[providers.{name}] must be a table", path=path)
    unknown = set(table) - _PROFILE_KEYS
    if unknown:
        raise InputError(f"[providers.{name}]: unknown key {sorted(unknown)[0]!r}", path=path)
    values = dict(table)
    if "models" in values:
        values["models"] = tuple(values["models"])
    if base is None:
        if "base_url" not in values:
            raise InputError(f"[providers.{name}] needs a base_url", path=path)
        base = Profile(name)
    return replace(base, name=name, **values)


def load_profiles(project_dir: Path | None = None) -> tuple[dict[str, Profile], str]:
    """All profiles and the default profile's name."""
    profiles = dict(BUILTIN)
    default = OFFLINE
    for path in config_paths(project_dir):
        data = _read_config(path)
        for name, table in (data.get("providers") or {}).items():
            profiles[name] = _profile_from_table(name, table, path, profiles.get(name))
        default = data.get("default_provider", default)
    if base_url := os.environ.get("OPENAI_BASE_URL"):
        profiles["openai"] = replace(profiles["openai"], base_url=base_url.rstrip("/"))
    if base_url := os.environ.get("PLAYGROUND_BASE_URL"):
        profiles["custom"] = Profile("custom", base_url.rstrip("/"),
                                     os.environ.get("PLAYGROUND_API_KEY_ENV", "PLAYGROUND_API_KEY"))
    default = os.environ.get("PLAYGROUND_PROVIDER", default)
    return profiles, default


def resolve_profile(name: str | None, project_dir: Path | None = None) -> Profile:
    """A profile by name; a URL is taken as an ad-hoc OpenAI-compatible endpoint."""
    profiles, default = load_profiles(project_dir)
    name = name or default
    if name.startswith(("http://", "https://")):
        return Profile(shown_provider(name), name.rstrip("/"), "PLAYGROUND_API_KEY", timeout=120.0)
    if name not in profiles:
        known = ", ".join(sorted(profiles))
        raise ProviderError(f"unknown provider {name!r} (known: {known}, or a base URL)")
    return profiles[name]


def connect(profile: Profile, *, base_url: str | None = None, http_client: Any = None) -> "openai.AsyncOpenAI":
    """An AsyncOpenAI client for the profile; the offline model is started here when needed."""
    import openai  # ~0.9 s to import: only when a request is really made

    if base_url is None:
        if profile.is_offline:
            from playground.core.offline import ensure_offline_server

            base_url = ensure_offline_server()
        else:
            base_url = profile.base_url
    key = profile.api_key()
    if profile.api_key_env and not key and not profile.is_offline and not _is_loopback(base_url):
        raise ProviderError(f"{profile.api_key_env} is not set (needed by provider {profile.name!r})")
    return openai.AsyncOpenAI(
        base_url=base_url, api_key=key or "no-key", timeout=profile.timeout,
        max_retries=profile.max_retries, default_headers=profile.headers or None,
        http_client=http_client,
    )


def shown_url(url: Any) -> str:
    """A base URL fit to show: without user:password, query or fragment (where keys can hide)."""
    parts = urlsplit(str(url))
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path.rstrip("/"), "", ""))


def shown_provider(name: str) -> str:
    """A provider as given (a profile name or a base URL), fit to show."""
    return shown_url(name) if name.startswith(("http://", "https://")) else name


def _is_loopback(url: str | None) -> bool:
    host = urlsplit(url).hostname if url else None
    return bool(host) and (host in ("localhost", "::1") or host.startswith("127."))
