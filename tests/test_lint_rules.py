"""Each pitfall rule: a map where it fires and a close one where it must stay quiet.

Maps are built from the clean English example (examples/physio-online-booking.en.json), which lints
with zero findings, changed just enough to cross (or not) the rule's threshold.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from journeybot.domain.journey_map import JourneyMap
from journeybot.domain.map_file import parse_map
from journeybot.lint import Finding, lint
from journeybot.lint.rules import RULES
from journeybot.method.catalog import pitfalls

REPO = Path(__file__).resolve().parent.parent
Data = dict[str, Any]

_CLEAN: dict[str, Data] = {}


def clean(lang: str = "en") -> Data:
    name = {"en": "physio-online-booking.en.json", "fr": "mutuelle-optique-enfants.fr.json"}[lang]
    if name not in _CLEAN:
        _CLEAN[name] = json.loads((REPO / "examples" / name).read_text(encoding="utf-8"))
    return copy.deepcopy(_CLEAN[name])


def findings(data: Data, lang: str = "en") -> dict[str, Finding]:
    journey = parse_map(data)
    return {f.code: f for f in lint(journey, "fr" if lang == "fr" else "en")}


def codes(data: Data) -> set[str]:
    return set(findings(data))


def touchpoints(data: Data) -> list[Data]:
    return [tp for stage in data["stages"] for tp in stage["touchpoints"]]


def resolve(data: object, path: str) -> object:
    """Follow a JSON path like ``stages[2].touchpoints[0]`` in dumped data."""
    node = data
    for name, index in re.findall(r"([A-Za-z_]+)|\[(\d+)\]", path):
        if name:
            assert isinstance(node, dict), path
            node = node[name]
        else:
            assert isinstance(node, list), path
            node = node[int(index)]
    return node


# --- the baseline ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_clean_examples_are_the_quiet_baseline(lang: str) -> None:
    assert codes(clean(lang)) == set()


def test_every_catalogue_code_has_a_rule_and_no_rule_is_outside_it() -> None:
    assert set(RULES) == set(pitfalls())


# --- internal-view --------------------------------------------------------------------------------


def _no_customer(data: object) -> None:
    if isinstance(data, dict):
        if data.get("provenance") == "customer":
            data["provenance"] = "team"
        for value in data.values():
            _no_customer(value)
    elif isinstance(data, list):
        for value in data:
            _no_customer(value)


def test_internal_view_fires_without_any_customer_material() -> None:
    data = clean()
    data["evidence"] = []
    _no_customer(data)
    found = findings(data)["internal-view"]
    assert found.severity == "error"
    assert "Nothing in the map comes from customers" in found.message


def test_internal_view_fires_when_the_only_material_is_the_teams_own() -> None:
    data = clean()
    _no_customer(data)
    data["evidence"] = [{"kind": "other", "text": "Two workshops with the estimators", "provenance": "team"},
                        {"kind": "frontline", "text": "Our advisers think people want speed", "provenance": "team"}]
    found = findings(data)["internal-view"]
    assert found.items == ["evidence[0]", "evidence[1]"]
    assert "2 sources" in found.message and "workshops" in found.message


def test_internal_view_fires_when_the_only_evidence_is_inferred() -> None:
    data = clean()
    _no_customer(data)
    data["evidence"] = [{"kind": "verbatim", "text": "People love it", "provenance": "inferred"}]
    assert "internal-view" in codes(data)


def test_internal_view_is_quiet_with_one_frontline_item_relaying_customers() -> None:
    data = clean()
    _no_customer(data)
    data["evidence"] = [{"kind": "frontline", "text": "Receptionists hear patients ask it daily", "provenance": "customer"}]
    assert "internal-view" not in codes(data)


def test_internal_view_wants_evidence_not_items_marked_customer() -> None:
    data = clean()
    data["evidence"] = []
    _no_customer(data)
    data["stages"][0]["pain_points"][0]["provenance"] = "customer"
    assert "internal-view" in codes(data)


# --- process-not-journey --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Validation du dossier", "Qualification du lead", "LEAD QUALIFIÉ",
                                  "Back-office check", "Handled by the legal department"])
def test_process_not_journey_fires_on_a_stage_named_after_a_process(name: str) -> None:
    data = clean()
    data["stages"][2]["name"] = name
    found = findings(data)["process-not-journey"]
    assert found.items == ["stages[2]"]
    assert name in found.message


def test_process_not_journey_names_the_touchpoint() -> None:
    data = clean()
    data["stages"][4]["touchpoints"][1]["name"] = "Saisie du dossier dans le back office"
    found = findings(data)["process-not-journey"]
    assert found.items == ["stages[4].touchpoints[1]"]


@pytest.mark.parametrize("name", ["I validate my order", "Choosing a team leader", "Je traite mes verres",
                                  "Leading the team through the switch"])
def test_process_not_journey_is_quiet_on_customer_words(name: str) -> None:
    data = clean()
    data["stages"][2]["name"] = name
    assert "process-not-journey" not in codes(data)


def test_process_not_journey_ignores_what_customers_say_in_pain_points() -> None:
    data = clean()
    data["stages"][3]["pain_points"][0]["text"] = "Nobody tells me the file validation takes eleven days"
    assert "process-not-journey" not in codes(data)


# --- too-coarse -----------------------------------------------------------------------------------


def _one_touchpoint_per_stage(data: Data, stages: int) -> Data:
    data["stages"] = data["stages"][:stages]
    for stage in data["stages"]:
        stage["touchpoints"] = stage["touchpoints"][:1]
    return data


def test_too_coarse_fires_at_seven_touchpoints() -> None:
    data = _one_touchpoint_per_stage(clean(), 7)
    found = findings(data)["too-coarse"]
    assert "7 touchpoints" in found.message
    assert found.severity == "error"


def test_too_coarse_is_quiet_at_eight_touchpoints() -> None:
    data = _one_touchpoint_per_stage(clean(), 8)
    assert sum(len(s["touchpoints"]) for s in data["stages"]) == 8
    assert "too-coarse" not in codes(data)


def test_too_coarse_fires_on_a_stage_without_touchpoint_however_many_others() -> None:
    data = clean()
    data["stages"][5]["touchpoints"] = []
    found = findings(data)["too-coarse"]
    assert found.items == ["stages[5]"]
    assert data["stages"][5]["name"] in found.message


# --- no-numbers -----------------------------------------------------------------------------------


def test_no_numbers_fires_without_any_metric() -> None:
    data = clean()
    for stage in data["stages"]:
        stage["metrics"] = []
    assert findings(data)["no-numbers"].items == []


def _unsourced(data: Data, n: int) -> list[str]:
    paths = []
    for si, stage in enumerate(data["stages"]):
        for mi, metric in enumerate(stage["metrics"]):
            if len(paths) < n:
                metric["source"] = None
                paths.append(f"stages[{si}].metrics[{mi}]")
    return paths


def test_no_numbers_fires_when_most_metrics_have_no_source_and_points_at_them() -> None:
    data = clean()
    total = sum(len(s["metrics"]) for s in data["stages"])
    paths = _unsourced(data, total // 2 + 1)
    found = findings(data)["no-numbers"]
    assert found.items == paths


def test_no_numbers_is_quiet_when_one_metric_of_many_lacks_a_source() -> None:
    data = clean()
    _unsourced(data, 1)
    assert "no-numbers" not in codes(data)


def test_no_numbers_is_quiet_with_one_sourced_metric() -> None:
    data = clean()
    for stage in data["stages"]:
        stage["metrics"] = []
    data["stages"][2]["metrics"] = [{"name": "Trial conversion", "value": 18, "unit": "%", "source": "CRM"}]
    assert "no-numbers" not in codes(data)


# --- no-priorities --------------------------------------------------------------------------------


def test_no_priorities_fires_without_opportunities() -> None:
    data = clean()
    data["opportunities"] = []
    for action in data["action_plan"]:
        action["opportunity"] = None
    assert "no-priorities" in codes(data)


def test_no_priorities_fires_when_nothing_is_scored_and_no_plan_says_what_comes_first() -> None:
    data = clean()
    for opp in data["opportunities"]:
        opp.update(impact=None, reach=None, confidence=None, effort=None)
    data["action_plan"] = []
    found = findings(data)["no-priorities"]
    assert len(found.items) == len(data["opportunities"])


def test_no_priorities_is_quiet_when_an_action_plan_says_what_comes_first() -> None:
    data = clean()
    for opp in data["opportunities"]:
        opp.update(impact=None, reach=None, confidence=None, effort=None)
    assert "no-priorities" not in codes(data)


def test_no_priorities_is_quiet_with_one_scored_opportunity() -> None:
    data = clean()
    for opp in data["opportunities"][1:]:
        opp["effort"] = None
    assert "no-priorities" not in codes(data)


# --- no-persona -----------------------------------------------------------------------------------


def test_no_persona_fires_without_persona() -> None:
    data = clean()
    data["persona"] = None
    assert "no-persona" in codes(data)


@pytest.mark.parametrize("name", ["Le client", "les CLIENTS", "The customer", "Users", "L’adhérent", "utilisatrice"])
def test_no_persona_fires_on_a_generic_name(name: str) -> None:
    data = clean()
    data["persona"]["name"] = name
    assert findings(data)["no-persona"].items == ["persona"]


@pytest.mark.parametrize("name", ["Camille", "Priya, a customer since 2021", "Le client pressé du lundi matin"])
def test_no_persona_is_quiet_on_a_named_person(name: str) -> None:
    data = clean()
    data["persona"]["name"] = name
    assert "no-persona" not in codes(data)


# --- multiple-personas ----------------------------------------------------------------------------


def test_multiple_personas_fires_on_two_segments() -> None:
    data = clean()
    data["persona"]["segments"] = ["Clinics", "Solo practitioners"]
    assert "Solo practitioners" in findings(data)["multiple-personas"].message


@pytest.mark.parametrize("text", ["Nos clients particuliers et professionnels", "Serves B2B and B2C alike",
                                  "Stands for all segments"])
def test_multiple_personas_fires_on_a_multi_segment_marker(text: str) -> None:
    data = clean()
    data["persona"]["description"] = text
    assert "multiple-personas" in codes(data)


def test_multiple_personas_is_quiet_for_one_segment() -> None:
    data = clean()
    data["persona"]["segments"] = ["Clinics"]
    data["persona"]["description"] = "Runs four clinics and talks to professionals every day."
    assert "multiple-personas" not in codes(data)


# --- online-only ----------------------------------------------------------------------------------


def _all_online(data: Data, channel: str = "Website") -> Data:
    for tp in touchpoints(data):
        tp["online"] = True
        tp["channel"] = channel
    return data


def test_online_only_fires_when_every_touchpoint_is_online() -> None:
    found = findings(_all_online(clean()))["online-only"]
    assert len(found.items) == len(touchpoints(clean()))


def test_online_only_is_not_fooled_by_app_store() -> None:
    assert "online-only" in codes(_all_online(clean(), "App Store"))


def test_online_only_is_quiet_with_one_offline_touchpoint() -> None:
    data = _all_online(clean())
    touchpoints(data)[3]["online"] = False
    assert "online-only" not in codes(data)


def test_online_only_trusts_an_offline_channel_name() -> None:
    data = _all_online(clean())
    touchpoints(data)[3]["channel"] = "Téléphone"
    assert "online-only" not in codes(data)


# --- stops-at-purchase ----------------------------------------------------------------------------


def _until_purchase(data: Data) -> Data:
    data["stages"] = [s for s in data["stages"] if s["lifecycle"] != "after_purchase"]
    return data


def test_stops_at_purchase_fires_and_names_the_last_stage() -> None:
    found = findings(_until_purchase(clean()))["stops-at-purchase"]
    assert "Signing up for the four clinics" in found.message
    assert found.items == ["stages[3]"]


def test_stops_at_purchase_reads_the_stage_name_when_lifecycle_is_unset() -> None:
    data = _until_purchase(clean())
    data["stages"].append({"name": "Using it at the front desk", "touchpoints": [
        {"name": "Booking widget", "channel": "Website", "online": True, "owner": "Product"}]})
    assert "stops-at-purchase" not in codes(data)


def test_stops_at_purchase_trusts_lifecycle_over_the_name() -> None:
    data = _until_purchase(clean())
    data["stages"][-1]["name"] = "Support during signature"
    assert "stops-at-purchase" in codes(data)


def test_stops_at_purchase_is_quiet_for_a_specific_journey() -> None:
    data = _until_purchase(clean())
    data["framing"]["scope"] = "specific"
    assert "stops-at-purchase" not in codes(data)


# --- top-of-funnel-only ---------------------------------------------------------------------------


def _discovery_heavy(data: Data, extra: int) -> Data:
    """Stage 0 renamed 'Discovery' and given ``extra`` more touchpoints; others keep one."""
    data["stages"][0]["name"] = "Discovery"
    for stage in data["stages"][1:]:
        stage["touchpoints"] = stage["touchpoints"][:1]
    for i in range(extra):
        data["stages"][0]["touchpoints"].append(
            {"name": f"Sponsored post {i}", "channel": "Social media", "online": True, "owner": "Marketing"})
    return data


def test_top_of_funnel_only_fires_at_sixty_percent() -> None:
    data = _discovery_heavy(clean(), 9)  # 11 of 18 touchpoints in discovery: 61 %
    found = findings(data)["top-of-funnel-only"]
    assert found.items == ["stages[0]"]
    assert "61 %" in found.message


def test_top_of_funnel_only_is_quiet_below_sixty_percent() -> None:
    data = _discovery_heavy(clean(), 8)  # 10 of 17: 59 %
    assert "top-of-funnel-only" not in codes(data)


def test_a_stage_marked_after_purchase_is_not_discovery() -> None:
    data = _discovery_heavy(clean(), 9)
    data["stages"][0]["lifecycle"] = "after_purchase"
    data["stages"][0]["name"] = "Discovering advanced features"
    assert "top-of-funnel-only" not in codes(data)


# --- no-emotions / flat-or-only-positive -----------------------------------------------------------


def test_no_emotions_fires_when_no_stage_has_one() -> None:
    data = clean()
    for stage in data["stages"]:
        stage["emotion"] = None
    assert "no-emotions" in codes(data)
    assert "flat-or-only-positive" not in codes(data)


def test_no_emotions_is_quiet_with_a_single_emotion() -> None:
    data = clean()
    for stage in data["stages"][1:]:
        stage["emotion"] = None
    assert "no-emotions" not in codes(data)


def test_no_emotions_is_quiet_on_a_map_without_stages() -> None:
    assert "no-emotions" not in codes({"title": "empty"})


def test_flat_fires_when_every_emotion_is_equal() -> None:
    data = clean()
    for stage in data["stages"]:
        stage["emotion"]["score"] = -1
    found = findings(data)["flat-or-only-positive"]
    assert "flat" in found.message
    assert found.items[0] == "stages[0].emotion"


def test_only_positive_fires_when_nothing_is_negative() -> None:
    data = clean()
    for stage, score in zip(data["stages"], [0, 1, 2, 0, 1, 2, 0, 1], strict=True):
        stage["emotion"]["score"] = score
    assert "No negative emotion" in findings(data)["flat-or-only-positive"].message


def test_flat_is_quiet_with_one_emotion_only() -> None:
    data = clean()
    for stage in data["stages"][1:]:
        stage["emotion"] = None
    data["stages"][0]["emotion"]["score"] = 2
    assert "flat-or-only-positive" not in codes(data)


# --- no-owners ------------------------------------------------------------------------------------


def test_no_owners_fires_when_most_touchpoints_the_company_runs_have_no_owner() -> None:
    data = clean()
    run = [tp for tp in touchpoints(data) if tp["ownership"] == "owned" and not tp.get("invisible")]
    for tp in run[: len(run) // 2 + 1]:
        tp["owner"] = None
    found = findings(data)["no-owners"]
    assert len(found.items) == len(run) // 2 + 1
    assert run[0]["name"] in found.message


def test_no_owners_is_quiet_when_one_touchpoint_of_many_has_no_owner() -> None:
    data = clean()
    data["stages"][2]["touchpoints"][0]["owner"] = None
    assert "no-owners" not in codes(data)


def test_no_owners_does_not_judge_touchpoints_whose_channel_was_not_said() -> None:
    data = clean()
    for tp in touchpoints(data):
        if tp["ownership"] == "owned":
            tp["owner"] = None
            tp["channel"] = "unspecified"
    assert "no-owners" not in codes(data)


def test_no_owners_does_not_ask_owners_for_third_party_or_partner_touchpoints() -> None:
    data = clean()
    for tp in touchpoints(data):
        if tp["ownership"] != "owned":
            tp["owner"] = None
    assert "no-owners" not in codes(data)


# --- only-pains -----------------------------------------------------------------------------------


def _no_bright_side(data: Data) -> Data:
    for stage in data["stages"]:
        stage["positives"] = []
    for opp in data["opportunities"]:
        if opp.get("lever") == "surprise":
            opp["lever"] = None
    return data


def test_only_pains_fires() -> None:
    assert "only-pains" in codes(_no_bright_side(clean()))


def test_only_pains_is_quiet_with_one_positive() -> None:
    data = _no_bright_side(clean())
    data["stages"][6]["positives"] = [{"text": "The help article fixes it in five minutes"}]
    assert "only-pains" not in codes(data)


def test_only_pains_is_quiet_with_an_opportunity_to_surprise() -> None:
    data = _no_bright_side(clean())
    data["opportunities"][0]["lever"] = "surprise"
    assert "only-pains" not in codes(data)


# --- invisible-moments ----------------------------------------------------------------------------


def _flawed(name: str) -> Data:
    loaded: Data = json.loads((REPO / "examples" / "flawed" / name).read_text(encoding="utf-8"))
    return loaded


def test_invisible_moments_fires_on_a_map_with_no_wait_and_no_third_party() -> None:
    assert "invisible-moments" in codes(_flawed("invisible-moments.en.json"))


@pytest.mark.parametrize("change", [
    lambda d: d["stages"][2]["touchpoints"][0].update(invisible=True),
    lambda d: d["stages"][2]["touchpoints"][0].update(ownership="third_party"),
    lambda d: d["stages"][4]["pain_points"][0].update(text="Trois semaines d'attente sans date"),
    lambda d: d["stages"][1]["actions"][0].update(text="Asks a friend who runs a gym"),
])
def test_invisible_moments_is_quiet_when_one_is_there(change: Callable[[Data], None]) -> None:
    data = _flawed("invisible-moments.en.json")
    change(data)
    assert "invisible-moments" not in codes(data)


# --- existing-touchpoints-audit -------------------------------------------------------------------


def _only_fixes(data: Data) -> Data:
    for opp in data["opportunities"]:
        opp["kind"] = "fix"
        if opp.get("lever") in ("hidden", "surprise"):
            opp["lever"] = "simplify"
    return data


def test_existing_touchpoints_audit_is_quiet_with_an_opportunity_to_surprise() -> None:
    data = _only_fixes(clean())
    data["opportunities"][0]["lever"] = "surprise"
    assert "existing-touchpoints-audit" not in codes(data)


def test_existing_touchpoints_audit_fires_when_every_opportunity_fixes_what_exists() -> None:
    assert "existing-touchpoints-audit" in codes(_only_fixes(clean()))


def test_existing_touchpoints_audit_is_quiet_with_a_hidden_lever() -> None:
    data = _only_fixes(clean())
    data["opportunities"][1]["lever"] = "hidden"
    assert "existing-touchpoints-audit" not in codes(data)


def test_existing_touchpoints_audit_leaves_an_empty_list_to_no_priorities() -> None:
    data = clean()
    data["opportunities"] = []
    assert "existing-touchpoints-audit" not in codes(data)


# --- no-action-plan -------------------------------------------------------------------------------


def test_no_action_plan_fires_on_an_empty_plan() -> None:
    data = clean()
    data["action_plan"] = []
    assert "no-action-plan" in codes(data)


def test_no_action_plan_fires_when_no_action_has_an_owner() -> None:
    data = clean()
    for action in data["action_plan"]:
        action["owner"] = None
    assert findings(data)["no-action-plan"].items == [f"action_plan[{i}]" for i in range(len(data["action_plan"]))]


def test_no_action_plan_is_quiet_when_one_action_lacks_a_kpi() -> None:
    data = clean()
    data["action_plan"][2]["kpi"] = None
    assert "no-action-plan" not in codes(data)


# --- stale-map ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("created", "review", "stale"), [
    ("2026-09-14", None, True),
    ("2026-09-14", "2027-03-14", False),
    ("2026-09-14", "2027-03-15", True),
    ("2026-08-31", "2027-02-28", False),
    ("2026-08-31", "2027-03-01", True),
    ("2026-09-14", "2026-09-13", True),
    ("2026-09-14", "2026-09-14", False),
])
def test_stale_map_six_month_limit(created: str, review: str | None, stale: bool) -> None:
    data = clean()
    data["created"] = created
    data["review_date"] = review
    assert ("stale-map" in codes(data)) is stale


# --- fuzzy-boundaries -----------------------------------------------------------------------------


@pytest.mark.parametrize(("start", "end", "items"), [
    (None, "x", ["framing.start"]), ("x", None, ["framing.end"]), (None, None, ["framing.start", "framing.end"]),
])
def test_fuzzy_boundaries_fires(start: str | None, end: str | None, items: list[str]) -> None:
    data = clean()
    data["framing"]["start"] = start
    data["framing"]["end"] = end
    assert findings(data)["fuzzy-boundaries"].items == items


# --- invented-data --------------------------------------------------------------------------------


@pytest.mark.parametrize(("change", "path"), [
    (lambda d: d["stages"][1]["metrics"][0].update(provenance="inferred"), "stages[1].metrics[0]"),
    (lambda d: d["stages"][4]["emotion"].update(provenance="inferred"), "stages[4].emotion"),
    (lambda d: d["evidence"][0].update(provenance="inferred"), "evidence[0]"),
    (lambda d: d["stages"][2]["thoughts"][0].update(provenance="inferred"), "stages[2].thoughts[0]"),
    (lambda d: d["moments_of_truth"][1].update(provenance="inferred"), "moments_of_truth[1]"),
])
def test_invented_data_fires_on_unconfirmed_facts(change: Callable[[Data], None], path: str) -> None:
    data = clean()
    change(data)
    found = findings(data)["invented-data"]
    assert found.items == [path]
    assert found.severity == "error"


def test_invented_data_is_quiet_on_inferred_proposals() -> None:
    data = clean()
    data["stages"][2]["touchpoints"][0]["provenance"] = "inferred"
    data["opportunities"][0]["provenance"] = "inferred"
    data["moments_of_truth"][2]["provenance"] = "inferred"  # no evidence text: a proposal
    assert "invented-data" not in codes(data)


# --- properties of every finding ------------------------------------------------------------------


def _flawed_maps() -> list[str]:
    return sorted(p.name for p in (REPO / "examples" / "flawed").glob("*.json"))


@pytest.mark.parametrize("name", _flawed_maps())
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_finding_is_explained_and_points_at_real_items(name: str, lang: str) -> None:
    data = _flawed(name)
    journey: JourneyMap = parse_map(data)
    dumped = journey.model_dump(mode="json")
    catalogue = pitfalls()
    result = lint(journey, "fr" if lang == "fr" else "en")
    assert result, name
    for f in result:
        entry = catalogue[f.code]
        assert f.severity == entry.severity
        assert f.why == entry.why("fr" if lang == "fr" else "en")
        assert f.source == entry.source
        assert f.phases == list(entry.phases)
        assert f.message and (f.message[0].isupper() or f.message[0].isdigit()), f.message
        for path in f.items:
            resolve(dumped, path)  # raises if the path does not exist


def test_findings_come_errors_first_and_are_the_same_codes_in_both_languages() -> None:
    data = _flawed("draft-workshop.fr.json")
    fr = lint(parse_map(data), "fr")
    en = lint(parse_map(data), "en")
    assert [f.code for f in fr] == [f.code for f in en]
    order = {"error": 0, "warning": 1, "info": 2}
    assert [order[f.severity] for f in fr] == sorted(order[f.severity] for f in fr)
    assert fr[0].message != en[0].message


def test_lint_is_deterministic() -> None:
    journey = parse_map(_flawed("ai-draft.en.json"))
    assert lint(journey) == lint(journey)
