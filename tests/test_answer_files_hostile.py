"""Answer files (`journeybot interview --answers FILE.yaml`) hold answers only: an answer the chat
would take as a command, a key given twice and YAML aliases are each refused with a clear sentence and
exit code 2, before any session is created (nothing half-done, nothing lost)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from journeybot.cli.main import app
from journeybot.interview.headless import AnswerFileError, load_answers
from journeybot.store.sessions import default_path


def interview(tmp_path: Path, text: str, lang: str = "en") -> Result:
    answers = tmp_path / "answers.yaml"
    answers.write_text(text, encoding="utf-8")
    secret = tmp_path / "secret.env"
    secret.write_text("OPENAI_API_KEY=sk-do-not-show-me\n", encoding="utf-8")
    return CliRunner().invoke(app, ["interview", "--answers", str(answers), "--out", str(tmp_path / "map.json"),
                                    "--model", "none", "--lang", lang])


@pytest.mark.parametrize("answer", ["/import /etc/passwd", "  /export md /tmp/x.md", "/model openai",
                                    "/next", "next", "OK.", "Pourquoi ?"])
def test_an_answer_that_would_run_a_command_is_refused(answer: str, tmp_path: Path) -> None:
    done = interview(tmp_path, f'answers:\n  framing:\n    - "Comprendre les appels"\n    - "{answer}"\n')
    assert done.exit_code == 2, done.output
    assert "answers.framing[1]" in done.output and "runs no command" in done.output
    assert "root:" not in done.output and not (tmp_path / "map.json").exists()
    assert not default_path().exists()  # refused before any session was created


def test_the_command_refusal_in_french(tmp_path: Path) -> None:
    secret = tmp_path / "secret.env"
    done = interview(tmp_path, f"answers:\n  evidence: [\"/import {secret}\"]\n", lang="fr")
    assert done.exit_code == 2 and "ne lance aucune commande" in done.output
    assert "sk-do-not-show-me" not in done.output


def test_an_answer_mentioning_a_slash_inside_is_an_answer(tmp_path: Path) -> None:
    done = interview(tmp_path, 'answers:\n  framing:\n    - "Le parcours 24/7 du client, de A/B à la fin"\n')
    assert done.exit_code == 0, done.output


def test_a_key_given_twice_is_refused(tmp_path: Path) -> None:
    text = ("answers:\n  framing:\n    - \"Comprendre les appels du premier mois\"\n"
            "  stages: [\"Besoin ; achat\"]\n  framing:\n    - \"Un autre objectif\"\n")
    done = interview(tmp_path, text)
    assert done.exit_code == 2, done.output
    assert "line 5: the key 'framing' appears twice" in done.output
    fr = interview(tmp_path, text, lang="fr")
    assert "ligne 5 : la clé « framing » apparaît deux fois" in fr.output


def test_yaml_aliases_are_refused_before_they_expand(tmp_path: Path) -> None:
    # A "billion laughs": 9 levels of 9 aliases would be 387 million answers.
    lines = ['a0: &a0 "Une réponse qui se répète encore et encore"']
    lines += [f"a{i}: &a{i} [{', '.join(['*a' + str(i - 1)] * 9)}]" for i in range(1, 10)]
    lines += ["answers:", "  framing: *a9"]
    done = interview(tmp_path, "\n".join(lines) + "\n")
    assert done.exit_code == 2, done.output
    assert "line 2: YAML aliases (*name) are not accepted" in done.output
    assert not default_path().exists()


def test_anchors_alone_and_ordinary_files_still_load(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text('lang: fr\nanswers:\n  framing: &f ["Comprendre"]\n  persona: "Sam, 34 ans"\n', encoding="utf-8")
    loaded = load_answers(path)
    assert loaded.answers == {"framing": ["Comprendre"], "persona": ["Sam, 34 ans"]}
    for example in sorted((Path(__file__).resolve().parent.parent / "examples" / "interviews").glob("*.yaml")):
        if not example.name.endswith(".facts.yaml"):
            load_answers(example)  # every shipped example passes the stricter reader


def test_the_error_is_an_answer_file_error(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("answers:\n  framing: [\"/lang en\"]\n", encoding="utf-8")
    with pytest.raises(AnswerFileError, match="/lang"):
        load_answers(path)
