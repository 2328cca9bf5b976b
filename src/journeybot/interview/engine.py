"""The phase engine: a pure state machine over the journey map and the method data.

It knows the current phase, which question to ask next (the phase's questions, then its follow-ups,
skipping what the map already holds), what the phase's exit check still misses, and the user's moves:
``next``, ``back``, ``skip``, jump to a phase. The interview is done once it has gone past the last
phase (priorities). It imports only the domain and the method: it never knows which model runs.

Phases whose questions hold ``{stage}`` are asked stage by stage; ``{touchpoint}`` touchpoint by
touchpoint. Which question the map already answers is data: prompts/interview/engine.yaml.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..domain.journey_map import JourneyMap, Lang, Stage
from ..i18n import typography
from ..method import catalog
from ..method.gates import SELECTORS, GateResult, check_gate
from ..method.model import PHASE_IDS, Phase, PhaseId, QuestionSpec
from ..resources import load_yaml, prompts_dir

QuestionKind = Literal["question", "follow_up", "generic"]


class EngineState(BaseModel):
    """Everything needed to resume the engine exactly (saved as JSON with the session).

    Question keys are ``phase/question_id@focus`` (``framing/bounds@``, ``touchpoints/where@<stage id>``):
    version 2. Version 1 keys named questions by position (``framing/question2@``); ``migrate_state``
    rewrites them."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[2] = 2
    phase: PhaseId | None = Field(default="framing", description="current phase; None once done")
    current: str | None = Field(default=None, description="key of the question awaiting an answer")
    asked: list[str] = Field(default_factory=list, description="keys of questions asked or skipped")
    revisit: PhaseId | None = Field(
        default=None, description="phase entered by an explicit move: ask even what the map holds"
    )
    left_unmet: list[PhaseId] = Field(
        default_factory=list, description="phases left while their exit check was not met"
    )
    answers: dict[str, int] = Field(default_factory=dict, description="answers given per phase")
    shown: int = Field(default=0, description="questions shown to the user so far")
    reasked: int = Field(default=0, description="questions shown while the map already held their answer")


_V1_KEY = re.compile(r"^(?P<phase>[a-z_]+)/(?P<kind>question|follow_up|generic)(?P<index>\d+)@(?P<focus>.*)$")


def _v1_key(key: str, phases: Sequence[Phase]) -> str:
    m = _V1_KEY.match(key)
    if m is None:
        return key
    phase = next((p for p in phases if p.id == m["phase"]), None)
    if m["kind"] == "generic" or phase is None:
        return f"{m['phase']}/generic@{m['focus']}"
    pool = phase.questions if m["kind"] == "question" else phase.follow_ups
    index = int(m["index"])
    qid = pool[index].id if index < len(pool) else f"{m['kind']}{index}"
    return f"{m['phase']}/{qid}@{m['focus']}"


def migrate_state(data: dict[str, Any], phases: Sequence[Phase] | None = None) -> dict[str, Any]:
    """A saved engine state of any version as the current version (question keys by id)."""
    if data.get("version", 1) >= 2:
        return data
    # version 1 counted the questions that existed then: not the conditional ones added since (ask_when)
    pool = tuple(p.model_copy(update={"questions": [q for q in p.questions if not q.ask_when]})
                 for p in (tuple(phases) if phases is not None else catalog.phases()))
    out = dict(data)
    out["version"] = 2
    if out.get("current"):
        out["current"] = _v1_key(out["current"], pool)
    out["asked"] = [_v1_key(k, pool) for k in out.get("asked", [])]
    return out


@dataclass(frozen=True)
class Question:
    """A question to show the user, already in their language."""

    key: str
    phase: PhaseId
    kind: QuestionKind
    id: str
    """The question's id in its phase (``bounds``; ``generic`` for a phase's catch-all question)."""
    text: str
    phase_title: str
    phase_number: int
    phase_count: int
    focus: str | None = None
    """The stage (or touchpoint) name the question is about, if any."""
    focus_id: str | None = None
    fills: tuple[str, ...] = ()
    """What an answer to it gives (the phase's reading keys)."""


@dataclass(frozen=True)
class _Candidate:
    kind: QuestionKind
    spec: QuestionSpec
    focus_id: str | None = None
    focus: str | None = None

    @property
    def key_suffix(self) -> str:
        return f"{self.spec.id}@{self.focus_id or ''}"


