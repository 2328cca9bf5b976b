"""The segmenter: one answer cut into its lists, list items and free sentences, BEFORE anyone reads it.

Both readers (the rules and the model) work on its output, so a list is read the same way whoever
labels it. Everything it returns is a ``Span`` of the answer (offsets kept): what ends up in the map is
the user's own words.

What it recognises, in French and English:

- lists on several lines (bullets, numbers, "Étape 2 :", or short lines one under the other), with the
  line that introduces them ("Les étapes :") as their intro;
- numbered lists on one line or several sentences: "1) ..., 2) ...", "1. ... 2. ...", "étape 1, ... ;
  étape 2, ...", "first: ..., second: ...";
- lists after a colon: "Cinq étapes, dans l'ordre : Découverte, Essai, Achat." (the intro announces a
  count, checked against the items), arrows "A → B → C", semicolons "A; B; C", sequences "d'abord A,
  puis B, ensuite C, enfin D", and a sentence that is only a list "Need, research, order";
- the sentence that introduces a list is never one of its items; the sentences around a list are free
  sentences ("Les deux premières se font surtout en ligne.");
- corrections said after a list: "... ah non, cinq, j'ai oublié l'essai, entre la découverte et
  l'achat", "sorry, I forgot the trial, after discovery", "not X but Y" (see ``corrections``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from ..text import Span, fold, masked, sentence_spans
from ..text.dates import NUMBER_WORDS

ListKind = Literal["lines", "numbered", "colon", "arrows", "connectors", "semicolons", "commas", "asked"]
STRONG_KINDS = frozenset({"lines", "numbered", "arrows", "connectors", "semicolons"})
"""Lists whose shape alone says they are lists (a colon or comma list needs a count or short items)."""

MAX_ITEM_WORDS = 9
"""A comma or colon list item longer than this is prose, not a list item."""


@dataclass(frozen=True)
class Item:
    """One item of a list: the whole item, its head ("Devis" in "Devis : le formulaire en ligne") and
    body, and the number the user gave it ("2" in "2) Je compare")."""

    span: Span
    head: Span | None = None
    body: Span | None = None
    number: int | None = None

    @property
    def text(self) -> str:
        return self.span.text


@dataclass(frozen=True)
class ListBlock:
    """A list of the answer: its intro (not an item), its items in order, the count the intro announced
    ("cinq étapes" → 5), and its shape."""

    kind: ListKind
    items: tuple[Item, ...]
    intro: Span | None = None
    count: int | None = None
    start: int = 0
    end: int = 0

    @property
    def strong(self) -> bool:
        """True when the answer's shape or the announced count says this is a list."""
        return self.kind in STRONG_KINDS or (self.count is not None and self.count == len(self.items))


@dataclass(frozen=True)
class Segmentation:
    """An answer cut into lists and free sentences, in the order they come."""

    text: str
    lists: tuple[ListBlock, ...] = ()
    free: tuple[Span, ...] = ()
    """Sentences outside every list (intros excluded)."""
    intros: tuple[Span, ...] = field(default=())

    def segments(self) -> list[Span]:
        """What a reader labels, in the answer's order: each list item and each free sentence."""
        out = [i.span for lst in self.lists for i in lst.items] + list(self.free)
        return sorted(out, key=lambda s: s.start)

    def clauses(self) -> list[Span]:
        """``segments`` with free sentences cut at their clauses ("ça commence quand ... et ça s'arrête
        quand ...": two clauses)."""
        out: list[Span] = [i.span for lst in self.lists for i in lst.items]
        for sentence in self.free:
            out += clauses(self.text, sentence)
        return sorted(out, key=lambda s: s.start)

    def main_list(self) -> ListBlock | None:
        """The list the answer is about: the one whose count the intro announced, else the longest
        strong list, else the longest list."""
        if not self.lists:
            return None
        counted = [lst for lst in self.lists if lst.count is not None and lst.count == len(lst.items)]
        if counted:
            return max(counted, key=lambda lst: len(lst.items))
        strong = [lst for lst in self.lists if lst.strong]
        return max(strong or list(self.lists), key=lambda lst: len(lst.items))


# --- patterns -----------------------------------------------------------------------------------

_NUM_WORDS = sorted((k.strip() for k in NUMBER_WORDS if k.strip() not in ("a", "an", "un", "une")),
                    key=len, reverse=True)
_COUNT = re.compile(
    r"\b(\d{1,2}|" + "|".join(_NUM_WORDS) + r")\s+(?:grandes?\s+|principales?\s+|vraies?\s+|main\s+|big\s+|key\s+|"
    r"named\s+|distinct\s+|clear\s+|major\s+|separate\s+|petites?\s+)?"
    r"(?:etapes?|phases?|steps?|stages?|moments?|temps|parties|parts|morceaux|blocs?)\b")
"""An announced count, on folded text: "cinq étapes", "three named steps", "6 grandes phases"."""

_LINE_MARKER = re.compile(
    r"^[ \t]*(?:[-*•·▪►✓→–—]|\(?(?P<n>\d{1,2})\s*[.)°/:-]|\(?[a-zA-Z]\)|"
    r"(?:[ée]tape|stage|step|phase)\s*(?P<n2>\d{1,2})\s*[:.)–—-]?)[ \t]+")
_INLINE_MARKER = re.compile(
    r"(?:(?<=\s)|(?<=^)|(?<=[,;:(]))(?:\(?(?P<n>\d{1,2})\s?[).](?!\d)|"
    r"(?:[ée]tape|[ÉE]tape|[Ss]tage|[Ss]tep|[Pp]hase|temps)\s+(?P<n2>\d{1,2})(?:\s*[:,.)–—-]|\s+(?=[A-Za-zÀ-ÿ«\"'])))"
    r"\s*")
_ORDINALS = {"premier": 1, "premiere": 1, "first": 1, "deuxieme": 2, "second": 2, "seconde": 2, "troisieme": 3,
             "third": 3, "quatrieme": 4, "fourth": 4, "cinquieme": 5, "fifth": 5, "sixieme": 6, "sixth": 6,
             "septieme": 7, "seventh": 7, "huitieme": 8, "eighth": 8, "neuvieme": 9, "ninth": 9, "dixieme": 10,
             "tenth": 10}
_ORDINAL_MARKER = re.compile(
    r"(?:(?<=\s)|(?<=^)|(?<=[,;:.]))(?:(?:la|le|en|the|and|et)\s+)?(?P<w>" + "|".join(_ORDINALS) +
    r")(?:ly)?(?:\s+(?:etape|phase|step|stage|temps))?\s*[:,]\s*")
_WORD_MARKER = re.compile(
    r"(?:(?<=\s)|(?<=^)|(?<=[,;:.]))(?:(?P<kind>(?:etape|stage|step|phase)\s+)|(?:and|et)\s+)(?P<w>" +
    "|".join(w for w in _NUM_WORDS if " " not in w) + r")\s*[,:.]\s*")
"""A number written as a word: "Stage one, I need a car. Stage two, ..." (and "And seven, ..." next in the run)."""
_SENTENCE_WORD_MARKER = re.compile(
    r"(?<![\w'])(?P<w>un|une|one|" + "|".join(w for w in _NUM_WORDS if " " not in w and w not in ("quelques", "few")) +
    r")\s*[,:)]\s+")
