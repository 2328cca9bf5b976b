"""`journeybot export` and `journeybot evidence import` accept an interview session, not only a map file."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from journeybot.cli.main import app
from journeybot.domain.map_file import parse_map_text
from journeybot.store.sessions import load_session_map

REPO = Path(__file__).resolve().parent.parent
ANSWERS = REPO / "examples" / "interviews" / "assurance-auto.fr.yaml"
EVIDENCE = REPO / "tests" / "fixtures" / "evidence"


def _interview(tmp_path: Path) -> str:
    out = tmp_path / "carte.json"
    done = CliRunner().invoke(app, ["interview", "--answers", str(ANSWERS), "--out", str(out), "--model", "none"])
    assert done.exit_code == 0, done.output
    sessions = CliRunner().invoke(app, ["sessions"])
    assert sessions.exit_code == 0
    journey = parse_map_text(out.read_text(encoding="utf-8"))
    # the session holds the same map as the file the interview wrote
    sid = next(line.split()[0] for line in sessions.output.splitlines() if "Julie" in line)
    assert load_session_map(sid).stages == journey.stages
    return sid


def test_export_takes_a_session_id(tmp_path: Path) -> None:
    sid = _interview(tmp_path)
    target = tmp_path / "from-session.json"
    done = CliRunner().invoke(app, ["export", sid, "--format", "json", "-o", str(target)])
    assert done.exit_code == 0, done.output
    exported = parse_map_text(target.read_text(encoding="utf-8"))
    assert [s.name for s in exported.stages] == [s.name for s in load_session_map(sid).stages]


def test_unknown_session_is_a_clear_error(tmp_path: Path) -> None:
    done = CliRunner().invoke(app, ["export", "nosuchsession", "--format", "md", "-o", str(tmp_path / "x.md"),
                                    "--lang", "en"])
    assert done.exit_code == 2
    assert "neither a map file nor a known session" in done.output
    assert "Traceback" not in done.output


def test_evidence_import_into_a_session(tmp_path: Path) -> None:
    sid = _interview(tmp_path)
    before = load_session_map(sid)
    csv_file = EVIDENCE / "avis_google_fr.csv"
    done = CliRunner().invoke(app, ["evidence", "import", str(csv_file), "--session", sid, "--lang", "en"])
    assert done.exit_code == 0, done.output
    after = load_session_map(sid)
    assert len(after.evidence) > len(before.evidence)
    assert after.stages == before.stages  # only the evidence changed
    assert json.loads(after.model_dump_json())["schema_version"] == 1


def test_evidence_import_needs_exactly_one_target(tmp_path: Path) -> None:
    csv_file = EVIDENCE / "avis_google_fr.csv"
    done = CliRunner().invoke(app, ["evidence", "import", str(csv_file), "--lang", "en"])
    assert done.exit_code == 2
    assert "either --map FILE or --session ID" in done.output
