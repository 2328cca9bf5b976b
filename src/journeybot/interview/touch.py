"""Touchpoints in a sentence as people list them: "the presale email with the code, the virtual queue in
our app, the checkout with Karen's card", « le courrier de convocation, le portail de préadmission en
ligne, la consultation d'anesthésie sur place ». Each piece is a span of the answer; its channel (and
whether it is online) comes from the channel words, and a piece with no channel word is kept with an
unspecified channel. Fillers, remarks and continuations ("which happens a lot", « bien sûr »,
« avec nos publicités ») are not touchpoints."""

from __future__ import annotations

import re

from ..method.channels import Channel, find_channel
from ..text import Span, fold, masked

_SPLIT = re.compile(r"\s*(?:,|;|\+|\s/\s|\s(?:et|and|ou|or|puis|then|plus|ainsi que|as well as|along with|sinon|"
                    r"otherwise|or else)\s)\s*")
_DROP = re.compile(
    r"^(?:which|that's|that is|c'est|c'etait|ce qui|ce que|where|if |si |sinon|otherwise|of course|bien sur|"
    r"obviously|evidemment|right there|voila|c'est tout|that's it|that's the lot|etc|and so on|du coup|"
    r"in the worst cases|au pire|rien|nothing|nobody|personne|aucun|no |not |pas |ca c'est|it's|entre les deux|"
    r"in between|mardi|lundi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday|le soir|the evening|months? of it|weeks? of it|trois a|deux a|la veille|the day before|"
    r"tout ca|all that|that's about it|right|honestly|franchement|en fait|actually|hors ligne|offline|en ligne|"
    r"online|basically|en gros|then|puis|ensuite|wherever|whatever|however|ou que|quel que|quelle que|"
    r"invisibles?|visibles?|(?:two|three|four|five|six|seven|eight|deux|trois|quatre|cinq|six|sept|huit|all) of them|"
    r"tous les (?:deux|trois|quatre|cinq|six)|the lot|as i said|comme je (?:l'ai )?dit|comme dit|"
    r"quand (?:elle|il)|when (?:she|he)|(?:une|deux|trois|\d+) fois|once|twice|(?:une|one|a) (?:fois|time) "
    r"(?:par|a|per))\b")
_ADVERBS = re.compile(r"^(?:(?:tres |assez |tellement |really |quite |ou )?(?:surtout|souvent|parfois|often|usually|mostly|bien|"
                      r"avec|with|soit|either|"
                      r"especially|sometimes|aussi|also|even|meme|encore|again|d'abord|first|ensuite|then|puis|enfin|"
                      r"finally|generalement|generally|en general|typically)\s+)+", re.IGNORECASE)
_RELATIVE = re.compile(r"^(?:qu['’]|que |qui |dont |où |who |which |that |where |whose |lequel |laquelle )",
                       re.IGNORECASE)
_CONTINUES = re.compile(r"^(?:avec|with|en |in |on |by |par |via |sur |from |de |du |des |d'|when |quand |while |"
                        r"pendant |during |for |pour )", re.IGNORECASE)
_CHANNEL_ONLY = re.compile(r"^(?:par|by|via|en|in|on|sur)\s+(?:\w+\s+){0,2}\w+$", re.IGNORECASE)
_TAIL = re.compile(r"\s+(?:because|parce que|parce qu'|car (?=il|elle|on|c'est|le|la|les|ils|elles|ça|ca)|so that|pour que|"
                   r"which|who|where|qui|que|où|when|quand|if|si|since|puisque|as|comme)\b.*$|\s*[—–]\s.*$|\s*\(.*$|"
                   r"[\s,]+(?:et|and|or|ou)$", re.IGNORECASE)
_LEAD = re.compile(r"^(?:(?:c'est|it's|there's|il y a|there is|there are|ce sont|these are|it is)\s+|"
                   r"(?:we|on|nous)\s+(?:assume|think|believe|guess|suppose|pense|pensons|supposons|croit|croyons|imagine)"
                   r"(?:\s+(?:that|que|qu'))?\s*(?:(?:she|he|they|elle|il|ils|elles)\s+)?|"
                   r"(?:d'abord|first|then|puis|ensuite|enfin|finally|et|and|also|aussi|ou|or|either|soit)\s+)+", re.IGNORECASE)


_COPULA = re.compile(r"^[^,:;]{2,50}?\s+(?:is|are|c'est|ce sont|est|sont)(?:\.\.\.|…)?\s+(?=(?:the|a|an|our|le|la|les|l'|un|une|des|notre)\b)",
                     re.IGNORECASE)
_SUBJECT = re.compile(r"^(?:elle|il|ils|elles|on|nous|je|j'|she|he|they|we|i|you|vous)\s+", re.IGNORECASE)
_NEGATED = re.compile(r"^(?:(?:we|they|i|on|nous|il|elle)\s+)?(?:(?:have|has|had|avons|a|ont)\s+(?:no|pas de|aucun\w*)\b|"
                      r"(?:don't|do not|never|n'a|n'avons|ne)\s+(?:do|have|fait|faisons|pas)\b|"
                      r"everything happens|tout se passe|tout se fait)|"
                      r"^(?:no|not|never|nothing|none|don't|doesn't|didn't|won't|pas|aucun\w*|jamais|rien|ni|sans|without|"
                      r"ne |n')\b")
