"""The warnings a coach can trust, on the whole interview corpus (examples/interviews/, no model): each
map raises exactly the pitfalls its facts file expects (a tolerated one may come too), a complete good
interview raises none and `journeybot review` scores it at least 80/100. The same figures, with a model
and against the one-shot alternative, come from bench/bench_fidelity.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from journeybot.interview.facts import load_facts
from journeybot.interview.headless import load_answers, run_headless
from journeybot.lint import lint, review
from journeybot.store import SessionStore

CORPUS = Path(__file__).resolve().parent.parent / "examples" / "interviews"
FILES = sorted(p for p in CORPUS.glob("*.yaml") if not p.name.endswith(".facts.yaml"))


def _expected(path: Path) -> dict[str, Any]:
    facts = load_facts(path.with_name(path.name.replace(".yaml", ".facts.yaml")))
    return dict(facts.get("pitfalls") or {})


def test_the_corpus_covers_every_pitfall_family_and_complete_maps() -> None:
    expected = {p.name: _expected(p).get("expected", []) for p in FILES}
    complete = [name for name, codes in expected.items() if not codes]
    flagged = {code for codes in expected.values() for code in codes}
    assert len(FILES) >= 12 and len(complete) >= 3
    assert {"internal-view", "process-not-journey", "too-coarse", "online-only", "stops-at-purchase",
            "no-emotions", "no-owners", "no-numbers", "no-priorities", "no-action-plan", "multiple-personas",
            "stale-map"} <= flagged
    assert {p.name.split(".")[-2] for p in FILES} == {"fr", "en"}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name.removesuffix(".yaml"))
def test_each_interview_raises_exactly_the_pitfalls_its_map_shows(tmp_path: Path, path: Path) -> None:
    answers = load_answers(path)
    lang = answers.lang or "fr"
    result = run_headless(answers, SessionStore(tmp_path / "s.db"), lang=lang, model=None)
    wanted = _expected(path)
    found = {f.code for f in lint(result.journey, lang)}
    must = set(wanted.get("expected", []))
    may = set(wanted.get("tolerated", []))
    assert must <= found, f"missed: {sorted(must - found)}"
    assert found <= must | may, f"false alarms: {sorted(found - must - may)}"
    assert not any(f.pending for f in lint(result.journey, lang))  # a finished file is judged whole
    if not must:
        assert review(result.journey, lang).score >= 80
