"""Cited retrieval over the method documents: the API the agent, the TUI and the CLI code against.

    retriever = open_retriever(settings)            # builds or updates the index if needed
    for p in retriever.search("moments de vérité", lang="fr", phase="moments_of_truth"):
        print(p.citation("fr"), p.text)

Hybrid ranking: the vector neighbours from Chroma and the BM25 keyword ranking over the same chunks
are fused by reciprocal rank fusion (``mode="hybrid"``, the default); ``mode="vector"`` and
``mode="keyword"`` keep one ranking only (the bench compares them).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from .errors import KnowledgeError

if TYPE_CHECKING:
    from ..settings import Settings
    from .documents import Chunk
    from .index import IndexReport, KnowledgeIndex, Progress

Mode = Literal["hybrid", "vector", "keyword"]
RRF_K = 60  # the usual reciprocal-rank-fusion constant
MAX_K = 20
SERVER_CHECK_SECONDS = 30.0


@dataclass(frozen=True)
class Passage:
    """One retrieved section of a method document, with what is needed to cite it."""

    doc_id: str
    title: str
    section: str
    lang: str
    text: str
    sources: list[str]
    phases: list[str]
    pitfalls: list[str]
    score: float
    path: str = ""

    def citation(self, lang: str = "fr") -> str:
        """'Moments de vérité — ZMOT, FMOT, SMOT, TMOT (source : 003 monday.com partner)'.

        Sources are named short: a source written "003 monday.com partner — ZMOT, FMOT" in the
        document is cited as "003 monday.com partner" (the full strings stay in ``sources``)."""
        head = self.title if self.section in ("", self.title) else f"{self.title} — {self.section}"
        names = list(dict.fromkeys(s.split(" — ")[0].strip() for s in self.sources if s.strip()))
        if not names:
            return head
        word = "sources" if len(names) > 1 else "source"
        sep = " : " if lang == "fr" else ": "
        return f"{head} ({word}{sep}{'; '.join(names)})"

    def as_dict(self, lang: str = "fr") -> dict[str, Any]:
        return {
            "doc_id": self.doc_id, "title": self.title, "section": self.section, "lang": self.lang,
            "citation": self.citation(lang), "sources": list(self.sources), "phases": list(self.phases),
            "pitfalls": list(self.pitfalls), "score": round(self.score, 6), "text": self.text,
            "path": self.path,
        }


def _passage(chunk: Chunk, score: float) -> Passage:
    return Passage(
        doc_id=chunk.doc_id, title=chunk.title, section=chunk.section, lang=chunk.lang, text=chunk.text,
        sources=list(chunk.sources), phases=list(chunk.phases), pitfalls=list(chunk.pitfalls),
        score=score, path=chunk.path,
    )


def _check_filters(phase: str | None, pitfall: str | None, lang: str | None) -> None:
    from ..method.model import PHASE_IDS

    if phase is not None and phase not in PHASE_IDS:
        raise KnowledgeError(
            f"Unknown phase '{phase}': use one of {', '.join(PHASE_IDS)}.",
            f"Phase inconnue « {phase} » : utilisez l'une de {', '.join(PHASE_IDS)}.",
            bad_input=True,
        )
    if pitfall is not None:
        from ..method.catalog import pitfalls

        codes = list(pitfalls())
        if pitfall not in codes:
            raise KnowledgeError(
                f"Unknown pitfall code '{pitfall}': use one of {', '.join(codes)}.",
                f"Code de piège inconnu « {pitfall} » : utilisez l'un de {', '.join(codes)}.",
                bad_input=True,
            )
    if lang is not None and lang not in ("fr", "en"):
        raise KnowledgeError(f"Unknown language '{lang}': use fr or en.",
                             f"Langue inconnue « {lang} » : utilisez fr ou en.", bad_input=True)


class Retriever:
    """Hybrid search over an index's chunks. Build it with ``open_retriever``."""

    def __init__(self, index: KnowledgeIndex, chunks: Sequence[Chunk], *, mode: Mode = "hybrid",
                 report: IndexReport | None = None):
        self.index = index
        self.mode: Mode = mode
        self.report = report
        self._lock = threading.Lock()  # searches may come from several UI workers; refresh swaps state
        self._load(chunks)

    def _load(self, chunks: Sequence[Chunk]) -> None:
        from .keyword import KeywordIndex

        self._stamp = self.index.stamp()
        self._checked = time.monotonic()
        self.chunks = list(chunks)
        self._by_id = {c.id: i for i, c in enumerate(self.chunks)}
        self._keyword = KeywordIndex([c.search_text for c in self.chunks])

    def refresh(self) -> None:
        """Reopen the index and reload its chunks (after another process changed it)."""
        self.index.reopen()
        self._load(self.index.chunks())

    def _refresh_if_changed(self) -> None:
        """Pick up documents indexed meanwhile by another process (`journeybot index --add` while the
        app runs) or another user of a shared server. Local store: a stat per search. Server: one
        metadata read at most every SERVER_CHECK_SECONDS."""
        if self.index.settings.chroma_url:
            if time.monotonic() - self._checked < SERVER_CHECK_SECONDS:
                return
            self._checked = time.monotonic()
        if self.index.stamp() != self._stamp:
            self.refresh()

    def __len__(self) -> int:
        return len(self.chunks)

    def _allowed(self, lang: str | None, phase: str | None, pitfall: str | None) -> list[bool]:
        return [
            (lang is None or c.lang == lang)
            and (phase is None or phase in c.phases)
            and (pitfall is None or pitfall in c.pitfalls)
            for c in self.chunks
        ]

    @staticmethod
    def _where(lang: str | None, phase: str | None, pitfall: str | None) -> dict[str, Any] | None:
        terms: list[dict[str, Any]] = []
        if lang is not None:
            terms.append({"lang": lang})
        if phase is not None:
            terms.append({f"phase:{phase}": True})
        if pitfall is not None:
            terms.append({f"pitfall:{pitfall}": True})
        if not terms:
            return None
        return terms[0] if len(terms) == 1 else {"$and": terms}

    def vector_ranking(self, query: str, allowed: list[bool], depth: int, *, lang: str | None = None,
                       phase: str | None = None, pitfall: str | None = None,
                       strict: bool = True) -> list[int]:
        n = min(depth, sum(allowed))
        if n == 0:
            return []
        vector = self.index.embedder.embed_query(query)
        hits = self.index.query(vector, n, self._where(lang, phase, pitfall))
        if strict and any(cid not in self._by_id for cid, _ in hits):
            from .index import IndexChangedError

            # another process (or another user of a shared server) added documents: reload them
            raise IndexChangedError("The index has chunks this retriever has not loaded.",
                                    "L'index contient des passages que ce chercheur n'a pas chargés.")
        return [self._by_id[cid] for cid, _ in hits if cid in self._by_id]

    def keyword_ranking(self, query: str, allowed: list[bool], depth: int) -> list[int]:
        scores = self._keyword.scores(query)
        order = sorted((i for i, s in enumerate(scores) if s > 0 and allowed[i]), key=lambda i: -scores[i])
        return order[:depth]

    def search(self, query: str, *, lang: str | None = None, phase: str | None = None,
               pitfall: str | None = None, k: int = 4) -> list[Passage]:
        """The k best passages for the query, best first (filters: language, phase id, pitfall code)."""
        query = (query or "").strip()
        if not query:
            raise KnowledgeError("The question is empty: type a few words.",
                                 "La question est vide : tapez quelques mots.", bad_input=True)
        if not 1 <= k <= MAX_K:
            raise KnowledgeError(f"k must be between 1 and {MAX_K}.", f"k doit être entre 1 et {MAX_K}.",
                                 bad_input=True)
        _check_filters(phase, pitfall, lang)
        from .index import IndexChangedError

        with self._lock:
            try:
                self._refresh_if_changed()
                return self._search(query, lang, phase, pitfall, k)
            except IndexChangedError:
                self.refresh()  # once: a second failure is reported as it is
                return self._search(query, lang, phase, pitfall, k, strict=False)

    def _search(self, query: str, lang: str | None, phase: str | None, pitfall: str | None,
                k: int, *, strict: bool = True) -> list[Passage]:
        allowed = self._allowed(lang, phase, pitfall)
        if not any(allowed):
            return []
        depth = max(4 * k, 20)
        rankings: list[list[int]] = []
        if self.mode in ("hybrid", "vector"):
            rankings.append(self.vector_ranking(query, allowed, depth, lang=lang, phase=phase, pitfall=pitfall,
                                                strict=strict))
        if self.mode in ("hybrid", "keyword"):
            rankings.append(self.keyword_ranking(query, allowed, depth))
        fused: dict[int, float] = {}
        for ranking in rankings:
            for rank, i in enumerate(ranking):
                fused[i] = fused.get(i, 0.0) + 1.0 / (RRF_K + rank + 1)
        best = sorted(fused, key=lambda i: (-fused[i], i))[:k]
        return [_passage(self.chunks[i], fused[i]) for i in best]


def open_retriever(settings: Settings, progress: Progress | None = None, *, mode: Mode = "hybrid",
                   index: KnowledgeIndex | None = None, update: bool = True,
                   warm: bool = True) -> Retriever:
    """A ready Retriever: opens (or builds, or updates) the index, loads its chunks, and loads the
    embedding model so that the first query is fast. Raises KnowledgeError."""
    from .index import KnowledgeIndex

    idx = index if index is not None else KnowledgeIndex(settings)
    report = idx.sync(progress=progress) if update else None
    retriever = Retriever(idx, idx.chunks(), mode=mode, report=report)
    if warm:
        warm_up = getattr(idx.embedder, "warm_up", None)
        if callable(warm_up):
            warm_up()
    return retriever
