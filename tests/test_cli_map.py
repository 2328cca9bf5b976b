"""`journeybot schema | phases | lint | review` through the real CLI: output, exit codes, bad files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeybot.cli.main import app
from journeybot.domain.journey_map import Lang, json_schema
from journeybot.domain.map_file import load_map
from journeybot.method.catalog import phases
from tests.support.text import plain

REPO = Path(__file__).resolve().parent.parent
CLEAN_EN = REPO / "examples" / "physio-online-booking.en.json"
CLEAN_FR = REPO / "examples" / "mutuelle-optique-enfants.fr.json"
FLAWED = REPO / "examples" / "flawed"

runner = CliRunner()


def test_schema_prints_the_json_schema() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == json.loads(json.dumps(json_schema()))


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_phases_lists_the_eleven_phases_with_their_exit_checks(lang: Lang) -> None:
    result = runner.invoke(app, ["phases", "--lang", lang])
    assert result.exit_code == 0
    for i, ph in enumerate(phases(), 1):
        assert f"{i:>2}. {ph.id} — {ph.title(lang)}" in result.stdout
        assert ph.gate[0].label(lang) in result.stdout
    assert ("Condition de sortie" if lang == "fr" else "Exit check") in result.stdout


def test_phases_language_defaults_to_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNEYBOT_LANG", "en")
    assert "Exit check" in runner.invoke(app, ["phases"]).stdout


@pytest.mark.parametrize("path", [CLEAN_EN, CLEAN_FR], ids=["en", "fr"])
def test_lint_of_a_clean_map_exits_0(path: Path) -> None:
    result = runner.invoke(app, ["lint", str(path), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "no pitfall found" in result.stdout


def test_lint_with_errors_exits_1_and_groups_by_severity() -> None:
    result = runner.invoke(app, ["lint", str(FLAWED / "draft-workshop.fr.json"), "--lang", "fr"])
    assert result.exit_code == 1
    out = plain(result.stdout)
    assert out.index("ERREURS") < out.index("AVERTISSEMENTS")
    assert "[internal-view]" in out and "Pourquoi :" in out and "Source : 001 KPAM" in out
    assert "étape « Validation du dossier »" in out


def test_lint_with_warnings_only_exits_0() -> None:
    result = runner.invoke(app, ["lint", str(FLAWED / "stale-map.en.json"), "--lang", "en"])
    assert result.exit_code == 0
    assert "WARNINGS" in result.stdout and "[stale-map]" in result.stdout and "ERRORS" not in result.stdout


def test_lint_json_is_a_list_of_findings() -> None:
    result = runner.invoke(app, ["lint", str(FLAWED / "no-owners.en.json"), "--format", "json", "--lang", "en"])
    assert result.exit_code == 0
    found = json.loads(result.stdout)
    assert [f["code"] for f in found] == ["no-owners"]
    assert set(found[0]) >= {"code", "severity", "message", "why", "source", "items"}
    # The items are the company-run touchpoints with no owner: not the partner's or third parties', not
    # the invisible wait, not the three that have an owner team.
    journey = load_map(FLAWED / "no-owners.en.json")
    unowned = [
        f"stages[{si}].touchpoints[{ti}]"
        for si, stage in enumerate(journey.stages)
        for ti, tp in enumerate(stage.touchpoints)
        if tp.ownership == "owned" and not tp.invisible and not tp.owner
    ]
    assert found[0]["items"] == unowned
    assert "stages[1].touchpoints[0]" not in unowned  # a third party's: nobody here owns it
    assert len(unowned) == 14


def test_lint_json_of_a_clean_map_is_an_empty_list() -> None:
    result = runner.invoke(app, ["lint", str(CLEAN_FR), "--format", "json"])
    assert (result.exit_code, json.loads(result.stdout)) == (0, [])


def test_lint_help_documents_the_exit_codes() -> None:
    result = runner.invoke(app, ["lint", "--help"])
    assert result.exit_code == 0
    flat = " ".join(result.stdout.split())
    assert "Exit code: 0 when no error-severity pitfall" in flat
    assert "2 when the file cannot be read" in flat


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_review_prints_the_scorecard(lang: str) -> None:
    result = runner.invoke(app, ["review", str(FLAWED / "ai-draft.en.json"), "--lang", lang])
    assert result.exit_code == 0
    assert "/100" in result.stdout
    assert ("Prochaines étapes" if lang == "fr" else "Next steps") in result.stdout
    assert "KPAM" in result.stdout


def test_review_json() -> None:
    result = runner.invoke(app, ["review", str(CLEAN_EN), "--format", "json", "--lang", "en"])
    data = json.loads(result.stdout)
    assert data["score"] == 100 and len(data["phases"]) == 11 and len(data["criteria"]) == 5


# --- bad files: a clear message, exit 2, never a traceback -------------------------------------------


def _bad_files(tmp: Path) -> dict[str, tuple[Path, str]]:
    """name -> (file, a piece of the expected message)"""
    good = json.loads(CLEAN_EN.read_text(encoding="utf-8"))
    files: dict[str, tuple[Path, str]] = {}

    def add(name: str, content: bytes, expect: str) -> None:
        path = tmp / name
        path.write_bytes(content)
        files[name] = (path, expect)

    add("not-json.json", b"{ this is not json", "not valid JSON (line 1")
    add("empty.json", b"", "not valid JSON")
    add("array.json", b"[1, 2, 3]", "must be a JSON object")
    add("binary.json", bytes(range(256)) * 4, "not UTF-8")
    wrong = json.loads(json.dumps(good))
    wrong["stages"][0]["touchpoints"][0]["online"] = "maybe"
    wrong["stages"][1]["emotion"]["score"] = 7
    wrong["persona"] = "Priya"
    add("wrong-types.json", json.dumps(wrong).encode(), "stages[0].touchpoints[0].online: must be true or false")
    huge = json.loads(json.dumps(good))
    huge["stages"][0]["name"] = "x" * (5 * 1024 * 1024)
    add("huge-string.json", json.dumps(huge).encode(), "stages[0].name: text too long (5242880 characters")
    ctrl = json.loads(json.dumps(good))
    ctrl["title"] = "bell\u0007"
    add("control-escaped.json", json.dumps(ctrl).encode(), "title: control characters are not allowed")
    add("control-raw.json", b'{"title": "a\x01b"}', "not valid JSON")
    add("nested.json", b"[" * 100_000 + b"]" * 100_000, "Invalid map")
    files["missing.json"] = (tmp / "missing.json", "file not found")
    (tmp / "a-directory.json").mkdir()
    files["a-directory.json"] = (tmp / "a-directory.json", "cannot read the file")
    return files


@pytest.mark.parametrize("command", ["lint", "review"])
def test_bad_files_give_a_clear_message_and_exit_2(command: str, tmp_path: Path) -> None:
    for name, (path, expect) in _bad_files(tmp_path).items():
        result = runner.invoke(app, [command, str(path), "--lang", "en"])
        assert result.exit_code == 2, (name, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), (name, result.exception)
        assert "Invalid map: " + str(path) in result.stderr, name
        assert expect in result.stderr, (name, result.stderr[:500])
        assert "Traceback" not in result.output
        assert len(result.stderr) < 5_000, name  # the 5 MB string is not echoed back


def test_wrong_types_are_all_listed_with_their_paths(tmp_path: Path) -> None:
    path, _ = _bad_files(tmp_path)["wrong-types.json"]
    result = runner.invoke(app, ["lint", str(path), "--lang", "fr"])
    assert result.exit_code == 2
    assert "Carte invalide" in result.stderr
    assert "stages[0].touchpoints[0].online: doit valoir true ou false" in result.stderr
    assert "stages[1].emotion.score" in result.stderr
    assert "persona" in result.stderr


def test_the_installed_command_never_shows_a_traceback(tmp_path: Path) -> None:
    """The real entry point, in a subprocess, on a binary file and on a JSON array."""
    files = _bad_files(tmp_path)
    for name in ("binary.json", "array.json", "huge-string.json"):
        done = subprocess.run(
            [sys.executable, "-m", "journeybot", "lint", str(files[name][0]), "--lang", "en"],
            capture_output=True, text=True, timeout=120,
        )
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
        assert files[name][1] in done.stderr


def test_without_lang_the_map_speaks_its_own_language() -> None:
    fr = runner.invoke(app, ["lint", str(FLAWED / "fuzzy-boundaries.fr.json")])
    en = runner.invoke(app, ["lint", str(FLAWED / "stale-map.en.json")])
    assert "AVERTISSEMENTS" in fr.stdout and "WARNINGS" in en.stdout
    forced = runner.invoke(app, ["review", str(FLAWED / "stale-map.en.json"), "--lang", "fr"])
    assert "Prochaines étapes" in forced.stdout