_NOUN_PHRASE = re.compile(r"^(?:(?:the|a|an|our|their|her|his|its|this|that|these|those|each|every|some|any|le|la|les|un|une|"
                          r"des|du|de la|notre|nos|son|sa|ses|leur|leurs|ce|cet|cette|ces|chaque|quelques)\s+|l['’]|d['’]|"
                          r"[A-ZÀ-Ý0-9«\"“])", re.IGNORECASE)


_ASIDE = re.compile(r"^(?:i'm|i am|i'd|i think|i guess|je suis|je pense|j'avoue|they do|they're|ils font|honestly|franchement|"
                    r"(?:very|really|so|quite|pretty|tres|vraiment|assez|trop|super)\s+\w+$)")
_ELABORATES = re.compile(r"^(?:mostly|mainly|notably|especially|in particular|surtout|principalement|notamment|"
                         r"en particulier|like|such as|comme|par exemple|for example|e\.g\.)\s", re.IGNORECASE)
"""A piece that names an example of the one before ("the booking sites, mostly Booking.com") belongs to it."""


def pieces(src: str, span: Span) -> list[Span]:
    """The pieces of a clause that may each be a touchpoint, continuations joined to the piece before."""
    flat = masked(span.text)
    raw: list[Span] = []
    pos = 0
    for m in _SPLIT.finditer(flat):
        raw.append(span.sub(src, pos, m.start()))
        pos = m.end()
    raw.append(span.sub(src, pos, len(span.text)))
    out: list[Span] = []
    for piece in raw:
        if not piece.text:
            continue
        between = src[out[-1].end:piece.start] if out else ""
        said_and = re.search(r"\b(?:et|and|or|ou)\b", between)  # "et surtout X": a new one
        said_or = re.search(r"\b(?:or|ou)\b", between)  # "at the desk or in the app": two ways, two touchpoints
        joins = _RELATIVE.match(piece.text) or (_ELABORATES.match(piece.text) and not said_and) or (
            _CONTINUES.match(piece.text) and not (said_or and find_channel(piece.text) is not None) and (
            find_channel(piece.text) is None or _CHANNEL_ONLY.match(piece.text)))
        if out and joins:
            out[-1] = Span.of(src, out[-1].start, piece.end)
            continue
        out.append(piece)
    return out


def _without_relative(src: str, piece: Span) -> Span:
    m = re.search(r",?\s+(?:qu['’]|que |qui |dont |which |who |that |where )", piece.text, re.IGNORECASE)
    return piece.sub(src, 0, m.start()) if m and m.start() >= 3 else piece


_ONE_BLOCK = re.compile(r"\b(?:one block|one thing|a single block|one big block|un seul bloc|un bloc|un tout|"
                        r"we don't split|on ne (?:le |la |les )?decoupe pas|on ne separe pas)\b")


def one_block(text: str) -> bool:
    """True when the user says the touchpoints of a stage are one block for them ("That's one block for
    us: check-in, keys...", "we don't split it"): what they list are parts of one touchpoint."""
    return _ONE_BLOCK.search(fold(text)) is not None


def touchpoints_in(src: str, span: Span) -> list[tuple[Span, Channel | None]]:
    """(the touchpoint's words, its channel) for each touchpoint said in ``span``."""
    found: list[tuple[Span, Channel | None]] = []
    for piece in pieces(src, span):
        f = fold(piece.text).strip()
        channel_here = find_channel(piece.text) is not None
        if _NEGATED.match(f):
            continue  # "no phone line", « pas de boutique »: a touchpoint that is not there
        if _ASIDE.match(f):
            continue  # "very clever", "I'm not bitter", "they do a cocktail masterclass": a remark, not a touchpoint
        if _DROP.match(f) and not (channel_here and len(f.split()) >= 3 and not re.match(r"^(?:quand|when|hors|off|en ligne|"
                                                                                           r"online)", f)):
            continue
        for pattern in (_LEAD, _ADVERBS, _LEAD):
            lead = pattern.match(piece.text)
            if lead and lead.end() < len(piece.text):
                piece = piece.sub(src, lead.end(), len(piece.text))
        f = fold(piece.text).strip()
        if len(f) < 3 or f in ("long", "rare", "court", "short"):
            continue
        channel = find_channel(piece.text)
        piece = _without_relative(src, piece)
        copula = _COPULA.match(piece.text)
        if copula is not None and copula.end() < len(piece.text):
            piece = piece.sub(src, copula.end(), len(piece.text))  # "Choosing a hotel is the booking sites"
        tail = _TAIL.search(piece.text)
        name = piece.sub(src, 0, tail.start()) if tail and tail.start() >= 3 else piece
        bare = _SUBJECT.sub("", name.text)
        if channel is None and (len(name.text.split()) > 7 or not _NOUN_PHRASE.match(bare) or bare != name.text):
            continue  # without a channel word, only a noun phrase ("the fit-finder quiz", "Kayak") is a touchpoint
        found.append((name, channel))
    return found
