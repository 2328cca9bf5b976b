"""A clear, measurable priority score for opportunities.

Method
------
Each opportunity carries four scales from 1 to 5, filled in with the team:

- ``impact``: how much it changes the customer's experience (and the business result);
- ``reach``: how many customers of this persona meet the moment it improves;
- ``confidence``: how sure we are, i.e. how much customer evidence backs it (5 = seen in evidence,
  1 = a hunch);
- ``effort``: how much it costs to deliver (5 = a large project).

    score = impact × reach × confidence / effort      (from 0.2 to 125)

Why this and not a gut ranking:

- seed 001 (criterion 5): a journey map must say clearly, and measurably, which touchpoints to work
  on first; without an ordering everyone can check, an executive committee never agrees on what to do
  (customer experience crosses every department). A product of named scales is something each
  member can question line by line.
- seed 000 (phase 3): prioritise before acting; irritants (effort, frustration) and moments of truth
  (where everything can switch) are the two ways in, and solutions either fix, optimise or innovate.
  The score is the same for all three kinds, so a differentiating idea competes fairly with a repair;
  an opportunity at a stage that holds a moment of truth wins ties.
- seed 004 (axis 4): a journey is never frozen; it is managed with KPIs and reviews. A score made of
  explicit scales can be re-rated at each review.

Confidence keeps the ranking honest: an opportunity the team only believes ranks below an equal one
that customers showed. Dividing by effort puts quick wins first without hiding big bets.

Ties are broken by: opportunity at a moment-of-truth stage first, then lower effort, then map order.
Opportunities missing any scale are *unscored*: listed after every scored one, in map order, with the
names of the scales still to fill.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.journey_map import JourneyMap, Opportunity

SCALES: tuple[str, ...] = ("impact", "reach", "confidence", "effort")
"""The four 1..5 scales the score needs, in the order they are asked."""


def priority_score(opportunity: Opportunity) -> float | None:
    """impact × reach × confidence / effort, rounded to 2 decimals; None if a scale is missing."""
    i, r, c, e = (opportunity.impact, opportunity.reach, opportunity.confidence, opportunity.effort)
    if i is None or r is None or c is None or e is None:
        return None
    return round(i * r * c / e, 2)


def missing_scales(opportunity: Opportunity) -> tuple[str, ...]:
    return tuple(name for name in SCALES if getattr(opportunity, name) is None)


@dataclass(frozen=True)
class RankedOpportunity:
    """An opportunity with its place in the ranking.

    ``rank`` is 1-based among scored opportunities (equal scores still get distinct ranks, by the
    documented tie-breakers); None when unscored. ``missing`` names the scales still to fill.
    ``index`` is its position in ``map.opportunities``.
    """

    opportunity: Opportunity
    index: int
    score: float | None
    rank: int | None
    missing: tuple[str, ...]
    moment_of_truth: bool

    @property
    def scored(self) -> bool:
        return self.score is not None


def _moment_stages(journey: JourneyMap) -> set[str]:
    return {m.stage.strip().casefold() for m in journey.moments_of_truth if m.stage}


def rank_opportunities(journey: JourneyMap) -> list[RankedOpportunity]:
    """Every opportunity of the map, best first; unscored ones last, in map order."""
    moments = _moment_stages(journey)
    scored: list[tuple[float, bool, int, int, Opportunity]] = []
    unscored: list[RankedOpportunity] = []
    for index, opp in enumerate(journey.opportunities):
        on_moment = bool(opp.stage) and (opp.stage or "").strip().casefold() in moments
        score = priority_score(opp)
        if score is None:
            unscored.append(RankedOpportunity(opp, index, None, None, missing_scales(opp), on_moment))
        else:
            scored.append((score, on_moment, opp.effort or 0, index, opp))
    scored.sort(key=lambda t: (-t[0], not t[1], t[2], t[3]))
    ranked = [
        RankedOpportunity(opp, index, score, rank, (), on_moment)
        for rank, (score, on_moment, _effort, index, opp) in enumerate(scored, start=1)
    ]
    return ranked + unscored
