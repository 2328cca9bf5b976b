"""One deadline per answer, enforced on every socket read and write of the HTTP client.

``request_timeout`` bounds the gap between two bytes, not the request: a server trickling one byte a
second, or answering its headers and then hanging, would hold an answer for minutes. Here every
model call made inside ``answer_deadline(seconds)`` shares ONE deadline: each connect, read and write
of the HTTP client waits at most until then, and one that starts after it fails at once with a
timeout. The connection is then closed, which also tells llama.cpp's server to stop generating.

The deadline is per thread (the UI reads answers in worker threads, each with its own): the model
sets it around each call; a caller may set an outer one around several calls (the interview, around
the one or two calls that read one answer), and the earlier deadline always wins.

    with answer_deadline(60):
        model.json(...)          # at most 60 s, whatever the server does
        model.json(...)          # the same 60 s, not another 60

Pure (no HTTP library): the socket guard that enforces it lives in llm/http_deadline.py, installed
into the httpx2 client (what openai 3.x uses) of the one ChatOpenAI implementation.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

_local = threading.local()


def deadline_at() -> float | None:
    """This thread's deadline (a time.monotonic() value), or None when there is none."""
    at: float | None = getattr(_local, "at", None)
    return at


def remaining() -> float | None:
    """Seconds left before this thread's deadline (may be negative), or None."""
    at = deadline_at()
    return None if at is None else at - time.monotonic()


def passed() -> bool:
    left = remaining()
    return left is not None and left <= 0


@contextmanager
def answer_deadline(seconds: float | None) -> Iterator[float | None]:
    """Every model call in this thread inside the block ends by ``seconds`` from now (None: no new
    deadline). An outer deadline that comes earlier still wins. Yields the deadline in force."""
    before = deadline_at()
    at = None if seconds is None else time.monotonic() + seconds
    if before is not None and (at is None or before < at):
        at = before
    _local.at = at
    try:
        yield at
    finally:
        _local.at = before


@contextmanager
def deadline_until(at: float | None) -> Iterator[None]:
    """Re-enter a deadline computed earlier (a stream resumed by its reader), keeping an earlier one."""
    before = deadline_at()
    _local.at = at if before is None or (at is not None and at < before) else before
    try:
        yield
    finally:
        _local.at = before


def model_deadline(model: object) -> float | None:
    """The answer deadline a chat model asks for (its ``answer_deadline`` attribute), if any."""
    value = getattr(model, "answer_deadline", None)
    return float(value) if isinstance(value, int | float) and value > 0 else None
