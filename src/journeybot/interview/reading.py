"""What both readers share: the context of one answer, labelled spans, and the builders that turn
labelled spans into proposal changes.

Reading one answer is: **segment** (``segment.py``: lists, items, sentences, clauses; deterministic)
→ **label** (each span gets a field of the phase, a stage, a score: by the rules in ``rules.py`` or by
the model in ``agent.py``) → **build** (here: a labelled span becomes a change whose values are spans
of the answer, or a number, date or score read from one) → **ground** (``ground.py``: anything that is
not the user's words is dropped or marked ``inferred``). The model never writes a value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from ..domain.journey_map import JourneyMap, Lang, Provenance, Stage
from ..text import Span, cap, fold, sentence_spans
from . import words
from .engine import Question
from .proposal import (
    AddEvidence,
    AddMetric,
    AddMomentOfTruth,
    AddNote,
    AddPainPoint,
    AddStage,
    AddTouchpoint,
    Change,
    MoveStage,
    RemoveStage,
    RenameStage,
    SetEmotion,
    SetFraming,
    SetOwner,
    SetPersona,
    SetReviewDate,
)
from .segment import ListBlock, Segmentation, segment

NAME_CHARS = 80

LABELS: dict[str, tuple[str, ...]] = {
    "framing": ("objective", "question", "journey", "start", "end", "team", "deliverable", "other"),
    "persona": ("who", "context", "goal", "frustration", "objection", "trigger", "mood", "motive", "source", "other"),
    "evidence": ("customer", "quote", "internal", "other"),
    "stages": ("stage", "other"),
    "touchpoints": ("touchpoint", "other"),
    "experience": ("action", "thought", "feeling", "expectation", "other"),
    "pain_points": ("pain", "positive", "other"),
    "moments_of_truth": ("moment", "other"),
    "metrics": ("metric", "other"),
    "owners": ("owner", "other"),
    "priorities": ("opportunity", "scores", "action", "review", "other"),
}
"""What a span of an answer can be, per phase (the model picks one per span; the rules may give two)."""

PER_STAGE = frozenset({"touchpoints", "experience", "pain_points", "metrics", "moments_of_truth", "priorities"})
"""Phases whose spans are attached to a stage of the map."""


# --- small text helpers ------------------------------------------------------------------------


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


_ARTICLES = re.compile(r"^(?:(?:la|le|les|un|une|des|du|de la|de l'|the|a|an|our|notre|nos|son|sa|ses|their|its|"
                       r"his|her|leur|leurs|mon|ma|mes|my|ce|cette|ces|this|these)\s+|l['’]\s*|d['’]\s*)",
                       re.IGNORECASE)
_SUBJECTS = re.compile(
    r"^(?:elle|il|ils|elles|on|nous|je|j'|she|he|they|we|i|le client|la cliente|les clients|the customer|"
    r"the client|customers|clients|(?:[A-ZÀ-Ý][a-zà-ÿ]+)(?=\s+(?:va|fait|se|s'|passe|appelle|cherche|compare|"
    r"regarde|lit|reçoit|remplit|signe|laisse|demande|goes|calls|reads|looks|fills|signs|leaves|asks|gets)\b))\s+",
    re.IGNORECASE)
_FILLERS = re.compile(r"^(?:et|and|puis|then|alors|so|bon|bref|euh|enfin|donc|ensuite|après|also|aussi|"
                      r"ou|or|plus|sinon|otherwise|well|oh|ah|voilà|voila)\b[\s,]*", re.IGNORECASE)


_DETERMINERS = re.compile(r"^(?:(?:la|le|les|un|une|des|du|de la|the|a|an)\s+|l['’]\s*|d['’]\s*)", re.IGNORECASE)


def clean_span(source: str, span: Span, *, subject: bool = True, article: bool = True,
               possessive: bool = True) -> Span:
    """``span`` without leading fillers ("et puis", "bon"), subject pronouns ("elle", "the customer")
    and articles (and possessives, unless ``possessive`` is False: "ma carte est périmée" is the
    customer's own words): still a span of ``source``."""
    start, end = span.start, span.end
    for _ in range(4):
        text = source[start:end]
        m = _FILLERS.match(text) or (_SUBJECTS.match(text) if subject else None)
        if m and m.end() < len(text):
            start += m.end()
            continue
        break
    text = source[start:end]
    if article:
        m = (_ARTICLES if possessive else _DETERMINERS).match(text)
        elided = m is not None and m.group(0).rstrip().endswith(("'", "’"))
        if m and m.end() < len(text) and (len(text.split()) > 1 or elided):
            start += m.end()
    return Span.of(source, start, end)


def name_of(source: str, span: Span, n: int = 60) -> str:
    """A name from a span: without fillers, subject and article, capitalised, at most ``n`` characters."""
    return capitalise(cap(clean_span(source, span).text, n))


_SUFFIX = re.compile(r"(?:ements?|ations?|ings?|ers?|ez|ees?|ants?|ed|es|s|e)$")


_SAME = {"retr": "recu", "reti": "recu", "collect": "recu", "pick": "recu", "livr": "recu", "rece": "recu",
         "achat": "ache", "paie": "pay", "paym": "pay", "inscr": "insc", "rese": "rese", "boo": "book"}
"""Stems that name the same step of a journey (le retrait ~ je récupère; la livraison ~ je reçois)."""


def stem(word: str) -> str:
    """A light French/English stem: suffixes off, first 4 letters (buying ~ buy, récupère ~ récupérer),
    and a few words for the same step made one (retrait ~ récupère)."""
    if len(word) > 3:
        bare = _SUFFIX.sub("", word)
        word = bare if len(bare) >= 3 else word  # coming ~ come, homes ~ home
    key = word[:4]
    return _SAME.get(key, key)


def words_of(text: str) -> set[str]:
    """Content-word stems of a text (booking ~ book, dépôt ~ dépose, arrivant ~ arrive)."""
    return {stem(w) for w in re.findall(r"[a-z0-9]{3,}", fold(text)) if w not in _STOP_WORDS} - _STOP


_STOP_WORDS = {"les", "des", "une", "pour", "avec", "dans", "sur", "par", "est", "son", "ses", "qui", "que", "the", "and",
               "for", "with", "from", "that", "this", "they", "their", "she", "her", "his", "elle", "ils", "elles",
               "nous", "vous", "leur", "leurs", "mais", "tout", "tous", "toute", "plus", "tres", "are", "was", "has",
               "have", "had", "not", "pas", "aux", "its", "our", "nos", "notre", "votre", "vos", "your", "etape",
               "stage", "step", "phase", "moment", "quand", "when", "then", "puis", "ensuite", "apres", "after",
               "avant", "before", "lors", "during", "pendant", "mon", "mes", "all", "day", "jour", "fait", "faire"}
_STOP = {"les", "des", "une", "pour", "avec", "dans", "sur", "par", "est", "son", "ses", "qui", "que", "the",
         "and", "for", "with", "from", "that", "this", "they", "their", "she", "her", "his", "elle", "ils",
         "elles", "nous", "vous", "leur", "leurs", "mais", "etre", "avoi", "tout", "tous", "toute", "plus",
         "tres", "tra", "are", "was", "has", "have", "had", "not", "pas", "aux", "its", "our", "nos", "notr",
         "votre", "vos", "your", "etape", "stage", "step", "phase", "etap", "moment", "momen", "quand", "when",
         "then", "puis", "ensu", "apres", "after", "avant", "befor", "lors", "duran", "pendan"}


# --- stages named in an answer -----------------------------------------------------------------


_STAGE_CUE = re.compile(
    r"^(?:(?:et|and|puis|then|ensuite|alors|bon|ok|okay)\s+)?(?:(?:à|a|au|aux|pour|dans|lors de|pendant|sur|en|"
    r"au moment de|au moment du|au moment des|au niveau de|au niveau du|du côté de|côté|concernant|"
    r"quant à|pour ce qui est de|at|for|in|on|during|when it comes to|about|regarding|as for|at the time of)"
    r"\s+)?(?:l'|le\s+|la\s+|les\s+|the\s+|un\s+|une\s+)?(?:(?:étape|etape|phase|stage|step|moment)\s*"
    r"(?:n°\s*)?(?:\d{1,2}\s*)?(?:[«\"'“]\s*)?)?", re.IGNORECASE)


class StageFinder:
    """Finds the stage of the map a span is about: its name, or its distinctive words, said at the start
    of the span ("Devis : ...", "Au moment de l'essai, ...", "For booking, ..."), or anywhere with
    ``anywhere``."""

    def __init__(self, stages: Sequence[Stage]):
        self.stages = list(stages)
        self._words = [words_of(s.name) for s in self.stages]
        counts: dict[str, int] = {}
        for ws in self._words:
            for w in ws:
                counts[w] = counts.get(w, 0) + 1
        self._counts = counts

    def named(self, text: str, *, anywhere: bool = False, window: int = 7, near: Stage | None = None) -> Stage | None:
        """The stage ``text`` names (at its start, or anywhere with ``anywhere``); between stages named
        by the same words ("commande": "Je fais ma commande", "Je repasse commande"), the first one from
        ``near`` on."""
        if not self.stages:
            return None
        folded = fold(text)
        # an exact name, whole words
        for stage in sorted(self.stages, key=lambda s: -len(s.name)):
            key = fold(stage.name).strip()
            if len(key) < 3:
                continue
            m = re.search(rf"(?<!\w){re.escape(key)}(?!\w)", folded)
            if m and (anywhere or self._near_start(folded, m.start(), window)):
                return stage
        # a heading before a colon that opens a stage's name ("day-to-day: the alerts" → "Day-to-day commuting")
        heading = re.match(r"^\W*(?:(?:the|le|la|les|l')\s*)?([^:;,.]{3,40}?)\s*:", folded)
        if heading is not None:
            opened = [st for st in self.stages if fold(st.name).strip().startswith(heading.group(1).strip())]
            if len(opened) == 1:
                return opened[0]
        # distinctive words of a name near the start (or anywhere)
        cue = _STAGE_CUE.match(text)
        head = folded[cue.end() if cue else 0:]
        raw_words = [w for w in re.findall(r"[a-z0-9]{3,}", head) if w not in _STOP_WORDS]
        head_words = [stem(w) for w in raw_words]
        scope = head_words if anywhere else head_words[:window]
        scored: list[tuple[float, int, Stage]] = []
        first_at: dict[int, int] = {}
        for index, (stage, ws) in enumerate(zip(self.stages, self._words, strict=True)):
            if not ws:
                continue
            hit = [w for w in ws if w in scope]
            if not hit:
                continue
            first_at[index] = min(scope.index(w) for w in hit)
            # words shared with other stages count less; most of the name (or a rare word) must be there
            score = sum(1.0 / self._counts[w] for w in hit) / max(1.0, sum(1.0 / self._counts[w] for w in ws))
            distinctive = any(self._counts[w] == 1 and len(w) >= 4 for w in hit)
            shared_only = all(self._counts[w] > 1 for w in hit)
            if score >= 0.5 or (distinctive and len(ws) <= 3) or (shared_only and len(hit) == len(ws) - 1 and
                                                                  len(ws) <= 2) or (shared_only and score >= 0.3):
                scored.append((score, index, stage))
        if not scored:
            return None
        opening = [x for x in scored if first_at[x[1]] <= 2 and len(raw_words[first_at[x[1]]]) >= 5]
        if opening and not anywhere:  # the stage named in the opening words is the heading ("Le dépôt, c'est...")
            scored = opening
        best = max(s for s, _, _ in scored)
        tied = [(i, st) for s, i, st in scored if s >= best - 1e-9]
        if len(tied) > 1:
            # the stage named first in the text ("Le dépôt, c'est d'abord la salle d'attente")
            earliest = min(first_at[i] for i, _ in tied)
            tied = [(i, st) for i, st in tied if first_at[i] == earliest]
        if len(tied) > 1 and near is not None and near in self.stages:
            start = self.stages.index(near)
            after = [(i, st) for i, st in tied if i >= start]
            return (after or tied)[0][1]
        return tied[0][1]

    def by_touchpoint(self, text: str, journey: JourneyMap) -> Stage | None:
        """The stage of the touchpoint ``text`` names ("the air audit, customers love it" → the stage
        where the air audit is)."""
        said = words_of(text)
        best, best_score = None, 0.0
        for _, stage, _, tp in journey.touchpoints():
            name = words_of(tp.name)
            if not name:
                continue
            score = len(name & said) / len(name)
            if score > best_score:
                best, best_score = stage, score
        if best is None or best_score < 0.6:
            return None
        return next((s for s in self.stages if s.id == best.id), None)

    def by_notes(self, text: str, journey: JourneyMap) -> Stage | None:
        """The stage whose notes (what the persona does, thinks, expects, its emotion and touchpoint
        words) share a distinctive word with ``text`` ("the breakfast with local produce" → the stage
        whose experience said "the breakfast"); a word said early counts more (it is what the text is
        about); None when no stage clearly wins."""
        order = [stem(w) for w in re.findall(r"[a-z0-9]{5,}", fold(text)) if w not in _STOP_WORDS]
        said = set(order)
        if not said:
            return None
        scored: list[tuple[float, Stage]] = []
        for stage in journey.stages:
            bag: set[str] = set()
            for note in (*stage.actions, *stage.thoughts, *stage.expectations):
                bag |= words_of(note.text)
            if stage.emotion is not None:
                bag |= words_of(stage.emotion.label)
            for tp in stage.touchpoints:
                bag |= words_of(tp.name)
            score = sum(1.0 / (1 + order.index(w)) for w in said & bag)
            if score:
                scored.append((score, stage))
        scored.sort(key=lambda x: -x[0])
        if not scored or (len(scored) > 1 and scored[0][0] < 2 * scored[1][0]):
            return None
        return next((s for s in self.stages if s.id == scored[0][1].id), None)

    @staticmethod
    def _near_start(folded: str, pos: int, window: int) -> bool:
        before = folded[:pos]
        cue = _STAGE_CUE.match(folded)
        if cue is not None and pos <= cue.end() + 2:
            return True
        return len(re.findall(r"\w+", before)) <= window // 2


@dataclass(frozen=True)
class Labelled:
    """A span of the answer with what it is (one or more labels of the phase), the stage it is about,
    and a score read for it (an emotion from −2 to +2)."""

    span: Span
    labels: tuple[str, ...]
    stage: str | None = None
    score: int | None = None
    strong: bool = True
    """True when words of the span say what it is; False for a default (the question asked)."""
    place: tuple[str, str] | None = None
    """For a stage the user places among the map's ("entre A et B, il y a X"): ("after", A) or ("before", B)."""

    @property
    def label(self) -> str:
        return self.labels[0] if self.labels else "other"


@dataclass
class Context:
    """One answer and what it is read against."""

    text: str
    phase: str
    journey: JourneyMap
    """The map with the proposals still waiting for the user applied (what the user has said so far)."""
    lang: Lang
    question: Question | None = None
    """The question this answer replies to (the chat); None for an answer given to the phase (headless)."""
    shown: Question | None = None
    """The question shown when the answer came (its stage is the default stage, bound or not)."""
    seg: Segmentation = field(init=False)
    provenance: Provenance = "team"

    def __post_init__(self) -> None:
        asked = self.question.id if self.question is not None else None
        self.seg = segment(self.text, list_asked=self.phase == "stages" and asked in (None, "list"))
        self.provenance = provenance_of(self.text, self.phase, self.journey)

    @property
    def asks(self) -> tuple[str, ...]:
        """What the question answered asks for (its ``fills``); empty when the answer is not bound."""
        return self.question.fills if self.question is not None else ()

    @property
    def qid(self) -> str | None:
        return self.question.id if self.question is not None else None

    @property
    def focus(self) -> Stage | None:
        q = self.question or self.shown
        if q is None or not q.focus_id:
            return None
        return next((s for s in self.journey.stages if s.id == q.focus_id), None)

    def finder(self) -> StageFinder:
        return StageFinder(self.journey.stages)

    def units(self) -> list[Span]:
        """The spans this phase labels, in the answer's order: the items of the answer's lists that are
        lists by their shape (or by the count announced), and the other sentences (cut at their clauses,
        except for phases whose sentences hold one fact each)."""
        lists = [lst for lst in self.seg.lists if lst.strong]
        out: list[Span] = [i.span for lst in lists for i in lst.items]
        whole = self.phase in ("evidence", "metrics", "moments_of_truth", "owners", "priorities", "persona")
        from .segment import clauses

        for sentence in sentence_spans(self.text, semicolons=self.phase != "evidence"):
            if any(lst.start <= sentence.start < lst.end or sentence.start <= lst.start < sentence.end for lst in lists):
                # the part of the sentence around a list: its intro is not a unit; what follows is
                rest = _outside(self.text, sentence, lists)
                out += rest if whole else [c for r in rest for c in clauses(self.text, r)]
                continue
            out += [sentence] if whole else clauses(self.text, sentence)
        intros = [lst.intro for lst in lists if lst.intro is not None]
        out = [u for u in out if not any(i.start <= u.start and u.end <= i.end + 1 for i in intros)]
        return sorted(out, key=lambda s: s.start)


def _outside(source: str, sentence: Span, lists: Sequence[ListBlock]) -> list[Span]:
    """The parts of ``sentence`` outside the given lists (and their intros), as spans of ``source``."""
    parts = [(sentence.start, sentence.end)]
    for lst in lists:
        cut = []
        for a, b in parts:
            if lst.end <= a or lst.start >= b:
                cut.append((a, b))
                continue
            if a < lst.start:
                cut.append((a, lst.start))
            if lst.end < b:
                cut.append((lst.end, b))
        parts = cut
    return [span for span in (Span.of(source, a, b) for a, b in parts if b > a) if span.text]


def provenance_of(text: str, phase: str, journey: JourneyMap) -> Provenance:
    """``customer`` when the answer cites customers (or is customer evidence), else ``team``; an answer
    that says the material is the team's own ("nos ateliers", "we think") is ``team``."""
    if words.says("internal_cues", text) or words.says("no_evidence", text):
        return "team"
    if phase == "evidence" or words.says("customer_cues", text):
        return "customer"
    return "team"


# --- builders: labelled spans -> changes --------------------------------------------------------


def _quote(span: Span) -> str:
    return cap(span.text, 600)


def build(ctx: Context, items: Sequence[Labelled]) -> list[Change]:
    """The changes the labelled spans stand for (values are spans of the answer)."""
    builder = _BUILDERS.get(ctx.phase)
    return builder(ctx, list(items)) if builder else []


_JOURNEY = re.compile(r"\b(?:parcours|journey|trajet client|expérience)\b", re.IGNORECASE)
_OBJECTIVE_LEAD = re.compile(r"\b(?:pour|afin de|afin d'|to understand|to find out|to see|in order to|so that|pour que|"
                             r"parce que|because)\b", re.IGNORECASE)


def _after(source: str, span: Span, m: re.Match[str] | None) -> Span:
    if m is None:
        return span
    return span.sub(source, m.end(), len(span.text))


def _framing(ctx: Context, items: list[Labelled]) -> list[Change]:
    """One framing change. Within an answer the best-said objective wins and, for where the journey
    starts and ends, the LAST thing said (people correct themselves: "it ends when he's discharged.
    Well, no... it ends when he's back on the bike"). A field the map already holds is only replaced
    by an answer to the question that asks for it."""
    from . import framing as fr

    change = SetFraming(provenance=ctx.provenance, quote=cap(ctx.text, 600))
    src = ctx.text
    held = ctx.journey.framing
    asks = set(ctx.asks)

    def may(key: str) -> bool:
        return not getattr(held, key) or key in asks

    best_objective = 0
    for item in items:
        span = item.span
        for label in item.labels:
            if label in ("objective", "question"):
                objective, question = fr.split_question(src, span)
                if objective is not None and label == "objective" and may("objective"):
                    score = fr.objective_score(objective.text) + (1 if item.strong else 0)
                    if score > best_objective or change.objective is None:
                        best_objective = max(score, best_objective)
                        change.objective = cap(objective.text, 600)
                if question is not None and may("business_question") and not change.business_question:
                    change.business_question = cap(question.text, 600)
            elif label == "journey" and may("journey"):
                body = fr.journey(src, span)
                if body is None and "journey" in ctx.asks and not fr.journey_word(span.text):
                    body = span  # asked "which journey?", the user names it: "Car rental for the holidays."
                if body is not None and not change.journey:
                    change.journey = capitalise(cap(body.text, 160))
                change.scope = _scope(span.text) or change.scope
            elif label in ("start", "end"):
                start, end = fr.bounds(src, span)
                if start is None and end is None:
                    plain = clean_span(src, span, subject=False, article=False)
                    start, end = (plain, None) if label == "start" else (None, plain)
                # the first said wins, unless the person corrects it ("well, no: it ends when...")
                sentence_start = max(src.rfind(". ", 0, span.start), src.rfind("\n", 0, span.start), -1) + 1
                window = src[max(0, min(span.start - 40, max(sentence_start, span.start - 160))):span.start + 20]
                corrects = fr.CORRECTION.search(window) is not None  # "So it starts when …, and it ends when …"
                if start is not None and may("start") and (change.start is None or
                                                           (corrects and fr.replaces(change.start, start.text))):
                    change.start = cap(start.text, 300)
                if end is not None and may("end") and (change.end is None or
                                                       (corrects and fr.replaces(change.end, end.text))):
                    change.end = cap(end.text, 300)
            elif label == "team":
                change.team += [t for t in _team_names(src, span, ctx.lang) if t not in change.team]
            elif label == "deliverable" and (may("deliverable")):
                m = re.search(r"(?:livrable|deliverable|attend(?:ons|ez|s|u|ue)?|expect(?:ed|ing)?|obtenir|produire|produce|"
                              r"à la fin|at the end|end up with|en sortir|out of it|veut|voudrait|want|would like)\s*"
                              r"(?:attendu|expected|est|is|c'est|:|,)?\s*(?:c'est|it's|is|:|ben|well)?\W*",
                              span.text, re.IGNORECASE)
                body = _after(src, span, m) if m and m.end() < len(span.text) - 3 else span
                if not change.deliverable:
                    change.deliverable = cap(body.text, 300)
    if not any([change.objective, change.business_question, change.journey, change.scope, change.start, change.end,
                change.team, change.deliverable]):
        return []
    return [change]


def _scope(text: str) -> Literal["macro", "specific"] | None:
    f = fold(text)
    if re.search(r"\b(?:complet|global|entier|bout en bout|de a a z|whole|end to end|entire|full|macro|tout le parcours)\b", f):
        return "macro"
    if re.search(r"\b(?:onboarding|inscription|souscription|sign.?up|specifique|specific|precis|moment precis|partie|"
                 r"part of|resiliation|livraison|sinistre|claim|retour|return|renouvellement|renewal|premier mois|"
                 r"first month|installation|commande|order|reservation|booking)\b", f):
        return "specific"
    return None


_TEAM_LEAD = re.compile(r"(?:l'équipe|l'equipe|équipe|equipe|team|service|pôle|pole|direction|département|department)\s+",
                        re.IGNORECASE)


_ME = re.compile(r"^(?:moi|me|myself|i|je|moi-même|et moi|and me|nous|us|we)$", re.IGNORECASE)


def _team_names(src: str, span: Span, lang: Lang) -> list[str]:
    """Who works on the map, in the user's words: the people or teams listed ("moi, la cheffe du
    service état civil et un agent d'accueil"), without "moi"."""
    del lang
    text = span.text
    m = re.search(r"(?::|\b(?:il y a|sont|is|are|it's|c'est|avec|with|dessus|on it|on this|team is|équipe est)\b\s*:?)\s*",
                  text, re.IGNORECASE)
    body = span.sub(src, m.end(), len(text)) if m and m.end() < len(text) - 2 else span
    names: list[str] = []
    for piece in re.split(r",\s*|\s+(?:et|and|plus|ainsi que|as well as)\s+|\s*[—–]\s*", body.text):
        piece = re.sub(r"\b(?:mostly|surtout|aussi|also|when they can.*|quand .*|which is never.*|qui .*)$", "", piece,
                       flags=re.IGNORECASE).strip(" .;:()")
        piece = re.sub(r"^(?:(?:la|le|les|l'|the|un|une|a|an|notre|nos|our|mon|ma|my)\s+|l['’])", "", piece,
                       flags=re.IGNORECASE).strip()
        if not piece or _ME.match(piece) or len(piece.split()) > 8 or re.match(r"^(?:i'm|i am|je suis)\b", piece, re.I):
            continue
        name = capitalise(cap(piece, 60))
        if fold(name) not in {fold(n) for n in names}:
            names.append(name)
    if names:
        return names[:8]
    found = []
    for start, end, _value in words.teams().find_all(text):
        found.append(capitalise(text[start:end]))
    return found[:8]


def _persona(ctx: Context, items: list[Labelled]) -> list[Change]:
    src = ctx.text
    change = SetPersona(provenance=ctx.provenance, quote=cap(src, 600))
    existing = ctx.journey.persona
    if ctx.qid == "pick" and existing is not None and len(existing.segments) >= 2:
        # "which one do we keep?": the answer names a group; the others wait for a map of their own
        picked = _picked(src, existing.segments)
        if picked is not None:
            return [change.model_copy(update={"set_aside": picked[1]})]
    for item in items:
        span = item.span
        for label in item.labels:
            if label == "who":
                name, rest = _persona_name(src, span)
                if name and (existing is None or ctx.qid == "who") and not change.name:
                    change.name = name
                desc = rest.text if rest is not None else None
                if desc and len(desc) > 3:
                    if change.description is None:
                        change.description = cap(desc, 600)
                    elif change.context is None:
                        change.context = cap(desc, 600)
            elif label == "context":
                if change.description is None and (existing is None or not existing.description):
                    change.description = cap(span.text, 600)
                elif change.context is None:
                    change.context = cap(span.text, 600)
            elif label == "goal":
                change.goals.append(cap(span.text, 300))
            elif label == "frustration":
                change.frustrations.append(cap(span.text, 300))
            elif label == "objection":
                change.objections.append(cap(span.text, 300))
            elif label == "trigger" and not change.trigger:
                change.trigger = cap(span.text, 300)
            elif label == "mood" and not change.state_of_mind:
                change.state_of_mind = cap(span.text, 300)
            elif label == "source":
                change.information_sources += [s for s in _sources(src, span) if s not in change.information_sources]
            if label in ("motive", "goal", "who", "context", "mood"):
                for *_, motive in words.keyed("soncas").find_all(span.text):
                    if (label == "motive" or _motive_said(span.text)) and motive not in change.motivations:
                            change.motivations.append(motive)
    if existing is None or len(existing.segments) < 2:
        groups = mixed_groups(src)
        also = _ALSO_FOR.search(src)
        if len(groups) < 2 and also is not None and ((existing is not None and existing.name) or change.name):
            # "Our persona is Chloe … But we also have to design for the Hendersons": a group beside the persona
            # (SetPersona puts the persona itself first)
            change.segments, change.beside = [cap(also.group("b").strip(), 60)], True
        elif len(groups) >= 2:
            change.segments = groups
    if change.name is None and existing is None:
        # a persona needs a name: the first words that name someone ("Les jeunes parents...")
        first = next((i.span for i in items if i.label in ("who", "context")), None)
        if first is not None:
            change.name = capitalise(cap(clean_span(src, first, subject=False).text, 60))
    data = change.model_dump(exclude={"id", "op", "provenance", "quote"})
    if not any(data.values()):
        return []
    return [change]


_ALSO_FOR = re.compile(
    r"\b(?:we|on|nous)\s+(?:(?:also|aussi)\s+)?(?:have to|need to|must|should|doit|devons|dois|faut)?\s*(?:(?:also|aussi)\s+)?"
    r"(?:design for|plan for|think about|serve|penser (?:à|a)|concevoir pour|servir)\s+"
    r"(?P<b>(?:the\s+[A-Z][\w'-]+s\b|(?:the |les |des |a second |un second |une seconde |un deuxième )?(?:families|parents|couples|"
    r"students|seniors|retirees|businesses|companies|professionals|pros|persona|familles|étudiants|retraités|entreprises|"
    r"professionnels)\b)[^,.;]{0,50})")
"""A second group the persona answer says the map must also serve: a second persona in one map."""


_GROUP_CONJ = re.compile(r"\s+(?:et|and|ou|or|&|\+)\s+", re.IGNORECASE)
_GROUP_EDGE = frozenset({
    "is", "are", "c'est", "sont", "for", "pour", "that's", "it's", "really", "vraiment", "mostly", "surtout",
    "who", "qui", "que", "that", "which", "with", "avec", "we", "nous", "on", "they", "ils", "elles", "both",
    "les deux", "à la fois", "mainly", "often", "souvent", "there", "y", "a", "ont", "have",
})


_GROUP_DETERMINERS = frozenset({"les", "des", "nos", "ces", "the", "our", "these", "their", "leurs", "de", "d'"})


def _group_words(piece: str, *, before: bool, limit: int = 3) -> str:
    """Up to ``limit`` words next to a conjunction, stopping at punctuation and at a verb or pronoun;
    before it, one more for a determiner ("les jeunes conducteurs")."""
    cut = re.split(r"[,;:.!?()—–]", piece)
    side = (cut[-1] if before else cut[0]).split()
    kept: list[str] = []
    for word in (reversed(side) if before else side):
        if fold(word) in _GROUP_EDGE or len(kept) == limit:
            if before and len(kept) == limit and fold(word) in _GROUP_DETERMINERS:
                kept.append(word)
            break
        kept.append(word)
    return " ".join(reversed(kept) if before else kept)


def mixed_groups(src: str) -> list[str]:
    """The two groups a persona answer puts in one persona ("les jeunes conducteurs et leurs parents",
    "teenage fans and their parents"), in the user's words: the two sides of a conjunction in a
    sentence that says several profiles (word list ``multi_segment``). Empty when none is said."""
    markers = words.flat("multi_segment").find_all(src)
    if markers:
        enumerated = _enumerated_groups(src)
        if enumerated:
            return enumerated
    for sentence in sentence_spans(src):
        near = [(s, e) for s, e, _ in markers if sentence.start <= s < sentence.end]
        if not near:
            continue
        for conj in _GROUP_CONJ.finditer(sentence.text):
            at = sentence.start + conj.start()
            if not any(s - 60 <= at <= e for s, e in near):
                continue
            b = _group_words(sentence.text[conj.end():], before=False)
            a = _group_words(sentence.text[:conj.start()], before=True, limit=max(1, len(b.split())))
            if a and b and fold(a) != fold(b) and not re.fullmatch(r"[\d\s]+", a + b):
                return [a, b]
    if markers:  # the groups named in a short sentence of their own: "Commuters and visitors, basically."
        for sentence in sentence_spans(src):
            body = re.sub(r"[,\s]*(?:basically|really|en gros|en fait|quoi|voila|in short|bref)[\s.!]*$", "",
                          sentence.text.strip(" .!"), flags=re.IGNORECASE)
            pair = re.fullmatch(r"(?P<a>[^,;:]{3,40}?)\s+(?:and|et|&|\+)\s+(?P<b>[^,;:]{3,40})", body)
            if pair and len(body.split()) <= 7 and fold(pair.group("a")) != fold(pair.group("b")):
                return [pair.group("a").strip(), pair.group("b").strip()]
    return []


_FIRST_GROUP = re.compile(r"\b(?:one|first|firstly|on one side|un|une|premier|premiere|d'un cote|d'abord)\s*[:,]\s*")
_SECOND_GROUP = re.compile(r"\b(?:two|second|secondly|on the other side|the other|deux|deuxieme|second|seconde|"
                           r"de l'autre(?: cote)?|ensuite)\s*[:,]\s*")
_GROUP_END = re.compile(r",|;|\.|\s(?:say|like|such as|e\.g\.|disons|comme|par exemple|who|qui)\s")


def _enumerated_groups(src: str) -> list[str]:
    """Two groups said one after the other after a word that announces several: "two kinds of bookers.
    One: couples planning their own wedding, say Priya... Two: professional wedding planners like Jo"."""
    folded = fold(src)
    first = _FIRST_GROUP.search(folded)
    second = _SECOND_GROUP.search(folded, first.end()) if first else None
    if first is None or second is None:
        return []
    out = []
    for m in (first, second):
        end = _GROUP_END.search(folded, m.end())
        group = src[m.end():end.start() if end else min(len(src), m.end() + 60)].strip()
        if not group or len(group.split()) > 8:
            return []
        out.append(group)
    return out if fold(out[0]) != fold(out[1]) else []


def _picked(src: str, segments: Sequence[str]) -> tuple[str, list[str]] | None:
    """Which of the persona's groups the answer keeps for this map (the one it names first after a
    "keep" word, else the first it names), and the others."""
    def said(group: str) -> int | None:
        heads = [w for w in re.findall(r"[\w'’-]+", fold(group)) if len(w) > 3] or [fold(group)]
        at = [m.start() for h in heads for m in re.finditer(rf"\b{re.escape(h[:-1] if h.endswith('s') else h)}", fold(src))]
        return min(at) if at else None

    named = sorted((pos, g) for g in segments if (pos := said(g)) is not None)
    if not named:
        return None
    keep = re.search(r"\b(?:gard\w*|prenons|prend\w*|on part sur|choisi\w*|retien\w*|keep|take|pick|go with|choose|"
                     r"focus\w*|stick with|plutot)\b", fold(src))
    if keep is not None:
        after = [(pos, g) for pos, g in named if pos >= keep.start()]
        named = after or named
    chosen = named[0][1]
    return chosen, [g for g in segments if g != chosen]


def _motive_said(text: str) -> bool:
    return re.search(r"\b(?:motiv\w*|compte|important\w*|priorit\w*|avant tout|surtout|above all|matters?|cares? about|"
                     r"driven by|values?)\b", fold(text)) is not None


_NAME_CUES = re.compile(r"(?i:s'appelle|s’appelle|appelons[- ]la|appelons[- ]le|on l'appelle|nommée?|prénommée?|named|"
                        r"call (?:her|him|them)|let's call (?:her|him|them)|disons|let's say|say|c'est|it's|persona\s*:|"
                        r"voici|meet|this is|prenons|imaginons|take|let's take|"
                        r"persona (?:is|est|would be|will be|sera|serait)|persona,? (?:c'est|ce serait|ce sera)|"
                        r"(?:her|his|their) name is|son (?:nom|prénom) (?:est|c'est)|name's)\s+"
                        r"(?P<name>(?:M\.|Mme|Mlle|Mr\.?|Mrs\.?|Ms\.?|Dr\.?)?\s*[A-ZÀ-Ý][\w’'-]+(?:\s+[A-ZÀ-Ý][\w’'-]+)?)")
_LEAD_NAME = re.compile(r"^\s*(?P<name>(?:M\.|Mme|Mlle|Mr\.?|Mrs\.?|Ms\.?|Dr\.?)\s*[A-ZÀ-Ý][\w’'-]+|[A-ZÀ-Ý][\w’'-]+"
                        r"(?:\s+[A-ZÀ-Ý]\.|\s+[A-ZÀ-Ý][a-zà-ÿ’'-]+(?=\s*,\s*\d))?)(?=\s*(?:$|,|\(|\s+est\b|\s+is\b|\s+a\b|\s+has\b|\s+-|\s+—|\s+\d|\s+vit\b|"
                        r"\s+lives\b|\s+travaille\b|\s+works\b|:))")
_NAME_AGE = re.compile(r"(?P<name>(?:M\.|Mme|Mlle|Mr\.?|Mrs\.?|Ms\.?|Dr\.?)?\s*[A-ZÀ-Ý][\w'’-]+)\s*,\s*\d{1,3}\b")
_NOT_NAMES = {"elle", "il", "c'est", "une", "un", "le", "la", "les", "she", "he", "it", "the", "a", "an", "our",
              "notre", "nos", "mon", "ma", "this", "cette", "ce", "nous", "we", "they", "ils", "elles", "pour",
              "for", "persona", "disons", "let's", "say", "alors", "bon", "ok", "oui", "yes", "so", "well", "donc",
              "bref", "voila", "typiquement", "typically", "souvent", "often", "one", "two", "three", "first", "second",
              "deux", "trois", "premier", "premiere", "deuxieme", "seconde", "d'abord", "ensuite",
              "maybe", "perhaps", "peut-etre", "hmm", "euh", "um"}


def _persona_name(src: str, span: Span) -> tuple[str | None, Span | None]:
    """The persona's name said in the span, and the rest of it (their description)."""
    text = span.text
    found = (_LEAD_NAME.match(text), _NAME_CUES.search(text), _NAME_AGE.search(text))
    m = next((x for x in found if x and fold(x.group("name").split()[0]).strip(".") not in _NOT_NAMES), None)
    if m:
        name = cap(m.group("name").strip(), 60)
        rest = span.sub(src, m.end("name"), len(text))
        before = span.sub(src, 0, m.start("name")) if m.start("name") > 0 else None
        if before is not None and len(before.text.split()) > 3 and not _NAME_CUES.search(text):
            rest = span
        return name, rest if rest.text else None
    return None, span


_SOURCE_LEAD = re.compile(r"^(?:(?:et|and)\s+)?(?:(?:elle|il|ils|elles|she|he|they)\s+)?(?:s'informe\w*|se renseigne\w*|"
                          r"s'inspire\w*|regarde|lit|consulte|ecoute|écoute|demande(?:\s+conseil)?|fait confiance|se fie|"
                          r"passe par|va sur|checks?|reads?|looks? at|asks?|trusts?|relies on|listens to|goes to|uses?|watches|"
                          r"hears about things|talks to|lives on|follows|scrolls)\b\s*(?:surtout|d'abord|beaucoup|aussi|"
                          r"mostly|mainly|first|also)?\s*(?:auprès de|aupres de|auprès d'|sur|dans|via|par|from|on|in|to|at|"
                          r"à|a)?\s*", re.IGNORECASE)


def _sources(src: str, span: Span) -> list[str]:
    """Information sources listed in a span ("sur les comparateurs, les avis Google et auprès de sa sœur")."""
    out: list[str] = []
    for raw in re.split(r",\s*|;\s*|\s+(?:et|and|ou|or|puis|then|plus)\s+", span.text):
        piece = raw.strip(" .")
        for _ in range(3):
            m = _SOURCE_LEAD.match(piece)
            if m is None or m.end() == 0:
                break
            piece = piece[m.end():]
        piece = re.split(r",?\s+(?:qui|who|which|that's about it|avec|with)\b", piece)[0]
        piece = re.sub(r"^(?:(?:la|le|les|l'|the|un|une|des|a|an)\s+|l['’]|d['’])", "", piece.strip(), flags=re.IGNORECASE)
        piece = piece.strip(" .:")
        if len(piece) < 2 or re.match(r"^(?:c'est tout|that's about it|that's it|not|pas)\b", piece, re.IGNORECASE):
            continue
        out.append(capitalise(cap(piece, 80)))
    return out[:8]


_KINDS = ("interview", "survey", "ticket", "review", "frontline", "analytics", "verbatim", "other")


def _evidence(ctx: Context, items: list[Labelled]) -> list[Change]:
    out: list[Change] = []
    kinds = words.keyed("evidence_kinds")
    for item in items:
        span = item.span
        label = item.label
        if label == "other":
            continue
        text = span.text
        kind = "verbatim" if label == "quote" else (kinds.first(text) or "other")
        provenance: Provenance = "team" if label == "internal" else "customer"
        source = _source_in(text)
        date = None
        from ..text import find_date

        found = find_date(text, ctx.journey.created)
        if found:
            date = found[0] if found[0] <= ctx.journey.created else None
        score = None
        m = re.search(r"\b(?:nps|csat|ces)\b\D{0,12}([+\-−]?\d+(?:[.,]\d+)?)", fold(text))
        if m:
            from ..text import to_float

            score = to_float(m.group(1))
        out.append(AddEvidence(kind=kind if kind in _KINDS else "other", text=text[:20_000], source=source, date=date,
                               score=score, provenance=provenance, quote=_quote(span)))
    return out


_SOURCE = re.compile(
    r"(?:\(\s*)?(?:source\s*:?\s*|sources\s*:\s*|selon\s+|d'après\s+|d’après\s+|according to\s+|per\s+|from\s+(?:our|the)\s+|"
    r"mesuré(?:e|s)? par\s+|measured by\s+|via\s+|issu(?:e|es|s)? de\s+|tiré(?:e|s)? de\s+|dans\s+(?:le|la|l'|nos|notre)\s*|"
    r"in\s+(?:the|our)\s+|sur\s+(?:le|la|l')\s*)(?P<src>[^.;)\n]{2,80})", re.IGNORECASE)


def _source_in(text: str) -> str | None:
    m = _SOURCE.search(text)
    if not m:
        return None
    src = re.split(r",\s*(?:sur|over|on|pour|for|depuis|since|en|in)\b|\s+(?:sur|over)\s+(?:les|the)\s+\d", m.group("src"))[0]
    return cap(src.strip(" :,"), 80) or None


def _stages(ctx: Context, items: list[Labelled]) -> list[Change]:
    """New stages in the answer's order; a stage already in the map is not added again. Lifecycle:
    what the user says ("Booking is the purchase", "the stay and the check-up come after"), else by the
    words of the names and their order (what comes before the purchase is before it, after it after)."""
    from .lifecycle import lifecycles
    from .segment import find_item

    src = ctx.text
    existing = [s.name for s in ctx.journey.stages]
    new: list[tuple[str, str | None, Span, tuple[str, str] | None]] = []
    for item in items:
        if item.label != "stage":
            continue
        name, desc = _stage_name(src, item.span)
        if len(name) < 2 or any(fold(name) == fold(n[0]) for n in new):
            continue
        same = find_item(existing, name)
        if same is not None and _similar(existing[same], name):
            continue
        new.append((name, desc, item.span, item.place))
    # the stages in their order once the new ones are in: a placed one where the user put it
    order: list[tuple[str, int | None]] = [(n, k) for k, n in enumerate(existing)]
    for j, (name, _desc, _span, place) in enumerate(new):
        at = len(order)
        if place is not None:
            ref = next((i for i, (n, _) in enumerate(order) if n == place[1]), None)
            if ref is not None:
                at = ref + 1 if place[0] == "after" else ref
        order.insert(at, (name, -1 - j))
    said_in_order = lifecycles(src, [n for n, _ in order], after_question=ctx.qid == "after")
    said: dict[int, str] = {}
    for i, said_life in said_in_order.items():
        k = order[i][1]
        if k is not None:
            said[k if k >= 0 else len(existing) + (-1 - k)] = said_life
    current = [s.lifecycle for s in ctx.journey.stages] + [None] * len(new)
    out: list[Change] = []
    for k, name in enumerate(existing):
        known = said.get(k)
        if known is not None and known != current[k]:
            out.append(AddStage(name=name, lifecycle=known, provenance=ctx.provenance, quote=cap(src, 600)))
    for item in items:
        if item.label == "rename" and item.stage:
            renamed, _ = _stage_name(src, item.span)
            if len(renamed) >= 2:
                out.append(RenameStage(stage=item.stage, name=renamed, provenance=ctx.provenance,
                                       quote=_quote(item.span)))
        if item.label == "remove" and item.stage:
            out.append(RemoveStage(stage=item.stage, provenance=ctx.provenance, quote=_quote(item.span)))
        if item.label == "order" and item.stage and item.place:
            out.append(MoveStage(stage=item.stage, before=item.place[1] if item.place[0] == "before" else None,
                                 after=item.place[1] if item.place[0] == "after" else None,
                                 provenance=ctx.provenance, quote=_quote(item.span)))
    for k, (name, desc, span, place) in enumerate(new, start=len(existing)):
        life: str | None = said.get(k)
        if life is None and place is not None:
            life = _neighbour_lifecycle(ctx.journey, place)
        out.append(AddStage(name=name, description=desc, lifecycle=life, provenance=ctx.provenance,
                            quote=_quote(span), after=place[1] if place and place[0] == "after" else None,
                            before=place[1] if place and place[0] == "before" else None))
    return out


def _neighbour_lifecycle(journey: JourneyMap, place: tuple[str, str]) -> str | None:
    """Where a stage placed next to another sits against the purchase: after the purchase stage, after it;
    next to a stage before (or after) the purchase, there too."""
    ref = journey.stage_named(place[1])
    if ref is None or ref.lifecycle is None:
        return None
    if ref.lifecycle == "purchase":
        return "after_purchase" if place[0] == "after" else "before_purchase"
    return ref.lifecycle


def _says_after(text: str) -> bool:
    return re.search(r"\b(?:apres l'achat|apres la commande|apres (?:la )?signature|after (?:the )?(?:purchase|order|sale|"
                     r"sign.?off|signing)|once (?:bought|ordered|signed)|une fois (?:achete|commande|signe))\b|"
                     r"\bso after it\b|\bafter it\b", fold(text)) is not None


def _similar(existing: str, name: str) -> bool:
    """Two stage names for the same stage: most of the new name's words are in the old one."""
    a, b = words_of(existing), words_of(name)
    return (bool(b) and len(a & b) / len(b) >= 0.6) or fold(existing) == fold(name)


def _same_stage(existing: list[str], name: str) -> bool:
    key = words_of(name)
    return any((key and key <= words_of(e)) or fold(e) == fold(name) for e in existing)


def _stage_name(src: str, span: Span) -> tuple[str, str | None]:
    """A stage's name and description from a list item: "Devis : formulaire" → ("Devis", "formulaire");
    "Découverte (sur Instagram)" → ("Découverte", "sur Instagram"); a long item is cut at its first
    comma or dash."""
    text = span.text
    head = re.match(r"^(?P<name>[^:(–—]{2,80}?)\s*(?::|\(|\s[–—-]\s)\s*(?P<desc>.+?)\)?$", text)
    if head and len(head.group("name").split()) <= 8:
        name_span = span.sub(src, head.start("name"), head.end("name"))
        desc = cap(head.group("desc"), 300) or None
        return capitalise(cap(clean_span(src, name_span, subject=False, article=False).text, 80)), desc
    if len(text.split()) > 8:
        cut = re.search(r",|\s[–—-]\s|\s(?:où|where|qui|which|avec|with|pour|to)\s", text)
        if cut and cut.start() > 3:
            name_span = span.sub(src, 0, cut.start())
            return (capitalise(cap(clean_span(src, name_span, subject=False, article=False).text, 80)),
                    cap(text[cut.end():], 300) or None)
    return capitalise(cap(clean_span(src, span, subject=False, article=False).text, 80)), None


def _touchpoints(ctx: Context, items: list[Labelled]) -> list[Change]:
    """Touchpoints on the stage each part is about; one already in the map (any stage) is not added
    again (an answer to "which ones are offline?" names touchpoints already there)."""
    from .touch import one_block, touchpoints_in

    out: list[Change] = []
    src = ctx.text
    known = {fold(t.name) for *_, t in ctx.journey.touchpoints()}
    # "Offline? The welcome and the stay, and her friends.": which of the touchpoints said are offline
    about_offline = ctx.qid == "offline" or re.match(r"^\W*(?:offline|hors ligne|off ?line)\b[^.]{0,20}[?:]", fold(src))
    for item in items:
        if item.label != "touchpoint":
            continue
        stage = item.stage or ""
        for piece, ch in touchpoints_in(src, item.span):
            name = name_of(src, piece)
            key = fold(name)
            if len(name) < 3 or key in _NOT_NAMES:
                continue
            if key in known or any(isinstance(c, AddTouchpoint) and fold(c.name) == key and c.stage == stage for c in out):
                continue
            if about_offline and any(words_of(name) & words_of(k) for k in known):
                continue
            out.append(AddTouchpoint(
                stage=stage, name=name,
                channel=ch.name(ctx.lang) if ch else UNSPECIFIED[ctx.lang],
                online=ch.online if ch else False, ownership=ch.ownership if ch else "owned",
                invisible=ch.invisible if ch else False, provenance=ctx.provenance, quote=_quote(piece)))
    if one_block(src):  # "we treat it as one thing": per stage, the first touchpoint named is the block
        firsts: dict[str, Change] = {}
        for c in out:
            if isinstance(c, AddTouchpoint):
                firsts.setdefault(c.stage or "", c)
        out = [c for c in out if not isinstance(c, AddTouchpoint) or firsts.get(c.stage or "") is c]
    return out


UNSPECIFIED = {"fr": "non précisé", "en": "unspecified"}
"""The channel of a touchpoint whose words name none (the linter does not count it online or offline)."""


_NOT_NAMES = _NOT_NAMES | {"rien", "nothing", "voila", "c'est tout", "that's it", "etc"}


_OVERALL = re.compile(r"(?:(?:but|mais|and|et)\s+)?(?:overall|all in all|on the whole|in the end|globally|au final|"
                      r"globalement|dans l'ensemble|sur l'ensemble|en somme|au total|au bout du compte|all told)\b")
"""A feeling said as the sum of a stage ("Overall, really positive"): it is the stage's emotion."""


def _experience(ctx: Context, items: list[Labelled]) -> list[Change]:
    out: list[Change] = []
    src = ctx.text
    emotions: dict[str, SetEmotion] = {}
    for item in items:
        stage = item.stage or ""
        span = item.span
        for label in item.labels:
            if label == "feeling":
                score = item.score
                feeling = words.emotion_score(span.text)
                if score is None and feeling is not None:
                    score = feeling[0]
                if score is None:
                    continue
                label_text = feeling[1] if feeling and feeling[1] else ""
                if not label_text:
                    label_text = cap(re.sub(r"[\s,;(]*[+\-−–]?\s?[0-2]\s*\)?\s*$", "", clean_span(src, span).text), 40)
                current = emotions.get(stage)
                overall = _OVERALL.match(fold(span.text).lstrip(" ,.;-–—")) is not None
                if current is None or overall or (abs(score) > abs(current.score) and current.label == ""):
                    emotions[stage] = SetEmotion(stage=stage, score=score, label=cap(label_text, 40),
                                                 provenance=ctx.provenance, quote=_quote(span))
            elif label in ("action", "thought", "expectation"):
                lane = {"action": "actions", "thought": "thoughts", "expectation": "expectations"}[label]
                text = re.sub(r"[\s,;(]*(?:note|score)?\s*[:=]?\s*[+\-−–]\s?[0-2]\s*\)?\s*[.!]?\s*$", "", span.text)
                body = clean_span(src, Span(span.start, span.start + len(text), text), article=False)
                if len(body.text) < 3:
                    continue
                out.append(AddNote(stage=stage, lane=lane, text=capitalise(cap(body.text, 300)),
                                   provenance=ctx.provenance, quote=_quote(span)))
    return list(emotions.values()) + out


def _pain_points(ctx: Context, items: list[Labelled]) -> list[Change]:
    out: list[Change] = []
    src = ctx.text
    efforts = words.keyed("efforts")
    for item in items:
        if item.label not in ("pain", "positive"):
            continue
        body = clean_span(src, item.span, article=False)
        text = re.sub(r"^(?:ce qui (?:marche|va|se passe) bien,?\s*c'est|ce qui (?:coince|bloque|agace),?\s*c'est|"
                      r"what works well is|what goes well is|the good (?:thing|part) is|the problem is|le problème,?\s*c'est|"
                      r"le souci,?\s*c'est)\s*", "", body.text, flags=re.IGNORECASE)
        text = capitalise(cap(text, 300))
        if len(text) < 3:
            continue
        if item.label == "positive":
            out.append(AddNote(stage=item.stage or "", lane="positives", text=text, provenance=ctx.provenance,
                               quote=_quote(item.span)))
        else:
            out.append(AddPainPoint(stage=item.stage or "", text=text, effort=efforts.first(item.span.text),
                                    provenance=ctx.provenance, quote=_quote(item.span)))
    return out


def _moments(ctx: Context, items: list[Labelled]) -> list[Change]:
    out: list[Change] = []
    src = ctx.text
    kinds = words.keyed("moment_kinds")
    for item in items:
        if item.label != "moment":
            continue
        span = item.span
        m = re.search(r"\b(?:parce que|parce qu'|car|because|since|puisque|as that's|c'est là que|c'est la que|"
                      r"that's when|that is when|where)\b\s*", span.text, re.IGNORECASE)
        why = cap(span.text[m.end():], 300) if m and m.end() < len(span.text) - 3 else None
        head = span.sub(src, 0, m.start()) if m and m.start() > 3 else span
        if len(head.text.split()) > 14:
            cut = re.search(r"[:,;]", head.text)
            if cut and cut.start() > 3:
                head = head.sub(src, 0, cut.start())
        name = capitalise(cap(clean_span(src, head).text, 80))
        if len(name) < 3:
            continue
        explicit = re.search(r"\b(zmot|fmot|smot|tmot)\b", fold(span.text))
        kind = explicit.group(1).upper() if explicit else (kinds.first(span.text) or "other")
        if ctx.qid == "kind" and ctx.journey.moments_of_truth:
            last = ctx.journey.moments_of_truth[-1]
            out.append(AddMomentOfTruth(name=last.name, kind=kind, stage=last.stage, why=last.why,
                                        provenance=ctx.provenance, quote=_quote(span)))
            break
        out.append(AddMomentOfTruth(name=name, kind=kind, stage=item.stage, why=why, provenance=ctx.provenance,
                                    quote=_quote(span)))
    return out


def _metrics(ctx: Context, items: list[Labelled]) -> list[Change]:
    from .numbers import metrics_in

    out: list[Change] = []
    tp_names = [(s.name, t.name) for _, s, _, t in ctx.journey.touchpoints() if len(t.name) >= 4]
    previous = None
    for item in items:
        if item.label != "metric":
            continue
        for found in metrics_in(ctx.text, item.span, previous):
            previous = found
            tp = next((t for t in tp_names if words_of(t[1]) and words_of(t[1]) <= words_of(found.quote)), None)
            stage = item.stage or (tp[0] if tp else None)
            out.append(AddMetric(stage=stage or None, name=found.name, value=found.value, unit=found.unit,
                                 source=found.source, period=found.period, touchpoint=tp[1] if tp else None,
                                 provenance=ctx.provenance, quote=cap(found.quote, 600)))
    return out


def _owners(ctx: Context, items: list[Labelled]) -> list[Change]:
    from .owners import not_ours, owners_in

    out: list[Change] = []
    done: set[str] = set()
    focus_tp = None
    q = ctx.question or ctx.shown
    if q is not None and q.focus_id and ctx.phase == "owners":
        focus_tp = next((t for *_, t in ctx.journey.touchpoints() if t.id == q.focus_id), None)
    for item in items:
        if item.label != "owner":
            continue
        for tp in not_ours(ctx.text, item.span, ctx.journey):
            if tp.id not in done and tp.ownership == "owned":
                done.add(tp.id)
                out.append(SetOwner(touchpoint=tp.name, touchpoint_id=tp.id, ownership="third_party",
                                    provenance=ctx.provenance, quote=cap(item.span.text, 600)))
        for tp, team, quote in owners_in(ctx.text, item.span, ctx.journey, ctx.lang, focus_tp):
            if tp.id in done:
                continue
            done.add(tp.id)
            out.append(SetOwner(touchpoint=tp.name, touchpoint_id=tp.id, owner=team, provenance=ctx.provenance,
                                quote=cap(quote, 600)))
    return out


def _priorities(ctx: Context, items: list[Labelled]) -> list[Change]:
    from .plans import action_of, opportunity_of, review_of, scores_of

    out: list[Change] = []
    for item in items:
        label = item.label
        if label == "opportunity":
            change = opportunity_of(ctx, item)
            if change is not None:
                out.append(change)
        elif label == "scores":
            scored = scores_of(ctx, item)
            if scored is not None:
                out.append(scored)
        elif label == "action":
            action = action_of(ctx, item)
            if action is not None:
                out.append(action)
        elif label == "review":
            review = review_of(ctx, item)
            if review is not None and not any(isinstance(c, SetReviewDate) for c in out):
                out.append(review)
    return out


_BUILDERS = {
    "framing": _framing, "persona": _persona, "evidence": _evidence, "stages": _stages,
    "touchpoints": _touchpoints, "experience": _experience, "pain_points": _pain_points,
    "moments_of_truth": _moments, "metrics": _metrics, "owners": _owners, "priorities": _priorities,
}


def with_stage(items: Iterable[Labelled], stage: str | None) -> list[Labelled]:
    return [replace(i, stage=i.stage or stage) for i in items]


def sentence_of(text: str, pos: int) -> Span | None:
    for s in sentence_spans(text):
        if s.start <= pos < s.end:
            return s
    return None


__all__ = ["LABELS", "Context", "Labelled", "StageFinder", "build", "cap", "capitalise", "clean_span", "name_of"]
