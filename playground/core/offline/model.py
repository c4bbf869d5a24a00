"""The offline model's logic: a CreateChatCompletionRequest dict in, a chat.completion (or its chunks) out.

Deterministic: no clock and no randomness; ids come from a hash of the request.
"""

from __future__ import annotations

import copy
import datetime as _dt
import hashlib
import json
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

__all__ = [
    "CREATED", "DEFAULT_MODEL", "MODEL_PREFIX", "OfflineError", "complete", "fill_arguments",
    "model_name", "stream",
]

MODEL_PREFIX = "offline"
DEFAULT_MODEL = "offline-1"
CREATED = 1_700_000_000
SYSTEM_FINGERPRINT = "fp_offline"
THRESHOLD = 1.0  # a tool is relevant to a clause from this score on (one description word)
_NAME_RE = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


class OfflineError(Exception):
    """A request the offline model refuses, as OpenAI would (HTTP status + error body)."""

    def __init__(self, message: str, *, param: str | None = None, code: str | None = None,
                 status: int = 400, type: str = "invalid_request_error") -> None:
        super().__init__(message)
        self.message, self.param, self.code, self.status, self.type = message, param, code, status, type

    def body(self) -> dict:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}


# --------------------------------------------------------------------------------------------
# public API


def complete(request: dict) -> dict:
    """A full chat.completion object answering a CreateChatCompletionRequest."""
    turn = _Turn.from_request(request)
    answer = turn.answer()
    message: dict[str, Any] = {"role": "assistant", "content": answer.content, "refusal": None}
    if answer.tool_calls:
        message["tool_calls"] = answer.tool_calls
    else:
        message["annotations"] = []
    choice = {"index": 0, "message": message, "logprobs": None, "finish_reason": answer.finish_reason}
    return {**turn.envelope("chat.completion"), "choices": [choice], "usage": turn.usage(answer)}


def stream(request: dict) -> list[dict]:
    """The chat.completion.chunk objects of the same answer (SSE framing is the server's job)."""
    turn = _Turn.from_request(request)
    answer = turn.answer()
    base = turn.envelope("chat.completion.chunk")
    if turn.include_usage:
        base["usage"] = None
    deltas = list(_deltas(answer))
    chunks = [_chunk(base, delta, None) for delta in deltas]
    chunks.append(_chunk(base, {}, answer.finish_reason))
    if turn.include_usage:
        chunks.append({**base, "choices": [], "usage": turn.usage(answer)})
    return chunks


def model_name(requested: str) -> str:
    """The model id the offline model answers as: honest about being offline."""
    return requested if requested.startswith(MODEL_PREFIX) else f"{MODEL_PREFIX}-{requested}"


def fill_arguments(parameters: dict | None, text: str, fallback: str | None = None) -> dict:
    """Arguments for a tool's parameters schema, filled from text; they always validate."""
    return _Filler(parameters or {"type": "object", "properties": {}}, text, fallback).run()[0]


# --------------------------------------------------------------------------------------------
# the request


@dataclass(frozen=True)
class _Tool:
    """A function tool of the request; schema_key is its parameters as canonical JSON (a cache key)."""

    name: str
    description: str
    parameters: dict
    strict: bool = False
    schema_key: str = "{}"

    @property
    def schema(self) -> dict:
        return self.parameters or {"type": "object", "properties": {}}


@dataclass
class _Answer:
    content: str | None = None
    tool_calls: list[dict] = field(default_factory=list)
    finish_reason: str = "stop"


