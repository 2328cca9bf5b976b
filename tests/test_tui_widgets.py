"""The TUI's parts with a small fake conversation: input box, commands, panes, errors, screens."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual import events

from journeybot.domain.journey_map import Emotion, JourneyMap, PainPoint, Persona, Stage, Touchpoint
from journeybot.i18n import Plural
from journeybot.llm.protocol import ModelError
from journeybot.settings import Settings
from journeybot.tui.app import JourneyApp, log_file
from journeybot.tui.chat_message import ChatMessage
from journeybot.tui.commands import CommandError, complete, is_command, parse, registry
from journeybot.tui.map_pane import MapPane
from journeybot.tui.map_render import count_marks, emotion_curve, render_map
from journeybot.tui.phase_bar import PhaseBar
from journeybot.tui.screens import ProposalScreen, SessionsScreen, TextScreen
from journeybot.tui.texts import _TEXTS, help_markdown, t
from journeybot.tui.warnings_pane import WarningsPane
from tests.support.tui_fakes import fake_factory

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # Textual runs on asyncio


def make_app(factory: Any = None, model_factory: Any = None, **kwargs: Any) -> JourneyApp:
    return JourneyApp(
        Settings(model="none"), lang="en",
        conversation_factory=factory or fake_factory(),
        model_factory=model_factory or (lambda s, p: None),
        retriever_factory=lambda s, p: None,
        **kwargs,
    )


async def answer(app: JourneyApp, pilot: Any, text: str) -> None:
    """Type an answer, send it, and wait until its reading is shown."""
    await pilot.press(*text, "enter")
    await app.wait_for_background()
    await pilot.pause()


def bot_texts(app: JourneyApp) -> list[str]:
    return [text for role, text in app.chat.transcript() if role == "bot"]


# --- pure parts ---------------------------------------------------------------------------


def test_every_ui_text_exists_in_both_languages() -> None:
    for key, entry in _TEXTS.items():
        forms = [*entry.fr, *entry.en] if isinstance(entry, Plural) else list(entry)
        assert all(form.strip() for form in forms), key
        assert len({form.count("{") for form in forms}) == 1, key


def test_help_lists_every_command_in_both_languages() -> None:
    for lang in ("fr", "en"):
        page = help_markdown(lang)
        for spec in registry():
            assert spec.usage_in(lang) in page
    assert "/suivant" in help_markdown("fr") and "/next" in help_markdown("en")
    assert "/exporter FORMAT [FICHIER]" in help_markdown("fr")
    assert "Ctrl+J" in help_markdown("en") and "Entrée" in help_markdown("fr")


def test_parse_commands_with_arguments_and_prefixes() -> None:
    assert parse("/export html out.html").args == ("html", "out.html")
    assert parse("/ne").name == "next"
    assert parse("/PHASE stages").args == ("stages",)
    with pytest.raises(CommandError) as unknown:
        parse("/frobnicate")
    assert unknown.value.kind == "unknown"
    with pytest.raises(CommandError) as usage:
        parse("/export")
    assert usage.value.kind == "usage" and "FORMAT" in usage.value.usage
    with pytest.raises(CommandError):
        parse("/next now please")


def test_what_counts_as_a_command() -> None:
    assert is_command("/next")
    assert not is_command("/ ")
    assert not is_command("50/50 split")
    assert not is_command("/next\nand a second line")


def test_completion_of_names_and_arguments() -> None:
    assert complete("/ex") == ["/export"]
    assert set(complete("/s")) == {"/skip", "/sessions"}
    assert complete("/phase to") == ["/phase touchpoints"]
    assert complete("/export ht") == ["/export html"]
    assert "/model local-small" in complete("/model l")
    assert complete("/why no-n") == ["/why no-numbers"]
    assert complete("hello") == []


def sample_journey() -> JourneyMap:
    return JourneyMap(
        created="2026-01-01",  # type: ignore[arg-type]
        persona=Persona(name="Claire, 34", provenance="customer"),
        stages=[
            Stage(name="Discover", provenance="customer", emotion=Emotion(score=1, label="curious"),
                  touchpoints=[Touchpoint(name="Instagram ad", channel="social", online=True,
                                          provenance="inferred")]),
            Stage(name="Buy", provenance="team", emotion=Emotion(score=-2, label="stressed"),
                  touchpoints=[Touchpoint(name="Shop counter", channel="store", online=False,
                                          provenance="customer")],
                  pain_points=[PainPoint(text="Queue of 20 minutes", provenance="team")]),
            Stage(name="Use", provenance="customer"),
        ],
    )


def test_map_text_marks_inferred_and_team_items() -> None:
    text = render_map(sample_journey(), "en").plain
    assert "Instagram ad (social, online) ?" in text
    assert "Shop counter (store, offline)\n" in text  # customer: no mark
    assert "2. Buy ~" in text
    assert "Queue of 20 minutes ~" in text
    assert "no touchpoint" in text  # stage 3
    assert "Legend" in text
    assert count_marks(sample_journey()) == {"customer": 4, "team": 2, "inferred": 1}


def test_user_text_is_never_read_as_markup() -> None:
    journey = JourneyMap(stages=[Stage(name="[bold]Pay[/bold] now")])
    assert "[bold]Pay[/bold] now" in render_map(journey, "fr").plain


def test_emotion_curve_puts_each_stage_on_its_row() -> None:
    rows = emotion_curve(sample_journey(), "en").plain.splitlines()
    assert rows[0].startswith("+2")
    assert rows[1].startswith("+1") and rows[1].index("●") == 5  # stage 1 at +1
    assert rows[4].startswith("-2") and rows[4].index("●") == 8  # stage 2 at -2
    assert "·" in rows[2]  # stage 3 has no emotion yet
    assert "1" in rows[-1] and "3" in rows[-1]
    empty = emotion_curve(JourneyMap(), "fr").plain
    assert empty == t("map.no_emotion", "fr")


# --- the app with a fake conversation ---------------------------------------------------------


async def test_first_question_shows_without_any_model() -> None:
    started: list[str] = []

    def slow_model(settings: Settings, progress: Any) -> None:
        started.append("model")
        progress("assemble", 0.5)
        return None

    app = make_app(model_factory=slow_model)
    async with app.run_test() as pilot:
        await pilot.pause()  # the session opens right after the first paint
        assert bot_texts(app) == ["Hello. Question 1 of framing?"]
        assert app.focused is app.prompt
        await app.wait_for_background()
        await pilot.pause()
        assert started == ["model"]
        assert app.model_state == "none"


async def test_a_new_interview_paints_its_first_question_before_the_session_opens() -> None:
    opened: list[str] = []
    factory = fake_factory()

    def counting(settings: Settings, session_id: str | None, lang: Any) -> Any:
        opened.append("open")
        return factory(settings, session_id, lang)

    app = make_app(counting, first_screen=lambda lang: f"Painted from the method data ({lang})")
    async with app.run_test() as pilot:
        assert opened == []  # first frame: the question is there, the session is not open yet
        assert app.chat.transcript() == [("bot", "Painted from the method data (en)")]
        assert app.query_one(PhaseBar).current == "framing"
        await pilot.pause()
        assert opened == ["open"]  # then the session's own opening replaces it
        assert bot_texts(app) == ["Hello. Question 1 of framing?"]


async def test_a_resumed_session_is_not_painted_from_the_method_data() -> None:
    app = make_app(session_id="abc", first_screen=lambda lang: "never shown")
    async with app.run_test() as pilot:
        assert app.chat.transcript() == []
        await pilot.pause()
        assert "never shown" not in [text for _, text in app.chat.transcript()]


async def test_enter_sends_and_ctrl_j_adds_a_line() -> None:
    factory = fake_factory()
    app = make_app(factory)
    async with app.run_test() as pilot:
        await pilot.press(*"first line", "ctrl+j", *"second")
        assert app.prompt.text == "first line\nsecond"
        await pilot.press("enter")
        await pilot.pause()
        conv = factory.made[0]
        assert conv.answers == ["first line\nsecond"]
        assert app.prompt.text == ""
        assert bot_texts(app)[-1] == "Question 2?"


async def test_history_walks_back_and_forth_and_keeps_the_draft() -> None:
    app = make_app()
    async with app.run_test() as pilot:
        for answer in ("one", "two"):
            await pilot.press(*answer, "enter")
        await pilot.press(*"draft")
        await pilot.press("up")
        assert app.prompt.text == "two"
        await pilot.press("up")
        assert app.prompt.text == "one"
        await pilot.press("down")
        assert app.prompt.text == "two"
        await pilot.press("down")
        assert app.prompt.text == "draft"


async def test_keys_typed_before_the_app_takes_a_message_are_neither_lost_nor_merged() -> None:
    # The app may be busy when Enter arrives (a model starting); what is typed next must not end
    # up glued to the message being sent, nor be wiped when that message is taken.
    factory = fake_factory()
    app = make_app(factory)
    async with app.run_test() as pilot:
        box = app.prompt
        box.text = "/phase"  # a command that will be refused (no phase id)
        box.post_message(events.Key("enter", None))
        for key in ("a", "b"):
            box.post_message(events.Key(key, key))
        await pilot.pause()
        assert box.text == "/phase\nab"  # refused command back first, then what was typed since
        box.text = "first answer"
        box.post_message(events.Key("enter", None))
        for key in ("x", "y"):
            box.post_message(events.Key(key, key))
        await pilot.pause()
        assert factory.made[0].answers == ["first answer"]
        assert box.text == "xy"


async def test_a_failed_send_keeps_the_text_and_says_why() -> None:
    app = make_app(fake_factory(fail_submit=True))
    async with app.run_test() as pilot:
        await pilot.press(*"precious answer", "enter")
        await pilot.pause()
        assert app.prompt.text == "precious answer"
        messages = [n.message for n in app._notifications]
        assert any("the database is locked" in m and "still in the input box" in m for m in messages)
        assert all(role != "user" for role, _ in app.chat.transcript())


async def test_proposal_shows_then_ctrl_y_adds_it_to_the_map() -> None:
    factory = fake_factory()
    app = make_app(factory)
    async with app.run_test() as pilot:
        await answer(app, pilot, "Discovering the shop")
        pane = app.query_one(MapPane)
        proposal = str(pane.query_one("#proposal").render())
        assert "Discovering the shop" in proposal and "Ctrl+Y" in proposal
        assert app.proposals
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert not app.proposals
        assert [s.name for s in factory.made[0].journey.stages] == ["Discovering the shop"]
        assert "Discovering the shop" in str(pane.query_one("#map").render())


async def test_f2_opens_the_editor_to_correct_or_drop_items() -> None:
    factory = fake_factory()
    app = make_app(factory)
    async with app.run_test() as pilot:
        await answer(app, pilot, "Shopping")
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, ProposalScreen)
        field = app.screen.query_one("#text-0")
        field.value = "Shopping online"  # type: ignore[attr-defined]
        await pilot.click("#apply")
        await pilot.pause()
        assert [s.name for s in factory.made[0].journey.stages] == ["Shopping online"]


async def test_space_unticks_the_first_item_of_the_editor_at_once() -> None:
    factory = fake_factory()
    app = make_app(factory)
    async with app.run_test() as pilot:
        await answer(app, pilot, "Shopping")
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press("space", "ctrl+s")
        await pilot.pause()
        assert factory.made[0].journey.stages == [] and not app.proposals


def test_map_shows_the_framing_objective_and_bounds() -> None:
    journey = JourneyMap(framing={"objective": "Why do sign-ups stall?", "start": "first search",  # type: ignore[arg-type]
                                  "end": "first month", "provenance": "customer"})
    text = render_map(journey, "en").plain
    assert "Objective: Why do sign-ups stall?\n" in text
    assert "first search → first month" in text
    assert "empty" not in text


async def test_ctrl_d_drops_the_proposal() -> None:
    factory = fake_factory()
    app = make_app(factory)
    async with app.run_test() as pilot:
        await answer(app, pilot, "Shopping")
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert not app.proposals and factory.made[0].journey.stages == []


async def test_a_model_error_during_extraction_is_a_readable_message() -> None:
    error = ModelError("server_down", "The model server does not answer.", "Le serveur du modèle ne répond pas.")
    app = make_app(fake_factory(fail_extract=error))
    async with app.run_test() as pilot:
        await answer(app, pilot, "an answer")
        errors = [text for role, text in app.chat.transcript() if role == "error"]
        assert errors == ["The model server does not answer."]
        assert app.is_running


async def test_a_model_that_fails_to_load_leaves_guided_mode_and_says_so() -> None:
    def no_key(settings: Settings, progress: Any) -> None:
        raise ModelError("no_key", "No OpenAI API key: set OPENAI_API_KEY.", "Pas de clé OpenAI.")

    app = make_app(model_factory=no_key)
    async with app.run_test() as pilot:
        await app.wait_for_background()
        await pilot.pause()
        assert app.model_state == "failed"
        errors = [text for role, text in app.chat.transcript() if role == "error"]
        assert len(errors) == 1 and "No OpenAI API key" in errors[0] and "guided mode" in errors[0]
        await pilot.press(*"still works", "enter")
        await pilot.pause()
        assert bot_texts(app)[-1] == "Question 2?"


async def test_a_bug_that_escapes_every_handler_exits_with_a_sentence_not_a_traceback(
        capsys: pytest.CaptureFixture[str]) -> None:
    app = make_app()
    with pytest.raises(KeyError):
        async with app.run_test() as pilot:
            await pilot.press(*"unsent words")

            def boom() -> None:
                raise KeyError("secret-free detail")

            app.call_later(boom)
            await pilot.pause()
    shown = " ".join(capsys.readouterr().err.split())
    assert "stopped on an unexpected error" in shown and "Traceback" not in shown
    assert "journeybot --session s1" in shown and "unsent words" in shown
    assert app.return_code == 1
    assert "KeyError" in log_file().read_text(encoding="utf-8")


async def test_next_back_and_phase_commands_move_the_phase_bar() -> None:
    factory = fake_factory()
    app = make_app(factory)
    async with app.run_test() as pilot:
        await pilot.pause()
        bar = app.query_one(PhaseBar)
        assert bar.current == "framing"
        await pilot.press(*"/next", "enter")
        await pilot.pause()
        assert bar.current == "persona" and "framing" in bar.met
        await pilot.press(*"/phase touchpoints", "enter")
        await pilot.pause()
        assert bar.current == "touchpoints"
        await pilot.press(*"/back", "enter")
        await pilot.pause()
        assert bar.current == "stages"
        assert factory.made[0].commands == [("next", ()), ("phase", ("touchpoints",)), ("back", ())]
        assert app.prompt.text == ""


async def test_a_bad_command_keeps_the_text_and_explains() -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press(*"/phase", "enter")
        await pilot.pause()
        assert app.prompt.text == "/phase"
        assert any("/phase ID" in n.message for n in app._notifications)
        app.prompt.clear()
        await pilot.press(*"/frob", "enter")
        await pilot.pause()
        assert any("Unknown command: /frob" in n.message for n in app._notifications)


async def test_tab_completes_a_command() -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press(*"/exp", "tab")
        assert app.prompt.text == "/export "
        await pilot.press(*"ht", "tab")
        assert app.prompt.text == "/export html "


async def test_help_and_why_open_a_page() -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press(*"/help", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TextScreen) and "/sessions" in app.screen.markdown
        await pilot.press("escape")
        await pilot.press(*"/why no-owners", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TextScreen)
        assert "Because of no-owners" in app.screen.markdown and "000 Different Factory" in app.screen.markdown


async def test_sessions_screen_resumes_the_chosen_session() -> None:
    factory = fake_factory()
    app = make_app(factory)
    async with app.run_test() as pilot:
        await pilot.press(*"/sessions", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SessionsScreen)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.session_id == "s2"
        assert [c.session_id for c in factory.made] == ["s1", "s2"]
        assert factory.made[0].closed


async def test_lang_switches_the_interface_language() -> None:
    factory = fake_factory()
    app = make_app(factory)
    async with app.run_test() as pilot:
        await pilot.press(*"/lang fr", "enter")
        await pilot.pause()
        assert app.lang == "fr" and factory.made[0].lang == "fr"
        assert app.prompt.placeholder.startswith("Votre réponse")
        assert app.query_one(WarningsPane).border_title == "Pièges (0)"


async def test_model_command_shows_and_switches_the_backend() -> None:
    loads: list[str] = []

    def model(settings: Settings, progress: Any) -> None:
        loads.append(settings.backend)
        return None

    app = make_app(model_factory=model)
    async with app.run_test() as pilot:
        await app.wait_for_background()
        await pilot.press(*"/model", "enter")
        await pilot.pause()
        assert "Model: none" in app.chat.transcript()[-1][1]
        await pilot.press(*"/model local-small", "enter")
        await pilot.pause()
        await app.wait_for_background()
        assert loads == ["none", "local-small"]
        await pilot.press(*"/model gpt-banana", "enter")
        await pilot.pause()
        assert app.prompt.text == "/model gpt-banana"
        assert any("model" in n.message for n in app._notifications)


async def test_streamed_reply_is_appended_piece_by_piece() -> None:
    app = make_app(fake_factory(stream=["A **method** ", "answer."]))
    async with app.run_test() as pilot:
        await answer(app, pilot, "what is a moment of truth?")
        *_, user, streamed, question = list(app.query(ChatMessage))
        assert user.role == "user"
        assert streamed.text == "A **method** answer." and question.text == "Question 2?"


async def test_quit_command_exits() -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press(*"/quit", "enter")
        await pilot.pause()
    assert app.return_code == 0


def test_log_file_lives_in_the_data_dir(tmp_path: Path) -> None:
    assert log_file().parent.name == "logs"


async def test_the_warnings_pane_shows_what_is_due_and_counts_the_rest() -> None:
    from journeybot.lint import Finding

    def finding(code: str) -> Any:
        return Finding(code=code, severity="warning", title=code, message=f"Message of {code}.", why="A reason.",
                       fix="A fix.", source="000 Different Factory")

    factory = fake_factory(findings=[finding("no-persona"), finding("no-action-plan"), finding("no-priorities")],
                           later_codes=["no-action-plan", "no-priorities"])
    app = make_app(factory)
    async with app.run_test() as pilot:
        await pilot.pause()
        await app.wait_for_background()
        await pilot.pause()
        pane = app.query_one(WarningsPane)
        assert [f.code for f in pane.findings] == ["no-persona"] and pane.later == 2
        shown = " ".join(str(w.render()) for w in pane.query("Static"))
        assert "Message of no-persona." in shown and "no-action-plan" not in shown
        assert "2 more checks for the phases ahead" in shown
        assert pane.border_title == "Pitfalls (1)"


@pytest.mark.parametrize(("lang", "expected"), [
    ("fr", "Objectif\u00a0: Réduire les abandons\u00a0; Équipe\u00a0: marketing, service client"),
    ("en", "Objective: Réduire les abandons; Team: marketing, service client"),
])
def test_a_framing_proposal_names_its_fields_in_the_users_language(lang: str, expected: str) -> None:
    from journeybot.interview.proposal import Proposal, SetFraming
    from journeybot.tui.interview_adapter import proposal_view

    change = SetFraming(objective="Réduire les abandons", team=["marketing", "service client"])
    view = proposal_view(Proposal(phase="framing", changes=[change], notes=["one", "two"]), lang)  # type: ignore[arg-type]
    assert view.lines[0].text == expected
    assert view.note == "one · two"
