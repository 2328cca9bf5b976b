"""A workshop on one machine: `journeybot serve` with 1, 5 and 10 participants answering at once.

    .venv/bin/python bench/bench_serve.py [--model local-small|local] [--participants 1,5,10] [--answers 3] [--json]

Real parts only: `journeybot serve` (textual-serve, one app process per participant, ONE embedded model
server for all of them), and WebSocket clients that open the workshop link and type their answers the
way a browser does (tests/support/served.py). Every participant opens the app, waits for the first
question and "model ready", then types --answers framing answers (from examples/interviews, each with a
remark no cue word labels, so that the model is asked about every answer: the rules read the rest at
once), each once the previous one has been read: all participants at once. The circuit breaker is off
(each app would otherwise stop asking a slow model after three deadlines, which is what it is for, but
not what is measured here).

Per row (participants at once):
- seconds per answer, p50 / p95: Enter to the answer read (sessions.db timestamps: the answer's
  commit, then its proposal saved again by the model's reading or, past the answer deadline, by the
  rules'), and how many answers the model read;
- resident memory of every process of the workshop (the serve process with the model in it, and the
  apps), the largest total seen while answering: RSS and PSS (PSS shares pages mapped by several
  processes, like the libraries, fairly between them);
- the model server's own share (the serve process) and one app's;
- the load average (1 min) before and after.

The target: with 10 participants the model is there once, so the serve process stays within one
model's memory (measured alone first: the same model in a process of its own, as one app without
sharing would load it) + 30 %, and the total within that plus the apps. The row "without sharing" is
what the same participants would need if each app loaded its own model: n x (one model + one app).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.served import Participant, Served  # noqa: E402

ANSWERS = [
    "Nous voulons comprendre pourquoi tant de demandes de devis n'aboutissent pas. C'est une longue histoire.",
    "Le parcours complet d'une particulière qui change d'assurance auto. C'est tout ce que je sais.",
    "Il commence à l'avis d'échéance et se termine quand elle nous recommande. Nous n'avons pas grand-chose "
    "d'autre.",
]
ONE_MODEL = """
import json, sys, time, urllib.request
from journeybot.llm import local_server, weights
path = weights.ensure_weights(sys.argv[1])
server = local_server.get_server(path, context_size=4096)
body = {"model": "local", "messages": [{"role": "user", "content": "Dis bonjour en trois mots."}], "max_tokens": 8}
request = urllib.request.Request(server.base_url + "/chat/completions", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
urllib.request.urlopen(request, timeout=600).read()
status = open("/proc/self/status").read()
print(json.dumps({"rss_mb": int(status.split("VmRSS:")[1].split()[0]) / 1024}))
"""


def _kb(path: Path, key: str) -> int:
    try:
        text = path.read_text()
    except OSError:
        return 0
    if key not in text:
        return 0
    return int(text.split(key + ":")[1].split()[0])


def memory(pids: list[int]) -> dict[int, tuple[float, float]]:
    """pid -> (RSS MB, PSS MB)."""
    return {pid: (_kb(Path(f"/proc/{pid}/status"), "VmRSS") / 1024,
                  _kb(Path(f"/proc/{pid}/smaps_rollup"), "Pss") / 1024) for pid in pids}


@dataclass
class Sampler:
    """The largest total memory of the workshop's processes, sampled twice a second."""

    served: Served
    peak_rss: float = 0.0
    peak_pss: float = 0.0
    serve_rss: float = 0.0
    app_rss: list[float] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        assert self.served.proc is not None
        while not self._stop.is_set():
            found = memory(self.served.processes())
            rss = sum(r for r, _ in found.values())
            pss = sum(p for _, p in found.values())
            if rss > self.peak_rss:
                self.peak_rss, self.peak_pss = rss, pss
                self.serve_rss = found.get(self.served.proc.pid, (0.0, 0.0))[0]
                self.app_rss = [r for pid, (r, _) in found.items() if pid != self.served.proc.pid]
            self._stop.wait(0.5)

    def __enter__(self) -> Sampler:
        self._thread = threading.Thread(target=self.run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def answer_times(db_path: Path, owner: str) -> list[tuple[float, str]]:
    """(seconds from the answer's commit to its reading, who read it) for the answers of one participant's
    session that have been read (the rules' draft, saved at once, is replaced by the reading: the model's,
    or the rules' with a note saying why the model's is missing)."""
    db = sqlite3.connect(db_path, timeout=30)
    try:
        rows = db.execute(
            "SELECT m.created, p.created, p.body FROM sessions s JOIN messages m ON m.session_id = s.id "
            "JOIN proposals p ON p.session_id = s.id AND p.answer_seq = m.seq "
            "WHERE s.owner = ? AND m.role = 'user' AND m.kind = 'answer'", (owner,)).fetchall()
    finally:
        db.close()
    from datetime import datetime

    out = []
    for asked, read, body in rows:
        proposal = json.loads(body)
        fell_back = any(isinstance(n, dict) and n.get("key") == "model_fallback" for n in proposal.get("log") or [])
        if proposal.get("source") != "model" and not fell_back:
            continue  # still the draft: the reading is not done
        seconds = (datetime.fromisoformat(read) - datetime.fromisoformat(asked)).total_seconds()
        out.append((seconds, str(proposal.get("source", "?"))))
    return out


async def proposals_of(db_path: Path, owner: str, count: int, timeout: float) -> None:
    ends = time.monotonic() + timeout
    while time.monotonic() < ends:
        if len(answer_times(db_path, owner)) >= count:
            return
        await asyncio.sleep(0.25)
    raise TimeoutError(f"participant {owner}: {count} proposal(s) not saved within {timeout:.0f} s")


async def participant(served: Served, db_path: Path, answers: list[str], ready: list[str], n: int,
                      all_ready: asyncio.Event, start: asyncio.Event, timeout: float) -> str:
    async with Participant(served) as p:
        await p.screen_shows("Cadrage", timeout=timeout)
        await p.screen_shows("Modèle prêt", timeout=timeout)
        ready.append(p.participant_id)
        if len(ready) == n:
            all_ready.set()
        await start.wait()
        for count, text in enumerate(answers, 1):
            await p.type(text)
            await proposals_of(db_path, p.participant_id, count, timeout)
        return p.participant_id


async def one_row(served: Served, db_path: Path, n: int, answers: list[str], timeout: float) -> dict[str, Any]:
    ready: list[str] = []
    all_ready, start = asyncio.Event(), asyncio.Event()
    load_before = os.getloadavg()[0]
    with Sampler(served) as sampler:
        tasks = [asyncio.create_task(participant(served, db_path, answers, ready, n, all_ready, start, timeout))
                 for _ in range(n)]
        waiter = asyncio.create_task(all_ready.wait())
        done, _ = await asyncio.wait([waiter, *tasks], return_when=asyncio.FIRST_COMPLETED)
        if not all_ready.is_set():  # a participant failed before everybody was ready
            for task in tasks:
                task.cancel()
            next(iter(done)).result()
        await asyncio.sleep(2.0)  # the last apps settle (index opened, first lint done)
        t0 = time.monotonic()
        start.set()  # everybody answers at once
        owners = await asyncio.gather(*tasks)
        wall = time.monotonic() - t0
    times = [t for owner in owners for t in answer_times(db_path, owner)]
    seconds = sorted(s for s, _ in times)
    return {
        "participants": n, "answers": len(times), "model_read": sum(1 for _, src in times if src == "model"),
        "p50_s": round(statistics.median(seconds), 2),
        "p95_s": round(seconds[min(len(seconds) - 1, round(0.95 * (len(seconds) - 1)))], 2),
        "wall_s": round(wall, 1),
        "rss_total_mb": round(sampler.peak_rss), "pss_total_mb": round(sampler.peak_pss),
        "serve_rss_mb": round(sampler.serve_rss),
        "app_rss_mb": round(statistics.mean(sampler.app_rss)) if sampler.app_rss else 0,
        "load_before": round(load_before, 2), "load_after": round(os.getloadavg()[0], 2),
    }


def wait_for_apps_to_end(served: Served, timeout: float = 120.0) -> None:
    ends = time.monotonic() + timeout
    while len(served.processes()) > 1 and time.monotonic() < ends:
        time.sleep(0.5)


def one_model_alone(model: str, env: dict[str, str]) -> float:
    """RSS of the same model in a process of its own after one request (what each app would hold)."""
    done = subprocess.run([sys.executable, "-c", ONE_MODEL, model], capture_output=True, text=True, env=env,
                          timeout=900, check=True)
    return float(json.loads(done.stdout.strip().splitlines()[-1])["rss_mb"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--model", choices=["local-small", "local"], default="local-small")
    parser.add_argument("--participants", default="1,5,10", help="comma-separated counts, one row each")
    parser.add_argument("--answers", type=int, default=3, help="answers each participant types")
    parser.add_argument("--model-slots", type=int, default=2, help="journeybot serve --model-slots")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds a participant may wait for a step")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    counts = [int(x) for x in args.participants.split(",") if x.strip()]
    answers = ANSWERS[: args.answers]
    home = Path(tempfile.mkdtemp(prefix="jb-bench-serve-"))
    env = {**os.environ, "JOURNEYBOT_HOME": str(home / "jb"), "HOME": str(home), "JOURNEYBOT_BREAKER_FAILURES": "0"}
    env.pop("OPENAI_API_KEY", None)
    print(f"model: {args.model}, {args.model_slots} slot(s); {os.cpu_count()} CPU(s); "
          f"load average {os.getloadavg()[0]:.2f}", flush=True)
    subprocess.run([sys.executable, "-m", "journeybot", "index"], env=env, check=True, capture_output=True,
                   timeout=900)  # built once: the apps only open it
    alone = one_model_alone(args.model, env)
    print(f"one model in a process of its own: {alone:.0f} MB RSS", flush=True)
    rows = []
    db_path = home / "jb" / "data" / "sessions.db"
    with Served(home, "--max-sessions", str(max(counts)), "--model-slots", str(args.model_slots), model=args.model,
                lang="fr", env=env, start_timeout=900) as served:
        assert served.proc is not None
        idle = memory([served.proc.pid])[served.proc.pid][0]
        print(f"serve process with the shared model, idle: {idle:.0f} MB RSS", flush=True)
        for n in counts:
            row = asyncio.run(one_row(served, db_path, n, answers, args.timeout))
            row["unshared_estimate_mb"] = round(n * (alone + row["app_rss_mb"]))
            rows.append(row)
            print(f"{n:>3} participant(s): {row['answers']} answers ({row['model_read']} read by the model), "
                  f"s/answer p50 {row['p50_s']:.1f} p95 {row['p95_s']:.1f}; memory peak RSS {row['rss_total_mb']} MB "
                  f"(PSS {row['pss_total_mb']} MB): serve+model {row['serve_rss_mb']} MB, one app "
                  f"{row['app_rss_mb']} MB; without sharing ~{row['unshared_estimate_mb']} MB; load "
                  f"{row['load_before']:.1f} -> {row['load_after']:.1f}", flush=True)
            wait_for_apps_to_end(served)
    biggest = rows[-1]
    verdict = biggest["serve_rss_mb"] <= 1.3 * alone
    print(f"target: with {biggest['participants']} participants the model is there once: serve process "
          f"{biggest['serve_rss_mb']} MB <= 1.3 x one model ({alone:.0f} MB): {'OK' if verdict else 'MISSED'}")
    if args.json:
        print(json.dumps({"model": args.model, "slots": args.model_slots, "one_model_mb": round(alone),
                          "serve_idle_mb": round(idle),
                          "rows": rows, "target_ok": verdict}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
