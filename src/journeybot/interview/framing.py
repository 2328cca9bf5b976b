"""Framing said the way people say it: why they map (the sentence that says it best), which journey,
where it starts and ends ("de X jusqu'à Y", "from the moment X to the day Y", "ça commence quand X et ça
s'arrête quand Y", the last one said when the person corrects themselves), who works on it and what
they expect. Every value is a span of the answer."""

from __future__ import annotations

import re

from ..text import Span, fold

_START_VERB = (r"(?:commence|commencerait|débute|démarre|démarrerait|starts?|begins?|kicks? off)\b(?!\s+(?:à|a|to)\s+"
               r"(?:chercher|regarder|comparer|look|search|work|think|compare|fail|go))")
_START_WHEN = (r"(?:au moment où|à partir du moment où|dès que|lorsque|quand|avec|par|à|au|aux|sur|dès|when|with|at|on|"
               r"as soon as|the moment|from)")
START = re.compile(
    r"(?<!\bdo i )(?<!\bshould i )(?<!\bpar où )(?<!\bpar ou )(?<!\bdoes )(?<!\bdid )(?<!\bdo )\b"
    r"(?:(?:ça|ca|cela|il|elle|le parcours|the journey|it|that|this)\s+" + _START_VERB + r"\s*" + _START_WHEN + r"?|"
    + _START_VERB + r"\s*" + _START_WHEN + r"|(?:(?:le|the)\s+)?(?:start|début|debut|beginning|starting point|"
    r"point de départ)\s*(?:[,:]?\s*(?:c'est|it's|is)\s|[:=])\s*" + _START_WHEN + r"?)\s*", re.IGNORECASE)
"""Where the journey starts: "it starts when…", « ça commence par… », "Starts when she…" (a bare "start" must
say when: "people start the free trial" is no start of the journey; "Where does it start?" echoes the question)."""
END = re.compile(
    r"(?<!n'en )(?<!\bne )\b(?:(?:(?:la|le|the)\s+)?(?:end|fin)\s*[:=]\s*|"
    r"(?:(?:ça|ca|cela|il|elle|le parcours|the journey|it|that|this)\s+)?(?:se termine|se terminerait|"
    r"s'arrête|s’arrête|s'arrêterait|finit|finirait|prend fin|s'achève|s’achève|se clôt|se clôture|"
    r"(?<![-\s]to[-\s])(?<!\ban\s)(?<!\bthe\s)(?<!\bbout\s)ends?(?![-\s]to[-\s])(?!\s+up\b)|stops?|finishes|is over|wraps up))\b"
    r"(?!\s+pas\b)\s*(?:au moment où|lorsque|quand|avec|par|aux|au|à|sur|après|when|with|at|on|after|once|as soon as|"
    r"in)?\s*", re.IGNORECASE)
_ANCHOR = re.compile(r"\s+(?:jusqu['’]\s?(?:à|au|aux|a)\s+|jusqu['’]à ce qu['’]?\s*|until\s+|till\s+|through to\s+|"
                     r"right up to\s+|up to\s+|all the way to\s+|to,?\s+(?:say|let's say|roughly|about|around|disons|environ),?\s+|"
                     r"to\s+(?=(?:the|a|an|when|her|his|their|its)\s+"
                     r"(?:moment|day|point|time|first|last|end)\b)|to\s+(?=when\b))", re.IGNORECASE)
_FROM = re.compile(r"(?:^|(?<=[\s,:(]))(?:depuis|from|(?:à partir|a partir) (?:de|du|des|d')|de|du|des|d['’])\s*",
                   re.IGNORECASE)
_STRONG_FROM = re.compile(r"(?:^|(?<=[\s,:(]))(?:depuis|from|à partir (?:de|du|des|d')|a partir (?:de|du|des|d'))\s*",
                          re.IGNORECASE)
_TAIL = re.compile(r"[\s,;:–—-]+(?:et|and|mais|but|puis|then)?\s*$|,\s*(?:sinon|otherwise|parce que|parce qu'|because|car|"
                   r"mais|but|so that|pour que)\b.*$", re.IGNORECASE)


def _trim(source: str, span: Span) -> Span:
    m = _TAIL.search(span.text)
    if m and m.start() > 2:
        return span.sub(source, 0, m.start())
    return span


