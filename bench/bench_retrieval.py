"""Retrieval quality and speed on journeybot's own method documents, against a plain BM25 baseline.

    .venv/bin/python bench/bench_retrieval.py [--eval bench/retrieval_eval.yaml] [--passes 5] [--json]

Indexes the real knowledge/ documents into a temporary JOURNEYBOT_HOME (so nothing of yours is
touched), then for every entry of the evaluation file ({query, lang, expected: "<doc id>#<## heading>"
or a list of them}) searches with the entry's language filter and prints, for each system:
recall@3, MRR@10 and query latency p50/p95 (after one warm-up pass over all queries).
Systems: journeybot (hybrid: Chroma vectors + BM25, reciprocal rank fusion), vector only, keyword
only (journeybot's tokenizer), and a plain BM25 baseline (rank_bm25 over the same chunks, lower-cased
words, no accent folding, no stop words).
Also: the time of the first index build, of an update with nothing changed (in-process, new client)
and of the `journeybot index` command with nothing changed (a whole process).
Targets: recall@3 >= 0.95 and not below BM25; p95 query <= 20 ms; no-change index <= 0.5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
Search = Callable[[str, "str | None"], list[str]]


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * q
    low, high = int(pos), min(int(pos) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def load_eval(path: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries = (data.get("queries") or []) if isinstance(data, dict) else (data or [])
    out = []
    for e in entries:
        expected = e["expected"] if isinstance(e["expected"], list) else [e["expected"]]
        out.append({"query": str(e["query"]), "lang": e.get("lang"), "expected": [str(x) for x in expected]})
    return out


def quality(name: str, search: Search, entries: list[dict[str, Any]]) -> dict[str, Any]:
    """recall@3 and MRR@10 of one system; search(query, lang) -> ranked "doc_id#section" keys."""
    hits3 = 0
    rr = 0.0
    misses: list[str] = []
    for e in entries:
        ranked = search(e["query"], e["lang"])[:10]
        ranks = [i for i, key in enumerate(ranked) if key in e["expected"]]
        if ranks and ranks[0] < 3:
            hits3 += 1
        else:
            misses.append(f"{e['query']!r} -> {ranked[:3]} (expected {e['expected']})")
        rr += 1.0 / (ranks[0] + 1) if ranks else 0.0
    n = len(entries)
    return {"system": name, "recall@3": hits3 / n, "mrr": rr / n, "misses": misses}


def latencies(systems: list[Search], entries: list[dict[str, Any]], passes: int) -> list[list[float]]:
    """Per system, the milliseconds of every query, after a warm-up pass. The systems take turns on
    each query, so that a burst of load on a shared machine hits them all alike."""
    for search in systems:
        for e in entries:
            search(e["query"], e["lang"])
    times: list[list[float]] = [[] for _ in systems]
    for _ in range(passes):
        for e in entries:
            for i, search in enumerate(systems):
                start = time.perf_counter()
                search(e["query"], e["lang"])
                times[i].append((time.perf_counter() - start) * 1000)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval", type=Path, default=REPO / "bench" / "retrieval_eval.yaml")
    parser.add_argument("--passes", type=int, default=5, help="timed passes over all queries")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--misses", action="store_true", help="list the queries missed at rank 3")
    parser.add_argument("--embeddings", choices=["use", "e5"], default="use",
                        help="embedder for the vector side (e5 needs journeybot[e5])")
    args = parser.parse_args(argv)
    if not args.eval.is_file():
        print(f"No evaluation file at {args.eval}.", file=sys.stderr)
        return 2

    home = tempfile.mkdtemp(prefix="jb-bench-")
    os.environ["JOURNEYBOT_HOME"] = home
    os.environ["ANONYMIZED_TELEMETRY"] = "False"
    for var in ("JOURNEYBOT_CHROMA_URL", "JOURNEYBOT_EXTRA_DOCS"):
        os.environ.pop(var, None)
    os.environ["JOURNEYBOT_EMBEDDINGS"] = args.embeddings  # the `journeybot index` runs below too

    from rank_bm25 import BM25Okapi

    from journeybot.knowledge.embeddings import Embedder, make_embedder
    from journeybot.knowledge.index import KnowledgeIndex
    from journeybot.knowledge.retriever import Retriever, open_retriever
    from journeybot.resources import knowledge_dir
    from journeybot.settings import load_settings

    entries = load_eval(args.eval)
    settings = load_settings(embeddings=args.embeddings)
    # a snapshot, so that documents being edited meanwhile do not change the index under the timings
    docs = Path(home) / "knowledge"
    shutil.copytree(knowledge_dir(), docs, ignore=shutil.ignore_patterns(".*"))
    embedder: Embedder = make_embedder(settings)
    load_s = float(getattr(embedder, "warm_up", lambda: 0.0)())

    start = time.perf_counter()
    index = KnowledgeIndex(settings, embedder=embedder, builtin_dir=docs)
    first = index.sync()
    build_s = time.perf_counter() - start

    # nothing changed: answered from the manifest (file hashes + store stamp), then with the manifest
    # removed, i.e. a full check against the store (reopen Chroma, read every chunk's metadata)
    no_change: list[float] = []
    full_check: list[float] = []
    for timings, drop_manifest in ((no_change, False), (full_check, True)):
        for _ in range(5):
            if drop_manifest:
                for manifest in (Path(home) / "data" / "chroma").glob("*.manifest.json"):
                    manifest.unlink()
            start = time.perf_counter()
            report = KnowledgeIndex(settings, embedder=embedder, builtin_dir=docs).sync()
            timings.append(time.perf_counter() - start)
            assert not report.changed, report.as_dict()

    retriever = open_retriever(settings, index=KnowledgeIndex(settings, embedder=embedder,
                                                             builtin_dir=docs))
    chunks = retriever.chunks
    keys = [f"{c.doc_id}#{c.section}" for c in chunks]
    known = set(keys)
    unknown = sorted({x for e in entries for x in e["expected"] if x not in known})

    def system(mode: str) -> Search:
        r = Retriever(retriever.index, chunks, mode=mode)  # type: ignore[arg-type]

        def search(query: str, lang: str | None) -> list[str]:
            return [f"{p.doc_id}#{p.section}" for p in r.search(query, lang=lang, k=10)]

        return search

    plain_tokens = [re.findall(r"\w+", c.search_text.lower()) for c in chunks]
    plain = BM25Okapi(plain_tokens)

    def bm25_plain(query: str, lang: str | None) -> list[str]:
        scores = plain.get_scores(re.findall(r"\w+", query.lower()))
        order = sorted((i for i in range(len(chunks)) if lang is None or chunks[i].lang == lang),
                       key=lambda i: -scores[i])
        return [keys[i] for i in order[:10]]

    systems: list[tuple[str, Search]] = [
        ("journeybot (hybrid)", system("hybrid")),
        (f"vector only ({embedder.name} + Chroma)", system("vector")),
        ("keyword only (journeybot BM25)", system("keyword")),
        ("plain BM25 baseline", bm25_plain),
    ]
    results = [quality(name, search, entries) for name, search in systems]
    load_before = os.getloadavg()[0]
    for r, times in zip(results, latencies([s for _, s in systems], entries, args.passes), strict=True):
        r["p50_ms"] = _percentile(times, 0.5)
        r["p95_ms"] = _percentile(times, 0.95)
    load_after = os.getloadavg()[0]
    # `journeybot index` as a user runs it (whole process: interpreter, imports, Chroma, scan). It reads
    # the live knowledge/ folder: a run that had edits to pick up is not counted.
    cli = Path(sys.executable).parent / "journeybot"
    cli_s: list[float] = []
    for _ in range(6 if cli.exists() else 0):
        start = time.perf_counter()
        done = subprocess.run([str(cli), "index", "--format", "json"], check=True, capture_output=True)
        elapsed = time.perf_counter() - start
        if json.loads(done.stdout)["chunks_embedded"] == 0 and not json.loads(done.stdout)["removed"]:
            cli_s.append(elapsed)
        if len(cli_s) == 3:
            break

    figures = {
        "embeddings": embedder.name, "queries": len(entries), "documents": first.documents, "chunks": first.chunks,
        "model_load_s": round(load_s, 3), "first_index_s": round(build_s, 3),
        "no_change_index_s_median": round(statistics.median(no_change), 3),
        "no_change_index_s_max": round(max(no_change), 3),
        "no_change_full_check_s_median": round(statistics.median(full_check), 3),
        "load_average_1min": [round(load_before, 2), round(load_after, 2)], "cpus": os.cpu_count(),
        "no_change_cli_wall_s_median": round(statistics.median(cli_s), 3) if cli_s else None,
        "unknown_expected": unknown,
        "systems": [{k: (round(v, 3) if isinstance(v, float) else v) for k, v in r.items()
                     if k != "misses" or args.misses} for r in results],
    }
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
        return 0
    print(f"embeddings: {embedder.name}; {len(entries)} queries over {first.documents} documents / {first.chunks} chunks "
          f"({args.eval.relative_to(REPO) if args.eval.is_relative_to(REPO) else args.eval})")
    print(f"embedding model load {load_s:.2f} s; first index build {build_s:.2f} s; "
          f"no-change index {statistics.median(no_change):.3f} s median (max {max(no_change):.3f} s; "
          f"{statistics.median(full_check):.3f} s without the manifest)"
          + (f"; `journeybot index` no-change, whole process {statistics.median(cli_s):.2f} s" if cli_s else ""))
    if unknown:
        print(f"WARNING: {len(unknown)} expected key(s) match no chunk: {unknown}")
    print(f"query latency measured with a 1-min load average of {load_before:.1f} -> {load_after:.1f} "
          f"on {os.cpu_count()} CPUs, {args.passes} passes, systems taking turns on each query")
    print(f"{'system':34} {'recall@3':>9} {'MRR':>7} {'p50 ms':>8} {'p95 ms':>8}")
    for r in results:
        print(f"{r['system']:34} {r['recall@3']:9.3f} {r['mrr']:7.3f} {r['p50_ms']:8.2f} {r['p95_ms']:8.2f}")
    if args.misses:
        for r in results:
            for m in r["misses"]:
                print(f"  miss [{r['system']}] {m}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
