"""What the engine reports while it runs a conversation: small frozen dataclasses, in order."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from playground.core.mocks import ToolOutput
from playground.core.transcript import Usage

FaultKind = Literal[
    "arguments_not_json", "arguments_invalid", "unknown_tool", "missing_index",
    "stop_with_tool_calls",
]
ErrorKind = Literal["network", "timeout", "http", "protocol", "replay", "config", "cancelled", "max_steps", "internal"]


@dataclass(frozen=True)
class StepStarted:
    step: int
    """1-based number of the request within the whole session."""
    request: dict[str, Any]


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class ToolCallDelta:
    index: int
    call_id: str | None
    name: str | None
    arguments: str
    """This delta's fragment of the arguments string."""


@dataclass(frozen=True)
class AssistantMessage:
    """The assistant message of one step, assembled (stream or not)."""

    message: dict[str, Any]
    finish_reason: str | None
    latency: float
    """Seconds from sending the request to the last byte."""
    first_token: float | None
    model: str | None = None


@dataclass(frozen=True)
class PendingCall:
    """One tool call to answer, with the result the engine proposes (mock, hand or fault)."""

    call_id: str
    name: str
    arguments: str
    parsed: Any
    """The decoded arguments, or None when they are not JSON."""
    problems: tuple[str, ...]
    proposed: ToolOutput


@dataclass(frozen=True)
class ToolCallsRequested:
    calls: tuple[PendingCall, ...]
    manual: bool
    """True when the engine waits for `Engine.submit_results`."""


@dataclass(frozen=True)
class ToolResult:
    call_id: str
    name: str
    output: ToolOutput


@dataclass(frozen=True)
class Fault:
    """Something the model did wrong; the run goes on and the user sees it."""

    kind: FaultKind
    message: str
    call_id: str | None = None


@dataclass(frozen=True)
class UnusedResults:
    """Hand-written results of a turn that answered no call of this run. Results are keyed by the
    model's call ids, so a turn re-recorded or run against another model leaves them behind."""

    turn: int
    call_ids: tuple[str, ...]

    @property
    def message(self) -> str:
        ids = ", ".join(self.call_ids)
        results = "result" if len(self.call_ids) == 1 else "results"
        return (f"turn {self.turn + 1}: hand-written {results} for {ids} went unused: no call of this run has "
                "that id (call ids are the model's; a re-recorded turn gets new ones)")


@dataclass(frozen=True)
class UsageReported:
    usage: Usage
    step: int


@dataclass(frozen=True)
class TurnFinished:
    text: str | None
    reason: str
    """"stop", "length", "max_steps", ... (the model's finish_reason or the engine's)."""
    steps: int


@dataclass(frozen=True)
class ErrorEvent:
    """The step failed; the conversation is as it was before it, and `Engine.resume()` retries."""

    kind: ErrorKind
    message: str
    status: int | None = None
    details: dict[str, Any] = field(default_factory=dict)


Event = (
    StepStarted | TextDelta | ToolCallDelta | AssistantMessage | ToolCallsRequested | ToolResult
    | Fault | UnusedResults | UsageReported | TurnFinished | ErrorEvent
)
