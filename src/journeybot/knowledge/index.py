"""The Chroma index of method documents: one collection per embedder, incremental updates.

- Local store: ``chromadb.PersistentClient`` in ``paths.data_dir()/"chroma"``; shared server:
  ``chromadb.HttpClient`` when ``settings.chroma_url`` is set (e.g. http://127.0.0.1:8123).
- The collection is always opened with journeybot's own embedding function (Chroma's default one
  would download a model) and is named after the embedder, so vectors of two models never mix.
- One chunk per ``##`` section. Its metadata: doc key/id, title, section, lang, phases and pitfalls
  (as ``|a|b|`` strings to read back, and as ``phase:<id>`` / ``pitfall:<code>`` true flags to filter
  on, since Chroma metadata values cannot be lists), sources (JSON), path, content hash.
- ``sync()`` re-embeds only documents whose content hash changed and deletes the chunks of documents
  that are gone. Documents are found in journeybot's own knowledge folder, in the user's
  ``extra_docs`` folders, in a folder given once (``journeybot index --add``), and among the user files
  already indexed that still exist.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from .. import paths
from ..i18n import choose, count, plural
from .documents import (
    Chunk,
    Document,
    DocumentError,
    Lang,
    builtin_files,
    content_hash,
    parse_document,
    user_files,
)
from .embeddings import Embedder, make_embedder
from .errors import KnowledgeError

if TYPE_CHECKING:
    from ..settings import Settings

Progress = Callable[[int, int, str], None]
"""Called as progress(done, total, what) while chunks are embedded (what: "embedding")."""


def step_label(what: str, total: int, lang: Lang) -> str:
    """What an index step is called where a user sees it: « vectorisation de 262 sections »."""
    if what != "embedding":
        return what
    sections = plural(total, lang, "d'une section", f"de {total} sections")
    return choose(lang, f"vectorisation {sections}",
                  f"embedding {count(total, lang, ('section', 'sections'), ('section', 'sections'))}")


COLLECTION_PREFIX = "journeybot-"
BATCH = 32


@dataclass
class IndexReport:
    """What one ``sync`` did, counted in documents (and chunks embedded)."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    chunks_embedded: int = 0
    documents: int = 0
    chunks: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)  # "path: sentence" for files that were skipped

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": len(self.added), "updated": len(self.updated), "removed": len(self.removed),
            "unchanged": self.unchanged, "chunks_embedded": self.chunks_embedded,
            "documents": self.documents, "chunks": self.chunks, "seconds": round(self.seconds, 3),
            "problems": self.problems,
        }


def _flags(prefix: str, values: Iterable[str]) -> dict[str, bool]:
    return {f"{prefix}:{v}": True for v in values}


def _joined(values: Sequence[str]) -> str:
    return "|" + "|".join(values) + "|" if values else ""


def _split(value: Any) -> tuple[str, ...]:
    return tuple(v for v in str(value or "").split("|") if v)


def chunk_metadata(chunk: Chunk) -> dict[str, str | int | bool]:
    meta: dict[str, str | int | bool] = {
        "doc_key": chunk.doc_key, "doc_id": chunk.doc_id, "title": chunk.title, "section": chunk.section,
        "lang": chunk.lang, "phases": _joined(chunk.phases), "pitfalls": _joined(chunk.pitfalls),
        "sources": json.dumps(list(chunk.sources), ensure_ascii=False), "path": chunk.path,
        "doc_hash": chunk.doc_hash, "position": chunk.position,
    }
    meta.update(_flags("phase", chunk.phases))
    meta.update(_flags("pitfall", chunk.pitfalls))
    return meta


