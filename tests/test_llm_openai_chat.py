"""The ChatOpenAI path against a real HTTP server on 127.0.0.1 (tests/support/stub_openai.py):
normal answers, every fault kind many times in a row, bounded retries with backoff, recovery, and the
API key never showing up anywhere."""

from __future__ import annotations

import itertools
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr

from journeybot.llm.openai_chat import OpenAIChatModel, display_url
from journeybot.llm.protocol import ChatModel, Message, ModelError
from tests.support.stub_openai import Reply, StubOpenAI

SECRET = "sk-test-SECRET123"
SCHEMA: dict[str, Any] = {
    "title": "Touchpoints",
    "type": "object",
    "properties": {"touchpoints": {"type": "array", "items": {"type": "string"}, "maxItems": 5}},
    "required": ["touchpoints"],
    "additionalProperties": False,
}
MESSAGES: list[Message] = [("system", "Réponds en JSON."), ("user", "J'ai appelé le service client.")]


class Sleeps:
    """Records the waits instead of sleeping (backoff is checked on the numbers, quickly)."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def stub() -> Iterator[StubOpenAI]:
    with StubOpenAI(max_sleep=3.0, lifetime=300) as server:
        yield server


def make(stub: StubOpenAI, sleeps: Sleeps | None = None, **kw: Any) -> OpenAIChatModel:
    options: dict[str, Any] = {"timeout": 5.0, "max_retries": 3, "backoff_base": 0.5, "jitter": lambda: 1.0}
    options.update(kw)
    return OpenAIChatModel(model="stub-model", api_key=SecretStr(SECRET), base_url=stub.base_url,
                           sleep=sleeps or Sleeps(), **options)


def test_it_is_a_chat_model(stub: StubOpenAI) -> None:
    assert isinstance(make(stub), ChatModel)


def test_json_sends_the_schema_and_returns_the_raw_text(stub: StubOpenAI) -> None:
    stub.queue(Reply.ok('{"touchpoints": ["téléphone"]}'))
    model = make(stub)
    text = model.json(MESSAGES, SCHEMA, max_tokens=64)
    assert json.loads(text) == {"touchpoints": ["téléphone"]}
    body = stub.chat_requests()[-1].body
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "Touchpoints", "schema": SCHEMA, "strict": True},
    }
    assert body["messages"][0] == {"role": "system", "content": "Réponds en JSON."}
    assert body["messages"][1]["role"] == "user"
    assert body.get("max_completion_tokens", body.get("max_tokens")) == 64
    assert model.last_usage.completion_tokens > 0 and model.last_usage.prompt_tokens > 0
    assert stub.chat_requests()[-1].headers.get("authorization") == f"Bearer {SECRET}"


def test_a_schema_that_is_not_strict_compatible_is_sent_with_strict_false(stub: StubOpenAI) -> None:
    loose = {"type": "object", "properties": {"a": {"type": "integer"}}}
    make(stub).json(MESSAGES, loose)
    assert stub.chat_requests()[-1].body["response_format"]["json_schema"]["strict"] is False
    assert stub.chat_requests()[-1].body["response_format"]["json_schema"]["name"] == "answer"


def test_json_that_fails_the_schema_is_returned_raw_for_the_caller_to_judge(stub: StubOpenAI) -> None:
    stub.queue(Reply.ok('{"unexpected": 3}'))
    assert make(stub).json(MESSAGES, SCHEMA) == '{"unexpected": 3}'


def test_json_in_a_markdown_fence_is_unwrapped(stub: StubOpenAI) -> None:
    # Some compatible servers ignore response_format and wrap the JSON in a code fence.
    stub.queue(Reply.ok('```json\n{"touchpoints": ["agence"]}\n```'))
    assert make(stub).json(MESSAGES, SCHEMA) == '{"touchpoints": ["agence"]}'


def test_prose_instead_of_json_is_bad_output(stub: StubOpenAI) -> None:
    stub.queue(Reply.ok("Voici les points de contact : agence, site."))
    with pytest.raises(ModelError) as info:
        make(stub).json(MESSAGES, SCHEMA)
    assert info.value.kind == "bad_output" and "not valid JSON" in info.value.en


def test_json_cut_off_at_max_tokens_is_bad_output(stub: StubOpenAI) -> None:
    stub.queue(Reply.ok('{"touchpoints": ["télé', finish_reason="length"))
    with pytest.raises(ModelError) as info:
        make(stub).json(MESSAGES, SCHEMA, max_tokens=5)
    assert info.value.kind == "bad_output" and "5" in info.value.en and "5" in info.value.fr
    assert len(stub.chat_requests()) == 1  # not retried here: the caller decides


def test_stream_yields_the_pieces_and_the_usage(stub: StubOpenAI) -> None:
    stub.queue(Reply.ok("Bonjour, quel est votre premier point de contact ?"))
    model = make(stub)
    pieces = list(model.stream(MESSAGES, max_tokens=50))
    assert len(pieces) > 3
    assert "".join(pieces) == "Bonjour, quel est votre premier point de contact ?"
    body = stub.chat_requests()[-1].body
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert model.last_usage.completion_tokens == 9  # the stub counts words


def _faults() -> list[tuple[str, Reply, str]]:
    return [
        ("429", Reply.rate_limited(retry_after=0.25), "rate_limited"),
        ("500", Reply.server_error(500), "server_error"),
        ("503", Reply.server_error(503), "server_error"),
        ("reset", Reply.reset(), "server_down"),
    ]


@pytest.mark.parametrize(("label", "fault", "kind"), _faults(), ids=[f[0] for f in _faults()])
def test_retryable_faults_are_retried_a_bounded_number_of_times(
    stub: StubOpenAI, label: str, fault: Reply, kind: str
) -> None:
    stub.set_default(fault)
    sleeps = Sleeps()
    model = make(stub, sleeps, max_retries=3)
    for _round in range(5):  # many times in a row: each call fails cleanly, nothing piles up
        with pytest.raises(ModelError) as info:
            model.json(MESSAGES, SCHEMA)
        assert info.value.kind == kind and info.value.retryable
        assert info.value.en and info.value.fr and info.value.en != info.value.fr
    assert len(stub.chat_requests()) == 5 * 4  # 1 try + 3 retries, each round
    first_round = sleeps.delays[:3]
    if label == "429":
        assert all(d >= 0.25 for d in first_round)
    assert first_round == sorted(first_round) and first_round[2] >= 2 * first_round[0]  # exponential
    # the server recovers: the next call works without error
    stub.set_default(Reply.ok('{"touchpoints": []}'))
    assert model.json(MESSAGES, SCHEMA) == '{"touchpoints": []}'


def test_a_fault_that_passes_within_the_retries_is_invisible(stub: StubOpenAI) -> None:
    stub.queue(Reply.server_error(502), Reply.rate_limited(retry_after=0.1), Reply.reset(),
               Reply.ok('{"touchpoints": ["site web"]}'))
    sleeps = Sleeps()
    model = make(stub, sleeps)
    assert json.loads(model.json(MESSAGES, SCHEMA)) == {"touchpoints": ["site web"]}
    assert len(stub.chat_requests()) == 4 and len(sleeps.delays) == 3 and model.retries_done == 3


def test_backoff_really_waits_and_has_jitter(stub: StubOpenAI) -> None:
    import time

    stub.queue(Reply.server_error(500), Reply.server_error(500))
    stub.set_default(Reply.ok('{"touchpoints": []}'))
    model = OpenAIChatModel(model="stub-model", api_key=SECRET, base_url=stub.base_url, timeout=5,
                            max_retries=3, backoff_base=0.1)
    started = time.monotonic()
    model.json(MESSAGES, SCHEMA)
    seen = [r.at for r in stub.chat_requests()]
    assert len(seen) == 3
    gaps = [b - a for a, b in itertools.pairwise(seen)]
    assert gaps[0] >= 0.05 and gaps[1] >= 0.1  # base × [0.5, 1], then 2 × base × [0.5, 1]
    assert time.monotonic() - started < 3


def test_a_retry_after_longer_than_the_cap_is_not_waited_for(stub: StubOpenAI) -> None:
    stub.set_default(Reply.rate_limited(retry_after=3600))
    sleeps = Sleeps()
    with pytest.raises(ModelError) as info:
        make(stub, sleeps).json(MESSAGES, SCHEMA)
    assert info.value.kind == "rate_limited" and "3600" in info.value.en
    assert sleeps.delays == [] and len(stub.chat_requests()) == 1


def test_no_retry_when_max_retries_is_zero(stub: StubOpenAI) -> None:
    stub.set_default(Reply.server_error(500))
    with pytest.raises(ModelError):
        make(stub, max_retries=0).json(MESSAGES, SCHEMA)
    assert len(stub.chat_requests()) == 1


def test_a_timeout_is_a_clear_error_and_is_retried_once_at_most(stub: StubOpenAI) -> None:
    stub.set_default(Reply.slow(2.0))
    model = make(stub, timeout=0.4, max_retries=3)
    for _round in range(2):
        with pytest.raises(ModelError) as info:
            model.json(MESSAGES, SCHEMA)
        assert info.value.kind == "timeout" and "0.4 s" in info.value.en and "0.4 s" in info.value.fr
    assert len(stub.chat_requests()) == 2 * 2
    stub.set_default(Reply.ok('{"touchpoints": []}'))
    assert model.json(MESSAGES, SCHEMA) == '{"touchpoints": []}'


@pytest.mark.parametrize("fault", [Reply.not_json(), Reply.truncated('{"touchpoints": ["agence", "site"]}')],
                         ids=["not-json", "truncated"])
def test_unreadable_bodies_are_bad_output_and_not_retried(stub: StubOpenAI, fault: Reply) -> None:
    stub.set_default(fault)
    model = make(stub)
    for _round in range(5):
        with pytest.raises(ModelError) as info:
            model.json(MESSAGES, SCHEMA)
        assert info.value.kind == "bad_output" and info.value.retryable
    assert len(stub.chat_requests()) == 5
    stub.set_default(Reply.ok('{"touchpoints": []}'))
    assert model.json(MESSAGES, SCHEMA) == '{"touchpoints": []}'


def test_a_truncated_stream_is_bad_output_after_the_pieces_already_given(stub: StubOpenAI) -> None:
    stub.set_default(Reply.truncated("Une réponse qui sera coupée en plein milieu de sa phrase"))
    model = make(stub)
    for _round in range(5):
        got: list[str] = []
        with pytest.raises(ModelError) as info:
            for piece in model.stream(MESSAGES):
                got.append(piece)
        assert info.value.kind == "bad_output"
        assert got and "".join(got).startswith("Une réponse")
    assert len(stub.chat_requests()) == 5  # a stream already shown is never started again


@pytest.mark.parametrize(("fault", "kind"), [(Reply.server_error(500), "server_error"),
                                             (Reply.rate_limited(0.1), "rate_limited"),
                                             (Reply.reset(), "server_down"),
                                             (Reply.not_json(), "bad_output")],
                         ids=["500", "429", "reset", "not-json"])
def test_stream_faults_before_the_first_piece(stub: StubOpenAI, fault: Reply, kind: str) -> None:
    stub.set_default(fault)
    model = make(stub, max_retries=2)
    for _round in range(3):
        with pytest.raises(ModelError) as info:
            list(model.stream(MESSAGES))
        assert info.value.kind == kind
    expected_tries = 1 if kind == "bad_output" else 3
    assert len(stub.chat_requests()) == 3 * expected_tries
    stub.set_default(Reply.ok("Tout va bien"))
    assert "".join(model.stream(MESSAGES)) == "Tout va bien"


def test_a_server_that_refuses_stream_options_still_streams(stub: StubOpenAI) -> None:
    stub.queue(Reply.error_status(400, "Unrecognized request argument supplied: stream_options"),
               Reply.ok("Sans compteur"), Reply.ok("Toujours sans"))
    model = make(stub)
    assert "".join(model.stream(MESSAGES)) == "Sans compteur"
    assert "".join(model.stream(MESSAGES)) == "Toujours sans"
    bodies = [r.body for r in stub.chat_requests()]
    assert "stream_options" in bodies[0] and all("stream_options" not in b for b in bodies[1:])
    assert len(bodies) == 3


def test_stream_retries_then_succeeds(stub: StubOpenAI) -> None:
    stub.queue(Reply.server_error(503), Reply.reset(), Reply.ok("Enfin une réponse"))
    assert "".join(make(stub).stream(MESSAGES)) == "Enfin une réponse"
    assert len(stub.chat_requests()) == 3


def test_a_server_that_is_down_gives_one_plain_sentence() -> None:
    with StubOpenAI() as stub:
        url = stub.base_url
    model = OpenAIChatModel(model="m", api_key=SECRET, base_url=url, timeout=2, max_retries=2,
                            sleep=Sleeps())
    with pytest.raises(ModelError) as info:
        model.json(MESSAGES, SCHEMA)
    assert info.value.kind == "server_down" and info.value.retryable
    assert info.value.en == f"Cannot reach the model server at {url}."
    assert info.value.fr == f"Impossible de joindre le serveur de modèle {url}."
    with pytest.raises(ModelError) as info:
        list(model.stream(MESSAGES))
    assert info.value.kind == "server_down"


@pytest.mark.parametrize(("reply", "kind"), [
    (Reply.error_status(400, "This model's maximum context length is 4096 tokens", "context_length_exceeded"),
     "context_too_long"),
    (Reply.error_status(404, "The model `nope` does not exist"), "other"),
    (Reply.error_status(400, "Invalid schema for response_format"), "other"),
], ids=["context", "404", "400"])
@pytest.mark.filterwarnings("ignore:Invalid schema for OpenAI:UserWarning")
def test_client_errors_are_not_retried(stub: StubOpenAI, reply: Reply, kind: str) -> None:
    stub.set_default(reply)
    with pytest.raises(ModelError) as info:
        make(stub).json(MESSAGES, SCHEMA)
    assert info.value.kind == kind and not info.value.retryable
    assert len(stub.chat_requests()) == 1


def test_the_api_key_never_appears_in_errors_logs_or_reprs(stub: StubOpenAI, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    faults = [Reply.error_status(401, f"Incorrect API key provided: {SECRET}. You can find your key..."),
              Reply.error_status(400, f"bad request with key {SECRET}"),
              Reply.server_error(500), Reply.rate_limited(0.1), Reply.reset(), Reply.not_json(),
              Reply.truncated(), Reply.slow(2.0)]
    for fault in faults:
        stub.set_default(fault)
        model = make(stub, timeout=0.5, max_retries=1)
        texts += [repr(model), str(model.__dict__), model.name]
        for call in (lambda m=model: m.json(MESSAGES, SCHEMA), lambda m=model: list(m.stream(MESSAGES))):
            with pytest.raises(ModelError) as info:
                call()
            err = info.value
            texts += [str(err), err.en, err.fr, repr(err), repr(err.__cause__), repr(err.__context__)]
    assert len(stub.chat_requests()) > len(faults)
    texts += [r.getMessage() for r in caplog.records] + [caplog.text]
    blob = "\n".join(texts)
    assert "SECRET123" not in blob
    assert "refused the API key" in blob  # the 401 was seen and explained


def test_urls_are_shown_without_credentials() -> None:
    assert display_url("https://user:pw@example.org:8443/v1?key=abc") == "https://example.org:8443/v1"
    assert display_url(None) == "https://api.openai.com/v1"
    model = OpenAIChatModel(model="m", api_key=SECRET, base_url="http://u:sk-test-SECRET123@127.0.0.1:9/v1")
    assert "SECRET123" not in repr(model) + model.name
