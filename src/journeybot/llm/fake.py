"""Chat models for fast tests of the layers above (interview engine, UI): no server, no LangChain.

- ``ScriptedChatModel`` answers from a list of canned replies (strings, or ModelError to raise) or from a
  function of (messages, schema); it records every call.
- ``EchoChatModel`` streams back the last user message and answers ``json()`` with the smallest value
  that fits the schema: enough for a UI to run without a model.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .protocol import Message, ModelError, Usage

Reply = str | ModelError
Responder = Callable[[Sequence[Message], dict[str, Any] | None], Reply]


@dataclass
class Call:
    """One call a fake model received."""

    kind: str  # "json" or "stream"
    messages: list[Message]
    schema: dict[str, Any] | None
    max_tokens: int


class ScriptedChatModel:
    """Replies in order from a script (or from a function). Raises ModelError when the script says so.

    When the list runs out, ``json()`` and ``stream()`` raise AssertionError: a test that makes more calls
    than it planned fails loudly instead of getting made-up answers.
    """

    def __init__(self, replies: Iterable[Reply] | Responder = (), *, name: str = "scripted",
                 chunk_words: int = 1) -> None:
        self.name = name
        self.last_usage = Usage()
        self.calls: list[Call] = []
        self._chunk_words = max(1, chunk_words)
        self._responder: Responder | None = replies if callable(replies) else None
        self._replies: deque[Reply] = deque() if callable(replies) else deque(replies)

    def add(self, *replies: Reply) -> None:
        self._replies.extend(replies)

    @property
    def remaining(self) -> int:
        return len(self._replies)

    def _next(self, messages: Sequence[Message], schema: dict[str, Any] | None) -> str:
        if self._responder is not None:
            reply = self._responder(messages, schema)
        elif self._replies:
            reply = self._replies.popleft()
        else:
            raise AssertionError(f"{self.name}: no scripted reply left for call #{len(self.calls)}")
        if isinstance(reply, ModelError):
            raise reply
        prompt = sum(len(text.split()) for _, text in messages)
        self.last_usage = Usage(prompt_tokens=prompt, completion_tokens=len(reply.split()))
        return reply

    def json(self, messages: Sequence[Message], schema: dict[str, Any], *, max_tokens: int = 512) -> str:
        self.calls.append(Call("json", list(messages), schema, max_tokens))
        return self._next(messages, schema)

    def stream(self, messages: Sequence[Message], *, max_tokens: int = 400) -> Iterator[str]:
        self.calls.append(Call("stream", list(messages), None, max_tokens))
        text = self._next(messages, None)
        return iter(_chunks(text, self._chunk_words))


class EchoChatModel:
    """Streams back the last user message; ``json()`` returns the smallest value fitting the schema."""

    def __init__(self, *, name: str = "echo") -> None:
        self.name = name
        self.last_usage = Usage()

    def json(self, messages: Sequence[Message], schema: dict[str, Any], *, max_tokens: int = 512) -> str:
        return json.dumps(minimal_instance(schema, schema), ensure_ascii=False)

    def stream(self, messages: Sequence[Message], *, max_tokens: int = 400) -> Iterator[str]:
        last = next((text for role, text in reversed(messages) if role == "user"), "")
        return iter(_chunks(last, 1))


def _chunks(text: str, words: int) -> list[str]:
    parts = text.split(" ")
    out: list[str] = []
    for i in range(0, len(parts), words):
        piece = " ".join(parts[i : i + words])
        out.append(piece if i == 0 else " " + piece)
    return [p for p in out if p]


def minimal_instance(schema: Any, root: dict[str, Any]) -> Any:
    """The smallest JSON value that a simple JSON Schema accepts (objects, arrays, enums, $ref, anyOf)."""
    if not isinstance(schema, dict):
        return None
    if "$ref" in schema:
        ref = str(schema["$ref"])
        target: Any = root
        for part in ref.removeprefix("#/").split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        return minimal_instance(target, root)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    for key in ("anyOf", "oneOf", "allOf"):
        if schema.get(key):
            return minimal_instance(schema[key][0], root)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties") or {}
        return {name: minimal_instance(props.get(name, {}), root) for name in schema.get("required") or []}
    if kind == "array":
        count = int(schema.get("minItems") or 0)
        return [minimal_instance(schema.get("items") or {}, root) for _ in range(count)]
    if kind == "string":
        return "x" * int(schema.get("minLength") or 0)
    if kind in ("integer", "number"):
        low = schema.get("minimum", schema.get("exclusiveMinimum"))
        value = 0 if low is None else low + (1 if "exclusiveMinimum" in schema and "minimum" not in schema else 0)
        high = schema.get("maximum")
        if high is not None and value > high:
            value = high
        return int(value) if kind == "integer" else value
    if kind == "boolean":
        return False
    return None