"""A number word opening a sentence or a line: « Un : Mon médecin m'envoie voir un cardiologue. Deux : … », "- un : …"."""
STAGE_NUMBER = re.compile(r"^(?:(?:etape|stage|step|phase)\s*)?(?:(?:n°|no\.?|numero|number)\s*)?(?P<w>\d{1,2}|un|une|one|" +
                           "|".join(w for w in _NUM_WORDS if " " not in w) + r")$")
"""A head that is only the item's number ("- un : Je compare", "Step 2: …"): the name is what follows."""
_LIST_HEAD = re.compile(r"^(?:(?:her|his|their|our|the|my|les|ses|nos|leurs|mes|ces|these|in)\s+)?(?:stages?|steps?|phases?|etapes?|"
                        r"temps|moments|grandes etapes|main stages|order|ordre|l'ordre)\b[^:]{0,40}$")
"""A head that names the list itself ("Stages: I hear the line-up; …", "Her stages: « … »", « Les stages, côté
learner : … »): the first item is what follows it."""


def _opens_sentence(text: str, pos: int) -> bool:
    before = text[:pos].rstrip(" \t-*•·–—")
    return not before or before[-1] in ".!?:;\n"
_ARROWS = re.compile(r"\s*(?:→|->|=>|⇒|⟶|>>?)\s*")
_CONNECTOR = re.compile(
    r"(?:(?<=^)|(?<=[\s,;.(]))(?:et\s+|and\s+)?(?:tout\s+d'abord|d'abord|en premier|au debut|premierement|"
    r"premiere(?=\s*,)|premier(?=\s*,)|"
    r"puis|ensuite|apres(?:\s+ca|\s+cela|\s+quoi)?|et\s+apres|plus tard|enfin|finalement|pour finir|a la fin|"
    r"first(?:\s+of\s+all)?(?=\s*,)|firstly|to start(?:\s+with)?|at first|then|next(?=\s*,)|after that|"
    r"afterwards|later(?=\s*,)|finally|lastly|in the end|at the end)(?=[\s,:])[\s,:]*")
_LAST_CONNECTOR = re.compile(r"(?:et\s+|and\s+)?(?:enfin|finalement|pour finir|a la fin|finally|lastly|in the end|"
                             r"at the end)\b")
_FIRST_CONNECTORS = re.compile(r"^(?:tout\s+d'abord|d'abord|en premier|au debut|premierement|premiere|premier|"
                               r"first(?:\s+of\s+all)?|"
                               r"firstly|to start(?:\s+with)?|at first)")
_LIST_SPLIT = re.compile(r"\s*(?:,|;|/|\s(?:et|and|ou|or|puis|then|plus)\s|,\s*(?:et|and|puis|then|ou|or)\s)\s*")
_TITLED_SPLIT = re.compile(r"\s*(?:[,;/]|\s(?:et|and|ou|or|puis|then|plus)\s(?=[A-ZÀ-Ý«\"“]))\s*")
_PRONOUN = r"(?:i|we|she|he|they|you|je|j'|on|il|elle|nous|ils|elles|vous)\b"
_SUBJECT_START = re.compile(r"(?:(?:and|or|then|et|ou|puis)\s+)?" + _PRONOUN, re.IGNORECASE)
_CLAUSE_SPLIT = re.compile(r"\s*(?:[,;/]\s*(?:(?:et|and|ou|or|puis|then)\s+)?|\s(?:et|and|ou|or|puis|then)\s"
                           r"(?=" + _PRONOUN + r"))\s*", re.IGNORECASE)
"""A list of clauses in the first person ("I break my phone, …, I pick it up and check it, and I go back or tell
others") is cut at its commas and before a new subject: "and"/"or" + a bare verb goes on with the same step."""
_HEAD_SEP = re.compile(r"\s*(?::|\s[–—-]\s|=)\s*")
_CLAUSE = re.compile(
    r"(?:,\s*|\s+)(?:et|mais|puis|and|but|then|while|alors que|tandis que|whereas)\s+(?=(?:ça|ca|cela|il|elle|on|nous|je|"
    r"j'|ils|elles|c'est|c'etait|le parcours|la carte|it|she|he|they|we|i|the journey|the map|that|this|"
    r"[a-z]+\s+(?:commence|s'arrete|se termine|finit|starts?|ends?|stops?)\b))"
    r"|\s*;\s*")
_CORRECTION = re.compile(
    r"\b(?:ah|oh|euh|hum)?\s*(?:non|pardon|attendez|attends|en fait|plutot|correction|je me suis trompee?|"
    r"wait|sorry|actually|no|oops|i mean|scratch that|correction|my mistake)\b")


def _number(word: str) -> int | None:
    word = fold(word)
    if word.isdigit():
        return int(word)
    value = NUMBER_WORDS.get(word, NUMBER_WORDS.get(word + " "))
    return value if value and value > 1 else None


def announced_count(text: str) -> int | None:
    """The count an intro announces: "Cinq étapes, dans l'ordre" → 5, "three named steps" → 3."""
    m = _COUNT.search(fold(text))
    return _number(m.group(1)) if m else None


def split_head(source: str, span: Span, limit: int = 6) -> tuple[Span | None, Span]:
    """("Devis", "le formulaire en ligne") for "Devis : le formulaire en ligne"; (None, span) when the
    item has no short head before a colon or a spaced dash."""
    m = _HEAD_SEP.search(span.text)
    if m is None or m.start() == 0:
        return None, span
    head = span.sub(source, 0, m.start())
    body = span.sub(source, m.end(), len(span.text))
    if not body.text or len(head.text.split()) > limit:
        return None, span
    return head, body


def _item(source: str, span: Span, number: int | None = None) -> Item:
    head, body = split_head(source, span)
    if head is not None and (STAGE_NUMBER.match(fold(head.text).strip()) or _LIST_HEAD.match(fold(head.text).strip())):
        return _item(source, body, number)  # "- un : Je compare", "Step 2 — I book", "Her stages: …": no name
    lead = re.match(r"(?:c'est|it's|it is|ce sera|that's)\s+(?=\S)", span.text, re.IGNORECASE)
    if lead is not None and number is not None:
        return _item(source, span.sub(source, lead.end(), len(span.text)))  # « quatre, c'est Je prépare le voyage »
    return Item(span, head, body, number)


# --- the segmenter ------------------------------------------------------------------------------


class _Claims:
    """The parts of the text already taken by a list."""

    def __init__(self) -> None:
        self.ranges: list[tuple[int, int]] = []

    def free(self, start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in self.ranges)

    def take(self, start: int, end: int) -> None:
        self.ranges.append((start, end))

    def gaps(self, start: int, end: int) -> Iterator[tuple[int, int]]:
        pos = start
        for s, e in sorted(self.ranges):
            if e <= pos or s >= end:
                continue
            if s > pos:
                yield pos, s
            pos = max(pos, e)
        if pos < end:
            yield pos, end


def _lines(text: str) -> list[Span]:
    out, pos = [], 0
    for raw in text.split("\n"):
        out.append(Span(pos, pos + len(raw), raw))
        pos += len(raw) + 1
    return out


