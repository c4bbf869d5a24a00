"""A session as something to take elsewhere: a runnable Python script, a curl command, or the
chat-completions request body as JSON."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

from playground.core.engine import first_request
from playground.core.mocks import mock_module_path
from playground.core.providers import resolve_profile
from playground.core.session import InputError, MockSpec, Session

FORMATS = ("python", "curl", "json")


def export_session(session: Session, fmt: str) -> str:
    if fmt == "python":
        return python_script(session)
    if fmt == "curl":
        return curl_command(session)
    if fmt == "json":
        return json.dumps(first_request(session), ensure_ascii=False, indent=2) + "\n"
    raise ValueError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")


def _base_url(session: Session) -> tuple[str | None, str]:
    """The base URL to bake in (None: take it from the environment) and the key's variable."""
    try:
        profile = resolve_profile(session.provider, session.base_dir)
    except Exception:
        return None, "OPENAI_API_KEY"
    return profile.base_url, profile.api_key_env or "OPENAI_API_KEY"


def curl_command(session: Session) -> str:
    base_url, key_env = _base_url(session)
    url = f"{base_url or '${OPENAI_BASE_URL:-http://127.0.0.1:8000/v1}'}/chat/completions"
    body = json.dumps(first_request(session), ensure_ascii=False, indent=2)
    return (
        f"# {session.name}: the first request of the session.\n"
        + ("# Start the offline model first: playground serve --offline, then export OPENAI_BASE_URL=<printed URL>\n"
           if base_url is None else "")
        + f'curl -sS "{url}" \\\n'
        f'  -H "Content-Type: application/json" \\\n'
        f'  -H "Authorization: Bearer ${key_env}" \\\n'
        f"  --data-binary @- <<'JSON'\n{body}\nJSON\n"
    )


def python_script(session: Session) -> str:
    """A standalone script: tools, mock functions and the tool-calling loop with the openai client."""
    base_url, key_env = _base_url(session)
    request = first_request(session)
    options = {k: v for k, v in request.items() if k not in ("messages", "tools", "stream", "stream_options")}
    mocks = "\n\n\n".join(_mock_source(name, spec, session.base_dir) for name, spec in session.mocks.items())
    users = [turn.user for turn in session.turns]
    hand = {call_id: value for turn in session.turns for call_id, value in turn.results.items()}
    header = f'"""{session.name}: exported from playground. Runs the session\'s tool-calling loop."""'
    return _SCRIPT.format(
        header=header,
        base_url=repr(base_url),
        key_env=repr(key_env),
        system=repr(session.system),
        tools=_literal(session.tools),
        options=_literal(options),
        mocks=mocks or "# (no mocks)",
        table="{" + ", ".join(f"{name!r}: mock_{name}" for name in session.mocks) + "}",
        hand=_literal(hand),
        users=_literal(users),
        max_steps=session.max_steps,
        stream=session.stream,
    )


def _literal(value: Any, indent: int = 0) -> str:
    """`value` as Python source laid out like indented JSON; short containers stay on one line."""
    flat = repr(value)
    if len(flat) + indent <= 96 or not isinstance(value, (dict, list)) or not value:
        return flat
    inner = " " * (indent + 4)
    if isinstance(value, dict):
        items = [f"{inner}{key!r}: {_literal(item, indent + 4)}," for key, item in value.items()]
        return "{\n" + "\n".join(items) + "\n" + " " * indent + "}"
    items = [f"{inner}{_literal(item, indent + 4)}," for item in value]
    return "[\n" + "\n".join(items) + "\n" + " " * indent + "]"


def _mock_source(name: str, spec: MockSpec, base_dir: Path) -> str:
    fn = f"mock_{name}"
    kind = spec.kind
    if kind == "static":
        return f"def {fn}(**arguments):\n    return {_literal(spec.static)}"
    if kind == "template":
        return f"def {fn}(**arguments):\n    return render_template({_literal(spec.template)}, arguments)"
    if kind == "error":
        return f"def {fn}(**arguments):\n    return {{'error': {spec.error!r}}}"
    if kind == "sequence":
        items = [MockSpec.model_validate(i) if isinstance(i, dict) and len(i) == 1 else MockSpec(static=i)
                 for i in spec.sequence or []]
        parts = [_mock_source(f"{name}_{n}", item, base_dir) for n, item in enumerate(items)]
        steps = ", ".join(f"mock_{name}_{n}" for n in range(len(items)))
        return "\n\n\n".join(parts + [
            f"_{fn}_steps = iter([{steps}])\n\n\n"
            f"def {fn}(**arguments):\n"
            f"    step = next(_{fn}_steps, None)\n"
            f"    return step(**arguments) if step else {{'error': 'mock sequence exhausted'}}"
        ])
    return _python_mock_source(fn, spec.python or "", base_dir)


