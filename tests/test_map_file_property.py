"""Property tests: any JSON-ish input gives a map or a MapFileError, never another exception; any
valid map can be linted and reviewed, and every finding points at items that exist."""

from __future__ import annotations

import json
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeybot.domain.journey_map import JourneyMap
from journeybot.domain.map_file import MapFileError, dump_map, parse_map, parse_map_text
from journeybot.lint import lint, render_review_text, review

json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=15,
)

# Keys a map really has, so random values reach deep into the model instead of stopping at the top.
MAP_KEYS = ["schema_version", "title", "lang", "created", "framing", "persona", "evidence", "stages",
            "moments_of_truth", "opportunities", "action_plan", "review_date"]
STAGE_KEYS = ["name", "lifecycle", "touchpoints", "emotion", "pain_points", "positives", "metrics", "id", "provenance"]
TP_KEYS = ["name", "channel", "online", "ownership", "owner", "invisible", "id"]

touchpointish = st.dictionaries(st.sampled_from(TP_KEYS), json_values, max_size=7)
stageish = st.dictionaries(
    st.sampled_from(STAGE_KEYS),
    json_values | st.lists(touchpointish, max_size=3),
    max_size=8,
)
mapish = st.dictionaries(
    st.sampled_from(MAP_KEYS),
    json_values | st.lists(stageish, max_size=3),
    max_size=12,
)


def _outcome(data: object) -> JourneyMap | None:
    try:
        return parse_map(data)
    except MapFileError as err:
        assert err.problems and all(str(p) for p in err.problems)
        return None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_any_json_value_is_a_map_or_a_map_file_error(data: object) -> None:
    _outcome(data)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mapish)
def test_map_shaped_json_is_a_map_or_a_map_file_error(data: dict[str, Any]) -> None:
    journey = _outcome(data)
    if journey is not None:
        assert parse_map_text(dump_map(journey)) == journey
        lint(journey)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200) | st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
def test_any_text_is_a_map_or_a_map_file_error(text: str) -> None:
    try:
        parse_map_text(text)
    except MapFileError as err:
        assert err.problems


# --- valid maps, built from parts the rules look at -------------------------------------------------

WORDS = ["Découverte", "Je compare", "Validation du dossier", "Support", "Using it", "Awareness",
         "Téléphone", "App Store", "Website", "Word of mouth", "Attente", "Le client", "Camille", "Recommandation"]
provenance = st.sampled_from(["customer", "team", "inferred"])
name = st.sampled_from(WORDS)

touchpoint = st.fixed_dictionaries(
    {"name": name, "channel": name, "online": st.booleans()},
    optional={"ownership": st.sampled_from(["owned", "partner", "third_party"]), "owner": st.none() | name,
              "invisible": st.booleans(), "provenance": provenance},
)
metric = st.fixed_dictionaries(
    {"name": name, "value": st.floats(allow_nan=False, allow_infinity=False)},
    optional={"source": st.none() | name, "provenance": provenance},
)
note = st.fixed_dictionaries({"text": name}, optional={"provenance": provenance})
stage = st.fixed_dictionaries(
    {"name": name, "touchpoints": st.lists(touchpoint, max_size=4)},
    optional={
        "lifecycle": st.none() | st.sampled_from(["before_purchase", "purchase", "after_purchase"]),
        "emotion": st.none() | st.fixed_dictionaries({"score": st.integers(-2, 2)}, optional={"provenance": provenance}),
        "pain_points": st.lists(note, max_size=2), "positives": st.lists(note, max_size=2),
        "thoughts": st.lists(note, max_size=2), "metrics": st.lists(metric, max_size=2),
    },
)
scale = st.none() | st.integers(1, 5)
opportunity = st.fixed_dictionaries(
    {"text": name},
    optional={"kind": st.sampled_from(["fix", "optimise", "innovate"]),
              "lever": st.none() | st.sampled_from(["simplify", "hidden", "surprise"]),
              "impact": scale, "reach": scale, "confidence": scale, "effort": scale, "provenance": provenance},
)
valid_map = st.fixed_dictionaries(
    {"stages": st.lists(stage, max_size=6)},
    optional={
        "persona": st.none() | st.fixed_dictionaries({"name": name}, optional={"segments": st.lists(name, max_size=3)}),
        "evidence": st.lists(st.fixed_dictionaries({"text": name}, optional={"provenance": provenance}), max_size=2),
        "opportunities": st.lists(opportunity, max_size=3),
        "action_plan": st.lists(st.fixed_dictionaries({"action": name}, optional={"owner": st.none() | name,
                                                                                 "kpi": st.none() | name}), max_size=2),
        "framing": st.fixed_dictionaries({}, optional={"start": st.none() | name, "end": st.none() | name,
                                                       "scope": st.none() | st.sampled_from(["macro", "specific"])}),
        "created": st.dates().map(lambda d: d.isoformat()),
        "review_date": st.none() | st.dates().map(lambda d: d.isoformat()),
    },
)


def _resolve(data: object, path: str) -> object:
    node = data
    for key, index in re.findall(r"([A-Za-z_]+)|\[(\d+)\]", path):
        node = node[key] if key else node[int(index)]  # type: ignore[index]
    return node


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_map)
def test_any_valid_map_lints_and_reviews_and_findings_point_at_real_items(data: dict[str, Any]) -> None:
    journey = parse_map(data)
    dumped = json.loads(dump_map(journey))
    for lang in ("fr", "en"):
        found = lint(journey, lang)
        for f in found:
            assert f.message
            for path in f.items:
                _resolve(dumped, path)
        rv = review(journey, lang)
        assert 0 <= rv.score <= 100
        assert 1 <= len(rv.next_steps) <= 3
        assert render_review_text(rv, lang)