def _line_lists(text: str, claims: _Claims) -> list[ListBlock]:
    """Lists on several lines: two or more marked lines in a row, or three or more short lines."""
    lines = [ln for ln in _lines(text) if ln.text.strip()]
    out: list[ListBlock] = []
    i = 0
    while i < len(lines):
        run = [lines[i]]
        marked = _LINE_MARKER.match(lines[i].text) is not None
        j = i + 1
        while j < len(lines) and (_LINE_MARKER.match(lines[j].text) is not None) == marked:
            if not marked and (len(lines[j].text.split()) > 8 or lines[j].text.rstrip().endswith((".", ":"))):
                break
            run.append(lines[j])
            j += 1
        short = all(len(ln.text.split()) <= 8 and not ln.text.rstrip().endswith((".", ":", "?")) for ln in run)
        if (marked and len(run) >= 2) or (not marked and len(run) >= 3 and short):
            intro = None
            if i > 0 and lines[i - 1].text.rstrip().endswith(":") and claims.free(lines[i - 1].start, lines[i - 1].end):
                intro = Span.of(text, lines[i - 1].start, lines[i - 1].end)
            items = []
            for ln in run:
                m = _LINE_MARKER.match(ln.text)
                start = ln.start + (m.end() if m else 0)
                number = int(m.group("n") or m.group("n2")) if m and (m.group("n") or m.group("n2")) else None
                span = Span.of(text, start, ln.end)
                if span.text:
                    items.append(_item(text, span, number))
            if len(items) >= 2:
                start = intro.start if intro else run[0].start
                block = ListBlock("lines", tuple(items), intro, announced_count(intro.text) if intro else None,
                                  start, run[-1].end)
                out.append(block)
                claims.take(block.start, block.end)
            i = j
            continue
        i += 1
    return out


def _sentence_end(text: str, pos: int, limit: int) -> int:
    """Where the sentence holding ``pos`` ends (before ``limit``)."""
    for span in sentence_spans(text[pos:limit], semicolons=False):
        return pos + span.end
    return limit


def _intro_before(text: str, start: int, first: int) -> Span | None:
    """The intro of a list that starts at ``first``: the end of the sentence before it, from ``start``."""
    head = text[start:first]
    spans = sentence_spans(head, semicolons=False)
    if not spans:
        return None
    last = spans[-1]
    return Span.of(text, start + last.start, first)


def _numbered(text: str, claims: _Claims, start: int, end: int) -> list[ListBlock]:
    """Numbered items on one line or across sentences: 1) ... 2) ..., étape 1, ...; étape 2, ..."""
    out: list[ListBlock] = []
    folded = fold(text)
    markers: list[tuple[int, int, int]] = []
    for m in _INLINE_MARKER.finditer(text, start, end):
        n = int(m.group("n") or m.group("n2"))
        markers.append((m.start(), m.end(), n))
    for m in _ORDINAL_MARKER.finditer(folded, start, end):
        markers.append((m.start(), m.end(), _ORDINALS[m.group("w")]))
    bare: set[int] = set()
    for m in _WORD_MARKER.finditer(folded, start, end):
        said = NUMBER_WORDS.get(m.group("w"), NUMBER_WORDS.get(m.group("w") + " "))
        if said and not any(a <= m.start() < b for a, b, _ in markers):
            markers.append((m.start(), m.end(), said))
            if not m.group("kind"):
                bare.add(m.start())  # "and seven, ...": only as the next of a run
    for m in _SENTENCE_WORD_MARKER.finditer(folded, start, end):
        said = NUMBER_WORDS.get(m.group("w"), NUMBER_WORDS.get(m.group("w") + " "))
        if said and _opens_sentence(text, m.start()) and not any(a <= m.start() < b for a, b, _ in markers):
            markers.append((m.start(), m.end(), said))
    markers.sort()
    # runs of markers numbered 1, 2, 3... (or n, n+1, ...)
    runs: list[list[tuple[int, int, int]]] = []
    cut_at: dict[int, int] = {}  # a restated marker: the item before it ends where the first one stood
    for marker in markers:
        if runs and marker[2] == runs[-1][-1][2] + 1 and marker[0] >= runs[-1][-1][1]:
            runs[-1].append(marker)
        elif runs and len(runs[-1]) >= 2 and runs[-1][0][2] < marker[2] <= runs[-1][-1][2] and _CORRECTION.search(
                folded[runs[-1][-1][1]:marker[0]]):
            # the list taken up again from a number after a correction (« Quatre, je m'enregistre… non attendez, … :
            # quatre, c'est Je prépare le voyage », « … non pardon, … Donc : trois, Admission ; quatre, … »): the
            # items from that number on are said again, and the one before ends where the first telling went on
            k = next(i for i, m in enumerate(runs[-1]) if m[2] == marker[2])
            cut_at[marker[0]] = cut_at.get(runs[-1][k][0], runs[-1][k][0])
            runs[-1][k:] = [marker]
        elif len(runs) >= 2 and len(runs[-1]) == 1 and marker[2] == runs[-2][-1][2] + 1:
            runs.pop()  # a stray "first," inside an item ("she googles us first, but...") did not start a list
            runs[-1].append(marker)
        elif marker[2] in (0, 1) and marker[0] not in bare:
            runs.append([marker])
    for run in runs:
        if len(run) < 2 or not claims.free(run[0][0], run[-1][1]):
            continue
        items = []
        for k, (_m_start, m_end, n) in enumerate(run):
            stop = cut_at.get(run[k + 1][0], run[k + 1][0]) if k + 1 < len(run) else _sentence_end(text, m_end, end)
            span = Span.of(text, m_end, stop)
            if span.text:
                items.append(_item(text, span, n))
        if len(items) < 2:
            continue
        intro = _intro_before(text, start, run[0][0])
        if intro is not None and not intro.text:
            intro = None
        last = items[-1].span.end
        block = ListBlock("numbered", tuple(items), intro, announced_count(intro.text) if intro else None,
                          intro.start if intro else run[0][0], last)
        out.append(block)
        claims.take(block.start, block.end)
    return out


def _arrows(text: str, sentence: Span) -> ListBlock | None:
    parts = list(_ARROWS.finditer(sentence.text))
    if len(parts) < 2:
        return None
    intro = None
    first_start = 0
    colon = sentence.text.rfind(":", 0, parts[0].start())
    if colon >= 0:
        intro = sentence.sub(text, 0, colon)
        first_start = colon + 1
    bounds = [first_start] + [p.end() for p in parts]
    ends = [p.start() for p in parts] + [len(sentence.text)]
    items = [_item(text, sentence.sub(text, b, e)) for b, e in zip(bounds, ends, strict=True)]
    items = [i for i in items if i.text]
    if len(items) < 3:
        return None
    return ListBlock("arrows", tuple(items), intro, announced_count(intro.text) if intro else None,
                     sentence.start, sentence.end)


def _pieces(text: str, span: Span) -> list[Span]:
    """``span`` cut at commas, semicolons, slashes and "et/and/puis/then/ou/or" (not inside brackets). A list
    of names each written with a capital ("Thinking about a dog, Applying, Signing and taking her home") is
    cut at its commas only: "and" + a small letter goes on the same name."""
    out: list[Span] = []
    pos = 0
    body = span.text
    flat = masked(body)
    parts = [x.strip() for x in re.split(r"[,;]", flat) if x.strip()]
    titled = len(parts) >= 3 and all(x[:1].isupper() or x[:1] in "«\"“" for x in parts[1:-1]) and parts[-1][:1].isupper()
    clauses = len(parts) >= 3 and sum(1 for x in parts if _SUBJECT_START.match(x)) >= len(parts) - 1
    splitter = _CLAUSE_SPLIT if clauses else _TITLED_SPLIT if titled else _LIST_SPLIT
    for m in splitter.finditer(flat):
        out.append(span.sub(text, pos, m.start()))
        pos = m.end()
    out.append(span.sub(text, pos, len(body)))
    return [p for p in out if p.text]


