"""Figures in an answer: each metric with its value, unit, name, source and period, read from a sentence
as people write it ("Taux de conversion après démo : 41 %, contre 6 % sans démo (CRM, 6 derniers
mois)", "about 1,200 calls a month according to the call-centre dashboard", "NPS à 32").

The name, source and period are spans of the answer; the value is the number as written, normalised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..text import Span, find_date, fold, sentence_spans, to_float
from ..text.numbers import number_words, percent_words

_UNITS = (r"%|pts?\b|points?\b|k€|m€|€|\$|£|euros?\b|eur\b|dollars?\b|jours?\b|j\b|days?\b|heures?\b|hours?\b|h\b|"
          r"minutes?\b|mins?\b|secondes?\b|seconds?\b|sec\b|s\b|semaines?\b|weeks?\b|mois\b|months?\b|ans?\b|years?\b|"
          r"/\s*10\b|/\s*5\b|/\s*20\b|/\s*100\b|sur\s+(?:10|5|20|100)\b|out of\s+(?:10|5|100)\b|étoiles?\b|stars?\b|"
          r"clients?\b|customers?\b|appels?\b|calls?\b|visites?\b|visits?\b|visiteurs?\b|visitors?\b|tickets?\b|"
          r"commandes?\b|orders?\b|demandes?\b|requests?\b|leads?\b|dossiers?\b|devis\b|quotes?\b|contrats?\b|"
          r"contracts?\b|utilisateurs?\b|users?\b|abonnés?\b|subscribers?\b|fois\b|times\b|personnes?\b|people\b|"
          r"working days\b|business days\b|jours ouvrés\b|jours ouvrables\b|bookings?\b|chats?\b|avis\b|reviews?\b|"
          r"patients?\b|inscrits?\b|réservations?\b|bookings?\b|ventes?\b|sales\b|retours?\b|returns?\b|"
          r"plaintes?\b|complaints?\b|réclamations?\b|rendez-vous\b|appointments?\b|emails?\b|e-mails?\b|messages?\b")
_NUMBER = re.compile(
    r"(?<![\w.,])(?P<num>[+\-−]?\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?|[+\-−]?\d{1,3}(?:,\d{3})+(?:\.\d+)?|"
    r"[+\-−]?\d+(?:[.,]\d+)?)(?![\d])\s*(?P<unit>(?:" + _UNITS + r")(?:\s*(?:par|per|a|an|/)\s*(?:mois|an|année|jour|"
    r"semaine|month|year|day|week|client|customer|commande|order))?)?", re.IGNORECASE)
_KPI = re.compile(r"\b(NPS|CSAT|CES|CA|churn|ROI|taux\s+(?:de|d')\s*\w+(?:\s+\w+)?|\w+\s+rate|score|note|rating|délai|"
                  r"delay|temps|time|durée|duration|volume|nombre|number)\b", re.IGNORECASE)
_VERSUS = re.compile(r"^\s*[,;]?\s*(?:contre|versus|vs\.?|against|compared (?:to|with)|as opposed to|par rapport à|"
                     r"au lieu de|instead of|while|alors que|et)\s*$", re.IGNORECASE)
_PERIOD = re.compile(r"\b(?:\d{1,2}|un|une|deux|trois|quatre|cinq|six|douze|one|two|three|four|six|twelve)?\s*"
                     r"(?:derniers?\s+|dernières?\s+|last\s+|past\s+)?(?:\d{1,2}\s+)?(?:mois|months?|semaines?|weeks?|"
                     r"ans?|années?|years?|trimestres?|quarters?|jours?|days?)(?:\s+derniers|\s+dernières)?\b|"
                     r"\b(?:en|in|sur|over|depuis|since|au|for)\s+(?:\d{4}|t[1-4]|q[1-4]|janvier|février|mars|avril|mai|"
                     r"juin|juillet|août|septembre|octobre|novembre|décembre|january|february|march|april|may|june|july|"
                     r"august|september|october|november|december)\b|\b(?:trimestriel\w*|quarterly|annuel\w*|yearly|"
                     r"mensuel\w*|monthly|hebdomadaire|weekly)\b", re.IGNORECASE)
_SOURCE_CUE = re.compile(
    r"(?:source\s*:?\s*|sources\s*:\s*|selon\s+|d['’]après\s+|according to\s+|per\s+(?:the|our)\s+|"
    r"mesuré(?:e|s)? (?:par|dans|avec)\s+|measured (?:by|in|with)\s+|via\s+|issu(?:e|es|s)? (?:de|du|des)\s+|"
    r"tiré(?:e|s)? (?:de|du|des)\s+|(?:vu|lu|relevé)s? dans\s+|from\s+(?:the\s+|our\s+)?(?=\S+\s+(?:data|report|"
    r"reports|dashboard|survey|crm|analytics|tool|system|logs|study))|from\s+(?:the|our)\s+|dans\s+(?:le|la|l'|nos|notre)\s*"
    r"(?=\S*\s*(?:crm|outil|tableau|enquête|étude|rapport|logiciel|base|données|stats|analytics|dashboard))|"
    r"in\s+(?:the|our)\s+(?=\S*\s*(?:crm|tool|dashboard|survey|report|data|system|analytics)))",
    re.IGNORECASE)
_SOURCE_WORDS = re.compile(r"\b(?:crm|analytics|google|enquête|enquete|étude|etude|sondage|survey|study|dashboard|"
                           r"tableau de bord|outil|tool|rapport|report|données|data|logs|erp|base|statistiques|stats|"
                           r"baromètre|panel|audit|ticketing|zendesk|salesforce|hubspot|sap|planning|call centre|"
                           r"centre d'appels|service client|customer service|finance|compta|mystery|mystère|billing|"
                           r"facturation|system|système|platform|plateforme|portal|portail|back-office|tracker|records|"
                           r"export|telephony|téléphonie|hubspot|zendesk|mixpanel|logiciel|software|extranet|reports?)\b",
                           re.IGNORECASE)


_WORD_UNIT = re.compile(r"\s+(?P<unit>(?:" + _UNITS.replace("%|", "") + r"))", re.IGNORECASE)
"""A unit after a number written in words (a percent is read by ``percent_words``)."""


@dataclass(frozen=True)
class MetricFound:
    name: str
    value: float
    unit: str
    source: str | None
    period: str | None
    quote: str


def _unit(raw: str) -> str:
    unit = re.sub(r"\s+", " ", raw.strip())
    low = fold(unit)
    if low in ("euro", "euros", "eur"):
        return "€"
    if low in ("pt", "pts", "point", "points"):
        return "pts"
    return unit


def _clean_name(text: str) -> str:
    text = text.strip(" :=,;-–—(")
    while True:
        trimmed = re.sub(r"(?:^|\s+)(?:de|d'|d’|du|des|of|est|is|à|a|at|:|=|environ|about|around|roughly|autour de|"
                         r"près de|nearly|almost|presque|sont|are|was|were|était|vaut|reste|stays|remains|atteint|"
                         r"reaches|en moyenne|on average|moyen|average|avec|with|on a|we have|we've got|il y a|"
                         r"there are|there is|we get|on est à|we're at|it's|c'est|ça fait|soit|i\.e\.|environ de|le|la|"
                         r"les|the|un|une|a|an)\s*$", "", text, flags=re.IGNORECASE).strip(" :=,;-–—(")
        if trimmed == text:
            break
        text = trimmed
    text = re.sub(r"^(?:(?:et|and|puis|then|aussi|also|sinon|otherwise|alors|so|bon|le|la|les|l'|the|un|une|a|an|notre|"
                  r"our|nos|son|sa|ses)\s+|l['’]\s*)+", "", text, flags=re.IGNORECASE)
    words = text.split()
    return " ".join(words[-8:]) if len(words) > 8 else text


def _paren_source(src: str, start: int, end: int) -> tuple[str | None, str | None]:
    """Source and period read from a bracket "(CRM, 6 derniers mois)" or "(source : GA)"."""
    inner = src[start:end]
    source = period = None
    for part in re.split(r"\s*[,;]\s*", inner):
        p = part.strip(" ()")
        if not p:
            continue
        if _PERIOD.fullmatch(p.strip()) or (_PERIOD.search(p) and not _SOURCE_WORDS.search(p) and len(p.split()) <= 4):
            period = period or p
        else:
            cue = _SOURCE_CUE.match(p)
            source = source or (p[cue.end():] if cue else p).strip(" :") or None
    return source, period


def metrics_in(text: str, span: Span, previous: MetricFound | None = None) -> list[MetricFound]:
    """Every metric said in ``span`` (a sentence or an item of the answer ``text``). A sentence that only
    names a source ("Source: Salesforce, January to October.") gives it to the figures before it;
    "même source" / "same source" / "X again" takes the one before."""
    out: list[MetricFound] = []
    for sentence in sentence_spans(span.text, semicolons=False):
        body = Span(span.start + sentence.start, span.start + sentence.end, sentence.text)
        found = _in_sentence(text, body, out[-1] if out else previous)
        if not found and out:
            source = _source_only(body.text)
            if source is not None:
                out = [m if m.source else MetricFound(m.name, m.value, m.unit, source, m.period, m.quote) for m in out]
            continue
        out += found
    return out


_SOURCE_ONLY = re.compile(r"^(?:source|sources|from|d'après|d’après|selon|according to|per|both from|les deux sortent de|"
                          r"ça vient de|ca vient de|that's from|it comes from|c'est tiré de)\b\s*:?\s*(?P<src>.+)$",
                          re.IGNORECASE)


def _source_only(sentence: str) -> str | None:
    m = _SOURCE_ONLY.match(sentence.strip())
    if m is None:
        return None
    return _cut_source(m.group("src"))


def _cut_source(raw: str) -> str | None:
    raw = re.split(r"[()]|,\s*(?:sur|over|on|pour|for|depuis|since|soit|i\.e\.|last|the last|janvier|january|en|in|and|et|"
                   r"but|mais|which|qui|c'est|that's|same|même|this|ce|over the|sur les|\d)\b|"
                   r"\s+(?:sur|over)\s+(?:les|the)\s+\d|[.;]|\s+[—–]\s", raw)[0]
    raw = raw.strip(" :,")
    return raw[:80] or None


_QUALIFIER = re.compile(r"(?:within|in under|under|over|sur|last|past|on those|on these|on the|sur ces|sur les|derniers?|dernières?|moins de|plus de|en moins de|"
                        r"au-delà de|sous|après|after|before|avant|dans les|in the first|les|the first|first|entre|between|"
                        r"from|de|à|at|to|jusqu'à|until|by)\s*$", re.IGNORECASE)
_EMPTY_HEAD = re.compile(r"^(?:(?:and|et|only|seulement|about|around|roughly|nearly|almost|environ|à peu près|a peu pres|"
                         r"près de|pres de|quelque|some|so|donc|then|puis|aussi|also|plus|over|more than|less than|"
                         r"moins de|plus de|presque|just|juste|c'est|it's|it is|is|soit|we have|on a|il y a|there are|"
                         r"there is|we get|we're at|on est à|on reçoit|on recoit|nous recevons|we receive|we get|on compte|"
                         r"we count|on a eu|we had|we've had|we got|we've got|we received|we saw|nous avons eu|"
                         r"on a reçu|on a recu|we get about|last year we got)\W*)*$", re.IGNORECASE)
_CONDITION = re.compile(r"^(?:pour|for|chez|among|parmi|when|quand|si|if|with|avec|sans|without|dont|whose)\b", re.IGNORECASE)
_COUNTED_BY = re.compile(r"(?P<src>(?:the|our|l'|le|la|notre|nos)\s+[\w' -]{2,40}?)\s+(?:counted|measured|tracked|compté|mesuré|"
                         r"relevé)\b", re.IGNORECASE)
_SAID_SOURCE = re.compile(
    r",\s*(?:c'est|that's|it's|ça vient|that comes from|ca vient)\s+(?P<src>(?:le|la|l'|les|du|de la|des|notre|nos|the|our|from)"
    r"\s*[^,.;()]{0,20}?\b(?:relev\w*|rapport|report|export|tableau|dashboard|enqu[eê]te|survey|chiffres?|figures?|"
    r"stats?|statistiques|logiciel|software|system|système|crm|compta\w*|planning|étude|study|données|data)\b[^,.;()]{0,40})|"
    r"(?P<own>(?:l'|le |la |les |the |our |notre |nos )[^,.;()]{2,40}?)\s+(?:nous donne|donne|nous dit|gives us|gives|"
    r"shows|tells us|says)\b", re.IGNORECASE)
"""A source said around the figure: "..., c'est le relevé du standard de janvier", « l'enquête après bail nous
donne un NPS de 12 »."""
_PUBLISHED = re.compile(r"(?:publié(?:e|s)? par|published by|reported by|fourni(?:e|s)? par|provided by|counted by|compté(?:e|s)? par)"
                        r"\s+(?P<src>[^,.;()]{2,60})|(?P<own>(?:we|on|nous)\s+(?:timed|counted|measured|tracked|checked|a (?:mesuré|compté|"
                        r"chronométré|relevé)|avons (?:mesuré|compté|chronométré|relevé))[^,.;()]{0,40})", re.IGNORECASE)


def _in_sentence(text: str, sentence: Span, previous: MetricFound | None) -> list[MetricFound]:
    body = sentence.text
    dates = []
    found_date = find_date(body)
    while found_date is not None:
        s, e = found_date[1]
        dates.append((s, e))
        rest = find_date(body[e:])
        found_date = (rest[0], (rest[1][0] + e, rest[1][1] + e)) if rest else None
    brackets = [(m.start(), m.end()) for m in re.finditer(r"\([^)]*\)", body)]
    source: str | None = None
    period: str | None = None
    for b_start, b_end in brackets:
        paren_source, paren_period = _paren_source(body, b_start + 1, b_end - 1)
        source, period = source or paren_source, period or paren_period
    cue = _SOURCE_CUE.search(body)
    if cue and source is None:
        source = _cut_source(body[cue.end():])
    for pattern in (_SAID_SOURCE, _PUBLISHED, _COUNTED_BY):
        m = pattern.search(body)
        if m and source is None:
            source = _cut_source(m.group("src") or m.group("own") if "own" in m.groupdict() else m.group("src"))
    if source is None:
        # "11 days, warehouse system", "13 days, booking system again": a trailing phrase that says where
        tail = re.split(r",\s*", body)[-1]
        tail = re.sub(r"\s+(?:again|aussi|also|à nouveau|encore|toujours)$", "", tail.strip(), flags=re.IGNORECASE)
        named = re.fullmatch(r"[A-Z][\w.&'’-]*[A-Z.][\w.&'’-]*|[A-Z][a-z]+(?:\s+[A-Z][\w.&'’-]*){0,2}", tail.strip(" ."))
        if len(tail.split()) <= 6 and (_SOURCE_WORDS.search(tail) or named or re.match(r"(?:from|d'après|selon|per)\b", tail,
                                                                                       re.IGNORECASE)) and not re.search(r"\d", tail):
            source = _cut_source(re.sub(r"^(?:from|d'après|selon|per)\s+", "", tail, flags=re.IGNORECASE))
    if source is None and re.search(r"\b(?:meme source|same source|again|a nouveau)\b", fold(body)) and previous:
        source = previous.source
    if period is None:
        pm = re.search(r"(?:sur|over|depuis|since|pour|for|in|en|au cours des|during)\s+(?:les|the|la|le)?\s*"
                       r"(?:\d{1,2}\s+)?(?:derniers?|dernières?|last|past)\s+(?:\d{1,2}\s+)?(?:mois|months?|semaines?|"
                       r"weeks?|ans?|années?|years?|trimestres?|quarters?)|\blast (?:quarter|year|month)\b", body, re.IGNORECASE)
        if pm:
            period = pm.group(0)
    figures: list[tuple[int, int, float, str]] = []
    for m in _NUMBER.finditer(body):
        if any(s <= m.start() < e for s, e in dates) or any(s <= m.start() < e for s, e in brackets):
            continue
        num = m.group("num")
        value = to_float(num)
        if value is None:
            continue
        unit = _unit(m.group("unit") or "")
        before = body[:m.start()]
        if not unit:
            noun = re.match(r"\s*((?:(?:new|nouveaux|nouvelles|active|actifs|actives|repeat|regular|unique|first-time)\s+)?"
                            r"(?:[a-zà-ÿ-]{4,}s)(?:\s+(?:par|per|a|an)\s+(?:mois|an|jour|semaine|month|year|day|week))?)\b",
                            body[m.end():])
            if noun and not re.match(r"\s*(?:les|des|dans|avant|après|after|before|ans|years|ones)\b", noun.group(1)):
                unit = noun.group(1)
        if not unit and not _KPI.search(body):
            continue  # a bare number with nothing saying what it counts
        if len(num.strip("+-−")) == 4 and not unit and 1900 <= value <= 2100:
            continue  # a year
        if fold(unit) == "h" and re.search(r"(?:entre|de|à|a|between|from|at|to|et|and)\s*$", before, re.IGNORECASE):
            continue  # a time of day: "entre 7 h et 8 h"
        if _QUALIFIER.search(before) and figures:
            continue  # "within 90 days", "in under 5 days", "last 12 months": part of what is counted
        if re.search(r"(?:over|under|above|below|more than|less than|plus de|moins de|au-delà de|>|<)\s*[£€$]?\s*$", before,
                     re.IGNORECASE) or re.match(r"\s*[kKmM]\b", body[m.end("num"):]):
            continue  # "quotes over £50k": part of the metric's name
        if period and num in period:
            continue
        figures.append((m.start(), m.end(), value, unit))
    for start, end, whole in percent_words(body):  # "Forty-four per cent of new members..."
        if not any(s <= start < e for s, e, *_ in figures):
            figures.append((start, end, float(whole), "%"))
    for start, end, said in number_words(body):  # « deux cents appels », "forty minutes", "four point eight"
        unit_m = _WORD_UNIT.match(body, end)
        if unit_m is None and said != int(said) and _KPI.search(body) and not any(s <= start < e for s, e, *_ in figures):
            figures.append((start, end, float(said), ""))  # "TripAdvisor rating is four point eight"
            continue
        if unit_m is None or said < 2 or any(s <= start < e for s, e, *_ in figures):
            continue
        if _QUALIFIER.search(body[:start]) or re.search(r"(?:last|past|over|the|les|des|derniers|dernières|sur|in|en|"
                                                        r"within|sous|under|after|après|depuis|for|pendant)\s*$",
                                                        body[:start], re.IGNORECASE):
            continue  # "last six months", « sur les six derniers mois »: a period, not a figure
        figures.append((start, unit_m.end(), float(said), _unit(unit_m.group("unit"))))
    figures.sort()
    # "Logo churn at 12 months is twenty-two percent": a figure that qualifies the metric's name, with the
    # metric's value said after it, is part of the name
    figures = [f for k, f in enumerate(figures)
               if not (k + 1 < len(figures) and _QUALIFIER.search(body[:f[0]])
                       and re.search(r"\b(?:is|are|was|est|sont|c'est|reste|stands at|sits at)\b|[:=]", body[f[1]:figures[k + 1][0]]))]
    out: list[MetricFound] = []
    previous_end = 0
    first_name = previous.name if previous is not None else ""
    for k, (start, end, value, unit) in enumerate(figures):
        gap = body[previous_end:start]
        clause = re.split(r"[.;]|,(?!\d)", gap)[-1]
        after_text = _after_name(body[end:])
        name = ""
        if k > 0 and re.search(r"(?:\band|\bet|,)\s*$", gap) and re.fullmatch(r"[a-zà-ÿ-]{4,}s", unit or "") and \
                len(gap.split()) <= 4:
            name = unit  # "640 applications last year and 212 adoptions": the second is named by its noun
        elif k > 0 and re.match(r"^\s*(?:contre|versus|vs\.?|against|compared (?:to|with)|as opposed to|par rapport à|"
                              r"au lieu de|instead of|alors que|while)\b", clause.strip(), re.IGNORECASE):
            name = f"{first_name} — {after_text}" if after_text and first_name else first_name
        else:
            head = clause if k > 0 else gap
            if cue is not None and k == 0 and cue.end() <= start:
                head = body[:cue.start()] if cue.start() > 0 else gap
            head = re.sub(r"\([^)]*\)", "", head)
            head_clean = _clean_name(head)
            if _CONDITION.match(head_clean) and previous is not None and not _KPI.search(head_clean):
                # "Pour les admis dont le financement a été validé..., c'est 81 %": the metric said before
                cond = re.sub(r"[,\s]*(?:c'est|it's|it is|on est à|on a)\s*$", "", head_clean.strip(), flags=re.IGNORECASE)
                name = f"{previous.name} — {cond}"
            elif head_clean and not _EMPTY_HEAD.match(head_clean) and not re.search(r"\b(?:of|de|d'|des|du)$", head.strip()):
                name = head_clean
            elif after_text:
                name = after_text
            else:
                name = head_clean
            kpi_m = re.search(r"\b(NPS|CSAT|CES)\b", body[max(0, start - 40):end + 5])
            if kpi_m and kpi_m.group(1).lower() not in fold(name):
                name = kpi_m.group(1) + (" — " + name if name else "")  # two spans of the answer: "NPS — students'"
            first_name = name or first_name
        if not name:
            name = unit or "?"
        next_start = figures[k + 1][0] if k + 1 < len(figures) else len(body)
        own = _SOURCE_CUE.search(body, end, next_start)
        own_source = _cut_source(body[own.end():next_start]) if own else None
        out.append(MetricFound(name=name[:1].upper() + name[1:90], value=value, unit=unit, source=own_source or source,
                               period=period, quote=body))
        previous_end = end
    return out


def _after_name(after: str) -> str:
    """What a figure counts, said after it: "38% of them are made by phone" → "of them are made by phone"."""
    after = re.sub(r"^\s*(?:d['’]|des\b|de\b|du\b|of\b|the\b|a\b|en\b|in\b)\s*", "", after, flags=re.IGNORECASE)
    cut = _SOURCE_CUE.search(after)
    after = after[: cut.start()] if cut else after
    after = re.split(r"[(.;]|,(?!\d)|\s+(?:contre|versus|vs|against|selon|according|mais|but|—|–)\b", after)[0]
    return " ".join(after.split()[:10]).strip(" ,:")
