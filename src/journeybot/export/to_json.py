"""JSON export: the map itself, exactly as journeybot saves it.

The output validates against ``journeybot.domain.journey_map.json_schema()`` and loads back into
the same map (``load_map`` / ``parse_map_text``). Findings, ranks and review dates are not added:
the schema forbids unknown keys, and they are recomputed from the map by every other export.
"""

from __future__ import annotations

from ..domain.journey_map import JourneyMap
from ..domain.map_file import dump_map


def render_json(journey: JourneyMap) -> str:
    return dump_map(journey)
