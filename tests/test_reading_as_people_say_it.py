"""Answers as people write them in a chat, read into the right fields (one test per way of saying it)."""

from __future__ import annotations

from pathlib import Path

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


def _later(text: str, names: list[str], lang: str = "en") -> list[object]:
    journey = JourneyMap(stages=[Stage(name=n) for n in names])
    return agent.extract(None, PendingExtraction(2, "stages", None, text, False), journey, lang).proposal.changes  # type: ignore[arg-type]


def test_a_later_answer_moves_a_stage() -> None:
    from journeybot.interview.proposal import MoveStage, apply_report

    names = ["Applying on UCAS", "Firming us", "Offer-holder day", "Results day"]
    changes = _later("No wait, I've got that wrong — the offer-holder day comes before he firms us.", names)
    moves = [c for c in changes if isinstance(c, MoveStage)]
    assert [(m.stage, m.before) for m in moves] == [("Offer-holder day", "Firming us")]
    journey = JourneyMap(stages=[Stage(name=n) for n in names])
    from journeybot.interview.proposal import Proposal

    done = apply_report(journey, Proposal(phase="stages", changes=moves))
    assert [s.name for s in done.journey.stages] == ["Applying on UCAS", "Offer-holder day", "Firming us", "Results day"]


def test_a_later_answer_names_the_stages_again() -> None:
    from journeybot.interview.proposal import RenameStage

    names = ["He's looking for something to do", "He books the tour", "The tour itself"]
    changes = _later("If you want names: Looking for something to do, Booking the tour, The tour.", names)
    assert [(c.stage, c.name) for c in changes if isinstance(c, RenameStage)] == [
        ("He's looking for something to do", "Looking for something to do"), ("He books the tour", "Booking the tour"),
        ("The tour itself", "The tour")]


def test_a_later_answer_places_a_forgotten_stage() -> None:
    names = ["Je me rends compte", "Je vais voir l'ORL", "Je fais le bilan", "Je signe"]
    changes = _later("Ah si, j'en ai oublié une : entre l'ORL et le bilan, il y a « je compare les centres ».", names, "fr")
    added = [c for c in changes if isinstance(c, AddStage) and c.name not in names]
    assert [(c.name, c.after) for c in added] == [("Je compare les centres", "Je vais voir l'ORL")]


def test_a_title_list_keeps_and_inside_a_name() -> None:
    assert _stages("In order: Thinking about uni, Open day, Firming us, Welcome week and first term.") == [
        "Thinking about uni", "Open day", "Firming us", "Welcome week and first term"]


def test_a_list_started_again() -> None:
    text = ("D'abord « j'ai envie », ensuite « je découvre », puis… non, pardon. Je reprends : d'abord « j'ai envie », "
            "ensuite « je découvre », « j'hésite », et pour finir « je paie ».")
    assert _stages(text, "fr") == ["J'ai envie", "Je découvre", "J'hésite", "Je paie"]


def test_scores_in_words() -> None:
    assert scores("split payment, impact four, reach five, confidence four, effort three") == {
        "impact": 4, "reach": 5, "confidence": 4, "effort": 3}
    assert scores("Home delivery, five, four, three, two") == {"impact": 5, "reach": 4, "confidence": 3, "effort": 2}


def test_a_lead_on_its_own_line_and_nothing_said() -> None:
    journey = JourneyMap(stages=[Stage(name="Paying"), Stage(name="Using it")])
    text = "Ce qui marche :\n1. Le rendez-vous de paiement, le conseiller prend le temps.\n2. L'appli mobile, bien notée."
    changes = agent.extract(None, PendingExtraction(1, "pain_points", None, text, False), journey, "fr").proposal.changes
    from journeybot.interview.proposal import AddNote, AddPainPoint

    assert len([c for c in changes if isinstance(c, AddNote) and c.lane == "positives"]) == 2
    assert not [c for c in changes if isinstance(c, AddPainPoint)]
    nothing = "What goes well? Honestly, nothing we could put on the wall. Every sticky note was red."
    changes = agent.extract(None, PendingExtraction(1, "pain_points", None, nothing, False), journey, "en").proposal.changes
    assert not [c for c in changes if isinstance(c, AddNote) and c.lane == "positives"]


def test_nothing_good_is_not_asked_about() -> None:
    from tests.test_interview_agent import _must_not_be_called

    journey = JourneyMap(stages=[Stage(name="Paying"), Stage(name="Repair day")])
    text = "What goes well? Honestly, nothing we could put on the wall. We only went looking for complaints."
    result = agent.extract(_must_not_be_called(), PendingExtraction(1, "pain_points", None, text, False), journey, "en")
    from journeybot.interview.proposal import AddNote

    assert not [c for c in result.proposal.changes if isinstance(c, AddNote) and c.lane == "positives"]


