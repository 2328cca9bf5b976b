"""The rule-based reader (backend "none", and the first reading of every answer), in French and English.

It labels the answer's spans with the words they hold (``rules.label``) and the shared builders turn the
labels into changes whose values are the user's own words (``reading.build``)."""

from __future__ import annotations

import datetime as dt

import pytest

from journeybot.domain.journey_map import JourneyMap, Persona, Stage, Touchpoint
from journeybot.interview.engine import Engine, Question
from journeybot.interview.ground import Answer, values
from journeybot.interview.numbers import metrics_in
from journeybot.interview.proposal import (
    AddAction,
    AddEvidence,
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
from journeybot.interview.reading import LABELS
from journeybot.interview.rules import (
    context,
    emotion_score,
    find_channel,
    fold,
    is_dont_know,
    label,
    looks_like_method_question,
    read,
    read_answer,
)
from journeybot.text import Span, find_date


def _map(*names: str) -> JourneyMap:
    return JourneyMap(stages=[Stage(id=f"s{i}", name=n) for i, n in enumerate(names)])


def _question(phase: str, qid: str, journey: JourneyMap | None = None, focus: str | None = None) -> Question:
    """The engine's own question ``qid`` of ``phase`` (on the stage named ``focus``)."""
    journey = journey or JourneyMap()
    engine = Engine()
    engine.jump(phase)
    for _ in range(60):
        q = engine.next_question(journey, "en")
        assert q is not None and q.phase == phase, (phase, qid)
        if q.id == qid and (focus is None or q.focus == focus):
            return q
        engine.skip()
    raise AssertionError(f"no question {phase}.{qid}")


# --- word lists ------------------------------------------------------------------------------------


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


def _metrics(text: str) -> list[object]:
    return list(metrics_in(text, Span.of(text, 0, len(text))))


def test_numbers_with_units_names_sources_and_periods() -> None:
    found = _metrics("Le taux d'abandon du panier est de 68 % (source : Google Analytics). NPS de 32 selon "
                     "l'enquête 2025. Délai moyen de rappel : 48 heures.")
    by_name = {m.name: m for m in found}  # type: ignore[attr-defined]
    cart = by_name["Taux d'abandon du panier"]
    assert cart.value == 68 and cart.unit == "%" and cart.source == "Google Analytics"
    assert by_name["NPS"].value == 32
    assert any(m.value == 48 and m.unit == "heures" for m in found)  # type: ignore[attr-defined]
    assert not any(m.value == 2025 for m in found)  # type: ignore[attr-defined]
    en = _metrics("Drop-off at the quote form is 42% according to Google Analytics.")
    assert en[0].name == "Drop-off at the quote form" and en[0].value == 42  # type: ignore[attr-defined]
    assert en[0].source == "Google Analytics"  # type: ignore[attr-defined]
    period = _metrics("Le NPS est de 32 sur les 12 derniers mois (enquête annuelle).")
    assert period[0].value == 32 and period[0].name.startswith("NPS")  # type: ignore[attr-defined]
    assert period[0].period and "12 derniers mois" in period[0].period  # type: ignore[attr-defined]
    assert period[0].source == "enquête annuelle"  # type: ignore[attr-defined]


def test_numbers_after_the_value_name_it_in_french() -> None:
    found = _metrics("68 % d'abandon du formulaire de devis (source : Google Analytics).")
    assert found[0].name.startswith("Abandon du formulaire")  # type: ignore[attr-defined]


def test_every_metric_quote_is_a_span_of_the_answer() -> None:
    text = "35% of new customers call about their first bill (source: call centre report, May). NPS is 31."
    for m in _metrics(text):
        assert m.quote in text  # type: ignore[attr-defined]


def test_dates() -> None:
    today = dt.date(2026, 1, 31)
    assert find_date("le 15 mars 2027", today)[0] == dt.date(2027, 3, 15)  # type: ignore[index]
    assert find_date("d'ici juin 2026", today)[0] == dt.date(2026, 6, 1)  # type: ignore[index]
    assert find_date("dans 6 mois", today)[0] == dt.date(2026, 7, 31)  # type: ignore[index]
    assert find_date("in 2 weeks", today)[0] == dt.date(2026, 2, 14)  # type: ignore[index]
    assert find_date("no date here", today) is None


def test_an_iso_date_is_a_date() -> None:
    today = dt.date(2026, 1, 31)
    found = find_date("by 2027-03-31", today)
    assert found is not None and found[0] == dt.date(2027, 3, 31)
    review = read_answer("We will review the map on 2027-03-31.", "priorities", JourneyMap(), "en").changes
    assert [c.date for c in review if isinstance(c, SetReviewDate)] == [dt.date(2027, 3, 31)]


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


@pytest.mark.parametrize("text", ["Je ne sais pas.", "no idea", "I don't know", "aucune idée !"])
def test_i_dont_know_proposes_nothing(text: str) -> None:
    assert is_dont_know(text)
    journey = JourneyMap(stages=[Stage(id="s0", name="Research", lifecycle="before_purchase")])
    for phase in ("framing", "persona", "stages", "touchpoints", "pain_points", "metrics"):
        assert read_answer(text, phase, journey, "fr").changes == [], phase


# --- labels ----------------------------------------------------------------------------------------


def test_labels_are_the_phases_and_cover_the_answer_in_order() -> None:
    text = ("On cartographie le parcours de Paul qui loue une voiture pour ses vacances. Ça commence quand il "
            "compare les loueurs et ça s'arrête quand il rend les clés.")
    ctx = context(text, "framing", JourneyMap(), "fr")
    found = label(ctx)
    assert [x.span.start for x in found] == sorted(x.span.start for x in found)
    for item in found:
        assert set(item.labels) <= set(LABELS["framing"])
        assert text[item.span.start:item.span.end] == item.span.text
    said = {lab for item in found for lab in item.labels}
    assert {"journey", "start", "end"} <= said


# --- each phase ------------------------------------------------------------------------------------


def test_stages_are_read_in_order_with_their_lifecycle() -> None:
    p = read_answer("1. Avis d'échéance\n2. Recherche\n3. Souscription\n4. Sinistre\n5. Recommandation", "stages",
                    JourneyMap(), "fr")
    stages = [c for c in p.changes if isinstance(c, AddStage)]
    assert [s.name for s in stages] == ["Avis d'échéance", "Recherche", "Souscription", "Sinistre", "Recommandation"]
    assert [s.lifecycle for s in stages] == ["before_purchase", "before_purchase", "purchase", "after_purchase",
                                             "after_purchase"]
    assert all(s.provenance == "team" and s.quote for s in stages)


def test_the_lifecycle_the_user_says_wins() -> None:
    journey = _map("Browse", "Book", "Wait", "Collect")
    p = read_answer("Booking is the purchase; the wait and the collection come after it.", "stages", journey, "en")
    said = {c.name: c.lifecycle for c in p.changes if isinstance(c, AddStage)}
    assert said.get("Book") == "purchase" and said.get("Wait") == "after_purchase"
    assert said.get("Collect") == "after_purchase"
    assert not any(n not in ("Browse", "Book", "Wait", "Collect") for n in said)  # no new stage out of it


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
    q = _question("touchpoints", "where", journey, focus="Order")
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
    assert positives and positives[0][0] == "First use" and "router" in positives[0][1]


def test_a_list_said_to_be_positive_is_positive_item_by_item() -> None:
    journey = _map("Visit", "Quote")
    p = read_answer("What works well: the visit is on time; the quote is clear; and the installer is friendly.",
                    "pain_points", journey, "en")
    assert [c for c in p.changes if isinstance(c, AddPainPoint)] == []
    positives = [c.text for c in p.changes if isinstance(c, AddNote) and c.lane == "positives"]
    assert len(positives) == 3


def test_framing_start_and_end() -> None:
    framing = read_answer("Il commence quand la cliente reçoit l'avis d'échéance et se termine quand elle "
                          "recommande l'assurance.", "framing", JourneyMap(), "fr").changes[0]
    assert isinstance(framing, SetFraming)
    assert framing.start == "la cliente reçoit l'avis d'échéance"
    assert framing.end == "elle recommande l'assurance"


@pytest.mark.parametrize(("lang", "text", "journey", "start", "end"), [
    ("fr", "On cartographie le parcours de Paul qui loue une voiture pour ses vacances, tel qu'il se passe aujourd'hui. "
           "Ça commence quand il compare les loueurs et ça s'arrête quand il rend les clés.",
     "parcours de Paul qui loue une voiture pour ses vacances", "il compare les loueurs", "il rend les clés"),
    ("en", "We are mapping the journey of Paul who rents a car for his holidays, as it happens today. It starts when "
           "he compares rental companies and it ends when he returns the keys.",
     "journey of Paul who rents a car for his holidays", "he compares rental companies", "he returns the keys"),
])
def test_one_framing_answer_fills_journey_start_and_end(lang: str, text: str, journey: str, start: str,
                                                         end: str) -> None:
    for q in (None, _question("framing", "why")):  # headless, and the chat's first question
        change = read_answer(text, "framing", JourneyMap(), lang, q).changes[0]  # type: ignore[arg-type]
        assert isinstance(change, SetFraming)
        assert change.journey and journey.casefold() in change.journey.casefold()
        assert (change.start, change.end) == (start, end)


def test_fields_are_not_crossed_the_team_sentence_is_not_where_the_journey_starts() -> None:
    # What the rules read from the project's own example before issue 11: start = the team sentence.
    text = ("L'équipe marketing et le service client travaillent dessus ; on veut une carte et un plan d'action à la "
            "fin. Le parcours commence à l'avis d'échéance et s'arrête après le premier sinistre.")
    change = read_answer(text, "framing", JourneyMap(), "fr").changes[0]
    assert isinstance(change, SetFraming)
    assert change.start is not None and "équipe" not in change.start and "avis d'échéance" in change.start
    assert change.end is not None and "premier sinistre" in change.end
    assert change.team and any("marketing" in t.casefold() for t in change.team)


@pytest.mark.parametrize(("lang", "first", "answer", "field", "value"), [
    ("fr", "Nous voulons réduire les appels au service client.", "La location de voiture pour les vacances.",
     "journey", "location de voiture pour les vacances"),
    ("en", "We want fewer calls to customer service.", "Car rental for the holidays.",
     "journey", "car rental for the holidays"),
])
def test_a_plain_answer_to_which_journey_is_the_journey(lang: str, first: str, answer: str, field: str,
                                                         value: str) -> None:
    # Asked "which journey?", the user names it without the word "parcours"/"journey": that is the journey.
    held = read_answer(first, "framing", JourneyMap(), lang)  # type: ignore[arg-type]
    journey = apply(JourneyMap(), held, confirm=False)
    change = next((c for c in read_answer(answer, "framing", journey, lang,  # type: ignore[arg-type]
                                          _question("framing", "journey", journey)).changes), None)
    assert isinstance(change, SetFraming), "the answer to 'which journey?' proposes nothing"
    assert value in (getattr(change, field) or "").casefold()


def test_a_plain_answer_to_where_it_starts_and_ends() -> None:
    q = _question("framing", "bounds")
    change = read_answer("De la comparaison des loueurs jusqu'au retour des clés.", "framing", JourneyMap(), "fr",
                         q).changes[0]
    assert isinstance(change, SetFraming)
    assert change.start == "la comparaison des loueurs" and change.end == "retour des clés"


def test_persona_in_one_answer() -> None:
    persona = read_answer("Julie, 34 ans, infirmière, veut une assurance moins chère. Elle a peur des frais cachés.",
                          "persona", JourneyMap(), "fr").changes[0]
    assert isinstance(persona, SetPersona) and persona.name == "Julie"
    assert persona.goals and persona.frustrations
    assert persona.motivations == []  # a goal is not a motive the user stated: nothing inferred
    said = read_answer("Julie, 34 ans. Ce qui la motive avant tout : payer moins cher et être rassurée.",
                       "persona", JourneyMap(), "fr").changes[0]
    assert isinstance(said, SetPersona) and {"money", "security"} <= set(said.motivations)


@pytest.mark.parametrize(("lang", "text"), [
    ("fr", "Julie, 34 ans, infirmière à Lyon, veut une assurance moins chère pour sa première voiture. Le "
           "déclencheur, c'est l'avis d'échéance. Elle est pressée et méfiante. Ce qui l'agace : le jargon et les "
           "frais cachés. Ce qui la motive : payer moins et être rassurée. Elle s'informe sur les comparateurs et "
           "auprès de sa sœur."),
    ("en", "Megan, 29, a nurse in Leeds, wants cheaper cover for her first car. The trigger is the renewal letter. "
           "She is rushed and wary. What annoys her: jargon and hidden fees. What motivates her: paying less and "
           "feeling safe. She reads comparison sites and asks her sister."),
])
def test_a_whole_persona_fills_every_field_it_states(lang: str, text: str) -> None:
    persona = read_answer(text, "persona", JourneyMap(), lang).changes[0]  # type: ignore[arg-type]
    assert isinstance(persona, SetPersona)
    assert persona.name in ("Julie", "Megan")
    assert persona.trigger and ("échéance" in persona.trigger or "renewal letter" in persona.trigger)
    assert persona.state_of_mind and ("pressée" in persona.state_of_mind or "rushed" in persona.state_of_mind)
    assert persona.frustrations and any("jargon" in f for f in persona.frustrations)
    assert persona.motivations and persona.information_sources and len(persona.information_sources) == 2
    assert persona.goals
    # the trigger is not the objection sentence and the name is not a sentence
    assert "agace" not in persona.trigger and "annoys" not in persona.trigger and len(persona.name.split()) == 1


def test_metrics_owners_priorities() -> None:
    journey = _map("Devis", "Recommandation")
    journey.stages[0].touchpoints.append(Touchpoint(id="t1", name="Formulaire de devis", channel="site", online=True))
    journey.stages[0].touchpoints.append(Touchpoint(id="t2", name="Agence", channel="agence", online=False))
    metrics = [c for c in read_answer("Devis : 68 % d'abandon (source : Google Analytics). Recommandation : NPS de 21.",
                                      "metrics", journey, "fr").changes if isinstance(c, AddMetric)]
    assert [(m.stage, m.value, m.unit) for m in metrics] == [("Devis", 68, "%"), ("Recommandation", 21, "")]
    assert metrics[0].source == "Google Analytics"
    owners = [c for c in read_answer("Le formulaire de devis : équipe digitale. L'agence : service client.", "owners",
                                     journey, "fr").changes if isinstance(c, SetOwner)]
    assert {o.touchpoint for o in owners} == {"Formulaire de devis", "Agence"}
    by_tp = {o.touchpoint: (o.owner or "").casefold() for o in owners}
    assert "digital" in by_tp["Formulaire de devis"] and "service client" in by_tp["Agence"]

    pri = read_answer("Rappeler chaque devis dans l'heure ; simplifier le formulaire", "priorities", journey, "fr")
    assert [c.kind for c in pri.changes if isinstance(c, AddOpportunity)] == ["fix", "optimise"]
    act = read_answer("Mettre en place un rappel automatique, responsable : service client, KPI : délai de rappel, "
                      "d'ici le 30 juin 2027.", "priorities", journey, "fr").changes
    action = next(c for c in act if isinstance(c, AddAction))
    assert (action.owner or "").casefold() == "service client" and action.kpi == "délai de rappel" and action.due == dt.date(2027, 6, 30)
    review = read_answer("Nous reverrons la carte dans 6 mois.", "priorities", journey, "fr").changes
    assert any(isinstance(c, SetReviewDate) for c in review)


def test_not_ours_is_no_owner() -> None:
    journey = _map("Research")
    journey.stages[0].touchpoints.append(Touchpoint(id="t1", name="Comparison website", channel="website", online=True))
    changes = read_answer("The comparison website is not ours.", "owners", journey, "en").changes
    owners = [c for c in changes if isinstance(c, SetOwner)]
    assert owners and all(not o.owner and o.ownership == "third_party" for o in owners)


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


def test_a_pasted_verbatim_is_kept_whole_as_one_piece_of_evidence() -> None:
    # The evidence question says "paste it as it is": a quote of several sentences is one verbatim.
    text = "Verbatim client : « J'ai attendu deux jours le rappel. Personne ne m'a prévenue. Je suis partie. »"
    evidence = [c for c in read_answer(text, "evidence", JourneyMap(), "fr").changes if isinstance(c, AddEvidence)]
    assert len(evidence) == 1 and evidence[0].provenance == "customer"
    assert "Je suis partie. »" in evidence[0].text and "J'ai attendu" in evidence[0].text


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


@pytest.mark.parametrize(("phase", "text"), [
    ("framing", "Bonjour. On cartographie le parcours de souscription, de la demande de devis jusqu'à la première "
                "facture. Nous voulons comprendre pourquoi les devis sont abandonnés. Marie et moi travaillons dessus."),
    ("persona", "Julie, 34 ans, infirmière, veut payer moins. Ce qui l'agace : le jargon. Elle lit les avis Google."),
    ("evidence", "Nous avons 12 entretiens clients et l'enquête NPS de mars. « Le rappel a pris deux jours », dit une cliente."),
    ("stages", "Cinq étapes, dans l'ordre : Découverte, Essai, Achat, Livraison, Usage. Les deux premières se font en ligne."),
    ("touchpoints", "Découverte : une pub Instagram et le bouche-à-oreille. Achat : le site web et un appel au conseiller."),
    ("experience", "Découverte : elle est curieuse, +1. Achat : elle attend le rappel et s'agace, -1."),
    ("pain_points", "Achat : le formulaire est trop long. Ce qui marche bien : la livraison est rapide."),
    ("metrics", "Achat : 68 % d'abandon du formulaire (source : Google Analytics). NPS de 21 selon l'enquête."),
    ("priorities", "Simplifier le formulaire. Rappeler chaque devis dans l'heure, responsable : service client."),
])
def test_every_value_the_rules_propose_is_the_users_own_words(phase: str, text: str) -> None:
    journey = _map("Découverte", "Essai", "Achat")
    proposal = read(context(text, phase, journey, "fr"))
    assert proposal.changes, phase
    said = Answer(text)
    for change in proposal.changes:
        for key, value in values(change):
            assert said.holds(value), f"{phase}: {change.op}.{key} = {value!r} is not a span of the answer"


@pytest.mark.parametrize(("answer", "lang", "expected"), [
    ("Bonjour ! Je suis responsable marketing chez Optika. Nous voulons comprendre pourquoi les parents "
     "abandonnent le devis en ligne.", "fr",
     "Nous voulons comprendre pourquoi les parents abandonnent le devis en ligne"),
    ("Hello! I'm the head of growth. We want to reduce no-shows at our clinics.", "en",
     "We want to reduce no-shows at our clinics"),
    ("Réduire les appels au service client.", "fr", "Réduire les appels au service client"),
])
def test_the_objective_skips_greetings_and_introductions(answer: str, lang: str, expected: str) -> None:
    q = _question("framing", "why")
    change = read_answer(answer, "framing", JourneyMap(), lang, q).changes[0]  # type: ignore[arg-type]
    assert isinstance(change, SetFraming) and (change.objective or "").rstrip(".") == expected


@pytest.mark.parametrize(("lang", "text", "journey"), [
    ("fr", "Nous voulons comprendre pourquoi les loueurs nous appellent, sur tout le parcours de location.",
     "parcours de location"),
    ("en", "We want to understand why renters call us, over the whole rental journey.", "rental journey"),
])
def test_an_objective_that_names_the_journey_in_passing_is_not_the_journey(lang: str, text: str,
                                                                           journey: str) -> None:
    change = read_answer(text, "framing", JourneyMap(), lang, _question("framing", "why")).changes[0]  # type: ignore[arg-type]
    assert isinstance(change, SetFraming)
    assert ("comprendre" if lang == "fr" else "understand") in (change.objective or "")
    assert change.journey is None or (journey in change.journey.casefold()
                                      and not change.journey.casefold().startswith(("nous voulons", "we want"))), \
        change.journey


def test_a_framing_answer_about_customers_is_the_teams_word_not_customer_evidence() -> None:
    # "les clients" in the team's objective is not material from customers ([C] means backed by customer evidence)
    change = read_answer("Nous voulons comprendre pourquoi les clients appellent le service client pendant leur "
                         "location.", "framing", JourneyMap(), "fr").changes[0]
    assert isinstance(change, SetFraming) and change.objective and change.provenance == "team"
    cited = read_answer("Les clients disent dans l'enquête que le rappel est trop lent.", "pain_points",
                        _map("Devis"), "fr").changes
    assert cited and all(c.provenance == "customer" for c in cited)  # a survey cited: customer evidence
