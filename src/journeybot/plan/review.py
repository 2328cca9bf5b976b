"""When to look at the map again.

Seed 002 advises rethinking a journey map at least every six months (sooner after a launch or a big
change); seed 004 (axis 4) adds that no journey stays frozen. The default review date is therefore the
map's creation date plus six calendar months.
"""

from __future__ import annotations

import datetime as dt

from ..domain.journey_map import JourneyMap
from ..text import add_months

REVIEW_MONTHS = 6


def default_review_date(journey: JourneyMap) -> dt.date:
    """``created`` + 6 months (seed 002)."""
    return add_months(journey.created, REVIEW_MONTHS)


def review_date(journey: JourneyMap) -> tuple[dt.date, bool]:
    """The review date to show and whether it is the map's own (True) or the default (False)."""
    if journey.review_date is not None:
        return journey.review_date, True
    return default_review_date(journey), False