def _short_items(pieces: list[Span], limit: int = MAX_ITEM_WORDS) -> bool:
    """Items short enough for a list; steps said in the first person ("Je passe le TOEIC et je décide de la
    suite") may run a little longer."""
    if limit >= MAX_ITEM_WORDS and len(pieces) >= 3 and all(_SUBJECT_START.match(p.text) for p in pieces):
        limit = max(limit, 14)
    return all(1 <= len(p.text.split()) <= limit for p in pieces)


_INTRO_VERB = re.compile(r"\b(?:il y a|il y aura|ce sont|c'est|ça donne|ca donne|on a(?=\s+(?:l['’]|le|la|les|un|une|des|deux|trois|quatre|cinq|six|sept|huit|d'abord|"
                         r"ensuite)\b)|on trouve|viennent|vient|suivent|"
                         r"comprend|there (?:is|are|will be)|these are|it's|it is|it goes|that gives|we have|comes?|"
                         r"follows?|includes?|consists of)\s+(?!(?:pas|plus|rien|nothing|no|not)\b)", re.IGNORECASE)


def _colon_list(text: str, sentence: Span) -> ListBlock | None:
    """"intro : A, B, C" — the intro is never an item; the count it announces must match when given.
    "Après l'achat, il y a l'installation, le premier usage et le SAV" reads the same way."""
    colon = sentence.text.find(":")
    cut = colon + 1
    if colon <= 0:
        verb = _INTRO_VERB.search(sentence.text)
        if verb is None:
            return None
        colon, cut = verb.start(), verb.end()
        if colon <= 0:
            return None
    intro = sentence.sub(text, 0, colon)
    rest = sentence.sub(text, cut, len(sentence.text))
    if not rest.text:
        return None
    verb = _INTRO_VERB.search(rest.text)
    if verb is not None and len(rest.text[:verb.start()].split()) <= 5 and announced_count(intro.text) is None:
        # "In her words: before the order it's finding the dress, picking my size and checking out"
        intro = sentence.sub(text, 0, cut + verb.start())
        rest = rest.sub(text, verb.end(), len(rest.text))
    count = announced_count(intro.text)
    pieces = split_list(text, rest, count)
    if ";" in rest.text and len(pieces) >= 3 and not _short_items(pieces) and all(
            _SUBJECT_START.match(p.text) for p in pieces):
        # "Stages: I hear the line-up, usually on TikTok, total excitement; I get tickets in the sale, stress; …":
        # each step is its first clause, what follows the comma is said about it
        pieces = [p.sub(text, 0, p.text.index(",")) if "," in p.text else p for p in pieces]
    if len(pieces) < 2 or not _short_items(pieces):
        return None
    if count is None and len(pieces) < 3:
        return None
    return ListBlock("colon", tuple(_item(text, p) for p in pieces), intro, count, sentence.start, sentence.end)


def _split_at(text: str, span: Span, pattern: str) -> list[Span]:
    out, pos = [], 0
    for m in re.finditer(pattern, masked(span.text)):
        out.append(span.sub(text, pos, m.start()))
        pos = m.end()
    out.append(span.sub(text, pos, len(span.text)))
    return [p for p in out if p.text]


def _without_conjunction(text: str, span: Span) -> Span:
    m = re.match(r"(?:et|and|puis|then|ou|or|plus)\s+", span.text, re.IGNORECASE)
    return span.sub(text, m.end(), len(span.text)) if m and m.end() < len(span.text) else span


def split_list(text: str, rest: Span, count: int | None = None) -> list[Span]:
    """The items of a list said in a sentence: at semicolons when it uses them, else at commas (the
    last item cut at "et/and" when the items are short nouns: "Découverte, essai, achat et usage"; kept
    whole when they are clauses: "Je range et je vérifie"), else at "et/and/puis". An announced count
    chooses among these cuts."""
    options: list[list[Span]] = []
    if rest.text.count(";") >= 1:
        options.append(_split_at(text, rest, r"\s*;\s*"))
    commas = _split_at(text, rest, r"\s*,\s*")
    if len(commas) >= 2:
        last = commas[-1]
        m = re.match(r"^(?P<a>.+?)\s+(?:et|and|puis|then|ou|or|&)\s+(?P<b>.+)$", last.text)
        titled = len(commas) >= 3 and all(c.text[:1].isupper() for c in commas)
        if m and titled and not m.group("b")[:1].isupper():
            m = None  # "…, Welcome week and first term": one name, written with one capital
        short = sum(len(c.text.split()) for c in commas[:-1]) / max(1, len(commas) - 1) <= 3
        if m and short and len(m.group("a").split()) <= 4 and len(m.group("b").split()) <= 4:
            options.append([*commas[:-1], last.sub(text, 0, m.end("a")), last.sub(text, m.start("b"), len(last.text))])
        options.append(commas)
    options.append(_pieces(text, rest))
    options = [[_without_conjunction(text, p) for p in option] for option in options]
    if count is not None:
        fitting = [o for o in options if len(o) == count]
        if fitting:
            return fitting[0]
    return options[0]


def _comma_bounds(body: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for m in re.finditer(r",", body):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, len(body)))
    return out


def _semicolons(text: str, sentence: Span) -> ListBlock | None:
    if sentence.text.count(";") < 2:
        return None
    parts, pos = [], 0
    for m in re.finditer(r";", sentence.text):
        parts.append(sentence.sub(text, pos, m.start()))
        pos = m.end()
    parts.append(sentence.sub(text, pos, len(sentence.text)))
    parts = [p for p in parts if p.text]
    intro = None
    if parts:
        head, body = split_head(text, parts[0])
        if head is not None and (announced_count(head.text) is not None or len(parts[0].text.split()) > 8):
            intro, parts[0] = head, body
    if len(parts) < 3 or not _short_items(parts, 12):
        return None
    return ListBlock("semicolons", tuple(_item(text, p) for p in parts), intro,
                     announced_count(intro.text) if intro else None, sentence.start, sentence.end)


_NOT_AN_ITEM_START = re.compile(
    r"^(?:je|j'|tu|il|elle|on|nous|vous|ils|elles|ce|ça|ca|c'|i|you|he|she|it|we|they|this|that|honnetement|"
    r"honestly|bon|well|alors|so|enfin|bref|oui|non|yes|no|mais|but|parce|because)")
LOOSE_ITEM_WORDS = 8
"""How long an item of a bare comma list may be when the question asked for a list (the stages)."""


def _commas(text: str, sentence: Span, *, list_asked: bool = False) -> ListBlock | None:
    """A sentence that is only a list: "Need, research, comparison, order and installation". When the
    question asked for a list (``list_asked``), items may be clauses ("discover the bank through a
    friend, compare offers on a website") and two are enough, but none may open like a remark ("it
    depends", "honestly")."""
    pieces = _pieces(text, sentence)
    if len(pieces) >= 3 and _short_items(pieces, 5):
        return ListBlock("commas", tuple(_item(text, p) for p in pieces), None, None, sentence.start, sentence.end)
    if not list_asked or len(pieces) < 2 or not _short_items(pieces, LOOSE_ITEM_WORDS):
        return None
    if any(_NOT_AN_ITEM_START.match(fold(p.text)) for p in pieces):
        return None
    if len(pieces) == 2 and any(len(p.text.split()) < 2 for p in pieces):
        return None
    return ListBlock("asked", tuple(_item(text, p) for p in pieces), None, None, sentence.start, sentence.end)


