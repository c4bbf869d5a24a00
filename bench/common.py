"""What the benchmarks share: the BENCH line, interleaved rounds, the demo session, recording and replaying
demo conversations through playground's Recorder and Engine, and a frame hook. Imports stay lazy: the
startup benchmark's launched processes import this module too."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
DEMO = FIXTURES / "weather.yaml"
REFERENCE_TOOLS = ROOT.parent / "shared" / "reference" / "tools" / "bfcl_tools_openai.jsonl"
CITIES = ("New York", "Paris", "Tokyo", "Lagos", "Lima", "Oslo", "Cairo", "Quito", "Perth", "Seoul")
PRODUCTS = ("umbrellas", "raincoats", "sunglasses", "boots", "scarves", "hats", "gloves", "fans")


class BenchError(Exception):
    """The benchmark cannot give an honest number (e.g. playground and baseline disagree)."""


# -- output --------------------------------------------------------------------------------------

def bench_line(name: str, ratio: float, target: str, details: str) -> bool:
    """Print the one BENCH line; True when the ratio meets `target` (e.g. "<=1.3", ">=10")."""
    op, value = target[:2], float(target[2:])
    met = ratio <= value if op == "<=" else ratio >= value
    print(f"BENCH {name} ratio={ratio:.2f} target={target}    {details}"
          f"{'' if met else '  [MISSES TARGET]'}", flush=True)
    return met


def plain_line(text: str) -> None:
    print(text, flush=True)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def mib(size: float) -> str:
    return f"{size / 2**20:.1f} MiB"


# -- rounds --------------------------------------------------------------------------------------

def median(values: Sequence[float]) -> float:
    import statistics

    return statistics.median(values)


def interleaved(subject: Callable[[], float], baseline: Callable[[], float],
                rounds: int) -> tuple[list[float], list[float]]:
    """Run baseline and subject alternately (which goes first alternates too); their timings."""
    subjects: list[float] = []
    baselines: list[float] = []
    for index in range(rounds):
        order = ((baseline, baselines), (subject, subjects))
        for run, out in order if index % 2 == 0 else order[::-1]:
            out.append(run())
    return subjects, baselines


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def digest(data: Any) -> str:
    import hashlib
    import json

    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def same_or_fail(what: str, playground: Any, baseline: Any) -> None:
    if playground != baseline:
        raise BenchError(f"{what}: playground and the baseline give different results; no timing is honest")


# -- the demo session and its conversations --------------------------------------------------------

def demo_session(provider: str | None = None):
    """The bundled demo session (weather + product search, Python mocks), optionally re-pointed."""
    from playground.core.session import load_session

    session = load_session(DEMO)
    if provider is not None:
        session.provider = provider
    return session


def questions(count: int, offset: int = 0) -> list[str]:
    """Distinct demo questions: each makes the offline model call both tools, then answer (2 requests)."""
    out = []
    for number in range(offset, offset + count):
        city = f"{CITIES[number % len(CITIES)]} {number // len(CITIES) + 1}"
        product = PRODUCTS[number % len(PRODUCTS)]
        out.append(f"What's the weather like in {city} today? Also search for {product}")
    return out


def weather_mocks():
    """The demo's mock module (fixtures/weather_mocks.py), for hand-written loops."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("weather_mocks", FIXTURES / "weather_mocks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def step_result(message: dict[str, Any]) -> dict[str, Any]:
    """What one request gave: the text and the tool calls, as both sides compare them."""
    calls = [(c["id"], c["function"]["name"], c["function"]["arguments"]) for c in message.get("tool_calls") or []]
    return {"content": message.get("content") or None, "calls": calls}


async def run_conversations(engine, texts: Sequence[str]) -> list[dict[str, Any]]:
    """Each text as a one-turn conversation of the engine's session (`run_all`, as `playground
    replay` runs a session); the result of every request, in order."""
    from playground.core.events import AssistantMessage, ErrorEvent
    from playground.core.session import Turn

    results = []
    for text in texts:
        engine.session.turns = [Turn(user=text)]
        async for event in engine.run_all():
            if isinstance(event, ErrorEvent):
                raise BenchError(f"the engine failed: {event.message}")
            if isinstance(event, AssistantMessage):
                results.append(step_result(event.message))
    return results


