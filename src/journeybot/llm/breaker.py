"""A circuit breaker around a ChatModel: after failures in a row, stop waiting for the model for a while.

A model server that is down or hung costs every answer its full deadline. After ``failures`` calls in a
row that could not reach a working server (timeout, server down, HTTP 5xx, rate limit), the breaker
*opens*: the failure that opened it carries one extra sentence, in French and English, saying that the
interview goes on with the rules reader and when the model will be tried again; from then on calls
fail at once with a ``paused`` ModelError marked ``quiet`` (the user was told once), so the interview
reads each answer with its rules without waiting. One call is let through again (a probe) after
``cooldown`` seconds or every ``probe_every``-th call held back, whichever comes first: a success closes
the breaker, a failure keeps it open without repeating the notice.

An answer the server did give, even unusable (``bad_output``), or a refusal (no key, context too
long) proves the server is there: it resets the count and never opens the breaker.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from .protocol import ChatModel, Message, ModelError, Usage

OUTAGE_KINDS = frozenset({"timeout", "server_down", "server_error", "rate_limited"})
"""Failures that say the server is not answering (these are counted)."""
PROBE_EVERY = 5
"""While open, every this-many-th call is let through to see whether the model is back."""


class CircuitBreaker:
    """A ChatModel that wraps another one (see the module docstring). Thread-safe."""

    def __init__(self, inner: ChatModel, *, failures: int = 3, cooldown: float = 60.0,
                 probe_every: int = PROBE_EVERY, clock: Callable[[], float] = time.monotonic) -> None:
        self.inner = inner
        self.failures = max(1, failures)
        self.cooldown = cooldown
        self.probe_every = max(1, probe_every)
        self._clock = clock
        self._lock = threading.Lock()
        self._in_a_row = 0
        self._opened_at: float | None = None
        self._held_back = 0
        self.opened = 0
        """How many times the breaker opened (for logs, tests and benches)."""

    # --- what the interview sees of the wrapped model ----------------------------------------
    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def last_usage(self) -> Usage:
        return self.inner.last_usage

    @property
    def answer_deadline(self) -> float | None:
        value = getattr(self.inner, "answer_deadline", None)
        return float(value) if isinstance(value, int | float) else None

    @property
    def is_open(self) -> bool:
        with self._lock:
            return self._opened_at is not None

    def __repr__(self) -> str:
        return f"CircuitBreaker({self.inner!r}, failures={self.failures}, cooldown={self.cooldown:g})"

    # --- the protocol ------------------------------------------------------------------------
    def json(self, messages: Sequence[Message], schema: dict[str, Any], *, max_tokens: int = 512) -> str:
        self._admit()
        try:
            reply = self.inner.json(messages, schema, max_tokens=max_tokens)
        except ModelError as err:
            raise self._failed(err) from None
        self._succeeded()
        return reply

    def stream(self, messages: Sequence[Message], *, max_tokens: int = 400) -> Iterator[str]:
        self._admit()
        return self._stream(messages, max_tokens)

    def _stream(self, messages: Sequence[Message], max_tokens: int) -> Iterator[str]:
        try:
            yield from self.inner.stream(messages, max_tokens=max_tokens)
        except ModelError as err:
            raise self._failed(err) from None
        self._succeeded()

    # --- the state ---------------------------------------------------------------------------
    def _admit(self) -> None:
        """Let the call through, or raise the quiet ``paused`` error while the breaker is open."""
        with self._lock:
            if self._opened_at is None:
                return
            waited = self._clock() - self._opened_at
            self._held_back += 1
            if waited >= self.cooldown or self._held_back >= self.probe_every:
                self._held_back = 0
                return  # a probe
            left = max(1, round(self.cooldown - waited))
        raise ModelError(
            "paused",
            f"The model is paused after {self.failures} failures in a row; the rules reader reads this "
            f"answer (next try in {left} s at most).",
            f"Le modèle est en pause après {self.failures} échecs de suite ; la lecture par règles lit cette "
            f"réponse (nouvel essai dans {left} s au plus).",
            retryable=True,
            quiet=True,
        )

    def _succeeded(self) -> None:
        with self._lock:
            self._in_a_row = 0
            self._opened_at = None
            self._held_back = 0

    def _failed(self, err: ModelError) -> ModelError:
        """The error to raise for this failure: the notice is added to the one that opens the breaker."""
        with self._lock:
            if err.kind not in OUTAGE_KINDS:
                self._in_a_row = 0  # the server answered: it is there
                return err
            self._in_a_row += 1
            if self._opened_at is not None:  # a probe that failed: stay open, say nothing new
                self._opened_at = self._clock()
                return err
            if self._in_a_row < self.failures:
                return err
            self._opened_at = self._clock()
            self._held_back = 0
            self.opened += 1
        wait = f"{self.cooldown:g}"
        return ModelError(
            err.kind,
            f"{err.en} The model failed {self.failures} times in a row: journeybot goes on with the rules "
            f"reader and will try the model again in {wait} s.",
            f"{err.fr} Le modèle a échoué {self.failures} fois de suite : journeybot continue avec la "
            f"lecture par règles et réessaiera le modèle dans {wait} s.",
            retryable=err.retryable,
        )