def from_to(source: str, span: Span) -> tuple[Span, Span] | None:
    """("X", "Y") for "de X jusqu'à Y", "from X to the day Y", "du devis jusqu'à la première utilisation"."""
    text = span.text
    anchor = _ANCHOR.search(text)
    if anchor is None:
        return None
    head = text[:anchor.start()]
    strong = list(_STRONG_FROM.finditer(head))
    if strong:
        start = strong[-1]
    else:
        candidates = [m for m in _FROM.finditer(head) if m.start() == 0 or head[max(0, m.start() - 2):m.start()].strip()
                      in (",", ":", "(", "") or re.match(r"(?:le|la|l'|the)?\s*(?:moment|jour|day|première|premier|first|"
                                                           r"instant)", head[m.end():], re.IGNORECASE)]
        if not candidates:
            return None
        after_comma = [m for m in candidates if head[max(0, m.start() - 2):m.start()].strip() in (",", ":", "(")]
        start = (after_comma or candidates)[-1]
    a = span.sub(source, start.end(), anchor.start())
    b = span.sub(source, anchor.end(), len(text))
    if len(a.text) < 3 or len(b.text) < 3:
        return None
    return _trim(source, a), _trim(source, b)


def bounds(source: str, span: Span) -> tuple[Span | None, Span | None]:
    """Where the journey starts and ends, as said in ``span``: "de X jusqu'à Y", "from the moment X to
    the day Y", "ça commence quand X et ça s'arrête quand Y", "it starts when X", "it ends when Y"."""
    text = span.text
    start_m, end_m = START.search(text), END.search(text)
    ft = from_to(source, span)
    if ft is not None and _STRONG_FROM.search(text[:text.find(ft[0].text) + 1] if ft[0].text in text else text):
        return ft
    if start_m is not None and end_m is not None and end_m.start() > start_m.end():
        return (_trim(source, span.sub(source, start_m.end(), end_m.start())),
                _trim(source, span.sub(source, end_m.end(), len(text))))
    if start_m is not None:
        value = span.sub(source, start_m.end(), len(text))
        inner = from_to(source, value)
        if inner is not None:
            return inner
        return (_trim(source, value) if value.text else None), None
    if end_m is not None:
        value = span.sub(source, end_m.end(), len(text))
        return None, (_trim(source, value) if value.text else None)
    return ft if ft is not None else (None, None)


CORRECTION = re.compile(r"\b(?:non|no|en fait|actually|so|donc|du coup|to be precise|plus precisement|plus précisément|plutot|plutôt|allez|well|finalement|finally|i mean|je veux dire|"
                        r"pardon|sorry|correction|voila|voilà|bref|en resume|en résumé|in short|to sum up)\b", re.IGNORECASE)


def replaces(old: str | None, new: str) -> bool:
    """A correction replaces what was said before when it says at least as much ("on s'arrête aux clés"
    does not replace "il rend les clés à l'agence")."""
    if old is None:
        return True
    def content(text: str) -> set[str]:
        return {w[:5] for w in re.findall(r"[a-z0-9]{3,}", fold(text))} - {"quand", "when", "elle", "they", "the",
                                                                            "les", "qui", "que", "pour", "with"}
    return len(content(new)) >= len(content(old))


_JOURNEY_WORD = re.compile(r"\b(?:parcours|journey|trajet client)\b", re.IGNORECASE)
_JOURNEY_LEAD = re.compile(
    r"^(?:(?:alors|bon|donc|so|ok|okay|and|et|yes|oui)\W+)*(?:(?:on|nous)\s+(?:veut|voudrait|va|allons|voulons)\s+"
    r"cartographier|on cartographie|nous cartographions|we(?:'re| are)? (?:going to )?map(?:ping)?|we want to map|"
    r"(?:le|the)\s+(?:parcours|journey)\s*(?:à cartographier|a cartographier|to map|we map|we(?:'re| are) mapping)?\s*"
    r"(?:,\s*)?(?:c'est|c’est|est|is|it's|:)|(?:c'est|it's|it is))\s*", re.IGNORECASE)
