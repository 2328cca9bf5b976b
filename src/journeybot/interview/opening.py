"""What the interviewer says when a session opens, and how a question is put on screen.

Light on purpose (the engine and the method data, no store, no model, no readers): the chat paints a
new interview's first screen from here before the session is opened, and the session opens with the
same words (tests/test_interview_session.py holds them equal).
"""

from __future__ import annotations

from ..domain.journey_map import JourneyMap
from ..i18n import Lang
from .engine import Engine, Question
from .texts import say


def ask_text(q: Question | None, lang: Lang, *, header: bool) -> str:
    """A question as shown, with its phase header ("Phase 1/11 — ...") when it opens a phase."""
    if q is None:
        return say("done", lang)
    if header:
        return say("phase_header", lang, n=q.phase_number, total=q.phase_count, title=q.phase_title) + "\n" + q.text
    return q.text


def opening_text(q: Question | None, lang: Lang, *, resumed: str | None = None) -> str:
    """The welcome (or 'resuming <title>') and the question to answer."""
    head = say("resumed", lang, title=resumed) if resumed is not None else say("welcome", lang)
    return head + "\n\n" + ask_text(q, lang, header=True)


def first_screen(lang: Lang) -> str:
    """What a new interview opens with: a fresh engine's first question on an empty map."""
    return opening_text(Engine().next_question(JourneyMap(lang=lang), lang), lang)
