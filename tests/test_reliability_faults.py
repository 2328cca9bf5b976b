"""Fault tolerance of a whole interview: `journeybot interview --model openai --base-url http://127.0.0.1:PORT/v1`
(the CLI's own code path, in-process) against the stub OpenAI server injecting each fault kind many times
in a row, then recovering.

For every kind: no crash (exit 0), a clear sentence about the fault, retries bounded (requests counted),
the saved map valid at every model call and at the end, every answer stored, and answers read by the
model again once the server is back. Timeouts and retries are kept small through the settings
(JOURNEYBOT_REQUEST_TIMEOUT, JOURNEYBOT_MAX_RETRIES) so the whole file runs in well under a minute.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from journeybot.cli.main import app
from journeybot.domain.map_file import MapFileError, load_map, parse_map_text
from journeybot.interview import agent
from journeybot.interview.headless import load_answers
from journeybot.store import SessionStore
from journeybot.store.sessions import default_path
from tests.support.stub_openai import Reply, StubOpenAI
from tests.support.text import plain

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "interviews"
TIMEOUT = 0.5
FAULTS_IN_A_ROW = 6

ANSWERS = """\
lang: en
title: Faults
answers:
  framing:
    - "We want to understand why new customers call us in their first month. Mostly families with children."
    - "We map the whole broadband journey. It is a long story."
  persona:
    - "Sam, 38, a teacher who works from home. Same as last year."
  stages:
    - "Need, research, order, installation day, first bill. The last two are where it hurts."
  touchpoints:
    - "Need: a friend's advice at work. That is all I know."
    - "Research: the comparison website and online reviews. Honestly that is it for now."
  metrics:
    - "35% of new customers call about their first bill (source: call centre report, May). We have little else."