def _channel(text: str) -> tuple[str, bool, str] | None:
    from journeybot.method.channels import find_channel

    found = find_channel(text)
    return None if found is None else (found.en, found.online, found.ownership)


def test_the_channel_is_how_the_customer_meets_it() -> None:
    assert _channel("Formation sur site pour l'équipe compta") == ("in person", False, "owned")
    assert _channel("Site visit to plan the solar shelter") == ("in person", False, "owned")
    assert _channel("les fiches conseils de notre site") == ("website", True, "owned")
    assert _channel("Chats with her dad over Sunday lunch") == ("in person", False, "third_party")  # her dad's word
    assert _channel("le chat du support") == ("chat", True, "owned")
    assert _channel("Text with the crew's arrival time") == ("messaging", True, "owned")
    assert _channel("Scanne le QR code à la borne") == ("on site", False, "owned")  # the place, not the screen
    assert _channel("Appel à la plateforme sinistres") == ("phone", False, "owned")  # the call, not the place
    # a friend's word carried by a named medium, a competitor met on the phone: the third party's still
    assert _channel("Daughter sharing our Facebook posts") == ("social media", True, "third_party")
    assert _channel("Appel du concurrent") == ("phone", False, "third_party")
    assert _channel("Centres concurrents de la rue d'à côté") == ("competitor", False, "third_party")


def test_a_service_named_the_way_online_services_write_theirs_is_online() -> None:
    assert _channel("ClassPass") == ("website", True, "owned")
    assert _channel("mesdemarches.fr") == ("website", True, "owned")
    assert _channel("Télécharge Duolingo de son côté") == ("app", True, "owned")
    assert _channel("McDonald's drive") is None and _channel("Leon") is None


def test_two_ways_said_with_or_are_two_touchpoints() -> None:
    from journeybot.interview.touch import touchpoints_in

    for text, names in (
        ("either at the desk after class or in the app", ["at the desk after class", "in the app"]),
        ("Configurateur en ligne, ou le bulletin papier dans la brochure", ["Configurateur en ligne",
                                                                           "le bulletin papier dans la brochure"]),
        ("the booking page, in the app", ["the booking page, in the app"]),
    ):
        assert [piece.text for piece, _ in touchpoints_in(text, Span.of(text, 0, len(text)))] == names, text


def test_items_numbered_with_bare_number_words() -> None:
    text = "Sept étapes. Un : J'apprends que la fibre arrive. Deux : Je compare. Trois : Je souscris. Quatre : J'attends."
    assert _stages(text, "fr") == ["J'apprends que la fibre arrive", "Je compare", "Je souscris", "J'attends"]
    lines = "Quatre étapes, comme elle le dirait :\n- un : Je me pose des questions\n- deux : Je compare\n" \
            "- trois : J'ouvre mon compte\n- quatre : Je parraine une collègue"
    assert _stages(lines, "fr") == ["Je me pose des questions", "Je compare", "J'ouvre mon compte", "Je parraine une collègue"]
    restated = ("Un, J'ai envie de partir. Deux, Je réserve. Trois, je m'enregistre… non attendez, on a fusionné : "
                "trois, c'est Je prépare le voyage. Quatre, Je vole.")
    assert _stages(restated, "fr") == ["J'ai envie de partir", "Je réserve", "Je prépare le voyage", "Je vole"]


def test_a_list_of_clauses_keeps_and_with_a_bare_verb() -> None:
    text = ("I break my phone, I find someone to fix it, I drop it off, I pick it up and check it, and I go back "
            "or tell others.")
    assert _stages(text) == ["I break my phone", "I find someone to fix it", "I drop it off", "I pick it up and check it",
                             "I go back or tell others"]


def test_stages_renamed_in_the_same_answer() -> None:
    lines = ("From the wall:\n1. I decide to get fit\n2. I join\n3. My first visit\n4. I lose motivation\n"
             "Two changes we made: 3 became \"I turn up the first time\", and 4 became \"I wobble\", Kemi's word.")
    assert _stages(lines) == ["I decide to get fit", "I join", "I turn up the first time", "I wobble"]
    text = ("It goes: I dream up the weekend, I look for a hotel, then I book, then I check in. Actually, can we change "
            "I look for a hotel to I hunt for the right hotel?")
    assert _stages(text) == ["I dream up the weekend", "I hunt for the right hotel", "I book", "I check in"]
    routine = "Four. Sick of cooking; trying a box; delivery day; it becomes routine."
    assert _stages(routine) == ["Sick of cooking", "Trying a box", "Delivery day", "It becomes routine"]


def test_one_more_then_its_name() -> None:
    text = ("I search on internet, I visit the showroom, I negotiate, I sign the order. No wait, between search and "
            "visit there is one more, I book an appointment, because most of them book online.")
    assert _stages(text) == ["I search on internet", "I book an appointment", "I visit the showroom", "I negotiate",
                             "I sign the order"]