def _glued(text: str, at: int) -> bool:
    """A connector word that is part of another word: « après-midi », « d'après » (fold turns "-" into a space)."""
    word = re.match(r"[^\W\d_]+", text[at:])
    after = text[at + word.end():at + word.end() + 1] if word else ""
    before = text[at - 1:at] if at > 0 else ""
    return after in ("-", "‑") or before in ("'", "’", "-")


_HEADING = re.compile(r"(?:(?<=[.!?]\s)|(?<=\n))[A-ZÀ-Ý«\"“][^.!?:\n]{1,40}:\s")
"""A sentence that opens with a short heading ("Counting down: the pre-arrival email…"): a new part of the answer."""


def _connectors(text: str, claims: _Claims, start: int, end: int) -> list[ListBlock]:
    """"D'abord A, puis B. Ensuite C, et enfin D." — two connectors or more after a first one; never across
    a heading ("…then she gets the confirmation email. Counting down: the pre-arrival email, and then…")."""
    heading = _HEADING.search(text, start + 1, end)
    if heading is not None:
        return _connectors(text, claims, start, heading.start()) + _connectors(text, claims, heading.start(), end)
    folded = fold(text)
    hits = [m for m in _CONNECTOR.finditer(folded, start, end) if not _glued(text, m.start())]
    if len(hits) < 2:
        return []
    first = next((k for k, m in enumerate(hits) if _FIRST_CONNECTORS.match(folded, m.start()) or
                  _FIRST_CONNECTORS.match(folded[m.start():].removeprefix("et ").removeprefix("and "))), None)
    if first is None and len(hits) < 3:
        return []
    run = hits[first or 0:]
    last = next((k for k, m in enumerate(run) if k > 0 and _LAST_CONNECTOR.match(folded, m.start())), None)
    if last is not None:
        run = run[:last + 1]  # "And finally what happens afterwards, at home": one item
    if len(run) < 2:
        return []
    items = []
    for k, m in enumerate(run):
        stop = run[k + 1].start() if k + 1 < len(run) else _sentence_end(text, m.end(), end)
        span = Span.of(text, m.end(), stop)
        if span.text:
            items.append(_item(text, span))
    items = [piece for item in items for piece in _quoted_names(text, item)]
    if len(items) < 2 or not claims.free(run[0].start(), items[-1].span.end):
        return []
    # a connector list holds actions or steps: each item is a clause, not a paragraph
    if not all(len(i.text.split()) <= 25 for i in items):
        return []
    intro = _intro_before(text, start, run[0].start())
    count = announced_count(intro.text) if intro else None
    if count is not None and len(items) < count:
        # « sept temps : d'abord A, puis B, ensuite C, puis D, E, F, et enfin G »: commas inside a connector's item
        split = [piece for item in items for piece in (
            [_item(text, p) for p in split_list(text, item.span)] if "," in item.text else [item])]
        if len(split) == count:
            items = split
    block = ListBlock("connectors", tuple(items), intro if intro and intro.text else None,
                      count, run[0].start(), items[-1].span.end)
    claims.take(block.start, block.end)
    return [block]


_QUOTED_NEXT = re.compile(r"[»”\"]\s*(?:[—–][^«“\"]{0,80}[—–]\s*)?,\s*(?:et\s+|and\s+|puis\s+|then\s+)?(?=[«“\"])")


def _quoted_names(text: str, item: Item) -> list[Item]:
    """An item holding several names in quotes one after the other (« J'attends ma SIM », « La bascule » —
    le jour où le numéro passe —) is as many items."""
    body = item.span.text
    cuts = [m for m in _QUOTED_NEXT.finditer(body)]
    before = text[max(0, item.span.start - 3):item.span.start]
    if not cuts or not (body.lstrip().startswith(("«", "“", '"')) or any(q in before for q in "«“\"")):
        return [item]
    out, pos = [], 0
    for m in cuts:
        out.append(_item(text, item.span.sub(text, pos, m.start() + 1)))
        pos = m.end()
    out.append(_item(text, item.span.sub(text, pos, len(body))))
    return [i for i in out if i.text]


def clauses(text: str, sentence: Span) -> list[Span]:
    """The clauses of a sentence: cut at "; ", " – ", and before "et/mais/and/but" + a new subject."""
    out, pos = [], 0
    for m in _CLAUSE.finditer(fold(sentence.text)):
        out.append(sentence.sub(text, pos, m.start()))
        pos = m.end()
    out.append(sentence.sub(text, pos, len(sentence.text)))
    return [c for c in out if c.text]


def _is_correction(sentence: str) -> bool:
    folded = fold(sentence).strip()
    return bool(re.match(r"(?:ah|oh|euh|hum|mais)?\s*(?:non|pardon|attendez|attends|wait|sorry|oops|actually|no)\b", folded)
                or _FORGOT.search(folded) or RENAME_CUE.search(folded))


_CONTINUES = re.compile(r"^(?:and\s+|et\s+)?(?:then|puis|ensuite|enfin|finally|lastly|after that|apres ca|apres)\b[\s,:]*")


def _continued(text: str, lists: list[ListBlock], free: list[Span]) -> tuple[list[ListBlock], list[Span]]:
    """A short sentence right after a list that carries it on ("Need, research, order. And then the
    unboxing of the parcel.") is its last item."""
    out_lists, out_free = list(lists), []
    for sentence in sorted(free, key=lambda s: s.start):
        k = next((i for i, lst in enumerate(out_lists) if lst.kind in ("commas", "asked", "colon")
                  and lst.end <= sentence.start and not text[lst.end:sentence.start].strip(" .;\n")), None)
        m = _CONTINUES.match(fold(sentence.text))
        rest = sentence.sub(text, m.end(), len(sentence.text)) if m else None
        if k is None or rest is None or not rest.text or len(rest.text.split()) > MAX_ITEM_WORDS:
            out_free.append(sentence)
            continue
        lst = out_lists[k]
        out_lists[k] = replace(lst, items=(*lst.items, _item(text, rest)), end=sentence.end)
    return out_lists, out_free


def _has_list(lists: Sequence[ListBlock]) -> bool:
    """The answer already gave its list (three items or more): a later sentence of clauses is a remark
    about it ("some of them call us first and others just walk in"), not a second list."""
    return any(len(lst.items) >= 3 for lst in lists)


