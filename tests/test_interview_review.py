"""/review in the conversation: the coach's scorecard, then the ranked opportunities (with the score's
formula), the action plan and the review date (seed 002: at least every six months)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from journeybot.cli.main import app
from journeybot.interview.session import Interview
from journeybot.store.sessions import SessionStore

REPO = Path(__file__).resolve().parent.parent


def test_review_in_the_chat_ranks_the_opportunities(tmp_path: Path) -> None:
    out = tmp_path / "carte.json"
    done = CliRunner().invoke(app, ["interview", "--answers", str(REPO / "examples/interviews/assurance-auto.fr.yaml"),
                                    "--out", str(out), "--model", "none"])
    assert done.exit_code == 0, done.output
    with SessionStore() as store:
        sid = store.sessions()[0].id
        interview = Interview.resume(store, sid)
        assert interview.journey.opportunities, "the example interview records opportunities"
        reply = interview.submit("/revue")
    text = reply.text
    assert "Score" in text and "KPAM" in text
    assert "## Opportunités" in text and "impact × portée × confiance ÷ effort" in text
    assert "## Plan d'action" in text
    assert "## Date de revue" in text
    first = interview.journey.opportunities[0].text[:30]
    assert first in text
