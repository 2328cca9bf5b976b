"""The method documents (knowledge/) keep their contract: front matter, FR/EN pairs, every phase and
every pitfall code of the method data covered in both languages, and every evaluation target real."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from journeybot.method.catalog import phases, pitfalls
from journeybot.resources import knowledge_dir

REPO = Path(__file__).resolve().parent.parent
LANGS = ("fr", "en")


def _parse(path: Path) -> tuple[dict[str, Any], dict[str, str]]:
    text = path.read_text(encoding="utf-8")
    match = re.match(r"^---\n(.*?)\n---\n(.*)$", text, re.S)
    assert match, f"{path}: no front matter"
    front = yaml.safe_load(match.group(1))
    parts = re.split(r"^## (.+)$", match.group(2), flags=re.M)
    sections = {h.strip(): body for h, body in zip(parts[1::2], parts[2::2], strict=True)}
    return front, sections


def _docs() -> dict[tuple[str, str], tuple[dict[str, Any], dict[str, str]]]:
    return {(lang, p.stem): _parse(p) for lang in LANGS for p in sorted((knowledge_dir() / lang).glob("*.md"))}


@pytest.fixture(scope="module")
def docs() -> dict[tuple[str, str], tuple[dict[str, Any], dict[str, str]]]:
    return _docs()


def test_front_matter_is_complete_and_consistent(docs: dict[tuple[str, str], tuple[dict[str, Any], dict[str, str]]]) -> None:
    phase_ids = {p.id for p in phases()}
    codes = set(pitfalls())
    for (lang, stem), (front, sections) in docs.items():
        assert front["id"] == stem and front["lang"] == lang, stem
        assert front["title"] and front["sources"], stem
        assert set(front["phases"] or []) <= phase_ids, stem
        assert set(front["pitfalls"] or []) <= codes, stem
        assert sections, f"{lang}/{stem} has no ## section"
        for heading, body in sections.items():
            words = len(re.findall(r"\w+", body))
            assert 40 <= words <= 300, f"{lang}/{stem} '{heading}': {words} words"


def test_every_document_exists_in_both_languages(docs: dict[tuple[str, str], tuple[dict[str, Any], dict[str, str]]]) -> None:
    fr = {stem for lang, stem in docs if lang == "fr"}
    en = {stem for lang, stem in docs if lang == "en"}
    assert fr == en and len(fr) >= 30


@pytest.mark.parametrize("lang", LANGS)
def test_every_phase_and_pitfall_is_covered(lang: str, docs: dict[tuple[str, str], tuple[dict[str, Any], dict[str, str]]]) -> None:
    phase_docs = {ph for (lg, stem), (front, _) in docs.items() if lg == lang and stem.startswith("phase-")
                  for ph in front["phases"] or []}
    assert phase_docs == {p.id for p in phases()}
    named = {code for (lg, _), (front, sections) in docs.items() if lg == lang
             for code in front["pitfalls"] or [] if any(code in h for h in sections)}
    assert named == set(pitfalls())


def test_evaluation_targets_exist(docs: dict[tuple[str, str], tuple[dict[str, Any], dict[str, str]]]) -> None:
    data = yaml.safe_load((REPO / "bench" / "retrieval_eval.yaml").read_text(encoding="utf-8"))
    queries = data["queries"] if isinstance(data, dict) else data
    assert len(queries) >= 40
    assert sum(1 for q in queries if q.get("lang") == "fr") >= 15
    assert sum(1 for q in queries if q.get("lang") == "en") >= 15
    for q in queries:
        targets = q["expected"] if isinstance(q["expected"], list) else [q["expected"]]
        langs = [q["lang"]] if q.get("lang") else list(LANGS)
        for target in targets:
            doc_id, _, heading = target.partition("#")
            assert any(heading in docs.get((lg, doc_id), ({}, {}))[1] for lg in langs), target
