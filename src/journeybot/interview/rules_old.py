"""The rule-based reader: turns one answer into a proposal without any model.

Used by backend "none" (guided mode) and as the fallback when a model's reading is invalid twice.
It reads lists ("1. ...", "- ...", "puis", "ensuite", ";", "→"), stage names already in the map,
channel words (a phone call is OFFLINE; website, app, e-mail are online; store, branch, letter are
offline), emotion words with their sign, numbers with units, team names and dates, in French and
English. The word lists are data: prompts/interview/wordlists.yaml. Everything it proposes is drawn
from the user's own words (provenance ``team``, or ``customer`` when the answer cites customers).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..domain.journey_map import JourneyMap, Lang, Provenance, Stage
from ..lint.text import whole_word_pattern
from ..resources import load_yaml, prompts_dir
from .engine import Question
from .proposal import (
    AddAction,
    AddEvidence,
    AddMetric,
    AddMomentOfTruth,
    AddNote,
    AddOpportunity,
    AddPainPoint,
    AddStage,
    AddTouchpoint,
    Change,
    Proposal,
    ScoreOpportunity,
    SetEmotion,
    SetFraming,
    SetOwner,
    SetPersona,
    SetReviewDate,
)

MAX_RULES_CHARS = 20_000
NAME_CHARS = 80

# --- text folding and word lists --------------------------------------------------------------

_FOLD_CHARS = {"’": "'", "‘": "'", "`": "'", "´": "'", "-": " ", "‐": " ", "‑": " ", "–": " ", "—": " ",
               "\u00a0": " ", "\u202f": " ", "−": "-"}


class _FoldTable(dict[int, str]):
    """str.translate table built lazily: each character folded once, then looked up in C."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        mapped = _FOLD_CHARS.get(ch, ch)
        low = mapped.lower()
        if len(low) != 1:
            low = mapped
        base = unicodedata.normalize("NFKD", low)[:1] or low
        out = base if base.isascii() or not unicodedata.combining(base) else low
        self[code] = out
        return out


_TABLE = _FoldTable()


def fold(text: str) -> str:
    """Lower case, no accents, one apostrophe, hyphens as spaces; SAME LENGTH as ``text`` so that a
    match in the folded text is the same span in the original."""
    return text.translate(_TABLE)


def warm_up() -> None:
    """Load and compile every word list now (the first answer then reads as fast as the others)."""
    channels(), emotions(), teams(), _negations(), _connector_re()
    for name in ("lifecycle", "evidence_kinds", "efforts", "opportunity_kinds", "opportunity_levers", "soncas",
                 "moment_kinds"):
        _keyed(name)
    for name in ("customer_cues", "method_vocabulary", "method_question_starts"):
        _flat(name)


class Lexicon:
    """Phrases mapped to values, matched as whole words in folded text (longest phrase first)."""

    def __init__(self, pairs: Iterable[tuple[str, Any]]):
        self.values: dict[str, Any] = {}
        for phrase, value in pairs:
            key = fold(str(phrase)).strip()
            if key and key not in self.values:
                self.values[key] = value
        self.pattern = whole_word_pattern(self.values)

    def find_all(self, text: str) -> list[tuple[int, int, Any]]:
        folded = fold(text)
        return [(m.start(), m.end(), self.values[m.group(0)]) for m in self.pattern.finditer(folded)]

    def first(self, text: str) -> Any | None:
        found = self.find_all(text)
        return found[0][2] if found else None

    def has(self, text: str) -> bool:
        return bool(self.pattern.search(fold(text)))


@cache
def _data() -> dict[str, Any]:
    data: dict[str, Any] = load_yaml(prompts_dir() / "interview" / "wordlists.yaml")
    return data


@dataclass(frozen=True)
class Channel:
    fr: str
    en: str
    online: bool
    ownership: str = "owned"
    invisible: bool = False

    def name(self, lang: Lang) -> str:
        return self.fr if lang == "fr" else self.en


@cache
def channels() -> Lexicon:
    pairs = []
    for entry in _data()["channels"]:
        ch = Channel(entry["channel"]["fr"], entry["channel"]["en"], bool(entry["online"]),
                     entry.get("ownership", "owned"), bool(entry.get("invisible", False)))
        pairs += [(w, ch) for w in entry["words"]]
    return Lexicon(pairs)


@cache
def emotions() -> Lexicon:
    return Lexicon((w, int(score)) for score, words in _data()["emotions"].items() for w in words)


@cache
def _negations() -> frozenset[str]:
    return frozenset(fold(w) for w in _data()["negations"])


@cache
def teams() -> Lexicon:
    return Lexicon((w, (e["name"]["fr"], e["name"]["en"])) for e in _data()["teams"] for w in e["words"])


@cache
def _keyed(name: str) -> Lexicon:
    return Lexicon((w, key) for key, words in _data()[name].items() for w in words)


@cache
def _flat(name: str) -> Lexicon:
    raw = _data()[name]
    words = [w for ws in raw.values() for w in ws] if isinstance(raw, dict) else raw
    return Lexicon((w, True) for w in words)


# --- splitting --------------------------------------------------------------------------------

_MARKER = re.compile(r"^\s*(?:[-*•·▪►–—]|\d{1,2}\s*[.)/-]|[a-z]\))\s+", re.IGNORECASE)
_ARROWS = re.compile(r"\s*(?:→|->|=>|⇒|>|;|•|\|)\s*")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-ÖØ-Þ«\"'(])")


@cache
def _connector_re() -> re.Pattern[str]:
    words = sorted({fold(w) for ws in _data()["connectors"].values() for w in ws}, key=len, reverse=True)
    return re.compile(r"(?:,\s*|\s+)(?:et\s+|and\s+)?(?:" + "|".join(re.escape(w) for w in words) + r")(?:\s*,)?\s+")


def _strip_item(text: str) -> str:
    text = _MARKER.sub("", text.strip())
    text = re.sub(r"^(?:d'abord|tout d'abord|first(?:ly)?,|firstly|first of all|premièrement|ensuite|puis|enfin|then|"
                  r"finally|next|et|and)(?:\b|(?<=,))[\s,:]*", "", text, flags=re.IGNORECASE)
    return text.strip(" \t,.;:!?-–—\"'«»()")


