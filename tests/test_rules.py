"""The rule-based reader (backend "none" and the fallback), in French and English."""

from __future__ import annotations

import datetime as dt

import pytest

from journeybot.domain.journey_map import JourneyMap, Persona, Stage, Touchpoint
from journeybot.interview.engine import Question
from journeybot.interview.proposal import (
    AddAction,
    AddMetric,
    AddMomentOfTruth,
    AddNote,
    AddOpportunity,
    AddPainPoint,
    AddStage,
    AddTouchpoint,
    SetEmotion,
    SetFraming,
    SetOwner,
    SetPersona,
    SetReviewDate,
    apply,
)
from journeybot.interview.rules import (
    emotion_score,
    find_channel,
    find_date,
    find_numbers,
    fold,
    looks_like_method_question,
    read_answer,
    split_items,
)


def _map(*names: str) -> JourneyMap:
    return JourneyMap(stages=[Stage(id=f"s{i}", name=n) for i, n in enumerate(names)])


@pytest.mark.parametrize(("text", "items"), [
    ("Découverte, recherche, comparaison, achat et SAV", ["Découverte", "recherche", "comparaison", "achat", "SAV"]),
    ("1. Découverte du besoin\n2. Recherche d'infos\n- Achat en ligne",
     ["Découverte du besoin", "Recherche d'infos", "Achat en ligne"]),
    ("Elle voit une pub, puis elle va sur le site, ensuite elle appelle", ["Elle voit une pub", "elle va sur le site",
                                                                        "elle appelle"]),
    ("Need → research → order; delivery", ["Need", "research", "order", "delivery"]),
    ("She searches, then she compares and finally she buys", ["She searches", "she compares", "she buys"]),
])
def test_split_items(text: str, items: list[str]) -> None:
    assert split_items(text) == items


@pytest.mark.parametrize(("text", "online"), [
    ("un appel au service client", False), ("elle appelle l'agence", False), ("au téléphone", False),
    ("en magasin", False), ("un courrier", False), ("le bouche-à-oreille", False), ("phone call", False),
    ("le site web", True), ("l'appli mobile", True), ("un e-mail de relance", True), ("the app", True),
    ("Instagram", True), ("the branch", False), ("a letter", False),
])
def test_channel_words_say_online_or_offline(text: str, online: bool) -> None:
    channel = find_channel(text)
    assert channel is not None, text
    assert channel.online is online


@pytest.mark.parametrize(("text", "score"), [
    ("elle est ravie", 2), ("il est content", 1), ("elle est stressée", -1), ("furieuse !", -2),
    ("pas contente du tout", -1), ("she is delighted", 2), ("not happy", -1), ("frustrated", -1),
    ("elle est agacée, -1", -1), ("note : +2", 2), ("score 0", 0), ("angry", -2),
])
def test_emotion_words_and_scores_have_the_right_sign(text: str, score: int) -> None:
    found = emotion_score(text)
    assert found is not None and found[0] == score


def test_no_emotion_in_plain_text() -> None:
    assert emotion_score("Elle remplit le formulaire en ligne.") is None


def test_numbers_with_units_names_and_sources() -> None:
    found = find_numbers("Le taux d'abandon du panier est de 68 % (source : Google Analytics). NPS de 32 selon "
                         "l'enquête 2025. Délai moyen de rappel : 48 heures.")
    by_name = {n.name: n for n in found}
    assert by_name["Taux d'abandon du panier"].value == 68 and by_name["Taux d'abandon du panier"].unit == "%"
    assert by_name["Taux d'abandon du panier"].source == "Google Analytics"
    assert by_name["NPS"].value == 32
    assert any(n.value == 48 and n.unit == "heures" for n in found)
    assert not any(n.value == 2025 for n in found)
    en = find_numbers("Drop-off at the quote form is 42% according to Google Analytics.")
    assert en[0].name == "Drop-off at the quote form" and en[0].value == 42 and en[0].source == "Google Analytics"


def test_numbers_after_the_value_name_it_in_french() -> None:
    found = find_numbers("68 % d'abandon du formulaire de devis (source : Google Analytics).")
    assert found[0].name.startswith("Abandon du formulaire")


def test_dates() -> None:
    today = dt.date(2026, 1, 31)
    assert find_date("le 15 mars 2027", today)[0] == dt.date(2027, 3, 15)  # type: ignore[index]
    assert find_date("by 2027-03-31", today)[0] == dt.date(2027, 3, 31)  # type: ignore[index]
    assert find_date("d'ici juin 2026", today)[0] == dt.date(2026, 6, 1)  # type: ignore[index]
    assert find_date("dans 6 mois", today)[0] == dt.date(2026, 7, 28)  # type: ignore[index]
    assert find_date("in 2 weeks", today)[0] == dt.date(2026, 2, 14)  # type: ignore[index]
    assert find_date("no date here", today) is None