def chunk_from_record(chunk_id: str, text: str, meta: dict[str, Any]) -> Chunk:
    try:
        sources = tuple(str(s) for s in json.loads(str(meta.get("sources") or "[]")))
    except ValueError:
        sources = ()
    lang: Lang = "fr" if meta.get("lang") == "fr" else "en"
    return Chunk(
        id=chunk_id, doc_key=str(meta.get("doc_key", "")), doc_id=str(meta.get("doc_id", "")),
        title=str(meta.get("title", "")), section=str(meta.get("section", "")), lang=lang, text=text,
        phases=_split(meta.get("phases")), pitfalls=_split(meta.get("pitfalls")), sources=sources,
        path=str(meta.get("path", "")), doc_hash=str(meta.get("doc_hash", "")),
        position=int(meta.get("position", 0)),
    )


def _unknown_codes(doc: Document) -> list[str]:
    """Phase ids and pitfall codes in a document's front matter that the method does not know
    (the document is still indexed: its filters simply never match them)."""
    from ..method.catalog import pitfalls
    from ..method.model import PHASE_IDS

    codes = pitfalls()
    out = [f"unknown phase id '{p}' in its front matter" for p in doc.phases if p not in PHASE_IDS]
    out += [f"unknown pitfall code '{p}' in its front matter" for p in doc.pitfalls if p not in codes]
    return out


def collection_name(embedder: Embedder) -> str:
    return f"{COLLECTION_PREFIX}{embedder.name}"


def _unreachable(url: str, err: BaseException | None = None) -> KnowledgeError:
    why = f" ({err.__class__.__name__})" if err is not None else ""
    return KnowledgeError(
        f"The Chroma server at {url} cannot be reached{why}: start it (chroma run --path DIR --port N) "
        "or unset JOURNEYBOT_CHROMA_URL to use the local index.",
        f"Le serveur Chroma {url} est injoignable{why} : démarrez-le (chroma run --path DOSSIER "
        "--port N) ou retirez JOURNEYBOT_CHROMA_URL pour utiliser l'index local.",
    )


def open_client(settings: Settings) -> Any:
    """A Chroma client: HttpClient for ``settings.chroma_url``, else the local persistent store."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    url = (settings.chroma_url or "").strip()
    if not url:
        return chromadb.PersistentClient(path=str(paths.data_dir() / "chroma"), settings=chroma_settings)
    parsed = urlparse(url if "://" in url else f"http://{url}")
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise KnowledgeError(
            f"JOURNEYBOT_CHROMA_URL must look like http://host:port, not {url!r}.",
            f"JOURNEYBOT_CHROMA_URL doit ressembler à http://hôte:port, pas {url!r}.",
            bad_input=True,
        )
    try:
        port = parsed.port or (443 if parsed.scheme == "https" else 8000)
    except ValueError:
        raise KnowledgeError(
            f"The port in JOURNEYBOT_CHROMA_URL ({url}) is not a number between 1 and 65535.",
            f"Le port de JOURNEYBOT_CHROMA_URL ({url}) n'est pas un nombre entre 1 et 65535.",
            bad_input=True,
        ) from None
    try:
        client = chromadb.HttpClient(host=parsed.hostname, port=port, ssl=parsed.scheme == "https",
                                     settings=chroma_settings)
        client.heartbeat()
    except Exception as err:  # connection refused, DNS, TLS, HTTP errors: all mean "cannot use it"
        raise _unreachable(url, err) from None
    return client


def chroma_embedding_function(embedder: Embedder) -> Any:
    """Chroma's EmbeddingFunction over our embedder (so Chroma never falls back to its default one)."""
    from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

    class JourneybotEmbeddingFunction(EmbeddingFunction[Documents]):
        def __init__(self) -> None:
            self._embedder = embedder

        def __call__(self, input: Documents) -> Embeddings:
            import numpy as np

            return [np.asarray(v, dtype=np.float32) for v in self._embedder.embed_documents(list(input))]

        def embed_query(self, input: Documents) -> Embeddings:
            import numpy as np

            return [np.asarray(self._embedder.embed_query(t), dtype=np.float32) for t in input]

        @staticmethod
        def name() -> str:
            return "journeybot"

        def get_config(self) -> dict[str, Any]:
            return {"embedder": self._embedder.name}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> JourneybotEmbeddingFunction:
            raise NotImplementedError("journeybot always passes its embedding function explicitly")

        def default_space(self) -> Any:
            return "cosine"

    return JourneybotEmbeddingFunction()


