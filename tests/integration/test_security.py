"""Secrets never reach disk: keys in the environment, in headers and in query strings, and ids in
response headers, are absent from every file a recording writes; unsafe cassettes run nothing."""

from __future__ import annotations

import json
from pathlib import Path

import openai
import pytest

from playground.core.engine import run_session
from playground.core.loopback import LoopbackServer, Request, Response, json_response
from playground.core.session import Session, Turn, load_session, save_session
from playground.recording import CassetteError, Recorder, use_cassette
from playground.server import serve_cassette

API_KEY = "sk-test-SECRET-0123456789abcdef"
HEADER_KEY = "azure-SECRET-HEADER-0123456789"
QUERY_KEY = "QUERY-SECRET-0123456789"
ORGANIZATION = "org-SECRET-ORGANIZATION-42"
PROJECT = "proj_SECRET-PROJECT-42"
COOKIE = "__cf_bm=SECRET-COOKIE-42"
SECRETS = (API_KEY, HEADER_KEY, QUERY_KEY, ORGANIZATION, PROJECT, COOKIE)


def crafted(request: Request) -> Response:
    """A provider that answers in text and reveals ids in its response headers, like OpenAI does."""
    completion = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-4o",
                  "choices": [{"index": 0, "message": {"role": "assistant", "content": "All good.", "refusal": None},
                               "logprobs": None, "finish_reason": "stop"}],
                  "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}}
    return json_response(completion, headers={"openai-organization": ORGANIZATION, "openai-project": PROJECT,
                                              "set-cookie": COOKIE, "x-request-id": "req_123",
                                              "date": "Mon, 24 Nov 2025 13:00:00 GMT"})


@pytest.fixture
def provider():
    with LoopbackServer(crafted) as server:
        yield server


@pytest.fixture
def project(tmp_path, monkeypatch, provider) -> Path:
    """A project whose provider profile sends an `api-key` header and reads OPENAI_API_KEY."""
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "playground.toml").write_text(
        f'[providers.crafted]\nbase_url = "{provider.base_url}"\napi_key_env = "OPENAI_API_KEY"\n'
        f'headers = {{"api-key" = "{HEADER_KEY}"}}\n')
    (tmp_path / "cassettes").mkdir()
    return tmp_path


def assert_no_secret_in(folder: Path) -> list[Path]:
    """Every file written in the project (the provider config the test wrote is the only input)."""
    files = [path for path in folder.rglob("*") if path.is_file() and path.name != "playground.toml"]
    for path in files:
        text = path.read_bytes().decode("utf-8", "replace")
        for secret in SECRETS:
            assert secret not in text, f"{secret} found in {path}"
    return files


async def test_recording_a_session_writes_no_secret_anywhere(project):
    session = Session(name="secrets", provider="crafted", stream=False, turns=[Turn(user="hello")])
    session.path = project / "secrets.yaml"
    with Recorder(session, mode="once") as recorder:
        transcript, _ = await run_session(session, client_factory=recorder.client_factory())
    assert transcript.final_text == "All good."
    save_session(session)
    written = [project / "cassettes" / "secrets.yaml", project / "secrets.yaml"]
    try:
        from playground.export import FORMATS, export_session
    except ImportError:
        pass
    else:
        for fmt in FORMATS:
            (project / f"export.{fmt}").write_text(export_session(load_session(session.path), fmt))
            written.append(project / f"export.{fmt}")
    files = assert_no_secret_in(project)
    assert set(written) <= set(files)
    cassette = (project / "cassettes" / "secrets.yaml").read_text()
    for dropped in ("authorization", "api-key", "openai-organization", "set-cookie", "x-request-id", "date"):
        assert f"{dropped}:" not in cassette
    replayed, _ = await run_session(load_session(session.path), client_factory=Recorder(
        load_session(session.path), mode="none").client_factory())
    assert replayed.to_dict() == transcript.to_dict()


def test_a_key_in_the_query_string_and_headers_of_your_own_client_is_dropped(project, provider):
    path = project / "cassettes" / "own_client.yaml"
    with use_cassette(path, mode="once"):
        client = openai.OpenAI(base_url=provider.base_url, default_query={"key": QUERY_KEY, "api-version": "1"},
                               default_headers={"x-api-key": HEADER_KEY, "OpenAI-Organization": ORGANIZATION,
                                                "OpenAI-Project": PROJECT, "Cookie": COOKIE}, max_retries=0)
        answer = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
    assert answer.choices[0].message.content == "All good."
    assert_no_secret_in(project)
    assert "api-version=1" in path.read_text()  # other query parameters stay, and are matched on
    with use_cassette(path):
        again = openai.OpenAI(base_url="http://127.0.0.1:9/v1", api_key="other", default_query={"key": "x", "api-version": "1"})
        assert again.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}]).id == "chatcmpl-1"


