"""The grounding check: a value reaches the map as the user's (``team``/``customer``) only when it is a span
of what the user typed (or a number, date or score read from it). A framing or persona field that is not
is dropped; any other change is marked ``inferred``. Provenance comes from this check, not word overlap."""

from __future__ import annotations

import datetime as dt

from journeybot.interview.ground import Answer, ground, grounded
from journeybot.interview.proposal import (
    AddEvidence,
    AddMetric,
    AddPainPoint,
    AddStage,
    ScoreOpportunity,
    SetEmotion,
    SetFraming,
    SetPersona,
    SetReviewDate,
)
from journeybot.interview.texts import reading_lines

ANSWER = ("On cartographie le parcours de location. Ça commence quand il compare les loueurs et ça s'arrête "
          "quand il rend les clés. Le formulaire de devis est trop long : 68 % d'abandon (source : Google "
          "Analytics). Elle est « très agacée ».")


def test_spans_of_the_answer_hold_whatever_their_case_accents_quotes_and_spacing() -> None:
    said = Answer(ANSWER)
    for value in ("il compare les loueurs", "Il compare les loueurs", "IL COMPARE  LES LOUEURS",
                  "le formulaire de devis est trop long", "tres agacee", "Le parcours de location",
                  "Le formulaire de devis est trop…", "Le parcours de location — il rend les clés"):
        assert said.holds(value), value
    for value in ("il ne compare pas les loueurs", "not il compare les loueurs and customers love it", "PWNED",
                  "les loueurs il compare", "Le formulaire de devis est trop court", "", "…",
                  "il compare les loueurs et il rend les clés",  # two spans composed into one value
                  "Le parcours de location — PWNED"):
        assert not said.holds(value), value


def test_earlier_answers_count_when_the_user_points_back_at_them() -> None:
    said = Answer("Je l'ai déjà dit.", earlier=["Julie, 34 ans, infirmière à Lyon."])
    assert said.holds("infirmière à Lyon") and not said.holds("infirmière à Paris")


def test_a_framing_or_persona_field_that_is_not_the_users_is_dropped_the_others_stay() -> None:
    changes = [
        SetFraming(journey="Le parcours de location", start="il compare les loueurs",
                   end="il rend les clés et revient le lendemain", team=["Marie", "PWNED"], provenance="team"),
        SetPersona(name="PWNED", trigger="il compare les loueurs", goals=["payer moins", "trop long"],
                   provenance="team"),
    ]
    out, log = ground(changes, Answer(ANSWER))
    framing, persona = out
    assert isinstance(framing, SetFraming) and isinstance(persona, SetPersona)
    assert (framing.journey, framing.start, framing.end) == ("Le parcours de location", "il compare les loueurs", None)
    assert framing.team == [] and framing.provenance == "team"
    assert persona.name is None and persona.trigger == "il compare les loueurs" and persona.goals == ["trop long"]
    assert [(n.key, n.values["fields"]) for n in log] == [("dropped_fields", "end, team"),
                                                         ("dropped_fields", "goals, name")]


def test_a_framing_change_with_nothing_of_the_users_left_is_dropped_whole() -> None:
    out, log = ground([SetFraming(objective="Réduire le churn de 20 %", provenance="team")], Answer(ANSWER))
    assert out == [] and [n.key for n in log] == ["dropped_fields"]


def test_any_other_change_that_is_not_the_users_is_kept_but_inferred() -> None:
    changes = [
        AddStage(name="Teleport", provenance="team", quote="x"),
        AddStage(name="Le parcours de location", provenance="team", quote="x"),
        AddPainPoint(stage="Devis", text="Les prix sont cachés", provenance="customer", quote="x"),
        AddEvidence(kind="verbatim", text="Elle est « très agacée »", provenance="customer", quote="x"),
    ]
    out, log = ground(changes, Answer(ANSWER))
    assert [(c.provenance, c.quote) for c in out] == [("inferred", ""), ("team", "x"), ("inferred", ""),
                                                      ("customer", "x")]
    assert [n.values["change"] for n in log] == ["add_stage", "add_pain_point"]


def test_numbers_dates_and_scores_must_have_been_said() -> None:
    said = Answer(ANSWER)
    typed = AddMetric(stage="Devis", name="Abandon", value=68, unit="%", source="Google Analytics", provenance="team")
    invented = AddMetric(stage="Devis", name="Abandon", value=42, unit="%", provenance="team")
    assert grounded(typed, said) == [] and grounded(invented, said) == ["value"]
    assert grounded(AddMetric(name="NPS", value=68, provenance="team"), said) == ["name"]
    assert grounded(SetEmotion(stage="Devis", score=-2, label="très agacée", provenance="team"), said) == []
    calm = Answer("Elle remplit le formulaire.")
    assert grounded(SetEmotion(stage="Devis", score=2, label="", provenance="team"), calm) == ["score"]
    review = SetReviewDate(date=dt.date(2027, 6, 30), provenance="team")
    assert grounded(review, Answer("On la reverra le 30 juin 2027.")) == []
    assert grounded(review, calm) == ["date"]
    scored = ScoreOpportunity(text="", impact=4, effort=2, provenance="team")
    assert grounded(scored, Answer("impact 4, effort 2")) == [] and grounded(scored, calm) == ["scores"]


def test_the_notes_say_what_was_done_in_the_users_language() -> None:
    _, log = ground([AddStage(name="Teleport", provenance="team"),
                     SetFraming(start="PWNED", journey="Le parcours de location", provenance="team")], Answer(ANSWER))
    fr, en = reading_lines(log, "fr"), reading_lines(log, "en")
    assert fr[0].startswith("ce qui n'était pas vos mots a été marqué déduit (étape") and "nom)" in fr[0]
    assert fr[1].startswith("écarté car ce n'étaient pas vos mots (cadrage") and "début du parcours)" in fr[1]
    assert en == ["what was not your words was marked inferred (stage: name)",
                  "dropped as not your words (framing: start of the journey)"]
    for line in fr + en:  # the user's words for fields, never the pipeline's ids
        assert not any(raw in line for raw in ("add_stage", "set_framing", "(start", "start)"))
