"""One bilingual error base: every layer's error says itself in French and in English, with its exit code,
and the app and the command line show it the same way."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from journeybot.domain.map_file import MapFileError, MapProblem
from journeybot.errors import BadInput, JourneybotError, readable
from journeybot.evidence.csv_import import EvidenceImportError
from journeybot.interview.commands import CommandError
from journeybot.interview.headless import AnswerFileError
from journeybot.knowledge.documents import DocumentError
from journeybot.knowledge.errors import KnowledgeError
from journeybot.llm.protocol import ModelError
from journeybot.settings import SettingsError
from journeybot.store.sessions import SessionNotFound, StoreError
from journeybot.workshop import WorkshopPathError


@pytest.mark.parametrize("cls", [ModelError, SettingsError, StoreError, KnowledgeError, DocumentError,
                                 AnswerFileError, EvidenceImportError, MapFileError, CommandError,
                                 WorkshopPathError])
def test_every_error_shares_the_base(cls: type) -> None:
    assert issubclass(cls, JourneybotError)


def test_messages_per_language_and_exit_codes() -> None:
    model = ModelError("timeout", "The model did not answer in time.", "Le modèle n'a pas répondu à temps.")
    assert readable(model, "fr") == "Le modèle n'a pas répondu à temps." and model.exit_code == 1
    gone = SessionNotFound("abc")
    assert "pas de session « abc »" in readable(gone, "fr") and "no session 'abc'" in readable(gone, "en")
    path = WorkshopPathError("parent", "../x")
    assert path.exit_code == 2 and path.message("fr") != path.message("en")
    evidence = EvidenceImportError("unreadable", path="a.csv", why="denied")
    assert "a.csv" in evidence.message("fr") and evidence.message("fr") != evidence.message("en")
    assert KnowledgeError("bad", "mauvais", bad_input=True).exit_code == 2
    assert KnowledgeError("down", "en panne").exit_code == 1
    assert isinstance(MapFileError("m.json", [MapProblem("stages[0]", "unknown field")]), BadInput)


def test_pydantic_errors_reach_the_screen_without_their_locations() -> None:
    class M(BaseModel):
        n: int

    with pytest.raises(ValidationError) as err:
        M.model_validate({"n": "x"})
    text = readable(err.value, "en")
    assert "valid integer" in text and "n\n" not in text and "input_value" not in text


def test_the_command_line_ends_any_journeybot_error_with_its_sentence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from journeybot.cli.main import run

    with pytest.raises(SystemExit) as ended:
        run(["export", "--session", "no-such-session", "--format", "md", "--lang", "fr"])
    assert ended.value.code in (1, 2)
    assert "Traceback" not in capsys.readouterr().err