def segment(text: str, *, list_asked: bool = False) -> Segmentation:
    """Cut an answer into lists and free sentences (see the module docstring). ``list_asked``: the
    question asked for a list (the stages), so a bare comma list of clauses is a list too."""
    claims = _Claims()
    lists: list[ListBlock] = _line_lists(text, claims)
    for start, end in list(claims.gaps(0, len(text))):
        lists += _numbered(text, claims, start, end)
    for start, end in list(claims.gaps(0, len(text))):
        for s in sentence_spans(text[start:end], semicolons=False):
            sentence = Span(start + s.start, start + s.end, s.text)
            block = _semicolons(text, sentence)
            if block is not None and not _is_correction(sentence.text):
                lists.append(block)
                claims.take(block.start, block.end)
    for start, end in list(claims.gaps(0, len(text))):
        lists += _connectors(text, claims, start, end)
    free: list[Span] = []
    intros = [lst.intro for lst in lists if lst.intro is not None]
    for start, end in list(claims.gaps(0, len(text))):
        chunk = text[start:end]
        for s in sentence_spans(chunk, semicolons=False):
            sentence = Span(start + s.start, start + s.end, s.text)
            block = None if _is_correction(sentence.text) else (
                _arrows(text, sentence) or _colon_list(text, sentence) or
                _commas(text, sentence, list_asked=list_asked and not _has_list(lists)))
            if block is not None:
                lists.append(block)
                claims.take(block.start, block.end)
                if block.intro is not None:
                    intros.append(block.intro)
                continue
            for part in sentence_spans(sentence.text):
                span = Span(sentence.start + part.start, sentence.start + part.end, part.text)
                if not any(i.start <= span.start and span.end <= i.end + 1 for i in intros):
                    free.append(span)
    lists.sort(key=lambda lst: lst.start)
    lists, free = _continued(text, lists, free)
    # a free sentence that is exactly an intro (the intro of a line list stands on its own line)
    free = [s for s in free if not any(i.start <= s.start and s.end <= i.end + 1 for i in intros)]
    return Segmentation(text, tuple(lists), tuple(sorted(free, key=lambda s: s.start)), tuple(intros))


# --- corrections ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Edit:
    """A correction the user made to a list: insert ``name`` (after item ``after`` / before item
    ``before``, 0-based; at the end when neither), remove item ``target``, or rename item ``target``
    to ``name``; ``count`` is a new announced count."""

    kind: Literal["insert", "remove", "rename", "count", "split"]
    name: Span | None = None
    names: tuple[Span, ...] = ()
    target: int | None = None
    after: int | None = None
    before: int | None = None
    count: int | None = None


_FORGOT = re.compile(
    r"(?:j'ai oublie|j'en ai oublie|on en a oublie|j'oubliais|on a oublie|il manque|il y a aussi|manque|i forgot|"
    r"i missed|i left out|one more|and another|encore une|il en manque|"
    r"there is also|there's also|there's|il y a aussi|y a aussi|i skipped|we forgot|missing|on a oublie)\s+(?:l'|le\s+|la\s+|les\s+|un\s+|une\s+|the\s+|a\s+|an\s+|"
    r"une etape\s+|l'etape\s+|the step\s+|a step\s+|the stage\s+|a stage\s+)?(?P<name>[^,.;:!?()]{2,60}?)"
    r"(?=\s*(?:[,.;:!?()]|\s(?:entre|between|apres|after|avant|before|au debut|a la fin|at the|qui|which|that)\b|$))")
_BETWEEN = re.compile(r"\b(?:entre|between)\s+(?P<a>[^,.;:!?]{2,50}?)\s+(?:et|and)\s+(?P<b>[^,.;:!?]{2,50}?)"
                      r"(?=\s*(?:[,.;:!?)—–]|$)|\s(?:il y a|y a|there's|there is|c'est|it's|comes|vient)\b)")
_BETWEEN_THERE = re.compile(r"\b(?:entre|between)\s[^.;!?]{3,90}?,?\s*(?:il y a|y a|there's|there is)\s+"
                            r"(?P<x>[«\"“]?[^.;!?,:«»\"“”]{2,70}[»\"”]?)")
"""A stage placed as a correction without a word for "forgot": « Ah non attendez, entre le rendez-vous et le jour
du don, il y a « Je me prépare » »."""
_AFTER = re.compile(r"\b(?:juste\s+|just\s+|right\s+)?(?:apres|after)\s+(?P<a>[^,.;:!?]{2,50}?)(?=\s*(?:[,.;:!?)—–]|$))")
_BEFORE = re.compile(r"\b(?:juste\s+|just\s+|right\s+)?(?:avant|before)\s+(?P<b>[^,.;:!?]{2,50}?)(?=\s*(?:[,.;:!?)—–]|$))")
_AT_START = re.compile(r"\b(?:au debut|en premier|tout au debut|at the (?:very )?(?:start|beginning)|first of all)\b")
_SPLIT_INTO = re.compile(r"(?:[«\"“]\s*)?(?P<old>[^«»\"“”,.;:]{2,40}?)\s*(?:[»\"”]\s*)?,?\s*(?:c'est|ca fait|it's|is)\s+"
                         r"(?:trop large|trop vaste|trop gros|deux choses|too broad|too big|two things)[^:]{0,40}?:\s*")
_RENAME = re.compile(r"\b(?:pas|not)\s+(?P<old>[^,.;:!?]{2,40}?)\s*,?\s+(?:mais|but)\s+(?P<new>[^,.;:!?]{2,40}?)"
                     r"(?=\s*(?:[,.;:!?)—–]|$))")
_REMOVE = re.compile(r"\b(?:enleve[zr]?|retire[zr]?|oublie[zr]?|supprime[zr]?|drop|remove|forget|scratch)\s+"
                     r"(?:l'|le\s+|la\s+|les\s+|the\s+)?(?P<old>[^,.;:!?]{2,40}?)(?=\s*(?:[,.;:!?)]|$))")
_ARTICLE = re.compile(r"^(?:l'|le\s+|la\s+|les\s+|un\s+|une\s+|des\s+|du\s+|de\s+la\s+|the\s+|a\s+|an\s+|"
                      r"l'etape\s+|the step\s+|the stage\s+|(?:l'|the\s+)?(?:etape|step|stage)\s+)")


_FUNCTION_WORDS = frozenset({"the", "and", "les", "des", "une", "pour", "avec", "dans", "sur", "par", "que", "qui", "est",
                             "son", "ses", "mon", "mes", "our", "nos", "her", "his", "its", "all", "aux"})


def _words(text: str) -> set[str]:
    """Stems of the words of a text: their first four letters (booking ~ book, inscription ~ inscris)."""
    return {w[:4] for w in re.findall(r"[a-z0-9]{3,}", fold(text)) if w not in _FUNCTION_WORDS}


def find_item(items: Iterable[str], words: str) -> int | None:
    """The index of the item ``words`` names ("la découverte" → "Découverte"), or None."""
    key = _ARTICLE.sub("", fold(words).strip())
    wanted = _words(key)
    best, best_score = None, 0.0
    for index, item in enumerate(items):
        have = _words(item)
        if not wanted or not have:
            continue
        score = len(wanted & have) / len(wanted)
        if score > best_score:
            best, best_score = index, score
    return best if best_score >= 0.5 else None


FORGOT_CUE = re.compile(r"\b(?:oubli\w*|forgot|missed|left out|il manque|il en manque|one more|encore une|une de plus|"
                        r"ah non|non attendez|no wait|wait,|wait —|hang on)\b")
"""Words that say a later answer corrects the stage list (a stage forgotten), not just talks about it."""