StageCounter = Callable[[Stage], int]
_STAGE_COUNTERS: dict[str, StageCounter] = {
    "stage.touchpoints": lambda s: len(s.touchpoints),
    "stage.emotion": lambda s: int(s.emotion is not None),
    "stage.actions": lambda s: len(s.actions),
    "stage.expectations": lambda s: len(s.expectations),
    "stage.pain_points": lambda s: len(s.pain_points),
    "stage.positives": lambda s: len(s.positives),
    "stage.invisible": lambda s: sum(1 for t in s.touchpoints if t.invisible or t.ownership != "owned"),
}
_MAP_COUNTERS: dict[str, Callable[[JourneyMap], int]] = {
    **SELECTORS,
    "framing.journey_or_scope": lambda m: int(bool(m.framing.journey or m.framing.scope)),
    "framing.team_and_deliverable": lambda m: int(bool(m.framing.team and m.framing.deliverable)),
    "persona.motivations": lambda m: len(m.persona.motivations) if m.persona else 0,
    "persona.mixed": lambda m: int(m.persona is not None and len(m.persona.segments) >= 2),
    "persona.information_sources": lambda m: len(m.persona.information_sources) if m.persona else 0,
    "evidence.stated": lambda m: sum(1 for e in m.evidence if e.provenance != "inferred"),
    "evidence.verbatim": lambda m: sum(1 for e in m.evidence if e.provenance == "customer"
                                       and e.kind in ("verbatim", "review")),
    "evidence.quote_settled": lambda m: int(
        any(e.provenance == "customer" and e.kind in ("verbatim", "review") for e in m.evidence)
        or (any(e.provenance == "team" for e in m.evidence) and not any(e.provenance == "customer" for e in m.evidence))
    ),
    "moments_of_truth.kinded": lambda m: int(
        bool(m.moments_of_truth) and all(x.kind != "other" for x in m.moments_of_truth)
    ),
    "metrics.linked": lambda m: int(bool(list(m.metrics()))),
}
COUNTERS = frozenset(_STAGE_COUNTERS) | frozenset(_MAP_COUNTERS)
"""Every name a question's ``skip_when`` may use (checked by the tests against phases.yaml)."""


@cache
def _config() -> dict[str, Any]:
    data: dict[str, Any] = load_yaml(prompts_dir() / "interview" / "engine.yaml")
    return data


def _generic(phase_id: str) -> QuestionSpec | None:
    raw = _config().get("generic", {}).get(phase_id)
    return QuestionSpec.model_validate({"id": "generic", **raw}) if raw else None


def _owned_without_owner(journey: JourneyMap) -> list[tuple[str, str]]:
    return [(t.id, t.name) for *_, t in journey.touchpoints() if t.ownership == "owned" and not t.owner]


