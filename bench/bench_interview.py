"""Interview speed and prompt budget, and (optionally) the embedded model's seconds per turn and fidelity.

    .venv/bin/python bench/bench_interview.py [--turns 60] [--local-small] [--local] [--json]

Runs in a temporary JOURNEYBOT_HOME (your sessions are not touched), on the project's example
interviews (examples/interviews/*.yaml), cycled into one long interview.

Figures (all measured in the same run):
- Enter → next question: ``Interview.submit`` (the message committed to SQLite, the engine's next
  question) — what the user waits for before the next question is on screen. p50/p95.
- Per-turn overhead excluding model time, with a zero-latency fake model that answers a correct
  reading at once: submit + extraction (prompt, JSON parsing, validation, checks) + accept (apply,
  lint, saving the map) − the time spent inside the fake model. p50/p95, target p95 <= 50 ms.
- The same with no model at all (rules reader).
- Prompt tokens per turn (characters/4, the whole extraction prompt) at turns 5, 10, 40, 60 and the
  ratios 40/5 and 60/10 (target <= 1.3); the same without the user's answer (the part the app controls).
- With --local-small / --local: seconds per turn until the map is updated (p50/p95) through the
  embedded model on the FR and EN examples, the share of turns read by the model (not the rules
  fallback), and the facts kept (examples/interviews/*.facts.yaml).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples" / "interviews"


def _pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def _answer_files() -> list[Path]:
    return sorted(p for p in EXAMPLES.glob("*.yaml") if not p.name.endswith(".facts.yaml"))


def _reading_from(proposal: Any) -> dict[str, Any]:
    """What a perfect model would answer for this phase: the rules reader's proposal, as the phase's
    JSON reading (so the fake model costs nothing and the map grows as in a real interview)."""
    from journeybot.interview import proposal as p

    changes = proposal.changes
    phase = proposal.phase
    if phase == "framing":
        out: dict[str, Any] = {}
        for c in changes:
            if isinstance(c, p.SetFraming):
                out.update({k: v for k, v in {"objective": c.objective, "journey": c.journey, "start": c.start,
                                              "end": c.end, "deliverable": c.deliverable}.items() if v})
                if c.team:
                    out["team"] = c.team[:5]
        return {k: (v[:300] if isinstance(v, str) else v) for k, v in out.items()}
    if phase == "persona":
        c = next((c for c in changes if isinstance(c, p.SetPersona)), None)
        if c is None:
            return {}
        return {"name": (c.name or "")[:80] or None, "goals": [g[:300] for g in c.goals[:4]],
                "frustrations": [f[:300] for f in c.frustrations[:4]], "trigger": (c.trigger or "")[:300] or None,
                "motivations": c.motivations[:3]}
    if phase == "evidence":
        return {"items": [{"kind": c.kind, "text": c.text[:400], "source": (c.source or "")[:80] or None}
                          for c in changes if isinstance(c, p.AddEvidence)][:5]}
    if phase == "stages":
        return {"stages": [{"name": c.name[:60], "after_purchase": c.lifecycle == "after_purchase"}
                           for c in changes if isinstance(c, p.AddStage)][:12]}
    if phase == "touchpoints":
        run_by = {"owned": "us", "partner": "partner", "third_party": "other"}
        return {"touchpoints": [{"stage": c.stage[:80], "name": c.name[:60], "channel": c.channel[:30],
                                 "online": c.online, "run_by": run_by[c.ownership]}
                                for c in changes if isinstance(c, p.AddTouchpoint)][:8]}
    if phase == "experience":
        rows: dict[str, dict[str, Any]] = {}
        for c in changes:
            if isinstance(c, p.SetEmotion | p.AddNote):
                row = rows.setdefault(c.stage, {"stage": c.stage[:80], "actions": [], "thoughts": [],
                                                "expectations": []})
                if isinstance(c, p.SetEmotion):
                    row.update(score=c.score, feeling=c.label[:30])
                elif c.lane in ("actions", "thoughts", "expectations"):
                    row[c.lane].append(c.text[:300])
        for row in rows.values():
            row["actions"], row["thoughts"], row["expectations"] = (
                row["actions"][:3], row["thoughts"][:2], row["expectations"][:2])
        return {"stages": list(rows.values())[:4]}
    if phase == "pain_points":
        return {"pain_points": [{"stage": c.stage[:80], "text": c.text[:300]} for c in changes
                                if isinstance(c, p.AddPainPoint)][:6],
                "positives": [{"stage": c.stage[:80], "text": c.text[:300]} for c in changes
                              if isinstance(c, p.AddNote) and c.lane == "positives"][:4]}
    if phase == "moments_of_truth":
        return {"moments": [{"name": c.name[:80], "kind": c.kind, "stage": (c.stage or "")[:80] or None,
                             "why": (c.why or "")[:300] or None}
                            for c in changes if isinstance(c, p.AddMomentOfTruth)][:3]}
    if phase == "metrics":
        return {"metrics": [{"stage": (c.stage or "")[:80] or None, "name": c.name[:80], "value": c.value,
                             "unit": c.unit[:20], "source": (c.source or "")[:80] or None}
                            for c in changes if isinstance(c, p.AddMetric)][:6]}
    if phase == "owners":
        return {"owners": [{"touchpoint": c.touchpoint[:80], "team": c.owner[:80]}
                           for c in changes if isinstance(c, p.SetOwner)][:8]}
    if phase == "priorities":
        return {"opportunities": [{"text": c.text[:300], "kind": c.kind} for c in changes
                                  if isinstance(c, p.AddOpportunity)][:4],
                "actions": [{"action": c.action[:300], "owner": (c.owner or "")[:80] or None}
                            for c in changes if isinstance(c, p.AddAction)][:4]}
    return {}


class OracleModel:
    """A zero-latency fake ChatModel: answers a correct reading at once (see _reading_from). Records
    the prompt size of every call and the time spent inside it."""

    def __init__(self, lang: str) -> None:
        from journeybot.llm.protocol import Usage

        self.name = "oracle"
        self.last_usage = Usage()
        self.lang = lang
        self.prompt_sizes: list[int] = []
        self.fixed_sizes: list[int] = []
        self.seconds = 0.0
        self.context: tuple[Any, Any] | None = None  # (pending, journey) of the call being served

    def json(self, messages: Sequence[tuple[str, str]], schema: dict[str, Any], *, max_tokens: int = 512) -> str:
        from journeybot.interview import agent, rules
        from journeybot.llm.protocol import Usage

        start = time.perf_counter()
        size = agent.prompt_size(messages)  # type: ignore[arg-type]
        user = messages[-1][1]
        answer = user.split("<<<", 1)[1] if "<<<" in user else ""
        self.prompt_sizes.append(size)
        self.fixed_sizes.append(size - len(answer) // 4)
        assert self.context is not None
        pending, journey = self.context
        proposal = rules.read_answer(pending.text, pending.phase, journey, self.lang, pending.question,  # type: ignore[arg-type]
                                     bound=pending.bound)
        reply = json.dumps(_reading_from(proposal), ensure_ascii=False)
        self.last_usage = Usage(prompt_tokens=size, completion_tokens=len(reply) // 4)
        self.seconds += time.perf_counter() - start
        return reply

    def stream(self, messages: Sequence[tuple[str, str]], *, max_tokens: int = 400) -> Any:
        return iter(["ok"])


def _long_interview(turns: int) -> list[tuple[str, str, str]]:
    """(lang, phase, answer) for ``turns`` answers: the example interviews, in phase order, repeated."""
    from journeybot.interview.headless import load_answers
    from journeybot.method.model import PHASE_IDS

    files = [load_answers(p) for p in _answer_files()]
    fr = next(f for f in files if f.lang == "fr")
    seq: list[tuple[str, str, str]] = []
    while len(seq) < turns:
        for phase in PHASE_IDS:
            seq += [("fr", phase, a) for a in fr.answers.get(phase, [])]
    return seq[:turns]


def bench_turns(turns: int, with_model: bool) -> dict[str, Any]:
    from journeybot.interview.session import Interview
    from journeybot.store import SessionStore

    Interview.warm_up()  # what the app does at start-up, before the first answer
    store = SessionStore()
    oracle = OracleModel("fr") if with_model else None
    interview = Interview.start(store, lang="fr", model=oracle)
    interview.answers_follow_questions = False
    interview.opening()
    enter: list[float] = []
    overhead: list[float] = []
    for _lang, phase, answer in _long_interview(turns):
        interview.enter_phase(phase)
        model_before = oracle.seconds if oracle else 0.0
        t0 = time.perf_counter()
        reply = interview.submit(answer)
        t1 = time.perf_counter()
        if reply.pending is not None:
            if oracle is not None:
                oracle.context = (reply.pending, interview.journey)
            result = interview.run_extraction(reply.pending)
            interview.accept(result.proposal, confirm=False)
        t2 = time.perf_counter()
        enter.append(t1 - t0)
        overhead.append((t2 - t0) - ((oracle.seconds - model_before) if oracle else 0.0))
    store.close()
    out: dict[str, Any] = {
        "turns": turns,
        "enter_to_question_ms": {"p50": 1000 * _pct(enter, 0.5), "p95": 1000 * _pct(enter, 0.95)},
        "overhead_ms": {"p50": 1000 * _pct(overhead, 0.5), "p95": 1000 * _pct(overhead, 0.95)},
        "stages": len(interview.journey.stages),
        "touchpoints": sum(1 for _ in interview.journey.touchpoints()),
    }
    if oracle is not None:
        sizes, fixed = oracle.prompt_sizes, oracle.fixed_sizes

        def at(values: list[int], n: int) -> int | None:
            return values[n - 1] if len(values) >= n else None

        out["prompt_tokens"] = {f"turn_{n}": at(sizes, n) for n in (5, 10, 40, 60)}
        out["prompt_tokens_without_answer"] = {f"turn_{n}": at(fixed, n) for n in (5, 10, 40, 60)}
        for key, values in (("ratio", sizes), ("ratio_without_answer", fixed)):
            a5, a40, a10, a60 = (at(values, n) for n in (5, 40, 10, 60))
            out[key] = {"40/5": round(a40 / a5, 2) if a5 and a40 else None,
                        "60/10": round(a60 / a10, 2) if a10 and a60 else None}
        out["prompt_tokens_max"] = max(sizes) if sizes else None
    return out


def _first_answers(answers: Any, limit: int | None) -> Any:
    if not limit:
        return answers
    kept: dict[str, list[str]] = {}
    for phase, texts in answers.answers.items():
        kept[phase] = texts[:limit]
    return answers.model_copy(update={"answers": kept})


def bench_model(backend: str, limit: int | None = None) -> dict[str, Any]:
    from journeybot.interview.facts import check_facts, load_facts
    from journeybot.interview.headless import load_answers, run_headless
    from journeybot.llm.factory import make_chat_model
    from journeybot.settings import load_settings
    from journeybot.store import SessionStore

    t0 = time.perf_counter()
    model = make_chat_model(load_settings(model=backend, answer_deadline=900, breaker_failures=0))
    load = time.perf_counter() - t0
    out: dict[str, Any] = {"backend": backend, "load_s": round(load, 1), "runs": []}
    for path in _answer_files():
        answers = _first_answers(load_answers(path), limit)
        lang = answers.lang or "fr"
        store = SessionStore()
        result = run_headless(answers, store, lang=lang, model=model)
        facts = check_facts(result.journey, load_facts(path.with_name(path.name.replace(".yaml", ".facts.yaml"))))
        inferred = sum(1 for _, item in result.journey.items() if item.provenance == "inferred")
        out["runs"].append({
            "file": path.name, "turns": result.turns, "model_turns": result.model_turns,
            "seconds_per_turn": {"p50": round(_pct(result.seconds, 0.5), 2), "p95": round(_pct(result.seconds, 0.95), 2),
                                 "mean": round(statistics.mean(result.seconds), 2) if result.seconds else None},
            "prompt_tokens": {"p50": _pct(result.prompt_tokens, 0.5), "max": max(result.prompt_tokens or [0])},
            "facts_kept": f"{facts.kept}/{facts.total}", "missing": facts.missing, "inferred_items": inferred,
        })
        store.close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=60)
    parser.add_argument("--local-small", action="store_true", help="also run the examples through the 0.5B model")
    parser.add_argument("--local", action="store_true", help="also run the examples through the 1.5B model")
    parser.add_argument("--limit", type=int, default=None,
                        help="with a model: only the first N answers of each phase (a quicker run; facts then miss)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    home = os.environ.get("JOURNEYBOT_BENCH_HOME") or tempfile.mkdtemp(prefix="jb-bench-")
    os.environ["JOURNEYBOT_HOME"] = home
    report: dict[str, Any] = {
        "fake_model": bench_turns(args.turns, with_model=True),
        "no_model": bench_turns(args.turns, with_model=False),
    }
    for flag, backend in ((args.local_small, "local-small"), (args.local, "local")):
        if flag:
            report[backend] = bench_model(backend, args.limit)
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 0
    fake, none = report["fake_model"], report["no_model"]
    print(f"journeybot interview bench — {fake['turns']} turns, map at the end: {fake['stages']} stages, "
          f"{fake['touchpoints']} touchpoints")
    print(f"{'figure':58} {'p50':>9} {'p95':>9}")
    rows = [
        ("Enter -> next question (ms)", fake["enter_to_question_ms"]),
        ("per-turn overhead excl. model, zero-latency fake (ms)", fake["overhead_ms"]),
        ("per-turn overhead, no model / rules reader (ms)", none["overhead_ms"]),
    ]
    for name, fig in rows:
        print(f"{name:58} {fig['p50']:9.1f} {fig['p95']:9.1f}")
    target = "met" if fake["overhead_ms"]["p95"] <= 50 else "MISSED"
    print(f"target p95 overhead <= 50 ms: {target}")
    pt, pf = fake["prompt_tokens"], fake["prompt_tokens_without_answer"]
    print("prompt tokens per turn (chars/4):  " + "  ".join(f"t{n}={pt[f'turn_{n}']}" for n in (5, 10, 40, 60))
          + f"  ratio 40/5={fake['ratio']['40/5']}  60/10={fake['ratio']['60/10']}")
    print("  without the user's answer:        " + "  ".join(f"t{n}={pf[f'turn_{n}']}" for n in (5, 10, 40, 60))
          + f"  ratio 40/5={fake['ratio_without_answer']['40/5']}  60/10={fake['ratio_without_answer']['60/10']}")
    for backend in ("local-small", "local"):
        if backend in report:
            r = report[backend]
            print(f"{backend}: model load {r['load_s']} s")
            for run in r["runs"]:
                s = run["seconds_per_turn"]
                print(f"  {run['file']:28} s/turn p50={s['p50']} p95={s['p95']}  model-read "
                      f"{run['model_turns']}/{run['turns']}  facts {run['facts_kept']}  inferred items "
                      f"{run['inferred_items']}  prompt tokens p50={run['prompt_tokens']['p50']}")
                for miss in run["missing"][:8]:
                    print(f"      missing: {miss}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