async def _with_recorder(cassette: Path, mode: str, texts: Sequence[str], provider: str | None):
    from playground.core.engine import Engine
    from playground.recording import Recorder

    session = demo_session(provider)
    recorder = Recorder(session, mode=mode, cassette=cassette)
    engine = Engine(session, client_factory=recorder.client_factory(), mode="auto")
    try:
        results = await run_conversations(engine, texts)
    finally:
        await engine.aclose()
    recorder.save()
    return results


def record(cassette: Path, texts: Sequence[str], provider: str | None = None) -> list[dict[str, Any]]:
    """Really record the conversations with the offline model through playground's Recorder."""
    import asyncio

    results = asyncio.run(_with_recorder(cassette, "all", texts, provider))
    if len(results) != 2 * len(texts):
        raise BenchError(f"expected 2 requests per demo conversation, got {len(results)} for {len(texts)}")
    return results


def replay(cassette: Path, texts: Sequence[str]) -> list[dict[str, Any]]:
    """Replay them from the cassette (Recorder mode "none": loading, indexed matching, the engine)."""
    import asyncio

    return asyncio.run(_with_recorder(cassette, "none", texts, None))


def cassette_bodies(cassette: Path) -> list[dict[str, Any]]:
    """The recorded request bodies, in order (what a plain client sends to replay the same requests)."""
    import json

    from playground.recording.cassette import load_cassette

    return [json.loads(interaction.request.body) for interaction in load_cassette(cassette)]


def log(text: str) -> None:
    """Progress on stderr (the results go to stdout)."""
    print(f"  .. {text}", file=sys.stderr, flush=True)


async def assemble(stream) -> dict[str, Any]:
    """A minimal hand-written stream assembly over the raw openai client's chunks (the baselines)."""
    content: list[str] = []
    calls: dict[int, dict[str, str]] = {}
    async for chunk in stream:
        for choice in chunk.choices:
            delta = choice.delta
            if delta.content:
                content.append(delta.content)
            for part in delta.tool_calls or []:
                call = calls.setdefault(part.index, {"id": "", "name": "", "arguments": ""})
                call["id"] = part.id or call["id"]
                if part.function is not None:
                    call["name"] += part.function.name or ""
                    call["arguments"] += part.function.arguments or ""
    message: dict[str, Any] = {"role": "assistant", "content": "".join(content) or None}
    if calls:
        message["tool_calls"] = [{"id": c["id"], "type": "function",
                                  "function": {"name": c["name"], "arguments": c["arguments"]}}
                                 for _, c in sorted(calls.items())]
    return message


def memory_now() -> dict[str, int]:
    """This process's resident memory and its high-water mark, in bytes (Linux /proc)."""
    import re

    status = Path("/proc/self/status").read_text()
    return {key: int(re.search(key + r":\s+(\d+)", status).group(1)) * 1024 for key in ("VmRSS", "VmHWM")}


def reset_memory_peak() -> None:
    """Start a new high-water mark from the current resident size (Linux >= 4.0)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


_frame_callbacks: list[Callable[[Any], None]] = []


def on_frames(callback: Callable[[Any], None]) -> None:
    """Call `callback(app)` after each frame any Textual app paints (headless too): a hook installed
    once in the benchmark's own process, around `App._display`, never in product code."""
    from textual.app import App

    if not _frame_callbacks:
        display = App._display

        def painted(app: Any, screen: Any, renderable: Any) -> None:
            display(app, screen, renderable)
            if renderable is not None and not app._batch_count:
                for each in list(_frame_callbacks):
                    each(app)

        App._display = painted  # type: ignore[method-assign]
    if callback not in _frame_callbacks:
        _frame_callbacks.append(callback)