def test_fold_keeps_the_length() -> None:
    text = "Être « ravie » — côté SAV’"
    assert len(fold(text)) == len(text)
    assert fold(text).startswith("etre")


@pytest.mark.parametrize(("text", "is_question"), [
    ("c'est quoi un moment de vérité ?", True), ("Pourquoi cette question ?", True),
    ("why do you ask this?", True), ("What is a persona?", True), ("qu'est-ce qu'un point de contact ?", True),
    ("Nous voulons réduire le churn.", False), ("Elle compare les prix ?", False),
    ("Why? Because customers leave.", False), ("Julie, 34 ans, infirmière.", False),
    ("Pourquoi nos clients quittent-ils le parcours client avant le devis ?", False),
    ("à quoi sert le persona ?", True), ("Mais pourquoi vous me demandez ça ?", True),
    ("What's the difference between a stage and a touchpoint?", True),
])
def test_method_questions_are_told_from_answers(text: str, is_question: bool) -> None:
    assert looks_like_method_question(text) is is_question


def test_stages_are_read_in_order_with_their_lifecycle() -> None:
    p = read_answer("1. Avis d'échéance\n2. Recherche\n3. Souscription\n4. Sinistre\n5. Recommandation", "stages",
                    JourneyMap(), "fr")
    stages = [c for c in p.changes if isinstance(c, AddStage)]
    assert [s.name for s in stages] == ["Avis d'échéance", "Recherche", "Souscription", "Sinistre", "Recommandation"]
    assert [s.lifecycle for s in stages] == ["before_purchase", "before_purchase", "purchase", "after_purchase",
                                             "after_purchase"]
    assert all(s.provenance == "team" and s.quote for s in stages)


def test_touchpoints_go_to_the_stage_the_answer_names() -> None:
    journey = _map("Découverte", "Achat")
    p = read_answer("Découverte : pub Instagram, bouche-à-oreille d'une amie. Achat : sur le site, puis appel au "
                    "service client", "touchpoints", journey, "fr")
    tps = [c for c in p.changes if isinstance(c, AddTouchpoint)]
    assert [(t.stage, t.online) for t in tps] == [("Découverte", True), ("Découverte", False), ("Achat", True),
                                                 ("Achat", False)]
    assert tps[1].ownership == "third_party" and tps[1].invisible
    assert tps[3].name == "Appel au service client"


def test_a_stage_name_inside_a_sentence_does_not_move_the_answer() -> None:
    journey = _map("Research", "Comparison")
    p = read_answer("Research: the comparison website Uswitch and reviews on Trustpilot.", "touchpoints", journey, "en")
    assert {c.stage for c in p.changes if isinstance(c, AddTouchpoint)} == {"Research"}


def test_the_question_stage_is_the_default() -> None:
    journey = _map("Discovery", "Order")
    q = Question(key="k", phase="touchpoints", kind="question", index=0, text="?", phase_title="", phase_number=5,
                 phase_count=11, focus="Order", focus_id="s1")
    p = read_answer("the online checkout and a confirmation e-mail", "touchpoints", journey, "en", q)
    assert [c.stage for c in p.changes if isinstance(c, AddTouchpoint)] == ["Order", "Order"]


def test_experience_reads_emotion_actions_thoughts_expectations() -> None:
    journey = _map("Devis", "Souscription")
    p = read_answer("Devis : elle remplit le formulaire puis attend deux jours. Elle se dit « ils m'ont oubliée ». "
                    "Elle est furieuse, -2. Elle attend un rappel rapide. Souscription : contente, +1.",
                    "experience", journey, "fr")
    emotions = {c.stage: c.score for c in p.changes if isinstance(c, SetEmotion)}
    assert emotions == {"Devis": -2, "Souscription": 1}
    lanes = {(c.stage, c.lane) for c in p.changes if isinstance(c, AddNote)}
    assert {("Devis", "actions"), ("Devis", "thoughts"), ("Devis", "expectations")} <= lanes


def test_pain_points_and_positives() -> None:
    journey = _map("Installation day", "First use")
    p = read_answer("Installation day: the arrival window is five hours long.\nFirst use: what works well is the "
                    "router that connects in minutes.", "pain_points", journey, "en")
    pains = [(c.stage, c.text) for c in p.changes if isinstance(c, AddPainPoint)]
    positives = [(c.stage, c.text) for c in p.changes if isinstance(c, AddNote) and c.lane == "positives"]
    assert pains == [("Installation day", "The arrival window is five hours long")]
    assert positives and positives[0][0] == "First use"


