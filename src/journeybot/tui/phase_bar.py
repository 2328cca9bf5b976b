"""The phase bar: the method's 11 phases, the current one highlighted, the ones whose gate is met ticked."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static

from .texts import Lang


class PhaseBar(Static):
    """One line (wrapping if narrow): ``1 Cadrage ✓ › 2 Persona › …`` with the current phase reversed."""

    DEFAULT_CSS = """
    PhaseBar { height: auto; padding: 0 1; background: $boost; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__("", **kwargs)  # type: ignore[arg-type]
        self.phases: list[tuple[str, str]] = []
        self.current: str | None = None
        self.met: frozenset[str] = frozenset()

    def show(self, phases: Sequence[tuple[str, str]], current: str | None, met: Sequence[str]) -> None:
        """``phases`` as (id, localized title) in order; ``met`` the ids whose gate is met."""
        self.phases = list(phases)
        self.current = current
        self.met = frozenset(met)
        self.update(self.render_text())

    def render_text(self) -> Text:
        out = Text()
        for i, (pid, title) in enumerate(self.phases, start=1):
            if i > 1:
                out.append(" › ", style="dim")
            style = "bold reverse" if pid == self.current else ("green" if pid in self.met else "")
            out.append(f"{i} {title}", style=style)
            if pid in self.met:
                out.append(" ✓", style="bold green")
        return out


def phase_rows(lang: Lang) -> list[tuple[str, str]]:
    """The phases from the method data as (id, title in ``lang``)."""
    from ..method.catalog import phases

    return [(p.id, p.title(lang)) for p in phases()]
