"""Pitfalls said in the chat when the map shows them, with the method's reason: internal-view as the
evidence phase ends on workshop-only material, the persona that is two groups and the question that
settles it. Real SQLite, the rules reader (no model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from journeybot.domain.journey_map import Lang
from journeybot.interview.session import Interview
from journeybot.lint import lint
from journeybot.store import SessionStore, load_session_map
from tests.support.text import plain

ANSWERS: dict[Lang, dict[str, str]] = {
    "fr": {
        "framing/why": "On veut comprendre pourquoi les clients résilient leur contrat d'électricité la première "
                       "année. Le parcours commence à la souscription et se termine au premier anniversaire.",
        "framing/team": "L'équipe marketing et moi ; on veut une carte à partager avec la direction.",
        "persona/who": "Claire, 38 ans, cadre à Nantes, deux enfants ; elle veut payer moins cher sans mauvaise "
                       "surprise. Ce qui déclenche : une facture trop chère chez son ancien fournisseur.",
        "persona/frustrations": "Les hausses de prix surprises, et elle craint les frais cachés.",
        "persona/sources": "Les comparateurs en ligne et sa belle-sœur.",
        "internal": "On n'a ni entretiens ni enquête, la carte sort de nos ateliers avec les commerciaux. Nous "
                    "pensons que les clients trouvent la facture illisible.",
        "customer": "Nous avons mené 14 entretiens clients en mars et lu 200 tickets du support ; une cliente "
                    "nous a dit : « je n'ai rien compris à ma régularisation ».",
        "stages/list": "Les étapes : souscription, mise en service, première facture, régularisation, "
                       "renouvellement.",
    },
    "en": {
        "framing/why": "We want to understand why customers cancel their electricity contract in the first year. "
                       "The journey starts at sign-up and ends at the first anniversary of the contract.",
        "framing/team": "The marketing team and me; we want a map to share with the board.",
        "persona/who": "Claire, 38, a manager in Leeds with two kids; she wants to pay less without bad "
                       "surprises. The trigger: a huge bill from her old supplier.",
        "persona/frustrations": "Surprise price rises, and she fears hidden fees.",
        "persona/sources": "Comparison sites and her sister-in-law.",
        "internal": "We have no interviews and no survey; the map comes from our internal workshops with the "
                    "sales team. We think customers find the bill unreadable.",
        "customer": "We ran 14 customer interviews in March and read 200 support tickets; one customer told "
                    "us: \"I understood nothing of my annual adjustment\".",
        "stages/list": "The stages: sign-up, activation, first bill, annual adjustment, renewal.",
    },
}


def _talk(interview: Interview, lang: Lang, evidence: str, until: str = "stages") -> list[tuple[str, list[str]]]:
    """Answer what is asked (skipping what the script has no answer for) until the phase ``until``;
    returns, per turn, the question key and the pitfall codes said in that turn."""
    said: list[tuple[str, list[str]]] = []
    answers = {**ANSWERS[lang], "evidence/sources": ANSWERS[lang][evidence]}
    for _ in range(20):
        q = interview.question()
        assert q is not None
        if q.phase == until:
            return said
        text = answers.get(f"{q.phase}/{q.id}")
        reply = interview.submit(text if text else "/skip")
        codes = [w.code for w in reply.warnings]
        if reply.pending is not None:
            codes += [w.code for w in interview.accept(interview.run_extraction(reply.pending).proposal).warnings]
        said.append((q.key, codes))
    raise AssertionError(f"never reached {until}: {said}")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_internal_view_is_said_as_the_evidence_phase_ends_on_workshop_material(tmp_path: Path, lang: Lang) -> None:
    store = SessionStore(tmp_path / "s.db")
    interview = Interview.start(store, lang=lang)
    interview.opening()
    said = _talk(interview, lang, "internal")
    turns_with = [key for key, codes in said if "internal-view" in codes]
    assert len(turns_with) == 1  # once
    # not while the evidence phase is still being answered, and not later than the turn that leaves it
    last_evidence = max(i for i, (key, _) in enumerate(said) if key.startswith("evidence/"))
    assert turns_with[0] == said[last_evidence][0]
    warning = next(w for w in interview.warnings() if w.code == "internal-view")
    assert warning.why and warning.source  # the method's reason and where it says so
    assert ("atelier" if lang == "fr" else "workshop") in warning.message.casefold()
    # nothing else is said that the map does not show yet: no numbers, owners, plan... are still ahead
    assert {c for _, codes in said for c in codes} <= {"internal-view"}
    transcript = [m.text for m in interview.messages() if m.kind == "warning"]
    assert any(warning.message in t for t in transcript)  # kept in the conversation


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_customer_material_raises_no_internal_view(tmp_path: Path, lang: Lang) -> None:
    store = SessionStore(tmp_path / "s.db")
    interview = Interview.start(store, lang=lang)
    interview.opening()
    said = _talk(interview, lang, "customer")
    assert not [c for _, codes in said for c in codes]
    assert "internal-view" not in {f.code for f in lint(interview.journey)}


@pytest.mark.parametrize(("lang", "persona", "pick", "kept", "aside"), [
    ("fr", "Nos clients, ce sont les jeunes conducteurs et leurs parents, qui paient souvent la location. "
           "Léa, 20 ans, vient d'avoir son permis.",
     "On garde les jeunes conducteurs, les parents feront une autre carte.", "les jeunes conducteurs", "leurs parents"),
    ("en", "It's really two people: Chloé, 16, who's desperate to go, and her mum Karen, who pays. Teenage fans "
           "and their parents, that's our core audience.",
     "Let's keep Chloé, the teenage fan; her mum gets her own map later.", "Teenage fans", "their parents"),
])
def test_a_persona_of_two_groups_is_flagged_then_settled_by_one_question(
        tmp_path: Path, lang: Lang, persona: str, pick: str, kept: str, aside: str) -> None:
    store = SessionStore(tmp_path / "s.db")
    interview = Interview.start(store, lang=lang)
    interview.opening()
    interview.submit("/phase persona")
    reply = interview.submit(persona)
    assert reply.pending is not None
    interview.accept(interview.run_extraction(reply.pending).proposal)
    assert interview.journey.persona is not None and interview.journey.persona.segments == [kept, aside]
    assert "multiple-personas" in {f.code for f in lint(interview.journey)}
    q = interview.question()
    assert q is not None and q.id == "pick"
    quoted = (f"« {kept} » et « {aside} »" if lang == "fr" else f'"{kept}" and "{aside}"')
    assert quoted in plain(q.text)
    reply = interview.submit(pick)
    assert reply.pending is not None
    interview.accept(interview.run_extraction(reply.pending).proposal)
    persona_now = interview.journey.persona
    assert persona_now is not None and persona_now.segments == [kept] and persona_now.set_aside == [aside]
    assert "multiple-personas" not in {f.code for f in lint(interview.journey)}
    nxt = interview.question()
    assert nxt is not None and nxt.id != "pick"  # settled: not asked again
    saved = load_session_map(interview.session_id, store.path)
    assert saved.persona is not None and saved.persona.set_aside == [aside]