class Engine:
    """The phase state machine. Cheap to build: wrap a saved ``EngineState`` to resume."""

    def __init__(self, state: EngineState | None = None, *, phases: Sequence[Phase] | None = None):
        self.state = state or EngineState()
        self._phases: tuple[Phase, ...] = tuple(phases) if phases is not None else catalog.phases()
        self._ids: tuple[PhaseId, ...] = tuple(p.id for p in self._phases)

    # --- reading --------------------------------------------------------------------------

    @property
    def done(self) -> bool:
        return self.state.phase is None

    @property
    def phase(self) -> Phase | None:
        return None if self.state.phase is None else self._phase(self.state.phase)

    @property
    def phases(self) -> tuple[Phase, ...]:
        return self._phases

    def phases_passed(self) -> list[PhaseId]:
        """The phases the interview has gone past, in method order: every phase before the furthest
        one reached (a jump back does not undo them) and the phases left unmet; all once done. The map
        records them (``JourneyMap.phases_done``) so that a pitfall waits for the phase that could
        supply what it needs."""
        if self.done:
            return list(self._ids)
        reached = {key.split("/", 1)[0] for key in self.state.asked} | set(self.state.answers)
        reached.add(self.state.phase or self._ids[0])
        furthest = max(self._ids.index(p) for p in reached if p in self._ids)
        passed = set(self._ids[:furthest]) | set(self.state.left_unmet)
        return [p for p in self._ids if p in passed]

    def _phase(self, phase_id: str) -> Phase:
        for p in self._phases:
            if p.id == phase_id:
                return p
        raise KeyError(phase_id)

    def phase_number(self, phase_id: str) -> int:
        return self._ids.index(phase_id) + 1

    def missing(self, journey: JourneyMap, phase_id: str | None = None) -> list[GateResult]:
        """The conditions of the phase's exit check that the map does not meet yet."""
        pid = phase_id or self.state.phase
        if pid is None:
            return []
        return [r for r in check_gate(self._phase(pid), journey) if not r.met]

    def gate_report(self, journey: JourneyMap) -> list[tuple[Phase, list[GateResult]]]:
        """Every phase with its unmet exit conditions (empty list: the gate is met)."""
        return [(p, [r for r in check_gate(p, journey) if not r.met]) for p in self._phases]

    def current_question(self, journey: JourneyMap, lang: Lang) -> Question | None:
        """The question awaiting an answer, without moving (None if none is pending)."""
        if self.state.current is None or self.state.phase is None:
            return None
        for cand in self._candidates(self._phase(self.state.phase), journey):
            if self._key(cand) == self.state.current:
                return self._question(cand, lang, journey)
        # The map changed under the question (a stage renamed, an owner set): keep the question text.
        restored = self._from_key(self.state.current)
        return self._question(restored, lang, journey) if restored else None

    def next_question(self, journey: JourneyMap, lang: Lang) -> Question | None:
        """The question to ask now: the pending one, else the next one, moving through phases as
        they run out of questions. None once the interview is done."""
        while self.state.phase is not None:
            q = self.question_in_phase(journey, lang)
            if q is not None:
                return q
            self._leave(journey, forward=True)
        return None

    def question_in_phase(self, journey: JourneyMap, lang: Lang) -> Question | None:
        """The pending question, else the next question of the current phase; None when the phase has
        none left (the engine stays in the phase: ``next_question`` is what moves on)."""
        if self.state.phase is None:
            return None
        if self.state.current is not None:
            q = self.current_question(journey, lang)
            if q is not None:
                return q
            self.state.current = None
        phase = self._phase(self.state.phase)
        for cand in self._candidates(phase, journey):
            key = self._key(cand)
            if key in self.state.asked or self._already_held(phase, cand, journey):
                continue
            self.state.current = key
            self.state.shown += 1
            if self.held(key, journey):
                self.state.reasked += 1
            return self._question(cand, lang, journey)
        return None

    # --- the user's moves ---------------------------------------------------------------------

    def answered(self) -> PhaseId | None:
        """Record that the pending question got an answer; returns the phase it belonged to."""
        pid = self.state.phase
        if self.state.current is not None:
            self._mark(self.state.current)
            self.state.current = None
        if pid is not None:
            self.state.answers[pid] = self.state.answers.get(pid, 0) + 1
        # A phase gone back to asks its first question even if the map holds it; once the user has
        # answered there, what the map holds (now or from that answer) is not asked again.
        if self.state.revisit == pid:
            self.state.revisit = None
        return pid

    def skip(self) -> None:
        """Leave the pending question unanswered and go on with the next one."""
        if self.state.current is not None:
            self._mark(self.state.current)
            self.state.current = None

    def next(self, journey: JourneyMap) -> None:
        """Leave the current phase for the next one (its unmet exit check is remembered)."""
        if self.state.phase is not None:
            self._leave(journey, forward=True)

    def back(self, journey: JourneyMap) -> None:
        """Go back to the previous phase (or restart the last one once done)."""
        if self.state.phase is None:
            self.jump(self._ids[-1])
            return
        i = self._ids.index(self.state.phase)
        self.jump(self._ids[max(0, i - 1)])

    def jump(self, phase_id: str) -> None:
        """Go to a phase by id and ask its questions again, even those the map already answers."""
        if phase_id not in self._ids:
            raise KeyError(phase_id)
        pid: PhaseId = self._ids[self._ids.index(phase_id)]
        self.state.phase = pid
        self.state.current = None
        self.state.revisit = pid
        prefix = f"{pid}/"
        self.state.asked = [k for k in self.state.asked if not k.startswith(prefix)]

    def ensure_phase(self, phase_id: str) -> None:
        """Be in ``phase_id`` (headless runs feed each phase's answers in turn); no-op if already there.
        Unlike ``jump``, what was asked there stays asked and what the map holds stays skipped."""
        if self.state.phase != phase_id:
            if phase_id not in self._ids:
                raise KeyError(phase_id)
            self.state.phase = self._ids[self._ids.index(phase_id)]
            self.state.current = None
            self.state.revisit = None

    # --- internals ------------------------------------------------------------------------------

    def _leave(self, journey: JourneyMap, *, forward: bool) -> None:
        pid = self.state.phase
        if pid is None:
            return
        if self.missing(journey, pid):
            if pid not in self.state.left_unmet:
                self.state.left_unmet.append(pid)
        elif pid in self.state.left_unmet:
            self.state.left_unmet.remove(pid)
        if self.state.current is not None:
            self.state.current = None
        self.state.revisit = None
        i = self._ids.index(pid)
        self.state.phase = self._ids[i + 1] if forward and i + 1 < len(self._ids) else None

    def _mark(self, key: str) -> None:
        if key not in self.state.asked:
            self.state.asked.append(key)

    def _key(self, cand: _Candidate) -> str:
        return f"{self.state.phase}/{cand.key_suffix}"

    def _from_key(self, key: str) -> _Candidate | None:
        try:
            pid, rest = key.split("/", 1)
            qid, focus_id = rest.split("@", 1)
            phase = self._phase(pid)
        except (ValueError, KeyError):
            return None
        if qid == "generic":
            generic = _generic(pid)
            return _Candidate("generic", generic, focus_id or None) if generic else None
        spec = phase.question(qid)
        if spec is None:
            return None
        kind: QuestionKind = "question" if spec in phase.questions else "follow_up"
        return _Candidate(kind, spec, focus_id or None, None)

    def _candidates(self, phase: Phase, journey: JourneyMap) -> list[_Candidate]:
        per_stage = any("{stage}" in q.fr or "{stage}" in q.en for q in phase.questions)
        per_touchpoint = any("{touchpoint}" in q.fr or "{touchpoint}" in q.en for q in phase.questions)
        out: list[_Candidate] = []
        if per_stage:
            if journey.stages:
                for stage in journey.stages:
                    out += [_Candidate("question", q, stage.id, stage.name) for q in phase.questions]
            else:
                generic = _generic(phase.id)
                if generic is not None:
                    out.append(_Candidate("generic", generic))
        elif per_touchpoint:
            todo = _owned_without_owner(journey)
            if self.state.revisit == phase.id and not todo:
                todo = [(t.id, t.name) for *_, t in journey.touchpoints()]
            for tid, name in todo:
                out += [_Candidate("question", q, tid, name) for q in phase.questions]
            if not todo:
                generic = _generic(phase.id)
                if generic is not None and not any(True for _ in journey.touchpoints()):
                    out.append(_Candidate("generic", generic))
        else:
            out += [_Candidate("question", q) for q in phase.questions]
        out += [_Candidate("follow_up", q) for q in phase.follow_ups]
        # a question with ask_when exists only while the map shows what it is about
        return [c for c in out if not c.spec.ask_when or self._all_held(c.spec.ask_when, journey, None)]

    def held(self, key: str, journey: JourneyMap) -> bool:
        """True when ``journey`` already holds what the question ``key`` asks for."""
        cand = self._from_key(key)
        if cand is None or cand.kind == "generic" or not cand.spec.skip_when:
            return False
        stage = next((s for s in journey.stages if s.id == cand.focus_id), None)
        return self._all_held(cand.spec.skip_when, journey, stage)

    def _already_held(self, phase: Phase, cand: _Candidate, journey: JourneyMap) -> bool:
        needs = cand.spec.skip_when
        if cand.kind == "follow_up":
            if needs:
                return self._all_held(needs, journey, None)
            # A follow-up without its own check is asked while the phase's exit check is unmet.
            return not self.missing(journey, phase.id)
        if self.state.revisit == phase.id or cand.kind == "generic":
            return False
        stage = next((s for s in journey.stages if s.id == cand.focus_id), None)
        return bool(needs) and self._all_held(needs, journey, stage)

    @staticmethod
    def _all_held(needs: list[str], journey: JourneyMap, stage: Stage | None) -> bool:
        for name in needs:
            if name in _STAGE_COUNTERS:
                if stage is None or _STAGE_COUNTERS[name](stage) == 0:
                    return False
            elif _MAP_COUNTERS[name](journey) == 0:
                return False
        return True

    def _question(self, cand: _Candidate, lang: Lang, journey: JourneyMap) -> Question:
        phase = self._phase(self.state.phase or "framing")
        text = cand.spec(lang)
        focus = cand.focus or ""
        text = text.replace("{stage}", focus).replace("{touchpoint}", focus)
        if "{segments}" in text:
            groups = journey.persona.segments if journey.persona else []
            quoted = [f"« {g} »" if lang == "fr" else f'"{g}"' for g in groups]
            joined = (", ".join(quoted[:-1]) + (" et " if lang == "fr" else " and ") + quoted[-1]) if len(quoted) > 1 \
                else "".join(quoted)
            text = text.replace("{segments}", joined)
        text = typography(text, lang)  # the question as it is shown: « à la fin ? » with its no-break space
        return Question(
            key=self._key(cand),
            phase=phase.id,
            kind=cand.kind,
            id=cand.spec.id,
            text=text,
            phase_title=phase.title(lang),
            phase_number=self.phase_number(phase.id),
            phase_count=len(self._phases),
            focus=cand.focus,
            focus_id=cand.focus_id,
            fills=tuple(cand.spec.fills),
        )


def phase_ids() -> tuple[PhaseId, ...]:
    return PHASE_IDS