def test_where_the_purchase_sits_said_with_numbers() -> None:
    names = ["Je me pose des questions", "Je compare", "J'ouvre mon compte", "J'attends", "Je reçois ma carte"]
    assert lifecycles("l'achat = trois, J'ouvre mon compte ; après l'achat : quatre et cinq.", names) == {
        0: "before_purchase", 1: "before_purchase", 2: "purchase", 3: "after_purchase", 4: "after_purchase"}
    assert lifecycles("Achat : Je compare. Après : trois à cinq.", names) == {
        0: "before_purchase", 1: "purchase", 2: "after_purchase", 3: "after_purchase", 4: "after_purchase"}
    said_after = "The purchase is when he agrees and leaves it with us. So waiting and living with it are all after."
    assert lifecycles(said_after, ["I break it", "I drop it off", "I wait", "I live with it"]) == {
        0: "before_purchase", 1: "purchase", 2: "after_purchase", 3: "after_purchase"}
    quoted = "L'« achat », chez nous, c'est le rendez-vous pris, Je prends rendez-vous : à partir de là il s'est engagé."
    assert lifecycles(quoted, ["Mon médecin m'envoie", "Je prends rendez-vous", "Je me prépare"]) == {
        0: "before_purchase", 1: "purchase", 2: "after_purchase"}


def test_a_numbered_list_taken_up_again_after_a_correction() -> None:
    text = ("Il y en a cinq : un, Promotion ; deux, Vœux ; trois, Inscription ; quatre, Paiement... non pardon, le "
            "paiement vient avant. Donc : trois, Admission ; quatre, Paiement ; cinq, Inscription.")
    assert _stages(text, "fr") == ["Promotion", "Vœux", "Admission", "Paiement", "Inscription"]


def test_a_connector_item_holding_commas_when_the_count_says_so() -> None:
    text = ("On a découpé ça en six temps : d'abord J'ai une idée, puis J'achète mon billet, ensuite J'arrive, "
            "Je visite, Je fais une pause, et enfin Je repars.")
    assert _stages(text, "fr") == ["J'ai une idée", "J'achète mon billet", "J'arrive", "Je visite", "Je fais une pause",
                                   "Je repars"]


def test_a_second_list_introduced_as_touchpoints_is_no_stage() -> None:
    text = ("Trois étapes : Je cherche, J'essaie, Je m'abonne. Et pendant que j'y suis, pour les points de contact de "
            "l'essai : l'e-mail de bienvenue, le tutoriel, le chat.")
    assert _stages(text, "fr") == ["Je cherche", "J'essaie", "Je m'abonne"]


def test_owners_said_team_first_and_a_list_cut_by_a_question_mark() -> None:
    from journeybot.domain.journey_map import Touchpoint
    from journeybot.interview.owners import not_ours, owners_in

    def tp(name: str) -> Touchpoint:
        return Touchpoint(name=name, channel="website", online=True)

    journey = JourneyMap(stages=[Stage(name="Je m'inscris", touchpoints=[
        tp("Site de l'université"), tp("Guichet de la scolarité"), tp("Hotline téléphonique"), tp("MOT garage"),
        tp("What Car review"), tp("Autotrader")])])
    text = "Les responsables, je crois que c'est ça : la scolarité pour le guichet et la hotline ; la com pour le site."
    said = {(t.name, team) for t, team, _ in owners_in(text, Span.of(text, 0, len(text)), journey, "fr")}
    assert said == {("Guichet de la scolarité", "Scolarité"), ("Hotline téléphonique", "Scolarité"),
                    ("Site de l'université", "Com")}
    theirs = "The MOT garage, What Car? and Autotrader are not ours, of course."
    assert {t.name for t in not_ours(theirs, Span.of(theirs, 0, len(theirs)), journey)} == {
        "MOT garage", "What Car review", "Autotrader"}


def test_a_figure_that_qualifies_the_metric_is_part_of_its_name() -> None:
    text = "Logo churn at 12 months is twenty-two percent, from ChartMogul."
    assert [(m.name, m.value, m.unit, m.source) for m in metrics_in(text, Span.of(text, 0, len(text)))] == [
        ("Logo churn at 12 months", 22.0, "%", "ChartMogul")]


def test_a_heading_gives_its_lane_to_the_lines_under_it() -> None:
    from journeybot.interview import rules

    journey = JourneyMap(stages=[Stage(name=n) for n in ("I pick a gym", "I join", "I find my routine")])
    text = ("Pains (red stickies):\n- pick a gym: joining fee not clear\nGreen stickies (what works):\n"
            "- join: the online join, five minutes\n- find my routine: the Body Pump instructors")
    read = [(item.labels[0], item.span.text, item.stage)
            for item in rules._pain_points(rules.context(text, "pain_points", journey, "en"))]
    assert read == [("pain", "joining fee not clear", "I pick a gym"),
                    ("positive", "the online join, five minutes", "I join"),
                    ("positive", "the Body Pump instructors", "I find my routine")]


