"""Owners said in an answer: which team runs which touchpoints, several per sentence ("Le site, le
simulateur et l'espace client : équipe digitale", "Customer service handles the hotline and the chat",
"C'est le marketing qui s'occupe du courrier"). The team is the user's own words."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..domain.journey_map import JourneyMap, Lang, Touchpoint
from ..method.channels import find_channel
from ..text import Span, fold
from . import words

_PASSIVE = re.compile(r"\s*(?::|→|->|=>|=|—|–|\s-\s)\s*|\s+(?:est |sont |is |are )?(?:géré(?:e|s|es)?|pilot(?:é|ée|és|ées)|"
                      r"pris(?:e|es)? en charge|tenu(?:e|s|es)?|porté(?:e|s|es)?|owned|run|handled|managed|looked after|"
                      r"taken care of|operated)\s+(?:par|by)\s+|\s+(?:relève(?:nt)? de|dépend(?:ent)? de|belongs? to|"
                      r"sits? with|is with|are with|c'est|ce sont|it's|that's)\s+", re.IGNORECASE)
_ACTIVE = re.compile(r"^(?P<team>.{2,60}?)\s+(?:gère|gèrent|s'occupe(?:nt)? (?:de|du|des)|pilote(?:nt)?|porte(?:nt)?|"
                     r"est responsable (?:de|du|des)|sont responsables (?:de|du|des)|a la main sur|tient|tiennent|"
                     r"handles?|owns?|runs?|manages?|takes? care of|looks? after|is responsible for|are responsible for|"
                     r"is in charge of|are in charge of|deals? with|covers?)\s+(?P<tps>.+)$", re.IGNORECASE)
_CLEFT = re.compile(r"^(?:c'est|ce sont|it's|it is)\s+(?P<team>.{2,60}?)\s+(?:qui|that|who)\s+(?:gère|gèrent|"
                    r"s'occupe(?:nt)?|pilote(?:nt)?|handles?|owns?|runs?|manages?|takes? care)\s*(?:de|du|des|of)?\s*"
                    r"(?P<tps>.+)$", re.IGNORECASE)
_NOBODY = re.compile(r"\b(?:personne|nobody|no one|no-one|aucune équipe|aucun service|orphelin\w*|not owned|pas de "
                     r"responsable)\b", re.IGNORECASE)
_TEAM_NOUN = re.compile(r"^(?:l['’]|le\s+|la\s+|les\s+|the\s+|our\s+|notre\s+|nos\s+|un\s+|une\s+|a\s+)?", re.IGNORECASE)


def _words(text: str) -> set[str]:
    return {w[:6] for w in re.findall(r"[a-z0-9]{3,}", fold(text))} - {"the", "les", "des", "and", "our", "nos",
                                                                      "notre", "avec", "with", "pour", "for"}


def touchpoints_named(text: str, touchpoints: Sequence[Touchpoint]) -> list[Touchpoint]:
    """The touchpoints a piece of text names ("le site, l'appli et l'agence"): each part matches the
    touchpoints holding most of its words, or, when the part is only a channel word ("le téléphone"),
    every touchpoint on that channel."""
    found: list[Touchpoint] = []
    parts = [p for p in re.split(r",|;|\s+(?:et|and|ou|or|&|plus|ainsi que|as well as)\s+|/", text) if p.strip()]
    for part in parts:
        wanted = _words(part)
        if not wanted:
            continue
        best: list[Touchpoint] = []
        best_score = 0.0
        for tp in touchpoints:
            score = len(wanted & _words(tp.name)) / len(wanted)
            if score > best_score:
                best, best_score = [tp], score
            elif score == best_score and score > 0:
                best.append(tp)
        if best_score >= 0.5:
            found += [t for t in best if t not in found]
            continue
        channel = find_channel(part)
        if channel is not None and len(part.split()) <= 4:
            found += [t for t in touchpoints if t not in found and
                      fold(t.channel) in (fold(channel.fr), fold(channel.en))]
    return found


_THEIRS = (r"is his|is hers|is theirs|are his|are hers|are theirs|c'est le sien|c'est la sienne|c'est a lui|"
           r"c'est a elle")
"""The customer's own ("the group chat is his"): not the company's, in both readings below."""
_NOT_OURS = re.compile(r"\b(?:not ours|not us|aren't ours|isn't ours|pas (?:a )?nous|ce n'est pas nous|ne sont pas a nous|"
                       + _THEIRS + r"|"
                       r"on n'a pas la main|not our job|none of ours|nobody|no one|personne|no idea|je ne sais pas|"
                       r"aucune idee|not mine)\b")
_COPULA = re.compile(r"\s+(?:is|are|sont|est|c'est|ce sont|=)\s+|\s*(?::|→|->|=>|—|–)\s*")
_POSSESSIVE = re.compile(r"^(?P<tps>.+?)\s+(?:is|are)\s+(?:the\s+|our\s+)?(?P<team>[^,.;]{2,50}?)['’]s\b")
_MINE = re.compile(r"^(?P<tps>.+?)\s+(?:is|are|sont|est|c'est)\s+(?:mine|ours|my team's|a moi|chez moi|moi)\b[,\s]*"
                   r"(?P<team>[^.;]*)")


_WHEN = re.compile(r"\s+(?:on\s+(?:mondays|tuesdays|wednesdays|thursdays|fridays|saturdays|sundays|weekends?|weekdays)|"
                   r"at\s+weekends?|(?:le|les)\s+(?:lundis?|mardis?|mercredis?|jeudis?|vendredis?|samedis?|dimanches?|"
                   r"week-ends?)|en semaine|the rest of the week|le reste de la semaine|most of the time|la plupart du temps)\b.*$",
                   re.IGNORECASE)


_NO_ONE_IN_PARTICULAR = re.compile(r"^(?:celui|celle|ceux|whoever|whichever|qui |who |ca depend|it depends|depends|"
                                   r"tout le monde|everyone|everybody|n'importe qui|anyone|on verra|personne)")


def _team(text: str) -> str | None:
    """The team's name as the user said it ("l'équipe digitale" → "Équipe digitale"), without what
    follows it (", avec leurs prestataires", " — my team", ", donc le directeur")."""
    text = re.split(r"\s*[—–(]\s*|,\s*(?:avec|with|donc|so|under|managed|qui|which|that|sauf|except|mais|but|pour|for|et|and)\b|"
                    r"\s+(?:mais|but|sauf|except|qui|which|under)\s", text)[0]
    text = text.split(",")[0].strip(" ,:.")  # "Priti on Saturdays, me the rest of the week": the first one named
    text = re.sub(r"^(?:that's|that is|it's|it is|c'est|ce sont)\s+|\s+(?:too|as well|also|again|aussi|également|encore)$",
                  "", text, flags=re.IGNORECASE).strip()  # "that's Ollie too"
    text = _WHEN.sub("", text).strip(" ,:.")
    text = re.sub(r"^(?:(?:c'est|it's|that's|is|are)\s+)?(?:l['’]|le\s+|la\s+|les\s+|the\s+|our\s+|notre\s+|nos\s+|un\s+|"
                  r"une\s+|a\s+)", "", text, flags=re.IGNORECASE).strip()
    if not text or len(text.split()) > 7 or _NOT_OURS.search(fold(text)) or fold(text) in ("mine", "ours"):
        return None
    if _NO_ONE_IN_PARTICULAR.match(fold(text)):
        return None  # "celui qui a le temps", "ça dépend de qui est là", "everyone": no owner
    return text[:1].upper() + text[1:60]


_PREFACE = re.compile(r"^(?P<left>[^:]{2,80}):\s*(?P<right>.+)$")
_ABOUT_OWNERS = re.compile(r"\b(?:responsables?|owners?|ownership|qui gere|qui fait quoi|who owns|who runs|who does what|"
                           r"teams?|equipes?)\b")
_FOR = re.compile(r"^(?P<team>[^,:;]{2,50}?)\s+(?:pour|for|on|sur|handles|looks after)\s+(?P<tps>.+)$", re.IGNORECASE)


def _pairs(text: str, touchpoints: Sequence[Touchpoint]) -> list[tuple[str, str]]:
    """(touchpoints words, team words) said in one clause."""
    preface = _PREFACE.match(text)
    if preface and not touchpoints_named(preface.group("left"), touchpoints) and \
            _ABOUT_OWNERS.search(fold(preface.group("left"))):
        return _pairs(preface.group("right"), touchpoints)  # "Les responsables, je crois que c'est ça : …"
    f = fold(text)
    if _NOT_OURS.search(f) and not re.search(r"\bsauf\b|\bexcept\b", f):
        return []
    m = _POSSESSIVE.match(text)
    if m and touchpoints_named(m.group("tps"), touchpoints):
        return [(m.group("tps"), m.group("team"))]
    m = _MINE.match(text)
    if m and touchpoints_named(m.group("tps"), touchpoints):
        return [(m.group("tps"), m.group("team") or "my team")]
    m = _FOR.match(text)  # « la communication pour le site, Instagram et le salon »
    if m and touchpoints_named(m.group("tps"), touchpoints) and not _COPULA.search(m.group("tps")) and (
            words.teams().has(m.group("team")) or len(m.group("team").split()) <= 3):
        return [(m.group("tps"), m.group("team"))]
    for pattern in (_CLEFT, _ACTIVE):
        m = pattern.match(text)
        if m and (words.teams().has(m.group("team")) or len(m.group("team").split()) <= 4) and \
                touchpoints_named(m.group("tps"), touchpoints):
            return [(m.group("tps"), m.group("team"))]
    masked = re.sub(r"\s[—–]\s[^—–:]{1,80}\s[—–]\s|\([^)]*\)", lambda x: "_" * len(x.group(0)), text)
    seps = list(_PASSIVE.finditer(masked)) + list(_COPULA.finditer(masked))
    seps.sort(key=lambda x: (":" not in x.group(0), x.start()))
    for comma in re.finditer(r",\s*(?=(?:le |la |les |l'|the |our |notre )?(?:service|équipe|equipe|direction|pôle|pole|"
                             r"département|departement|team|department|responsable|manager|head of|cellule)\b)", masked,
                             re.IGNORECASE):
        seps.append(comma)
    for sep in seps:
        if sep.start() <= 0:
            continue
        left, right = text[:sep.start()], text[sep.end():]
        if touchpoints_named(left, touchpoints) and right.strip():
            return [(left, right)]
        if touchpoints_named(right, touchpoints) and words.teams().has(left):
            return [(right, left)]
    return []


_CUT = r"\s*;\s*|(?<=[.!?])\s+(?=[A-ZÀ-Ý«\"“])"
"""Where one statement ends: a semicolon, or a sentence end before a capital ("What Car? and Autotrader" is one)."""
_CLAUSE = re.compile(_CUT + r"|,\s*(?:and|et|puis|then|while|whereas|alors que)\s+(?=(?:the|our|l'|le|la|les|un|"
                     r"une|a)\b[^,;.]{2,60}?\s(?:is|are|sont|est|c'est)\b)")


def not_ours(src: str, span: Span, journey: JourneyMap) -> list[Touchpoint]:
    """The touchpoints said not to be the company's ("Rightmove, the estate agents, the solicitor — not
    ours", « L'ANTS et service-public.fr, c'est l'État, on n'a pas la main »)."""
    touchpoints = [t for *_, t in journey.touchpoints()]
    out: list[Touchpoint] = []
    for clause in re.split(_CUT, span.text):
        f = fold(clause)
        m = re.search(r"\b(?:not ours|not us|aren't ours|isn't ours|none of ours|ce n'est pas nous|c'est pas nous|pas a nous|"
                      + _THEIRS + r"|"
                      r"ne sont pas a nous|on n'a pas la main|not (?:run|owned) by us|outside us|c'est l'etat|"
                      r"n'est pas chez nous|pas chez nous|hors de notre main)\b", f)
        if m is None:
            continue
        named = touchpoints_named(clause[:m.start()] or clause, touchpoints)
        out += [t for t in named if t not in out]
    return out


