"""Where each stage sits against the purchase, as the user says it ("Booking is the purchase", « Le
séjour, le retour à la maison et le contrôle viennent après », "tout ce parcours se passe après
l'achat"), else from the words of the stage names and their order."""

from __future__ import annotations

import re

from ..text import fold
from ..text.numbers import int_said
from . import words
from .segment import find_item

Lifecycle = str

_IS_PURCHASE = re.compile(
    r"(?P<x>[^.;:!?]{2,80}?),?\s+(?:c'est|is|was|=|est|counts as|serait)\s+(?:l'achat|the purchase|l'acte d'achat|"
    r"le moment (?:de|d') ?l'achat|la vente|the sale|the buying moment|the moment (?:she|he|they) buys?)\b")
_PURCHASE_IS = re.compile(
    r"(?:(?:^|(?<=[.!?;]\s))purchase(?=\s+is\b|\s*[=:])|\b(?:le moment de l'achat|l'achat|the purchase|the moment of purchase|l'acte d'achat|l'equivalent de l'achat(?: chez nous| pour nous)?|"
    r"the equivalent of (?:a|the) purchase(?: for us)?|le moment ou (?:il|elle|ils) [«\"]?\s*achetent?\s*[»\"]?|the moment (?:she|he|they)"
    r" [\"“]?buys?[\"”]?))\s*(?:,\s*[^,.;:!?]{2,30},)?\s*,?\s*(?:c'est|is|est|:|=)\s+(?P<x>[^.;!?]{2,80})")
_COME_AFTER = re.compile(
    r"(?P<list>[^.;:!?]{2,200}?)\s+(?:all\s+)?(?:viennent apres|vient apres|arrivent apres|sont apres|c'est apres|"
    r"se passent apres|se passe apres|come after|comes after|are after|is after|come later|happen after|follow|"
    r"are all after|all come after|are all afterwards|sont tous apres|viennent toutes apres|viennent tous apres)\b")
_AFTER_THERE = re.compile(
    r"\b(?:apres(?: ca| cela| l'achat| la commande| la signature)?|after (?:it|that|the purchase|signing up|booking)|"
    r"everything after it)\s*[,:(]?\s*(?:il y a|there (?:is|are)|come|comes|viennent|:)?\s*(?P<list>[^.;!?]{2,200})")
_ENDS_AT_PURCHASE = re.compile(r"\b(?:s'arrete(?: la)?,?\s*(?:a|avec|sur) (?:l'achat|la vente|le paiement)|"
                               r"(?:ends|stops) (?:there,?\s*)?(?:at|with) (?:the )?(?:purchase|sale|payment))\b")
_EVERYTHING_AFTER = re.compile(r"(?:tout ce qui (?:vient|suit|se passe|arrive) apres|everything (?:that comes |that happens )?"
                               r"after)\s+(?P<x>[^,.;:!?]{2,60})(?:,?\s*(?:c'est|is|counts as)\s+[^,.;!?]{2,40})?")
_ALL_AFTER = re.compile(r"(?:tout (?:ce parcours|le parcours) se passe apres l'achat|tout se passe apres l'achat|"
                        r"the whole journey (?:is|happens) after|everything (?:here )?(?:is|happens) after the purchase)")
_CONDITIONAL = re.compile(r"\b(?:si (?:je|il|elle|on) (?:peux|peut)|if (?:i|she|he|we|they) can|whether|wonder)\b")


def _pieces(text: str) -> list[str]:
    return [p for p in re.split(r",\s*|\s+(?:et|and|puis|then|ou|or)\s+|\(|\)", text) if p.strip()]


_OUT_OF_SCOPE = re.compile(r"\b(?:on s'arrete|we stop|pas dans (?:notre|le) perimetre|out of scope|not in scope|whole other map|"
                           r"autre carte|another map|on ne (?:le|la|les) met pas|we don't map|n'est pas dans)\b")


def _find(names: list[str], words: str) -> int | None:
    """The stage ``words`` name, most of its words in the name (stricter than a loose match)."""
    from .reading import words_of

    wanted = words_of(words)
    best, best_score = None, 0.0
    for index, name in enumerate(names):
        have = words_of(name)
        if not wanted or not have:
            continue
        score = len(wanted & have) / len(wanted)
        if score > best_score:
            best, best_score = index, score
    return best if best_score >= 0.6 else find_item(names, words) if best_score >= 0.5 and len(wanted) <= 1 else None


_POSITION = re.compile(r"^(?:c'est\s+|it's\s+)?(?:la |le |the |our )?(?P<w>derniere|dernier|last|final|premiere|premier|first|"
                       r"avant-derniere|penultimate|second to last)\s+(?:etape|phase|stage|step|one|moment)\b")


def _by_position(words: str, count: int) -> int | None:
    """The stage a position names: « la dernière étape », "the first stage"."""
    m = _POSITION.match(words.strip())
    if m is None or count == 0:
        return None
    w = m.group("w")
    if w in ("premiere", "premier", "first"):
        return 0
    if w in ("avant-derniere", "penultimate", "second to last"):
        return max(0, count - 2)
    return count - 1


