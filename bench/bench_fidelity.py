"""Interview fidelity: journeybot's interview versus the obvious alternative, same model, same run.

    .venv/bin/python bench/bench_fidelity.py [--model local-small|local|openai|none] [--base-url URL] [--json]

On the project's own example interviews (examples/interviews/*.yaml, FR and EN, each with the facts its
map must hold in *.facts.yaml), two ways of making the map:

- journeybot: the headless interview (`journeybot interview`): one answer at a time, a small JSON schema
  per phase, validation, retry, the rules reader as fallback, provenance decided by the agent;
- one shot: every answer pasted into the same model at once, asked for the whole map in one reply with a
  JSON schema (a reduced journey-map schema: persona, stages with touchpoints, emotion, pain points,
  positives and metrics, moments of truth, evidence, opportunities, actions, review date; each item with a
  provenance the model chooses: customer, team or inferred).

Figures per file and system: facts kept (check_facts against *.facts.yaml), unsupported statements (items
of the map NOT marked `inferred` whose words, or number, appear nowhere in the user's answers: things the
user never said presented as facts), and seconds. With --model none the interview runs on the rules
reader alone and there is no one-shot alternative (no model).
Targets: journeybot keeps >= 90 % of the facts and presents 0 unsupported statements; the one-shot
alternative is shown for comparison.
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
    touchpoints: Annotated[list[OTouchpoint], Field(max_length=4)] = []
    emotion_score: Annotated[int, Field(ge=-2, le=2)] | None = None
    emotion_label: Short | None = None
    pain_points: Annotated[list[OText], Field(max_length=3)] = []
    positives: Annotated[list[OText], Field(max_length=2)] = []
    metrics: Annotated[list[OMetric], Field(max_length=3)] = []


class OPersona(_M):
    name: Short
    goals: Annotated[list[Medium], Field(max_length=3)] = []
    frustrations: Annotated[list[Medium], Field(max_length=3)] = []


class OMoment(_M):
    name: Short
    stage: Short | None = None
    provenance: Prov


class OAction(_M):
    action: Medium
    owner: Short | None = None
    provenance: Prov


class OneShotMap(_M):
    persona: OPersona | None = None
    stages: Annotated[list[OStage], Field(max_length=10)] = []
    moments_of_truth: Annotated[list[OMoment], Field(max_length=3)] = []
    evidence: Annotated[list[OText], Field(max_length=3)] = []
    opportunities: Annotated[list[OText], Field(max_length=3)] = []
    actions: Annotated[list[OAction], Field(max_length=3)] = []
    review_date: dt.date | None = None


ONE_SHOT_SYSTEM = (
    "You turn a marketer's interview notes into a customer journey map, as JSON that fits the schema. Use the "
    "notes' own words. Keep the stages in the order of the notes. A negative feeling gets a negative score. "
    "A phone call, a store, a letter or a friend is offline; a website, an app or an e-mail is online. For each "
    "item set provenance: customer when it comes from customer evidence, team when the notes say it, inferred "
    "when you add it yourself. Leave out what the notes do not say. Write every value in {language}."
)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))] if ordered else float("nan")


def answer_files() -> list[Path]:
    return sorted(p for p in EXAMPLES.glob("*.yaml") if not p.name.endswith(".facts.yaml"))


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
    data: dict[str, Any] = {
        "lang": lang, "title": title, "stages": stages,
        "persona": {"name": reading.persona.name, "goals": reading.persona.goals,
                    "frustrations": reading.persona.frustrations, "provenance": "team"} if reading.persona else None,
        "moments_of_truth": [{"name": m.name, "stage": m.stage, "provenance": m.provenance}
                             for m in reading.moments_of_truth],
        "evidence": [{"kind": "other", "text": e.text, "provenance": e.provenance} for e in reading.evidence],
        "opportunities": [{"text": o.text, "provenance": o.provenance} for o in reading.opportunities],
        "action_plan": [{"action": a.action, "owner": a.owner, "provenance": a.provenance} for a in reading.actions],
        "review_date": reading.review_date.isoformat() if reading.review_date else None,
    }
    return JourneyMap.model_validate(data)


def unsupported(journey: Any, answers: Any) -> tuple[int, int, list[str]]:
    """(statements presented as facts the answers do not support, statements checked, a few examples)."""
    import re

    from journeybot.interview import agent, rules

    said_text = "\n".join(t for texts in answers.answers.values() for t in texts)
    words, folded = agent.content_words(said_text), rules.fold(said_text)
    numbers = {round(float(n.replace(",", ".")), 4) for n in re.findall(r"\d+(?:[.,]\d+)?", said_text.replace(" ", ""))}
    count = checked = 0
    examples: list[str] = []
    for path, item in journey.items():
        if item.provenance == "inferred":
            continue
        if hasattr(item, "value"):  # a metric: its number must have been said
            ok = round(float(item.value), 4) in numbers
            what = f"{item.name} = {item.value:g}"
        else:
            what = str(next((getattr(item, a) for a in ("name", "text", "action") if getattr(item, a, None)), ""))
            if not what:
                continue
            ok = agent.said(what, words, folded)
        checked += 1
        if not ok:
            count += 1
            if len(examples) < 5:
                examples.append(f"{path}: {what[:60]}")
    for stage in journey.stages:  # emotions presented as said
        if stage.emotion is not None and stage.emotion.provenance != "inferred" and stage.emotion.label:
            checked += 1
            if not agent.said(stage.emotion.label, words, folded) and rules.emotion_score(said_text) is None:
                count += 1
    return count, checked, examples


def run_interview(path: Path, model: Any) -> dict[str, Any]:
    from journeybot.interview.facts import check_facts, load_facts
    from journeybot.interview.headless import load_answers, run_headless
    from journeybot.store import SessionStore

    answers = load_answers(path)
    lang = answers.lang or "fr"
    store = SessionStore()
    t0 = time.perf_counter()
    result = run_headless(answers, store, lang=lang, model=model)
    seconds = time.perf_counter() - t0
    store.close()
    facts = check_facts(result.journey, load_facts(facts_path(path)))
    bad, checked, examples = unsupported(result.journey, answers)
    return {"system": "journeybot", "file": path.name, "lang": lang, "facts_kept": facts.kept,
            "facts_total": facts.total, "unsupported": bad, "checked": checked, "examples": examples,
            "seconds": round(seconds, 1), "turns": result.turns, "model_turns": result.model_turns,
            "seconds_per_turn_p50": round(_pct(result.seconds, 0.5), 2) if result.seconds else None,
            "missing": facts.missing[:8]}


def run_one_shot(path: Path, model: Any, max_tokens: int) -> dict[str, Any]:
    from journeybot.interview.facts import check_facts, load_facts
    from journeybot.interview.headless import load_answers
    from journeybot.llm.protocol import ModelError

    answers = load_answers(path)
    lang = answers.lang or "fr"
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
    out: dict[str, Any] = {"system": "one shot", "file": path.name, "lang": lang, "seconds": round(seconds, 1),
                           "error": error}
    facts = check_facts(journey, load_facts(facts_path(path))) if journey is not None else None
    if facts is None:
        from journeybot.domain.journey_map import JourneyMap

        facts = check_facts(JourneyMap(lang=lang), load_facts(facts_path(path)))
    out.update(facts_kept=facts.kept, facts_total=facts.total, missing=facts.missing[:8])
    if journey is not None:
        bad, checked, examples = unsupported(journey, answers)
        out.update(unsupported=bad, checked=checked, examples=examples)
    else:
        out.update(unsupported=None, checked=0, examples=[])
    return out


def run(model_name: str, base_url: str | None = None, max_tokens: int = 3000) -> dict[str, Any]:
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
    for path in answer_files():
        rows.append(run_interview(path, model))
        if model is not None:
            rows.append(run_one_shot(path, model, max_tokens))
    totals: dict[str, Any] = {}
    for system in ("journeybot", "one shot"):
        mine = [r for r in rows if r["system"] == system]
        if not mine:
            continue
        kept, total = sum(r["facts_kept"] for r in mine), sum(r["facts_total"] for r in mine)
        totals[system] = {"facts_pct": round(100 * kept / total, 1) if total else None,
                          "unsupported": sum(r["unsupported"] or 0 for r in mine),
                          "seconds": round(sum(r["seconds"] for r in mine), 1)}
    return {"model": model_name, "model_load_s": round(load, 1), "rows": rows, "totals": totals}


def print_table(report: dict[str, Any]) -> None:
    print(f"interview fidelity — model {report['model']} (load {report['model_load_s']} s)")
    print(f"{'file':30} {'system':11} {'facts kept':>12} {'unsupported':>12} {'seconds':>8}")
    for r in report["rows"]:
        facts = f"{r['facts_kept']}/{r['facts_total']} {100 * r['facts_kept'] / r['facts_total']:.0f}%"
        bad = "n/a" if r.get("unsupported") is None else f"{r['unsupported']}/{r['checked']}"
        print(f"{r['file']:30} {r['system']:11} {facts:>12} {bad:>12} {r['seconds']:8.1f}"
              + (f"   ({r['error']})" if r.get("error") else ""))
        for miss in r.get("missing", [])[:4]:
            print(f"{'':43}missing: {miss}")
        for ex in r.get("examples", [])[:3]:
            print(f"{'':43}unsupported: {ex}")
    for system, t in report["totals"].items():
        print(f"TOTAL {system:11} facts kept {t['facts_pct']}%  unsupported statements {t['unsupported']}  "
              f"{t['seconds']} s")
    if report["model"] == "none":
        print("(--model none: rules reader only; the one-shot alternative needs a model)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--model", choices=["local", "local-small", "openai", "none"], default="local-small")
    parser.add_argument("--base-url", default=None, help="an OpenAI-compatible server (with --model openai)")
    parser.add_argument("--max-tokens", type=int, default=3000, help="reply budget of the one-shot call")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    from journeybot.llm.protocol import ModelError

    try:
        report = run(args.model, args.base_url, args.max_tokens)
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
