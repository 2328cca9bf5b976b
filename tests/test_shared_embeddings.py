"""One embedding model for the workshop: the service `journeybot serve` runs on 127.0.0.1 and the
SharedEmbedder each participant's app uses give the very vectors of the local model (same name, same
index collection), refuse a request without the key, and fail with a plain sentence when unreachable."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Sequence

import pytest

from journeybot.knowledge.embeddings import UseEmbedder, make_embedder
from journeybot.knowledge.errors import KnowledgeError
from journeybot.knowledge.shared_embeddings import MAX_TEXTS, SharedEmbedder, serve_embeddings
from journeybot.settings import load_settings


class Counting:
    """A small deterministic embedder that counts the texts it embeds."""

    name = "use-m3"
    dim = 3

    def __init__(self) -> None:
        self.seen = 0

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        self.seen += len(texts)
        return [[float(len(t)), float(t.count("e")), 1.0] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def test_vectors_through_the_service_are_the_local_ones() -> None:
    local = Counting()
    service = serve_embeddings(local, "k-0123456789")
    try:
        shared = SharedEmbedder(service.url, "k-0123456789", name="use-m3", dim=3)
        texts = [f"passage {i} de la méthode" for i in range(MAX_TEXTS + 3)]  # more than one request
        assert shared.embed_documents(texts) == Counting().embed_documents(texts)
        assert shared.embed_query("qu'est-ce qu'un moment de vérité ?") == \
            Counting().embed_query("qu'est-ce qu'un moment de vérité ?")
        assert local.seen == len(texts) + 1
        with pytest.raises(KnowledgeError) as info:
            SharedEmbedder(service.url, "wrong-key", name="use-m3", dim=3).embed_query("x")
        assert "embedding service" in info.value.en and "service d'embeddings" in info.value.fr
        request = urllib.request.Request(service.url + "/embed", data=json.dumps({"texts": ["x"]}).encode())
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 401
        assert local.seen == len(texts) + 1  # the refused requests computed nothing
    finally:
        service.stop()
    with pytest.raises(KnowledgeError):
        SharedEmbedder(service.url, "k-0123456789", name="use-m3", dim=3, timeout=2).embed_query("x")


def test_served_settings_give_the_shared_embedder_with_the_local_name() -> None:
    settings = load_settings(embeddings_url="http://127.0.0.1:9", embeddings_key="k-0123456789")
    embedder = make_embedder(settings)
    assert isinstance(embedder, SharedEmbedder)
    assert (embedder.name, embedder.dim) == (UseEmbedder.name, UseEmbedder.dim)  # the same index collection
    assert isinstance(make_embedder(load_settings()), UseEmbedder)
