"""The circuit breaker: after failures in a row the interview stops waiting for the model, says so once
in the user's language, reads with its rules at once, and tries the model again later.

Unit tests over scripted models and a hand-turned clock; then a whole `journeybot interview` against a
hung server on 127.0.0.1 (the stub), through the CLI's own code path."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from journeybot.cli.main import app
from journeybot.llm.breaker import CircuitBreaker
from journeybot.llm.factory import make_chat_model
from journeybot.llm.fake import ScriptedChatModel
from journeybot.llm.openai_chat import OpenAIChatModel
from journeybot.llm.protocol import ChatModel, ModelError
from journeybot.settings import load_settings
from journeybot.store import SessionStore
from tests.support.answer_files import SHORT_FR as ANSWERS
from tests.support.answer_files import answer_seconds
from tests.support.stub_openai import Reply, StubOpenAI

SCHEMA: dict[str, Any] = {"type": "object"}


def down() -> ModelError:
    return ModelError("server_down", "Cannot reach the model server.", "Impossible de joindre le serveur.",
                      retryable=True)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def call(model: ChatModel) -> str:
    try:
        return model.json([("user", "x")], SCHEMA)
    except ModelError as err:
        return f"{err.kind}{' (quiet)' if err.quiet else ''}: {err.en}"


def test_three_failures_in_a_row_open_it_with_one_notice_then_calls_fail_at_once() -> None:
    inner = ScriptedChatModel([down(), down(), down()])
    breaker = CircuitBreaker(inner, failures=3, cooldown=60, clock=Clock())
    first, second, third = call(breaker), call(breaker), call(breaker)
    assert "failed 3 times in a row" not in first + second
    assert "failed 3 times in a row: journeybot goes on with the rules reader" in third
    with pytest.raises(ModelError) as info:
        breaker.json([("user", "x")], SCHEMA)
    assert info.value.kind == "paused" and info.value.quiet
    assert "la lecture par règles" in info.value.fr
    assert len(inner.calls) == 3  # the paused call never reached the model
    assert breaker.is_open and breaker.opened == 1


def test_the_notice_is_in_both_languages() -> None:
    breaker = CircuitBreaker(ScriptedChatModel([down()]), failures=1, cooldown=45, clock=Clock())
    with pytest.raises(ModelError) as info:
        breaker.json([("user", "x")], SCHEMA)
    assert info.value.fr.endswith("journeybot continue avec la lecture par règles et réessaiera le modèle dans 45 s.")
    assert info.value.en.endswith("journeybot goes on with the rules reader and will try the model again in 45 s.")


def test_a_probe_after_the_cooldown_closes_it_when_the_model_is_back() -> None:
    clock = Clock()
    inner = ScriptedChatModel([down(), down(), "{}", "{}"])
    breaker = CircuitBreaker(inner, failures=2, cooldown=60, clock=clock)
    call(breaker), call(breaker)
    clock.now = 30
    assert call(breaker).startswith("paused (quiet)")
    clock.now = 61
    assert call(breaker) == "{}"  # the probe
    assert not breaker.is_open and call(breaker) == "{}"


def test_every_fifth_held_back_call_is_a_probe_and_a_failed_probe_says_nothing_new() -> None:
    inner = ScriptedChatModel([down(), down(), "{}"])
    breaker = CircuitBreaker(inner, failures=1, cooldown=3600, probe_every=5, clock=Clock())
    assert "failed 1 times" in call(breaker)
    results = [call(breaker) for _ in range(5)]
    assert all(r.startswith("paused") for r in results[:4])
    assert results[4] == "server_down: Cannot reach the model server."  # a probe; no second notice
    results = [call(breaker) for _ in range(5)]
    assert results[4] == "{}" and not breaker.is_open
    assert len(inner.calls) == 3


def test_an_answer_the_server_gave_resets_the_count() -> None:
    bad = ModelError("bad_output", "unusable", "inutilisable", retryable=True)
    inner = ScriptedChatModel([down(), down(), bad, down(), down()])
    breaker = CircuitBreaker(inner, failures=3, clock=Clock())
    outcomes = [call(breaker) for _ in range(5)]
    assert not breaker.is_open and not any("in a row" in o for o in outcomes)


def test_streams_count_too() -> None:
    inner = ScriptedChatModel([down(), "bonjour à vous"])
    breaker = CircuitBreaker(inner, failures=1, cooldown=10, clock=Clock())
    with pytest.raises(ModelError):
        list(breaker.stream([("user", "x")]))
    with pytest.raises(ModelError) as info:
        list(breaker.stream([("user", "x")]))
    assert info.value.kind == "paused"


def test_the_factory_wraps_every_model_unless_told_not_to() -> None:
    settings = load_settings(model="openai", base_url="http://127.0.0.1:9/v1", model_name="m",
                             breaker_failures=4, breaker_cooldown=12, answer_deadline=7)
    model = make_chat_model(settings)
    assert isinstance(model, CircuitBreaker) and isinstance(model.inner, OpenAIChatModel)
    assert model.failures == 4 and model.cooldown == 12 and model.answer_deadline == 7
    plain = make_chat_model(settings.model_copy(update={"breaker_failures": 0}))
    assert isinstance(plain, OpenAIChatModel)




def test_an_interview_against_a_hung_server_says_it_once_and_reads_the_rest_at_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNEYBOT_ANSWER_DEADLINE", "1")
    monkeypatch.setenv("JOURNEYBOT_REQUEST_TIMEOUT", "30")
    monkeypatch.setenv("JOURNEYBOT_BREAKER_COOLDOWN", "3600")
    answers = tmp_path / "answers.yaml"
    answers.write_text(ANSWERS, encoding="utf-8")
    out = tmp_path / "map.json"
    with StubOpenAI(default=Reply.hang(), max_sleep=30, lifetime=120) as stub:
        start = time.monotonic()
        done = CliRunner().invoke(app, ["interview", "--answers", str(answers), "--out", str(out),
                                        "--model", "openai", "--base-url", stub.base_url,
                                        "--lang", "fr"])
        seconds = time.monotonic() - start
        requests = len(stub.chat_requests())
    assert done.exit_code == 0, done.output
    assert done.output.count("continue avec la lecture par règles") == 1  # said once, in French
    # The model is asked about 7 of the 10 answers (the parts no cue word labels; the rules read the
    # rest): the first three cost the 1 s deadline each, then the breaker holds the other four back at
    # once (a probe would go at the fifth held back). Before the deadline and the breaker each of the
    # 7 cost 2 x 30 s (request_timeout, one retry).
    waits = [seconds for who, seconds in answer_seconds(done.output) if who == "rules"]
    assert len(waits) == 10 and sum(1 for w in waits if w >= 0.9) == 3 and max(waits) < 5, waits
    assert requests == 3, requests
    assert seconds < 30, seconds
    store = SessionStore()
    try:
        session = store.sessions()[0]
        sources = [json.loads(p.body)["source"] for p in store.proposals(session.id)]
        stored = [m.text for m in store.messages(session.id) if m.role == "user"]
    finally:
        store.close()
    assert sources == ["rules"] * 10 and len(stored) == 10  # every answer kept and read
    assert out.exists()
