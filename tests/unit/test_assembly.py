"""Stream assembly against OpenAI's own recorded streams and against provider quirks."""

from __future__ import annotations

import json

import pytest

from playground.core.assembly import StreamAssembler, message_from_response


def sse_chunks(text: str) -> list[dict]:
    chunks = []
    for line in text.splitlines():
        if line.startswith("data: ") and line != "data: [DONE]":
            chunks.append(json.loads(line[len("data: "):]))
    return chunks


def test_rebuilds_every_reference_stream_exactly(reference):
    folder = reference / "sse" / "openai-python-inline-snapshots"
    index = json.loads((folder / "index.json").read_text())
    checked_calls = 0
    for entry in index:
        assembler = StreamAssembler()
        for chunk in sse_chunks((folder / entry["file"]).read_text()):
            assembler.feed(chunk)
        expected = entry["expected_assembled"][0]
        message = assembler.message()
        assert message["content"] == expected["content"], entry["file"]
        assert message.get("refusal") == expected["refusal"], entry["file"]
        assert assembler.finish_reason == expected["finish_reason"], entry["file"]
        calls = message.get("tool_calls", [])
        assert calls == expected["tool_calls"], entry["file"]
        assert assembler.usage == entry["usage"]
        checked_calls += len(calls)
    assert len(index) == 49
    assert checked_calls >= 20


def _chunk(delta: dict, finish: str | None = None) -> dict:
    return {"choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


def test_gemini_style_calls_without_index_are_told_apart_by_id():
    assembler = StreamAssembler()
    assembler.feed(_chunk({"role": "assistant"}))
    assembler.feed(_chunk({"tool_calls": [{"id": "a", "type": "function",
                                           "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'}}]}))
    assembler.feed(_chunk({"tool_calls": [{"id": "b", "type": "function",
                                           "function": {"name": "search_products", "arguments": '{"query":"x"}'}}]}))
    assembler.feed(_chunk({}, "stop"))
    message = assembler.message()
    assert [c["function"]["name"] for c in message["tool_calls"]] == ["get_weather", "search_products"]
    assert [c["id"] for c in message["tool_calls"]] == ["a", "b"]
    assert assembler.missing_index and assembler.finish_reason == "stop"


def test_fragments_without_index_or_id_append_to_the_last_call():
    assembler = StreamAssembler()
    assembler.feed(_chunk({"tool_calls": [{"id": "a", "function": {"name": "f", "arguments": '{"x"'}}]}))
    assembler.feed(_chunk({"tool_calls": [{"function": {"arguments": ': 1}'}}]}))
    assert assembler.message()["tool_calls"][0]["function"]["arguments"] == '{"x": 1}'


def test_one_index_reused_for_two_calls_with_different_ids():
    assembler = StreamAssembler()
    assembler.feed(_chunk({"tool_calls": [{"index": 0, "id": "a", "function": {"name": "f", "arguments": "{}"}}]}))
    assembler.feed(_chunk({"tool_calls": [{"index": 0, "id": "b", "function": {"name": "g", "arguments": "{}"}}]}))
    assert [c["id"] for c in assembler.message()["tool_calls"]] == ["a", "b"]


def test_stream_and_non_stream_give_the_same_message():
    response = {"choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
        "role": "assistant", "content": None, "refusal": None,
        "tool_calls": [{"id": "a", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}}]}
    assembler = StreamAssembler()
    assembler.feed(_chunk({"role": "assistant", "content": None}))
    assembler.feed(_chunk({"tool_calls": [{"index": 0, "id": "a", "type": "function",
                                           "function": {"name": "f", "arguments": ""}}]}))
    assembler.feed(_chunk({"tool_calls": [{"index": 0, "function": {"arguments": "{}"}}]}))
    assembler.feed(_chunk({}, "tool_calls"))
    assert message_from_response(response) == (assembler.message(), "tool_calls")


@pytest.mark.parametrize("choices", [[], None])
def test_empty_response_is_an_empty_message(choices):
    message, finish = message_from_response({"choices": choices})
    assert message == {"role": "assistant", "content": None} and finish is None
