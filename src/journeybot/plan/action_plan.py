"""The action plan joined to the opportunities it serves, in priority order."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..domain.journey_map import Action, JourneyMap, Opportunity
from .priority import rank_opportunities


@dataclass(frozen=True)
class ActionRow:
    """One action with the opportunity it serves (if any) and that opportunity's rank and score.

    ``dangling`` is True when the action names an opportunity id that is not in the map.
    """

    action: Action
    index: int
    opportunity: Opportunity | None
    rank: int | None
    score: float | None
    dangling: bool

    @property
    def owner(self) -> str | None:
        return self.action.owner

    @property
    def kpi(self) -> str | None:
        return self.action.kpi

    @property
    def due(self) -> dt.date | None:
        return self.action.due


def action_plan_rows(journey: JourneyMap) -> list[ActionRow]:
    """Actions ordered by their opportunity's rank (best first); actions serving an unscored
    opportunity next, then actions serving none (or an unknown id); map order within each group."""
    ranked = {r.opportunity.id: r for r in rank_opportunities(journey)}
    rows: list[ActionRow] = []
    for index, action in enumerate(journey.action_plan):
        r = ranked.get(action.opportunity) if action.opportunity else None
        rows.append(
            ActionRow(
                action=action,
                index=index,
                opportunity=r.opportunity if r else None,
                rank=r.rank if r else None,
                score=r.score if r else None,
                dangling=bool(action.opportunity) and r is None,
            )
        )

    def key(row: ActionRow) -> tuple[int, int, int]:
        if row.rank is not None:
            return (0, row.rank, row.index)
        if row.opportunity is not None:
            return (1, ranked[row.opportunity.id].index, row.index)
        return (2, 0, row.index)

    return sorted(rows, key=key)
