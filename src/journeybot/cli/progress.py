"""Progress of long work on stderr (the first index build, assembling and starting the embedded
model): a bar with its percentage in a terminal, one line per step otherwise (a log file, a pipe,
CI), so a first run is never silent for seconds. Nothing at all when no step is reported (an index
with nothing to embed, a model already assembled still reports its quick steps).

rich is imported only when a bar is drawn.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

from ..i18n import Lang, colon, typography


class StepProgress:
    """``progress(step, fraction)``: ``step`` is a label in the user's language, ``fraction`` 0..1."""

    def __init__(self, title: str, lang: Lang, stream: TextIO | None = None):
        self.title = title
        self.lang = lang
        self.stream = stream if stream is not None else sys.stderr
        self._steps: list[str] = []
        self._bar: Any = None
        self._task: Any = None

    @property
    def steps(self) -> list[str]:
        """The steps reported so far, in order."""
        return list(self._steps)

    def __call__(self, step: str, fraction: float) -> None:
        label = typography(f"{self.title}{colon(self.lang)}{step}", self.lang)
        new = not self._steps or self._steps[-1] != step
        if new:
            self._steps.append(step)
        if not self.stream.isatty():
            if new:  # one line per step, flushed at once: a log shows where a long start is
                self.stream.write(label + "…\n")
                self.stream.flush()
            return
        self._draw(label, fraction)

    def _draw(self, label: str, fraction: float) -> None:
        if self._bar is None:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            percent = "{task.percentage:>3.0f}" + ("\u00a0%" if self.lang == "fr" else "%")
            self._bar = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn(percent),
                                 TimeElapsedColumn(), console=Console(file=self.stream), transient=True)
            self._bar.start()
            self._task = self._bar.add_task(label, total=1.0)
        self._bar.update(self._task, description=label, completed=max(0.0, min(fraction, 1.0)))

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def __enter__(self) -> StepProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
