"""Interview fidelity and pitfall warnings: journeybot's interview versus the obvious alternative, same model, same run.

    .venv/bin/python bench/bench_fidelity.py [--model none|local|local-small|openai] [--base-url URL]
                                             [--only WORD] [--no-one-shot] [--json]

On every prepared interview of examples/interviews/ (FR and EN, several sectors, told the way people talk; each
with the facts its map must hold, field by field, in *.facts.yaml, and the pitfall codes that must fire), two
ways of making the map:

- journeybot: the headless interview (`journeybot interview`): one answer at a time, segmented, labelled by the
  rules (and by the model when there is one), grounded in the user's words;
- one shot: every answer pasted into the same model at once, asked for the whole map in one reply with a JSON
  schema (framing, persona, stages with touchpoints, emotions, pains, positives and metrics, moments of truth,
  evidence, opportunities, actions, review date; each item with a provenance the model chooses).

Figures per file and system:
- fields right: share of the facts file the map holds (check_facts: framing start/end, persona trigger, the
  exact stage list, touchpoints on the right stage with online/offline, emotion signs, pains and positives
  on their stage, metrics with value/unit/source, owners, moments of truth, counts);
- stages: precision (emitted stages the user named / stages emitted), and whether the list is exactly the
  one named, in order;
- unsupported: statements presented as facts (not `inferred`) that are not the user's words (the grounding
  check of journeybot.interview.ground, run on every answer of the file; a metric's number must have been
  typed);
- questions asked per answer given (journeybot only), seconds per answer p50/p95, and over the answers the
  model was asked about (the others are read by the rules alone in milliseconds);
- pitfalls: precision, recall and F1 of `journeybot lint` codes against the file's expected codes (codes
  the file tolerates are left out).
With --model none the interview runs on the rules alone and there is no one-shot row.
Targets: fields right >= 0.9 on average, the exact stage list in every file, 0 unsupported statements, never
below the one-shot alternative on any file; pitfall F1 >= 0.95 with complete maps raising nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples" / "interviews"

Prov = Literal["customer", "team", "inferred"]
Short = Annotated[str, Field(max_length=80)]
Medium = Annotated[str, Field(max_length=240)]


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OTouchpoint(_M):
    name: Short
    online: bool
    owner: Short | None = None
    provenance: Prov


class OText(_M):
    text: Medium
    provenance: Prov


class OMetric(_M):
    name: Short
    value: float
    unit: Annotated[str, Field(max_length=12)] = ""
    source: Short | None = None
    provenance: Prov


class OStage(_M):
    name: Annotated[str, Field(max_length=60)]
    after_purchase: bool
    touchpoints: Annotated[list[OTouchpoint], Field(max_length=5)] = []
    emotion_score: Annotated[int, Field(ge=-2, le=2)] | None = None
    emotion_label: Short | None = None
    pain_points: Annotated[list[OText], Field(max_length=3)] = []
    positives: Annotated[list[OText], Field(max_length=2)] = []
    metrics: Annotated[list[OMetric], Field(max_length=3)] = []


class OFraming(_M):
    objective: Medium | None = None
    journey: Short | None = None
    start: Medium | None = None
    end: Medium | None = None


class OPersona(_M):
    name: Short
    trigger: Medium | None = None
    state_of_mind: Short | None = None
    goals: Annotated[list[Medium], Field(max_length=3)] = []
    frustrations: Annotated[list[Medium], Field(max_length=3)] = []
    information_sources: Annotated[list[Short], Field(max_length=4)] = []


class OMoment(_M):
    name: Short
    stage: Short | None = None
    provenance: Prov


class OAction(_M):
    action: Medium
    owner: Short | None = None
    provenance: Prov


class OneShotMap(_M):
    framing: OFraming | None = None
    persona: OPersona | None = None
    stages: Annotated[list[OStage], Field(max_length=10)] = []
    moments_of_truth: Annotated[list[OMoment], Field(max_length=3)] = []
    evidence: Annotated[list[OText], Field(max_length=3)] = []
    opportunities: Annotated[list[OText], Field(max_length=4)] = []
    actions: Annotated[list[OAction], Field(max_length=3)] = []
    review_date: dt.date | None = None


ONE_SHOT_SYSTEM = (
    "You turn a marketer's interview notes into a customer journey map, as JSON that fits the schema. Use the "
    "notes' own words. Keep the stages in the order of the notes. A negative feeling gets a negative score. "
    "A phone call, a store, a letter or a friend is offline; a website, an app or an e-mail is online. For each "
    "item set provenance: customer when it comes from customer evidence, team when the notes say it, inferred "
    "when you add it yourself. Leave out what the notes do not say. Write every value in {language}."
)


MODEL_READ_S = 0.2
"""An answer that took this long was read by the model too (the rules take milliseconds)."""


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))] if ordered else float("nan")


def answer_files(only: str = "", folder: Path | None = None) -> list[Path]:
    return sorted(p for p in (folder or EXAMPLES).glob("*.yaml") if not p.name.endswith(".facts.yaml") and only in p.name)


def facts_path(path: Path) -> Path:
    return path.with_name(path.name.replace(".yaml", ".facts.yaml"))


def one_shot_prompt(answers: Any, lang: Any) -> list[tuple[str, str]]:
    from journeybot.method import catalog

    parts = []
    for phase_id, texts in answers.answers.items():
        parts.append(f"## {catalog.phase(phase_id).title(lang)}\n" + "\n".join(f"- {t}" for t in texts))
    language = "French" if lang == "fr" else "English"
    return [("system", ONE_SHOT_SYSTEM.format(language=language)),
            ("user", "Interview notes:\n<<<\n" + "\n\n".join(parts) + "\n>>>")]


def to_journey(reading: OneShotMap, lang: str, title: str) -> Any:
    """The one-shot reading as a JourneyMap (the same checks then apply to both systems)."""
    from journeybot.domain.journey_map import JourneyMap

    stages = []
    for s in reading.stages:
        stage: dict[str, Any] = {
            "name": s.name, "provenance": "team", "lifecycle": "after_purchase" if s.after_purchase else "before_purchase",
            "touchpoints": [{"name": t.name, "channel": t.name, "online": t.online, "owner": t.owner,
                             "provenance": t.provenance} for t in s.touchpoints],
            "pain_points": [{"text": p.text, "provenance": p.provenance} for p in s.pain_points],
            "positives": [{"text": p.text, "provenance": p.provenance} for p in s.positives],
            "metrics": [{"name": m.name, "value": m.value, "unit": m.unit, "source": m.source,
                         "provenance": m.provenance} for m in s.metrics],
        }
        if s.emotion_score is not None:
            stage["emotion"] = {"score": s.emotion_score, "label": s.emotion_label or "", "provenance": "team"}
        stages.append(stage)
    p = reading.persona
    data: dict[str, Any] = {
        "lang": lang, "title": title, "stages": stages,
        "framing": {k: v for k, v in (reading.framing.model_dump() if reading.framing else {}).items() if v},
        "persona": {"name": p.name, "trigger": p.trigger, "state_of_mind": p.state_of_mind, "goals": p.goals,
                    "frustrations": p.frustrations, "information_sources": p.information_sources,
                    "provenance": "team"} if p else None,
        "moments_of_truth": [{"name": m.name, "stage": m.stage, "provenance": m.provenance}
                             for m in reading.moments_of_truth],
        "evidence": [{"kind": "other", "text": e.text, "provenance": e.provenance} for e in reading.evidence],
        "opportunities": [{"text": o.text, "provenance": o.provenance} for o in reading.opportunities],
        "action_plan": [{"action": a.action, "owner": a.owner, "provenance": a.provenance} for a in reading.actions],
        "review_date": reading.review_date.isoformat() if reading.review_date else None,
    }
    return JourneyMap.model_validate(data)




def pitfalls(journey: Any, facts: dict[str, Any]) -> dict[str, Any]:
    """Lint codes of the map against the codes the facts file expects (tolerated codes left out)."""
    from journeybot.lint import lint

    expected = set((facts.get("pitfalls") or {}).get("expected") or [])
    tolerated = set((facts.get("pitfalls") or {}).get("tolerated") or [])
    found = {f.code for f in lint(journey, journey.lang)} - tolerated
    return {"expected": sorted(expected), "found": sorted(found), "tp": len(found & expected),
            "fp": sorted(found - expected), "fn": sorted(expected - found)}


def _stages(journey: Any, facts: dict[str, Any]) -> dict[str, Any]:
    from journeybot.interview.facts import stage_match

    named = [str(n) for n in facts.get("stages", [])]
    matched, emitted, exact = stage_match(journey, named)
    return {"stage_precision": round(matched / emitted, 3) if emitted else 0.0, "stages_emitted": emitted,
            "stages_named": len(named), "stages_exact": exact}


def run_interview(path: Path, model: Any) -> dict[str, Any]:
    from journeybot.interview.facts import check_facts, load_facts, unsupported
    from journeybot.interview.headless import load_answers, run_headless
    from journeybot.store import SessionStore

    answers = load_answers(path)
    lang = answers.lang or "fr"
    facts_data = load_facts(facts_path(path))
    store = SessionStore()
    t0 = time.perf_counter()
    result = run_headless(answers, store, lang=lang, model=model)
    seconds = time.perf_counter() - t0
    state = store.session(result.session_id).state.get("engine", {})
    store.close()
    facts = check_facts(result.journey, facts_data)
    bad, checked, examples = unsupported(result.journey, answers)
    per_answer = result.seconds or [0.0]
    return {"system": "journeybot", "file": path.name, "lang": lang, "fields": round(facts.ratio, 3),
            "facts_kept": facts.kept, "facts_total": facts.total, **_stages(result.journey, facts_data),
            "unsupported": bad, "checked": checked, "examples": examples, "seconds": round(seconds, 1),
            "answers": result.turns, "questions": int(state.get("shown", 0)),
            "questions_per_answer": round(int(state.get("shown", 0)) / max(1, result.turns), 2),
            "model_turns": result.model_turns, "rules_turns": result.rules_turns,
            "answer_seconds_p50": round(_pct(per_answer, 0.5), 2), "answer_seconds_p95": round(_pct(per_answer, 0.95), 2),
            "answer_seconds": [round(x, 2) for x in per_answer],
            "pitfalls": pitfalls(result.journey, facts_data), "missing": facts.missing[:10]}


def run_one_shot(path: Path, model: Any, max_tokens: int) -> dict[str, Any]:
    from journeybot.domain.journey_map import JourneyMap
    from journeybot.interview.facts import check_facts, load_facts, unsupported
    from journeybot.interview.headless import load_answers
    from journeybot.llm.protocol import ModelError

    answers = load_answers(path)
    lang = answers.lang or "fr"
    facts_data = load_facts(facts_path(path))
    schema = OneShotMap.model_json_schema()
    t0 = time.perf_counter()
    error = None
    journey = None
    try:
        raw = model.json(one_shot_prompt(answers, lang), schema, max_tokens=max_tokens)
        journey = to_journey(OneShotMap.model_validate_json(raw), lang, answers.title)
    except ModelError as err:
        error = err.en
    except ValidationError as err:
        error = f"invalid map: {err.error_count()} error(s)"
    seconds = time.perf_counter() - t0
    shown = journey if journey is not None else JourneyMap(lang=lang)
    facts = check_facts(shown, facts_data)
    out: dict[str, Any] = {"system": "one shot", "file": path.name, "lang": lang, "seconds": round(seconds, 1),
                           "error": error, "fields": round(facts.ratio, 3), "facts_kept": facts.kept,
                           "facts_total": facts.total, **_stages(shown, facts_data), "missing": facts.missing[:10],
                           "pitfalls": pitfalls(shown, facts_data)}
    bad, checked, examples = unsupported(shown, answers)
    out.update(unsupported=bad, checked=checked, examples=examples)
    return out


def _f1(rows: list[dict[str, Any]]) -> dict[str, Any]:
    tp = sum(r["pitfalls"]["tp"] for r in rows)
    fp = sum(len(r["pitfalls"]["fp"]) for r in rows)
    fn = sum(len(r["pitfalls"]["fn"]) for r in rows)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    clean = [r for r in rows if not r["pitfalls"]["expected"]]
    return {"tp": tp, "fp": fp, "fn": fn, "precision": round(precision, 3), "recall": round(recall, 3),
            "f1": round(f1, 3), "complete_maps_clean": sum(1 for r in clean if not r["pitfalls"]["fp"]),
            "complete_maps": len(clean)}


def run(model_name: str, base_url: str | None = None, max_tokens: int = 3000, only: str = "",
        one_shot: bool = True, folder: Path | None = None) -> dict[str, Any]:
    """Every example file through both systems; returns the rows and totals (used by bench/run_all.py)."""
    from journeybot.llm.factory import make_chat_model
    from journeybot.settings import load_settings

    os.environ.setdefault("JOURNEYBOT_HOME", tempfile.mkdtemp(prefix="jb-fidelity-"))
    t0 = time.perf_counter()
    # the model's own figures: no answer deadline, no circuit breaker (a loaded machine is slow, not down)
    model = make_chat_model(load_settings(model=model_name, base_url=base_url, request_timeout=1800,
                                          answer_deadline=1800, breaker_failures=0))
    load = time.perf_counter() - t0
    rows = []
    for path in answer_files(only, folder):
        rows.append(run_interview(path, model))
        print(f"  {path.name}: fields {rows[-1]['fields']}", file=sys.stderr)
        if model is not None and one_shot:
            rows.append(run_one_shot(path, model, max_tokens))
    totals: dict[str, Any] = {}
    for system in ("journeybot", "one shot"):
        mine = [r for r in rows if r["system"] == system]
        if not mine:
            continue
        seconds = [s for r in mine for s in r.get("answer_seconds", [])]
        totals[system] = {
            "files": len(mine),
            "fields_mean": round(sum(r["fields"] for r in mine) / len(mine), 3),
            "fields_min": min(r["fields"] for r in mine),
            "stage_precision_mean": round(sum(r["stage_precision"] for r in mine) / len(mine), 3),
            "stages_exact": sum(1 for r in mine if r["stages_exact"]),
            "unsupported": sum(r["unsupported"] or 0 for r in mine),
            "seconds": round(sum(r["seconds"] for r in mine), 1),
            "pitfalls": _f1(mine),
        }
        if system == "journeybot":
            totals[system].update(
                questions_per_answer=round(sum(r["questions"] for r in mine) / max(1, sum(r["answers"] for r in mine)), 2),
                answer_seconds_p50=round(_pct(seconds, 0.5), 2), answer_seconds_p95=round(_pct(seconds, 0.95), 2))
            # the answers the model was asked about (the others are read by the rules in milliseconds)
            asked = [s for s in seconds if s >= MODEL_READ_S] or [0.0]
            totals[system].update(model_answers=len([s for s in seconds if s >= MODEL_READ_S]),
                                  model_seconds_p50=round(_pct(asked, 0.5), 2),
                                  model_seconds_p95=round(_pct(asked, 0.95), 2))
    if "one shot" in totals:
        journey = {r["file"]: r for r in rows if r["system"] == "journeybot"}
        below = [r["file"] for r in rows if r["system"] == "one shot" and journey[r["file"]]["fields"] < r["fields"]]
        totals["journeybot"]["below_one_shot"] = below
    return {"model": model_name, "model_load_s": round(load, 1), "rows": rows, "totals": totals,
            "load_average": [round(x, 2) for x in os.getloadavg()]}


def print_table(report: dict[str, Any]) -> None:
    print(f"interview fidelity — model {report['model']} (load {report['model_load_s']} s, load average "
          f"{' '.join(map(str, report['load_average']))})")
    print(f"{'file':46} {'system':10} {'fields':>7} {'stages':>12} {'unsup.':>7} {'q/ans':>6} {'s/ans p50/p95':>14} "
          f"{'pitfalls (missed / false alarms)'}")
    for r in report["rows"]:
        stages = f"{r['stage_precision']:.2f} {'exact' if r['stages_exact'] else str(r['stages_emitted']) + '/' + str(r['stages_named'])}"
        qa = f"{r['questions_per_answer']:.2f}" if "questions_per_answer" in r else ""
        sec = f"{r['answer_seconds_p50']:.1f}/{r['answer_seconds_p95']:.1f}" if "answer_seconds_p50" in r else f"{r['seconds']:.0f} s"
        p = r["pitfalls"]
        pit = f"{'-' if not p['fn'] else ','.join(p['fn'])} / {'-' if not p['fp'] else ','.join(p['fp'])}"
        print(f"{r['file']:46} {r['system']:10} {r['fields']:7.2f} {stages:>12} {r['unsupported']!s:>7} {qa:>6} {sec:>14} "
              f"{pit}" + (f"   ({r['error']})" if r.get("error") else ""))
    for system, t in report["totals"].items():
        p = t["pitfalls"]
        print(f"TOTAL {system:10} fields right {t['fields_mean']:.3f} (min {t['fields_min']:.2f}); stage precision "
              f"{t['stage_precision_mean']:.3f}, exact lists {t['stages_exact']}/{t['files']}; unsupported "
              f"{t['unsupported']}; {t['seconds']} s"
              + (f"; questions per answer {t['questions_per_answer']}; seconds per answer p50 {t['answer_seconds_p50']} "
                 f"p95 {t['answer_seconds_p95']}" if "questions_per_answer" in t else ""))
        if t.get("model_answers"):
            print(f"      {system:10} answers the model read: {t['model_answers']}, seconds p50 "
                  f"{t['model_seconds_p50']} p95 {t['model_seconds_p95']}")
        print(f"      {system:10} pitfalls: precision {p['precision']}, recall {p['recall']}, F1 {p['f1']} "
              f"({p['tp']} right, {p['fp']} false alarms, {p['fn']} missed); complete maps raising nothing: "
              f"{p['complete_maps_clean']}/{p['complete_maps']}")
        if t.get("below_one_shot") is not None:
            print(f"      files where journeybot keeps fewer fields than the one shot: {t['below_one_shot'] or 'none'}")
    if report["model"] == "none":
        print("(--model none: rules reader only; the one-shot alternative needs a model)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--model", choices=["local", "local-small", "openai", "none"], default="none")
    parser.add_argument("--base-url", default=None, help="an OpenAI-compatible server (with --model openai)")
    parser.add_argument("--max-tokens", type=int, default=3000, help="reply budget of the one-shot call")
    parser.add_argument("--only", default="", help="only the example files whose name holds this")
    parser.add_argument("--dir", type=Path, default=None,
                        help="another folder of answer files with their .facts.yaml (default: examples/interviews)")
    parser.add_argument("--no-one-shot", action="store_true", help="skip the one-shot alternative")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    from journeybot.llm.protocol import ModelError

    try:
        report = run(args.model, args.base_url, args.max_tokens, args.only, not args.no_one_shot, args.dir)
    except ModelError as err:
        print(f"bench_fidelity: {err.en}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print_table(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
