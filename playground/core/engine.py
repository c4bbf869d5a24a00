"""The conversation loop, once for every front end: send messages + tools, resolve the model's tool
calls (mock, hand or manual), send again, until a text answer or max steps. Yields events."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

from playground.core.assembly import StreamAssembler, for_history, message_from_response
from playground.core.events import (
    AssistantMessage,
    ErrorEvent,
    Event,
    Fault,
    PendingCall,
    StepStarted,
    TextDelta,
    ToolCallDelta,
    ToolCallsRequested,
    ToolResult,
    TurnFinished,
    UnusedResults,
    UsageReported,
)
from playground.core.mocks import MockRunner, ToolOutput, error_output
from playground.core.providers import (
    ProviderError,
    connect,
    resolve_profile,
    shown_provider,
    shown_url,
)
from playground.core.session import Session, Turn, result_text
from playground.core.tools import check_arguments
from playground.core.transcript import Transcript, Usage

if TYPE_CHECKING:
    import openai

ClientFactory = Callable[[], "openai.AsyncOpenAI"]


class StepFailed(Exception):
    def __init__(self, event: ErrorEvent):
        self.event = event
        super().__init__(event.message)


class Engine:
    """Runs a session's conversation. One engine per open session; not safe for two runs at once."""

    def __init__(self, session: Session, *, client_factory: ClientFactory | None = None,
                 mode: str | None = None):
        self.session = session
        self.mode = mode or session.mode
        self._client_factory = client_factory
        self._client: openai.AsyncOpenAI | None = None
        self.mocks = MockRunner(session.mocks, session.base_dir)
        self.messages: list[dict[str, Any]] = []
        self.turn_starts: list[int] = []
        """Index in `messages` of each turn's user message."""
        self.usage = Usage()
        self.steps = 0
        self._pending: asyncio.Future[dict[str, str]] | None = None
        self._turn_steps = 0

    # -- the public surface -------------------------------------------------------------------

    async def send(self, text: str) -> AsyncIterator[Event]:
        """Add a user turn to the session and run it."""
        self.session.turns.append(Turn(user=text))
        async for event in self.run_turn(len(self.session.turns) - 1):
            yield event

    async def run_all(self) -> AsyncIterator[Event]:
        """Run every turn of the session from the start (what `run`, `replay` and pytest do)."""
        self.reset()
        for index in range(len(self.session.turns)):
            finished = False
            async for event in self.run_turn(index):
                finished = finished or isinstance(event, TurnFinished)
                yield event
            if not finished:
                return

    async def run_turn(self, index: int) -> AsyncIterator[Event]:
        """Run the session's saved turn `index` after the conversation so far."""
        self.turn_starts.append(len(self.messages))
        self.messages.append({"role": "user", "content": self.session.turns[index].user})
        self._turn_steps = 0
        async for event in self._loop(index):
            yield event

    async def resume(self) -> AsyncIterator[Event]:
        """Retry after an error: continue the last turn from where it stopped."""
        if not self.turn_starts:
            return
        async for event in self._loop(len(self.turn_starts) - 1):
            yield event

    def submit_results(self, results: dict[str, str]) -> None:
        """Answer the pending calls in manual mode (call id -> content); kept in the session."""
        if self._pending is None or self._pending.done():
            raise RuntimeError("no tool calls are waiting for results")
        self._pending.set_result(dict(results))

    @property
    def waiting_for_results(self) -> bool:
        return self._pending is not None and not self._pending.done()

    def reset(self) -> None:
        """Forget the conversation (not the session's turns)."""
        self.messages.clear()
        self.turn_starts.clear()
        self.usage = Usage()
        self.steps = 0
        self.mocks.reset()

    def truncate(self, turn_index: int) -> None:
        """Drop turn `turn_index` and everything after it, in the conversation and the session;
        `steps` then counts the steps left (each step left exactly one assistant message)."""
        if turn_index < len(self.turn_starts):
            del self.messages[self.turn_starts[turn_index]:]
            del self.turn_starts[turn_index:]
        del self.session.turns[turn_index:]
        self.steps = sum(message["role"] == "assistant" for message in self.messages)

    def transcript(self) -> Transcript:
        return Transcript(self.session.name, self.session.model, shown_provider(self.session.provider), self.steps,
                          [dict(m) for m in self._api_messages()], Usage(**self.usage.to_dict()))

    def request(self) -> dict[str, Any]:
        """The chat-completions request the next step sends."""
        session = self.session
        request: dict[str, Any] = {"model": session.model, "messages": self._api_messages()}
        if session.tools:
            request["tools"] = session.tools
            request["tool_choice"] = session.tool_choice_param()
            if session.parallel_tool_calls is not None and self._sends_parallel():
                request["parallel_tool_calls"] = session.parallel_tool_calls
        for key in ("temperature", "seed", "max_tokens"):
            if getattr(session, key) is not None:
                request[key] = getattr(session, key)
        if session.stream:
            request["stream"] = True
            request["stream_options"] = {"include_usage": True}
        return request

    async def aclose(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            await client.close()

    # -- the loop -----------------------------------------------------------------------------

    def _api_messages(self) -> list[dict[str, Any]]:
        system = [{"role": "system", "content": self.session.system}] if self.session.system else []
        return system + self.messages

    def _sends_parallel(self) -> bool:
        try:
            return resolve_profile(self.session.provider, self.session.base_dir).send_parallel_tool_calls
        except Exception:
            return True

    async def _loop(self, turn_index: int) -> AsyncIterator[Event]:
        turn = self.session.turns[turn_index]
        while True:
            if self._turn_steps >= self.session.max_steps:
                steps = self.session.max_steps
                yield ErrorEvent("max_steps", f"stopped after {steps} step{'' if steps == 1 else 's'} (max_steps); "
                                 "the model still wanted tools")
                for event in self._unused_results(turn_index):
                    yield event
                yield TurnFinished(None, "max_steps", self.steps)
                return
            checkpoint = self._checkpoint()
            try:
                step = self._step()
                message, finish_reason = None, None
                async for event in step:
                    if isinstance(event, AssistantMessage):
                        message, finish_reason = event.message, event.finish_reason
                    yield event
            except StepFailed as failure:
                self._rollback(checkpoint)
                yield failure.event
                return
            except (asyncio.CancelledError, GeneratorExit):  # cancelled, or the caller stopped listening
                self._rollback(checkpoint)
                raise
            assert message is not None
            calls = message.get("tool_calls") or []
            if not calls:
                self.messages.append(message)
                for event in self._unused_results(turn_index):
                    yield event
                yield TurnFinished(message.get("content"), finish_reason or "stop", self.steps)
                return
            if finish_reason not in (None, "tool_calls", "function_call"):
                yield Fault("stop_with_tool_calls",
                            f"finish_reason is {finish_reason!r} but the message has tool calls; answering them")
            self.messages.append(message)
            try:
                async for event in self._answer(calls, turn):
                    yield event
            except (asyncio.CancelledError, GeneratorExit):  # cancelled, or the caller stopped listening
                self._rollback(checkpoint)
                raise

    def _unused_results(self, turn_index: int) -> list[UnusedResults]:
        answered = {m["tool_call_id"] for m in self.messages[self.turn_starts[-1]:] if m["role"] == "tool"}
        unused = tuple(call_id for call_id in self.session.turns[turn_index].results if call_id not in answered)
        return [UnusedResults(turn_index, unused)] if unused else []

    def _checkpoint(self) -> tuple[int, int, int, Usage, dict[str, int]]:
        """What a step changes, to put back when it fails or is cancelled (so a retry is the same step)."""
        return len(self.messages), self.steps, self._turn_steps, Usage(**self.usage.to_dict()), self.mocks.positions()

    def _rollback(self, checkpoint: tuple[int, int, int, Usage, dict[str, int]]) -> None:
        messages, self.steps, self._turn_steps, self.usage, positions = checkpoint
        del self.messages[messages:]
        self.mocks.restore(positions)

    async def _step(self) -> AsyncIterator[Event]:
        self.steps += 1
        self._turn_steps += 1
        request = self.request()
        yield StepStarted(self.steps, request)
        client = self._get_client()
        started = time.perf_counter()
        first_token: float | None = None
        try:
            if request.get("stream"):
                assembler = StreamAssembler()
                stream = await create_completion(client, request)
                try:
                    async for chunk in stream:
                        text, fragments = assembler.feed(chunk.to_dict())
                        if (text or fragments) and first_token is None:
                            first_token = time.perf_counter() - started
                        if text:
                            yield TextDelta(text)
                        for fragment in fragments:
                            yield ToolCallDelta(fragment.index, fragment.call_id, fragment.name, fragment.arguments)
                finally:
                    await stream.close()
                message, finish_reason = assembler.message(), assembler.finish_reason
                usage, model = assembler.usage, assembler.model
                if assembler.missing_index:
                    yield Fault("missing_index", "the stream's tool-call deltas have no 'index'; "
                                "calls were told apart by their ids")
                empty = assembler.chunks == 0
            else:
                response = (await create_completion(client, request)).to_dict()
                message, finish_reason = message_from_response(response)
                empty = not response.get("choices")
                first_token = time.perf_counter() - started
                usage, model = response.get("usage"), response.get("model")
        except Exception as error:
            raise StepFailed(describe_error(error, client.base_url)) from None
        if empty:
            raise StepFailed(ErrorEvent("protocol", "the model's response was empty: no chunks, no choices"))
        message = for_history(message)
        _fill_missing_ids(message, self.steps)
        yield AssistantMessage(message, finish_reason, time.perf_counter() - started, first_token, model)
        if usage:
            step_usage = Usage.from_api(usage)
            self.usage.add(step_usage)
            yield UsageReported(step_usage, self.steps)

    async def _answer(self, calls: list[dict[str, Any]], turn: Turn) -> AsyncIterator[Event]:
        pending = []
        for call in calls:
            pending_call, faults = await self._propose(call, turn)
            for fault in faults:
                yield fault
            pending.append(pending_call)
        manual = self.mode == "manual"
        if manual:
            self._pending = asyncio.get_running_loop().create_future()
        yield ToolCallsRequested(tuple(pending), manual)
        outputs = {p.call_id: p.proposed for p in pending}
        if manual:
            assert self._pending is not None
            try:
                submitted = await self._pending
            finally:
                self._pending = None
            for call_id, content in submitted.items():
                if call_id in outputs:
                    outputs[call_id] = ToolOutput(content, "hand")
                    turn.results[call_id] = content
        for p in pending:
            output = outputs[p.call_id]
            self.messages.append({"role": "tool", "tool_call_id": p.call_id, "content": output.content})
            yield ToolResult(p.call_id, p.name, output)

    async def _propose(self, call: dict[str, Any], turn: Turn) -> tuple[PendingCall, list[Fault]]:
        call_id = call["id"]
        name = call["function"]["name"]
        raw = call["function"]["arguments"]
        faults: list[Fault] = []
        problems: list[str] = []
        parsed: Any = None
        output: ToolOutput | None = None
        tool = self.session.find_tool(name)
        try:
            parsed = json.loads(raw) if raw.strip() else {}
        except json.JSONDecodeError as error:
            problems.append(f"arguments are not JSON: {error.msg} at column {error.colno}")
            faults.append(Fault("arguments_not_json", f"{name}: {problems[-1]}", call_id))
            output = error_output(f"arguments are not valid JSON ({error.msg}); send them again as a JSON object",
                                  "fault")
        if tool is None:
            problems.append(f"unknown tool {name!r}")
            faults.append(Fault("unknown_tool", f"the model called {name!r}, which is not among the tools", call_id))
            output = error_output(f"there is no tool named {name!r}", "fault")
        elif output is None:
            for problem in check_arguments(tool, parsed):
                problems.append(f"{problem.path}: {problem.message}")
            if problems:
                faults.append(Fault("arguments_invalid", f"{name}: " + "; ".join(problems), call_id))
                output = error_output(f"arguments do not match the schema of {name}: " + "; ".join(problems), "fault")
        if call_id in turn.results:
            output = ToolOutput(result_text(turn.results[call_id]), "hand")
        elif output is None:
            output = await self._mock_output(name, parsed)
        return PendingCall(call_id, name, raw, parsed, tuple(problems), output), faults

    async def _mock_output(self, name: str, arguments: Any) -> ToolOutput:
        """Python mocks run in a thread: a slow one must not freeze the caller's event loop (the
        TUI), and cancelling the step stops waiting for it."""
        if self.mocks.runs_code(name):
            return await asyncio.to_thread(self.mocks.resolve, name, arguments)
        return self.mocks.resolve(name, arguments)

    def _get_client(self) -> "openai.AsyncOpenAI":
        if self._client is None:
            if self._client_factory is not None:
                self._client = self._client_factory()
            else:
                try:
                    profile = resolve_profile(self.session.provider, self.session.base_dir)
                    self._client = connect(profile)
                except ProviderError as error:
                    raise StepFailed(ErrorEvent("config", str(error))) from None
        return self._client


async def create_completion(client: "openai.AsyncOpenAI", request: dict[str, Any]) -> Any:
    """`client.chat.completions.create(**request)` without the SDK's walk of the parameters against its
    TypedDicts: for plain JSON data it changes nothing, yet costs 0.15-0.3 ms per message on every
    request (a third of a short step; nearly all of replaying a long conversation). Same wire request."""
    from openai import AsyncStream
    from openai.types.chat import ChatCompletion, ChatCompletionChunk

    return await client.post("/chat/completions", body=request, cast_to=ChatCompletion,
                             stream=bool(request.get("stream")), stream_cls=AsyncStream[ChatCompletionChunk])


def _fill_missing_ids(message: dict[str, Any], step: int) -> None:
    """Some providers stream calls without ids; the tool messages need one to point at."""
    for index, call in enumerate(message.get("tool_calls") or []):
        if not call["id"]:
            call["id"] = f"call_step{step}_{index}"


def describe_error(error: Exception, base_url: Any = None) -> ErrorEvent:
    """A failed request to `base_url` as an event with one clear message (the URL shown without keys)."""
    import openai

    message = getattr(error, "user_message", None)
    if message:  # the recording layer's replay mismatch and friends
        return ErrorEvent("replay", message, details=getattr(error, "details", {}))
    at = f" at {shown_url(base_url)}" if base_url else ""
    if isinstance(error, openai.APITimeoutError):
        return ErrorEvent("timeout", f"the request to the provider{at} timed out: {error}")
    if isinstance(error, openai.APIConnectionError):
        cause = error.__cause__ or error
        return ErrorEvent("network", f"cannot reach the provider{at}: {cause} — is the server running?")
    if isinstance(error, openai.APIStatusError):
        body = error.body if isinstance(error.body, dict) else {}
        detail = (body.get("error") or body).get("message") if isinstance(body.get("error") or body, dict) else None
        return ErrorEvent("http", f"HTTP {error.status_code}: {detail or error.message}", status=error.status_code)
    if isinstance(error, ProviderError):
        return ErrorEvent("config", str(error))
    return ErrorEvent("internal", f"{type(error).__name__}: {error}")


def first_request(session: Session) -> dict[str, Any]:
    """The request the session's first turn sends (for exports)."""
    engine = Engine(session)
    if session.turns:
        engine.messages.append({"role": "user", "content": session.turns[0].user})
    return engine.request()


async def run_session(session: Session, *, client_factory: ClientFactory | None = None,
                      on_event: Callable[[Event], None] | None = None) -> tuple[Transcript, list[Event]]:
    """Run every turn in auto mode; returns the transcript and the events (the headless path)."""
    engine = Engine(session, client_factory=client_factory, mode="auto")
    events: list[Event] = []
    try:
        async for event in engine.run_all():
            events.append(event)
            if on_event is not None:
                on_event(event)
    finally:
        await engine.aclose()
    return engine.transcript(), events
