"""`/import FILE.csv` in the conversation: customer evidence joins the map, nothing else changes, and
a bad file is one clear sentence with nothing lost."""

from __future__ import annotations

from pathlib import Path

from journeybot.interview.session import Interview
from journeybot.store.sessions import SessionStore, load_session_map

EVIDENCE = Path(__file__).resolve().parent / "fixtures" / "evidence"


def _interview(tmp_path: Path) -> Interview:
    store = SessionStore(tmp_path / "sessions.db")
    interview = Interview.start(store, lang="en")
    interview.opening()
    return interview


def test_import_adds_customer_evidence_only(tmp_path: Path) -> None:
    interview = _interview(tmp_path)
    before = interview.journey
    reply = interview.submit(f"/import {EVIDENCE / 'avis_google_fr.csv'}")
    after = interview.journey
    assert "imported" in reply.text
    assert len(after.evidence) > len(before.evidence)
    assert all(e.provenance == "customer" for e in after.evidence)
    assert after.model_copy(update={"evidence": []}) == before.model_copy(update={"evidence": []})
    # saved with the session, and the interview still asks its question
    assert len(load_session_map(interview.session_id, tmp_path / "sessions.db").evidence) == len(after.evidence)
    assert reply.question is not None
    # importing the same file again adds nothing
    again = interview.submit(f"/import {EVIDENCE / 'avis_google_fr.csv'}")
    assert "already in the map" in again.text
    assert len(interview.journey.evidence) == len(after.evidence)


def test_bad_files_are_one_clear_sentence(tmp_path: Path) -> None:
    interview = _interview(tmp_path)
    missing = interview.submit(f"/import {tmp_path / 'nope.csv'}")
    assert "Cannot import nope.csv" in missing.text
    no_text = interview.submit(f"/import {EVIDENCE / 'no_text_column.csv'}")
    assert "Cannot import no_text_column.csv" in no_text.text
    usage = interview.submit("/import")
    assert "/import FILE.csv" in usage.text
    assert interview.journey.evidence == []
    # the commands themselves are kept in the conversation
    assert sum(1 for m in interview.messages() if m.text.startswith("/import")) == 3