def test_a_list_headed_by_its_own_name() -> None:
    assert _stages("Her stages: \"My bills are out of control\"; \"I look into solar\"; \"I sign\".") == [
        "My bills are out of control", "I look into solar", "I sign"]
    assert _stages("Stages: I need a tool now; I shortlist tools; I subscribe; I renew and recommend.") == [
        "I need a tool now", "I shortlist tools", "I subscribe", "I renew and recommend"]
    text = ("Les stages, côté learner : Je réalise que je dois progresser, Je cherche une école, Je m'inscris avec mon "
            "CPF, Je passe le TOEIC et je décide de la suite.")
    assert _stages(text, "fr") == ["Je réalise que je dois progresser", "Je cherche une école", "Je m'inscris avec mon CPF",
                                   "Je passe le TOEIC et je décide de la suite"]


def test_a_stage_named_je_reprends_is_no_restart() -> None:
    text = ("J'en vois quatre : J'achète mon billet, Mon train est supprimé, Je suis remboursée, Je reprends le train "
            "ou pas.")
    assert _stages(text, "fr") == ["J'achète mon billet", "Mon train est supprimé", "Je suis remboursée",
                                   "Je reprends le train ou pas"]


def test_scores_on_other_scales_are_put_on_five_points() -> None:
    from journeybot.interview.plans import scale_order, scaled_scores

    assert scores("Ready time: impact high, effort medium.") == {"impact": 5, "effort": 3}
    answer = "Impact / effort. Photo du boîtier : fort / moyen. Frais affichés : moyen / faible."
    assert scores("Photo du boîtier : fort / moyen", scale_order(answer)) == {"impact": 5, "effort": 3}
    rice = ("Scores RICE (portée par trimestre, impact sur 3, confiance, effort en mois-personne) :\n"
            "- suivi : 9 000 / 3 / 80 % / 2 → 10 800 ;\n- guidage : 6 000 / 2 / 70 % / 1 → 8 400.")
    assert scaled_scores("suivi : 9 000 / 3 / 80 % / 2 → 10 800", rice, scale_order(rice)) == {
        "reach": 5, "impact": 5, "confidence": 4, "effort": 2}


def test_an_opportunity_scored_on_two_scales_is_scored() -> None:
    from journeybot.domain.journey_map import Opportunity

    assert Opportunity(text="Honest ready time", impact=5, effort=3).scored
    assert not Opportunity(text="Honest ready time", impact=5).scored


def test_a_stage_heading_said_by_its_number_or_in_other_words() -> None:
    from journeybot.interview import rules

    journey = JourneyMap(stages=[Stage(name=n) for n in ("J'apprends", "Je souscris", "Je passe le TOEIC et je décide")])
    text = "Étape n°2 : le formulaire en ligne, l'appel de bienvenue. L'exam : la session d'examen, le certificat par e-mail."
    read = [(item.span.text, item.stage) for item in rules._touchpoints(rules.context(text, "touchpoints", journey, "fr"))]
    assert read == [("le formulaire en ligne, l'appel de bienvenue", "Je souscris"),
                    ("la session d'examen, le certificat par e-mail", "Je passe le TOEIC et je décide")]


def test_a_second_group_the_map_must_also_serve_is_a_second_persona(tmp_path: Path) -> None:
    from journeybot.interview.headless import AnswerFile, run_headless
    from journeybot.lint import lint
    from journeybot.store import SessionStore

    answers = AnswerFile(lang="en", title="Festival", answers={"persona": [
        "Our persona is Chloe, 20, a student in Nottingham. Trigger: her favourite band headlining.",
        "But we also have to design for the Hendersons, a family from Leicester with two kids."]})
    done = run_headless(answers, SessionStore(tmp_path / "s.db"), lang="en", model=None)
    assert done.journey.persona is not None and done.journey.persona.segments == ["Chloe", "the Hendersons"]
    assert "multiple-personas" in {f.code for f in lint(done.journey, "en")}


def test_a_later_answer_drops_a_stage() -> None:
    from journeybot.interview.proposal import RemoveStage

    names = ["I browse", "I message the seller", "Listing review", "I pay through the app"]
    changes = _later("And drop the third one, listing review, that's internal, the buyer never sees it.", names)
    removed = [c.stage for c in changes if isinstance(c, RemoveStage)]
    assert removed == ["Listing review"]
    journey = JourneyMap(stages=[Stage(name=n) for n in names])
    RemoveStage(stage="Listing review").apply_to(journey, "team")
    assert [s.name for s in journey.stages] == ["I browse", "I message the seller", "I pay through the app"]