async def test_a_cassette_that_would_contain_the_key_is_refused_and_not_written(project):
    session = Session(name="leak", provider="crafted", stream=False, turns=[Turn(user=f"my key is {API_KEY}")])
    session.path = project / "leak.yaml"
    recorder = Recorder(session, mode="once")
    await run_session(session, client_factory=recorder.client_factory())
    with pytest.raises(CassetteError) as raised:
        recorder.save()
    assert "cassettes/leak.yaml" in str(raised.value) and "API key" in str(raised.value)
    assert API_KEY not in str(raised.value) and "\n" not in str(raised.value)
    assert not (project / "cassettes" / "leak.yaml").exists()
    assert not list((project / "cassettes").iterdir())  # no temp file left either


def test_a_key_only_seen_in_a_request_header_is_refused_too(project, provider, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY")
    other_key = "sk-other-SECRET-9876543210"
    path = project / "cassettes" / "header_only.yaml"
    with pytest.raises(CassetteError):
        with use_cassette(path, mode="once"):
            client = openai.OpenAI(base_url=provider.base_url, api_key=other_key, max_retries=0)
            client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": other_key}])
    assert not path.exists()


UNSAFE = """\
interactions:
- request:
    method: POST
    uri: http://127.0.0.1/v1/chat/completions
    headers: {{}}
    body: !!python/object/apply:{target}
  response:
    status: {{code: 200, message: OK}}
    headers: {{}}
    body: {{string: ''}}
version: 1
"""


@pytest.mark.parametrize("target", ["os.system ['touch {sentinel}']", "builtins.iter [[1, 2]]",
                                    "pathlib.Path.touch [!!python/object/apply:pathlib.Path ['{sentinel}']]"])
def test_an_unsafe_yaml_tag_fails_clearly_and_runs_nothing(tmp_path, target, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sentinel = tmp_path / "sentinel"
    path = tmp_path / "cassettes" / "weather.yaml"
    path.parent.mkdir()
    path.write_text(UNSAFE.format(target=target.format(sentinel=sentinel)))
    before = path.read_bytes()
    session = Session(name="weather", turns=[Turn(user="hi")])
    session.path = tmp_path / "weather.yaml"
    for attempt in (lambda: Recorder(session, mode="none"), lambda: Recorder(session, mode="once"),
                    lambda: Recorder(session, mode="new_episodes"), lambda: serve_cassette(path)):
        with pytest.raises(CassetteError) as raised:
            attempt()
        message = str(raised.value)
        assert message.startswith("cassettes/weather.yaml:") and "unsafe YAML tag !!python/object/apply" in message
        assert "\n" not in message
    with pytest.raises(CassetteError):
        with use_cassette(path):
            pass
    assert not sentinel.exists()
    assert path.read_bytes() == before


def test_plain_vcrpy_cassettes_with_credentials_lose_them_on_the_next_save(tmp_path, provider):
    """A cassette recorded by plain vcrpy keeps the Authorization header; appending to it with
    new_episodes writes it back through the allowlist."""
    import vcr

    path = tmp_path / "plain.yaml"
    with vcr.use_cassette(str(path)):
        openai.OpenAI(base_url=provider.base_url, api_key=API_KEY, max_retries=0).chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "one"}])
    assert API_KEY in path.read_text()
    with use_cassette(path, mode="new_episodes"):
        client = openai.OpenAI(base_url=provider.base_url, api_key="sk-another-key-000000", max_retries=0)
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "one"}])
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "two"}])
    text = path.read_text()
    assert API_KEY not in text and "authorization" not in text and len(json.dumps(text)) > 0
    assert text.count("- request:") == 2


def test_a_plain_vcrpy_cassette_with_a_key_in_its_query_string_still_matches(tmp_path, provider):
    import vcr

    path = tmp_path / "query.yaml"
    with vcr.use_cassette(str(path)):
        client = openai.OpenAI(base_url=provider.base_url, api_key="x", default_query={"key": QUERY_KEY}, max_retries=0)
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "q"}])
    assert QUERY_KEY in path.read_text()
    with use_cassette(path):
        client = openai.OpenAI(base_url="http://127.0.0.1:9/v1", api_key="x", default_query={"key": "other"})
        assert client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "q"}]).id
