"""`journeybot index` and `journeybot ask`: build the knowledge index, query it with citations.

Chroma, the embedding model and rich are imported inside the commands, so `journeybot --help`
stays fast.
"""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from .common import FormatOption, LangOption, fail, out, settings

if TYPE_CHECKING:
    from collections.abc import Iterator

    from ..knowledge.index import IndexReport, Progress

Lang = Literal["fr", "en"]


class _Bar:
    """A progress bar on stderr while chunks are embedded (nothing at all when nothing changes)."""

    def __init__(self, label: str):
        self.label = label
        self._progress: Any = None
        self._task: Any = None

    def __call__(self, done: int, total: int, what: str) -> None:
        if not sys.stderr.isatty():
            return  # a log file or a pipe gets the summary only
        if self._progress is None:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                      TimeElapsedColumn(), console=Console(stderr=True), transient=True)
            self._progress.start()
            self._task = self._progress.add_task(self.label, total=total)
        self._progress.update(self._task, completed=done, total=total)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()


class _bar_context:
    def __init__(self, lang: Lang):
        self.bar = _Bar("Indexation des documents" if lang == "fr" else "Indexing documents")

    def __enter__(self) -> Progress:
        return self.bar

    def __exit__(self, *exc: object) -> None:
        self.bar.close()


def _summary(report: IndexReport, location: str, lang: Lang) -> Iterator[str]:
    if lang == "fr":
        yield (f"Index à jour en {report.seconds:.2f} s : {len(report.added)} ajouté(s), "
               f"{len(report.updated)} mis à jour, {len(report.removed)} retiré(s), "
               f"{report.unchanged} inchangé(s) ; {report.chunks_embedded} section(s) vectorisée(s).")
        yield f"{report.documents} document(s), {report.chunks} section(s) dans {location}."
        for p in report.problems:
            yield f"Ignoré : {p}"
    else:
        yield (f"Index up to date in {report.seconds:.2f} s: {len(report.added)} added, "
               f"{len(report.updated)} updated, {len(report.removed)} removed, {report.unchanged} unchanged; "
               f"{report.chunks_embedded} section(s) embedded.")
        yield f"{report.documents} document(s), {report.chunks} section(s) in {location}."
        for p in report.problems:
            yield f"Skipped: {p}"


def index_command(
    add: Annotated[Path | None, typer.Option("--add", help="Also index this folder of .md/.txt files (once).")] = None,
    lang: LangOption = None,
    fmt: FormatOption = "text",
) -> None:
    """Build or update the method index (changed documents only)."""
    from ..knowledge.errors import KnowledgeError
    from ..knowledge.index import KnowledgeIndex

    config = settings(lang=lang)
    ui = config.lang
    try:
        index = KnowledgeIndex(config)
        with _bar_context(ui) as bar:
            report = index.sync(add=[add] if add is not None else [], progress=bar)
    except KnowledgeError as err:
        fail(err.message(ui))
    if fmt == "json":
        out(json.dumps({"index": index.location, "collection": index.embedder.name, **report.as_dict()},
                       ensure_ascii=False, indent=2))
    else:
        out("\n".join(_summary(report, index.location, ui)))


def _text_result(passages: list[Any], lang: Lang) -> str:
    if not passages:
        return "Aucun passage trouvé." if lang == "fr" else "No passage found."
    lines: list[str] = []
    for n, p in enumerate(passages, 1):
        lines.append(f"{n}. {p.citation(lang)}")
        for line in p.text.splitlines():  # keep the passage's own lines (lists stay lists)
            if line.strip():
                bullet = line.lstrip().startswith(("- ", "* "))
                lines.append(textwrap.fill(" ".join(line.split()), width=96, initial_indent="   ",
                                           subsequent_indent="     " if bullet else "   "))
        if p.path:
            lines.append(f"   [{p.path}]")
        lines.append("")
    return "\n".join(lines).rstrip()


def ask_command(
    question: Annotated[str, typer.Argument(help="Your question about the method, in French or English.")],
    lang: LangOption = None,
    phase: Annotated[str | None, typer.Option("--phase", help="Only passages about this phase id.")] = None,
    pitfall: Annotated[str | None, typer.Option("--pitfall", help="Only passages about this pitfall code.")] = None,
    k: Annotated[int, typer.Option("--k", help="How many passages (1-20).")] = 4,
    fmt: FormatOption = "text",
) -> None:
    """Find the method passages that answer a question, cited."""
    from ..knowledge.errors import KnowledgeError
    from ..knowledge.retriever import MAX_K, _check_filters

    config = settings(lang=lang)
    ui = config.lang
    try:
        if not question.strip():
            raise KnowledgeError("The question is empty: type a few words.",
                                 "La question est vide : tapez quelques mots.", bad_input=True)
        if not 1 <= k <= MAX_K:
            raise KnowledgeError(f"--k must be between 1 and {MAX_K}.", f"--k doit être entre 1 et {MAX_K}.",
                                 bad_input=True)
        _check_filters(phase, pitfall, ui)
        from ..knowledge.retriever import open_retriever

        with _bar_context(ui) as bar:
            retriever = open_retriever(config, progress=bar)
        passages = retriever.search(question, lang=ui, phase=phase, pitfall=pitfall, k=k)
    except KnowledgeError as err:
        fail(err.message(ui))
    if fmt == "json":
        payload = {"question": question, "lang": ui, "phase": phase, "pitfall": pitfall,
                   "passages": [p.as_dict(ui) for p in passages]}
        out(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        out(_text_result(passages, ui))


def register(app: typer.Typer) -> None:
    """Add this group's commands to the app."""
    app.command("index")(index_command)
    app.command("ask")(ask_command)
