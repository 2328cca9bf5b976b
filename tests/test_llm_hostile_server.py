"""The model layer against a hostile or broken OpenAI-compatible server on 127.0.0.1 (the stub): a
server that trickles one byte a second or hangs is given up at the answer's ONE deadline (retries
included); JSON nested 1,100 deep is an unusable answer, not a RecursionError; a reply that quotes the
API key never hands it on, in a JSON reply, a stream (even split across pieces) or a model list."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from pydantic import SecretStr

from journeybot.llm.deadline import answer_deadline
from journeybot.llm.http_deadline import DeadlineBackend, http_client, install
from journeybot.llm.openai_chat import KeyFilter, OpenAIChatModel
from journeybot.llm.protocol import Message, ModelError
from tests.support.stub_openai import FOREIGN_TEXT, Reply, StubOpenAI

SECRET = "sk-proj-HOSTILE-0123456789abcdef"
SCHEMA: dict[str, Any] = {
    "title": "Touchpoints", "type": "object", "additionalProperties": False, "required": ["touchpoints"],
    "properties": {"touchpoints": {"type": "array", "items": {"type": "string", "maxLength": 80}, "maxItems": 5}},
}
MESSAGES: list[Message] = [("system", "Réponds en JSON."), ("user", "J'ai appelé le service client.")]


@pytest.fixture
def stub() -> Iterator[StubOpenAI]:
    with StubOpenAI(max_sleep=20.0, lifetime=120) as server:
        yield server


def make(stub: StubOpenAI, **kw: Any) -> OpenAIChatModel:
    options: dict[str, Any] = {"timeout": 5.0, "max_retries": 3, "backoff_base": 0.2, "jitter": lambda: 1.0,
                               "answer_deadline": 2.0}
    options.update(kw)
    return OpenAIChatModel(model="stub-model", api_key=SecretStr(SECRET), base_url=stub.base_url, **options)


def timed(call: Any) -> tuple[float, ModelError]:
    start = time.monotonic()
    with pytest.raises(ModelError) as info:
        call()
    return time.monotonic() - start, info.value


# --- one deadline per answer -----------------------------------------------------------------------

def test_a_server_trickling_a_byte_at_a_time_is_given_up_at_the_deadline(stub: StubOpenAI) -> None:
    # 0.3 s between bytes is far under the 5 s read timeout: before the deadline, the answer took
    # the whole trickle (~20 s here, 495 s in the issue).
    stub.set_default(Reply.trickle(0.3, '{"touchpoints": ["le téléphone", "la boutique"]}'))
    seconds, err = timed(lambda: make(stub).json(MESSAGES, SCHEMA))
    assert 1.9 <= seconds < 3.5, seconds
    assert err.kind == "timeout" and "2 s an answer may take" in err.en and "2 s qu'une réponse" in err.fr
    assert len(stub.chat_requests()) == 1  # no retry once the deadline has passed


def test_a_hung_server_costs_the_deadline_not_the_read_timeout_times_the_retries(stub: StubOpenAI) -> None:
    stub.set_default(Reply.hang())
    seconds, err = timed(lambda: make(stub, timeout=30.0).json(MESSAGES, SCHEMA))
    assert 1.9 <= seconds < 3.5, seconds
    assert err.kind == "timeout" and len(stub.chat_requests()) == 1


def test_a_trickled_stream_is_given_up_at_the_deadline_too(stub: StubOpenAI) -> None:
    stub.set_default(Reply.trickle(0.05, "Un moment de vérité est un moment où le client décide."))
    model = make(stub, answer_deadline=1.5)
    shown: list[str] = []

    def read() -> None:
        shown.extend(model.stream(MESSAGES))

    seconds, err = timed(read)
    assert 1.4 <= seconds < 3.0, seconds
    assert err.kind == "timeout" and "1.5 s" in err.en


def test_retries_share_the_deadline_and_none_starts_after_it(stub: StubOpenAI) -> None:
    # Each try is cut by the 1 s read timeout, then retried with backoff, all inside 2.5 s.
    stub.set_default(Reply.slow(10.0))
    seconds, err = timed(lambda: make(stub, timeout=1.0, max_retries=10, answer_deadline=2.5).json(MESSAGES, SCHEMA))
    assert seconds < 4.0, seconds
    assert err.kind == "timeout"


def test_an_outer_deadline_covers_two_calls(stub: StubOpenAI) -> None:
    """What the interview does around the one or two calls that read one answer."""
    stub.queue(Reply.ok('{"touchpoints": []}'))
    stub.set_default(Reply.hang())
    model = make(stub, answer_deadline=30.0)
    start = time.monotonic()
    with answer_deadline(1.5):
        assert model.json(MESSAGES, SCHEMA) == '{"touchpoints": []}'
        with pytest.raises(ModelError) as info:
            model.json(MESSAGES, SCHEMA)
    assert info.value.kind == "timeout" and time.monotonic() - start < 2.3


def test_a_normal_answer_is_not_slowed_by_the_guard(stub: StubOpenAI) -> None:
    stub.set_default(Reply.ok('{"touchpoints": ["le site"]}'))
    model = make(stub, answer_deadline=5.0)
    assert json.loads(model.json(MESSAGES, SCHEMA)) == {"touchpoints": ["le site"]}
    assert "".join(make(stub).stream(MESSAGES)) == '{"touchpoints": ["le site"]}'


def test_the_guard_is_installed_in_the_clients_pools() -> None:
    """If httpx2 changes its insides, this fails (rather than users waiting without a deadline)."""
    client = http_client(5.0)
    assert install(client)
    assert isinstance(client._transport._pool._network_backend, DeadlineBackend)  # type: ignore[attr-defined]
    proxied = httpx2.Client(mounts={"http://": httpx2.HTTPTransport(proxy="http://127.0.0.1:9")})
    assert install(proxied)
    assert all(isinstance(t._pool._network_backend, DeadlineBackend)  # type: ignore[union-attr]
               for t in proxied._mounts.values())


# --- replies that must not crash or leak -----------------------------------------------------------

def test_json_nested_1100_deep_is_an_unusable_answer_not_a_recursion_error(stub: StubOpenAI) -> None:
    stub.set_default(Reply.nested(1100))
    with pytest.raises(ModelError) as info:
        make(stub).json(MESSAGES, SCHEMA)
    assert info.value.kind == "bad_output" and "nested too deeply" in info.value.en


def test_a_reply_quoting_the_key_is_masked(stub: StubOpenAI) -> None:
    stub.set_default(Reply.key_echo())
    raw = make(stub).json(MESSAGES, SCHEMA)
    assert SECRET not in raw and "***" in raw
    assert json.loads(raw)["touchpoints"] == ["Voici la clé *** qui ouvre tout"]


def test_a_streamed_reply_quoting_the_key_in_pieces_is_masked(stub: StubOpenAI) -> None:
    stub.set_default(Reply.key_echo())
    pieces = list(make(stub).stream(MESSAGES))
    text = "".join(pieces)
    assert text == "Voici la clé *** qui ouvre tout"
    assert not any(part in piece for piece in pieces for part in (SECRET[:10], SECRET[-10:]))


def test_model_names_quoting_the_key_are_masked() -> None:
    with StubOpenAI(models=(f"model-{SECRET}",), lifetime=60) as stub:
        assert make(stub).list_models() == ["model-***"]


def test_a_short_non_secret_key_is_never_masked_in_replies(stub: StubOpenAI) -> None:
    """The embedded model's key is the word "local": replies speaking of a local shop stay intact."""
    stub.set_default(Reply.ok('{"touchpoints": ["le magasin local"]}'))
    model = OpenAIChatModel(model="local", api_key="local", base_url=stub.base_url, secret_key=False)
    assert json.loads(model.json(MESSAGES, SCHEMA)) == {"touchpoints": ["le magasin local"]}


def test_a_foreign_script_reply_goes_through_the_model_layer_unchanged(stub: StubOpenAI) -> None:
    """Judging the language of values is the interview's job (the reading path); the model layer
    hands them on as they came, valid UTF-8."""
    stub.set_default(Reply.foreign())
    assert json.loads(make(stub).json(MESSAGES, SCHEMA)) == {"touchpoints": [FOREIGN_TEXT]}


@pytest.mark.parametrize("cut", range(1, 40))
def test_the_key_filter_never_lets_a_part_of_the_key_through(cut: int) -> None:
    text = f"avant {SECRET} après {SECRET}"
    shown = KeyFilter(SECRET)
    pieces = [text[i : i + cut] for i in range(0, len(text), cut)]
    out = [shown.feed(p) for p in pieces] + [shown.flush()]
    assert "".join(out) == "avant *** après ***"
    assert not any(SECRET[:6] in o for o in out)