def _bare(text: str) -> str:
    return re.sub(r"^(?:the|our|le|la|les|l'|notre|nos)\s*", "", fold(text).strip(" .:")).strip()


def owners_in(src: str, span: Span, journey: JourneyMap, lang: Lang,
              focus: Touchpoint | None = None) -> list[tuple[Touchpoint, str, str]]:
    """(touchpoint, team, quote) for each owner said in ``span`` (clauses split at semicolons and at
    ", and the X are Y")."""
    del lang
    touchpoints = [t for *_, t in journey.touchpoints()]
    out: list[tuple[Touchpoint, str, str]] = []
    clauses = [c for c in _CLAUSE.split(span.text) if c and c.strip()]
    for clause in clauses:
        if clause.rstrip().endswith("?"):
            continue  # the question said back ("Qui est responsable de quoi ?")
        pairs = _pairs(clause.strip(), touchpoints)
        if (not pairs and focus is not None and not _NOT_OURS.search(fold(clause))
                and (words.teams().find_all(clause) or len(clause.split()) <= 5)):
                pairs = [(focus.name, clause)]
        for tps_text, team_text in pairs:
            team = _team(team_text)
            if team is None:
                continue
            targets = touchpoints_named(tps_text, touchpoints)
            elements = {_bare(e) for e in re.split(r",|;|\band\b|\bet\b", fold(tps_text))}
            for stage in journey.stages:  # "The tour, the guides …: Nadia": the touchpoints of a stage named as such
                if len(_bare(stage.name)) >= 4 and _bare(stage.name) in elements:
                    targets += [tp for tp in stage.touchpoints if tp not in targets and tp.ownership == "owned"]
            if not targets and focus is not None:
                targets = [focus]
            for tp in targets:
                out.append((tp, team, clause))
    return out
