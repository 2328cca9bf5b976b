"""Snapshots of the main screens (pytest-textual-snapshot). Deterministic: fixed data, no clock in the
header, no cursor blink (the app turns it off when headless), workers settled before the picture.
Update after a deliberate UI change with: pytest tests/test_tui_snapshots.py --snapshot-update"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot

from journeybot.export.sample import sample_map
from journeybot.lint import lint
from journeybot.settings import Settings
from journeybot.tui.app import JourneyApp
from tests.support.tui_fakes import fake_factory

SIZE = (130, 42)
SnapCompare = Callable[..., bool]


def app_with(factory: Any, lang: str = "en") -> JourneyApp:
    return JourneyApp(Settings(model="none"), lang=lang,  # type: ignore[arg-type]
                      conversation_factory=factory, model_factory=lambda s, p: None,
                      retriever_factory=lambda s, p: None)


def sample_factory(lang: str = "fr") -> Any:
    journey = sample_map()
    return fake_factory(journey=journey, findings=lint(journey, lang))  # type: ignore[arg-type]


async def settled(pilot: Pilot[Any]) -> None:
    for _ in range(2):
        await pilot.pause()
        await pilot.app.wait_for_background()  # type: ignore[attr-defined]
    await pilot.pause()


def test_first_screen_of_a_new_interview(snap_compare: SnapCompare) -> None:
    # The real interview (engine, store, linter) on an empty map: the first question, no model.
    app = JourneyApp(Settings(model="none"), lang="en", model_factory=lambda s, p: None,
                     retriever_factory=lambda s, p: None)
    assert snap_compare(app, terminal_size=SIZE, run_before=settled)


def test_map_with_provenance_marks_emotion_curve_and_a_waiting_proposal(snap_compare: SnapCompare) -> None:
    async def answer(pilot: Pilot[Any]) -> None:
        await settled(pilot)
        await pilot.press(*"Je compare les offres", "enter")
        await settled(pilot)

    assert snap_compare(app_with(sample_factory(), "fr"), terminal_size=SIZE, run_before=answer)


def test_help_screen(snap_compare: SnapCompare) -> None:
    async def open_help(pilot: Pilot[Any]) -> None:
        await settled(pilot)
        await pilot.press(*"/help", "enter")
        await pilot.pause()

    assert snap_compare(app_with(fake_factory()), terminal_size=SIZE, run_before=open_help)


def test_proposal_editor(snap_compare: SnapCompare) -> None:
    async def open_editor(pilot: Pilot[Any]) -> None:
        await settled(pilot)
        await pilot.press(*"Looking for a bank", "enter")
        await settled(pilot)
        await pilot.press("f2")
        await pilot.pause()

    assert snap_compare(app_with(fake_factory()), terminal_size=SIZE, run_before=open_editor)


def test_sessions_screen(snap_compare: SnapCompare) -> None:
    async def open_sessions(pilot: Pilot[Any]) -> None:
        await settled(pilot)
        await pilot.press(*"/sessions", "enter")
        await pilot.pause()

    assert snap_compare(app_with(fake_factory()), terminal_size=SIZE, run_before=open_sessions)
