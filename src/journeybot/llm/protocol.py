"""What the interview needs from a chat model, whatever runs it (embedded, OpenAI, compatible server,
a fake in tests). Pure: imports no LangChain, so the interview engine never learns which model runs.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from ..errors import JourneybotError

Role = Literal["system", "user", "assistant"]
Message = tuple[Role, str]

ErrorKind = Literal[
    "no_key", "server_down", "timeout", "rate_limited", "server_error", "bad_output",
    "not_installed", "context_too_long", "paused", "other",
]
"""``paused``: the circuit breaker (llm/breaker.py) holds calls back after failures in a row."""


class ModelError(JourneybotError):
    """A model call that failed, with one plain sentence in French and in English.

    ``retryable`` says whether the same call may succeed later (rate limit, server down, timeout).
    ``quiet``: the user was already told (the breaker said once that the model is paused), so the
    caller falls back without repeating it. The message never contains the API key.
    """

    def __init__(self, kind: ErrorKind, en: str, fr: str, *, retryable: bool = False, quiet: bool = False):
        super().__init__(en, fr)
        self.kind = kind
        self.retryable = retryable
        self.quiet = quiet

@dataclass
class Usage:
    """Token counts of the last call, when the server reports them."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class ChatModel(Protocol):
    """A chat model behind journeybot's own interface (JSON text in, JSON text out)."""

    @property
    def name(self) -> str:
        """What the UI shows of the model (never a key)."""
        ...

    @property
    def last_usage(self) -> Usage:
        """Token counts of the last call."""
        ...

    def json(self, messages: Sequence[Message], schema: dict[str, Any], *, max_tokens: int = 512) -> str:
        """One completion constrained by a JSON Schema (response_format); returns the raw JSON text.

        Validation is the caller's job (pydantic), so fakes and real models share it.
        Raises ModelError.
        """
        ...

    def stream(self, messages: Sequence[Message], *, max_tokens: int = 400) -> Iterator[str]:
        """A free-text completion, streamed piece by piece. Raises ModelError."""
        ...
