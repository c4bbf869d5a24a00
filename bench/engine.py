"""engine: playground's engine steps (request, stream assembly, tool resolution) over a minimal
hand-written loop with the raw openai AsyncOpenAI client, both against the same offline server."""

from __future__ import annotations

import asyncio
import json

from bench.common import (
    assemble, bench_line, demo_session, interleaved, median, ms, questions, run_conversations, same_or_fail, timed,
    weather_mocks,
)

CONVERSATIONS = 15
"""Demo conversations per round (2 steps each)."""
ROUNDS = 15


def _client(base_url: str):
    import openai

    return openai.AsyncOpenAI(base_url=base_url, api_key="no-key", max_retries=0)


async def _raw_conversation(client, session, mocks, text: str) -> list[dict]:
    """The hand-written loop: send, assemble the stream, call the mock functions, send again."""
    messages = [{"role": "system", "content": session.system}, {"role": "user", "content": text}]
    while True:
        stream = await client.chat.completions.create(
            model=session.model, messages=messages, tools=session.tools, tool_choice="auto",
            parallel_tool_calls=True, stream=True, stream_options={"include_usage": True})
        message = await assemble(stream)
        messages.append(message)
        if "tool_calls" not in message:
            return messages
        for call in message["tool_calls"]:
            result = getattr(mocks, call["function"]["name"])(**json.loads(call["function"]["arguments"]))
            messages.append({"role": "tool", "tool_call_id": call["id"], "content": json.dumps(result)})


async def _raw(base_url: str, texts: list[str]) -> list[list[dict]]:
    session, mocks, client = demo_session(), weather_mocks(), _client(base_url)
    try:
        return [await _raw_conversation(client, session, mocks, text) for text in texts]
    finally:
        await client.close()


async def _engine(base_url: str, texts: list[str]) -> list[list[dict]]:
    from playground.core.engine import Engine

    engine = Engine(demo_session(), client_factory=lambda: _client(base_url), mode="auto")
    transcripts = []
    try:
        for text in texts:
            await run_conversations(engine, [text])
            transcripts.append(engine.transcript().messages)
    finally:
        await engine.aclose()
    return transcripts


def run() -> bool:
    from playground.core.offline import OfflineServer

    texts = questions(CONVERSATIONS)
    with OfflineServer() as server:
        def engine_side() -> list[list[dict]]:
            return asyncio.run(_engine(server.base_url, texts))

        def raw_side() -> list[list[dict]]:
            return asyncio.run(_raw(server.base_url, texts))

        same_or_fail("engine", engine_side(), raw_side())
        engine, raw = interleaved(lambda: timed(engine_side)[0], lambda: timed(raw_side)[0], ROUNDS)
    steps = 2 * CONVERSATIONS
    return bench_line("engine", median(engine) / median(raw), "<=1.1",
                      f"{ms(median(engine) / steps)} per engine step vs {ms(median(raw) / steps)} per step of a "
                      f"hand-written AsyncOpenAI loop (same offline server, same {steps} requests and transcripts; "
                      f"medians of {ROUNDS} interleaved rounds; the engine posts its plain-JSON request "
                      "without the SDK's TypedDict walk)")