def corrections(text: str, after: int, items: list[str]) -> list[Edit]:
    """The corrections said after position ``after`` of the answer to a list of ``items``."""
    tail = text[after:]
    folded = fold(tail)
    edits: list[Edit] = []
    cue = _CORRECTION.search(folded)
    if cue is not None:
        m = re.search(r"\b(?:non|no|en fait|actually|wait|sorry|plutot|i mean)\b[\s,]*(?:il y en a\s+|there are\s+|"
                      r"c'est\s+|it's\s+)?(\d{1,2}|" + "|".join(_NUM_WORDS) + r")\b", folded)
        if m and _number(m.group(1)) is not None:
            edits.append(Edit("count", count=_number(m.group(1))))
    for m in _FORGOT.finditer(folded):
        sentence_end = re.search(r"[.!?](?:\s|$)", folded[m.end():])
        if _LEFT_OUT.search(folded[m.end():m.end() + (sentence_end.start() if sentence_end else 200)]):
            continue  # "there's selling it on, but that's another journey, leave it out"
        name = Span.of(text, after + m.start("name"), after + m.end("name"))
        dash = re.search(r"\s[—–]\s+", name.text)
        if dash is not None and _PLACEHOLDER.fullmatch(_ARTICLE.sub("", fold(name.text[:dash.start()])).strip()):
            # "one more at the end — I buy my next pass and drag a friend along"
            at_end_said = re.search(r"\b(?:at the end|a la fin)\b", fold(name.text[:dash.start()])) is not None
            name = name.sub(text, dash.end(), len(name.text))
            edits.append(Edit("insert", name=name) if at_end_said else _positioned(items, name, folded[m.end():m.end() + 240], False))
            continue
        clean = _ARTICLE.sub("", fold(name.text)).strip()
        if not clean:
            continue
        name_end = m.end()
        tail = folded[m.end():m.end() + 240]
        named = re.match(r"[^.;!?:]{0,80}?[:—–]\s*(?P<n>[^.;!?:]{2,80})", tail)
        called = CALL_IT.search(tail)
        inner = _BETWEEN_THEN_NAME.match(named.group("n")) if named is not None else None
        if named is not None and inner is not None:
            # "j'ai oublié le plus important : entre on me soulage et je fais mes soins, il y a je réfléchis au
            # devis" (where it goes, then its name)
            start = m.end() + named.start("n") + inner.start("x")
            name = Span.of(text, after + start, after + m.end() + named.start("n") + inner.end("x"))
            name_end = m.end() + named.end("n")
        elif named is not None and (_PLACEHOLDER.fullmatch(clean) or len(named.group("n").split()) <= 10):
            # "j'ai oublié le constat ... : Je remplis le constat avec le voisin" (the name in her words)
            name = Span.of(text, after + m.end() + named.start("n"), after + m.end() + named.end("n"))
            name_end = m.end() + named.end("n")
        elif called is not None and _PLACEHOLDER.fullmatch(clean):
            name = Span.of(text, after + m.end() + called.start("name"), after + m.end() + called.end("name"))
            name_end = m.end() + called.end("name")
        elif _PLACEHOLDER.fullmatch(clean):
            continue
        at_end = re.fullmatch(r"(?:a |at )?(?:la fin|the end|fin)", clean) is not None
        edits.append(_positioned(items, name, folded[m.end():name_end + 240], at_end))
    for m in _AT_END_ADD.finditer(folded):  # "Et à la fin, « je reviens pour le contrôle »"
        name = Span.of(text, after + m.start("x"), after + m.end("x"))
        if find_item(items, name.text) is None:
            edits.append(Edit("insert", name=name))
    if cue is not None or _FORGOT.search(folded):
        for m in _BETWEEN_THERE.finditer(folded):
            name = Span.of(text, after + m.start("x"), after + m.end("x"))
            if _PLACEHOLDER.fullmatch(_ARTICLE.sub("", fold(name.text)).strip()):
                # "between search and visit there is one more, I book an appointment"
                named = re.match(r"\s*[,:—–]\s*[«\"“]?(?P<n>[^.;!?,:«»\"“”]{2,70})", folded[m.end():])
                if named is None:
                    continue
                name = Span.of(text, after + m.end() + named.start("n"), after + m.end() + named.end("n"))
            if find_item(items, name.text) is None:
                edits.append(_positioned(items, name, folded[m.start():m.end()], False))
    for m in CALL_IT.finditer(folded):
        if any(e.kind == "insert" and e.name is not None and fold(e.name.text) in folded[m.start():m.end() + 5]
               for e in edits):
            continue
        name = Span.of(text, after + m.start("name"), after + m.end("name"))
        context = folded[max(0, m.start() - 200):m.start()] + " " + folded[m.end():m.end() + 200]
        edits.append(_positioned(items, name, context, False))
    for m in _WITH_BETWEEN.finditer(folded):
        name = Span.of(text, after + m.start("name"), after + m.end("name"))
        if any(e.kind == "insert" and e.name is not None and fold(e.name.text) == fold(name.text) for e in edits):
            continue
        edits.append(_positioned(items, name, folded[m.end("name"):m.end("name") + 200], False))
    edits = _dedupe_inserts(edits)
    split = _SPLIT_INTO.search(folded)
    if split is not None:
        target = find_item(items, split.group("old"))
        if target is not None:
            from_pos = split.end()
            rest = text[after + from_pos:]
            sentence = sentence_spans(rest, semicolons=False)
            if sentence:
                first = sentence[0]
                span = Span(after + from_pos + first.start, after + from_pos + first.end, first.text)
                lst = _colon_list(text, span) or _commas(text, span)
                if lst is None:
                    pieces = _pieces(text, span)
                    lst = ListBlock("commas", tuple(_item(text, p) for p in pieces), None, None, span.start, span.end) \
                        if len(pieces) >= 2 else None
                if lst is not None:
                    edits.append(Edit("split", target=target, names=tuple(i.span for i in lst.items)))
    for m in _RENAME.finditer(folded):
        target = find_item(items, m.group("old"))
        if target is not None:
            edits.append(Edit("rename", name=Span.of(text, after + m.start("new"), after + m.end("new")),
                              target=target))
    for target, name in _renames(text, after, folded, items):
        edits.append(Edit("rename", name=name, target=target))
    for m in _REMOVE.finditer(folded):
        target = find_item(items, m.group("old"))
        if target is not None and not any(e.kind == "insert" for e in edits):
            edits.append(Edit("remove", target=target))
    return edits


_AT_END_ADD = re.compile(r"(?:^|[.;]\s*)(?:(?:et|and)\s+)?(?:a la fin|at the (?:very )?end|en dernier|tout a la fin|"
                         r"et enfin|and finally|lastly|last of all)\s*,?\s*(?:il y a\s+|there's\s+|c'est\s+|it's\s+)?"
                         r"(?P<x>[«\"“][^»\"”]{2,60}[»\"”])")
"""A stage added at the end after the list, in quotes: « Et à la fin, « je reviens pour le contrôle » »."""
RESTART = re.compile(r"\b(?:(?:je reprends|je recommence|reprenons|recommen[cç]ons|on reprend)(?=\s*[:,.;!]|\s+(?:depuis|du debut|"
                     r"tout|la liste|dans l'ordre|a zero)\b)|let me start (?:again|over)|"
                     r"i'll start (?:again|over)|starting (?:again|over)|from the top|scratch (?:all )?that)\b\s*[:,.]?")
"""The user starts the list again: what was said before it is not the list."""
_LEFT_OUT = re.compile(r"\b(?:leave it out|left out|another journey|a different journey|(?:a )?whole other (?:map|journey)|"
                       r"another map|a separate map|a different map|not (?:part of|in) (?:this|the) "
                       r"(?:map|journey)|out of scope|un autre parcours|une autre carte|hors (?:sujet|perimetre)|"
                       r"on (?:le|la|les) laisse de cote|pas dans (?:cette|la) carte|on n'en parle pas)\b")
