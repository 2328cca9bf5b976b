"""Export benchmark: a 500-stage map (1,500 touchpoints, every lane filled) through every format.

Prints, per format, the median time of a few runs after one warm-up (ms) and the output size. The findings are
computed once (the linter is timed on its own line) and passed to the exports, so each line times
the format itself.

    .venv/bin/python bench/bench_export.py [--stages 500] [--runs 5] [--no-evidence]

Then the evidence side: reading a 100,000-row CSV (10,000 kept, the rest counted), and proposing
links for 1,000 verbatims against the sample map with the offline USE embedder (model load timed
apart).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import TypeVar

from journeybot.export import FORMATS, export_map
from journeybot.export.findings import lint_findings
from journeybot.export.sample import large_map

T = TypeVar("T")


def _timed(fn: Callable[[], T], runs: int) -> tuple[float, T]:
    """Median milliseconds over ``runs`` calls, and the last result."""
    times = []
    result = fn()
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stages", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--lang", choices=("fr", "en"), default="fr")
    parser.add_argument("--no-evidence", dest="evidence", action="store_false",
                        help="skip the evidence import and linking figures")
    args = parser.parse_args()

    start = time.perf_counter()
    journey = large_map(args.stages)
    build_ms = (time.perf_counter() - start) * 1000
    n_tp = sum(len(s.touchpoints) for s in journey.stages)
    print(f"map: {len(journey.stages)} stages, {n_tp} touchpoints, {len(journey.opportunities)} opportunities "
          f"(built and validated in {build_ms:.0f} ms)")

    lint_ms, findings = _timed(lambda: lint_findings(journey, args.lang), args.runs)
    print(f"{'lint':8} {lint_ms:9.1f} ms   {len(findings):>9} findings")
    for fmt in FORMATS:
        ms, out = _timed(lambda fmt=fmt: export_map(journey, fmt, lang=args.lang, findings=findings), args.runs)
        size = len(out.encode("utf-8")) if isinstance(out, str) else len(out)
        print(f"{fmt:8} {ms:9.1f} ms   {size / 1024:9.1f} KiB")
    if args.evidence:
        _bench_evidence()


def _bench_evidence() -> None:
    import numpy as np

    from journeybot.evidence import propose_links, read_evidence_csv
    from journeybot.export.sample import sample_map
    from journeybot.knowledge.embeddings import UseEmbedder

    lines = ["commentaire;note;source"] + [
        f"Avis n°{i} : j'ai attendu {i % 9 + 1} jours sans nouvelles de mon dossier;{i % 11};Google"
        for i in range(100_000)]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    ms, result = _timed(lambda: read_evidence_csv(data, name="bench.csv"), 3)
    print(f"evidence CSV, {len(data) / 1e6:.1f} MB, 100,000 rows: {ms:.0f} ms "
          f"({len(result.items)} kept, {result.skipped_rows} counted and skipped)")

    embedder = UseEmbedder()
    load_s = embedder.warm_up()
    print(f"USE embedder load: {load_s * 1000:.0f} ms")

    def embed(texts: list[str]) -> np.ndarray:
        return np.asarray(embedder.embed_documents(texts))

    journey = sample_map()
    items = result.items[:1000]
    ms, proposals = _timed(lambda: propose_links(journey, items, embed), 1)
    print(f"propose_links, 1,000 verbatims x 18 targets: {ms:.0f} ms ({len(proposals)} proposals)")


if __name__ == "__main__":
    main()
