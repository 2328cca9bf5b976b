"""Files that used to break commands: each gets one clear sentence and exit code 2, never a traceback,
and nothing it cannot read back is written.

- a map holding a 5,000-digit integer, given to lint, review and the six exports;
- an evidence import that would make a map larger than any command reads (23 MB in the issue);
- an evidence CSV whose header and cells hold terminal escape sequences;
- a Shift-JIS (or EUC-KR, GB18030) CSV: read in its encoding with a note, never as cp1252 soup;
- a CSV with a quote opened and never closed (it used to swallow the rest of the file silently).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from journeybot.cli.main import app
from journeybot.domain.journey_map import JourneyMap
from journeybot.domain.map_file import MAX_FILE_BYTES, load_map, save_map
from journeybot.evidence import EvidenceImportError, read_evidence_csv

FORMATS = ("json", "md", "csv", "html", "mermaid", "cjml")


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def no_traceback(done: Result) -> None:
    assert "Traceback" not in done.output
    assert done.exception is None or isinstance(done.exception, SystemExit), repr(done.exception)


@pytest.fixture
def huge_number_map(tmp_path: Path) -> Path:
    path = tmp_path / "map.json"
    path.write_text('{"schema_version": 1, "title": "t", "stages": [{"name": "Achat", "emotion": {"score": '
                    + "9" * 5000 + "}}]}", encoding="utf-8")
    return path


@pytest.mark.parametrize("command", [("lint",), ("review",), *(("export", "-f", f) for f in FORMATS)],
                         ids=lambda c: " ".join(c))
def test_a_5000_digit_number_is_a_clear_error_everywhere(command: tuple[str, ...], huge_number_map: Path,
                                                         tmp_path: Path) -> None:
    extra = ["-o", str(tmp_path / "out")] if command[0] == "export" else []
    done = run(command[0], str(huge_number_map), *command[1:], *extra, "--lang", "en")
    no_traceback(done)
    assert done.exit_code == 2, done.output
    assert "a number has 5000 digits (at most 4300)" in done.output
    assert not (tmp_path / "out").exists()


def test_the_same_in_french() -> None:
    from journeybot.domain.map_file import MapFileError, parse_map_text

    with pytest.raises(MapFileError) as info:
        parse_map_text('{"title": ' + "1" * 4400 + "}", lang="fr")
    assert "un nombre a 4400 chiffres (4300 au plus)" in str(info.value)


def _big_csv(path: Path, rows: int, width: int, tag: str) -> Path:
    line = ("Le livreur est arrivé en retard et personne n'a prévenu. " * (width // 57 + 1))[:width]
    path.write_text("texte;source\n" + "".join(f"{tag} {i} {line};avis\n" for i in range(rows)), encoding="utf-8")
    return path


def test_an_import_never_writes_a_map_that_lint_refuses(tmp_path: Path) -> None:
    journey = tmp_path / "map.json"
    save_map(JourneyMap(lang="fr", title="Livraison"), journey)
    big = _big_csv(tmp_path / "avis.csv", 9000, 2600, "A")  # 23 MB of text, as in the issue
    done = run("evidence", "import", str(big), "--map", str(journey), "--lang", "en")
    no_traceback(done)
    assert done.exit_code == 0, done.output
    assert "rows not imported: the evidence of one file may not add more than 10 MB" in done.output
    assert journey.stat().st_size <= MAX_FILE_BYTES
    assert run("lint", str(journey)).exit_code in (0, 1)  # readable again (1 = pitfalls found)
    # More files on top: once the map would pass the limit, nothing is written.
    assert run("evidence", "import", str(_big_csv(tmp_path / "b.csv", 4000, 2600, "B")),
               "--map", str(journey)).exit_code == 0
    assert journey.stat().st_size <= MAX_FILE_BYTES
    before = journey.read_bytes()
    again = run("evidence", "import", str(_big_csv(tmp_path / "c.csv", 1000, 2600, "C")), "--map", str(journey),
                "--lang", "fr")
    no_traceback(again)
    assert again.exit_code == 2, again.output
    assert "rien n'a été écrit" in again.output
    assert journey.read_bytes() == before


def test_terminal_escape_codes_in_a_csv_never_reach_the_terminal(tmp_path: Path) -> None:
    journey = tmp_path / "map.json"
    save_map(JourneyMap(lang="en"), journey)
    hostile = tmp_path / "esc.csv"
    hostile.write_bytes("te\x1b[31mxte,\x1b]0;pwned\x07source\nBonjour\x1b[2J le monde\x9b31m,avis\x1b[0m\n".encode())
    done = run("evidence", "import", str(hostile), "--map", str(journey), "--lang", "en")
    assert done.exit_code == 0, done.output
    assert not any(c in done.output for c in "\x1b\x07\x9b"), repr(done.output)
    evidence = load_map(journey).evidence[0]
    assert evidence.text == "Bonjour le monde" and evidence.source == "avis"
    # the header names are shown in the "no text column" error too
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\x1b]0;title\x07col,\x1b[31mother\nx,y\n")
    refused = run("evidence", "import", str(bad), "--map", str(journey), "--lang", "en")
    assert refused.exit_code == 2 and "no text column" in refused.output
    assert "\x1b" not in refused.output and "\x07" not in refused.output


@pytest.mark.parametrize(("codec", "label", "text"), [
    ("shift_jis", "Shift-JIS", "配達が遅れて困りました"),
    ("euc_kr", "EUC-KR", "배송이 늦어서 불편했습니다"),
    ("gb18030", "GB18030", "送货太慢了，客服很好"),
])
def test_a_legacy_asian_encoding_is_read_as_such_with_a_note(codec: str, label: str, text: str) -> None:
    raw = f"texte,source\n{text},avis\nとても親切,avis\n".encode(codec, errors="ignore") if codec == "shift_jis" \
        else f"texte,source\n{text},avis\n".encode(codec)
    result = read_evidence_csv(raw, name="avis.csv")
    assert result.encoding == label
    assert result.items[0].text == text
    assert any(label in m for m in result.messages("en"))


def test_a_french_cp1252_file_is_not_mistaken_for_an_asian_one() -> None:
    raw = "texte;source\nLivraison très en retard, déçue;avis\nL'accueil était agréable à la boutique;avis\n"
    result = read_evidence_csv(raw.encode("cp1252"), name="avis.csv")
    assert result.encoding == "Windows-1252" and result.items[0].text == "Livraison très en retard, déçue"


def test_a_quote_never_closed_is_reported_with_its_line(tmp_path: Path) -> None:
    raw = b'texte,source\nbonjour,avis\n"il manque un guillemet,avis\nsuite,avis\nencore,avis\n'
    with pytest.raises(EvidenceImportError) as info:
        read_evidence_csv(raw)
    assert info.value.key == "unclosed_quote" and "line 3" in info.value.message("en")
    assert "ligne 3" in info.value.message("fr")
    journey = tmp_path / "map.json"
    save_map(JourneyMap(), journey)
    csv_file = tmp_path / "q.csv"
    csv_file.write_bytes(raw)
    done = run("evidence", "import", str(csv_file), "--map", str(journey), "--lang", "en")
    assert done.exit_code == 2 and "never closed" in done.output
    assert json.loads(journey.read_text())["evidence"] == []


def test_a_quoted_text_over_several_lines_at_the_end_is_fine() -> None:
    raw = b'texte,source\nbonjour,avis\n"deux\nlignes, et ""cit\xc3\xa9""",avis\n'
    result = read_evidence_csv(raw)
    assert [i.text for i in result.items] == ["bonjour", 'deux\nlignes, et "cité"']