@dataclass(frozen=True)
class _Found:
    key: str
    path: Path
    raw: bytes
    hash: str


class IndexChangedError(KnowledgeError):
    """The local Chroma store failed under us (usually: changed by another process); reopen and retry."""


class KnowledgeIndex:
    """The chunks of every known method document, in one Chroma collection per embedder."""

    def __init__(self, settings: Settings, *, embedder: Embedder | None = None,
                 builtin_dir: Path | None = None):
        self.settings = settings
        self.embedder = embedder if embedder is not None else make_embedder(settings)
        self._builtin_dir = builtin_dir
        self._collection: Any = None
        self.location = settings.chroma_url or str(paths.data_dir() / "chroma")

    @property
    def builtin_dir(self) -> Path | None:
        if self._builtin_dir is None:
            from ..resources import knowledge_dir

            try:
                self._builtin_dir = knowledge_dir()
            except FileNotFoundError:
                return None
        return self._builtin_dir

    @property
    def collection(self) -> Any:
        if self._collection is None:
            client = open_client(self.settings)
            try:
                self._collection = client.get_or_create_collection(
                    collection_name(self.embedder),
                    embedding_function=chroma_embedding_function(self.embedder),
                    configuration={"hnsw": {"space": "cosine"}},
                    metadata={"embedder": self.embedder.name},
                )
            except KnowledgeError:
                raise
            except Exception as err:
                if self.settings.chroma_url:
                    raise _unreachable(self.settings.chroma_url, err) from None
                raise KnowledgeError(
                    f"The knowledge index in {self.location} cannot be opened ({err.__class__.__name__}); "
                    "delete that folder and run journeybot index again.",
                    f"L'index de connaissances {self.location} ne s'ouvre pas ({err.__class__.__name__}) ; "
                    "supprimez ce dossier puis relancez journeybot index.",
                ) from None
        return self._collection

    def _call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """A Chroma call. A server that went away becomes a KnowledgeError; a local store that
        fails (typically because another journeybot process changed it) an IndexChangedError."""
        try:
            return fn(*args, **kwargs)
        except KnowledgeError:
            raise
        except Exception as err:
            if self.settings.chroma_url:
                raise _unreachable(self.settings.chroma_url, err) from None
            raise IndexChangedError(
                f"The knowledge index in {self.location} failed ({err.__class__.__name__}: {err}); "
                "run journeybot index, or delete that folder if it keeps failing.",
                f"L'index de connaissances {self.location} a échoué ({err.__class__.__name__} : {err}) ; "
                "lancez journeybot index, ou supprimez ce dossier si l'erreur persiste.",
            ) from err

    def reopen(self) -> None:
        """Forget the open collection. For the local store, also drop Chroma's per-process cache:
        Chroma's embedded store does not see what another process wrote, so an index changed by a
        `journeybot index` running elsewhere is only read correctly by a freshly opened client."""
        self._collection = None
        if not self.settings.chroma_url and "chromadb" in sys.modules:  # not imported: nothing cached
            from chromadb.api.shared_system_client import SharedSystemClient

            SharedSystemClient.clear_system_cache()

    def stamp(self) -> tuple[int, ...]:
        """Something that changes whenever the store is written: the local database file's
        modification time and size; for a shared server, a digest of every chunk id and content hash
        (one metadata read)."""
        if self.settings.chroma_url:
            got = self._call(self.collection.get, include=["metadatas"])
            pairs = sorted(f"{cid}={(meta or {}).get('doc_hash', '')}"
                           for cid, meta in zip(got["ids"], got["metadatas"] or [], strict=False))
            return (hash("\n".join(pairs)),)
        stamps: list[int] = []
        for name in ("chroma.sqlite3", "chroma.sqlite3-wal"):
            try:
                st = (paths.data_dir() / "chroma" / name).stat()
                stamps += [st.st_mtime_ns, st.st_size]
            except OSError:
                stamps += [0, 0]
        return tuple(stamps)

    # ---------- what is on disk ----------
    def _scan(self, folders: Sequence[Path], known_user_paths: Iterable[str],
              report: IndexReport) -> dict[str, _Found]:
        found: dict[str, _Found] = {}

        def take(key: str, path: Path) -> None:
            if key in found:
                return
            try:
                raw = path.read_bytes()
            except OSError as err:
                report.problems.append(f"{path}: cannot be read ({err.strerror or err})")
                return
            found[key] = _Found(key, path, raw, content_hash(raw))

        if self.builtin_dir is not None:
            for key, path in builtin_files(self.builtin_dir):
                take(key, path)
        for folder in folders:
            for key, path in user_files(folder):
                take(key, path)
        for key in known_user_paths:
            path = Path(key.removeprefix("user:"))
            if path.is_file():
                take(key, path)
        return found

    def _indexed(self) -> dict[str, tuple[str, list[str]]]:
        """doc key -> (content hash, chunk ids) of what the collection holds now."""
        got = self._call(self.collection.get, include=["metadatas"])
        out: dict[str, tuple[str, list[str]]] = {}
        for chunk_id, meta in zip(got["ids"], got["metadatas"] or [], strict=False):
            meta = meta or {}
            key = str(meta.get("doc_key", ""))
            entry = out.setdefault(key, (str(meta.get("doc_hash", "")), []))
            entry[1].append(chunk_id)
        return out

    def user_folders(self, add: Sequence[Path] = ()) -> list[Path]:
        folders = [Path(p).expanduser() for p in self.settings.extra_docs]
        problems = [p for p in [*folders, *add] if not p.is_dir()]
        if problems:
            shown = problems[0]
            raise KnowledgeError(
                f"The documents folder {shown} does not exist or is not a folder.",
                f"Le dossier de documents {shown} n'existe pas ou n'est pas un dossier.",
                bad_input=True,
            )
        return [*folders, *add]

    def sync(self, *, add: Sequence[Path] = (), progress: Progress | None = None) -> IndexReport:
        """Bring the collection in line with the documents on disk; re-embed only what changed."""
        if self.settings.chroma_url:
            return self._sync(add, progress)
        self.reopen()  # never read or write through a client that may not see another process's changes
        quick = self._unchanged_by_manifest(add)
        if quick is not None:
            return quick
        report = self._sync(add, progress)
        self._write_manifest(report)
        return report

    # ---------- the local manifest: "nothing changed" without opening Chroma ----------
    def _manifest_path(self) -> Path:
        return paths.data_dir() / "chroma" / f"{collection_name(self.embedder)}.manifest.json"

    def _write_manifest(self, report: IndexReport) -> None:
        """After a local sync: every indexed document's hash, and the store's stamp at that moment."""
        indexed = self._indexed()
        data = {"stamp": list(self.stamp()), "chunks": report.chunks,
                "docs": {key: value[0] for key, value in indexed.items()}}
        path = self._manifest_path()
        try:
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            tmp.replace(path)
        except OSError:
            path.unlink(missing_ok=True)

    def _unchanged_by_manifest(self, add: Sequence[Path]) -> IndexReport | None:
        """A report of 'nothing to do' when the files on disk hash exactly as at the last local sync
        and nobody wrote to the store since (its stamp is the same); None means: do a real sync.
        This keeps `journeybot index` with nothing changed from even importing Chroma."""
        start = time.perf_counter()
        try:
            data = json.loads(self._manifest_path().read_text(encoding="utf-8"))
            docs: dict[str, str] = {str(k): str(v) for k, v in data["docs"].items()}
            if tuple(data["stamp"]) != self.stamp():
                return None
            chunks = int(data["chunks"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None
        report = IndexReport()
        folders = self.user_folders([Path(p).expanduser() for p in add])
        found = self._scan(folders, [k for k in docs if k.startswith("user:")], report)
        if report.problems or {k: f.hash for k, f in found.items()} != docs:
            return None
        report.unchanged = report.documents = len(docs)
        report.chunks = chunks
        report.seconds = time.perf_counter() - start
        return report

    def _sync(self, add: Sequence[Path], progress: Progress | None) -> IndexReport:
        start = time.perf_counter()
        report = IndexReport()
        folders = self.user_folders([Path(p).expanduser() for p in add])
        indexed = self._indexed()
        found = self._scan(folders, [k for k in indexed if k.startswith("user:")], report)

        changed: list[Document] = []
        for key, item in found.items():
            old = indexed.get(key)
            if old is not None and old[0] == item.hash:
                report.unchanged += 1
                continue
            try:
                doc = parse_document(item.path, key, item.raw)
            except DocumentError as err:
                report.problems.append(f"{item.path}: {err}")
                continue
            report.problems.extend(f"{item.path}: {p}" for p in doc.problems)
            report.problems.extend(f"{item.path}: {p}" for p in _unknown_codes(doc))
            if not any(c.text.strip() for c in doc.chunks):
                report.problems.append(f"{item.path}: has no text to index")
                continue
            changed.append(doc)
            (report.updated if old is not None else report.added).append(key)

        kept = {doc.key for doc in changed} | {k for k, v in indexed.items() if k in found and found[k].hash == v[0]}
        gone = [key for key in indexed if key not in kept]
        stale_ids = [cid for key in gone for cid in indexed[key][1]]
        stale_ids += [cid for doc in changed if doc.key in indexed for cid in indexed[doc.key][1]]
        if stale_ids:
            self._call(self.collection.delete, ids=stale_ids)
        report.removed = gone

        chunks = [c for doc in changed for c in doc.chunks if c.text.strip()]
        total = len(chunks)
        if progress is not None and total:
            progress(0, total, "embedding")
        for first in range(0, total, BATCH):
            batch = chunks[first:first + BATCH]
            vectors = self.embedder.embed_documents([c.search_text for c in batch])
            self._call(
                self.collection.add,
                ids=[c.id for c in batch], documents=[c.text for c in batch],
                embeddings=vectors, metadatas=[chunk_metadata(c) for c in batch],
            )
            report.chunks_embedded += len(batch)
            if progress is not None:
                progress(report.chunks_embedded, total, "embedding")

        report.documents = report.unchanged + len(changed)
        report.chunks = int(self._call(self.collection.count))
        report.seconds = time.perf_counter() - start
        return report

    def chunks(self) -> list[Chunk]:
        """Every chunk in the collection, in a stable order (document key, position)."""
        got = self._call(self.collection.get, include=["documents", "metadatas"])
        out = [chunk_from_record(cid, text or "", meta or {})
               for cid, text, meta in zip(got["ids"], got["documents"] or [], got["metadatas"] or [],
                                          strict=False)]
        out.sort(key=lambda c: (c.doc_key, c.position))
        return out

    def query(self, vector: Sequence[float], n: int, where: dict[str, Any] | None) -> list[tuple[str, float]]:
        """(chunk id, cosine distance) of the n nearest chunks that match ``where``."""
        got = self._call(self.collection.query, query_embeddings=[list(vector)], n_results=n,
                         where=where, include=["distances"])
        ids = got["ids"][0] if got["ids"] else []
        dists = got["distances"][0] if got.get("distances") else [0.0] * len(ids)
        return [(cid, float(d)) for cid, d in zip(ids, dists, strict=False)]
