"""Map files round-trip (dump then load gives the same map) and the published JSON Schema agrees
with the model: it accepts the examples and rejects what the model rejects."""

from __future__ import annotations

import copy
import gc
import json
import threading
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from journeybot.domain.journey_map import JourneyMap, json_schema
from journeybot.domain.map_file import (
    MapFileError,
    dump_map,
    gc_paused,
    load_map,
    parse_map,
    parse_map_text,
    save_map,
)

REPO = Path(__file__).resolve().parent.parent
ALL_MAPS = sorted((REPO / "examples").glob("*.json")) + sorted((REPO / "examples" / "flawed").glob("*.json"))


def _validator() -> jsonschema.Draft202012Validator:
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.mark.parametrize("path", ALL_MAPS, ids=lambda p: p.name)
def test_dump_then_load_gives_the_same_map(path: Path) -> None:
    journey = load_map(path)
    again = parse_map_text(dump_map(journey))
    assert again == journey
    assert dump_map(again) == dump_map(journey)


@pytest.mark.parametrize("path", ALL_MAPS, ids=lambda p: p.name)
def test_the_example_files_are_in_canonical_form(path: Path) -> None:
    assert path.read_text(encoding="utf-8") == dump_map(load_map(path))


def test_save_then_load_through_a_file(tmp_path: Path) -> None:
    journey = load_map(ALL_MAPS[0])
    target = tmp_path / "deep" / "map.json"
    save_map(journey, target)
    assert load_map(target) == journey


@pytest.mark.parametrize("path", ALL_MAPS, ids=lambda p: p.name)
def test_the_json_schema_accepts_every_example(path: Path) -> None:
    errors = list(_validator().iter_errors(json.loads(path.read_text(encoding="utf-8"))))
    assert errors == []


def test_the_json_schema_accepts_a_minimal_map() -> None:
    data = json.loads(dump_map(JourneyMap()))
    assert list(_validator().iter_errors(data)) == []


def _example() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(ALL_MAPS[0].read_text(encoding="utf-8"))
    return copy.deepcopy(loaded)


@pytest.mark.parametrize("change", [
    lambda d: d["stages"][0]["touchpoints"][0].pop("channel"),
    lambda d: d["stages"][0]["touchpoints"][0].update(online="maybe"),
    lambda d: d["stages"][0]["emotion"].update(score=3),
    lambda d: d.update(surprise="unknown field"),
    lambda d: d.update(schema_version=2),
    lambda d: d["stages"][0].update(name="x" * 301),
    lambda d: d["opportunities"][0].update(impact=0),
    lambda d: d["evidence"][0].update(provenance="rumour"),
    lambda d: d.update(created="yesterday"),
])
def test_schema_and_model_reject_the_same_broken_maps(change: Any) -> None:
    data = _example()
    change(data)
    assert list(_validator().iter_errors(data)), "the JSON Schema accepted it"
    with pytest.raises(MapFileError) as err:
        parse_map(data)
    assert err.value.problems


def test_loading_a_map_pauses_the_cycle_collector_and_gives_it_back() -> None:
    text = (REPO / "examples" / "physio-online-booking.en.json").read_text(encoding="utf-8")
    seen: list[bool] = []
    original = JourneyMap.model_validate_json

    def spy(*args: Any, **kwargs: Any) -> JourneyMap:
        seen.append(gc.isenabled())
        return original(*args, **kwargs)

    assert gc.isenabled()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(JourneyMap, "model_validate_json", spy)
        parse_map_text(text)
        with pytest.raises(MapFileError):  # an invalid map takes the slow path; the collector still comes back
            parse_map_text('{"stages": [{"name": 3}]}')
    assert seen == [False, False]
    assert gc.isenabled()


def test_collector_pause_is_counted_across_threads_and_respects_a_disabled_collector() -> None:
    started, release = threading.Event(), threading.Event()

    def hold() -> None:
        with gc_paused():
            started.set()
            release.wait(5)

    worker = threading.Thread(target=hold)
    worker.start()
    started.wait(5)
    with gc_paused():
        assert not gc.isenabled()
    assert not gc.isenabled(), "the other thread still holds the pause"
    release.set()
    worker.join(5)
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled(), "a collector the caller had turned off stays off"
    finally:
        gc.enable()
