"""What an export needs from a linter finding, and where the findings come from."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ..domain.journey_map import JourneyMap, Lang


class FindingLike(Protocol):
    """The fields of ``journeybot.lint.Finding`` an export shows (message and why already in lang)."""

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