def _split_by_connectors(text: str) -> list[str]:
    folded = fold(text)
    out, last = [], 0
    for m in _connector_re().finditer(folded):
        out.append(text[last:m.start()])
        last = m.end()
    out.append(text[last:])
    return [p for p in out if p.strip()]


def _split_commas(part: str, max_words: int) -> list[str]:
    pieces = [p for p in re.split(r",\s*(?:(?:et|and|ou|or)\s+)?|\s+(?:et|and|ou|or)\s+(?=\S)", part) if p.strip()]
    if len(pieces) > 1 and all(len(p.split()) <= max_words for p in pieces):
        return pieces
    return [part]


def split_items(text: str, *, max_words: int = 7) -> list[str]:
    """The items of an answer: list lines, then arrows/semicolons, then 'puis/ensuite/then', then
    short comma-separated items. Each item keeps the user's words (markers removed)."""
    lines = [ln for ln in text.split("\n") if ln.strip()]
    items: list[str] = []
    for line in lines:
        for chunk in _ARROWS.split(_MARKER.sub("", line)):
            for sentence in _SENTENCE.split(chunk):
                for part in _split_by_connectors(sentence):
                    items += _split_commas(part, max_words)
    return [s for s in (_strip_item(i) for i in items) if s]


def sentences(text: str) -> list[str]:
    out = []
    for line in text.split("\n"):
        out += [s.strip() for s in re.split(r"(?<=[.!?;])\s+", line) if s.strip()]
    return out


_OBJECTIVE_CUE = re.compile(r"\b(?:pourquoi|comprendre|objectif|but|voulons|veut|cherchons|reduire|ameliorer|"
                            r"why|understand|goal|aim|want|reduce|improve|decide|trancher|question)\b")
_PREAMBLE = re.compile(r"^(?:(?:bonjour|bonsoir|salut|hello|hi|hey|merci|thanks?|thank you)\b|"
                       r"(?:je suis|moi c'est|nous sommes|on est|i am|i'm|we are|we're|my name is|je m'appelle)\b)")
"""How an answer may open before saying anything about the map: a greeting, introducing oneself."""


def _objective_sentence(text: str) -> str:
    """The sentence that says why the map is made: the first with an objective word, else the first
    that is not a greeting or a self-introduction ("Bonjour ! Je suis responsable marketing...")."""
    found = sentences(text)
    for sentence in found:
        if _OBJECTIVE_CUE.search(fold(sentence)):
            return sentence
    told = [s for s in found if not _PREAMBLE.match(fold(s))]
    return (told or found or [text])[0]


def cap(text: str, n: int = NAME_CHARS) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= n:
        return text
    cut = text[:n].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


_ARTICLES = re.compile(r"^(?:(?:la|le|les|un|une|des|du|de la|the|a|an|our|notre|nos|son|sa|ses|their|its)\s+|l['’]\s*)",
                       re.IGNORECASE)
_SUBJECTS = re.compile(
    r"^(?:elle|il|ils|elles|on|nous|je|j'|she|he|they|we|i|le client|la cliente|les clients|the customer|"
    r"the client|customers|clients)\s+", re.IGNORECASE)


def clean_name(text: str, n: int = 60) -> str:
    text = _strip_item(text)
    text = _SUBJECTS.sub("", text)
    text = _ARTICLES.sub("", text) if len(text.split()) > 1 else text
    return capitalise(cap(text.strip(" ,.;:"), n))


# --- detectors ----------------------------------------------------------------------------------


def find_channel(text: str) -> Channel | None:
    found: Channel | None = channels().first(text)
    return found


def emotion_score(text: str) -> tuple[int, str] | None:
    """The emotion in ``text``: an explicit score (−2..+2) wins, else the strongest emotion word,
    its sign flipped by a negation just before it. Returns (score, label) or None."""
    explicit = _explicit_score(text)
    found = emotions().find_all(text)
    folded = fold(text)
    best: tuple[int, str] | None = None
    for start, end, score in found:
        before = folded[max(0, start - 14):start].split()[-2:]
        value = -score if any(w in _negations() or w.endswith("n't") for w in before) else score
        if value == score and any(w in _negations() for w in before):
            value = -score
        label = text[start:end]
        if best is None or abs(value) > abs(best[0]):
            best = (value, label)
    if explicit is not None:
        return explicit, best[1] if best else ""
    return best


_SCORE = re.compile(r"(?:note|score|émotion|emotion|noté|rated?)\s*(?:de|of|:|=|à|at)?\s*([+\-−–]?\s?[0-2])(?!\d|[.,]\d)"
                    r"|(?<![\w\d/.,])([+\-−–]\s?[0-2])(?!\d|[.,]\d|\s?%|/)", re.IGNORECASE)


_TRAILING_SCORE = re.compile(r"[\s,;(]*(?:note|score)?\s*[:=]?\s*[+\-−–]\s?[0-2]\s*\)?\s*[.!]?\s*$", re.IGNORECASE)


def _explicit_score(text: str) -> int | None:
    m = _SCORE.search(text)
    if not m:
        return None
    raw = (m.group(1) or m.group(2) or "").replace(" ", "").replace("−", "-").replace("–", "-")
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if -2 <= value <= 2 else None


def find_team(text: str, lang: Lang) -> str | None:
    found = teams().first(text)
    if found is None:
        return None
    return str(found[0] if lang == "fr" else found[1])


