"""Rebuilding an assistant message from chat-completion stream chunks (or a whole response),
tolerant of providers that leave out `index` or reuse one index for several calls."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class _Call:
    id: str | None = None
    name: str = ""
    arguments: str = ""


@dataclass(frozen=True)
class CallFragment:
    index: int
    call_id: str | None
    name: str | None
    arguments: str


@dataclass
class StreamAssembler:
    content: list[str] = field(default_factory=list)
    refusal: list[str] = field(default_factory=list)
    calls: list[_Call] = field(default_factory=list)
    finish_reason: str | None = None
    usage: dict[str, Any] | None = None
    model: str | None = None
    missing_index: bool = False
    chunks: int = 0
    _by_index: dict[int, int] = field(default_factory=dict)

    def feed(self, chunk: dict[str, Any]) -> tuple[str, list[CallFragment]]:
        """Take one chunk; return its text and its tool-call fragments (for live display)."""
        self.chunks += 1
        self.model = chunk.get("model") or self.model
        if chunk.get("usage"):
            self.usage = chunk["usage"]
        text = ""
        fragments: list[CallFragment] = []
        for choice in chunk.get("choices") or []:
            if choice.get("index", 0) != 0:
                continue
            delta = choice.get("delta") or {}
            if delta.get("content") is not None:
                text += delta["content"]
                self.content.append(delta["content"])
            if delta.get("refusal") is not None:
                self.refusal.append(delta["refusal"])
            for raw in delta.get("tool_calls") or []:
                fragments.append(self._feed_call(raw))
            if choice.get("finish_reason"):
                self.finish_reason = choice["finish_reason"]
        return text, fragments

    def _feed_call(self, raw: dict[str, Any]) -> CallFragment:
        call_id = raw.get("id") or None
        function = raw.get("function") or {}
        name = function.get("name") or None
        arguments = function.get("arguments") or ""
        position = self._position(raw.get("index"), call_id)
        call = self.calls[position]
        if call_id:
            call.id = call_id
        if name:
            call.name = name if not call.name or call.name == name else call.name + name
        call.arguments += arguments
        return CallFragment(position, call_id, name, arguments)

    def _position(self, index: Any, call_id: str | None) -> int:
        if not isinstance(index, int):
            self.missing_index = True
            if not self.calls or (call_id and self.calls[-1].id and self.calls[-1].id != call_id):
                self.calls.append(_Call())
            return len(self.calls) - 1
        position = self._by_index.get(index)
        if position is None or (call_id and self.calls[position].id and self.calls[position].id != call_id):
            self.calls.append(_Call())
            position = len(self.calls) - 1
            self._by_index[index] = position
        return position

    def message(self) -> dict[str, Any]:
        return assistant_message(
            "".join(self.content) if self.content else None,
            [{"id": c.id or "", "name": c.name, "arguments": c.arguments} for c in self.calls],
            "".join(self.refusal) if self.refusal else None,
        )


def assistant_message(content: str | None, calls: list[dict[str, Any]], refusal: str | None = None) -> dict[str, Any]:
    """The assistant message as it goes back to the API, the same for stream and non-stream."""
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if refusal is not None:
        message["refusal"] = refusal
    if calls:
        message["tool_calls"] = [
            {"id": c["id"], "type": "function", "function": {"name": c["name"], "arguments": c["arguments"]}}
            for c in calls
        ]
    return message


def message_from_response(response: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The assistant message and finish_reason of a non-streamed chat.completion (choice 0)."""
    choices = response.get("choices") or []
    if not choices:
        return assistant_message(None, []), None
    choice = choices[0]
    raw = choice.get("message") or {}
    calls = [
        {"id": c.get("id") or "", "name": (c.get("function") or {}).get("name") or "",
         "arguments": (c.get("function") or {}).get("arguments") or ""}
        for c in raw.get("tool_calls") or []
    ]
    return assistant_message(raw.get("content") or None, calls, raw.get("refusal")), choice.get("finish_reason")


def for_history(message: dict[str, Any]) -> dict[str, Any]:
    """The message as the conversation keeps it: an empty content or refusal is the same as none,
    whichever way (streamed or not) the provider sent it."""
    cleaned = dict(message)
    if not cleaned.get("content"):
        cleaned["content"] = None
    if not cleaned.get("refusal"):
        cleaned.pop("refusal", None)
    return cleaned
