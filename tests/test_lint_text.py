"""normalise() and the word-list matcher: accent-, case-, apostrophe- and hyphen-insensitive, whole words."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journeybot.lint.text import WordList, normalise, word_list


@pytest.mark.parametrize(("raw", "folded"), [
    ("Bouche-à-Oreille", "bouche a oreille"),
    ("  Délai   d’attente ", "delai d'attente"),
    ("SAV\u00a0rapide", "sav rapide"),
    ("Cœur de cible", "coeur de cible"),
    ("ÉTÉ", "ete"),
    ("Straße", "strasse"),
    ("back_office", "back office"),
    ("", ""),
])
def test_normalise(raw: str, folded: str) -> None:
    assert normalise(raw) == folded


def test_matching_ignores_accents_case_and_hyphens() -> None:
    words = WordList("t", ["bouche à oreille", "délai"])
    assert words.find("Un BOUCHE-A-OREILLE favorable") == "bouche a oreille"
    assert not words.matches("Les DELAISSÉS")
    assert words.matches("Quel délai ?")


def test_matching_is_whole_words_only() -> None:
    words = WordList("t", ["lead", "sav"])
    assert not words.matches("Our leader")
    assert not words.matches("savoir-faire")
    assert words.matches("a new lead")
    assert words.matches("appel au SAV")


def test_is_exactly_compares_the_whole_text() -> None:
    words = word_list("generic_persona")
    assert words.is_exactly("  Les  Clients ")
    assert words.is_exactly("L’utilisateur")
    assert not words.is_exactly("Les clients du lundi")
    assert not words.is_exactly(None)


def test_an_empty_list_matches_nothing() -> None:
    assert not WordList("empty", []).matches("anything at all")


def test_unknown_list_names_fail_loudly() -> None:
    with pytest.raises(KeyError):
        word_list("no-such-list")


def test_find_each_agrees_with_find_one_by_one() -> None:
    words = word_list("internal_process")
    texts = ["Validation du dossier", None, "", "I compare offers", "Back-Office", "a lead", "qualified leads",
             "Le service juridique relit", "dossier\u00a0validé"]
    assert words.find_each(texts) == [words.find(t) for t in texts]
    assert words.find_each([]) == []


def test_a_phrase_never_matches_across_two_texts() -> None:
    words = WordList("t", ["back office"])
    assert words.find_each(["back", "office"]) == [None, None]
    assert not words.in_any(["back", "office"])
    assert words.in_any(["nothing", "the back office"])


# The pattern is factored as a trie for speed; it must find exactly what the plain longest-first
# alternation of the phrases finds, on any phrases and any text.
_WORD = st.text(alphabet="abé' ", min_size=1, max_size=6)


@settings(max_examples=300, deadline=None)
@given(phrases=st.lists(_WORD, min_size=1, max_size=8), texts=st.lists(st.text(alphabet="abé' -x.", max_size=30),
                                                                       max_size=6))
def test_trie_pattern_finds_what_the_plain_alternation_finds(phrases: list[str], texts: list[str]) -> None:
    words = WordList("t", phrases)
    ordered = sorted(words.phrases, key=len, reverse=True)
    if not ordered:
        return
    plain = re.compile(rf"(?<!\w)(?:{'|'.join(re.escape(p) for p in ordered)})(?!\w)")
    for text in texts:
        folded = normalise(text)
        expected = [m.group(0) for m in plain.finditer(folded)]
        assert [m.group(0) for m in words._pattern.finditer(folded)] == expected
    assert words.find_each(texts) == [
        (m.group(0) if (m := plain.search(normalise(t))) else None) for t in texts
    ]
