"""One registry of slash commands: the chat, the TUI, the help pages, completion, answer files and the
served mode all read it; a command declared once runs the same everywhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from journeybot.interview.commands import COMMANDS, Command, CommandError, Registry
from journeybot.interview.headless import _command_in
from journeybot.interview.session import Interview
from journeybot.store import SessionStore
from journeybot.tui.commands import UI, registry
from journeybot.tui.texts import help_markdown


@pytest.fixture
def interview(tmp_path: Path) -> Interview:
    started = Interview.start(SessionStore(tmp_path / "sessions.db"), lang="fr")
    started.opening()
    return started


def test_every_interview_command_has_its_handler_and_both_helps() -> None:
    names = [spec.name for spec in COMMANDS]
    assert names[:3] == ["next", "back", "skip"] and "import" in names and "why" in names
    for spec in COMMANDS:
        assert spec.handler is not None and spec.fr and spec.en, spec.name
    for lang in ("fr", "en"):
        line = COMMANDS.help_line(lang)  # the chat's /help
        page = help_markdown(lang)  # the TUI's help page
        for spec in COMMANDS:
            assert spec.usage_in(lang) in line and spec.usage_in(lang) in page


def test_the_tui_adds_only_its_screen_commands() -> None:
    ui_only = {spec.name for spec in UI}
    assert ui_only == {"export", "sessions", "model", "quit"}
    assert not ui_only & {spec.name for spec in COMMANDS}
    assert [s.name for s in registry()] == [*(s.name for s in COMMANDS), *(s.name for s in UI)]


@pytest.mark.parametrize(("typed", "name"), [
    ("/passe", "skip"), ("/étape stages", "phase"), ("/écarter", "reject"), ("/carte", "map"),
    ("/pièges", "lint"), ("/?", "help"), ("/ok", "accept"), ("/langue en", "lang"), ("/ne", "next"),
])
def test_the_same_words_in_the_chat_and_the_tui(typed: str, name: str) -> None:
    # the aliases used to differ ("passe" only in the interview, "étape"/"écarter" only in the TUI)
    assert COMMANDS.parse(typed).name == name
    assert registry().parse(typed).name == name


def test_a_word_alone_is_a_command_only_when_the_registry_says_so() -> None:
    assert COMMANDS.bare("Suivant !") == "/next" and COMMANDS.bare("ok") == "/accept"
    assert COMMANDS.bare("oui") is None  # "oui" answers a question; only "/oui" accepts
    assert _command_in("suivant") == "suivant" and _command_in("oui") is None


def test_wrong_arguments_and_unknown_names() -> None:
    with pytest.raises(CommandError) as usage:
        COMMANDS.parse("/phase")
    assert usage.value.kind == "usage"
    with pytest.raises(CommandError) as unknown:
        COMMANDS.parse("/frobnicate")
    assert unknown.value.kind == "unknown"
    # a file name with spaces stays one argument
    assert COMMANDS.parse("/import mes avis clients.csv").args == ("mes avis clients.csv",)


def test_a_new_word_cannot_shadow_another_command() -> None:
    extra = COMMANDS.extended()
    with pytest.raises(ValueError, match="already means /skip"):
        extra.command("pass", "/pass", "x", "x", aliases=("passer",))(lambda self, c: None)


def test_a_command_declared_once_is_parsed_helped_and_run() -> None:
    # the whole of adding a command: one declaration with its handler
    reg = Registry()

    @reg.command("echo", "/echo TEXT", "répéter", "say it again", aliases=("écho",), min_args=1, max_args=1)
    def _echo(target: list[str], command: Command) -> str:
        target.append(command.arg)
        return command.arg

    said: list[str] = []
    command = reg.parse("/écho deux mots")
    assert reg[command.name].handler is not None
    assert reg[command.name].handler(said, command) == "deux mots" and said == ["deux mots"]
    assert "/écho TEXTE" not in reg.help_line("fr") and "/écho TEXT (répéter)" in reg.help_line("fr")
    assert reg.complete("/ec") == ["/echo"]


def test_the_interview_runs_commands_from_the_registry(interview: Interview) -> None:
    reply = interview.submit("/aide")
    assert "/suivant (passer à la phase suivante)" in reply.text and "/importer FICHIER.csv" in reply.text
    assert "Utilisation\u00a0: /phase ID" in interview.submit("/phase").text
    moved = interview.run_command(Command("phase", ("stages",)))
    assert moved.phase_changed and interview.engine.state.phase == "stages"
    rows = [m.text for m in interview.messages() if m.role == "user"]
    assert rows[-3:] == ["/aide", "/phase", "/phase stages"]


def test_why_is_written_once_and_leaves_the_transcript_alone(interview: Interview) -> None:
    before = len(interview.messages())
    page = interview.why()  # what the TUI's why page shows
    assert page.text and before == len(interview.messages())
    chat = interview.submit("/pourquoi")  # the chat's /why: the same text, and the two rows of a command
    assert page.text in chat.text and len(interview.messages()) == before + 2
    pitfall = interview.why("no-numbers")
    assert "no-numbers" in " ".join(pitfall.citations) or pitfall.citations
    assert pitfall.text in interview.submit("/why no-numbers").text


def test_served_mode_reads_the_flag_of_the_registry() -> None:
    assert [s.name for s in registry() if not s.served] == ["model"]


def test_undo_restores_the_map_and_the_waiting_proposal_and_is_saved(interview: Interview, tmp_path: Path) -> None:
    assert "Rien à reprendre" in interview.submit("/undo").text
    interview.submit("/phase stages")
    reply = interview.submit("Découverte, essai, achat, usage.")
    assert reply.pending is not None
    proposal = interview.run_extraction(reply.pending).proposal
    interview.accept(proposal)
    assert len(interview.journey.stages) == 4
    undone = interview.submit("/annuler")
    assert interview.journey.stages == [] and [p.id for p in undone.restored] == [proposal.id]
    assert [p.id for p in interview.pending_proposals()] == [proposal.id]
    resumed = Interview.resume(interview.store, interview.session_id)  # saved: the map and the waiting proposal
    assert resumed.journey.stages == [] and [p.id for p in resumed.pending_proposals()] == [proposal.id]
