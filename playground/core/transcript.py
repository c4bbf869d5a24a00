"""What a run produced: OpenAI chat-format messages, usage, and the `--json` transcript format."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0

    def add(self, other: "Usage") -> None:
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.total_tokens += other.total_tokens

    @classmethod
    def from_api(cls, data: Any) -> "Usage":
        if not isinstance(data, dict):
            return cls()
        prompt = int(data.get("prompt_tokens") or 0)
        completion = int(data.get("completion_tokens") or 0)
        return cls(prompt, completion, int(data.get("total_tokens") or prompt + completion))

    def to_dict(self) -> dict[str, int]:
        return {"prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens,
                "total_tokens": self.total_tokens}


@dataclass
class Transcript:
    session: str
    model: str
    provider: str
    steps: int = 0
    messages: list[dict[str, Any]] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)

    def to_dict(self) -> dict[str, Any]:
        return {"session": self.session, "model": self.model, "provider": self.provider,
                "steps": self.steps, "messages": self.messages, "usage": self.usage.to_dict()}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def tool_calls(self) -> list[dict[str, Any]]:
        """Every tool call the model made, in order, with `arguments` decoded where possible."""
        calls = []
        for message in self.messages:
            for call in message.get("tool_calls") or []:
                function = call.get("function", {})
                try:
                    arguments = json.loads(function.get("arguments") or "null")
                except json.JSONDecodeError:
                    arguments = function.get("arguments")
                calls.append({"id": call.get("id"), "name": function.get("name"), "arguments": arguments})
        return calls

    @property
    def final_text(self) -> str | None:
        for message in reversed(self.messages):
            if message.get("role") == "assistant":
                return message.get("content")
        return None
