"""Reading method documents and cutting them into chunks (pure: no Chroma, no model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from journeybot.knowledge.documents import (
    DocumentError,
    builtin_files,
    fold,
    guess_lang,
    parse_document,
    user_files,
)
from journeybot.knowledge.keyword import KeywordIndex, tokenize

FIXTURES = Path(__file__).parent / "fixtures" / "knowledge"
BUILTIN = FIXTURES / "builtin"


def test_markdown_document_is_cut_at_level_two_headings() -> None:
    path = BUILTIN / "fr" / "moments-of-truth.md"
    doc = parse_document(path, "builtin:fr/moments-of-truth.md")
    assert (doc.doc_id, doc.title, doc.lang) == ("moments-of-truth", "Moments de vérité", "fr")
    assert doc.phases == ("moments_of_truth",)
    assert doc.sources == ("003 monday.com partner", "000 Different Factory")
    assert [c.section for c in doc.chunks] == ["ZMOT, FMOT, SMOT, TMOT", "Repérer un moment de vérité"]
    first = doc.chunks[0]
    assert first.text.startswith("Quatre instants") and "##" not in first.text
    assert first.id == "builtin:fr/moments-of-truth.md#0"
    assert first.search_text.startswith("Moments de vérité — ZMOT, FMOT, SMOT, TMOT\n\n")
    assert all(c.doc_hash == doc.hash for c in doc.chunks)


def test_intro_before_first_section_and_code_fences(tmp_path: Path) -> None:
    path = tmp_path / "guide.md"
    path.write_text(
        "---\nid: guide\ntitle: Guide\nlang: en\nphases: [stages]\npitfalls: [too-coarse]\nsources: [x]\n---\n"
        "# Guide\n\nAn introduction that stands alone.\n\n## First\nOne.\n\n```\n## not a heading\n```\n\n"
        "## Empty\n\n## Second\nTwo.\n",
        encoding="utf-8",
    )
    doc = parse_document(path, "user:guide")
    assert [c.section for c in doc.chunks] == ["Guide", "First", "Second"]
    assert "## not a heading" in doc.chunks[1].text
    assert doc.pitfalls == ("too-coarse",)


def test_txt_is_cut_at_blank_lines_and_language_is_guessed(tmp_path: Path) -> None:
    doc = parse_document(FIXTURES / "user_txt" / "notes-livraison.txt", "user:x")
    assert doc.lang == "fr"
    assert doc.title == "notes livraison" and doc.doc_id == "notes-livraison"
    long = tmp_path / "long.txt"
    para = "The customer waits for the parcel and calls the support line to know where it is. " * 3
    long.write_text(f"{para}\n\nShort.\n\n{para}\n", encoding="utf-8")
    chunks = parse_document(long, "user:long").chunks
    assert [c.section for c in chunks] == ["§1", "§2"]  # "Short." is joined to the next paragraph
    assert chunks[1].text.startswith("Short.")
    assert parse_document(long, "user:long").lang == "en"


def test_txt_front_matter_is_optional_but_used() -> None:
    doc = parse_document(FIXTURES / "user_txt" / "onboarding-notes.txt", "user:y")
    assert (doc.title, doc.lang) == ("Onboarding notes", "en")
    assert "---" not in doc.chunks[0].text


@pytest.mark.parametrize(
    ("content", "why"),
    [("---\nid: [unclosed\n---\n# T\n", "not valid YAML"), ("---\n- a list\n---\n# T\n", "YAML mapping")],
)
def test_broken_front_matter_is_a_clear_error(tmp_path: Path, content: str, why: str) -> None:
    path = tmp_path / "bad.md"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DocumentError, match=why):
        parse_document(path, "user:bad")


def test_not_utf8_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Un irritant coûteux".encode("latin-1"))
    with pytest.raises(DocumentError, match="UTF-8"):
        parse_document(path, "user:latin1")


def test_bad_lang_is_reported_and_guessed(tmp_path: Path) -> None:
    path = tmp_path / "x.md"
    path.write_text("---\nlang: de\n---\n# Titre\n\n## Section\nLe client attend la livraison de sa commande.\n",
                    encoding="utf-8")
    doc = parse_document(path, "user:x")
    assert doc.lang == "fr"
    assert any("neither fr nor en" in p for p in doc.problems)


def test_hash_changes_with_content(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("# A\n\n## S\nOne.\n", encoding="utf-8")
    before = parse_document(path, "k").hash
    path.write_text("# A\n\n## S\nTwo.\n", encoding="utf-8")
    assert parse_document(path, "k").hash != before


def test_file_discovery(tmp_path: Path) -> None:
    keys = [k for k, _ in builtin_files(BUILTIN)]
    assert "builtin:fr/persona.md" in keys and "builtin:en/persona.md" in keys
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("x", encoding="utf-8")
    (tmp_path / "b.md").write_text("x", encoding="utf-8")
    (tmp_path / "c.pdf").write_text("x", encoding="utf-8")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "d.md").write_text("x", encoding="utf-8")
    names = sorted(p.name for _, p in user_files(tmp_path))
    assert names == ["a.txt", "b.md"]


def test_language_guess_and_folding() -> None:
    assert guess_lang("Le client attend sa commande depuis une semaine et il est en colère.") == "fr"
    assert guess_lang("The customer has been waiting for the order for a week.") == "en"
    assert fold("Vérité ÉMOTION") == "verite emotion"


def test_keyword_tokens_fold_accents_stop_words_and_plurals() -> None:
    assert tokenize("Les moments de vérité du client") == ["moment", "verite", "client"]
    assert tokenize("What are the pain points?") == ["pain", "point"]
    index = KeywordIndex(["les irritants et les efforts", "le persona unique", "zmot fmot"])
    scores = index.scores("Quels irritants ?")
    assert scores[0] > 0 and scores[1] == 0 and scores[2] == 0
    assert index.scores("le la les") == [0.0, 0.0, 0.0]
