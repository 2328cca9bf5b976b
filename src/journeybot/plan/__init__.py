"""Prioritisation and the action plan: pure functions over a JourneyMap (imports only the domain and the text toolkit).

- :mod:`.priority` ranks opportunities by a documented, measurable score.
- :mod:`.review` gives the default review date (created + 6 months).
- :mod:`.action_plan` joins the action plan to the opportunities it serves.
"""

from __future__ import annotations

from .action_plan import ActionRow, action_plan_rows
from .priority import SCALES, RankedOpportunity, priority_score, rank_opportunities
from .review import REVIEW_MONTHS, default_review_date, review_date

__all__ = [
    "REVIEW_MONTHS",
    "SCALES",
    "ActionRow",
    "RankedOpportunity",
    "action_plan_rows",
    "default_review_date",
    "priority_score",
    "rank_opportunities",
    "review_date",
]
