"""Answers as people write them in a chat, read into the right fields (one test per way of saying it)."""

from __future__ import annotations

from journeybot.domain.journey_map import JourneyMap, Stage
from journeybot.interview import agent
from journeybot.interview.lifecycle import lifecycles
from journeybot.interview.numbers import metrics_in
from journeybot.interview.plans import scores
from journeybot.interview.proposal import AddAction, AddStage, SetOwner
from journeybot.interview.reading import mixed_groups
from journeybot.interview.types import PendingExtraction
from journeybot.text import Span
from journeybot.text.numbers import words_to_int


def _stages(text: str, lang: str = "en", journey: JourneyMap | None = None) -> list[str]:
    result = agent.extract(None, PendingExtraction(1, "stages", None, text, False), journey or JourneyMap(), lang)  # type: ignore[arg-type]
    return [c.name for c in result.proposal.changes if isinstance(c, AddStage)]


def test_stages_numbered_in_words() -> None:
    text = ("OK, stage one, I need a car. Stage two, browsing listings. Stage three, checking it out. "
            "And four, leaving a review. I suppose there's selling it on, but that's another journey, leave it out.")
    assert _stages(text) == ["I need a car", "Browsing listings", "Checking it out", "Leaving a review"]


def test_several_quoted_names_after_one_connector() -> None:
    text = ("D'abord « J'en ai marre », puis « Je compare », ensuite « J'attends ma SIM », « La bascule » — le jour "
            "où le numéro passe —, et enfin « Je recommande ».")
    assert _stages(text, "fr") == ["J'en ai marre", "Je compare", "J'attends ma SIM", "La bascule", "Je recommande"]


def test_a_forgotten_stage_named_after_where_it_goes() -> None:
    text = ("En gros on a quatre temps : j'ai mal, on me soulage, je fais mes soins, je reviens. Ah non, j'ai oublié "
            "le plus important : entre on me soulage et je fais mes soins, il y a je réfléchis au devis.")
    assert _stages(text, "fr") == ["J'ai mal", "On me soulage", "Je réfléchis au devis", "Je fais mes soins", "Je reviens"]


def test_a_later_answer_about_the_stages_adds_none() -> None:
    journey = JourneyMap(stages=[Stage(name=n) for n in ("Je me renseigne", "Je visite", "J'inscris mon fils")])
    text = "L'achat, si on veut, c'est la dernière étape, quand elle signe et qu'elle paie."
    assert set(_stages(text, "fr", journey)) <= {s.name for s in journey.stages}  # where they sit, no new one
    assert lifecycles(text, [s.name for s in journey.stages]) == {0: "before_purchase", 1: "before_purchase", 2: "purchase"}


def test_two_groups_said_one_after_the_other() -> None:
    text = ("We've got two kinds of bookers. One: couples planning their own wedding, say Priya, 31. "
            "Two: professional wedding planners like Jo.")
    assert mixed_groups(text) == ["couples planning their own wedding", "professional wedding planners"]


def test_loose_scores() -> None:
    assert scores("le créneau réservé, 4-5-4-1") == {"impact": 4, "reach": 5, "confidence": 4, "effort": 1}
    assert scores("le rendez-vous devis, impact très fort, je mets 5, portée 4, confiance 4, effort 2") == {
        "impact": 5, "reach": 4, "confidence": 4, "effort": 2}


def test_numbers_in_words() -> None:
    assert [words_to_int(w) for w in ("forty-four", "Quarante-deux", "soixante-dix-sept", "quatre-vingt-dix")] == [
        44, 42, 77, 90]
    text = "Forty-four per cent of new members never borrow again, from the library system."
    found = metrics_in(text, Span(0, len(text), text))
    assert [(m.value, m.unit) for m in found] == [(44.0, "%")]


def test_an_action_line_that_opens_with_who_does_it() -> None:
    journey = JourneyMap(stages=[Stage(name="Devis")])
    text = "Plan d'action : Inès monte le rendez-vous devis, KPI le taux de devis signés, d'ici fin juin."
    result = agent.extract(None, PendingExtraction(1, "priorities", None, text, False), journey, "fr")
    actions = [c for c in result.proposal.changes if isinstance(c, AddAction)]
    assert [(a.action, a.owner) for a in actions] == [("Inès monte le rendez-vous devis", "Inès")]


def test_owners_said_with_when() -> None:
    from journeybot.domain.journey_map import Touchpoint

    journey = JourneyMap(stages=[Stage(name="Paying", touchpoints=[Touchpoint(name="Card reader", channel="store", online=False)])])
    text = "The card reader: Priti on Saturdays, me the rest of the week."
    result = agent.extract(None, PendingExtraction(1, "owners", None, text, False), journey, "en")
    assert [(c.touchpoint, c.owner) for c in result.proposal.changes if isinstance(c, SetOwner)] == [("Card reader", "Priti")]