_BETWEEN_THEN_NAME = re.compile(r"(?:entre|between)\s[^,;]{3,80}?,?\s*(?:il y a aussi|il y a|y a|there's|there is|"
                                r"c'est|it's|ca s'appelle|it's called|comes|vient)\s+(?P<x>[^.;!?,]{2,70}?)\s*$")
_PLACEHOLDER = re.compile(r"(?:one|un|une|une etape|a step|a stage|something|quelque chose|another|une autre|un autre|"
                          r"le plus important|plus important|l'essentiel|the most important(?: one)?|most important|"
                          r"the big one|the main one|a key step|une etape cle|"
                          r"a bit|bit|un moment|a moment|un truc|la fin|the end|le debut|the start|the beginning|un passage|"
                          r"at the end|a la fin|at the start|au debut|at the beginning|"
                          r"a big one|a key one|une grosse)(?:\s.*)?")
CALL_IT = re.compile(r"\b(?:call it|let's call it|we call it|appelons[- ]la|appelons[- ]le|on l'appelle|on va l'appeler|"
                      r"disons)\s+[«\"“]?(?P<name>[^.;!?,«»\"“”]{2,60})")
_WITH_BETWEEN = re.compile(r"\b(?:with|avec)\s+(?P<name>[^,.;!?]{2,50}?)\s+(?:right\s+|juste\s+)?(?:between|entre|after|apres|"
                           r"before|avant)\b")


_BECAME = re.compile(r"(?:\b(?:stage|step|etape|number|numero|no\.?|n°)\s*)?(?P<old>\b\d{1,2}\b|[«\"“][^»\"”]{2,60}[»\"”])\s+"
                     r"(?:became|becomes|has become|is now|turned into|devient|est devenue?|s'appelle maintenant|"
                     r"a ete renommee?)\s+(?:[«\"“](?P<q>[^»\"”]{2,60})[»\"”]|(?P<new>[^,.;!?«»\"“”]{2,60}))")
_CHANGE_TO = re.compile(r"\b(?:change|rename|renommer|renommez|renomme|changer|changez|remplacer|remplacez|remplace)\s+"
                        r"(?P<body>[^.;!?]{4,140})")
RENAME_CUE = re.compile(r"(?:(?:\b\d{1,2}|[»\"”])\s+(?:became|becomes|has become|is now|turned into|devient|est devenue?)\b|"
                        r"\brenam\w*|\brenomm\w*|"
                        r"change \S+.{0,80}\s(?:to|into)\s|remplac\w* .{0,80}\spar\s)")
"""Words that say an answer renames a stage ("4 became « I turn up the first time »")."""


def ordinal_item(words: str, count: int) -> int | None:
    """The item "the first one", « la troisième », "the last one" names (0-based), or None."""
    m = re.fullmatch(r"(?:the |la |le |l')?(?P<w>" + "|".join(_ORDINALS) + r"|last|derniere|dernier)(?: one| step| stage|"
                     r" etape)?", words.strip())
    if m is None:
        return None
    index = count - 1 if m.group("w") in ("last", "derniere", "dernier") else _ORDINALS[m.group("w")] - 1
    return index if 0 <= index < count else None


def _renames(text: str, after: int, folded: str, items: list[str]) -> list[tuple[int, Span]]:
    """Stages renamed: "4 became « I turn up the first time »", "can we change I look for a hotel to I hunt
    for the right hotel?", « remplacez « Je compare » par « Je fais le tour » »."""
    out: list[tuple[int, Span]] = []
    for m in _BECAME.finditer(folded):
        old = m.group("old").strip("«»\"“” ")
        target = int(old) - 1 if old.isdigit() else find_item(items, old)
        if target is None or not 0 <= target < len(items):
            continue
        group = "q" if m.group("q") else "new"
        out.append((target, Span.of(text, after + m.start(group), after + m.end(group))))
    for m in _CHANGE_TO.finditer(folded):
        body = m.group("body")
        for cut in re.finditer(r"\s(?:to|into|par|en)\s", body):
            old, new = body[:cut.start()].strip(" «»\"“”"), body[cut.end():]
            target = ordinal_item(old, len(items))
            target = find_item(items, old) if target is None else target
            name = re.match(r"\s*[«\"“]?(?P<n>[^«»\"“”,?!]{2,60}?)[»\"”]?\s*(?:[,?!]|$)", new)
            if target is None or name is None or any(fold(name.group("n")).strip() == fold(i).strip() for i in items):
                continue
            start = after + m.start("body") + cut.end() + name.start("n")
            out.append((target, Span.of(text, start, start + len(name.group("n")))))
            break
    return out


def _positioned(items: list[str], name: Span, context: str, at_end: bool) -> Edit:
    """An insertion of ``name`` placed where ``context`` says: between two items, after or before one,
    at the start; at the end otherwise."""
    rest = re.split(r"[.!?]", context, maxsplit=2)
    scope = " ".join(rest[:2])
    between, after_m, before_m = _BETWEEN.search(scope), _AFTER.search(scope), _BEFORE.search(scope)
    if between:
        a = find_item(items, between.group("a"))
        b = find_item(items, between.group("b"))
        if a is not None:
            return Edit("insert", name=name, after=a)
        if b is not None:
            return Edit("insert", name=name, before=b)
    if after_m and find_item(items, after_m.group("a")) is not None:
        return Edit("insert", name=name, after=find_item(items, after_m.group("a")))
    if before_m and find_item(items, before_m.group("b")) is not None:
        return Edit("insert", name=name, before=find_item(items, before_m.group("b")))
    if _AT_START.search(scope) and not at_end:
        return Edit("insert", name=name, before=0)
    return Edit("insert", name=name)


def _dedupe_inserts(edits: list[Edit]) -> list[Edit]:
    """One insertion per name (the best placed one: with a position)."""
    out: list[Edit] = []
    for edit in edits:
        if edit.kind != "insert" or edit.name is None:
            out.append(edit)
            continue
        key = _words(edit.name.text)
        same = next((k for k, e in enumerate(out) if e.kind == "insert" and e.name is not None
                     and (key & _words(e.name.text)) and len(key & _words(e.name.text)) >= min(len(key), 2)), None)
        if same is None:
            out.append(edit)
        elif out[same].after is None and out[same].before is None and (edit.after is not None or edit.before is not None):
            out[same] = Edit("insert", name=out[same].name, after=edit.after, before=edit.before)
    return out


def apply_edits(items: list[Span], edits: list[Edit]) -> list[Span]:
    """The list after the user's corrections (inserted items are spans of the answer too)."""
    out = list(items)
    for edit in edits:
        if edit.kind == "insert" and edit.name is not None:
            if edit.after is not None:
                index = min(len(out), edit.after + 1 + sum(1 for e in edits[:edits.index(edit)] if e.kind == "insert"
                                                            and e.after is not None and e.after < edit.after))
            elif edit.before is not None:
                index = edit.before
            else:
                index = len(out)
            out.insert(index, edit.name)
        elif edit.kind == "rename" and edit.name is not None and edit.target is not None and edit.target < len(out):
            out[edit.target] = edit.name
        elif edit.kind == "remove" and edit.target is not None and edit.target < len(out):
            out.pop(edit.target)
        elif edit.kind == "split" and edit.target is not None and edit.target < len(out) and edit.names:
            out[edit.target:edit.target + 1] = list(edit.names)
    return out
