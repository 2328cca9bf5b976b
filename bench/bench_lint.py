"""Speed of map validation and lint on a large map (500 stages, 4 touchpoints each).

    .venv/bin/python bench/bench_lint.py [--stages 500] [--runs 30]

Prints the median and 95th percentile in milliseconds of:
- parse: JSON text of a saved map -> validated JourneyMap (domain.map_file.parse_map_text)
- lint: every pitfall rule over the map (journeybot.lint.lint)
- review: the coach's scorecard (lint + KPAM criteria + phase exit checks)
and the ratio of each median to the 20 ms target (below 1.0 = within target). Wall-clock and CPU
time (time.process_time) are both shown: on a shared machine the wall clock also counts the time
other processes hold the cores, while CPU time counts only this process's work.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from collections.abc import Callable

from journeybot.domain.journey_map import JourneyMap
from journeybot.domain.map_file import dump_map, parse_map_text
from journeybot.lint import lint, review

TARGET_MS = 20.0
CHANNELS = [("Website", True), ("Phone", False), ("Mobile app", True), ("Store visit", False)]


def big_map(stages: int, per_stage: int = 4) -> str:
    """A realistic-looking map with ``stages`` stages, as JSON text."""
    lifecycle = ["before_purchase", "purchase", "after_purchase"]
    data: dict[str, object] = {
        "schema_version": 1,
        "title": f"Benchmark map with {stages} stages",
        "lang": "en",
        "created": "2026-09-01",
        "review_date": "2027-02-01",
        "framing": {"objective": "Measure speed", "start": "A need appears", "end": "The customer recommends us"},
        "persona": {"name": "Priya, operations manager", "segments": ["Clinics"], "goals": ["Fewer no-shows"]},
        "evidence": [{"kind": "interview", "text": f"Interview {i}: waiting is the worst part.", "source": "Interviews"}
                     for i in range(20)],
        "stages": [
            {
                "name": f"Step {i}: comparing options and talking to friends",
                "lifecycle": lifecycle[min(2, i * 3 // stages)],
                "touchpoints": [
                    {"name": f"Touchpoint {i}.{j} on the {CHANNELS[j % 4][0].lower()}",
                     "channel": CHANNELS[j % 4][0], "online": CHANNELS[j % 4][1], "owner": "Customer success",
                     "description": "The customer checks availability, then waits for a confirmation."}
                    for j in range(per_stage)
                ],
                "actions": [{"text": f"Does thing {i}"}],
                "thoughts": [{"text": f"'I hope step {i} is quick.'", "provenance": "customer"}],
                "emotion": {"score": (i % 5) - 2, "label": "varies"},
                "pain_points": [{"text": f"Pain at step {i}", "effort": "cognitive", "severity": 2}],
                "positives": [{"text": f"Good moment at step {i}"}],
                "metrics": [{"name": f"Drop-off at step {i}", "value": 12.5, "unit": "%", "source": "Analytics"}],
            }
            for i in range(stages)
        ],
        "moments_of_truth": [{"name": "First booking", "kind": "SMOT", "stage": "Step 3: comparing options"}],
        "opportunities": [{"text": f"Opportunity {i}", "kind": "innovate", "lever": "hidden",
                           "impact": 4, "reach": 3, "confidence": 3, "effort": 2} for i in range(30)],
        "action_plan": [{"action": f"Action {i}", "owner": "Product", "kpi": "No-show rate"} for i in range(10)],
    }
    return json.dumps(data, ensure_ascii=False)


def timed(fn: Callable[[], object], runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of each run."""
    fn()  # warm-up: word-list compilation, YAML loading, pydantic caches
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        cpu.append((time.process_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
    return wall, cpu


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--stages", type=int, default=500)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args(argv)

    # Time the map as journeybot saves it (dump_map): every item then has its id, as in real files.
    journey: JourneyMap = parse_map_text(big_map(args.stages))
    text = dump_map(journey)
    touchpoints = sum(1 for _ in journey.touchpoints())
    findings = lint(journey)
    print(f"map: {len(journey.stages)} stages, {touchpoints} touchpoints, {len(text) / 1024:.0f} KiB of JSON, "
          f"{len(findings)} finding(s) {[f.code for f in findings]}")
    print(f"python {sys.version.split()[0]}, {args.runs} runs each, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    load = f"{os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else "?"
    print(f"load average {load} on {os.cpu_count()} CPU(s)")
    print(f"{'step':<8}{'wall median':>12}{'wall p95':>10}{'cpu median':>12}{'cpu p95':>10}{'wall/20ms':>11}{'cpu/20ms':>10}")
    for name, fn in (("parse", lambda: parse_map_text(text)), ("lint", lambda: lint(journey)),
                     ("review", lambda: review(journey))):
        wall, cpu = timed(fn, args.runs)
        wm, cm = statistics.median(wall), statistics.median(cpu)
        print(f"{name:<8}{wm:>12.2f}{p95(wall):>10.2f}{cm:>12.2f}{p95(cpu):>10.2f}"
              f"{wm / TARGET_MS:>11.2f}{cm / TARGET_MS:>10.2f}")
    print("(milliseconds)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
