"""Cited hybrid retrieval over a real Chroma store and the real USE model (fixture documents)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from journeybot.knowledge.errors import KnowledgeError
from journeybot.knowledge.index import KnowledgeIndex
from journeybot.knowledge.retriever import Passage, Retriever, open_retriever
from journeybot.settings import load_settings
from tests.test_knowledge_index import _offline  # noqa: F401  (autouse: offline, no default Chroma embeddings)

FIXTURES = Path(__file__).parent / "fixtures" / "knowledge"


@pytest.fixture
def retriever(tmp_path: Path) -> Retriever:
    builtin = tmp_path / "knowledge"
    shutil.copytree(FIXTURES / "builtin", builtin)
    settings = load_settings(extra_docs=[str(FIXTURES / "user_txt")])
    return open_retriever(settings, index=KnowledgeIndex(settings, builtin_dir=builtin))


def test_open_retriever_builds_the_index_and_reports_it(retriever: Retriever) -> None:
    assert retriever.report is not None and len(retriever.report.added) == 8
    assert len(retriever) == retriever.report.chunks == 14


def test_search_returns_cited_passages(retriever: Retriever) -> None:
    passages = retriever.search("Qu'est-ce que le ZMOT et le TMOT ?", lang="fr", k=2)
    assert len(passages) == 2
    best = passages[0]
    assert (best.doc_id, best.section, best.lang) == ("moments-of-truth", "ZMOT, FMOT, SMOT, TMOT", "fr")
    assert best.citation("fr") == (
        "Moments de vérité — ZMOT, FMOT, SMOT, TMOT (sources : 003 monday.com partner; 000 Different Factory)"
    )
    assert best.score >= passages[1].score > 0
    assert best.path.endswith("moments-of-truth.md")


def test_citation_formats() -> None:
    p = Passage(doc_id="d", title="Moments de vérité", section="ZMOT, FMOT, SMOT, TMOT", lang="fr",
                text="…", sources=["003 monday.com partner"], phases=[], pitfalls=[], score=0.1)
    assert p.citation("fr") == "Moments de vérité — ZMOT, FMOT, SMOT, TMOT (source : 003 monday.com partner)"
    assert p.citation("en") == "Moments de vérité — ZMOT, FMOT, SMOT, TMOT (source: 003 monday.com partner)"
    detailed = Passage(doc_id="d", title="Spotting the moments of truth", section="Why", lang="en", text="…",
                       sources=["000 Different Factory — phase 3", "003 monday.com partner — ZMOT",
                                "000 Different Factory — tip 5"], phases=[], pitfalls=[], score=0.1)
    assert detailed.citation("en") == (
        "Spotting the moments of truth — Why (sources: 000 Different Factory; 003 monday.com partner)"
    )
    bare = Passage(doc_id="n", title="notes", section="notes", lang="fr", text="…", sources=[], phases=[],
                   pitfalls=[], score=0.1)
    assert bare.citation("fr") == "notes"


def test_language_filter(retriever: Retriever) -> None:
    for lang in ("fr", "en"):
        passages = retriever.search("persona", lang=lang, k=6)
        assert passages and all(p.lang == lang for p in passages)


def test_phase_and_pitfall_filters(retriever: Retriever) -> None:
    passages = retriever.search("what should I write down?", phase="pain_points", k=10)
    assert {p.doc_id for p in passages} == {"pain-points"}
    assert len(passages) == 4
    passages = retriever.search("mixing segments", pitfall="multiple-personas", lang="en", k=10)
    assert [p.section for p in passages] and {p.doc_id for p in passages} == {"persona"}
    assert all("multiple-personas" in p.pitfalls for p in passages)
    assert retriever.search("anything", phase="owners") == []  # no fixture document covers owners


@pytest.mark.parametrize(
    ("query", "lang", "doc_id"),
    [
        # the question in one language, the documents in the other: the multilingual vectors carry it
        ("Why should a map follow only one typical customer?", "fr", "persona"),
        ("Quels efforts le client ne devrait-il pas avoir à fournir ?", "en", "pain-points"),
        ("When does the customer share the experience with others?", "fr", "moments-of-truth"),
    ],
)
def test_cross_language_queries(retriever: Retriever, query: str, lang: str, doc_id: str) -> None:
    best = retriever.search(query, lang=lang, k=1)[0]
    assert (best.doc_id, best.lang) == (doc_id, lang)


def test_user_txt_notes_are_found(retriever: Retriever) -> None:
    best = retriever.search("Combien de jours faut-il pour recevoir le colis ?", lang="fr", k=1)[0]
    assert best.doc_id == "notes-livraison" and best.sources == []


def test_modes_rank_differently_but_all_find_exact_words(retriever: Retriever) -> None:
    for mode in ("hybrid", "vector", "keyword"):
        retriever.mode = mode
        best = retriever.search("formulaire qui plante", lang="fr", k=1)[0]
        assert best.doc_id == "pain-points", mode


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"query": "  "}, "empty"),
        ({"query": "x", "phase": "nope"}, "Unknown phase 'nope'"),
        ({"query": "x", "pitfall": "nope"}, "Unknown pitfall code 'nope'"),
        ({"query": "x", "lang": "de"}, "Unknown language"),
        ({"query": "x", "k": 0}, "k must be between"),
    ],
)
def test_bad_input_is_a_clear_error(retriever: Retriever, kwargs: dict[str, object], message: str) -> None:
    query = str(kwargs.pop("query"))
    with pytest.raises(KnowledgeError, match=message) as err:
        retriever.search(query, **kwargs)  # type: ignore[arg-type]
    assert err.value.bad_input and err.value.fr


def test_index_changed_by_another_process_is_picked_up(retriever: Retriever, tmp_path: Path) -> None:
    """Chroma's embedded store does not see another process's writes: the retriever reopens it."""
    assert retriever.search("persona", lang="fr", k=1)
    doc = tmp_path / "knowledge" / "fr" / "persona.md"
    doc.write_text(doc.read_text(encoding="utf-8")
                   + "\n## Le persona du conducteur\nIl conduit une camionnette de livraison frigorifique.\n",
                   encoding="utf-8")
    code = (
        "import sys\nfrom pathlib import Path\n"
        "from journeybot.knowledge.index import KnowledgeIndex\nfrom journeybot.settings import load_settings\n"
        "print(KnowledgeIndex(load_settings(), builtin_dir=Path(sys.argv[1])).sync().updated)\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "knowledge")], capture_output=True,
                          text=True, check=True)
    assert "builtin:fr/persona.md" in done.stdout
    best = retriever.search("camionnette frigorifique", lang="fr", k=1)[0]
    assert best.section == "Le persona du conducteur"


def test_documents_added_by_another_process_are_found(retriever: Retriever, tmp_path: Path) -> None:
    """`journeybot index --add FOLDER` in another terminal while the app runs."""
    folder = tmp_path / "added"
    folder.mkdir()
    (folder / "garage.md").write_text(
        "# Atelier\n\n## Rappel du garagiste\nLe garagiste rappelle le client quand la voiture est prête.\n",
        encoding="utf-8")
    code = (
        "import sys\nfrom pathlib import Path\n"
        "from journeybot.knowledge.index import KnowledgeIndex\nfrom journeybot.settings import load_settings\n"
        "print(KnowledgeIndex(load_settings(), builtin_dir=Path(sys.argv[1])).sync(add=[Path(sys.argv[2])]).added)\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "knowledge"), str(folder)],
                          capture_output=True, text=True, check=True)
    assert "garage.md" in done.stdout
    best = retriever.search("le garagiste rappelle quand la voiture est prête", lang="fr", k=1)[0]
    assert best.section == "Rappel du garagiste"


def test_searches_from_several_threads(retriever: Retriever) -> None:
    queries = ["ZMOT", "un seul persona", "effort relationnel", "what to describe", "livraison"]
    results: list[list[Passage]] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for q in queries:
                results.append(retriever.search(q, k=2))
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == [] and len(results) == 20 and all(len(r) == 2 for r in results)