@dataclass
class _Turn:
    """One validated request and what the model makes of it."""

    request: dict
    model: str
    messages: list[dict]
    tools: list[_Tool]
    tool_choice: Any
    parallel: bool
    max_tokens: int | None
    include_usage: bool
    digest: str

    @classmethod
    def from_request(cls, request: Any) -> _Turn:
        if not isinstance(request, dict):
            raise OfflineError("The request body must be a JSON object.")
        model = _check_model(request)
        messages = _check_messages(request.get("messages", _MISSING))
        tools = _check_tools(request.get("tools"))
        tool_choice = _check_tool_choice(request.get("tool_choice"), tools)
        _check_sampling(request)
        return cls(
            request=request, model=model_name(model), messages=messages, tools=tools,
            tool_choice=tool_choice, parallel=_check_parallel(request.get("parallel_tool_calls"), tools),
            max_tokens=_check_max_tokens(request), include_usage=_check_stream_options(request),
            digest=_digest(request),
        )

    def envelope(self, obj: str) -> dict:
        return {
            "id": f"chatcmpl-{MODEL_PREFIX}-{self.digest[:12]}", "object": obj, "created": CREATED,
            "model": self.model, "service_tier": "default", "system_fingerprint": SYSTEM_FINGERPRINT,
        }

    def answer(self) -> _Answer:
        """Tool calls for a user message (under tool_choice), text otherwise.

        After tool results the answer is always text, whatever tool_choice says: with a forced or
        required choice the model would otherwise call tools again forever (OpenAI's models do the
        same unless the caller relaxes tool_choice).
        """
        last = self.messages[-1]
        if last.get("role") == "tool":
            follow_up = self._next_sequential_call()
            if follow_up is not None:
                return _Answer(None, self._tool_calls([follow_up]), "tool_calls")
            return self._text(_results_text(self.messages))
        if last.get("role") != "user":
            return self._text(f"I'm the offline model. The conversation ends with a {last.get('role')} message, "
                              "so there is nothing new to answer: send a user message to continue.")
        text = _last_user_text(self.messages)
        if self.tools and self.tool_choice != "none":
            calls = _choose_calls(self.tools, text, self.tool_choice, self.parallel)
            if calls:
                return _Answer(None, self._tool_calls(calls), "tool_calls")
        return self._text(self._plain_text(text))

    def _next_sequential_call(self) -> tuple[_Tool, dict] | None:
        """With parallel_tool_calls off, after tool results: the next clause's call not made yet, if any.

        The user message's clauses are planned as under parallel calls (in order, above the threshold,
        tool_choice auto or required only); each step makes the first planned call that the assistant
        messages since that user message have not made. It cannot loop: a planned call counts as made
        when a call with the same name and arguments was made (or, failing that, any not yet matched
        call of the same tool, e.g. one whose arguments were edited), and once as many calls were made
        as were planned the answer is text.
        """
        if self.parallel or not self.tools or self.tool_choice == "none":
            return None
        if isinstance(self.tool_choice, tuple) and self.tool_choice[0] == "forced":
            return None
        tools = self.tools
        if isinstance(self.tool_choice, tuple) and self.tool_choice[0] == "allowed":
            tools = [t for t in tools if t.name in set(self.tool_choice[2])]
        text = _last_user_text(self.messages)
        planned = _unique(_calls_of(_candidates([_Profile.of(t) for t in tools], text), text))
        made = _calls_since_user(self.messages)
        if len(made) >= len(planned):
            return None
        keys = [_call_key(tool.name, arguments) for tool, arguments in planned]
        answered = [False] * len(planned)
        left = []
        for name, key in made:
            index = next((i for i, k in enumerate(keys) if not answered[i] and k == key), None)
            if index is None:
                left.append(name)
            else:
                answered[index] = True
        for name in left:
            index = next((i for i, (t, _a) in enumerate(planned) if not answered[i] and t.name == name), None)
            if index is not None:
                answered[index] = True
        return next((call for call, done in zip(planned, answered) if not done), None)

    def _plain_text(self, text: str) -> str:
        response_format = self.request.get("response_format") or {}
        if response_format.get("type") == "json_schema":
            schema = (response_format.get("json_schema") or {}).get("schema") or {"type": "object"}
            return json.dumps(fill_arguments(schema, text), ensure_ascii=False)
        reply = _reply_text(text, self.tools, self.tool_choice)
        if response_format.get("type") == "json_object":
            return json.dumps({"answer": reply}, ensure_ascii=False)
        return reply

    def _text(self, content: str) -> _Answer:
        if self.max_tokens is not None and _tokens(content) > self.max_tokens:
            return _Answer(_first_words(content, self.max_tokens * 3 // 4), [], "length")
        return _Answer(content, [], "stop")

    def _tool_calls(self, calls: list[tuple[_Tool, dict]]) -> list[dict]:
        return [
            {"id": self._call_id(index), "type": "function",
             "function": {"name": tool.name, "arguments": json.dumps(arguments, ensure_ascii=False)}}
            for index, (tool, arguments) in enumerate(calls)
        ]

    def _call_id(self, index: int) -> str:
        return "call_" + hashlib.sha256(f"{self.digest}:{index}".encode()).hexdigest()[:16]

    def usage(self, answer: _Answer) -> dict:
        prompt = _prompt_tokens(self.messages, self.tools)
        completion = _tokens(answer.content or "") + sum(
            _tokens(call["function"]["name"] + " " + call["function"]["arguments"]) for call in answer.tool_calls
        )
        return {
            "prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": 0, "audio_tokens": 0,
                "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0,
            },
        }


_MISSING = object()
_ROLES = {"system", "developer", "user", "assistant", "tool", "function"}


def _digest(request: dict) -> str:
    """The same conversation hashes the same, streamed or not."""
    key = {k: v for k, v in request.items() if k not in ("stream", "stream_options")}
    return hashlib.sha256(json.dumps(key, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _check_model(request: dict) -> str:
    model = request.get("model")
    if model is None or model == "":
        raise OfflineError("you must provide a model parameter", param="model", code="missing_required_parameter")
    if not isinstance(model, str):
        raise OfflineError("Invalid type for 'model': expected a string.", param="model", code="invalid_type")
    return model


def _check_messages(messages: Any) -> list[dict]:
    if messages is _MISSING:
        raise OfflineError("Missing required parameter: 'messages'.", param="messages",
                           code="missing_required_parameter")
    if not isinstance(messages, list) or not messages:
        raise OfflineError("Invalid 'messages': expected a non-empty array of messages.", param="messages",
                           code="invalid_value")
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in _ROLES:
            raise OfflineError(f"Invalid 'messages[{index}]': each message needs a role among "
                               f"{sorted(_ROLES)}.", param=f"messages[{index}]", code="invalid_value")
    _check_tool_sequence(messages)
    return messages


def _check_tool_sequence(messages: list[dict]) -> None:
    """OpenAI's rule: tool calls are answered by tool messages right after them, one per id."""
    pending: dict[str, int] = {}
    for index, message in enumerate(messages):
        role = message.get("role")
        if role == "tool":
            call_id = message.get("tool_call_id")
            if call_id not in pending:
                raise OfflineError(
                    f"Invalid parameter: messages with role 'tool' must be a response to a preceding message "
                    f"with 'tool_calls' (messages[{index}].tool_call_id {call_id!r} is unknown).",
                    param=f"messages.[{index}].role")
            del pending[call_id]
            continue
        if pending:
            raise _unanswered(pending)
        if role == "assistant":
            calls = message.get("tool_calls") or []
            if not isinstance(calls, list):
                raise OfflineError(f"Invalid 'messages[{index}].tool_calls': expected an array.",
                                   param=f"messages[{index}].tool_calls")
            pending = {call.get("id"): index for call in calls if isinstance(call, dict)}
    if pending:
        raise _unanswered(pending)


def _unanswered(pending: dict[str, int]) -> OfflineError:
    index = next(iter(pending.values()))
    return OfflineError(
        "An assistant message with 'tool_calls' must be followed by tool messages responding to each "
        f"'tool_call_id'. The following tool_call_ids did not have response messages: {', '.join(map(str, pending))}",
        param=f"messages.[{index}].role")


def _check_tools(tools: Any) -> list[_Tool]:
    if tools is None:
        return []
    if not isinstance(tools, list):
        raise OfflineError("Invalid 'tools': expected an array.", param="tools", code="invalid_type")
    if not tools:
        raise OfflineError("Invalid 'tools': empty array. Expected an array with minimum length 1, but got an empty "
                           "array instead.", param="tools", code="empty_array")
    return [_check_tool(tool, index) for index, tool in enumerate(tools)]


def _check_tool(tool: Any, index: int) -> _Tool:
    param = f"tools[{index}]"
    if not isinstance(tool, dict) or tool.get("type") != "function" or not isinstance(tool.get("function"), dict):
        raise OfflineError(f"Invalid '{param}': the offline model supports tools of type 'function' with a "
                           "'function' object.", param=param, code="invalid_value")
    function = tool["function"]
    name = function.get("name")
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise OfflineError(f"Invalid '{param}.function.name': string does not match pattern. Expected a string "
                           "that matches the pattern '^[a-zA-Z0-9_-]+$' (1 to 64 characters).",
                           param=f"{param}.function.name", code="invalid_value")
    parameters = function.get("parameters")
    if parameters is not None and not isinstance(parameters, dict):
        raise OfflineError(f"Invalid '{param}.function.parameters': expected an object (a JSON Schema).",
                           param=f"{param}.function.parameters", code="invalid_type")
    schema_key = json.dumps(parameters or {}, sort_keys=True)
    problem = _schema_problem(schema_key) or (_strict_problem(parameters or {}) if function.get("strict") else None)
    if problem:
        raise OfflineError(f"Invalid schema for function '{name}': {problem}",
                           param=f"{param}.function.parameters", code="invalid_function_parameters")
    description = function.get("description") or ""
    return _Tool(name, description if isinstance(description, str) else "", parameters or {},
                 bool(function.get("strict")), schema_key)


@lru_cache(maxsize=512)
def _schema_problem(schema_json: str) -> str | None:
    try:
        Draft202012Validator.check_schema(json.loads(schema_json))
    except SchemaError as exc:
        return exc.message
    return None


def _strict_problem(schema: Any, context: tuple = ()) -> str | None:
    """OpenAI's strict mode: every object closes additionalProperties and requires all its properties."""
    if isinstance(schema, list):
        return next((p for i, s in enumerate(schema) if (p := _strict_problem(s, (*context, i)))), None)
    if not isinstance(schema, dict):
        return None
    if "object" in _types(schema):
        if schema.get("additionalProperties") is not False:
            return (f"In context={context}, 'additionalProperties' is required to be supplied and to be false "
                    "(strict mode).")
        missing = [k for k in schema.get("properties") or {} if k not in (schema.get("required") or [])]
        if missing:
            return (f"In context={context}, 'required' is required to be supplied and to be an array including "
                    f"every key in properties. Missing '{missing[0]}' (strict mode).")
    for key, value in schema.items():
        if key in ("properties", "$defs", "definitions") and isinstance(value, dict):
            for name, sub in value.items():
                if problem := _strict_problem(sub, (*context, key, name)):
                    return problem
        elif key in ("items", "anyOf", "allOf", "oneOf", "prefixItems", "additionalProperties"):
            if problem := _strict_problem(value, (*context, key)):
                return problem
    return None


def _check_tool_choice(choice: Any, tools: list[_Tool]) -> Any:
    """'auto' | 'none' | 'required' | a tool name (forced) | ('allowed', mode, names)."""
    if choice is None:
        return "auto" if tools else "none"
    if not tools:
        raise OfflineError("Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are "
                           "specified.", param="tool_choice", code="invalid_value")
    names = [tool.name for tool in tools]
    if isinstance(choice, str):
        if choice not in ("auto", "none", "required"):
            raise OfflineError(f"Invalid value: '{choice}'. Supported values are: 'none', 'auto', and 'required'.",
                               param="tool_choice", code="invalid_value")
        return choice
    if isinstance(choice, dict) and choice.get("type") == "function":
        name = (choice.get("function") or {}).get("name")
        if name not in names:
            raise OfflineError(f"Invalid value for 'tool_choice': function '{name}' is not among the provided "
                               f"tools ({', '.join(names)}).", param="tool_choice", code="invalid_value")
        return ("forced", name)
    if isinstance(choice, dict) and choice.get("type") == "allowed_tools":
        allowed = choice.get("allowed_tools") or {}
        wanted = [(t.get("function") or {}).get("name") for t in allowed.get("tools") or [] if isinstance(t, dict)]
        mode = allowed.get("mode", "auto")
        if mode not in ("auto", "required") or any(name not in names for name in wanted):
            raise OfflineError("Invalid value for 'tool_choice.allowed_tools'.", param="tool_choice",
                               code="invalid_value")
        return ("allowed", mode, tuple(wanted))
    raise OfflineError("Invalid value for 'tool_choice'.", param="tool_choice", code="invalid_value")


def _check_parallel(value: Any, tools: list[_Tool]) -> bool:
    if value is None:
        return True
    if not tools:
        raise OfflineError("Invalid value for 'parallel_tool_calls': 'parallel_tool_calls' is only allowed when "
                           "'tools' are specified.", param="parallel_tool_calls", code="invalid_value")
    if not isinstance(value, bool):
        raise OfflineError("Invalid type for 'parallel_tool_calls': expected a boolean.",
                           param="parallel_tool_calls", code="invalid_type")
    return value


def _check_sampling(request: dict) -> None:
    _check_range(request, "temperature", 0, 2)
    _check_range(request, "top_p", 0, 1)
    _check_range(request, "presence_penalty", -2, 2)
    _check_range(request, "frequency_penalty", -2, 2)
    n = request.get("n")
    if n is not None and n != 1:
        raise OfflineError("The offline model supports only n=1.", param="n", code="unsupported_value")
    seed = request.get("seed")
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
        raise OfflineError("Invalid type for 'seed': expected an integer.", param="seed", code="invalid_type")


def _check_range(request: dict, key: str, low: float, high: float) -> None:
    value = request.get(key)
    if value is None:
        return
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not low <= value <= high:
        raise OfflineError(f"Invalid '{key}': expected a number between {low} and {high}, got {value!r}.",
                           param=key, code="invalid_value")


def _check_max_tokens(request: dict) -> int | None:
    limits = []
    for key in ("max_tokens", "max_completion_tokens"):
        value = request.get(key)
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise OfflineError(f"Invalid '{key}': expected an integer of at least 1, got {value!r}.",
                               param=key, code="invalid_value")
        limits.append(value)
    return min(limits) if limits else None


def _check_stream_options(request: dict) -> bool:
    options = request.get("stream_options")
    if options is None:
        return False
    if not request.get("stream"):
        raise OfflineError("The 'stream_options' parameter is only allowed when 'stream' is enabled.",
                           param="stream_options", code="invalid_value")
    return bool(isinstance(options, dict) and options.get("include_usage"))


# --------------------------------------------------------------------------------------------
# streaming


def _chunk(base: dict, delta: dict, finish_reason: str | None) -> dict:
    return {**base, "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}]}


def _deltas(answer: _Answer) -> Iterator[dict]:
    if answer.tool_calls:
        yield {"role": "assistant", "content": None, "refusal": None}
        for index, call in enumerate(answer.tool_calls):
            function = call["function"]
            yield {"tool_calls": [{"index": index, "id": call["id"], "type": "function",
                                   "function": {"name": function["name"], "arguments": ""}}]}
            for piece in _pieces(function["arguments"], 4):
                yield {"tool_calls": [{"index": index, "function": {"arguments": piece}}]}
        return
    yield {"role": "assistant", "content": "", "refusal": None}
    for piece in _word_groups(answer.content or "", 3):
        yield {"content": piece}


def _pieces(text: str, count: int) -> list[str]:
    size = max(1, math.ceil(len(text) / count))
    return [text[i:i + size] for i in range(0, len(text), size)]


def _word_groups(text: str, per_group: int) -> list[str]:
    words = re.findall(r"\S+\s*", text)
    if not words:
        return [text] if text else []
    words[0] = text[: len(text) - len(text.lstrip())] + words[0]
    return ["".join(words[i:i + per_group]) for i in range(0, len(words), per_group)]


# --------------------------------------------------------------------------------------------
# token estimates


def _tokens(text: str) -> int:
    return (4 * len(text.split()) + 2) // 3


def _first_words(text: str, count: int) -> str:
    match = re.match(r"\s*(?:\S+\s*){0,%d}" % count, text)
    return match.group().rstrip() if match else ""


def _prompt_tokens(messages: list[dict], tools: list[_Tool]) -> int:
    total = 3
    for message in messages:
        total += 4 + _tokens(_content_text(message.get("content")))
        for call in message.get("tool_calls") or []:
            function = call.get("function") or {} if isinstance(call, dict) else {}
            total += _tokens(f"{function.get('name', '')} {function.get('arguments', '')}")
    for tool in tools:
        total += 8 + _tokens(f"{tool.name} {tool.description} {json.dumps(tool.parameters)}")
    return total


# --------------------------------------------------------------------------------------------
# words


_STOP = frozenset("""
a an the and or but if then else of to in on at by for with about from into onto over under is are was were be been
being am do does did doing done have has had i me my mine we us our you your he him his she her it its they them their
this that these those what which who whom whose when where why how can could would should will shall may might must
please also like today tonight tomorrow now just some any all get gets give tell show want wants need needs know let
make there here as so than too very not no yes up out s t im ive id whats its given eg e g ie etc using use used based
specific specified provide provided particular certain current one ones thing things something anything lot much many
more most less few each every other another such only own same able via per well really maybe kind sort way return
returns default defaults optional required value values parameter parameters string list type data info information
""".split())
_TOKEN = re.compile(r"[^\W\d_][\w'’]*|\$?\d[\d,]*(?:\.\d+)?%?")  # words may start with any letter (Ürümqi)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


@lru_cache(maxsize=8192)
def _stem(word: str) -> str:
    """Lower-cased, without plural s/es, -ing, -ed or 's; a few synonyms folded together."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    w = _strip_suffix(w.replace("'", ""))
    return _SYNONYMS.get(w, w)


def _strip_suffix(w: str) -> str:
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    for suffix, minimum in (("ing", 6), ("ed", 5)):
        if len(w) >= minimum and w.endswith(suffix):
            w = w[: -len(suffix)]
            return w[:-1] if len(w) > 2 and w[-1] == w[-2] and w[-1] not in "lsz" else w
    if len(w) > 4 and w.endswith(("ses", "xes", "zes", "ches", "shes")):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


_SYNONYMS = {
    "find": "search", "look": "search", "lookup": "search", "seek": "search", "browse": "search", "locate": "search",
    "query": "search", "fetch": "get", "retrieve": "get", "obtain": "get", "dollar": "price", "usd": "price",
    "cost": "price", "cheap": "price", "expensive": "price", "forecast": "weather", "purchase": "buy",
    "fly": "flight", "airfare": "flight", "stay": "hotel", "lodging": "hotel",
}

# Weaker synonyms: words that point to a topic without naming it ("Is it raining?" is about the weather).
# They count towards the topic word only as much as one description word (RELATED_WEIGHT), and only on
# the user's side, so a tool that names the word itself ("set_temperature", "rain jackets" in a
# catalog search) still wins over the topic's tool.
RELATED_WEIGHT = 1.0
_RELATED_WORDS = {
    "weather": """rain raining rainy rained snow snowing snowy sunny sunshine cloudy clouds windy wind storm stormy
                  thunderstorm temperature temperatures hot cold warm chilly freezing humid humidity drizzle foggy
                  fog hail""",
}
_RELATED = {_strip_suffix(word): topic for topic, words in _RELATED_WORDS.items() for word in words.split()}



@lru_cache(maxsize=8192)
def _is_stop(word: str) -> bool:
    lower = word.lower().replace("’", "'")
    return lower in _STOP or lower.replace("'", "") in _STOP or _stem(lower) in _STOP


def _stems(text: str) -> list[str]:
    return [_stem(w) for w in _TOKEN.findall(text) if w[0].isalpha() and not _is_stop(w)]


def _name_words(name: str) -> list[str]:
    spaced = _CAMEL.sub(" ", name)
    return [_stem(w) for w in re.split(r"[\s_\-.]+", spaced) if w and not _is_stop(w)]


# --------------------------------------------------------------------------------------------
# choosing tools


@dataclass
class _Profile:
    tool: _Tool
    weights: dict[str, float]

    @classmethod
    def of(cls, tool: _Tool) -> _Profile:
        return cls(tool, _weights(tool.name, tool.description, tool.schema_key))

    def score(self, stems: Iterable[str]) -> float:
        contributions: dict[str, float] = {}
        for word in set(stems):
            contributions[word] = max(contributions.get(word, 0.0), self.weights.get(word, 0.0))
            topic = _RELATED.get(word)
            if topic is not None:
                related = min(self.weights.get(topic, 0.0), RELATED_WEIGHT)
                contributions[topic] = max(contributions.get(topic, 0.0), related)
        return sum(contributions.values())


@lru_cache(maxsize=2048)
def _weights(name: str, description: str, schema_key: str) -> dict[str, float]:
    """Name words weigh most, then description words, parameter names and enum values, then their descriptions."""
    weights: dict[str, float] = {}

    def add(words: Iterable[str], weight: float) -> None:
        for word in words:
            if weights.get(word, 0) < weight:
                weights[word] = weight

    properties = json.loads(schema_key).get("properties")
    for parameter, sub in (properties.items() if isinstance(properties, dict) else ()):
        add(_name_words(parameter), 1.0)
        if isinstance(sub, dict):
            add(_stems(str(sub.get("description") or "")), 0.5)
            add((_stem(str(v)) for v in sub.get("enum") or [] if isinstance(v, str)), 1.0)
    add(_stems(description), 1.0)
    add(_name_words(name), 3.0)
    return weights


@dataclass
class _Candidate:
    clause: str
    tool: _Tool
    score: float


def _choose_calls(tools: list[_Tool], text: str, choice: Any, parallel: bool) -> list[tuple[_Tool, dict]]:
    """The calls for a user message under tool_choice (never called with 'none')."""
    mode = choice
    if isinstance(choice, tuple) and choice[0] == "forced":
        tool = next(t for t in tools if t.name == choice[1])
        return [(tool, _fill(tool, _best_clause(tool, text), text)[0])]
    if isinstance(choice, tuple) and choice[0] == "allowed":
        mode, names = choice[1], set(choice[2])
        tools = [t for t in tools if t.name in names]
    profiles = [_Profile.of(tool) for tool in tools]
    calls = _unique(_calls_of(_candidates(profiles, text), text))
    if not parallel:
        calls = calls[:1]  # the first clause's call; the others follow one per step (see _next_sequential_call)
    if not calls and mode == "required" and profiles:
        best = max(profiles, key=lambda p: p.score(_stems(text)))
        calls = [(best.tool, _fill(best.tool, text, text)[0])]
    return calls


def _best_clause(tool: _Tool, text: str) -> str:
    profile = _Profile.of(tool)
    scored = [(profile.score(_stems(clause)), -i, clause) for i, clause in enumerate(_clauses(text))]
    best = max(scored, default=(0.0, 0, text))
    return best[2] if best[0] > 0 else text


def _candidates(profiles: list[_Profile], text: str) -> list[_Candidate]:
    found: list[_Candidate] = []
    for clause in _clauses(text):
        found += _clause_candidates(profiles, clause)
    return found


def _clause_candidates(profiles: list[_Profile], clause: str) -> list[_Candidate]:
    """One candidate per clause, or one per 'and'-part when the parts ask for separate calls."""
    whole = _best(profiles, clause)
    parts = [p.strip(" ,") for p in re.split(r",?\s+and\s+", clause) if p.strip(" ,")]
    if len(parts) >= 2:
        split: list[_Candidate] = []
        for part in parts:
            candidate = _best(profiles, part)
            if candidate.score < THRESHOLD and split and _says_something(split[-1].tool, part):
                candidate = _Candidate(part, split[-1].tool, split[-1].score)
            if candidate.score >= THRESHOLD:
                split.append(candidate)
        if len(split) >= 2:
            return split
    return [whole] if whole.score >= THRESHOLD else []


def _best(profiles: list[_Profile], clause: str) -> _Candidate:
    stems = _stems(clause)
    best = max(profiles, key=lambda p: p.score(stems))  # max keeps the first on ties
    return _Candidate(clause, best.tool, best.score(stems))


_CLAUSE_SPLIT = re.compile(
    r"(?<=[.?!])\s+|\s*;\s*|\n+|,?\s*\b(?:and then|and also|then|also|additionally|afterwards|plus|as well)\b[,:]?\s*",
    re.IGNORECASE,
)


def _clauses(text: str) -> list[str]:
    clauses = [c.strip(" ,") for c in _CLAUSE_SPLIT.split(text)]
    clauses = [c for c in clauses if re.search(r"\w", c)]
    return clauses or [text]


def _calls_of(candidates: list[_Candidate], text: str) -> list[tuple[_Tool, dict]]:
    return [(c.tool, _fill(c.tool, c.clause, text)[0]) for c in candidates]


def _call_key(name: str, arguments: Any) -> str:
    return name + json.dumps(arguments, sort_keys=True, ensure_ascii=False)


def _calls_since_user(messages: list[dict]) -> list[tuple[str, str]]:
    """(name, key) of every tool call the assistant made after the last user message."""
    made = []
    for message in reversed(messages):
        if message.get("role") == "user":
            break
        if message.get("role") != "assistant":
            continue
        for call in reversed(message.get("tool_calls") or []):
            function = call.get("function") if isinstance(call, dict) else None
            if not isinstance(function, dict):
                continue
            name = str(function.get("name") or "")
            try:
                arguments = json.loads(function.get("arguments") or "{}")
            except (TypeError, ValueError):
                arguments = function.get("arguments")
            made.append((name, _call_key(name, arguments)))
    made.reverse()
    return made


def _unique(calls: list[tuple[_Tool, dict]]) -> list[tuple[_Tool, dict]]:
    seen: set[str] = set()
    unique = []
    for tool, arguments in calls:
        key = _call_key(tool.name, arguments)
        if key not in seen:
            seen.add(key)
            unique.append((tool, arguments))
    return unique


def _fill(tool: _Tool, clause: str, text: str | None) -> tuple[dict, dict[str, str]]:
    """The arguments and, per filled path, the extraction pass that found its value."""
    key = tool.schema_key if tool.parameters else None
    return _Filler(tool.schema, clause, text if text != clause else None, tool.name, key).run()


_STRONG_PASSES = {"by_enum", "by_bound", "by_adjacent_number", "by_quote", "by_format", "by_label", "by_place",
                  "by_name"}


def _says_something(tool: _Tool, clause: str) -> bool:
    """Whether a clause names a concrete value for the tool (a place, a quote, a number with its unit...)."""
    return any(source in _STRONG_PASSES for source in _fill(tool, clause, None)[1].values())


# --------------------------------------------------------------------------------------------
# text answers


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            str(part.get("text", "")) for part in content
            if isinstance(part, dict) and part.get("type") in ("text", None) and "text" in part
        )
    return ""


def _last_user_text(messages: list[dict]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user":
            return _content_text(message.get("content")).strip()
    return ""


def _quote(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _reply_text(text: str, tools: list[_Tool], choice: Any) -> str:
    intro = "I'm the offline model: deterministic, with no real knowledge, so I answer through tools."
    if not text:
        return f"Hello! {intro} Send me a message to get started."
    if not tools:
        return (f"{intro} You said: \u201c{_quote(text)}\u201d. There are no tools in this request, "
                "so there is nothing I can look up.")
    listing = _tool_listing(tools)
    if choice == "none":
        best = _best([_Profile.of(t) for t in tools], text)
        hint = f" The {best.tool.name} tool would fit this request." if best.score >= THRESHOLD else ""
        return (f"You said: \u201c{_quote(text)}\u201d. Tool calls are turned off for this request "
                f"(tool_choice is \"none\"), so I answer in text only.{hint} My tools: {listing}.")
    return (f"Sorry, none of my tools fits \u201c{_quote(text)}\u201d. I can help with: {listing}. "
            "Ask me something one of them can do.")


def _tool_listing(tools: list[_Tool]) -> str:
    items = [f"{t.name} ({_quote(t.description, 80).rstrip('.')})" if t.description else t.name for t in tools[:8]]
    if len(tools) > 8:
        items.append(f"and {len(tools) - 8} more")
    return "; ".join(items)


def _results_text(messages: list[dict]) -> str:
    """A text answer that reports the results of the tool messages since the last user message.

    With parallel calls these are the tool messages at the end; with one call per step, the results of
    every step.
    """
    start = len(messages)
    while start > 0 and messages[start - 1].get("role") != "user":
        start -= 1
    calls: dict[Any, dict] = {}
    results = []
    for message in messages[start:]:
        if message.get("role") == "assistant":
            for call in message.get("tool_calls") or []:
                if isinstance(call, dict):
                    calls[call.get("id")] = call.get("function") or {}
        elif message.get("role") == "tool":
            results.append(_result_line(calls.get(message.get("tool_call_id"), {}), message))
    lines = "\n".join(f"- {line}" for line, _failed in results)
    if all(failed for _line, failed in results):
        return f"I couldn't get what you asked for:\n{lines}"
    return f"Here is what I found:\n{lines}"


def _result_line(function: dict, message: dict) -> tuple[str, bool]:
    """One line per tool result, and whether it reports a failure."""
    name = function.get("name") or message.get("name") or "the tool"
    called = f"{name}({_short_arguments(function.get('arguments'))})"
    result = _parse_result(_content_text(message.get("content")))
    error = _error_of(result)
    if error is not None:
        return f"{called} failed: {error}", True
    return f"{called}: {_summary(result)}", False


def _short_arguments(arguments: Any) -> str:
    try:
        parsed = json.loads(arguments) if isinstance(arguments, str) else {}
    except ValueError:
        return ""
    if not isinstance(parsed, dict):
        return ""
    return ", ".join(f"{k}={_scalar(v)}" for k, v in list(parsed.items())[:4])


def _parse_result(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text.strip()


def _error_of(result: Any) -> str | None:
    if not isinstance(result, dict) or "error" not in result or result.get("error") in (None, False, ""):
        return None
    error = result["error"]
    if isinstance(error, dict):
        error = error.get("message") or error.get("detail") or json.dumps(error, ensure_ascii=False)
    return _quote(str(error), 200)


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return _quote(value, 60)
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return f"{len(value)} item{'s' if len(value) != 1 else ''}"
    return "{…}"


_LABEL_KEYS = ("name", "title", "label", "display_name", "full_name", "headline", "summary", "id", "key")


def _summary(result: Any, depth: int = 0) -> str:
    if isinstance(result, dict):
        return _dict_summary(result, depth)
    if isinstance(result, list):
        return _list_summary(result)
    if isinstance(result, str):
        return _quote(result, 240) if result else "an empty result"
    return _scalar(result)


def _dict_summary(result: dict, depth: int) -> str:
    if not result:
        return "an empty result"
    facts = []
    for key, value in list(result.items())[:8]:
        label = str(key).replace("_", " ")
        if isinstance(value, list):
            facts.append(f"{label}: {_list_summary(value)}")
        elif isinstance(value, dict):
            facts.append(f"{label}: ({_dict_summary(value, depth + 1)})" if depth < 1 else f"{label}: {{…}}")
        else:
            facts.append(f"{label}: {_scalar(value)}")
    if len(result) > 8:
        facts.append(f"and {len(result) - 8} more fields")
    return ", ".join(facts)


def _list_summary(items: list) -> str:
    if not items:
        return "no results"
    shown = ", ".join(_item_label(item) for item in items[:3])
    more = f", and {len(items) - 3} more" if len(items) > 3 else ""
    return f"{len(items)} result{'s' if len(items) != 1 else ''}: {shown}{more}"


def _item_label(item: Any) -> str:
    if not isinstance(item, dict):
        return _scalar(item)
    label_key = next((k for k in _LABEL_KEYS if isinstance(item.get(k), (str, int))), None)
    if label_key is None:
        label_key = next((k for k, v in item.items() if isinstance(v, str)), None)
    if label_key is None:
        return _dict_summary(item, 1)
    extra = next(((k, v) for k, v in item.items()
                  if k != label_key and isinstance(v, (int, float)) and not isinstance(v, bool)), None)
    detail = f" ({str(extra[0]).replace('_', ' ')}: {extra[1]})" if extra else ""
    return f"{_scalar(item[label_key])}{detail}"


# --------------------------------------------------------------------------------------------
# filling arguments from text


_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december"]
_WEEKDAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
_NOT_PLACES = _WEEKDAYS | set(_MONTHS) | {"i", "celsius", "fahrenheit"}
_NUMBER_WORDS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                 "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "hundred": 100}
_PLACE_WORDS = {"city", "location", "place", "town", "country", "destination", "origin", "region", "address", "area",
                "state", "venue", "airport", "departure", "arrival", "locality", "neighborhood", "neighbourhood",
                "county", "province", "continent", "station", "port", "capital", "village", "where", "from", "to",
                "near", "dest", "src", "loc"}
_NOT_PLACE_PARAMS = {"date", "time", "day", "id", "number", "count", "price", "name", "type", "format", "code"}
_ORIGIN_WORDS = {"origin", "from", "source", "src", "departure", "depart", "start", "pickup", "leave", "leaving"}
_DESTINATION_WORDS = {"destination", "dest", "to", "target", "arrival", "arrive", "dropoff", "into"}
_QUERY_WORDS = {"query", "q", "search", "keyword", "term", "text", "prompt", "topic", "question", "phrase",
                "message", "content", "input", "sentence", "subject", "request", "instruction", "statement", "msg",
                "body", "comment", "note", "search_query", "searchterm", "keywords", "terms"}
_VERBS = {"search", "find", "look", "lookup", "show", "get", "fetch", "retrieve", "tell", "give", "list", "translate",
          "summarize", "summarise", "write", "send", "say", "ask", "explain", "describe", "check", "recommend",
          "suggest", "play", "buy", "order", "query", "calculate", "compute", "generate", "create", "analyze",
          "analyse", "post", "tweet", "email", "text", "browse", "google", "research", "book", "reserve"}
_QUERY_FILLERS = {"for", "about", "up", "me", "us", "the", "a", "an", "some", "any", "on", "of", "to", "please",
                  "information", "info", "details", "regarding", "saying", "that", "with", "called", "named"}
_MAX_WORDS = {"max", "maximum", "upper", "highest", "most", "budget", "ceiling", "cap"}
_MIN_WORDS = {"min", "minimum", "lower", "lowest", "least", "floor"}
_MAX_CUE = re.compile(r"\b(?:under|below|less than|cheaper than|lower than|at most|no more than|not more than|"
                      r"up to|max(?:imum)?(?: of)?|within|no higher than|not exceeding|budget of)\s*$|<=?\s*$",
                      re.IGNORECASE)
_MIN_CUE = re.compile(r"\b(?:over|above|more than|greater than|higher than|at least|min(?:imum)?(?: of)?|"
                      r"no less than|starting at)\s*$|>=?\s*$", re.IGNORECASE)
_NEGATIONS = {"no", "not", "without", "don't", "dont", "never", "exclude", "excluding", "disable", "skip", "false",
              "off", "nor", "neither", "w/o", "doesn't", "isn't"}
_NO = {"no", "false", "off", "disable", "disabled", "without"}
_BOOL_GENERIC = {"is", "has", "include", "enable", "use", "with", "show", "allow", "should", "flag", "only", "do",
                 "can", "want", "need", "get", "return", "add"}
_QUOTED = re.compile(r"\"([^\"\n]+)\"|\u201c([^\u201d\n]+)\u201d|\u2018([^\u2019\n]+)\u2019|(?<!\w)'([^'\n]+)'(?!\w)")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:?\d{2})?)?\b")
_TEXT_DATE = re.compile(
    r"\b(?:(?P<m1>jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(?P<d1>\d{1,2})(?:st|nd|rd|th)?,?"
    r"\s+(?P<y1>\d{4})|(?P<d2>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>jan|feb|mar|apr|may|jun|jul|aug|sep|sept|"
    r"oct|nov|dec)[a-z]*\.?,?\s+(?P<y2>\d{4}))\b", re.IGNORECASE)
_TIME = re.compile(r"\b(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap]\.?m\.?)?(?!\w)", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"\bhttps?://[^\s\"'<>]+", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w.^/])([-\u2212]?)\$?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(%|k\b)?(?![\w/])")
_EXAMPLE = re.compile(
    r"(?:e\.g\.,?|for example,?|such as|for instance,?)\s+['\"]?([^'\",;)]+?)['\"]?(?:[,;)]|\.(?:\s|$)|$)",
    re.IGNORECASE)
_PREPOSITIONS = {"in", "at", "near", "for", "to", "from", "into", "around", "within", "of", "about", "named",
                 "called", "by", "on", "with", "between", "via", "visiting", "inside"}


@dataclass(frozen=True)
class _Span:
    value: Any
    start: int
    end: int


class _Text:
    """A piece of user text with what can be pulled out of it, and which parts are already used."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.used: list[tuple[int, int]] = []
        self.tokens, self.quotes, self.dates, self.times, self.emails, self.urls, self.numbers = _parsed(text)

    def free(self, span: _Span) -> bool:
        return not _overlaps(span, self.used)

    def take(self, span: _Span) -> Any:
        self.used.append((span.start, span.end))
        return span.value

    def token_index(self, position: int) -> int:
        for index, token in enumerate(self.tokens):
            if token.start >= position:
                return index
        return len(self.tokens)


@lru_cache(maxsize=1024)
def _parsed(text: str) -> tuple[list[_Span], ...]:
    """Tokens, quotes, dates, times, emails, URLs and numbers (numbers outside the others)."""
    tokens = [_Span(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    quotes = [_Span(next(g for g in m.groups() if g is not None).strip(), m.start(), m.end())
              for m in _QUOTED.finditer(text)]
    dates = _dates(text)
    times = [_Span(_time_value(m), m.start(), m.end()) for m in _TIME.finditer(text)]
    emails = [_Span(m.group(), m.start(), m.end()) for m in _EMAIL.finditer(text)]
    urls = [_Span(m.group().rstrip(".,)"), m.start(), m.end()) for m in _URL.finditer(text)]
    reserved = [(s.start, s.end) for s in quotes + dates + times + emails + urls]
    numbers = [n for n in _numbers(text, tokens) if not _overlaps(n, reserved)]
    return tokens, quotes, dates, times, emails, urls, numbers


@lru_cache(maxsize=1024)
def _label_pattern(name: str) -> re.Pattern:
    labels = sorted({re.escape(name).replace("_", "[ _]"), *(re.escape(w) for w in _name_words(name)[-1:])})
    value = r"[^\s,;.?!\"'”]+(?:\s+[A-Z][^\s,;.?!\"'”]*)*"
    return re.compile(rf"(?i:\b(?:{'|'.join(labels)})\s*(?:is|was|=|:))\s*[\"'“]?({value})")


def _mentions(option: Any, text: _Text) -> list[_Span]:
    """Where an enum value is named in the text, as a whole word (a plural -s/-es allowed)."""
    if option is None or isinstance(option, (dict, list, bool)) or (len(str(option)) < 2 and not str(option).isdigit()):
        return []
    words = re.escape(str(option)).replace("_", "[ _]").replace("\\ ", "[ _]")
    pattern = r"(?<![\w-])" + words + r"(?:e?s)?(?![\w-])"
    return [_Span(option, m.start(), m.end()) for m in re.finditer(pattern, text.text, re.IGNORECASE)]


def _near(text: _Text, span: _Span, words: set[str]) -> bool:
    index = text.token_index(span.start)
    nearby = text.tokens[max(0, index - 3):index] + text.tokens[index + 1:index + 3]
    return bool(words & {_stem(t.value) for t in nearby})


def _bound_role(param: _Param) -> str | None:
    """'max' for max_price-like parameters, 'min' for min_rating-like ones."""
    if param.words & _MAX_WORDS:
        return "max"
    if param.words & _MIN_WORDS:
        return "min"
    described = set(re.findall(r"[a-z]+", param.description.lower()))
    if described & {"maximum", "highest", "most", "upper"}:
        return "max"
    if described & {"minimum", "lowest", "least", "lower"}:
        return "min"
    return None


def _overlaps(span: _Span, ranges: list[tuple[int, int]]) -> bool:
    return any(span.start < end and start < span.end for start, end in ranges)


def _numbers(text: str, tokens: list[_Span]) -> list[_Span]:
    found = []
    for m in _NUMBER.finditer(text):
        value = float(m.group(2).replace(",", "") + (m.group(3) or ""))
        if m.group(4) == "k":
            value *= 1000
        if m.group(1):
            value = -value
        found.append(_Span(int(value) if value.is_integer() else value, m.start(), m.end()))
    for token in tokens:
        if token.value.lower() in _NUMBER_WORDS:
            found.append(_Span(_NUMBER_WORDS[token.value.lower()], token.start, token.end))
    return sorted(found, key=lambda s: s.start)


def _dates(text: str) -> list[_Span]:
    spans = []
    for m in _ISO_DATE.finditer(text):
        if _valid_date(int(m.group(1)), int(m.group(2)), int(m.group(3))):
            spans.append(_Span(_iso_value(m), m.start(), m.end()))
    for m in _TEXT_DATE.finditer(text):
        month = (m.group("m1") or m.group("m2")).lower()[:3]
        number = next(i for i, name in enumerate(_MONTHS, 1) if name.startswith(month))
        year, day = int(m.group("y1") or m.group("y2")), int(m.group("d1") or m.group("d2"))
        if _valid_date(year, number, day):
            spans.append(_Span(f"{year:04d}-{number:02d}-{day:02d}", m.start(), m.end()))
    return sorted(spans, key=lambda s: s.start)


def _iso_value(m: re.Match) -> str:
    """'2024-05-03' as is; with a time, a full RFC 3339 date-time ('2024-05-03T10:30:00Z')."""
    date = f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
    if not m.group(4):
        return date
    zone = m.group(7) or "Z"
    if zone != "Z" and ":" not in zone:
        zone = f"{zone[:3]}:{zone[3:]}"
    return f"{date}T{m.group(4)}:{m.group(5)}:{m.group(6) or '00'}{zone}"


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        _dt.date(year, month, day)
    except ValueError:
        return False
    return True


def _time_value(m: re.Match) -> str:
    hour, minute, second = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    meridiem = (m.group(4) or "").lower().replace(".", "")
    if meridiem == "pm" and hour < 12:
        hour += 12
    if meridiem == "am" and hour == 12:
        hour = 0
    return f"{min(hour, 23):02d}:{min(minute, 59):02d}:{min(second, 59):02d}"


@dataclass
class _Param:
    """One property of an object schema, with the words that describe it."""

    name: str
    schema: dict
    required: bool
    words: set[str]
    description: str

    kind: str = field(init=False)

    def __post_init__(self) -> None:
        types = [t for t in _types(self.schema) if t != "null"]
        self.kind = types[0] if types else "string"


class _Filler:
    """Fills an object schema from a clause, then the whole message, then schema-valid placeholders."""

    def __init__(self, root: dict, clause: str, fallback: str | None = None, tool_name: str = "",
                 schema_key: str | None = None) -> None:
        self.root = root if isinstance(root, dict) else {}
        self.validator = _validator(schema_key or json.dumps(self.root, sort_keys=True))
        self.clause = _Text(clause)
        self.fallback_source = fallback
        self.fallback_text: _Text | None = None
        self.extracted: dict[str, str] = {}
        self.verbs = _VERBS | set(_name_words(tool_name))
        self.values: dict[str, Any] = {}

    def run(self) -> tuple[dict, dict[str, str]]:
        schema = self.resolve(self.root)
        value = self.fill_object(schema, "") if self.is_object(schema) else self.placeholder(schema, "")
        return self.repaired(value), self.extracted

    # -- schema helpers

    def resolve(self, schema: Any) -> dict:
        for _ in range(16):
            if not isinstance(schema, dict) or "$ref" not in schema:
                break
            target = _pointer(self.root, schema["$ref"])
            if target is None:
                break
            rest = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {**target, **rest} if rest else target
        if schema is True or schema is None:
            return {}
        return schema if isinstance(schema, dict) else {"not": {}}

    def valid(self, value: Any, schema: dict) -> bool:
        try:
            return self.validator.evolve(schema=schema).is_valid(value)
        except Exception:  # an unresolvable $ref or a bad pattern: treat as not valid
            return False

    def is_object(self, schema: dict) -> bool:
        return "object" in _types(schema) or "properties" in schema

    def params(self, schema: dict) -> list[_Param]:
        properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
        required = [r for r in schema.get("required") or [] if isinstance(r, str)]
        names = [n for n in required if n in properties] + [n for n in properties if n not in required]
        names += [n for n in required if n not in properties]
        params = []
        for name in names:
            sub = self.resolve(properties.get(name, {}))
            description = str(sub.get("description") or "")
            words = set(_name_words(name)) | {_stem(w) for w in re.split(r"[\s_\-.]+", _CAMEL.sub(" ", name)) if w}
            params.append(_Param(name, sub, name in required, words, description))
        return params

    # -- objects

    def fill_object(self, schema: dict, path: str) -> dict:
        params = self.params(schema)
        values: dict[str, Any] = {}
        outer, self.values = self.values, values
        try:
            self.extract_all(params, values, path)
        finally:
            self.values = outer
        for param in params:
            if param.name not in values and param.required:
                values[param.name] = self.placeholder(param.schema, param.name)
        return {p.name: values[p.name] for p in params if p.name in values}

    @property
    def fallback(self) -> _Text | None:
        """The whole message, parsed only when the clause was not enough."""
        if self.fallback_text is None and self.fallback_source:
            self.fallback_text = _Text(self.fallback_source)
        return self.fallback_text

    def extract_all(self, params: list[_Param], values: dict, path: str) -> None:
        """From the clause first; then the whole message for required (and enum) parameters still missing."""
        self.extract(params, self.clause, values, path)
        wanted = [p for p in params if p.name not in values and (p.required or "enum" in p.schema)]
        if wanted and self.fallback is not None:
            self.extract(wanted, self.fallback, values, path)

    def extract(self, params: list[_Param], text: _Text, values: dict, path: str) -> None:
        passes = (self.by_enum, self.by_bound, self.by_adjacent_number, self.by_quote, self.by_format,
                  self.by_label, self.by_place, self.by_query, self.by_position, self.by_boolean, self.by_array,
                  self.by_name, self.by_nested)
        for extract in passes:
            for param in params:
                if param.name in values:
                    continue
                value = extract(param, text, path)
                if value is not _MISSING:
                    values[param.name] = value
                    self.extracted[f"{path}{param.name}"] = extract.__name__

    def accept(self, param: _Param, text: _Text, span: _Span, value: Any = None) -> Any:
        value = span.value if value is None else value
        if value is _MISSING or not text.free(span) or not self.valid(value, param.schema):
            return _MISSING
        text.take(span)
        return value

    # -- extraction passes: each returns a value or _MISSING

    def by_enum(self, param: _Param, text: _Text, path: str) -> Any:
        options = param.schema.get("enum")
        if not isinstance(options, list) or not options:
            return _MISSING
        hits = [span for option in options for span in _mentions(option, text)
                if not str(option).isdigit() or _near(text, span, param.words)]
        for span in sorted(hits, key=lambda s: (s.start, -(s.end - s.start))):
            value = self.accept(param, text, span)
            if value is not _MISSING:
                return value
        return _MISSING

    def by_bound(self, param: _Param, text: _Text, path: str) -> Any:
        if param.kind not in ("number", "integer"):
            return _MISSING
        role = _bound_role(param)
        if role is None:
            return _MISSING
        cue = _MAX_CUE if role == "max" else _MIN_CUE
        for span in text.numbers:
            if cue.search(text.text[max(0, span.start - 24):span.start]):
                value = self.accept(param, text, span, self.numeric(param, span.value))
                if value is not _MISSING:
                    return value
        return self.by_range(param, text, role)

    def by_range(self, param: _Param, text: _Text, role: str) -> Any:
        for m in re.finditer(r"\b(?:between|from)\s+\$?(\S+)\s+(?:and|to)\s+\$?(\S+)", text.text, re.IGNORECASE):
            spans = [s for s in text.numbers if m.start() <= s.start < m.end()]
            if len(spans) == 2:
                span = spans[0] if role == "min" else spans[1]
                value = self.accept(param, text, span, self.numeric(param, span.value))
                if value is not _MISSING:
                    return value
        return _MISSING

    def numeric(self, param: _Param, value: Any) -> Any:
        if param.kind == "integer":
            return int(value) if float(value).is_integer() else _MISSING
        return value

    def by_adjacent_number(self, param: _Param, text: _Text, path: str) -> Any:
        if param.kind not in ("number", "integer"):
            return _MISSING
        keywords = {w for w in param.words if not _is_stop(w) and len(w) > 1}
        for span in text.numbers:
            index = text.token_index(span.start)
            after = [_stem(t.value) for t in text.tokens[index + 1:index + 3] if t.value[0].isalpha()][:1]
            before = [_stem(t.value) for t in text.tokens[max(0, index - 3):index]
                      if t.value[0].isalpha() and not _is_stop(t.value)][-2:]
            if keywords & set(after + before):
                value = self.accept(param, text, span, self.numeric(param, span.value))
                if value is not _MISSING:
                    return value
        return _MISSING

    def by_quote(self, param: _Param, text: _Text, path: str) -> Any:
        if param.kind != "string" or param.schema.get("enum") or not text.quotes:
            return _MISSING
        for span in text.quotes:
            before = text.text[max(0, span.start - 40):span.start]
            if param.words & set(_stems(before)[-3:]):
                value = self.accept(param, text, span)
                if value is not _MISSING:
                    return value
        if not (param.required or self.query_like(param)):
            return _MISSING
        for span in text.quotes:
            value = self.accept(param, text, span)
            if value is not _MISSING:
                return value
        return _MISSING

    def by_format(self, param: _Param, text: _Text, path: str) -> Any:
        if param.kind != "string":
            return _MISSING
        fmt = str(param.schema.get("format") or "")
        words = param.words
        if fmt in ("date", "date-time") or words & {"date", "day", "birthday", "dob", "when"}:
            for span in text.dates:
                value = span.value[:10] if fmt == "date" else span.value
                if fmt == "date-time" and len(value) == 10:
                    value += "T00:00:00Z"
                value = self.accept(param, text, span, value)
                if value is not _MISSING:
                    return value
        sources = []
        if fmt == "time" or words & {"time", "hour", "clock"}:
            sources.append(text.times)
        if fmt in ("email", "idn-email") or words & {"email", "mail"}:
            sources.append(text.emails)
        if fmt in ("uri", "url", "iri", "uri-reference") or words & {"url", "uri", "link", "website", "endpoint",
                                                                        "homepage", "site"}:
            sources.append(text.urls)
        for spans in sources:
            for span in spans:
                value = self.accept(param, text, span)
                if value is not _MISSING:
                    return value
        return _MISSING

    def by_label(self, param: _Param, text: _Text, path: str) -> Any:
        """'name is Ada', 'ticker: ACME', 'city = Oslo'."""
        if param.kind != "string" or param.schema.get("enum"):
            return _MISSING
        for m in re.finditer(_label_pattern(param.name), text.text):
            value = self.accept(param, text, _Span(m.group(1), m.start(1), m.end(1)))
            if value is not _MISSING:
                return value
        return _MISSING

    def placeish(self, param: _Param) -> bool:
        if self.query_like(param):
            return False
        if param.words & _NOT_PLACE_PARAMS:
            return False
        description = set(_stems(param.description)) - {"from", "to", "near", "where"}
        return bool(param.words & _PLACE_WORDS or description & _PLACE_WORDS)

    def place_role(self, param: _Param) -> str | None:
        if param.words & _ORIGIN_WORDS:
            return "origin"
        if param.words & _DESTINATION_WORDS:
            return "destination"
        role = None
        for word in re.findall(r"[a-z]+", param.description.lower()):
            role = "origin" if word in _ORIGIN_WORDS else "destination" if word in _DESTINATION_WORDS else role
        return role

    def by_place(self, param: _Param, text: _Text, path: str) -> Any:
        if param.kind != "string" or param.schema.get("enum") or not self.placeish(param):
            return _MISSING
        order = {"origin": ("from", "in", "at", "near"), "destination": ("to", "into", "for", "in", "at")}.get(
            self.place_role(param) or "", ("in", "at", "near", "for", "to", "from", "around", "within", "inside"))
        places = _places(text)
        taken = {v for v in self.values.values() if isinstance(v, str)}
        for preposition in order:
            for prep, span in places:
                if prep == preposition and span.value not in taken:
                    value = self.accept(param, text, span)
                    if value is not _MISSING:
                        return value
        if param.required:
            for prep, span in _lower_places(text):
                if prep in order and span.value not in taken:
                    value = self.accept(param, text, span)
                    if value is not _MISSING:
                        return value
        return _MISSING

    def query_like(self, param: _Param) -> bool:
        head = _name_words(param.name)[-1:] or [param.name.lower()]
        return head[0] in _QUERY_WORDS or param.name.lower() in _QUERY_WORDS

    def by_query(self, param: _Param, text: _Text, path: str) -> Any:
        if param.kind != "string" or param.schema.get("enum") or not self.query_like(param):
            return _MISSING
        phrase = _rest_after_verb(text.text, self.verbs)
        if phrase is None and param.required:
            phrase = _bare_request(text.text)
        if not phrase or not self.valid(phrase, param.schema):
            return _MISSING
        return phrase

    def by_position(self, param: _Param, text: _Text, path: str) -> Any:
        if param.kind not in ("number", "integer") or not param.required:
            return _MISSING
        for span in text.numbers:
            value = self.accept(param, text, span, self.numeric(param, span.value))
            if value is not _MISSING:
                return value
        return _MISSING

    def by_boolean(self, param: _Param, text: _Text, path: str) -> Any:
        if param.kind != "boolean":
            return _MISSING
        keywords = (param.words - _BOOL_GENERIC) or param.words
        lowered = [t.value.lower() for t in text.tokens]
        for index, token in enumerate(text.tokens):
            if _stem(token.value) in keywords and not _is_stop(token.value):
                before, after = lowered[max(0, index - 3):index], lowered[index + 1:index + 3]
                if set(before) & _NEGATIONS or set(after) & _NO:
                    return False
                return True
        if param.required:
            for word in lowered:
                if word in ("yes", "true"):
                    return True
                if word in ("no", "false"):
                    return False
        return _MISSING

    def by_array(self, param: _Param, text: _Text, path: str) -> Any:
        if param.kind != "array":
            return _MISSING
        items = self.resolve(param.schema.get("items", {}))
        item_kind = ([t for t in _types(items) if t != "null"] or ["string"])[0]
        candidates = []
        if item_kind in ("number", "integer"):
            spans = [s for s in text.numbers if text.free(s)
                     and (item_kind == "number" or float(s.value).is_integer())]
            candidates.append(([int(s.value) if item_kind == "integer" else s.value for s in spans], spans))
        elif isinstance(items.get("enum"), list):
            spans = sorted((s for option in items["enum"] for s in _mentions(option, text)[:1]), key=lambda s: s.start)
            candidates.append(([s.value for s in spans], spans))
        elif item_kind == "string":
            quotes = [s for s in text.quotes if text.free(s)]
            candidates.append(([s.value for s in quotes], quotes))
            candidates.append((_list_items(text.text), []))
        for values, spans in candidates:
            if values and self.valid(values, param.schema):
                for span in spans:
                    text.take(span)
                return values
        return _MISSING

    def by_name(self, param: _Param, text: _Text, path: str) -> Any:
        """A required free string: a capitalized name after a preposition, or 'named X'."""
        if param.kind != "string" or param.schema.get("enum") or not param.required:
            return _MISSING
        for _prep, span in _places(text, _PREPOSITIONS):
            value = self.accept(param, text, span)
            if value is not _MISSING:
                return value
        return _MISSING

    def by_nested(self, param: _Param, text: _Text, path: str) -> Any:
        if param.kind != "object" or not isinstance(param.schema.get("properties"), dict):
            return _MISSING
        before = len(self.extracted)
        value = self.fill_object(param.schema, f"{path}{param.name}.")
        if not param.required and len(self.extracted) == before:
            return _MISSING
        return value

    # -- placeholders: schema-valid values for what the text does not say

    def placeholder(self, schema: Any, name: str, depth: int = 0) -> Any:
        schema = self.resolve(schema)
        for candidate in self.placeholder_candidates(schema, name, depth):
            if candidate is not _MISSING and self.valid(candidate, schema):
                return candidate
        return self.typed_placeholder(schema, name, depth)

    def placeholder_candidates(self, schema: dict, name: str, depth: int) -> Iterator[Any]:
        if "const" in schema:
            yield copy.deepcopy(schema["const"])
        if "default" in schema:
            yield copy.deepcopy(schema["default"])
        for option in schema.get("enum") or []:
            yield option
        for example in schema.get("examples") or []:
            yield example
        for key in ("anyOf", "oneOf"):
            for branch in schema.get(key) or []:
                merged = {**{k: v for k, v in schema.items() if k not in ("anyOf", "oneOf")}, **self.resolve(branch)}
                yield self.placeholder(merged, name, depth + 1) if depth < 8 else _MISSING
        if isinstance(schema.get("allOf"), list):
            merged = self.merged(schema)
            yield self.placeholder(merged, name, depth + 1) if depth < 8 else _MISSING
        yield self.typed_placeholder(schema, name, depth)

    def merged(self, schema: dict) -> dict:
        merged = {k: v for k, v in schema.items() if k != "allOf"}
        for part in schema.get("allOf") or []:
            part = self.resolve(part)
            for key, value in part.items():
                if key == "properties" and isinstance(value, dict):
                    merged["properties"] = {**merged.get("properties", {}), **value}
                elif key == "required" and isinstance(value, list):
                    merged["required"] = list(dict.fromkeys([*merged.get("required", []), *value]))
                else:
                    merged.setdefault(key, value)
        return merged

    def typed_placeholder(self, schema: dict, name: str, depth: int) -> Any:
        types = _types(schema)
        if "null" in types and not any(t in types for t in ("object", "array")):
            return None
        kind = next((t for t in types if t != "null"), "string")
        if kind == "object":
            return self.object_placeholder(schema, depth)
        if kind == "array":
            return self.array_placeholder(schema, name, depth)
        if kind in ("integer", "number"):
            return _number_placeholder(schema, kind == "integer", self.valid)
        if kind == "boolean":
            return False
        return _string_placeholder(schema, name, self.valid)

    def object_placeholder(self, schema: dict, depth: int) -> dict:
        if depth > 8:
            return {}
        properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
        value = {}
        for key in schema.get("required") or []:
            if isinstance(key, str):
                value[key] = self.placeholder(properties.get(key, {}), key, depth + 1)
        minimum = schema.get("minProperties") or 0
        for key, sub in properties.items():
            if len(value) >= minimum:
                break
            value.setdefault(key, self.placeholder(sub, key, depth + 1))
        return value

    def array_placeholder(self, schema: dict, name: str, depth: int) -> list:
        if depth > 8:
            return []
        prefix = [self.placeholder(s, name, depth + 1) for s in schema.get("prefixItems") or []]
        maximum = schema.get("maxItems")
        count = max(schema.get("minItems") or 0, 1 if maximum is None or maximum >= 1 else 0) - len(prefix)
        items = schema.get("items", {})
        if items is False:
            return prefix
        values = list(prefix)
        for index in range(max(0, count)):
            values.append(_varied(self.placeholder(items, _singular(name), depth + 1), index))
        return values

    # -- the final check

    def repaired(self, value: Any) -> Any:
        for _ in range(12):
            errors = list(self.validator.iter_errors(value))
            if not errors:
                return value
            value = self.repair(value, min(errors, key=lambda e: len(e.absolute_path)))
        return value

    def repair(self, value: Any, error: Any) -> Any:
        path = list(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = set((error.schema.get("properties") or {}))
            patterns = list((error.schema.get("patternProperties") or {}))
            for key in [k for k in error.instance if k not in allowed and not any(re.search(p, k) for p in patterns)]:
                del error.instance[key]
            return value
        if error.validator == "required" and isinstance(error.instance, dict):
            properties = error.schema.get("properties") or {}
            for key in error.schema.get("required") or []:
                if key not in error.instance:
                    error.instance[key] = self.placeholder(properties.get(key, {}), key)
            return value
        if not path:
            return self.placeholder(error.schema, "")
        parent = value
        for key in path[:-1]:
            parent = parent[key]
        replacement = self.placeholder(error.schema, str(path[-1]))
        if replacement == parent[path[-1]] and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = replacement
        return value


@lru_cache(maxsize=512)
def _validator(schema_json: str) -> Draft202012Validator:
    schema = json.loads(schema_json)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _pointer(root: dict, ref: Any) -> Any:
    if not isinstance(ref, str) or not ref.startswith("#"):
        return None
    node: Any = root
    for part in ref[1:].lstrip("/").split("/") if ref not in ("#", "#/") else []:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def _types(schema: Any) -> list[str]:
    if not isinstance(schema, dict):
        return []
    declared = schema.get("type")
    if isinstance(declared, str):
        return [declared]
    if isinstance(declared, list):
        return [t for t in declared if isinstance(t, str)]
    for key in ("anyOf", "oneOf", "allOf"):
        branches = schema.get(key)
        if isinstance(branches, list):
            found = [t for branch in branches for t in _types(branch)]
            if found:
                return list(dict.fromkeys(found))
    if "properties" in schema:
        return ["object"]
    if "items" in schema or "prefixItems" in schema:
        return ["array"]
    values = schema.get("enum") or ([schema["const"]] if "const" in schema else [])
    return list(dict.fromkeys(_json_type(v) for v in values))


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return {dict: "object", list: "array"}.get(type(value), "string")


def _places(text: _Text, prepositions: set[str] | None = None) -> list[tuple[str, _Span]]:
    """(preposition, capitalized run) pairs: 'in New York today' -> ('in', 'New York')."""
    prepositions = prepositions or _PREPOSITIONS
    tokens, found = text.tokens, []
    for index, token in enumerate(tokens):
        prep = token.value.lower()
        if prep not in prepositions:
            continue
        run = _capitalized_run(text.text, tokens, index + 1)
        if run is not None:
            found.append((prep, run))
    return found


def _capitalized_run(source: str, tokens: list[_Span], start: int) -> _Span | None:
    index = start
    if index < len(tokens) and tokens[index].value.lower() == "the" and _adjacent(source, tokens, index):
        index += 1
    first = index
    end = None
    while index < len(tokens) and _adjacent(source, tokens, index):
        word = tokens[index].value
        if word[0].isupper() and not (index == first and word.lower() in _NOT_PLACES):
            end = index
        elif not (end is not None and word.lower() in ("of", "de", "la", "del", "da", "upon", "on", "am")
                  and index + 1 < len(tokens) and tokens[index + 1].value[0].isupper()):
            break
        index += 1
    if end is None:
        return None
    span_start, span_end = tokens[first].start, tokens[end].end
    value = source[span_start:span_end]
    suffix = re.match(r",\s*([A-Z]{2})\b", source[span_end:])
    if suffix:
        value, span_end = f"{value}, {suffix.group(1)}", span_end + suffix.end()
    return _Span(value.strip(".'’"), span_start, span_end)


def _adjacent(source: str, tokens: list[_Span], index: int) -> bool:
    return index > 0 and source[tokens[index - 1].end:tokens[index].start].isspace()


def _lower_places(text: _Text) -> list[tuple[str, _Span]]:
    found = []
    for index, token in enumerate(text.tokens[:-1]):
        following = text.tokens[index + 1]
        if token.value.lower() in ("in", "at", "near", "to", "from") and following.value[0].isalpha() \
                and not _is_stop(following.value) and _adjacent(text.text, text.tokens, index + 1):
            name = following.value[:1].upper() + following.value[1:]
            found.append((token.value.lower(), _Span(name, following.start, following.end)))
    return found


_BOUND_OR_PLACE = re.compile(
    r"\s+(?:under|below|less than|cheaper than|over|above|more than|at least|at most|up to|between|within|"
    r"priced|costing|sorted by|limit(?:ed)? to)\b|\s+(?:in|at|near|from|on|for)\s+(?=[A-Z\u00c0-\u00d6\u00d8-\u00de])|"
    r"[?.!;:]|\s+please\b",
)


def _rest_after_verb(text: str, verbs: set[str]) -> str | None:
    for m in _TOKEN.finditer(text):
        if m.group()[0].isalpha() and (m.group().lower() in verbs or _stem(m.group()) in verbs):
            phrase = _trim_phrase(text[m.end():])
            if phrase:
                return phrase
    return None


def _trim_phrase(rest: str) -> str | None:
    words = rest.split()
    while words and words[0].lower().strip(",:") in _QUERY_FILLERS:
        words.pop(0)
    phrase = " ".join(words)
    cut = _BOUND_OR_PLACE.search(phrase)
    if cut:
        phrase = phrase[: cut.start()]
    phrase = phrase.strip(" ,;:\"'“”‘’")
    return phrase or None


def _bare_request(text: str) -> str | None:
    phrase = re.sub(r"^(?:(?:please|can you|could you|would you|will you|i want to|i'd like to|i would like to|"
                    r"let's|lets|help me|show me|tell me|give me|what is|what's|what are|who is|who's|how do i|"
                    r"how to)\s+)+", "", text.strip(), flags=re.IGNORECASE)
    phrase = phrase.strip(" ?.!,;:\"'“”")
    return phrase or None


def _list_items(text: str) -> list[str]:
    """'apples, pears and plums' -> ['apples', 'pears', 'plums'] (the list part of a clause)."""
    body = text.split(":", 1)[1] if ":" in text else text
    parts = [p.strip(" .?!\"'") for p in re.split(r",\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+", body)]
    parts = [p for p in parts if p]
    if len(parts) < 2:
        return []
    first = parts[0].split()
    capitalized = [w for w in first if w[0].isupper()]
    parts[0] = " ".join(first[-len(capitalized):]) if capitalized and first[-1][0].isupper() else first[-1]
    last = parts[-1].split()
    parts[-1] = " ".join(last[:3]) if len(last) <= 3 else last[0]
    return [p for p in parts if len(p.split()) <= 4]


def _singular(name: str) -> str:
    return name[:-1] if name.endswith("s") and len(name) > 3 else name


def _varied(value: Any, index: int) -> Any:
    if index == 0:
        return value
    if isinstance(value, str):
        return f"{value}{index + 1}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value + index
    return value


_FORMAT_EXAMPLES = {
    "date": "2024-01-01", "date-time": "2024-01-01T00:00:00Z", "time": "12:00:00", "email": "user@example.com",
    "idn-email": "user@example.com", "uri": "https://example.com", "url": "https://example.com",
    "iri": "https://example.com", "uri-reference": "https://example.com", "iri-reference": "https://example.com",
    "uuid": "00000000-0000-4000-8000-000000000000", "ipv4": "127.0.0.1", "ipv6": "::1", "hostname": "example.com",
    "idn-hostname": "example.com", "duration": "P1D", "regex": ".*", "json-pointer": "/", "uri-template":
    "https://example.com/{id}", "relative-json-pointer": "0",
}


_NAME_HINTS = [
    ({"url", "uri", "link", "website", "endpoint", "homepage", "href"}, "https://example.com"),
    ({"email", "mail"}, "user@example.com"),
    ({"date", "day", "birthday", "dob"}, "2024-01-01"),
    ({"time", "hour"}, "12:00"),
    ({"phone", "mobile", "tel"}, "+1-555-0100"),
    ({"currency"}, "USD"),
]


def _string_placeholder(schema: dict, name: str, valid: Any) -> str:
    for candidate in _string_candidates(schema, name):
        if valid(candidate, schema):
            return candidate
    return _fit_length(name or "example", schema)


def _string_candidates(schema: dict, name: str) -> Iterator[str]:
    fmt = schema.get("format")
    if fmt in _FORMAT_EXAMPLES:
        yield _FORMAT_EXAMPLES[fmt]
    example = _EXAMPLE.search(str(schema.get("description") or ""))
    if example and len(example.group(1)) <= 60:
        yield _fit_length(example.group(1).strip(), schema)
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        generated = _from_pattern(pattern)
        if generated is not None:
            yield generated
    words = set(re.split(r"[\s_\-.]+", _CAMEL.sub(" ", name).lower()))
    for hint_words, hint in _NAME_HINTS:
        if words & hint_words:
            yield _fit_length(hint, schema)
    yield _fit_length(name or "example", schema)
    for candidate in ("example", "a", "A", "abc", "ABC", "1", "123", "0", "a1", "AB", "ABC123", "2024-01-01",
                      "12:00", "user@example.com", "https://example.com", "example.com", "x"):
        yield _fit_length(candidate, schema)


def _fit_length(value: str, schema: dict) -> str:
    minimum, maximum = schema.get("minLength"), schema.get("maxLength")
    if isinstance(minimum, int) and len(value) < minimum:
        value = value + "x" * (minimum - len(value))
    if isinstance(maximum, int) and len(value) > maximum:
        value = value[:maximum]
    return value


def _from_pattern(pattern: str) -> str | None:
    """One string matching a regular expression (common constructs only)."""
    try:
        from re import _parser  # type: ignore[attr-defined]

        return _generate(_parser.parse(pattern))
    except Exception:
        return None


def _generate(parsed: Any) -> str:
    from re import _constants as c  # type: ignore[attr-defined]

    out = []
    for op, arg in parsed:
        if op is c.LITERAL:
            out.append(chr(arg))
        elif op is c.NOT_LITERAL:
            out.append("a" if chr(arg) != "a" else "b")
        elif op is c.ANY:
            out.append("a")
        elif op is c.IN:
            out.append(_class_member(arg, c))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
            low, high, sub = arg
            count = low if low > 0 else (1 if high and high >= 1 else 0)
            out.append(_generate(sub) * count)
        elif op is c.SUBPATTERN:
            out.append(_generate(arg[-1]))
        elif op is c.BRANCH:
            out.append(_generate(arg[1][0]))
        elif op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue
        elif op is c.GROUPREF:
            continue
        else:
            raise ValueError(f"unsupported regex construct {op}")
    return "".join(out)


def _class_member(items: list, c: Any) -> str:
    negated = any(op is c.NEGATE for op, _ in items)
    if negated:
        excluded = set()
        for op, arg in items:
            if op is c.LITERAL:
                excluded.add(chr(arg))
        return next(ch for ch in "aZ0_-" if ch not in excluded)
    for op, arg in items:
        if op is c.LITERAL:
            return chr(arg)
        if op is c.RANGE:
            return chr(arg[0])
        if op is c.CATEGORY:
            return {c.CATEGORY_DIGIT: "0", c.CATEGORY_SPACE: " ", c.CATEGORY_WORD: "a"}.get(arg, "a")
    return "a"


def _number_placeholder(schema: dict, integer: bool, valid: Any) -> int | float:
    low, high = schema.get("minimum"), schema.get("maximum")
    xlow, xhigh = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    xlow = low if xlow is True else (None if isinstance(xlow, bool) else xlow)
    xhigh = high if xhigh is True else (None if isinstance(xhigh, bool) else xhigh)
    step = schema.get("multipleOf")
    candidates: list[float] = [1, 0]
    for bound in (low, high):
        if isinstance(bound, (int, float)):
            candidates += [bound, bound + 1, bound - 1]
    for bound, direction in ((xlow, 1), (xhigh, -1)):
        if isinstance(bound, (int, float)):
            candidates += [bound + direction, bound + direction * 0.5, bound + direction * 0.001]
    known = [b for b in (low, high, xlow, xhigh) if isinstance(b, (int, float))]
    if len(known) >= 2:
        candidates.append((min(known) + max(known)) / 2)
    for candidate in candidates:
        if isinstance(step, (int, float)) and step > 0:
            candidate = math.ceil(candidate / step) * step
        value = int(candidate) if integer or float(candidate).is_integer() else candidate
        if integer and not float(candidate).is_integer():
            continue
        if valid(value, schema):
            return value
    return 1
