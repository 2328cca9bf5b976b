"""What an export needs from a linter finding, and where the findings come from."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ..domain.journey_map import JourneyMap, Lang


class FindingText(Protocol):
    """What a reader is shown of a ``journeybot.lint.Finding`` (message and why already in lang);
    the terminal UI's warnings pane reads the same fields."""

    @property
    def code(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def why(self) -> str: ...
    @property
    def source(self) -> str: ...


class FindingLike(FindingText, Protocol):
    """The fields of a finding an export shows: its text and the items it concerns."""

    @property
    def items(self) -> Sequence[str]: ...


def lint_findings(journey: JourneyMap, lang: Lang) -> list[FindingLike]:
    """Run the method linter on the map (imported here so exports pay for it only when used)."""
    from ..lint import lint

    return list(lint(journey, lang))


def fix_of(finding: FindingLike) -> str:
    """The finding's suggested fix, when the finding type has one (``journeybot.lint.Finding`` does)."""
    value = getattr(finding, "fix", "")
    return value if isinstance(value, str) else ""