_MONTHS = {
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7, "aout": 8,
    "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12, "january": 1, "february": 2,
    "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8, "september": 9, "october": 10,
    "november": 11, "december": 12, "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7,
    "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
_ISO = re.compile(r"\b(\d{4})[- ](\d{1,2})[- ](\d{1,2})\b")
_DMY = re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b")
_MONTH_NAME = re.compile(r"\b(?:(\d{1,2})(?:er)?\s+)?(" + "|".join(sorted(_MONTHS, key=len, reverse=True))
                         + r")\.?\s+(\d{4})\b")
_RELATIVE = re.compile(r"\b(?:dans|d'ici|sous|within|in)\s+(\d{1,2})\s+(mois|months?|semaines?|weeks?)\b")
_QUARTER = re.compile(r"\b(?:t|q)([1-4])\s+(\d{4})\b")


def _add_months(day: dt.date, months: int) -> dt.date:
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    return dt.date(year, month + 1, min(day.day, 28))


def find_date(text: str, today: dt.date | None = None) -> tuple[dt.date, tuple[int, int]] | None:
    """The first date in ``text`` and its span: ISO, dd/mm/yyyy, '15 mars 2026', 'June 2026',
    'Q2 2026', 'dans 6 mois' / 'in 6 months'."""
    folded = fold(text)
    today = today or dt.date.today()
    candidates: list[tuple[int, int, dt.date]] = []
    for m in _ISO.finditer(folded):
        with contextlib.suppress(ValueError):
            candidates.append((m.start(), m.end(), dt.date(int(m[1]), int(m[2]), int(m[3]))))
    for m in _DMY.finditer(folded):
        with contextlib.suppress(ValueError):
            candidates.append((m.start(), m.end(), dt.date(int(m[3]), int(m[2]), int(m[1]))))
    for m in _MONTH_NAME.finditer(folded):
        with contextlib.suppress(ValueError):
            candidates.append((m.start(), m.end(), dt.date(int(m[3]), _MONTHS[m[2]], int(m[1] or 1))))
    for m in _QUARTER.finditer(folded):
        candidates.append((m.start(), m.end(), dt.date(int(m[2]), int(m[1]) * 3, 1)))
    for m in _RELATIVE.finditer(folded):
        n = int(m[1])
        day = _add_months(today, n) if m[2].startswith(("mois", "month")) else today + dt.timedelta(weeks=n)
        candidates.append((m.start(), m.end(), day))
    if not candidates:
        return None
    start, end, day = min(candidates, key=lambda c: c[0])
    return day, (start, end)


_NUMBER = re.compile(
    r"(?P<num>[+\-−]?\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?|[+\-−]?\d+(?:[.,]\d+)?)\s*"
    r"(?P<unit>%|k€|m€|€|\$|£|euros?\b|eur\b|jours?\b|j\b|days?\b|heures?\b|hours?\b|h\b|minutes?\b|min\b|"
    r"secondes?\b|seconds?\b|s\b|semaines?\b|weeks?\b|mois\b|months?\b|ans?\b|years?\b|/\s*10\b|/\s*5\b|"
    r"/\s*100\b|sur\s+(?:10|5|100)\b|out of\s+(?:10|5|100)\b|pts?\b|points?\b|clients?\b|customers?\b|"
    r"appels?\b|calls?\b|visites?\b|visits?\b|visiteurs?\b|visitors?\b|tickets?\b|commandes?\b|orders?\b|"
    r"demandes?\b|requests?\b|leads?\b|dossiers?\b|devis\b|quotes?\b|contrats?\b|contracts?\b|"
    r"utilisateurs?\b|users?\b|abonnés?\b|subscribers?\b|fois\b|times\b|par\s+(?:mois|an|jour|semaine)\b|"
    r"(?:per|a)\s+(?:month|year|day|week)\b)?",
    re.IGNORECASE,
)
_KPI_NAMES = re.compile(r"\b(NPS|CSAT|CES|CA|churn|ROI|taux de \w+(?: \w+)?|\w+ rate)\b", re.IGNORECASE)
_SOURCE = re.compile(
    r"(?:\(\s*)?(?:source\s*:?\s*|selon\s+|d'après\s+|d’après\s+|according to\s+|from\s+(?:our|the)\s+|"
    r"mesuré par\s+|measured by\s+|via\s+|issu(?:e|es|s)? de\s+|from\s+)"
    r"(?P<src>[^.;,)\n]{2,80})", re.IGNORECASE)


@dataclass(frozen=True)
class NumberFound:
    name: str
    value: float
    unit: str
    source: str | None
    quote: str


def _to_float(raw: str) -> float | None:
    raw = raw.replace("−", "-").replace("\u00a0", "").replace("\u202f", "")
    raw = re.sub(r"(?<=\d) (?=\d{3})", "", raw).replace(",", ".")
    try:
        return float(raw)
    except ValueError:
        return None


def find_numbers(text: str) -> list[NumberFound]:
    """Numbers with their unit, a name (the words before them) and a source when one is said."""
    out: list[NumberFound] = []
    for sentence in sentences(text):
        date_span = find_date(sentence)
        clauses = re.split(r"(?<!\d),(?!\d)|\s+(?:et|and)\s+(?=[^\d]*\d)", sentence)
        source_m = _SOURCE.search(sentence)
        source = cap(source_m.group("src").strip(" :"), 80) if source_m else None
        for clause in clauses:
            for m in _NUMBER.finditer(clause):
                if date_span and m.group("num") in sentence[date_span[1][0]:date_span[1][1]]:
                    continue
                unit = (m.group("unit") or "").strip()
                num = m.group("num")
                value = _to_float(num)
                if value is None:
                    continue
                before = clause[:m.start()]
                kpi = _KPI_NAMES.search(clause)
                if not unit and not kpi and not re.search(r"\b(?:nps|csat|ces|score|note|taux|rate)\b", fold(before)):
                    continue  # a bare number with nothing saying what it counts
                if len(num.strip("+-−")) == 4 and not unit and 1900 <= value <= 2100:
                    continue  # a year
                name_src = before.strip()
                while True:
                    trimmed = re.sub(r"(?:^|\s+)(?:de|d'|of|est|is|à|at|:|=|environ|about|around|autour de|près de|"
                                     r"sont|are|was|était|vaut|reste|stays|remains|atteint|reaches|en moyenne|on average)"
                                     r"\s*$", "", name_src, flags=re.IGNORECASE).strip(" :=,")
                    if trimmed == name_src:
                        break
                    name_src = trimmed
                name_src = _ARTICLES.sub("", name_src)
                name_src = _SOURCE.sub("", name_src)
                words = name_src.split()[-6:]
                name = " ".join(words).strip(" :=,(") or (kpi.group(1) if kpi else "")
                if kpi and kpi.group(1) and kpi.group(1).upper() in ("NPS", "CSAT", "CES") and \
                        kpi.group(1).lower() not in name.lower():
                    name = kpi.group(1).upper() + (" " + name if name else "")
                if not name or name == unit:
                    after = clause[m.end():]
                    after = re.sub(r"^\s*(?:d'|d’|de|des|du|of|the|a)\s*", "", after, flags=re.IGNORECASE)
                    src_m = _SOURCE.search(after)
                    after = after[: src_m.start()] if src_m else after
                    after = re.split(r"[(.;]", after)[0]
                    name = " ".join(after.split()[:10]).strip(" ,:")
                if not name:
                    name = unit or "valeur"
                unit_norm = re.sub(r"\s+", " ", unit.replace("euros", "€").replace("euro", "€"))
                out.append(NumberFound(capitalise(cap(name, 70)), value, unit_norm, source, cap(clause, 300)))
    return out


# --- stages in an answer ------------------------------------------------------------------------


def _is_boundary(text: str, start: int, end: int) -> bool:
    """A stage name that heads a part of the answer: 'Devis : ...', a line or sentence starting with
    it, or 'à l'étape Devis' / 'at the Order stage'."""
    after = text[end:end + 4]
    if re.match(r"\s*[»\"'’)]?\s*(?::|—|–|-\s|\))", after):
        return True
    before = text[max(0, start - 25):start]
    if not before.strip() or re.search(r"(?:^|[\n.;!?])\s*[-*•\d.)]*\s*[«\"']?$", before):
        return True
    return bool(re.search(r"(?:étape|etape|stage|phase)\s*[«\"'’]?\s*$", before, re.IGNORECASE)
                or re.match(r"\s*[»\"'’]?\s*(?:stage|step)\b", after, re.IGNORECASE))


def stage_segments(text: str, journey: JourneyMap, default: Stage | None, *,
                   loose: bool = False) -> list[tuple[Stage | None, str]]:
    """Cut the answer where it names a stage of the map: [(stage, the text about it)]. Text before
    the first stage named goes to ``default`` (the stage the question was about). Only a stage name
    that heads a part counts ('Devis : ...'), unless ``loose``."""
    if not journey.stages:
        return [(default, text)]
    lex = Lexicon((s.name, s.id) for s in journey.stages if len(s.name) >= 3)
    hits = [h for h in lex.find_all(text) if loose or _is_boundary(text, h[0], h[1])]
    if not hits:
        return [(default, text)]
    by_id = {s.id: s for s in journey.stages}
    out: list[tuple[Stage | None, str]] = []
    head = text[: hits[0][0]]
    if head.strip(" \n\t:,.-—") and len(head.split()) > 2:
        out.append((default, head))
    for i, (start, _end, sid) in enumerate(hits):
        stop = hits[i + 1][0] if i + 1 < len(hits) else len(text)
        chunk = text[start:stop]
        if out and out[-1][0] is by_id[sid]:
            out[-1] = (out[-1][0], out[-1][1] + chunk)
        else:
            out.append((by_id[sid], chunk))
    return out


def _without_stage_name(chunk: str, stage: Stage | None) -> str:
    if stage is None:
        return chunk
    folded, key = fold(chunk), fold(stage.name)
    i = folded.find(key)
    if 0 <= i <= 20:
        chunk = chunk[i + len(key):]
    chunk = re.sub(r"^\s*(?:stage|étape|phase)?\s*[»\"'’)]*\s*[:,–—-]?\s*", "", chunk, flags=re.IGNORECASE)
    return chunk


def lifecycle_of(name: str) -> str | None:
    life = _keyed("lifecycle")
    found = life.find_all(name)
    if not found:
        return None
    kinds = {k for *_, k in found}
    return "after_purchase" if "after_purchase" in kinds else "purchase"


# --- the reader -------------------------------------------------------------------------------


class RulesReader:
    """Reads one answer for one phase. Stateless; ``read`` returns a Proposal (source "rules")."""

    def __init__(self, lang: Lang):
        self.lang: Lang = lang

    def read(self, text: str, phase: str, journey: JourneyMap, question: Question | None = None,
             *, bound: bool = True) -> Proposal:
        text = text[:MAX_RULES_CHARS]
        prov: Provenance = "customer" if (phase == "evidence" or _flat("customer_cues").has(text)) else "team"
        self._prov = prov
        self._bound = bound
        self._journey = journey
        self._question = question
        self._qi = question.index if bound and question is not None and question.kind == "question" else None
        self._fi = question.index if bound and question is not None and question.kind == "follow_up" else None
        focus = None
        if question is not None and question.focus_id:
            focus = next((s for s in journey.stages if s.id == question.focus_id), None)
        self._focus = focus
        reader = getattr(self, f"_{phase}", None)
        changes: list[Change] = list(reader(text)) if reader else []
        return Proposal(phase=phase, source="rules", changes=changes)

    # shared
    def _without_persona(self, text: str) -> str:
        persona = self._journey.persona
        if persona is None or not persona.name:
            return text
        return re.sub(rf"^\s*{re.escape(persona.name)}\s+", "", text)

    def _default_stage(self) -> Stage | None:
        if self._focus is not None:
            return self._focus
        return self._journey.stages[-1] if self._journey.stages else None

    def _segments(self, text: str) -> list[tuple[str, str]]:
        """(stage name, text) pairs; stage name '' when the map has no stage yet."""
        out = []
        for stage, chunk in stage_segments(text, self._journey, self._default_stage()):
            out.append((stage.name if stage else "", _without_stage_name(chunk, stage)))
        return out

    # phases
    def _framing(self, text: str) -> list[Change]:
        qi, fi = self._qi, self._fi
        change = SetFraming(provenance=self._prov, quote=cap(text, 600))
        folded = fold(text)
        start, end = _start_end(text)
        if qi == 2 or (qi is None and fi is None and (start or end)):
            change.start, change.end = start, end
            if not (start or end) and qi == 2:
                change.start = cap(text, 300)
        objective_cue = _OBJECTIVE_CUE.search(folded)
        unbound = qi is None and fi is None
        if qi == 0 or (unbound and (objective_cue or not (start or end))):
            change.objective = cap(_objective_sentence(text), 600)
            if "?" in text:
                change.business_question = cap(next(s for s in sentences(text) if "?" in s) if any(
                    "?" in s for s in sentences(text)) else text, 600)
        if qi == 1 or (qi is None and fi is None and re.search(r"\bparcours\b|\bjourney\b", folded)):
            m = re.search(r"(?:parcours|journey)\s+(?:de\s+|d'|of\s+)?([^.,;:]{3,60})", text, re.IGNORECASE)
            change.journey = capitalise(cap(m.group(0) if m else text, 100))
            if re.search(r"onboarding|inscription|souscription|sign.?up|specifi|precis|moment|partie|part of|"
                         r"resiliation|livraison|sinistre|claim", folded):
                change.scope = "specific"
            elif re.search(r"complet|global|entier|bout en bout|whole|end to end|entire|full|macro", folded):
                change.scope = "macro"
        if fi == 0 or (unbound and re.search(r"\b(?:equipe|team|livrable|deliverable|atelier|workshop)\b", folded)):
            found = teams().find_all(text)
            names = []
            for *_, val in found:
                name = val[0] if self.lang == "fr" else val[1]
                if name not in names:
                    names.append(name)
            change.team = names[:8] or ([cap(i, 60) for i in split_items(text.split(".")[0])][:6] if fi == 0 else [])
            m = re.search(r"(?:livrable|deliverable|attendons|attend|expect|obtenir|produce|produire)\s*:?\s*(.{5,300})",
                          text, re.IGNORECASE)
            if m:
                change.deliverable = cap(m.group(1), 300)
        return [change]

    def _persona(self, text: str) -> list[Change]:
        qi, fi = self._qi, self._fi
        change = SetPersona(provenance=self._prov, quote=cap(text, 600))
        if self._journey.persona is None or qi == 0:
            change.name = _persona_name(text)
            change.description = cap(text, 600)
        for sentence in sentences(text):
            f = fold(sentence)
            if re.search(r"\b(?:veut|voudrait|souhaite|cherche|a besoin|besoin de|objectif|but|aimerait|espere|"
                         r"wants?|needs?|would like|looking for|aims?|goal|hopes?|tries to|trying to)\b", f):
                change.goals.append(cap(sentence, 300))
            if re.search(r"\b(?:frustr\w*|agac\w*|enerv\w*|peur|craint\w*|deteste|n'aime pas|freine?|frein|hesit\w*|"
                         r"doute\w*|objection\w*|trop cher|inquiet\w*|mefian\w*|hates?|annoy\w*|afraid|fears?|"
                         r"worr\w*|objects?|too expensive|hesita\w*|doubt\w*|put off|distrust\w*)\b", f):
                target = change.objections if re.search(r"objection|trop cher|too expensive|pas sur|not sure|"
                                                        r"doute|doubt", f) else change.frustrations
                target.append(cap(sentence, 300))
            if re.search(r"\b(?:quand|lorsque|des que|declench\w*|suite a|a la suite|apres|when|after|triggers?|"
                         r"following|once)\b", f) and (qi == 1 or change.trigger is None) and qi != 0:
                change.trigger = change.trigger or cap(sentence, 300)
        emo = emotion_score(text)
        if emo and (qi == 1 or qi is None):
            change.state_of_mind = cap(next((s for s in sentences(text) if fold(emo[1]) in fold(s)), emo[1])
                                       if emo[1] else text, 300)
        if qi == 2 and not (change.frustrations or change.objections):
            change.frustrations = [cap(i, 300) for i in split_items(text, max_words=12)][:6]
        if qi == 1 and change.trigger is None:
            change.trigger = cap(sentences(text)[0], 300) if sentences(text) else None
        found = _keyed("soncas").find_all(text)
        for *_, motive in found:
            if motive not in change.motivations:
                change.motivations.append(motive)
        if fi == 1:
            change.information_sources = [cap(clean_name(i), 80) for i in split_items(text)][:8]
        if qi == 0 and not change.goals:
            m = re.search(r"(?:pour|afin de|to)\s+([^.;]{5,200})", text, re.IGNORECASE)
            if m:
                change.goals.append(cap(m.group(0), 300))
        return [change]

    def _evidence(self, text: str) -> list[Change]:
        kinds = _keyed("evidence_kinds")
        out: list[Change] = []
        long_paste = len(text) > 400 or text.count("\n") >= 4
        quoted = re.search(r"[«“\"']", text) is not None
        if long_paste or quoted or self._qi == 1:
            items = [text]  # a paste or a quote is kept whole: it is the customer's words
        else:
            items = [_MARKER.sub("", p).strip() for ln in text.split("\n") for p in re.split(r";", ln) if p.strip()]
        for item in items[:12]:
            kind = kinds.first(item) or ("verbatim" if self._qi == 1 else "other")
            if self._fi == 0:
                kind = "other"
            source = None
            m = _SOURCE.search(item)
            if m:
                source = cap(m.group("src"), 80)
            date = find_date(item)
            prov: Provenance = "team" if self._fi == 0 else "customer"
            body = item.strip()[:20_000]
            if len(body) < 3:
                continue
            out.append(AddEvidence(kind=kind, text=body, source=source, date=date[0] if date else None,
                                   provenance=prov, quote=cap(item, 600)))
        return out

    def _stages(self, text: str) -> list[Change]:
        out: list[Change] = []
        for item in split_items(text, max_words=6)[:20]:
            name_part, _, desc = item.partition(":")
            if len(name_part.split()) > 8:
                name_part = re.split(r"\s[(–—-]\s?|,", name_part)[0]
            name = clean_name(name_part, 60)
            if len(name) < 2 or len(name.split()) > 10:
                continue
            life = lifecycle_of(name)
            if life is None and any(isinstance(c, AddStage) and c.lifecycle == "purchase" for c in out):
                life = "after_purchase"
            out.append(AddStage(name=name, description=cap(desc, 300) if desc.strip() else None,
                                lifecycle=life or "before_purchase",
                                provenance=self._prov, quote=cap(item, 600)))
        return out

    def _touchpoints(self, text: str) -> list[Change]:
        out: list[Change] = []
        for stage, chunk in self._segments(text):
            for item in split_items(chunk, max_words=10)[:15]:
                item = self._without_persona(item)
                ch = find_channel(item)
                if ch is None and self._fi == 0:
                    continue
                if ch is None and len(item.split()) > 10:
                    continue
                name = clean_name(item, 60)
                if len(name) < 3 or fold(name) in _NOT_NAMES:
                    continue
                online = ch.online if ch else True
                channel = ch.name(self.lang) if ch else ("en ligne" if self.lang == "fr" else "online")
                prov = self._prov if ch is not None else "inferred"
                out.append(AddTouchpoint(stage=stage, name=name, channel=channel, online=online,
                                         ownership=ch.ownership if ch else "owned",
                                         invisible=ch.invisible if ch else False,
                                         owner=None, provenance=prov, quote=cap(item, 600)))
        return out

    def _experience(self, text: str) -> list[Change]:
        out: list[Change] = []
        for stage, chunk in self._segments(text):
            emo = emotion_score(chunk)
            if emo is not None and self._qi != 1:
                out.append(SetEmotion(stage=stage, score=emo[0], label=cap(emo[1], 40), provenance=self._prov,
                                      quote=cap(chunk, 600)))
            for sentence in sentences(chunk):
                f = fold(sentence)
                clean = cap(_strip_item(_TRAILING_SCORE.sub("", sentence)), 300)
                if len(clean) < 3:
                    continue
                if self._qi == 1 or re.search(r"\b(?:attend(?:ait)?\s+(?:que|qu'|des|du|un|une|le|la|les|de|d')\b|"
                                              r"s'attend|espere|souhaite\w*|voudrait|aimerait|expects?|"
                                              r"hopes?|wants?|would like|wishes?)", f):
                    out.append(AddNote(stage=stage, lane="expectations", text=clean, provenance=self._prov,
                                       quote=cap(sentence, 600)))
                elif re.search(r"[«\"“]|\b(?:se dit|se demande|pense|pensee|thinks?|wonders?|tells? (?:her|him|them)self)\b", f):
                    out.append(AddNote(stage=stage, lane="thoughts", text=clean, provenance=self._prov,
                                       quote=cap(sentence, 600)))
                elif _explicit_score(sentence) is None or len(sentence.split()) > 6:
                    if emotions().has(sentence) and len(sentence.split()) <= 6:
                        continue
                    out.append(AddNote(stage=stage, lane="actions", text=clean, provenance=self._prov,
                                       quote=cap(sentence, 600)))
        return out

    def _pain_points(self, text: str) -> list[Change]:
        out: list[Change] = []
        efforts = _keyed("efforts")
        positive_cue = re.compile(r"\b(?:bien|apprecie\w*|rapide|simple|facile|clair|agreable|sympa|efficace|"
                                  r"surpri\w*|aime|adore|well|likes?|loves?|quick|fast|easy|clear|pleasant|"
                                  r"friendly|great|smooth|helpful|works)\b")
        for stage, chunk in self._segments(text):
            pieces = [p for ln in chunk.split("\n") for p in re.split(r";|(?<=[.!?])\s+", _MARKER.sub("", ln))]
            for item in [p for p in pieces if p.strip()][:12]:
                f = fold(item)
                emo = emotion_score(item)
                positive = self._qi == 1 or (self._qi is None and (
                    (emo is not None and emo[0] > 0) or (positive_cue.search(f) is not None and (
                        emo is None or emo[0] >= 0) and not re.search(r"\b(?:pas|not|trop|too|jamais|never)\b", f))))
                body = cap(_strip_item(item), 300)
                if len(body) < 3:
                    continue
                if positive:
                    out.append(AddNote(stage=stage, lane="positives", text=capitalise(body), provenance=self._prov,
                                       quote=cap(item, 600)))
                else:
                    effort = efforts.first(item)
                    out.append(AddPainPoint(stage=stage, text=capitalise(body), effort=effort, provenance=self._prov,
                                            quote=cap(item, 600)))
        return out

    def _moments_of_truth(self, text: str) -> list[Change]:
        kinds = _keyed("moment_kinds")
        out: list[Change] = []
        parts = [text] if self._fi == 0 else [s for s in sentences(text) if len(s.split()) >= 3] or [text]
        for part in parts[:4]:
            m = re.search(r"\b(?:parce que|parce qu'|car|because|since|as)\b\s*(.+)", part, re.IGNORECASE)
            why = cap(m.group(1), 300) if m else None
            head = part[: m.start()] if m else part
            name = clean_name(re.split(r"[:,;]", head)[0] if len(head.split()) > 12 else head, 80)
            stage = next((s.name for s, _ in stage_segments(part, self._journey, None, loose=True) if s is not None), None)
            kind = kinds.first(part) or "other"
            if len(name) < 3:
                continue
            if self._fi == 0 and self._journey.moments_of_truth:
                # "It is rather the decision (FMOT)": the kind of the latest moment, not a new one.
                last = self._journey.moments_of_truth[-1]
                out.append(AddMomentOfTruth(name=last.name, kind=kind, stage=last.stage, why=last.why,
                                            provenance=self._prov, quote=cap(part, 600)))
                break
            out.append(AddMomentOfTruth(name=name, kind=kind, stage=stage, why=why, provenance=self._prov,
                                        quote=cap(part, 600)))
        return out

    def _metrics(self, text: str) -> list[Change]:
        out: list[Change] = []
        tp_names = Lexicon((t.name, (s.name, t.name)) for _, s, _, t in self._journey.touchpoints() if len(t.name) >= 4)
        for stage, chunk in self._segments(text):
            for n in find_numbers(chunk):
                tp = tp_names.first(n.quote)
                st = stage or (tp[0] if tp else "")
                out.append(AddMetric(stage=st or None, name=n.name, value=n.value, unit=n.unit, source=n.source,
                                     touchpoint=tp[1] if tp else None, provenance=self._prov, quote=n.quote))
        return out

    def _owners(self, text: str) -> list[Change]:
        out: list[Change] = []
        touchpoints = [t for *_, t in self._journey.touchpoints()]
        focus_tp = None
        if self._bound and self._question is not None and self._question.focus_id:
            focus_tp = next((t for t in touchpoints if t.id == self._question.focus_id), None)
        done: set[str] = set()
        pieces = [p for ln in text.split("\n") for p in re.split(r";|(?<=[.!?])\s+", _MARKER.sub("", ln))]
        for item in (p.strip() for p in pieces):
            if not item:
                continue
            m = re.search(r"\s*(?::|→|->|=>|=|—|–)\s*|\s+(?:géré(?:e|s|es)? par|pris en charge par|relève de|"
                          r"owned by|run by|handled by|belongs to)\s+", item, re.IGNORECASE)
            left, right = (item[: m.start()], item[m.end():]) if m else (item, "")
            team = find_team(right, self.lang) if right else None
            if team is None and right and 0 < len(right.split()) <= 4:
                team = clean_name(right, 60)
            if team is None:
                team = find_team(item, self.lang)
                left = item
            if team is None:
                continue
            targets = _touchpoints_named(left, touchpoints)
            if not targets and focus_tp is not None:
                targets = [focus_tp]
            for tp in targets:
                if tp.id in done:
                    continue
                done.add(tp.id)
                out.append(SetOwner(touchpoint=tp.name, touchpoint_id=tp.id, owner=team, provenance=self._prov,
                                    quote=cap(item, 600)))
        if not out and focus_tp is not None:
            team = find_team(text, self.lang) or (clean_name(text, 60) if len(text.split()) <= 4 else None)
            if team:
                out.append(SetOwner(touchpoint=focus_tp.name, touchpoint_id=focus_tp.id, owner=team,
                                    provenance=self._prov, quote=cap(text, 600)))
        return out

    def _priorities(self, text: str) -> list[Change]:
        qi, fi = self._qi, self._fi
        f = fold(text)
        kind = {0: "opportunities", 1: "scores", 2: "actions"}.get(qi) if qi is not None else (
            "review" if fi == 0 else None)
        if kind is None:
            if _has_scores(text):
                kind = "scores"
            elif re.search(r"\b(?:responsable|porte par|pilote|owner|owned by|led by|kpi|indicateur)\b", f):
                kind = "actions"
            elif re.search(r"\b(?:revoir|reverr\w*|revue|revision|review\w*|update the map|mettre a jour)\b", f) \
                    and find_date(text, self._journey.created):
                kind = "review"
            else:
                kind = "opportunities"
        out: list[Change] = []
        if kind == "opportunities":
            kinds, levers = _keyed("opportunity_kinds"), _keyed("opportunity_levers")
            for item in split_items(text, max_words=14)[:6]:
                if len(item.split()) < 2:
                    continue
                stage = next((s.name for s, _ in stage_segments(item, self._journey, None, loose=True)
                              if s is not None), None)
                out.append(AddOpportunity(text=capitalise(cap(item, 300)), kind=kinds.first(item) or "fix",
                                          lever=levers.first(item), stage=stage, provenance=self._prov,
                                          quote=cap(item, 600), **_scores(item)))
        elif kind == "scores":
            parts = [p for p in re.split(r"\n|;|(?<=\.)\s", text) if _has_scores(p)] or [text]
            for part in parts[:6]:
                scores = _scores(part)
                if scores:
                    words = re.split(r"[:(]|\b(?:impact|portée|reach)\b", part, flags=re.IGNORECASE)[0]
                    out.append(ScoreOpportunity(text=cap(words.strip(" -:"), 120) if len(words.strip()) > 3 else "",
                                                provenance=self._prov, quote=cap(part, 600), **scores))
        elif kind == "actions":
            for item in _action_items(text):
                owner = None
                m = re.search(r"(?:responsable|porté par|pilote|owner|owned by|led by)\s*:?\s*([^,;.()]{2,60})",
                              item, re.IGNORECASE)
                if m:
                    owner = cap(m.group(1), 60)
                owner = owner or find_team(item, self.lang)
                kpi = None
                m = re.search(r"(?:kpi|indicateur|mesuré par|measured by|metric)\s*:?\s*([^,;.()]{2,80})", item,
                              re.IGNORECASE)
                if m:
                    kpi = cap(m.group(1), 80)
                due = find_date(item, self._journey.created)
                action = re.split(r"\s*[,(;]\s*(?:responsable|porté|pilote|owner|owned|led|kpi|indicateur|d'ici|"
                                  r"pour le|by|avant|before)\b", item, flags=re.IGNORECASE)[0]
                action = capitalise(cap(_strip_item(action), 300))
                if len(action) < 3:
                    continue
                out.append(AddAction(action=action, owner=owner, kpi=kpi, due=due[0] if due else None,
                                     provenance=self._prov, quote=cap(item, 600)))
        found = find_date(text, self._journey.created)
        if found and (kind == "review" or re.search(r"\b(?:revoir|reverr\w*|revision|review\w*)\b", f)):
            out.append(SetReviewDate(date=found[0], provenance=self._prov, quote=cap(text, 600)))
        return out


# --- small helpers --------------------------------------------------------------------------------


def _touchpoints_named(text: str, touchpoints: list[Any]) -> list[Any]:
    """The touchpoints a piece of text names ('the website, the app and the branch'): each part
    matches the touchpoints holding most of its words, or, when the part is only a channel word
    ('phone'), every touchpoint on that channel."""
    found: list[Any] = []
    parts = [p for p in re.split(r",|;|\s+(?:et|and|ou|or|&)\s+|/", text) if p.strip()]
    for part in parts:
        words = {w[:6] for w in re.findall(r"[a-z0-9]{3,}", fold(part))} - {"the", "les", "des", "and", "our", "nos"}
        if not words:
            continue
        best: list[Any] = []
        best_score = 0.0
        for tp in touchpoints:
            tp_words = {w[:6] for w in re.findall(r"[a-z0-9]{3,}", fold(tp.name))}
            score = len(words & tp_words) / len(words)
            if score > best_score:
                best, best_score = [tp], score
            elif score == best_score and score > 0:
                best.append(tp)
        if best_score >= 0.5:
            found += [t for t in best if t not in found]
            continue
        channel = find_channel(part)
        if channel is not None and len(part.split()) <= 3:
            found += [t for t in touchpoints if t not in found and
                      fold(t.channel) in (fold(channel.fr), fold(channel.en))]
    return found


def _start_end(text: str) -> tuple[str | None, str | None]:
    start = end = None
    m = re.search(r"(?:commence|débute|démarre|part|starts?|begins?)\s+(?:quand|lorsque|au moment où|dès|à|au|"
                  r"avec|par|when|with|at|from|as soon as)?\s*([^.;]{3,200}?)(?=\s+et\s+(?:se\s|s'|finit|prend)|"
                  r"\s+and\s+ends|[.;]|$)", text, re.IGNORECASE)
    if m:
        start = cap(m.group(1).strip(" ,"), 300)
    m = re.search(r"(?:se termine|s'arrête|s’arrête|finit|prend fin|s'achève|s’achève|ends?|stops?|finishes)\s+"
                  r"(?:quand|lorsque|au moment où|à|au|avec|par|après|when|with|at|after|once)?\s*([^.;]{3,200})",
                  text, re.IGNORECASE)
    if m:
        end = cap(m.group(1).strip(" ,"), 300)
    if start is None and end is None:
        m = re.search(r"(?:de|du|from)\s+(.{3,150}?)\s+(?:à|au|jusqu'à|jusqu'au|jusqu’à|to|until)\s+(.{3,150})",
                      text, re.IGNORECASE)
        if m:
            start, end = cap(m.group(1), 300), cap(m.group(2).rstrip(". "), 300)
    if start is None and end is None:
        parts = sentences(text)
        if len(parts) >= 2:
            start, end = cap(parts[0], 300), cap(parts[1], 300)
    return start, end


_NOT_NAMES = {"elle", "il", "c'est", "une", "un", "le", "la", "les", "she", "he", "it", "the", "a", "an", "our",
              "notre", "nos", "mon", "ma", "this", "cette", "ce", "nous", "we", "they", "ils", "elles", "pour",
              "for", "persona", "disons", "let's", "say"}


def _persona_name(text: str) -> str:
    m = re.search(r"(?:s'appelle|s’appelle|appelons[- ]la|appelons[- ]le|nommée?|prénommée?|named|called|"
                  r"call (?:her|him|them)|persona\s*:)\s+([A-ZÀ-Ý][\w’'-]+(?:\s+[A-ZÀ-Ý][\w’'-]+)?)", text)
    if m:
        return cap(m.group(1), 60)
    m = re.match(r"\s*([A-ZÀ-Ý][\w’'-]+)(?=\s*(?:,|\(|\s+est\b|\s+is\b|\s+a\b|\s+has\b|\s+-|\s+—|\s+\d))", text)
    if m and fold(m.group(1)) not in _NOT_NAMES:
        return cap(m.group(1), 60)
    first = re.split(r"[,.;:(]", text.strip(), maxsplit=1)[0]
    return capitalise(cap(first, 60)) if len(first) >= 2 else "Persona"


_SCALES = {
    "impact": r"impact",
    "reach": r"port[ée]e|reach|clients? touch[ée]s?|customers? reached|nombre de clients|audience",
    "confidence": r"confiance|confidence|certitude",
    "effort": r"effort|co[ûu]t|cost|difficult[ée]",
}


def _scores(text: str) -> dict[str, int]:
    out = {}
    for key, words in _SCALES.items():
        m = re.search(rf"(?:{words})\s*(?:de|of|:|=|à|at)?\s*([1-5])(?:\s*/\s*5)?(?!\d)", text, re.IGNORECASE)
        if m:
            out[key] = int(m.group(1))
    return out


def _has_scores(text: str) -> bool:
    return len(_scores(text)) >= 2


def _action_items(text: str) -> list[str]:
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if len(lines) > 1:
        return [_strip_item(ln) for ln in lines][:8]
    return [s for s in (_strip_item(x) for x in re.split(r";|(?<=\.)\s+", text)) if len(s) > 3][:8]


def looks_like_method_question(text: str) -> bool:
    """A question about the method rather than an answer: a definition opener ("c'est quoi",
    "what is", "à quoi sert"...) with the method's vocabulary, or a why about the bot's own question
    ("pourquoi cette question ?", "why do you ask this?"). "Pourquoi nos clients partent-ils ?" is an
    answer (a business question), not a method question."""
    stripped = text.strip()
    if not stripped or len(stripped) > 300 or stripped.count("\n") > 2:
        return False
    f = fold(stripped)
    opener = _flat("method_question_starts").pattern.match(f) is not None
    why_ask = re.match(r"\s*(?:mais\s+|but\s+|and\s+|et\s+)?(?:pourquoi|why)\b", f) is not None and re.search(
        r"\b(?:demand\w*|pos\w*|ask\w*|cette question|this question|that question|the question|important|"
        r"utile|useful|matter\w*|sert|need (?:this|that|it)|besoin de (?:ca|cela|savoir))\b", f) is not None
    vocab = _flat("method_vocabulary").has(stripped)
    if why_ask:
        return True
    return opener and vocab and (stripped.endswith("?") or len(stripped.split()) <= 12)


def read_answer(text: str, phase: str, journey: JourneyMap, lang: Lang, question: Question | None = None,
                *, bound: bool = True) -> Proposal:
    """The rule-based reading of one answer (see the module docstring). ``bound``: the answer
    replies to that very question (else only the question's stage is used)."""
    return RulesReader(lang).read(text, phase, journey, question, bound=bound)