_JOURNEY_CUT = re.compile(r"\s*(?::|;|\s[–—]\s|,\s*(?:de|du|des|d'|from|depuis|tel qu|as it|comme|pour|to|so|afin|because|"
                          r"parce|mais|but|not only|pas seulement|yes|oui)\b|\s(?:pour (?:comprendre|voir|savoir|identifier|"
                          r"trouver|mesurer)|afin de|in order to|to understand|to see|to find|so that|because|parce que)\b)",
                          re.IGNORECASE)


def journey_word(text: str) -> bool:
    """True when ``text`` says "parcours" or "journey"."""
    return _JOURNEY_WORD.search(text) is not None


_MAP_LEAD = re.compile(
    r"^(?:(?:alors|bon|donc|so|ok|okay|and|et|yes|oui|basically)\W+)*(?:(?:on|nous)\s+(?:veut|voudrait|va|allons|voulons)\s+"
    r"cartographier|on cartographie|nous cartographions|we(?:'re| are)? (?:going to )?map(?:ping)?|we want to map|"
    r"we(?:'ll| will) map|we map)\s+(?=\S)", re.IGNORECASE)


def journey(source: str, span: Span) -> Span | None:
    """Which journey a sentence names: "On cartographie le parcours de Paul qui loue une voiture" →
    "le parcours de Paul qui loue une voiture"; "The journey is the first-time buyer's mortgage journey,
    from..." → "the first-time buyer's mortgage journey"; "We're mapping a trial subscriber." → "a trial
    subscriber"."""
    text = span.text
    word = _JOURNEY_WORD.search(text)
    if word is None:
        lead = _MAP_LEAD.match(text)
        if lead is None:
            return None
        body = span.sub(source, lead.end(), len(text))
        cut = _JOURNEY_CUT.search(body.text)
        if cut is not None and cut.start() >= 3:
            body = body.sub(source, 0, cut.start())
        return _trim(source, body) if len(body.text) >= 3 else None
    lead = _JOURNEY_LEAD.match(text)
    if lead is None and _OBJECTIVE_STRONG.search(fold(text[:word.start()])):
        # an objective that names the journey in passing ("... sur tout le parcours de location", "... over the
        # whole rental journey"): the journey is that noun phrase, not the sentence
        return _journey_phrase(source, span, word)
    body = span.sub(source, lead.end(), len(text)) if lead and lead.end() < len(text) else span
    cut = _JOURNEY_CUT.search(body.text)
    while cut is not None and re.match(r"\s*,\s*(?:de|du|des|d'|from)\b", body.text[cut.start():], re.IGNORECASE) and \
            len(re.split(r"[:;.]", body.text[cut.end():])[0].split()) <= 6 and ":" in body.text[cut.end():]:
        # "le parcours d'une DAF, de l'essai au renouvellement : ça commence..." keeps "de l'essai au renouvellement"
        cut = _JOURNEY_CUT.search(body.text, body.text.find(":", cut.end()))
    while cut is not None and cut.start() < 12 and cut.end() < len(body.text):
        # a cut too early (", yes, for one patient") keeps the rest
        nxt = _JOURNEY_CUT.search(body.text, cut.end())
        if nxt is None:
            break
        cut = nxt
    if cut is not None and cut.start() >= 3:
        body = body.sub(source, 0, cut.start())
    return body if len(body.text) >= 3 else None


_PHRASE_OPENERS = re.compile(r"^(?:the|our|their|whole|entire|full|complete|over|across|on|in|along|throughout|of|"
                             r"for|a|an)$", re.IGNORECASE)


def _journey_phrase(source: str, span: Span, word: re.Match[str]) -> Span | None:
    """The noun phrase around the journey word: "parcours de location" (the word and what follows, to the
    end of the clause), "rental journey" (up to three words before it that are not articles or
    prepositions)."""
    text = span.text
    if fold(word.group(0)).startswith(("parcours", "trajet")):
        end = re.search(r"[,.;:!?()]|\s(?:pour|afin|car|parce|mais)\b", text[word.end():])
        stop = word.end() + (end.start() if end else len(text) - word.end())
        return span.sub(source, word.start(), stop) if stop - word.start() >= 3 else None
    before = text[:word.start()].split()
    kept: list[str] = []
    for w in reversed(before[-3:]):
        if _PHRASE_OPENERS.match(w.strip(",;")) or w.endswith((",", ";")):
            break
        kept.append(w)
    start = word.start() - (len(" ".join(reversed(kept))) + 1 if kept else 0)
    return span.sub(source, max(0, start), word.end())