def test_framing_persona_metrics_owners_priorities() -> None:
    framing = read_answer("Il commence quand la cliente reçoit l'avis d'échéance et se termine quand elle "
                          "recommande l'assurance.", "framing", JourneyMap(), "fr").changes[0]
    assert isinstance(framing, SetFraming)
    assert framing.start == "la cliente reçoit l'avis d'échéance"
    assert framing.end == "elle recommande l'assurance"
    persona = read_answer("Julie, 34 ans, infirmière, veut une assurance moins chère. Elle a peur des frais cachés.",
                          "persona", JourneyMap(), "fr").changes[0]
    assert isinstance(persona, SetPersona) and persona.name == "Julie"
    assert persona.goals and persona.frustrations and "money" in persona.motivations

    journey = _map("Devis", "Recommandation")
    journey.stages[0].touchpoints.append(Touchpoint(id="t1", name="Formulaire de devis", channel="site", online=True))
    journey.stages[0].touchpoints.append(Touchpoint(id="t2", name="Agence", channel="agence", online=False))
    metrics = [c for c in read_answer("Devis : 68 % d'abandon (source : Google Analytics). Recommandation : NPS de 21.",
                                      "metrics", journey, "fr").changes if isinstance(c, AddMetric)]
    assert [(m.stage, m.value, m.unit) for m in metrics] == [("Devis", 68, "%"), ("Recommandation", 21, "")]
    owners = [c for c in read_answer("Le formulaire de devis : équipe digitale. L'agence : service client.", "owners",
                                     journey, "fr").changes if isinstance(c, SetOwner)]
    assert {(o.touchpoint, o.owner) for o in owners} == {("Formulaire de devis", "Digital et produit"),
                                                         ("Agence", "Service client")}

    pri = read_answer("Rappeler chaque devis dans l'heure ; simplifier le formulaire", "priorities", journey, "fr")
    assert [c.kind for c in pri.changes if isinstance(c, AddOpportunity)] == ["fix", "optimise"]
    act = read_answer("Mettre en place un rappel automatique, responsable : service client, KPI : délai de rappel, "
                      "d'ici le 30 juin 2027.", "priorities", journey, "fr").changes
    action = next(c for c in act if isinstance(c, AddAction))
    assert action.owner == "service client" and action.kpi == "délai de rappel" and action.due == dt.date(2027, 6, 30)
    review = read_answer("Nous reverrons la carte dans 6 mois.", "priorities", journey, "fr").changes
    assert any(isinstance(c, SetReviewDate) for c in review)


def test_moments_of_truth_with_kind_and_stage() -> None:
    journey = _map("Devis", "Sinistre")
    p = read_answer("Le rappel après la demande de devis, parce que c'est le moment de la décision (FMOT).",
                    "moments_of_truth", journey, "fr")
    mot = p.changes[0]
    assert isinstance(mot, AddMomentOfTruth)
    assert mot.kind == "FMOT" and mot.stage == "Devis" and mot.why


def test_an_answer_citing_customers_is_customer_evidence() -> None:
    p = read_answer("Les clients disent dans l'enquête que le rappel est trop lent.", "pain_points", _map("Devis"), "fr")
    assert p.changes and all(c.provenance == "customer" for c in p.changes)


def test_every_reading_applies_to_a_valid_map() -> None:
    journey = JourneyMap(persona=Persona(id="p", name="Sam"))
    for phase, text in [
        ("stages", "Need; research; order; installation; first bill"),
        ("touchpoints", "Need: a friend. Order: the website and a phone call."),
        ("experience", "Need: frustrated, -1. Order: pleased, +1."),
        ("pain_points", "Order: the form is too long."),
        ("metrics", "Order: 42% drop-off (source: analytics)."),
        ("owners", "Website: digital team. Phone call: sales."),
    ]:
        journey = apply(journey, read_answer(text, phase, journey, "en"), confirm=False)
    assert [s.name for s in journey.stages] == ["Need", "Research", "Order", "Installation", "First bill"]
    assert sum(1 for _ in journey.touchpoints()) == 3
    assert JourneyMap.model_validate(journey.model_dump()) == journey


@pytest.mark.parametrize(("answer", "lang", "expected"), [
    ("Bonjour ! Je suis responsable marketing chez Optika. Nous voulons comprendre pourquoi les parents "
     "abandonnent le devis en ligne.", "fr",
     "Nous voulons comprendre pourquoi les parents abandonnent le devis en ligne."),
    ("Hello! I'm the head of growth. We want to reduce no-shows at our clinics.", "en",
     "We want to reduce no-shows at our clinics."),
    ("Bonjour. Je suis chef de produit. Les résiliations montent depuis janvier.", "fr",
     "Les résiliations montent depuis janvier."),  # no objective word: the first sentence past the greeting
    ("Réduire les appels au service client.", "fr", "Réduire les appels au service client."),
])
def test_the_objective_skips_greetings_and_introductions(answer: str, lang: str, expected: str) -> None:
    q = Question(key="framing:question0@", phase="framing", kind="question", index=0, text="?",
                 phase_title="Cadrage", phase_number=1, phase_count=11)
    change = read_answer(answer, "framing", JourneyMap(), lang, q).changes[0]  # type: ignore[arg-type]
    assert isinstance(change, SetFraming) and change.objective == expected
