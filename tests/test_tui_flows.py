"""The app over the REAL interview (engine, rules reader, SQLite store, linter, exports), driven with
Pilot as a user would: answer, accept/correct proposals, move between phases, resume, export, errors.
Models are fakes from journeybot.llm.fake (no real model is loaded here)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from journeybot.domain.map_file import parse_map_text
from journeybot.llm.fake import ScriptedChatModel
from journeybot.llm.protocol import ModelError
from journeybot.settings import Settings
from journeybot.store.sessions import SessionStore
from journeybot.tui.app import JourneyApp
from journeybot.tui.chat_message import ChatMessage
from journeybot.tui.map_pane import MapPane
from journeybot.tui.phase_bar import PhaseBar
from journeybot.tui.screens import ProposalScreen, SessionsScreen, TextScreen
from journeybot.tui.warnings_pane import WarningsPane

pytestmark = pytest.mark.anyio

STAGES = ("Discover the bank through a friend, compare offers on a website, open the account in the app, "
          "wait for validation, first use of the card")
THREE = "Search online, compare prices, buy in the shop"
MOVED_ON = "Your answer already covers the question I had just asked"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass
class FakePassage:
    doc_id: str = "moments-of-truth"
    title: str = "Moments of truth"
    section: str = "ZMOT"
    text: str = "A moment of truth is where the customer decides to stay or to leave."
    score: float = 1.0

    def citation(self, lang: str) -> str:
        return f"{self.title} — {self.section} (source: 003 monday.com partner)"


@dataclass
class FakeRetriever:
    queries: list[str] = field(default_factory=list)

    def search(self, query: str, *, lang: str | None = None, phase: str | None = None,
               pitfall: str | None = None, k: int = 4) -> list[FakePassage]:
        self.queries.append(query)
        return [FakePassage()]


def real_app(model: Any = None, *, session_id: str | None = None, retriever: Any = None,
             lang: str = "en") -> JourneyApp:
    return JourneyApp(Settings(model="none"), lang=lang, session_id=session_id,  # type: ignore[arg-type]
                      model_factory=lambda s, p: model, retriever_factory=lambda s, p: retriever)


def texts(app: JourneyApp, role: str = "bot") -> list[str]:
    return [text for r, text in app.chat.transcript() if r == role]


async def settle(app: JourneyApp, pilot: Any) -> None:
    for _ in range(2):  # a finished thread may start another one (extraction -> lint)
        await pilot.pause()
        await app.wait_for_background()
    await pilot.pause()


async def answer(app: JourneyApp, pilot: Any, text: str) -> None:
    app.prompt.text = text
    await pilot.press("enter")
    await settle(app, pilot)


async def test_answer_gives_the_next_question_then_the_proposal_goes_into_the_map() -> None:
    app = real_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        assert "Phase 1/11" in texts(app)[0]
        await pilot.press(*"/phase stages", "enter")
        await settle(app, pilot)
        assert app.query_one(PhaseBar).current == "stages"
        before = len(texts(app))
        await answer(app, pilot, STAGES)
        said = texts(app)[before:]
        q = app.conversation.interview.question()  # type: ignore[union-attr]
        assert q is not None and said and q.text in said[0]  # the next question came at once
        # without a model the reading is the one the question was chosen with: nothing is taken back
        assert not any(MOVED_ON in t for t in said), said
        assert app.proposals and len(app.proposals[0].lines) == 5
        proposal = str(app.query_one(MapPane).query_one("#proposal").render())
        assert "Discover the bank through a friend" in proposal and "Ctrl+Y" in proposal
        await pilot.press("ctrl+y")
        await settle(app, pilot)
        journey = app.conversation.journey  # type: ignore[union-attr]
        assert [s.name for s in journey.stages][:2] == ["Discover the bank through a friend",
                                                        "Compare offers on a website"]
        shown = str(app.query_one(MapPane).query_one("#map").render())
        assert "5. First use of the card" in shown
        assert app.query_one(WarningsPane).findings, "the linter runs after the map changed"
        sid = app.session_id
    with SessionStore() as store:  # saved in SQLite, not only on screen
        saved = parse_map_text(store.session(sid or "").map_json)
    assert len(saved.stages) == 5


async def test_f2_corrects_one_item_and_drops_another() -> None:
    app = real_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press(*"/phase stages", "enter")
        await answer(app, pilot, THREE)
        await pilot.press("f2")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ProposalScreen)
        screen.query_one("#text-0").value = "Searching on my phone"  # type: ignore[attr-defined]
        screen.query_one("#keep-1").value = False  # type: ignore[attr-defined]
        await pilot.click("#apply")
        await settle(app, pilot)
        names = [s.name for s in app.conversation.journey.stages]  # type: ignore[union-attr]
        assert names == ["Searching on my phone", "Buy in the shop"]
        assert not app.proposals


async def test_next_and_back_move_through_the_real_phases() -> None:
    app = real_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        bar = app.query_one(PhaseBar)
        await pilot.press(*"/next", "enter")
        await settle(app, pilot)
        assert bar.current == "persona" and "Phase 2/11" in texts(app)[-1]
        await pilot.press(*"/next", "enter")
        await pilot.press(*"/back", "enter")
        await settle(app, pilot)
        assert bar.current == "persona"
        await pilot.press(*"/suivant", "enter")  # the French word works too
        await settle(app, pilot)
        assert bar.current == "evidence"


async def test_resume_shows_the_past_conversation_the_map_and_the_waiting_proposal() -> None:
    first = real_app()
    async with first.run_test(size=(140, 45)) as pilot:
        await settle(first, pilot)
        await pilot.press(*"/phase stages", "enter")
        await answer(first, pilot, THREE)
        await pilot.press("ctrl+y")
        await answer(first, pilot, "Then I use the card and call support")
        assert first.proposals  # left waiting
        sid = first.session_id
        await pilot.press(*"/quit", "enter")
    assert sid
    again = real_app(session_id=sid[:8])  # a unique prefix is enough
    async with again.run_test(size=(140, 45)) as pilot:
        await settle(again, pilot)
        assert again.session_id == sid
        assert THREE in " ".join(texts(again, "user"))
        assert "Resuming" in texts(again)[-1]
        assert [s.name for s in again.conversation.journey.stages] == [  # type: ignore[union-attr]
            "Search online", "Compare prices", "Buy in the shop"]
        assert again.proposals, "the proposal left waiting is offered again"


async def test_sessions_screen_switches_to_another_session() -> None:
    first = real_app()
    async with first.run_test(size=(140, 45)) as pilot:
        await settle(first, pilot)
        await answer(first, pilot, "We want to know why people leave during sign-up")
        old = first.session_id
    second = real_app()
    async with second.run_test(size=(140, 45)) as pilot:
        await settle(second, pilot)
        assert second.session_id != old
        await pilot.press(*"/sessions", "enter")
        await pilot.pause()
        assert isinstance(second.screen, SessionsScreen)
        table = second.screen.query_one("DataTable")
        assert table.row_count == 2  # type: ignore[attr-defined]
        row = [r.id for r in second.screen.rows].index(old or "")
        for _ in range(row):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(second, pilot)
        assert second.session_id == old
        assert "We want to know why people leave during sign-up" in " ".join(texts(second, "user"))


async def test_export_writes_the_file_and_a_bad_format_keeps_the_command(tmp_path: Path) -> None:
    app = real_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press(*"/phase stages", "enter")
        await answer(app, pilot, THREE)
        await pilot.press("ctrl+y")
        target = tmp_path / "out" / "map.json"
        app.prompt.text = f"/export json {target}"
        await pilot.press("enter")
        await settle(app, pilot)
        assert "Map exported" in texts(app, "note")[-1]
        exported = parse_map_text(target.read_text(encoding="utf-8"))
        assert [s.name for s in exported.stages] == ["Search online", "Compare prices", "Buy in the shop"]
        html = tmp_path / "map.html"
        app.prompt.text = f"/export html {html}"
        await pilot.press("enter")
        await settle(app, pilot)
        assert "Buy in the shop" in html.read_text(encoding="utf-8")
        app.prompt.text = "/export pdf"
        await pilot.press("enter")
        await settle(app, pilot)
        assert "Export failed" in texts(app, "error")[-1] and "pdf" in texts(app, "error")[-1]
        assert app.prompt.text == "/export pdf"


async def test_a_model_error_falls_back_to_the_rules_and_says_so() -> None:
    model = ScriptedChatModel([ModelError("server_down", "The model server at 127.0.0.1:9 does not answer.",
                                          "Le serveur du modèle ne répond pas.", retryable=True)])
    app = real_app(model)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        assert app.model_state == "ready"
        # the second sentence says nothing the rules know: the model is asked about it
        await answer(app, pilot, "We want fewer calls to customer service. Mostly families with children.")
        assert [c.kind for c in model.calls] == ["json"]
        errors = texts(app, "error")
        assert errors and "does not answer" in errors[-1] and "simple rules" in errors[-1]
        assert app.proposals and any("We want fewer calls to customer service" in line.text
                                     for line in app.proposals[0].lines)  # nothing typed is lost
        assert app.is_running


async def test_a_method_question_streams_the_model_answer_with_its_sources() -> None:
    model = ScriptedChatModel(["A moment of truth is where the customer decides."], chunk_words=2)
    retriever = FakeRetriever()
    app = real_app(model, retriever=retriever)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        await answer(app, pilot, "What is a moment of truth?")
        messages = list(app.query(ChatMessage))
        streamed = messages[-2]
        assert streamed.text == "A moment of truth is where the customer decides."
        assert "003 monday.com partner" in messages[-1].text
        assert [c.kind for c in model.calls] == ["stream"]
        assert not app.proposals, "a question about the method is not an answer to read into the map"


async def test_why_shows_the_reason_and_sources_of_the_question_and_of_a_pitfall() -> None:
    app = real_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press(*"/why", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TextScreen)
        assert "000 Different Factory" in app.screen.markdown
        await pilot.press("escape")
        await pilot.press(*"/why online-only", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TextScreen)
        assert "002" in app.screen.markdown or "003" in app.screen.markdown
        await pilot.press("escape")
        await pilot.press(*"/why banana", "enter")
        await settle(app, pilot)
        assert any("Unknown pitfall: banana" in n.message for n in app._notifications)


async def test_lang_fr_switches_the_bot_and_the_interface() -> None:
    app = real_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press(*"/lang fr", "enter")
        await settle(app, pilot)
        assert app.lang == "fr"
        assert app.prompt.placeholder.startswith("Votre réponse")
        assert "Phase 1/11 — Cadrage" in texts(app)[-1]
        assert app.query_one(PhaseBar).phases[0][1] == "Cadrage"


async def test_map_lint_and_review_commands() -> None:
    app = real_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press(*"/phase stages", "enter")
        await answer(app, pilot, THREE)
        await pilot.press("ctrl+y")
        await pilot.press(*"/map", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TextScreen) and "Buy in the shop" in app.screen.markdown
        await pilot.press("escape")
        said = []
        for command in ("/lint", "/review"):
            app.prompt.text = command
            await pilot.press("enter")
            await settle(app, pilot)
            assert len(texts(app)[-1]) > 40
            said.append(texts(app)[-1])
        assert "stops-at-purchase" in [f.code for f in app.conversation.findings()]  # type: ignore[union-attr]
        assert "purchase" in said[0]  # /lint lists every finding, due or not
        pane = app.query_one(WarningsPane)  # the pane keeps those of phases not reached yet for later
        assert "stops-at-purchase" not in json.dumps([f.code for f in pane.findings]) and pane.later >= 1


async def test_a_model_reading_that_answers_the_question_asked_says_so_and_moves_on() -> None:
    model = ScriptedChatModel([json.dumps({"labels": ["start", "end"]})])
    app = real_app(model)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        before = len(texts(app))
        await answer(app, pilot, "We map the rental journey to understand why renters call us. Comparing rental firms. "
                                 "Handing the keys back at the desk.")
        said = texts(app)[before:]
        assert "Where does this journey start" in said[0]  # asked at once, before the model's reading
        assert any(MOVED_ON in t and "Who is working on this map" in t for t in said[1:]), said
        assert app.conversation.interview.question().id == "team"  # type: ignore[union-attr]
        assert app.proposals and any("Comparing rental firms" in line.text for line in app.proposals[0].lines)
        assert len(model.calls) == 1


async def test_why_shows_how_the_last_answer_was_read() -> None:
    model = ScriptedChatModel([json.dumps({"labels": ["start", "end"]})])
    app = real_app(model)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        await answer(app, pilot, "We map the rental journey to understand why renters call us. Comparing rental firms. "
                                 "Handing the keys back at the desk.")
        await pilot.press(*"/why", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TextScreen)
        assert "How I read your last answer:" in app.screen.markdown
        assert "the model labelled 'Comparing rental firms': start" in app.screen.markdown


def test_a_reading_the_user_already_accepted_is_not_offered_again(tmp_path: Path) -> None:
    from journeybot.tui.interview_adapter import open_conversation

    store = SessionStore(tmp_path / "s.db")
    conversation = open_conversation(Settings(model="none"), None, "en", store=store)
    try:
        conversation.interview.model = ScriptedChatModel(
            lambda messages, schema: json.dumps({"labels": ["other"] * schema["properties"]["labels"]["minItems"]}))
        conversation.opening()
        bot = conversation.submit("We want fewer calls. Mostly families with children.")
        assert bot.pending is not None
        conversation.interview.accept(conversation.interview.pending_proposals()[0])  # Ctrl+Y on the first reading
        assert conversation.extract(bot.pending) is None
        assert conversation.interview.pending_proposals() == []
        again = conversation.submit("We map the rental journey. Comparing rental firms.")
        view = conversation.extract(again.pending)
        assert view is not None and view.lines and view.message == ""
    finally:
        conversation.close()


async def test_undo_takes_back_the_last_accepted_proposal_and_shows_it_again() -> None:
    app = real_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press(*"/phase stages", "enter")
        await answer(app, pilot, THREE)
        await pilot.press("ctrl+y")
        await settle(app, pilot)
        assert app.conversation is not None and len(app.conversation.journey.stages) == 3
        assert not app.proposals
        app.prompt.text = "/annuler"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.conversation.journey.stages == [] and len(app.proposals) == 1  # waiting again, on screen
        assert "waits again" in texts(app)[-1] or "wait again" in texts(app)[-1]
        await pilot.press("ctrl+y")  # and it can be accepted again
        await settle(app, pilot)
        assert len(app.conversation.journey.stages) == 3
