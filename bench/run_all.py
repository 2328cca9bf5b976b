"""Every benchmark of bench/ in one run, and one table of the figures, their targets and ratios.

    .venv/bin/python bench/run_all.py [--quick] [--model local-small|local|none] [--fidelity-model M] [--logs DIR]

Runs each bench as its own process (as a user would run it, in a temporary JOURNEYBOT_HOME), keeps its
full output in --logs (default: a temp dir, printed at the end) and reads its figures from there:

- bench_ui.py          time to interactive of `journeybot` vs a bare Textual app (tmux, real terminal)
- bench_interview.py   per-turn overhead with a zero-latency fake model (p50/p95), prompt tokens at turn
                       10 vs 60
- bench_model.py       embedded model: tokens/s through journeybot vs plain HTTP, first token, seconds per
                       JSON-schema extraction                                         (skipped by --quick)
- bench_retrieval.py   recall@3, MRR, p95 query latency vs a plain BM25 baseline
- bench_lint.py        parse/lint/review of a 500-stage map
- bench_export.py      every export format on a 500-stage map
- bench_fidelity.py    facts kept / unsupported statements, journeybot vs one-shot map, same model
                       (--quick: --model none, the rules reader only)
- bench_serve.py       a workshop: `journeybot serve` with 1, 5, 10 participants answering at once, one
                       shared model: seconds per answer p50/p95, memory of every process (skipped by --quick)

A bench that fails or is missing gives a row saying so; the others still run. The machine's load average
is printed with the table: other processes on a 2-core machine slow every figure down.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
PY = sys.executable


@dataclass
class Row:
    figure: str
    value: str
    target: str
    verdict: str  # "OK", "MISSED", a ratio, "n/a", "error"


@dataclass
class Result:
    name: str
    code: int
    out: str
    seconds: float


def run_bench(script: str, args: list[str], logs: Path, home: Path, timeout: float) -> Result:
    path = BENCH / script
    if not path.exists():
        return Result(script, -1, f"{script} not found", 0.0)
    env = dict(os.environ, JOURNEYBOT_HOME=str(home / script.removesuffix(".py")), PYTHONUNBUFFERED="1")
    env.pop("OPENAI_API_KEY", None)
    start = time.perf_counter()
    print(f"running {script} {' '.join(args)} ...", file=sys.stderr, flush=True)
    try:
        done = subprocess.run([PY, str(path), *args], capture_output=True, text=True, timeout=timeout, env=env,
                              cwd=BENCH.parent)
        code, out = done.returncode, done.stdout + ("\n[stderr]\n" + done.stderr if done.stderr.strip() else "")
    except subprocess.TimeoutExpired as err:
        code, out = -2, f"timed out after {timeout:.0f} s\n" + (err.stdout.decode() if isinstance(err.stdout, bytes)
                                                                   else err.stdout or "")
    seconds = time.perf_counter() - start
    (logs / f"{script}.log").write_text(out, encoding="utf-8")
    print(f"  done in {seconds:.0f} s (exit {code})", file=sys.stderr, flush=True)
    return Result(script, code, out, seconds)


def _num(pattern: str, text: str, group: int = 1) -> float | None:
    found = re.search(pattern, text, re.M)
    return float(found.group(group)) if found else None


def _json_after(text: str) -> Any:
    start = text.find("{")
    end = text.rfind("}")
    return json.loads(text[start:end + 1]) if start >= 0 and end > start else None


def _failed(result: Result, figure: str) -> list[Row]:
    last = result.out.strip().splitlines()[-1][:80] if result.out.strip() else ""
    return [Row(figure, f"{result.name} failed (exit {result.code})", "", f"error: {last}")]


def _ok(ok: bool) -> str:
    return "OK" if ok else "MISSED"


# --- readers: one per bench -------------------------------------------------------------------

def read_ui(r: Result) -> list[Row]:
    bare = _num(r"bare textual app\s+median ([\d.]+) s", r.out)
    rows = []
    for model, median, ratio in re.findall(r"journeybot --model (\S+)\s+median ([\d.]+) s.*?x([\d.]+)", r.out):
        med, rat = float(median), float(ratio)
        rows.append(Row(f"UI time to interactive, --model {model} (bare Textual {bare:.3f} s)", f"{med:.3f} s",
                        "<= 1.0 s, <= 2x bare", f"x{rat:.2f} {_ok(med <= 1.0 and rat <= 2.0)}"))
    return rows or _failed(r, "UI time to interactive")


def read_interview(r: Result) -> list[Row]:
    data = _json_after(r.out)
    if not data:
        return _failed(r, "per-turn overhead")
    fake = data["fake_model"]
    o = fake["overhead_ms"]
    e = fake["enter_to_question_ms"]
    pt = fake["prompt_tokens"]
    ratio = fake["ratio"]["60/10"]
    return [
        Row("per-turn overhead excl. model, zero-latency fake (p50 / p95)", f"{o['p50']:.1f} / {o['p95']:.1f} ms",
            "p95 <= 50 ms", f"{o['p95'] / 50:.2f} {_ok(o['p95'] <= 50)}"),
        Row("Enter -> next question (p50 / p95)", f"{e['p50']:.1f} / {e['p95']:.1f} ms", "(shown)", "n/a"),
        Row("prompt tokens per turn, turn 10 vs turn 60", f"{pt['turn_10']} -> {pt['turn_60']}", "ratio <= 1.3",
            f"{ratio:.2f} {_ok(ratio is not None and ratio <= 1.3)}"),
    ]


def read_model(r: Result) -> list[Row]:
    ratio = _num(r"ratio journeybot / plain HTTP \(gen tok/s\): ([\d.]+)", r.out)
    if ratio is None:
        return _failed(r, "embedded model tokens/s")
    jb = re.search(r"journeybot ChatModel\s+([\d.]+)s\s+([\d.]+)\s+([\d.]+)", r.out)
    direct = re.search(r"plain HTTP\s+([\d.]+)s\s+([\d.]+)\s+([\d.]+)", r.out)
    extraction = _num(r"seconds per extraction: median ([\d.]+)", r.out)
    model = re.search(r"model: (\S+)", r.out)
    rows = [Row(f"embedded model ({model.group(1) if model else '?'}) gen tokens/s, journeybot vs plain HTTP",
                f"{jb.group(2) if jb else '?'} vs {direct.group(2) if direct else '?'} tok/s", ">= 0.95",
                f"{ratio:.3f} {_ok(ratio >= 0.95)}")]
    paired = _num(r"ratio per interleaved pair: median ([\d.]+)", r.out)
    if paired is not None:
        rows.append(Row("same, median of the interleaved (ABBA) pairs", "", ">= 0.95",
                        f"{paired:.3f} {_ok(paired >= 0.95)}"))
    if jb and direct:
        rows.append(Row("first-token latency, journeybot / plain HTTP", f"{jb.group(1)} / {direct.group(1)} s",
                        "(shown)", f"x{float(jb.group(1)) / max(float(direct.group(1)), 1e-9):.2f}"))
    bound = re.search(r"allows a ratio of ([\d.]+); at 60 tok/s: ([\d.]+)", r.out)
    if bound:  # the ChatModel's own cost per piece, measured against an instant server: load-independent
        rows.append(Row("tokens/s ratio the ChatModel's own cost allows (this rate; at 60 tok/s)",
                        f"{bound.group(1)}; {bound.group(2)}", ">= 0.95",
                        _ok(float(bound.group(2)) >= 0.95)))
    if extraction is not None:
        rows.append(Row("seconds per JSON-schema extraction (median)", f"{extraction:.2f} s", "(shown)", "n/a"))
    return rows


def read_retrieval(r: Result) -> list[Row]:
    data = _json_after(r.out)
    if not data:
        return _failed(r, "retrieval")
    systems = {s["name"] if "name" in s else s.get("system", "?"): s for s in data["systems"]}

    def pick(prefix: str) -> dict[str, Any]:
        return next(v for k, v in systems.items() if k.startswith(prefix))

    def key(d: dict[str, Any], word: str) -> float:
        return float(next(v for k, v in d.items() if word in k.lower() and isinstance(v, int | float)))

    jb, bm = pick("journeybot"), pick("plain BM25")
    rec, rec_bm = key(jb, "recall"), key(bm, "recall")
    mrr, mrr_bm = key(jb, "mrr"), key(bm, "mrr")
    rows = [
        Row(f"retrieval recall@3 ({data.get('queries')} queries), journeybot vs BM25", f"{rec:.3f} vs {rec_bm:.3f}",
            ">= 0.95, >= BM25", f"{rec / rec_bm if rec_bm else 0:.2f} {_ok(rec >= 0.95 and rec >= rec_bm)}"),
        Row("retrieval MRR@10, journeybot vs BM25", f"{mrr:.3f} vs {mrr_bm:.3f}", ">= BM25",
            f"{mrr / mrr_bm if mrr_bm else 0:.2f} {_ok(mrr >= mrr_bm)}"),
        Row("retrieval query p95, journeybot vs BM25", f"{jb['p95_ms']:.1f} vs {bm['p95_ms']:.1f} ms", "<= 20 ms",
            f"{jb['p95_ms'] / 20:.2f} {_ok(jb['p95_ms'] <= 20)}"),
    ]
    nc = data.get("no_change_cli_wall_s_median")
    if nc is not None:
        rows.append(Row("`journeybot index` with nothing changed (whole process)", f"{nc:.2f} s", "<= 0.5 s",
                        f"{nc / 0.5:.2f} {_ok(nc <= 0.5)}"))
    return rows


def read_lint(r: Result) -> list[Row]:
    rows = []
    for step in ("parse", "lint", "review"):
        found = re.search(rf"^{step}\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", r.out, re.M)
        if found:
            wall, cpu = float(found.group(1)), float(found.group(3))
            rows.append(Row(f"{step} of a 500-stage map (median; wall, CPU)", f"{wall:.0f} ms, cpu {cpu:.0f} ms",
                            "<= 20 ms", f"{wall / 20:.2f} (cpu {cpu / 20:.2f}) {_ok(wall <= 20)}"))
    return rows or _failed(r, "lint of a 500-stage map")


def read_export(r: Result) -> list[Row]:
    rows = []
    for fmt, ms, size in re.findall(r"^(json|md|csv|html|mermaid|cjml)\s+([\d.]+) ms\s+([\d.]+) KiB", r.out, re.M):
        rows.append(Row(f"export {fmt} of a 500-stage map ({float(size):.0f} KiB)", f"{float(ms):.0f} ms",
                        "<= 1000 ms", f"{float(ms) / 1000:.2f} {_ok(float(ms) <= 1000)}"))
    return rows or _failed(r, "exports of a 500-stage map")


def read_fidelity(r: Result) -> list[Row]:
    data = _json_after(r.out)
    if not data:
        return _failed(r, "interview fidelity")
    rows = []
    totals = data["totals"]
    jb = totals.get("journeybot", {})
    one = totals.get("one shot")
    model = data["model"]
    rows.append(Row(f"fidelity ({model}): facts kept, journeybot" + (" vs one shot" if one else ""),
                    f"{jb.get('facts_pct')} %" + (f" vs {one['facts_pct']} %" if one else ""), ">= 90 %",
                    _ok((jb.get("facts_pct") or 0) >= 90)
                    + (f" x{jb['facts_pct'] / one['facts_pct']:.2f}" if one and one.get("facts_pct") else "")))
    rows.append(Row(f"fidelity ({model}): unsupported statements not marked inferred"
                    + (", journeybot vs one shot" if one else ""),
                    f"{jb.get('unsupported')}" + (f" vs {one['unsupported']}" if one else ""), "0",
                    _ok(jb.get("unsupported") == 0)))
    rows.append(Row(f"fidelity ({model}): seconds for the FR+EN examples" + (", journeybot vs one shot" if one else ""),
                    f"{jb.get('seconds')} s" + (f" vs {one['seconds']} s" if one else ""), "(shown)", "n/a"))
    turns = [x["seconds_per_turn_p50"] for x in data["rows"] if x["system"] == "journeybot" and x.get("model_turns")
             and x.get("seconds_per_turn_p50") is not None]
    if turns:
        rows.append(Row(f"seconds per turn until the map is updated ({model}, p50)",
                        " / ".join(f"{t:.1f}" for t in turns) + " s", "(shown)", "n/a"))
        share = [f"{x['model_turns']}/{x['turns']}" for x in data["rows"] if x["system"] == "journeybot"]
        rows.append(Row(f"answers read by the model, not the rules fallback ({model})", ", ".join(share), "(shown)",
                        "n/a"))
    return rows


def read_serve(r: Result) -> list[Row]:
    data = _json_after(r.out)
    if not data:
        return _failed(r, "workshop (journeybot serve)")
    model, one = data["model"], data["one_model_mb"]
    rows = []
    for row in data["rows"]:
        n = row["participants"]
        rows.append(Row(f"workshop ({model}), {n} participant(s) at once: s/answer p50 / p95 (read by the model)",
                        f"{row['p50_s']:.1f} / {row['p95_s']:.1f} s ({row['model_read']}/{row['answers']})",
                        "(shown)", f"load {row['load_before']:.1f}->{row['load_after']:.1f}"))
        last = row is data["rows"][-1]
        rows.append(Row(f"workshop ({model}), {n} participant(s): memory of all processes, RSS (PSS)",
                        f"{row['rss_total_mb']} ({row['pss_total_mb']}) MB; serve+model {row['serve_rss_mb']}, "
                        f"app {row['app_rss_mb']}; unshared ~{row['unshared_estimate_mb']}",
                        f"model once: serve <= 1.3 x {one} MB" if last else "(shown)",
                        _ok(row["serve_rss_mb"] <= 1.3 * one) if last else "n/a"))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip the model-heavy rows (embedded model, fidelity "
                        "through a model): a couple of minutes")
    parser.add_argument("--model", choices=["local", "local-small", "none"], default="local-small",
                        help="model for the model rows and fidelity (default local-small)")
    parser.add_argument("--fidelity-model", choices=["local", "local-small", "none"], default=None,
                        help="model for bench_fidelity only (default: --model); 'none' keeps a loaded machine's "
                             "run short (the rules reader, no one-shot row)")
    parser.add_argument("--logs", type=Path, default=None, help="folder for each bench's full output")
    parser.add_argument("--json", action="store_true", help="also print the rows as JSON")
    parser.add_argument("--from-logs", type=Path, default=None,
                        help="print the table again from the logs of an earlier run (no bench is run)")
    args = parser.parse_args(argv)
    logs = args.logs or Path(tempfile.mkdtemp(prefix="jb-bench-logs-"))
    logs.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="jb-bench-home-"))
    model = "none" if args.quick else args.model
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    plan: list[tuple[str, list[str], Callable[[Result], list[Row]], float]] = [
        ("bench_ui.py", ["--runs", "3" if args.quick else "5", "--model", "none"]
         + ([] if args.quick or model == "none" else ["--model", model]), read_ui, 900),
        ("bench_interview.py", ["--json", "--turns", "60"], read_interview, 900),
        ("bench_retrieval.py", ["--json", "--passes", "3"], read_retrieval, 1800),
        ("bench_lint.py", ["--runs", "10" if args.quick else "30"], read_lint, 600),
        ("bench_export.py", ["--no-evidence", "--runs", "3"], read_export, 900),
    ]
    if not args.quick and model != "none":
        plan.insert(2, ("bench_model.py", ["--model", model, "--runs", "6", "--extractions", "4"], read_model, 2400))
        plan.append(("bench_serve.py", ["--json", "--model", model], read_serve, 3600))
    fidelity_model = "none" if args.quick else (args.fidelity_model or model)
    plan.append(("bench_fidelity.py", ["--json", "--model", fidelity_model], read_fidelity, 5400))
    rows: list[Row] = []
    durations = []
    for script, bench_args, reader, timeout in plan:
        if args.from_logs is not None:
            log = args.from_logs / f"{script}.log"
            if not log.exists():
                continue
            result = Result(script, 0, log.read_text(encoding="utf-8"), 0.0)
        else:
            result = run_bench(script, bench_args, logs, home, timeout)
        durations.append(f"{script} {result.seconds:.0f} s")
        if result.code != 0:
            rows += _failed(result, script.removesuffix(".py"))
            continue
        try:
            rows += reader(result)
        except (KeyError, ValueError, TypeError, StopIteration, AttributeError) as err:
            rows += [Row(script, "could not read its figures", "", f"error: {type(err).__name__}: {err}"[:90])]
    load_after = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    width = max(len(r.figure) for r in rows) + 2
    vwidth = max(len(r.value) for r in rows) + 2
    twidth = max(len(r.target) for r in rows) + 2
    print(f"journeybot benchmarks — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPU(s), "
          f"load average {load_before:.1f} before / {load_after:.1f} after; model: {model}"
          + (" (--quick)" if args.quick else ""))
    print(f"{'figure':{width}}{'measured':{vwidth}}{'target':{twidth}}ratio / verdict")
    print("-" * (width + vwidth + twidth + 16))
    for r in rows:
        print(f"{r.figure:{width}}{r.value:{vwidth}}{r.target:{twidth}}{r.verdict}")
    print("-" * (width + vwidth + twidth + 16))
    print("bench times: " + ", ".join(durations))
    print(f"full outputs: {logs}")
    if args.json:
        print(json.dumps([r.__dict__ for r in rows], indent=2, ensure_ascii=False))
    return 0 if all(not r.verdict.startswith(("error", "MISSED")) and "MISSED" not in r.verdict for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