"""
"""Each answer but the stage list holds one part no cue word labels (the last sentence): the model is asked
about each of them, once, about one part (the rules read the rest at once). The stage list is read by the
rules alone: the sentence after it is a remark, never a stage, and the model is not asked about it."""

STAGE_LIST = "Need, research, order, installation day, first bill. The last two are where it hurts."


def _answer_texts(path: Path) -> list[str]:
    return [a for texts in load_answers(path).answers.values() for a in texts]


def _consulted(path: Path) -> list[str]:
    """The answers the model is asked about."""
    return [a for a in _answer_texts(path) if a != STAGE_LIST]


@dataclass
class Watch:
    """What the stub saw: each chat request, whether the map in the database was valid at that moment and
    whether the answer the model is asked to read was already committed."""

    faults_left: int
    fault: Reply
    requests: int = 0
    faulted: int = 0
    budgets: list[int] = field(default_factory=list)
    broken_maps: list[str] = field(default_factory=list)
    unstored_answers: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _parts_in(body: dict[str, Any]) -> list[str]:
    """The numbered parts of the answer the model is asked to label."""
    user = next((m.get("content", "") for m in body.get("messages", []) if m.get("role") == "user"), "")
    found = re.search(r"<<<\n(.*)\n>>>", str(user), re.S)
    if not found:
        return []
    return [line.split(". ", 1)[1] for line in found.group(1).split("\n") if ". " in line]


def _good_reading(body: dict[str, Any]) -> str:
    """Labels that fit the schema the agent sent: "other" for every part (the rules' reading stands)."""
    schema = body["response_format"]["json_schema"]["schema"]
    n = schema["properties"]["labels"]["minItems"]
    reply: dict[str, Any] = {"labels": ["other"] * n}
    if "stages" in schema["properties"]:
        reply["stages"] = [0] * n
    if "scores" in schema["properties"]:
        reply["scores"] = [None] * n
    return json.dumps(reply)


def test_every_answer_of_the_file_is_asked_about_once(answers_file: Path) -> None:
    """The precondition of the counts below: the model is consulted on each answer, about one part."""
    from journeybot.interview.headless import run_headless
    from journeybot.llm.fake import ScriptedChatModel

    model = ScriptedChatModel(lambda messages, schema: _good_reading({"response_format": {"json_schema": {
        "schema": schema}}}))
    answers = load_answers(answers_file)
    store = SessionStore()
    try:
        result = run_headless(answers, store, lang="en", model=model)
    finally:
        store.close()
    assert result.turns == len(_answer_texts(answers_file)) == len(_consulted(answers_file)) + 1
    assert result.model_turns == len(_consulted(answers_file)) == len(model.calls)
    assert all(call.schema["properties"]["labels"]["minItems"] == 1 for call in model.calls)  # type: ignore[index]


def _check_database(watch: Watch, body: dict[str, Any]) -> None:
    db = sqlite3.connect(default_path(), timeout=10)
    try:
        rows = db.execute("SELECT id, map FROM sessions").fetchall()
        texts = {r[0] for r in db.execute("SELECT text FROM messages WHERE role = 'user'").fetchall()}
    finally:
        db.close()
    for sid, text in rows:
        try:
            parse_map_text(text, source=sid)
        except MapFileError as err:
            watch.broken_maps.append(str(err))
    for part in _parts_in(body):
        if not any(part.replace("‹‹‹", "<<<").replace("›››", ">>>") in text for text in texts):
            watch.unstored_answers.append(part)


def _responder(watch: Watch) -> Any:
    def respond(body: dict[str, Any]) -> Reply:
        _check_database(watch, body)
        with watch.lock:
            watch.requests += 1
            watch.budgets.append(int(body.get("max_completion_tokens") or body.get("max_tokens") or 0))
            if watch.faults_left > 0:
                watch.faults_left -= 1
                watch.faulted += 1
                return watch.fault
        return Reply.ok(_good_reading(body))

    return respond


@pytest.fixture
def answers_file(tmp_path: Path) -> Path:
    path = tmp_path / "answers.yaml"
    path.write_text(ANSWERS, encoding="utf-8")
    return path


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("JOURNEYBOT_REQUEST_TIMEOUT", str(TIMEOUT))
    monkeypatch.setenv("JOURNEYBOT_MAX_RETRIES", "1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-journeybot-faults-0000")
    # Three failed answers in a row stay under the circuit breaker here (these tests count retries);
    # the breaker has its own tests (tests/test_llm_breaker.py) and the last test below.
    monkeypatch.setenv("JOURNEYBOT_BREAKER_FAILURES", "4")
    yield


# kind -> (the fault, requests one failing answer costs, words the user is told)
# A cut or unusable body (bad_output) is asked again once, with a larger budget (agent.RETRY_TOKENS).
CASES: dict[str, tuple[Reply, int, str]] = {
    "429 Retry-After": (Reply.rate_limited(retry_after=0.8), 2, "limiting requests"),
    "500": (Reply.server_error(500), 2, "internal error (HTTP 500)"),
    "connection reset": (Reply.reset(), 2, "Cannot reach the model server"),
    "timeout": (Reply.slow(2.5), 2, f"did not answer within {TIMEOUT:g} s"),
    "truncated body": (Reply.truncated('{"stages": [{"name": "Need"}, {"name": "Order"}]}'), 2, "unusable"),
    "not JSON": (Reply.not_json(), 2, "not an OpenAI reply"),
    "JSON failing the schema": (Reply.ok('{"stages": [{"name": "Need"}], "colour": "blue"}'), 2,
                                "must be an object with 'labels'"),
    "labels failing the schema": (Reply.ok('{"labels": ["PWNED", "other"]}'), 2, "give exactly 1 labels"),
}


@pytest.mark.parametrize("kind", list(CASES))
def test_many_faults_in_a_row_then_recovery(kind: str, answers_file: Path, tmp_path: Path,
                                            settings_env: None) -> None:
    fault, per_answer, words = CASES[kind]
    watch = Watch(FAULTS_IN_A_ROW, fault)
    out = tmp_path / "map.json"
    with StubOpenAI(default=_responder(watch), max_sleep=3.0, lifetime=120) as stub:
        done = CliRunner().invoke(app, ["interview", "--answers", str(answers_file), "--out", str(out),
                                        "--model", "openai", "--base-url", stub.base_url, "--lang", "en"])
        gaps = [b.at - a.at for a, b in zip(stub.chat_requests(), stub.chat_requests()[1:], strict=False)]
    output = done.output
    assert done.exit_code == 0, output
    assert "Traceback" not in output
    # a clear sentence, once per answer the fault cost
    failed_answers = FAULTS_IN_A_ROW // per_answer
    assert sum(1 for line in output.splitlines() if words in line) == failed_answers, output
    # bounded retries: exactly (1 + max_retries) requests for an answer hit by a transport fault, two tries
    # (the error fed back once) for invalid JSON, two for an unusable body (the second with a larger
    # budget); then one request per answer.
    answers = _answer_texts(answers_file)
    consulted = _consulted(answers_file)
    assert watch.faulted == FAULTS_IN_A_ROW
    assert watch.requests == FAULTS_IN_A_ROW + (len(consulted) - failed_answers)
    budget = watch.budgets[-1]  # the reply budget of one part: small, the same for every answer
    assert 0 < budget <= agent.MAX_TOKENS < agent.RETRY_TOKENS
    later = [budget] * (len(consulted) - failed_answers)
    if kind in ("truncated body", "not JSON"):
        assert watch.budgets == [budget, agent.RETRY_TOKENS] * failed_answers + later
    else:  # transport retries and fed-back errors keep the budget
        assert watch.budgets == [budget] * FAULTS_IN_A_ROW + later
    if kind == "429 Retry-After":  # the server's Retry-After (0.8 s) is honoured between the two tries
        assert sum(1 for g in gaps if g >= 0.75) >= failed_answers
    # the map is never corrupted, the user's answer is committed before the model reads it
    assert watch.broken_maps == [] and watch.unstored_answers == []
    journey = load_map(out)
    assert [s.name for s in journey.stages] == ["Need", "Research", "Order", "Installation day", "First bill"]
    assert journey.framing.objective and journey.persona is not None and journey.persona.name == "Sam"
    store = SessionStore()
    try:
        session = store.sessions()[0]
        stored = [m.text for m in store.messages(session.id) if m.role == "user"]
        assert stored == answers  # nothing the user typed is lost, in order
        read = {m.text: json.loads(p.body)["source"] for p in store.proposals(session.id)
                for m in store.messages(session.id) if m.seq == p.answer_seq}
    finally:
        store.close()
    sources = [read[a] for a in consulted]
    # the fault cost the first answers (read by the rules instead), then the model reads again
    assert sources[:failed_answers] == ["rules"] * failed_answers
    assert sources[failed_answers:] == ["model"] * (len(consulted) - failed_answers)
    assert read[STAGE_LIST] == "rules"
    assert f"Read by the model: {len(consulted) - failed_answers} answers, by rules: {failed_answers + 1}" in output


def test_a_server_that_never_recovers_still_gives_the_whole_map(answers_file: Path, tmp_path: Path,
                                                                 settings_env: None,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNEYBOT_BREAKER_FAILURES", "3")
    monkeypatch.setenv("JOURNEYBOT_BREAKER_COOLDOWN", "3600")
    watch = Watch(10_000, Reply.server_error(503))
    out = tmp_path / "map.json"
    with StubOpenAI(default=_responder(watch), lifetime=120) as stub:
        done = CliRunner().invoke(app, ["interview", "--answers", str(answers_file), "--out", str(out),
                                        "--model", "openai", "--base-url", stub.base_url, "--lang", "fr"])
    assert done.exit_code == 0, done.output
    answers = _answer_texts(answers_file)
    # 1 + max_retries requests for each of the three answers that open the circuit breaker, then none:
    # the other four are held back (a probe would go at the fifth, or after the cooldown).
    assert len(answers) == 7 and watch.requests == 2 * 3
    assert done.output.count("réessaiera le modèle") == 1
    assert "erreur interne (HTTP 503)" in done.output
    assert f"par les règles : {len(answers)}" in plain(done.output)
    assert len(load_map(out).stages) == 5 and watch.broken_maps == [] and watch.unstored_answers == []


def test_a_stream_cut_in_the_middle_falls_back_to_the_method_passages(settings_env: None) -> None:
    """The streamed answer to a method question: a stream that stops half-way (many times in a row) gives the
    passages themselves, never an exception; once the server is back the model's answer streams again."""
    from dataclasses import dataclass as dc

    from journeybot.interview.session import Interview
    from journeybot.llm.factory import make_chat_model
    from journeybot.settings import load_settings

    @dc
    class Passage:
        title: str = "Moments of truth"
        section: str = "Definition"
        text: str = "A moment of truth is an interaction that decides whether the customer stays."

        def citation(self, lang: str) -> str:
            return "knowledge/moments-of-truth.en.md"

    class Retriever:
        def search(self, query: str, *, lang: str | None = None, phase: str | None = None,
                   pitfall: str | None = None, k: int = 3) -> Sequence[Any]:
            return [Passage()]

    with StubOpenAI(lifetime=60) as stub:
        stub.queue(*[Reply.truncated("The moment of truth is when the customer decides")] * 4)
        stub.set_default(Reply.ok("It is the moment the customer decides to stay or to leave."))
        model = make_chat_model(load_settings(model="openai", base_url=stub.base_url, model_name="stub-model"))
        store = SessionStore()
        try:
            interview = Interview.start(store, lang="en", model=model, retriever=Retriever())
            for _ in range(4):
                text = "".join(interview.stream_method_answer("What is a moment of truth?"))
                assert "interaction that decides" in text
            recovered = "".join(interview.stream_method_answer("What is a moment of truth?"))
        finally:
            store.close()
        assert recovered == "It is the moment the customer decides to stay or to leave."
        assert len(stub.chat_requests()) == 5  # a half-shown answer is never started again