_OBJECTIVE_STRONG = re.compile(
    r"\b(?:on veut comprendre|nous voulons comprendre|on voudrait comprendre|veut savoir|voulons savoir|ce qu'on veut "
    r"comprendre|l'objectif|notre objectif|le but|l'enjeu|la raison|on cherche a comprendre|on aimerait comprendre|"
    r"we want to (?:understand|know|find out|learn|see|cut|reduce|increase|improve)|the (?:goal|aim|objective|reason) "
    r"(?:is|was)|our (?:goal|aim|objective)|the honest reason|wants to know|we(?:'d| would) like to (?:understand|know)|"
    r"why:|pourquoi\s*:|on nous demande (?:pourquoi|si)|(?:the board|management|le comite|la direction) (?:keeps asking|wants to "
    r"know|asks|demande)|we(?:'re| are) asked why|ce qu'on veut savoir)")
_OBJECTIVE_WEAK = re.compile(
    r"\b(?:comprendre|savoir|decouvrir|identifier|trancher|decider|reduire|ameliorer|augmenter|diminuer|pourquoi|"
    r"understand|know|find out|figure out|identify|decide|reduce|improve|increase|cut|why|goal|aim|objective|objectif|"
    r"perd|perdons|perdent|lose|losing|loses|churn|drop out|dropping|abandon\w*|plafonne|ne reviennent pas|don't come back|"
    r"never come back|probleme|problem|issue|souci)\b")
_CONTEXT_ONLY = re.compile(
    r"^\W*(?:(?:alors|bon|right|so|ok|okay|well)\W+)*(?:le contexte|contexte|context|(?:nous|on) (?:est|sommes)|"
    r"we(?:'re| are) (?:a|an|the)|je suis|i(?:'m| am)|alors nous|chez nous|notre (?:entreprise|societe|boite)|"
    r"our company)\b")
QUESTION_LEAD = re.compile(r"(?:^|\s*[—–:,;]\s*|\s+)(?:(?:so|donc|alors|et|and)\s+)?(?:la|the|our|notre)\s+(?:vraie\s+|real\s+)?"
                           r"(?:business\s+|metier\s+)?questions?\s*(?:business\s+)?(?:est|c'est|is|are|:|,)\s*(?:de savoir\s+)?",
                           re.IGNORECASE)


def objective_score(text: str) -> int:
    """How well a sentence says why the map is made (0: not at all)."""
    f = fold(text)
    score = 3 * len(_OBJECTIVE_STRONG.findall(f)) + len(_OBJECTIVE_WEAK.findall(f))
    if _CONTEXT_ONLY.match(f) and not _OBJECTIVE_STRONG.search(f):
        return max(0, score - 1)
    return score


_INTERROGATIVE = re.compile(r"^\W*(?:(?:et|and|mais|but|alors|so|donc|c'est ca|voila)\W+)*(?:pourquoi|comment|qu'est.ce|quel\w*|"
                            r"ou |combien|est.ce que|why|how|what|which|where|whether|when|is it|are (?:we|they|people)|"
                            r"do (?:we|they|people)|does|can we|could we)", re.IGNORECASE)


def asks_a_question(source: str, span: Span) -> bool:
    """True for a business question: a question (its "?" is kept outside the span) that starts with an
    interrogative ("pourquoi...", "what makes...") rather than one put to the interviewer ("je le mets
    dedans ou pas ?"), or a sentence that says "the question is"."""
    if QUESTION_LEAD.search(fold(span.text)) is not None:
        return True
    after = source[span.end:span.end + 3]
    asked = "?" in after or span.text.rstrip().endswith("?")
    return asked and _INTERROGATIVE.match(fold(span.text)) is not None


def split_question(source: str, span: Span) -> tuple[Span | None, Span | None]:
    """(the objective part, the business question) of "We want X — the question is whether Y"."""
    m = QUESTION_LEAD.search(fold(span.text))
    if m is None:
        return span, (span if asks_a_question(source, span) else None)
    before = span.sub(source, 0, m.start()) if m.start() > 3 else None
    after = span.sub(source, m.end(), len(span.text))
    return before, after if after.text else None
