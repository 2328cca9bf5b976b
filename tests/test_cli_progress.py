"""Long work shows progress on stderr: one line per step when stderr is not a terminal (a log, a pipe,
CI), a bar with its percentage in a terminal; step names in the user's language."""

from __future__ import annotations

import io

from journeybot.cli.progress import StepProgress
from journeybot.knowledge.index import step_label
from journeybot.llm.weights import STAGES, stage_label


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_without_a_terminal_each_step_is_one_line_at_once() -> None:
    log = io.StringIO()
    with StepProgress("Model", "en", stream=log) as progress:
        for stage in ("check", "check", "assemble", "assemble", "assemble", "verify", "start", "start"):
            progress(stage_label(stage, "en"), 0.5)
    assert log.getvalue().splitlines() == [
        "Model: checking the weights…", "Model: assembling the weights (once)…",
        "Model: verifying the sha256…", "Model: starting llama.cpp…",
    ]


def test_french_steps_read_as_french() -> None:
    log = io.StringIO()
    with StepProgress("Index de la méthode", "fr", stream=log) as progress:
        progress(step_label("embedding", 262, "fr"), 0.0)
        progress(step_label("embedding", 262, "fr"), 1.0)
    assert log.getvalue() == "Index de la méthode\u00a0: vectorisation de 262 sections…\n"
    assert step_label("embedding", 1, "fr") == "vectorisation d'une section"
    assert step_label("embedding", 1, "en") == "embedding 1 section"
    assert all("assemble" not in stage_label(stage, "fr") for stage in STAGES)


def test_in_a_terminal_a_bar_shows_the_percentage() -> None:
    screen = Terminal()
    with StepProgress("Modèle", "fr", stream=screen) as progress:
        progress(stage_label("assemble", "fr"), 0.4)
        assert progress.steps == ["assemblage des poids (une seule fois)"]
    drawn = screen.getvalue()
    assert "assemblage des poids" in drawn and "40\u00a0%" in drawn
    assert "…\n" not in drawn  # a bar, not log lines
