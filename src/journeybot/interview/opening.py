"""What the interviewer says when a session opens, and how a question is put on screen.

Light on purpose (the method data only: no engine, map models, store, model or readers): the chat
paints a new interview's first screen from here before the session is opened, and the session opens
with the same words (tests/test_interview_session.py holds them equal).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..i18n import Lang, typography
from ..method import catalog
from .texts import say

if TYPE_CHECKING:
    from .engine import Question


def ask_text(q: Question | None, lang: Lang, *, header: bool) -> str:
    """A question as shown, with its phase header ("Phase 1/11 — ...") when it opens a phase."""
    if q is None:
        return say("done", lang)
    if header:
        return _headed(q.phase_number, q.phase_count, q.phase_title, q.text, lang)
    return typography(q.text, lang)


def _headed(n: int, total: int, title: str, text: str, lang: Lang) -> str:
    return say("phase_header", lang, n=n, total=total, title=title) + "\n" + typography(text, lang)


def _opening(head: str, question: str) -> str:
    return head + "\n\n" + question


def opening_text(q: Question | None, lang: Lang, *, resumed: str | None = None) -> str:
    """The welcome (or 'resuming <title>') and the question to answer."""
    head = say("resumed", lang, title=resumed) if resumed is not None else say("welcome", lang)
    return _opening(head, ask_text(q, lang, header=True))


def first_screen(lang: Lang) -> str:
    """What a new interview opens with: the first phase's first question (on an empty map the engine
    has nothing to skip; tests/test_interview_session.py checks this against a real session)."""
    phases = catalog.phases()
    first = phases[0]
    return _opening(say("welcome", lang), _headed(1, len(phases), first.title(lang), first.questions[0](lang), lang))
