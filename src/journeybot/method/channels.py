"""The channels a touchpoint goes through (prompts/method/channels.yaml), the one list of them: the
interview reads a touchpoint's channel from its words, the linter asks whether a channel is offline
(online-only) and which words say a moment the company does not see (invisible-moments)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache

from ..domain.journey_map import Lang
from ..resources import load_yaml, prompts_dir
from ..text import Lexicon


@dataclass(frozen=True)
class Channel:
    """One channel: its name in both languages, whether it is online, who runs it and whether the
    company sees it (a wait, a friend's advice are invisible)."""

    fr: str
    en: str
    online: bool
    ownership: str = "owned"
    invisible: bool = False
    contact: bool = True
    """False for a moment that is not a way of meeting the company (a wait): the channel mix
    (online-only) does not count it."""

    def name(self, lang: Lang) -> str:
        return self.fr if lang == "fr" else self.en


@cache
def _entries() -> tuple[tuple[tuple[str, ...], Channel], ...]:
    data = load_yaml(prompts_dir() / "method" / "channels.yaml")["channels"]
    return tuple((tuple(e["words"]), Channel(e["channel"]["fr"], e["channel"]["en"], bool(e["online"]),
                                             e.get("ownership", "owned"), bool(e.get("invisible", False)),
                                             bool(e.get("contact", True))))
                 for e in data)


@cache
def channels() -> Lexicon:
    """Every channel word, mapped to its channel (plurals match too)."""
    return Lexicon(((w, ch) for words, ch in _entries() for w in words), plurals=True)


def invisible_words() -> list[str]:
    """The words of the channels the company does not see (waiting, word of mouth...)."""
    return [w for words, ch in _entries() if ch.invisible for w in words]


_VIA = re.compile(r"\b(?:in|on|via|through|by|dans|sur|par|en|from|over|(?P<at>at|à|au|aux))\s+(?:the\s+|our\s+|their\s+|notre\s+|nos\s+|"
                  r"l'|le\s+|la\s+|les\s+|un\s+|une\s+|son\s+|sa\s+|ses\s+|her\s+|his\s+)?"
                  r"(?:(?:canal|channel|groupe|group|compte|account|page|fil|thread)\s+)?$", re.IGNORECASE)


_WRITTEN = re.compile(r"\b(?:écrite?s?|ecrite?s?|par écrit|par ecrit|written|in writing|by e-?mail|par e-?mail|en ligne|online)\b",
                      re.IGNORECASE)


def find_channel(text: str) -> Channel | None:
    """The channel a piece of text names: the one it says it goes through ("the virtual queue IN OUR APP",
    « la lettre PAR COURRIER »), else the first channel word."""
    found = channels().find_all(text)
    if _WRITTEN.search(text):  # "les corrections écrites du coach": a person, but not met in person
        found = [f for f in found if f[2].online or f[2].en != "in person"]
    if not found:
        return _platform(text)
    # who the customer meets (a friend, a competitor) is not how: the medium named beside them says that
    # ("her daughter's Facebook posts", "appel du concurrent"); who runs it stays the third party
    who = next((c for _s, _e, c in found if c.ownership == "third_party" and (c.invisible or not c.contact)), None)
    return _as_run_by(_medium(text, found), who)


def _medium(text: str, found: list[tuple[int, int, Channel]]) -> Channel:
    for start, _end, channel in found:
        via = _VIA.search(text[max(0, start - 24):start])
        # "at"/« à » names a place, which wins only over a screen ("scanne le QR code à la borne"), not
        # over a wait or a call ("la file d'attente au guichet", "appel à la plateforme")
        if via and not (via.group("at") and (channel.online or not found[0][2].online)):
            return channel
    first = found[0][2]
    if first.invisible and first.contact:  # word of mouth carried by a named medium
        return next((c for _s, _e, c in found if c.online), first)
    if not first.contact and first.ownership == "third_party":  # a competitor: where the customer meets it
        return next((c for _s, _e, c in found if c.contact), first)
    return first


def _as_run_by(medium: Channel, who: Channel | None) -> Channel:
    if who is None or medium.ownership == who.ownership:
        return medium
    return replace(medium, ownership=who.ownership, invisible=who.invisible)


_PLATFORM = re.compile(r"(?<![\w.])(?:[A-Z][a-z]{2,}[A-Z]\w*|[a-z0-9-]{2,}\.(?:com|fr|co\.uk|io|org|net|eu|app|gouv\.fr))(?![\w])")


def _platform(text: str) -> Channel | None:
    """A name written the way online services write theirs ("ClassPass", "DocuSign", "doctolib.fr"): a
    website, when no channel word says otherwise."""
    if _PLATFORM.search(text) is None:
        return None
    return channels().first("website")


def is_contact(channel: str) -> bool:
    """False when the channel is a moment rather than a way of meeting the company (a wait)."""
    found = find_channel(channel)
    return found is None or found.contact


def is_offline(online: bool, channel: str) -> bool:
    """A touchpoint is offline when it says so, or when its channel is an offline one (a "Téléphone"
    channel marked online by mistake is still a phone call)."""
    if not online:
        return True
    found = find_channel(channel)
    return found is not None and not found.online
