"""The shipped examples: the clean maps lint clean, each flawed map triggers exactly its pitfalls,
and the catalogue and word lists are complete."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from journeybot.domain.map_file import load_map
from journeybot.lint import lint
from journeybot.method.catalog import pitfalls, wordlists

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
FLAWED = EXAMPLES / "flawed"
# The stable codes of the method spec's pitfall catalogue, in its order.
CODES = [
    "internal-view", "process-not-journey", "too-coarse", "no-numbers", "no-priorities", "no-persona",
    "multiple-personas", "online-only", "stops-at-purchase", "top-of-funnel-only", "no-emotions",
    "flat-or-only-positive", "no-owners", "only-pains", "invisible-moments", "existing-touchpoints-audit",
    "no-action-plan", "stale-map", "fuzzy-boundaries", "invented-data",
]


def _clean_examples() -> list[Path]:
    return sorted(EXAMPLES.glob("*.json"))


def _manifest() -> dict[str, list[str]]:
    loaded: dict[str, list[str]] = yaml.safe_load((FLAWED / "expected.yaml").read_text(encoding="utf-8"))
    return loaded


def test_there_are_a_french_and_an_english_clean_example() -> None:
    langs = {load_map(p).lang for p in _clean_examples()}
    assert {"fr", "en"} <= langs


@pytest.mark.parametrize("path", _clean_examples(), ids=lambda p: p.name)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_clean_examples_have_zero_findings(path: Path, lang: str) -> None:
    assert lint(load_map(path), "fr" if lang == "fr" else "en") == []


@pytest.mark.parametrize("path", _clean_examples(), ids=lambda p: p.name)
def test_clean_examples_are_complete_maps(path: Path) -> None:
    m = load_map(path)
    tps = [tp for *_, tp in m.touchpoints()]
    assert len(tps) >= 8
    assert any(tp.online for tp in tps) and any(not tp.online for tp in tps)
    assert any(s.emotion is not None and s.emotion.score < 0 for s in m.stages)
    assert any(s.pain_points for s in m.stages) and any(s.positives for s in m.stages)
    assert all(x.source for _, x in m.metrics())
    assert m.evidence and m.moments_of_truth and m.action_plan
    assert all(None not in (o.impact, o.reach, o.confidence, o.effort) for o in m.opportunities)
    assert m.review_date is not None and m.review_date > m.created
    assert not any(item.provenance == "inferred" for _, item in m.items())


def test_manifest_lists_every_flawed_map_and_only_them() -> None:
    assert set(_manifest()) == {p.name for p in FLAWED.glob("*.json")}


@pytest.mark.parametrize("name", sorted(_manifest()))
def test_each_flawed_map_triggers_exactly_its_codes(name: str) -> None:
    expected = _manifest()[name]
    found = [f.code for f in lint(load_map(FLAWED / name))]
    assert sorted(found) == sorted(expected)


def test_every_pitfall_code_is_shown_by_a_flawed_map_of_its_own() -> None:
    single = {codes[0] for codes in _manifest().values() if len(codes) == 1}
    assert single == set(CODES)


def test_catalogue_has_exactly_the_twenty_codes_of_the_method() -> None:
    assert list(pitfalls()) == CODES


@pytest.mark.parametrize("code", CODES)
def test_every_pitfall_is_explained_in_both_languages_with_a_source(code: str) -> None:
    p = pitfalls()[code]
    for text in (p.title, p.why, p.fix):
        assert text("fr") != text("en")
        assert len(text("en")) > 10
    assert re.search(r"\b00[0-4]\b|NN/g|Smaply|TheyDo|[Pp]racti", p.source)


def test_word_lists_cover_what_the_rules_use_in_both_languages() -> None:
    lists = wordlists()
    for name in ("internal_process", "after_purchase", "purchase", "discovery", "generic_persona", "multi_segment"):
        assert lists[name]["fr"] and lists[name]["en"], name
    assert "validation du dossier" in lists["internal_process"]["fr"]


def test_one_channel_list_says_what_is_offline_and_what_the_company_does_not_see() -> None:
    from journeybot.method.channels import find_channel, invisible_words, is_offline

    assert is_offline(True, "Téléphone") and is_offline(True, "word of mouth") and is_offline(False, "Site web")
    assert not is_offline(True, "App Store") and not is_offline(True, "Site web")  # "store" inside an app's name
    assert {"bouche à oreille", "attente", "waiting"} <= set(invisible_words())
    channel = find_channel("la file d'attente au guichet")
    assert channel is not None and channel.invisible and not channel.online
