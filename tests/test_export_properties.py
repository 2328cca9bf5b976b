"""Property tests: whatever text a map holds, every export stays well-formed and says it literally."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET

import markupsafe
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeybot.domain.journey_map import PLACEHOLDERS, JourneyMap
from journeybot.domain.map_file import parse_map_text
from journeybot.export import export_map
from journeybot.export.text import defuse_formula

# Any text the domain accepts: no C0 control except tab/newline/CR, not blank, not a placeholder.
_chars = st.characters(blacklist_categories=("Cs",), blacklist_characters=[
    *(chr(c) for c in range(0x20) if chr(c) not in "\t\n\r"), "\x7f"])
text = st.text(_chars, min_size=1, max_size=40).filter(
    lambda s: s.strip() != "" and s.strip().lower() not in PLACEHOLDERS)
nasty = st.sampled_from(["<script>alert(1)</script>", "=1+2", "-cmd", "@SUM(A1)", 'a"b', "a;b,c", "x:y#z%%",
                         "é à ç ü « »", "line\nbreak", "\ufffe", "]]>", "&amp;", "{{ 7*7 }}", "{% raw %}"])
field_text = st.one_of(text, nasty, st.builds(lambda a, b: a + b, nasty, text))


@st.composite
def maps(draw: st.DrawFn) -> JourneyMap:
    stages = []
    for _ in range(draw(st.integers(0, 4))):
        tps = [{"name": draw(field_text), "channel": draw(field_text), "online": draw(st.booleans()),
                "owner": draw(st.one_of(st.none(), field_text))} for _ in range(draw(st.integers(0, 3)))]
        stages.append({
            "name": draw(field_text), "touchpoints": tps,
            "emotion": draw(st.one_of(st.none(), st.builds(lambda s, lab: {"score": s, "label": lab},
                                                                 st.integers(-2, 2), field_text))),
            "pain_points": [{"text": draw(field_text),
                             "touchpoint": tps[0]["name"] if tps and draw(st.booleans()) else None}],
            "metrics": [{"name": draw(field_text), "value": draw(st.floats(-1e6, 1e6, allow_nan=False)),
                         "unit": draw(field_text), "source": draw(field_text)}],
        })
    data = {"title": draw(field_text), "persona": {"name": draw(field_text)}, "stages": stages,
            "evidence": [{"text": draw(field_text), "source": draw(field_text)}],
            "opportunities": [{"id": "o1", "text": draw(field_text), "impact": draw(st.integers(1, 5))}],
            "action_plan": [{"action": draw(field_text), "opportunity": "o1", "owner": draw(field_text)}]}
    # Explicit ids: the map's own id factory draws random bits, which Hypothesis forbids in a strategy.
    count = iter(range(10_000))
    items = [data["persona"], *data["evidence"], *data["action_plan"]]
    for stage in stages:
        items += [stage, *stage["touchpoints"], *stage["pain_points"], *stage["metrics"]]
    for item in items:
        item["id"] = f"i{next(count)}"
    return JourneyMap.model_validate(data)


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(maps())
def test_json_round_trips(journey: JourneyMap) -> None:
    assert parse_map_text(str(export_map(journey, "json", lang="fr"))) == journey


PLAIN_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")
"""A cell a spreadsheet reads as a number, not a formula ("+1", "-3,5", "+0."): left as it is."""


@SETTINGS
@given(maps())
def test_csv_parses_back_cell_for_cell(journey: JourneyMap) -> None:
    for lang, sep in (("fr", ";"), ("en", ",")):
        data = export_map(journey, "csv", lang=lang)
        assert isinstance(data, bytes) and data.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=sep))
        expected_rows = 1 + sum(max(1, len(s.touchpoints)) for s in journey.stages)
        assert len(rows) == expected_rows and all(len(r) == 17 for r in rows)
        names = [r[3] for r in rows[1:] if r[3]]
        assert names == [defuse_formula(tp.name) for s in journey.stages for tp in s.touchpoints]
        for row in rows:
            for cell in row:
                assert not cell.startswith(("=", "+", "@", "\t", "\r")) or PLAIN_NUMBER.fullmatch(cell)


@SETTINGS
@given(maps())
def test_html_escapes_everything(journey: JourneyMap) -> None:
    page = str(export_map(journey, "html", lang="en", findings=[]))
    assert "<script" not in page.lower()
    assert str(markupsafe.escape(journey.title)) in page
    body = page.split("<body>", 1)[1]
    tags = set(re.findall(r"</?([a-zA-Z][a-zA-Z0-9]*)", body))
    assert tags <= {"header", "h1", "h2", "h3", "p", "div", "strong", "span", "section", "dl", "dt", "dd", "table",
                    "colgroup", "col", "thead", "tbody", "tr", "th", "td", "ul", "li", "svg", "line", "polyline",
                    "code", "br", "em", "footer", "body", "html"}


@SETTINGS
@given(maps())
def test_markdown_has_no_raw_html(journey: JourneyMap) -> None:
    md = str(export_map(journey, "md", lang="fr", findings=[]))
    assert "<" not in md.replace("&lt;", "")


@SETTINGS
@given(maps())
def test_mermaid_lines_are_well_formed(journey: JourneyMap) -> None:
    lines = str(export_map(journey, "mermaid", lang="en")).splitlines()
    assert lines[0] == "journey"
    for line in lines[1:]:
        if line.startswith("    title ") or line.startswith("    section "):
            assert not set(line) & set(":;#{}<>\"") and "%%" not in line
        elif line.strip().startswith("%%"):
            continue
        else:
            assert re.fullmatch(r"      [^:;#\n]+: [1-5]: [^:;#,\n]+(, [^:;#,\n]+)*", line), line
            assert "%%" not in line


@SETTINGS
@given(maps())
def test_cjml_is_always_well_formed(journey: JourneyMap) -> None:
    root = ET.fromstring(str(export_map(journey, "cjml", lang="fr")))
    pj = root.find("plannedJourney")
    assert pj is not None
    assert len(pj.findall("touchpoints/plannedCommunicationPoint")) == sum(len(s.touchpoints) for s in journey.stages)
    assert len(pj.findall("journeyPhases/journeyPhase")) == len(journey.stages)
    json.dumps(ET.tostring(root, encoding="unicode"))
