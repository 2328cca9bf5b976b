"""Headless interviews end to end: `journeybot interview --answers FILE.yaml --out MAP.json`, sessions."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from journeybot.cli.main import app
from journeybot.domain.journey_map import JourneyMap
from journeybot.domain.map_file import load_map
from journeybot.interview.facts import check_facts, load_facts, stage_match
from journeybot.interview.headless import load_answers, run_headless
from journeybot.llm.fake import EchoChatModel, ScriptedChatModel
from journeybot.llm.protocol import Message
from journeybot.store import SessionStore
from tests.support.fidelity import ungrounded_fields, unsupported

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "interviews"
ANSWER_FILES = sorted(EXAMPLES.glob("*.yaml"))
INTERVIEWS = [p for p in ANSWER_FILES if not p.name.endswith(".facts.yaml")]

runner = CliRunner()


def test_there_are_french_and_english_examples_each_with_facts() -> None:
    langs = {load_answers(p).lang for p in INTERVIEWS}
    assert {"fr", "en"} <= langs
    for p in INTERVIEWS:
        assert p.with_name(p.name.replace(".yaml", ".facts.yaml")).exists()


CLEAN = ("assurance-auto.fr.yaml", "broadband.en.yaml")
"""The two original answer sets, written the tidy way: they keep (nearly) every fact."""
FIELDS_RIGHT_MEAN = 0.9
"""The share of the facts files the rules reader keeps on average over the corpus (bench_fidelity --model none)."""


def facts_of(path: Path) -> dict[str, Any]:
    return load_facts(path.with_name(path.name.replace(".yaml", ".facts.yaml")))


@dataclass
class CliRun:
    exit_code: int
    output: str
    stdout: str
    journey: JourneyMap | None
    transcript: str


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CliRun]:
    """Every example interview through `journeybot interview --model none`, once for the whole module."""
    root = tmp_path_factory.mktemp("corpus")
    runs: dict[str, CliRun] = {}
    with pytest.MonkeyPatch.context() as mp:  # module scope: its own journeybot home, never the real one
        home = root / "home"
        mp.setenv("HOME", str(home))
        mp.setenv("JOURNEYBOT_HOME", str(home / "journeybot"))
        mp.setenv("XDG_CACHE_HOME", str(home / ".cache"))
        mp.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
        mp.setenv("XDG_CONFIG_HOME", str(home / ".config"))
        mp.setenv("ANONYMIZED_TELEMETRY", "False")
        for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "JOURNEYBOT_MODEL", "JOURNEYBOT_BASE_URL", "JOURNEYBOT_API_KEY",
                    "JOURNEYBOT_LANG", "JOURNEYBOT_CHROMA_URL"):
            mp.delenv(var, raising=False)
        for answers in INTERVIEWS:
            out, transcript = root / f"{answers.stem}.json", root / f"{answers.stem}.md"
            done = runner.invoke(app, ["interview", "--answers", str(answers), "--out", str(out), "--model", "none",
                                       "--transcript", str(transcript)])
            runs[answers.name] = CliRun(done.exit_code, done.output, done.stdout,
                                        load_map(out) if out.exists() else None,
                                        transcript.read_text(encoding="utf-8") if transcript.exists() else "")
    return runs


@pytest.mark.parametrize("answers", INTERVIEWS, ids=lambda p: p.stem)
def test_the_cli_without_a_model_writes_a_faithful_map_of_every_example(answers: Path,
                                                                        corpus: dict[str, CliRun]) -> None:
    run = corpus[answers.name]
    assert run.exit_code == 0, run.output
    assert run.journey is not None
    assert JourneyMap.model_validate(run.journey.model_dump()) == run.journey
    for phase_answers in load_answers(answers).answers.values():
        for answer in phase_answers:
            assert answer.strip().split("\n")[0] in run.transcript
    assert "Phase 11/11" in run.transcript
    assert "session" in run.stdout
    facts = facts_of(answers)
    # the stage list is exactly the one the user named, in order (intro phrases, remarks and corrections read)
    named = [str(n) for n in facts.get("stages", [])]
    _matched, _emitted, exact = stage_match(run.journey, named)
    assert exact, f"stages {[s.name for s in run.journey.stages]} instead of {named}"
    # nothing is presented as the user's that the user did not say
    bad, checked, examples = unsupported(run.journey, load_answers(answers))
    assert checked > 0 and bad == 0, examples
    assert ungrounded_fields(run.journey, load_answers(answers)) == []
    report = check_facts(run.journey, facts)
    if answers.name in CLEAN:
        assert report.total >= 35 and report.kept >= report.total - 1, report.missing


def test_over_the_whole_corpus_the_rules_reader_keeps_most_fields(corpus: dict[str, CliRun]) -> None:
    ratios = {}
    for answers in INTERVIEWS:
        journey = corpus[answers.name].journey
        assert journey is not None, answers.name
        ratios[answers.stem] = check_facts(journey, facts_of(answers)).ratio
    assert len(ratios) >= 27
    mean = sum(ratios.values()) / len(ratios)
    assert mean >= FIELDS_RIGHT_MEAN, f"fields right {mean:.3f} < {FIELDS_RIGHT_MEAN}: {sorted(ratios.items(), key=lambda x: x[1])[:5]}"


@pytest.mark.parametrize(("lang", "framing", "persona", "not_asked"), [
    ("fr", "On cartographie le parcours de Paul qui loue une voiture pour ses vacances, tel qu'il se passe "
           "aujourd'hui. Ça commence quand il compare les loueurs et ça s'arrête quand il rend les clés.",
     "Julie, 34 ans, infirmière à Lyon, veut une assurance moins chère. Le déclencheur, c'est l'avis d'échéance. Elle "
     "est pressée et méfiante. Ce qui l'agace : le jargon et les frais cachés. Ce qui la motive : payer moins et être "
     "rassurée. Elle s'informe sur les comparateurs et auprès de sa sœur.",
     ("journey", "bounds")),
    ("en", "We are mapping the journey of Paul who rents a car for his holidays, as it happens today. It starts when "
           "he compares rental companies and it ends when he returns the keys.",
     "Megan, 29, a nurse in Leeds, wants cheaper cover. The trigger is the renewal letter. She is rushed and wary. "
     "What annoys her: jargon and hidden fees. What motivates her: paying less and feeling safe. She reads "
     "comparison sites and asks her sister.",
     ("journey", "bounds")),
])
def test_headless_asks_nothing_the_answers_already_said(tmp_path: Path, lang: str, framing: str, persona: str,
                                                        not_asked: tuple[str, ...]) -> None:
    from journeybot.interview.headless import AnswerFile
    from journeybot.method import catalog

    answers = AnswerFile(lang=lang, answers={"framing": [framing], "persona": [persona]})  # type: ignore[arg-type]
    store = SessionStore(tmp_path / "s.db")
    result = run_headless(answers, store, lang=lang, model=None)  # type: ignore[arg-type]
    said = "\n".join(m.text for m in store.messages(result.session_id) if m.role == "assistant")
    framing_phase, persona_phase = catalog.phase("framing"), catalog.phase("persona")
    for qid in not_asked:
        assert framing_phase.question(qid)(lang) not in said, qid  # type: ignore[arg-type,misc]
    for qid in ("trigger", "frustrations", "motives", "sources"):
        assert persona_phase.question(qid)(lang) not in said, qid  # type: ignore[arg-type,misc]
    assert result.journey.framing.start and result.journey.persona is not None
    assert result.journey.persona.trigger


def test_absent_phases_are_skipped_and_reported_as_unmet(tmp_path: Path) -> None:
    answers = tmp_path / "a.yaml"
    answers.write_text("lang: en\nanswers:\n  stages: ['Need; research; order; first bill']\n", encoding="utf-8")
    out = tmp_path / "m.json"
    done = runner.invoke(app, ["interview", "--answers", str(answers), "--out", str(out), "--model", "none"])
    assert done.exit_code == 0, done.output
    assert "Phase not complete: framing (not in the file)" in done.stdout
    assert "persona" in done.stdout and "touchpoints" in done.stdout
    assert [s.name for s in load_map(out).stages] == ["Need", "Research", "Order", "First bill"]


@pytest.mark.parametrize(("content", "expected"), [
    ("answers: [unclosed", "not valid YAML"),
    ("- a\n- b\n", "must hold 'answers:'"),
    ("answers:\n  shopping: ['x']\n", "unknown phase id 'shopping'"),
    ("answers:\n  stages: 3\n", "answers.stages"),
    ("answers:\n  stages: [{a: 1}]\n", "answers.stages.0"),
    ("lang: de\nanswers: {}\n", "lang"),
    ("answers:\n  stages: ['a']\nextra: 1\n", "extra"),
])
def test_a_bad_answer_file_is_one_clear_sentence_and_exit_2(content: str, expected: str, tmp_path: Path) -> None:
    answers = tmp_path / "bad.yaml"
    answers.write_text(content, encoding="utf-8")
    done = runner.invoke(app, ["interview", "--answers", str(answers), "--out", str(tmp_path / "m.json"),
                               "--model", "none", "--lang", "en"])
    assert done.exit_code == 2
    assert expected in done.output
    assert "Traceback" not in done.output and not (tmp_path / "m.json").exists()


def test_a_missing_or_binary_answer_file(tmp_path: Path) -> None:
    done = runner.invoke(app, ["interview", "--answers", str(tmp_path / "nope.yaml"), "--out", "m.json",
                               "--model", "none", "--lang", "fr"])
    assert done.exit_code == 2 and "fichier introuvable" in done.output
    binary = tmp_path / "b.yaml"
    binary.write_bytes(b"\xff\xfe\x00bad")
    done = runner.invoke(app, ["interview", "--answers", str(binary), "--out", "m.json", "--model", "none"])
    assert done.exit_code == 2 and "UTF-8" in done.output


def _consulted(answers: Any) -> int:
    """How many answers of the file have parts the rules cannot label (the model is asked about those)."""
    def other(messages: Sequence[Message], schema: dict[str, Any] | None) -> str:
        assert schema is not None
        n = schema["properties"]["labels"]["minItems"]
        extra = {k: [0 if k == "stages" else None] * n for k in ("stages", "scores") if k in schema["properties"]}
        return json.dumps({"labels": ["other"] * n, **extra})

    with tempfile.TemporaryDirectory() as tmp:
        store = SessionStore(Path(tmp) / "dry.db")
        try:
            return run_headless(answers, store, lang=answers.lang or "en", model=ScriptedChatModel(other)).model_turns
        finally:
            store.close()


def test_a_model_that_never_gives_valid_json_still_gives_the_full_map(tmp_path: Path) -> None:
    path = EXAMPLES / "first-mortgage.en.yaml"
    answers = load_answers(path)
    consulted = _consulted(answers)
    assert consulted >= 5  # the model is really asked about some answers of this file
    model = ScriptedChatModel(lambda messages, schema: "{broken")
    result = run_headless(answers, SessionStore(tmp_path / "s.db"), lang="en", model=model)
    assert result.model_turns == 0 and result.rules_turns == result.turns and len(result.errors) == consulted
    assert len(model.calls) == 2 * consulted  # one retry each, never more
    rules_only = run_headless(answers, SessionStore(tmp_path / "r.db"), lang="en", model=None)
    facts = facts_of(path)
    assert check_facts(result.journey, facts).missing == check_facts(rules_only.journey, facts).missing
    assert [s.name for s in result.journey.stages] == [s.name for s in rules_only.journey.stages]


def test_a_model_reading_is_used_and_nothing_it_writes_reaches_the_map(tmp_path: Path) -> None:
    def responder(messages: Sequence[Message], schema: dict[str, Any] | None) -> str:
        assert schema is not None
        n = schema["properties"]["labels"]["minItems"]
        label = "stage" if "stage" in schema["properties"]["labels"]["items"]["enum"] else "other"
        return json.dumps({"labels": [label] * n, "stages": [{"name": "Teleport"}], "name": "Teleport"})

    answers = load_answers(INTERVIEWS[0]).model_copy(update={"lang": "en", "answers": {
        "framing": ["We want fewer calls. Mostly families with children."],
        "stages": ["Hearing about us from a colleague comes first. The trial month is where she decides."]}})
    model = ScriptedChatModel(responder)
    result = run_headless(answers, SessionStore(tmp_path / "s.db"), lang="en", model=model)
    assert result.model_turns == 2 and len(model.calls) == 2
    assert [(s.name, s.provenance) for s in result.journey.stages] == [
        ("Hearing about us from a colleague comes first", "team"), ("The trial month is where she decides", "team")]
    assert "Teleport" not in result.journey.model_dump_json()
    assert unsupported(result.journey, answers)[0] == 0


def test_an_echo_model_gives_an_empty_but_valid_map(tmp_path: Path) -> None:
    answers = load_answers(INTERVIEWS[1])
    result = run_headless(answers, SessionStore(tmp_path / "s.db"), lang="en", model=EchoChatModel())
    assert JourneyMap.model_validate(result.journey.model_dump()) == result.journey


def test_sessions_list_and_show(tmp_path: Path) -> None:
    empty = runner.invoke(app, ["sessions", "--lang", "en"])
    assert empty.exit_code == 0 and "No saved session" in empty.stdout
    answers = tmp_path / "a.yaml"
    answers.write_text("lang: fr\ntitle: Atelier\nanswers:\n  stages: ['Recherche ; achat ; usage']\n", encoding="utf-8")
    assert runner.invoke(app, ["interview", "--answers", str(answers), "--out", str(tmp_path / "m.json"),
                               "--model", "none"]).exit_code == 0
    listed = runner.invoke(app, ["sessions", "--lang", "fr"])
    assert listed.exit_code == 0 and "Atelier" in listed.stdout
    sid = listed.stdout.split()[0]
    shown = runner.invoke(app, ["sessions", "show", sid, "--lang", "fr"])
    assert shown.exit_code == 0 and "Recherche ; achat ; usage" in shown.stdout and "1. Recherche" in shown.stdout
    unknown = runner.invoke(app, ["sessions", "show", "zzzz", "--lang", "en"])
    assert unknown.exit_code == 2 and 'No session "zzzz"' in unknown.output


def test_the_api_key_is_never_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "sk-journeybot-test-SECRET-4242"
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    out, transcript = tmp_path / "m.json", tmp_path / "t.md"
    done = runner.invoke(app, ["interview", "--answers", str(INTERVIEWS[0]), "--out", str(out), "--model", "none",
                               "--transcript", str(transcript)])
    assert done.exit_code == 0, done.output
    home = Path(str(Path.home()))
    written = [p for p in [out, transcript, *home.rglob("*")] if p.is_file()]
    assert any(p.name.startswith("sessions.db") for p in written)
    for p in written:
        assert secret.encode() not in p.read_bytes(), p
    assert secret not in done.output


def _stored_answers(db: Path) -> dict[str, list[str]]:
    store = SessionStore(db)
    out = {s.id: [m.text for m in store.messages(s.id) if m.role == "user" and m.kind == "answer"]
           for s in store.sessions()}
    store.close()
    return out


def _count_answers(db: Path) -> int:
    import sqlite3

    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return int(con.execute("SELECT COUNT(*) FROM messages WHERE role = 'user'").fetchone()[0])
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def test_kill_9_at_random_moments_then_resume_loses_nothing(tmp_path: Path) -> None:
    import os
    import random
    import signal
    import subprocess
    import sys
    import time

    answers = INTERVIEWS[0]
    facts = facts_of(answers)
    whole = run_headless(load_answers(answers), SessionStore(tmp_path / "whole.db"),
                         lang=load_answers(answers).lang or "fr", model=None).journey
    expected_missing = check_facts(whole, facts).missing  # what an uninterrupted run keeps
    every_answer = [a.strip() for texts in load_answers(answers).answers.values() for a in texts]
    rng = random.Random(7)
    resumed_mid_way = 0
    for round_ in range(6):
        home = tmp_path / f"home{round_}"
        env = {**os.environ, "JOURNEYBOT_HOME": str(home)}
        cmd = [sys.executable, "-m", "journeybot", "interview", "--answers", str(answers), "--model", "none",
               "--out", str(tmp_path / f"m{round_}.json")]
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        db = home / "data" / "sessions.db"
        target = rng.randint(1, len(every_answer) - 2)  # kill once this many answers are stored, give or take
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            if db.exists() and _count_answers(db) >= target:
                break
            time.sleep(0.01)
        time.sleep(rng.uniform(0, 0.05))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if not db.exists():
            continue
        before = _stored_answers(db)
        if not before:
            continue
        (sid, stored), = before.items()
        assert stored == every_answer[: len(stored)]  # what was committed is there, in order
        resumed_mid_way += len(stored) < len(every_answer)
        done = subprocess.run([*cmd, "--resume", sid], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        after = _stored_answers(db)
        assert after[sid] == every_answer  # the interview went on to the end, nothing twice
        journey = load_map(tmp_path / f"m{round_}.json")
        assert check_facts(journey, facts).missing == expected_missing  # the kill lost nothing
        assert [s.name for s in journey.stages] == [s.name for s in whole.stages]
    assert resumed_mid_way >= 2, "the kills did not land in the middle of the interview"


def test_any_answer_file_gives_a_clear_error_or_a_valid_file(tmp_path: Path) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from journeybot.interview.headless import AnswerFile, AnswerFileError

    yaml_like = st.one_of(
        st.text(max_size=200),
        st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                         st.sampled_from(["lang", "title", "answers", "stages", "framing", "x"]), inner, max_size=3),
                     max_leaves=10).map(lambda v: __import__("yaml").safe_dump(v, allow_unicode=True)),
    )

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(yaml_like)
    def check(content: str) -> None:
        path = tmp_path / "fuzz.yaml"
        path.write_text(content, encoding="utf-8")
        try:
            loaded = load_answers(path)
        except AnswerFileError as err:
            assert str(err).startswith(str(path)) and "Traceback" not in str(err)
        else:
            assert isinstance(loaded, AnswerFile)

    check()


@pytest.mark.parametrize(("lang", "said"), [("fr", "caractères de contrôle"), ("en", "control characters")])
def test_a_title_with_a_control_character_is_a_clear_error(tmp_path: Path, lang: str, said: str) -> None:
    # Found by tests/test_fuzz_inputs.py: the title reached the map unchecked and failed there (exit 1).
    path = tmp_path / "answers.yaml"
    path.write_text('title: "\\x1f"\nanswers: {}\n', encoding="utf-8")
    done = CliRunner().invoke(app, ["interview", "--answers", str(path), "--out", str(tmp_path / "m.json"),
                                    "--model", "none", "--lang", lang])
    assert done.exit_code == 2, done.output
    assert said in done.output and "title" in done.output and "Traceback" not in done.output