def _python_mock_source(fn: str, target: str, base_dir: Path) -> str:
    function_name = target.split(":", 1)[1]
    path = mock_module_path(target, base_dir)
    try:
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
    except (OSError, SyntaxError) as error:
        raise InputError(f"cannot export python mock {target}: {error}", path=path) from None
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == function_name:
            body = ast.get_source_segment(source, node) or ""
            return f"# from {path.name}\n{body}\n\n{fn} = {function_name}"
    raise InputError(f"cannot export python mock {target}: no function {function_name!r}", path=path)


_SCRIPT = '''#!/usr/bin/env python3
{header}

import json
import os
import re
import sys

from openai import OpenAI

BASE_URL = os.environ.get("OPENAI_BASE_URL") or {base_url}
API_KEY_ENV = {key_env}
SYSTEM = {system}
TOOLS = {tools}
OPTIONS = {options}
STREAM = {stream}
MAX_STEPS = {max_steps}
USER_MESSAGES = {users}
HAND_RESULTS = {hand}


def as_text(value):
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def render_template(template, arguments):
    if isinstance(template, str):
        whole = re.fullmatch(r"\\s*\\{{\\{{\\s*([A-Za-z_][\\w.-]*)\\s*\\}}\\}}\\s*", template)
        if whole:
            return arguments.get(whole.group(1))
        return re.sub(r"\\{{\\{{\\s*([A-Za-z_][\\w.-]*)\\s*\\}}\\}}",
                      lambda m: as_text(arguments.get(m.group(1))), template)
    if isinstance(template, list):
        return [render_template(item, arguments) for item in template]
    if isinstance(template, dict):
        return {{key: render_template(value, arguments) for key, value in template.items()}}
    return template


{mocks}


MOCKS = {table}


def answer(call):
    if call["id"] in HAND_RESULTS:
        result = HAND_RESULTS[call["id"]]
        return result if isinstance(result, str) else json.dumps(result, ensure_ascii=False)
    name = call["function"]["name"]
    if name not in MOCKS:
        return json.dumps({{"error": f"no mock for tool {{name!r}}"}})
    try:
        arguments = json.loads(call["function"]["arguments"] or "{{}}")
        result = MOCKS[name](**arguments)
    except Exception as error:
        result = {{"error": f"{{type(error).__name__}}: {{error}}"}}
    return result if isinstance(result, str) else json.dumps(result, ensure_ascii=False)


def ask(client, messages):
    """One request; prints the assistant's text, if any (streamed: as it arrives), and returns the
    assistant message as it goes back into the conversation."""
    request = {{"messages": messages, **({{"tools": TOOLS}} if TOOLS else {{}}), **OPTIONS}}
    if not STREAM:
        message = client.chat.completions.create(**request).choices[0].message
        if message.content:
            print(f"assistant: {{message.content}}")
        calls = [{{"id": c.id, "type": "function",
                  "function": {{"name": c.function.name, "arguments": c.function.arguments}}}}
                 for c in message.tool_calls or []]
        return assistant(message.content, calls)
    text, calls = [], {{}}
    for chunk in client.chat.completions.create(stream=True, stream_options={{"include_usage": True}}, **request):
        for choice in chunk.choices:
            if choice.delta.content:
                print("" if text else "assistant: ", choice.delta.content, sep="", end="", flush=True)
                text.append(choice.delta.content)
            for part in choice.delta.tool_calls or []:
                call = calls.setdefault(part.index if part.index is not None else len(calls),
                                        {{"id": "", "type": "function", "function": {{"name": "", "arguments": ""}}}})
                call["id"] = part.id or call["id"]
                call["function"]["name"] += (part.function and part.function.name) or ""
                call["function"]["arguments"] += (part.function and part.function.arguments) or ""
    if text:
        print()
    return assistant("".join(text), list(calls.values()))


def assistant(content, calls):
    message = {{"role": "assistant", "content": content or None}}
    if calls:
        message["tool_calls"] = calls
    return message


def main():
    if not BASE_URL:
        sys.exit("set OPENAI_BASE_URL (for the offline model: run `playground serve --offline`)")
    client = OpenAI(base_url=BASE_URL, api_key=os.environ.get(API_KEY_ENV) or "no-key")
    messages = [{{"role": "system", "content": SYSTEM}}] if SYSTEM else []
    for text in USER_MESSAGES:
        print(f"user: {{text}}")
        messages.append({{"role": "user", "content": text}})
        for _ in range(MAX_STEPS):
            message = ask(client, messages)
            messages.append(message)
            if not message.get("tool_calls"):
                break
            for call in message["tool_calls"]:
                content = answer(call)
                print(f"tool {{call['function']['name']}}({{call['function']['arguments']}}) -> {{content}}")
                messages.append({{"role": "tool", "tool_call_id": call["id"], "content": content}})
        else:
            print(f"stopped after {{MAX_STEPS}} steps")


if __name__ == "__main__":
    main()
'''
