"""Provider profiles: built-ins, config files, environment; keys only from the environment."""

from __future__ import annotations

import pytest

from playground.core.providers import (
    ProviderError,
    connect,
    load_profiles,
    resolve_profile,
    shown_url,
)
from playground.core.session import InputError


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "PLAYGROUND_PROVIDER", "PLAYGROUND_BASE_URL",
                 "PLAYGROUND_API_KEY", "PLAYGROUND_API_KEY_ENV", "ROUTER_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)


def test_offline_is_the_default():
    profiles, default = load_profiles()
    assert default == "offline" and profiles["offline"].is_offline
    assert resolve_profile(None).name == "offline"


def test_project_config_adds_a_router_profile(tmp_path):
    (tmp_path / "playground.toml").write_text(
        'default_provider = "router"\n[providers.router]\nbase_url = "https://router.test/v1"\n'
        'api_key_env = "ROUTER_KEY"\nmodels = ["gpt-4o", "claude-sonnet-4", "gemini-2.5-pro"]\n'
        "send_parallel_tool_calls = false\n")
    profile = resolve_profile(None, tmp_path)
    assert profile.name == "router" and profile.models == ("gpt-4o", "claude-sonnet-4", "gemini-2.5-pro")
    assert profile.send_parallel_tool_calls is False


def test_user_config_is_overridden_by_project_config(tmp_path):
    user = tmp_path / "config" / "playground"
    user.mkdir(parents=True)
    (user / "config.toml").write_text('[providers.box]\nbase_url = "http://127.0.0.1:1/v1"\ntimeout = 5\n')
    assert resolve_profile("box").timeout == 5
    (tmp_path / "playground.toml").write_text('[providers.box]\ntimeout = 9\n')
    assert resolve_profile("box").timeout == 9 and resolve_profile("box").base_url == "http://127.0.0.1:1/v1"


def test_config_never_holds_keys(tmp_path):
    (tmp_path / "playground.toml").write_text('[providers.x]\nbase_url = "http://a/v1"\napi_key = "sk-1"\n')
    with pytest.raises(InputError, match="api_key_env"):
        load_profiles()


def test_bad_config_is_an_input_error(tmp_path):
    (tmp_path / "playground.toml").write_text("[providers.x\n")
    with pytest.raises(InputError, match="playground.toml"):
        load_profiles()
    (tmp_path / "playground.toml").write_text('[providers.x]\nbase_uri = "http://a/v1"\n')
    with pytest.raises(InputError, match="unknown key 'base_uri'"):
        load_profiles()


def test_environment(monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:4000/v1/")
    monkeypatch.setenv("PLAYGROUND_BASE_URL", "http://127.0.0.1:11434/v1")
    monkeypatch.setenv("PLAYGROUND_PROVIDER", "custom")
    profiles, default = load_profiles()
    assert profiles["openai"].base_url == "http://127.0.0.1:4000/v1"
    assert default == "custom" and profiles["custom"].base_url == "http://127.0.0.1:11434/v1"


def test_a_url_is_an_ad_hoc_profile_and_unknown_names_are_errors():
    assert resolve_profile("http://127.0.0.1:8000/v1/").base_url == "http://127.0.0.1:8000/v1"
    with pytest.raises(ProviderError, match="unknown provider 'nope'"):
        resolve_profile("nope")


def test_urls_are_shown_without_credentials_or_query():
    assert shown_url("https://user:sk-1@api.example.com/v1/?key=sk-2#x") == "https://api.example.com/v1"
    profile = resolve_profile("http://user:sk-1@127.0.0.1:8000/v1?key=sk-2")
    assert profile.name == "http://127.0.0.1:8000/v1" and profile.is_loopback
    assert "sk-" not in profile.label()


async def test_remote_profile_without_its_key_is_refused_with_the_variable_named():
    with pytest.raises(ProviderError, match="OPENAI_API_KEY is not set"):
        connect(resolve_profile("openai"))


async def test_key_comes_from_the_named_variable(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    client = connect(resolve_profile("openai"))
    try:
        assert client.api_key == "sk-from-env" and str(client.base_url).startswith("https://api.openai.com/v1")
    finally:
        await client.close()