_NUMBER_REF = re.compile(r"^(?:(?:l'|la |le |the )?(?:etape|stage|step|phase|n°|no\.?|numero|number)\s*)?(?P<a>\d{1,2}|[a-z]+)"
                         r"(?:\s*(?:a|to|-|–|jusqu'a)\s*(?P<b>\d{1,2}|[a-z]+))?$")


def _by_number(words: str, count: int) -> list[int]:
    """The stages a number names: « trois », "step 3", « quatre à sept » (1-based, as the user counts)."""
    m = _NUMBER_REF.match(words.strip(" ,:;«»\"“”"))
    if m is None:
        return []
    a = int_said(m.group("a"))
    b = int_said(m.group("b")) if m.group("b") else a
    if a is None or b is None or not 1 <= a <= b <= count:
        return []
    return list(range(a - 1, b))


def statements(text: str, names: list[str]) -> tuple[int | None, set[int], bool]:
    """What the answer says: (the purchase stage, stages said to come after, everything is after)."""
    f = " ".join(s for s in re.split(r"(?<=[.!?])\s+", fold(text)) if not _OUT_OF_SCOPE.search(s))
    f = re.sub(r"[«\"“]\s*([\w-]+)\s*[»\"”]", r"\1", f)  # L'« achat »: one word in quotes is that word
    purchase: int | None = None
    for pattern in (_IS_PURCHASE, _PURCHASE_IS):
        for m in pattern.finditer(f):
            x = re.sub(r"^(?:si on parle d'achat,?\s*|if we talk about buying,?\s*)", "", m.group("x").strip())
            found = _by_position(x, len(names))
            numbered = _by_number(re.split(r"[,(]", x)[0], len(names))
            if found is None and len(numbered) == 1:
                found = numbered[0]  # "l'achat = trois, J'ouvre mon compte"
            quoted = [q for q in re.findall(r"[«\"“]\s*([^»\"”]{2,80}?)\s*[»\"”]", x)]
            for q in quoted:  # "… c'est la signature du bon de commande, pendant « on organise tout »"
                if found is None:
                    found = _find(names, q)
            found = found if found is not None else _find(names, x)
            for piece in re.split(r"\s*[,:]\s*", x) if found is None else ():
                # "The purchase is Booking the tour, he pays…", « c'est le rendez-vous pris, Je prends rendez-vous : … »
                found = _find(names, piece)
                if found is not None:
                    break
            if found is not None:
                purchase = found
                break
        if purchase is not None:
            break
    if purchase is None and _ENDS_AT_PURCHASE.search(f) and names:
        purchase = len(names) - 1  # "le parcours s'arrête là, à l'achat": the last stage is the purchase
    after: set[int] = set()
    for m in _EVERYTHING_AFTER.finditer(f):
        # "tout ce qui vient après le jour du don, c'est l'après": the stages after that one
        found = _by_position(m.group("x"), len(names))
        found = found if found is not None else _find(names, m.group("x"))
        if found is not None:
            after |= set(range(found + 1, len(names)))
            if purchase is None:
                purchase = found
    f = _EVERYTHING_AFTER.sub(" ", f)
    for pattern in (_COME_AFTER, _AFTER_THERE):
        for m in pattern.finditer(f):
            for piece in _pieces(m.group("list")):
                numbered = _by_number(piece, len(names))  # « après : quatre à sept », "5, 6 and 7"
                found = _find(names, piece)
                for k in numbered or ([found] if found is not None else []):
                    if k != purchase:
                        after.add(k)
    return purchase, after, _ALL_AFTER.search(f) is not None


def says_lifecycle(text: str) -> bool:
    """True when the answer says where stages sit against the purchase (then its lists restate stages)."""
    f = fold(text)
    return any(p.search(f) for p in (_IS_PURCHASE, _PURCHASE_IS, _COME_AFTER, _ALL_AFTER)) or bool(
        re.search(r"\b(?:apres l'achat|after the purchase|apres,? il y a|after it|so after it)\b", f))


def lifecycles(text: str, names: list[str], *, after_question: bool = False) -> dict[int, Lifecycle]:
    """The lifecycle of each stage (by index in ``names``) that the answer or the names say."""
    purchase, after, all_after = statements(text, names)
    out: dict[int, Lifecycle] = {}
    if all_after:
        return {k: "after_purchase" for k in range(len(names))}
    if purchase is None:
        by_words = [words.lifecycle_of(n) for n in names]
        candidates = [k for k, life in enumerate(by_words) if life == "purchase" and not _CONDITIONAL.search(fold(names[k]))]
        purchase = candidates[0] if candidates else None
        if purchase is None and after and min(after) > 0:
            purchase = min(after) - 1  # "waiting, picking up and coming back are all after": the one before is the purchase
        if purchase is None:
            for k, life in enumerate(by_words):
                if life == "after_purchase":
                    out[k] = "after_purchase"
    if purchase is not None:
        for k in range(len(names)):
            out[k] = "before_purchase" if k < purchase else ("purchase" if k == purchase else "after_purchase")
    for k in after:
        out[k] = "after_purchase"
    if after_question and not out:
        return {}
    return out
