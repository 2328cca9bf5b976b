"""Priorities said in an answer: opportunities with their scores, action-plan lines with owner, KPI and
due date ("d'ici 3 mois", "by the end of June"), and the map's review date ("dans 6 mois, en juin")."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..text import Span, find_date, fold, to_float
from ..text.numbers import NUMBER_VALUES
from . import words
from .proposal import AddAction, AddOpportunity, ScoreOpportunity, SetReviewDate

if TYPE_CHECKING:
    from .reading import Context, Labelled

_SCALES = {
    "impact": r"impact",
    "reach": r"port[ée]e|reach|clients? touch[ée]s?|customers? (?:reached|affected)|nombre de clients|audience|volume",
    "confidence": r"confiance|confidence|certitude|sûreté",
    "effort": r"effort|co[ûu]t|cost|difficult[ée]|complexit[ée]",
}
_NUM_TAIL = re.compile(r"[\s,;:(–—-]*(?:(?:notée?s?|scores?|scored|rated|note)\s*:?\s*)?[1-5](?:\s*/\s*5)?(?:\s*[,/]\s*[1-5]){2,3}\)?\s*[.]?\s*$")
_SCORE_TAIL = re.compile(r"[\s,;:(–—-]*(?:(?:notée?s?|scores?|scored|rated|note)\s*:?\s*)?(?:(?:" +
                         "|".join(_SCALES.values()) + r")\s*(?:de|of|:|=|à|at)?\s*[1-5](?:\s*/\s*5)?[\s,;)]*(?:et|and)?\s*)+"
                         r"\)?\s*[.]?\s*$", re.IGNORECASE)
_REVIEW = re.compile(r"\b(?:revoir|reverr\w*|revue|revoit|revoy\w*|révision|revision|reli\w* la carte|relire|relecture|re-?read|revisit\w*|review\w*|refai\w* la carte|refaire la carte|mettre à jour|"
                     r"mise à jour|update the map|redo the map|come back to|on y revient|point d'étape|prochaine revue|"
                     r"next review|re-?map|refai\w* le point|faire le point|look at (?:it|the map|the whole map|this) again|"
                     r"go (?:back )?over (?:it|the map)|(?:carte|map)\b.{0,40}\b(?:again|à nouveau|de nouveau)|"
                     r"(?:sit down|meet|get together|look|go through it) again|se (?:revoir|réunir à nouveau|retrouver)|"
                     r"on se (?:revoit|retrouve|réunit)|(?:again|à nouveau|de nouveau)\b.{0,30}\b(?:map|carte))\b",
                     re.IGNORECASE)
_OWNER = re.compile(r"(?:responsable|porté(?:e)? par|piloté(?:e)? par|pilote|owners?|owned by|led by|confié(?:e)? à|"
                    r"assigned to|géré(?:e)? par|run by|qui\s*\?|who\s*\?)\s*:?\s*(?P<who>[^,;.()]{2,60})|"
                    r"(?:\s[—–]\s|,\s*|:\s*)(?P<team>[^,;.():—–]{2,50}?)\s*,\s*(?:same |même |meme )?(?:kpi|indicateur|"
                    r"indicator|metric|mesur)",
                    re.IGNORECASE)
_KPI = re.compile(r"(?:kpi|indicateur|mesuré(?:e)? (?:par|avec|sur)|measured (?:by|with|on)|metric|mesure|"
                  r"tracked (?:by|with)|success (?:is|=)|on suivra|we'll track|we will track)\s*:?\s*(?P<kpi>[^,;()]{2,80})",
                  re.IGNORECASE)
_DUE_CUE = re.compile(r"[\s,;(]*(?:d['’]ici|pour le|pour fin|pour|avant|by|before|due|within|dans|à livrer|deadline|"
                      r"échéance|d'ici à|until)\b", re.IGNORECASE)


_SCALE_KEYS = {"impact": "impact", "portee": "reach", "reach": "reach", "clients touches": "reach", "confiance": "confidence",
               "confidence": "confidence", "certitude": "confidence", "effort": "effort", "cout": "effort", "cost": "effort",
               "difficulte": "effort"}
_SCALE_WORD = re.compile(r"\b(?:impact|portee|reach|clients touches|confiance|confidence|certitude|effort|cout|cost|difficulte)\b")
_NUMS = re.compile(r"(?<![\d.,/-])([1-5])(?:\s*/\s*5)?\s*[,/-]\s*([1-5])\s*[,/-]\s*([1-5])(?:\s*[,/-]\s*([1-5]))?"
                   r"(?![\d%]|\s*(?:h|heures?|hours?|mois|months?|jours?|days?)\b)")


_SCORE_WORDS = {word: str(value) for word, value in NUMBER_VALUES.items() if 1 <= value <= 5}
_SCORE_WORD = re.compile(r"\b(?:" + "|".join(_SCORE_WORDS) + r")\b(?![-'’])", re.IGNORECASE)


_LEVEL = re.compile(r"\b(?:(?:very|tres|très)\s+)?(?P<w>high|low|medium|med|élevée?|elevee?|forte?|faible|moyen(?:ne)?)\b",
                    re.IGNORECASE)
_LEVELS = {"high": 5, "eleve": 5, "elevee": 5, "fort": 5, "forte": 5, "low": 1, "faible": 1, "medium": 3, "med": 3,
           "moyen": 3, "moyenne": 3}
"""Levels on the five-point scale, by their folded word."""


def digits(text: str) -> str:
    """``text`` with the numbers one to five written as words turned into digits, same length ("impact four,
    reach five" → "impact 4   , reach 5   "): scores said in words read like scores in digits. Levels count
    too, on the five-point scale: low 1, medium 3, high 5 (« faible / moyen / fort »)."""
    text = _SCORE_WORD.sub(lambda m: _SCORE_WORDS[m.group(0).casefold()].ljust(len(m.group(0))), text)
    return _LEVEL.sub(lambda m: str(_LEVELS[fold(m.group("w"))]).ljust(len(m.group(0))), text)


def scale_order(text: str) -> list[str]:
    """The order of the scales an answer gives its scores in ("scored impact/reach/confidence/effort",
    « Notes, impact, portée, confiance, effort : ... »); the method's order when it says none."""
    folded = fold(text)
    found = [_SCALE_KEYS[m.group(0)] for m in _SCALE_WORD.finditer(folded)]
    order = list(dict.fromkeys(found))
    if len(order) == 2 and re.search(r"\b(?:impact|effort|cout|cost|portee|reach|confiance|confidence)\s*/\s*"
                                     r"(?:impact|effort|cout|cost|portee|reach|confiance|confidence)\b", folded):
        return order  # "Impact / effort. Photo du boîtier : fort / moyen."
    return order if len(order) >= 3 else ["impact", "reach", "confidence", "effort"]


def scores(text: str, order: list[str] | None = None) -> dict[str, int]:
    """The 1..5 scales said in ``text``: "impact 5, portée 4, confiance 4, effort 2", or a row of numbers
    in the answer's order ("4/4/4/3", "5, 4, 4, 3"); numbers said in words count ("impact four, reach five")."""
    text = digits(text)
    out = {}
    other = "|".join(_SCALES.values())
    for key, pattern in _SCALES.items():
        m = re.search(rf"(?:{pattern})\s*(?:de|of|:|=|à|at|est de|is)?\s*[1-5]\s+(?:ou|or)\s+[1-5]\W{{0,4}}\s*"
                      rf"(?:mettons|disons|on va dire|say|let's say|call it)\s+([1-5])(?!\d)", text, re.IGNORECASE) or \
            re.search(rf"(?:{pattern})\s*(?:de|of|:|=|à|at|est de|is)?\s*([1-5])(?:\s*/\s*5)?(?!\d)", text, re.IGNORECASE) or \
            re.search(rf"(?<![\d.,])([1-5])(?:\s*/\s*5)?\s+(?:en|in|for|on|pour|d['’]|de)\s*(?:{pattern})", text, re.IGNORECASE) or \
            re.search(rf"(?:{pattern})(?:(?!{other})[^\d;]){{1,30}}?\b(?:je mets|je dirais|disons|on met|say|i'd say|i'd give it|"
                      rf"maybe|peut-être|environ|about)\s*(?:a\s+)?([1-5])(?:\s*/\s*5)?(?!\d)", text, re.IGNORECASE)
        if m:
            out[key] = int(m.group(1))
    if len(out) >= 2:
        return out
    if order is not None and len(order) == 2:
        pair = re.search(r"(?<![\d.,/-])([1-5])\s*/\s*([1-5])(?![\d%/])", text)
        if pair is not None:
            return {order[0]: int(pair.group(1)), order[1]: int(pair.group(2))}
    row = _NUMS.search(text)
    if row is not None:
        values = [int(v) for v in row.groups() if v is not None]
        keys = order or ["impact", "reach", "confidence", "effort"]
        return dict(zip(keys, values, strict=False))
    return out


def score_rows(text: str) -> list[tuple[int, int]]:
    """Spans (start, end) of "name n, n, n, n" rows in a sentence of scores."""
    text = digits(text)
    out = []
    pos = 0
    for m in _NUMS.finditer(text):
        out.append((pos, m.end()))
        nxt = re.match(r"\s*[;,.]?\s*", text[m.end():])
        pos = m.end() + (nxt.end() if nxt else 0)
    return out


def has_scores(text: str) -> bool:
    """Scores said in ``text``: on the 1..5 scales, or a row of four on other scales ("9 000 / 3 / 80 % / 2")."""
    return len(scores(text)) >= 2 or scaled_row(text)


def scaled_row(text: str) -> bool:
    """True when ``text`` holds a row of four scores on other scales ("9 000 / 3 / 80 % / 2")."""
    return _RAW_ROW.search(text) is not None


def is_review(text: str) -> bool:
    return _REVIEW.search(text) is not None and find_date(text) is not None


def _text_without_scores(src: str, span: Span) -> Span:
    for pattern in (_SCORE_TAIL, _NUM_TAIL):
        m = pattern.search(span.text)
        if m and m.start() > 3:
            span = span.sub(src, 0, m.start())
    return span


def opportunity_of(ctx: Context, item: Labelled) -> AddOpportunity | None:
    from ..text import cap
    from .reading import capitalise, clean_span

    src = ctx.text
    body = _text_without_scores(src, item.span)
    body = clean_span(src, body, subject=False, article=False)
    text = capitalise(cap(body.text, 300))
    if len(text.split()) < 2:
        return None
    kinds = words.keyed("opportunity_kinds")
    stage = item.stage
    if stage is None:
        found = ctx.finder().named(item.span.text, anywhere=True)
        stage = found.name if found else None
    lever = words.keyed("opportunity_levers").first(item.span.text)
    kind = kinds.first(item.span.text) or ("innovate" if lever in ("surprise", "hidden") else "fix")
    return AddOpportunity(text=text, kind=kind, lever=lever, stage=stage,
                          provenance=ctx.provenance, quote=cap(item.span.text, 600),
                          **scores(item.span.text, scale_order(ctx.text)))


_RAW = r"(\d{1,3}(?:[\s\u202f\u00a0]\d{3})*(?:[.,]\d+)?|\d+(?:[.,]\d+)?)\s*(%)?"
_RAW_ROW = re.compile(r"(?<![\w.,])" + r"\s*/\s*".join([_RAW] * 4) + r"(?![\d])")


def scaled_scores(item: str, answer: str, order: list[str]) -> dict[str, int]:
    """Scores said on other scales, made 1..5 ("RICE: 9 000 / 3 / 80 % / 2" under « impact sur 3 »): a
    percentage by twenty, a scale the answer states ("impact sur 3", "effort out of 10") to five, and a
    count against the largest of its column in the answer (the user's own numbers, put on one scale)."""
    m = _RAW_ROW.search(item)
    if m is None:
        return {}
    rows = [[(to_float(r.group(2 * k + 1)) or 0.0, bool(r.group(2 * k + 2))) for k in range(4)]
            for r in _RAW_ROW.finditer(answer)]
    folded = fold(answer)
    out: dict[str, int] = {}
    for k, key in enumerate(order[:4]):
        value = to_float(m.group(2 * k + 1))
        if value is None:
            continue
        scale = re.search(rf"(?:{_SCALES[key]})[^,;:()\d]{{0,20}}?(?:sur|out of|/)\s*(\d{{1,3}})\b", folded)
        if m.group(2 * k + 2):
            score = value / 20
        elif scale is not None and float(scale.group(1)) > 0:
            score = value * 5 / float(scale.group(1))
        else:
            top = max((row[k][0] for row in rows), default=value)
            score = value if top <= 5 else value * 5 / top
        out[key] = min(5, max(1, round(score)))
    return out


def scores_of(ctx: Context, item: Labelled) -> ScoreOpportunity | None:
    from ..text import cap

    found = scores(item.span.text, scale_order(ctx.text))
    if len(found) < 2:
        found = scaled_scores(item.span.text, ctx.text, scale_order(ctx.text))
    if len(found) < 2:
        return None
    head = re.split(r"[:(]|\b(?:" + "|".join(_SCALES.values()) + r")\b|\s(?=[1-5]\s*[,/]\s*[1-5])", item.span.text,
                    flags=re.IGNORECASE)[0]
    head = head.strip(" -:,—–")
    return ScoreOpportunity(text=cap(head, 120) if len(head) > 3 else "", provenance=ctx.provenance,
                            quote=cap(item.span.text, 600), **found)


def action_of(ctx: Context, item: Labelled) -> AddAction | None:
    from ..text import cap
    from .reading import capitalise, clean_span

    src = ctx.text
    text = item.span.text
    owner = kpi = None
    m = _OWNER.search(text) or _OWNER_SAID.search(text) or _DOER.match(text) or (
        _NAMED_DOER.match(text) if (_KPI.search(text) or find_date(text, ctx.journey.created)) else None)
    if m:
        owner = cap((m.groupdict().get("who") or m.groupdict().get("team") or "").strip(), 60)
        owner = re.sub(r"^(?:owner|owned by|responsable|pilote|porté par|led by)\s*:?\s*", "", owner, flags=re.IGNORECASE)
        owner = re.sub(r"^(?:(?:le|la|les|l'|the|our|notre)\s+|l['’])", "", owner, flags=re.IGNORECASE)
    elif words.teams().has(text):
        start, end, _ = words.teams().find_all(text)[0]
        owner = cap(text[start:end], 60)
        owner = owner[:1].upper() + owner[1:]
    k = _KPI.search(text)
    if k:
        kpi = cap(re.split(r"\s+(?:d'ici|by|before|avant|pour le|due)\b", k.group("kpi"))[0].strip(), 80)
    due = find_date(text, ctx.journey.created)
    stops = [x.start() for x in (m, k) if x is not None and x.start() > 0]  # a doer opening the line stays in it
    if due:
        cue = None
        for c in _DUE_CUE.finditer(text):
            if c.end() <= due[1][0] + 1 and due[1][0] - c.end() <= 4:
                cue = c
        stops.append(cue.start() if cue else due[1][0])
    cut = min(stops) if stops else len(text)
    body = item.span.sub(src, 0, cut) if cut > 3 else item.span
    body = clean_span(src, body, subject=False, article=False)
    action = capitalise(cap(re.sub(r"(?:[\s,;:(–—-]+(?:en|in|by|au|à|a|d['’]ici|pour|for|on|le|dès|from)?)+$", "",
                                   body.text), 300))
    if len(action) < 3:
        return None
    return AddAction(action=action, owner=owner[:1].upper() + owner[1:] if owner else None, kpi=kpi,
                     due=due[0] if due else None, provenance=ctx.provenance, quote=cap(text, 600))


def review_of(ctx: Context, item: Labelled) -> SetReviewDate | None:
    from ..text import cap

    found = find_date(item.span.text, ctx.journey.created)
    if found is None:
        return None
    return SetReviewDate(date=found[0], provenance=ctx.provenance, quote=cap(item.span.text, 600))


_DOER = re.compile(r"^(?P<who>[A-ZÀ-Ý][\w’'-]+(?:\s+[A-ZÀ-Ý][\w’'-]+)?)\s+(?:owns|does|will do|takes|handles|leads|runs|is doing|"
                   r"s'occupe de|s'occupera de|prend|prendra|pilote|pilotera|porte|portera|met en place|mettra en place)\b")
_OWNER_SAID = re.compile(
    r",\s*(?:c'est|it's|that's)\s+(?P<who>(?:mon|ma|mes|notre|nos|my|our|the|l['’]|le|la)?\s*[^,;.]{2,40}?)\s*(?=,|$)|"
    r"(?:^|[,;.]\s*)(?P<team>[A-ZÀ-Ý][\w’'-]+(?:\s+[A-ZÀ-Ý][\w’'-]+)?)\s+(?:s'en occupe|s'en charge|s'en occupera|s'en chargera|"
    r"handles it|owns it|takes it|is on it|will handle it|will own it)\b")
"""Who owns an action said in passing: "la case animaux, c'est mon équipe, indicateur ...", "Lucie s'en occupe"."""
_NAMED_DOER = re.compile(r"^(?P<who>(?!(?:Le|La|Les|L|Un|Une|Des|On|Nous|Notre|Nos|Il|Elle|Ils|Elles|Ce|Cette|Ça|Pour|"
                         r"Plan|Puis|Ensuite|Et|Mais|The|A|An|We|Our|Then|And|But|For|It|This|That|KPI|Action|Actions|"
                         r"First|Second|Next|Enfin|Finally|Également|Also)\b)[A-ZÀ-Ý][a-zà-ÿ’'-]+)\s+(?=[a-zà-ÿ])")
"""A person named at the start of an action line that has a KPI or a date ("Inès monte le rendez-vous
devis, KPI ..., d'ici fin juin"): the owner."""
_NO_ACTION = re.compile(r"^\W*(?:(?:et|and|but|mais)\W+)?(?:pas d'action|aucune action|no action|nothing (?:launched|started|planned)|"
                        r"rien n'est lancé|rien de lancé|pas de plan|no plan)\b", re.IGNORECASE)


def looks_like_action(text: str) -> bool:
    f = fold(text)
    if _NO_ACTION.match(text):
        return False
    return bool(_OWNER.search(text) or _KPI.search(text) or _DOER.match(text) or re.search(r"\b(?:on lance|we launch|we'll launch)\b", f)
                or re.match(r"\W*(?:premier chantier|first project)\b", f))
