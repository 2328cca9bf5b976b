"""`journeybot index` and `journeybot ask`: build the knowledge index, query it with citations.

Chroma, the embedding model and rich are imported inside the commands, so `journeybot --help`
stays fast.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from ..i18n import choose, count
from .common import FormatOption, LangOption, fail, out, settings
from .progress import StepProgress

if TYPE_CHECKING:
    from collections.abc import Iterator

    from ..knowledge.index import IndexReport, Progress

Lang = Literal["fr", "en"]


def _index_progress(lang: Lang) -> StepProgress:
    return StepProgress(choose(lang, "Index de la méthode", "Method index"), lang)


def _as_index_progress(bar: StepProgress) -> Progress:
    """The index's progress(done, total, what) drawn as a step of ``bar``."""
    from ..knowledge.index import step_label

    return lambda done, total, what: bar(step_label(what, total, bar.lang), done / total if total else 1.0)


def _summary(report: IndexReport, location: str, lang: Lang) -> Iterator[str]:
    def n(number: int, fr: tuple[str, str], en: tuple[str, str]) -> str:
        return count(number, lang, fr, en)

    seconds = f"{report.seconds:.2f}".replace(".", "," if lang == "fr" else ".")
    changes = ", ".join((n(len(report.added), ("ajouté", "ajoutés"), ("added", "added")),
                         n(len(report.updated), ("mis à jour", "mis à jour"), ("updated", "updated")),
                         n(len(report.removed), ("retiré", "retirés"), ("removed", "removed")),
                         n(report.unchanged, ("inchangé", "inchangés"), ("unchanged", "unchanged"))))
    embedded = n(report.chunks_embedded, ("section vectorisée", "sections vectorisées"),
                 ("section embedded", "sections embedded"))
    contents = (f"{n(report.documents, ('document', 'documents'), ('document', 'documents'))}, "
                f"{n(report.chunks, ('section', 'sections'), ('section', 'sections'))}")
    yield choose(lang, f"Index à jour en {seconds} s : {changes} ; {embedded}.",
                 f"Index up to date in {seconds} s: {changes}; {embedded}.")
    yield choose(lang, f"{contents} dans {location}.", f"{contents} in {location}.")
    for problem in report.problems:
        yield choose(lang, f"Ignoré : {problem}", f"Skipped: {problem}")


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
        with _index_progress(ui) as bar:
            report = index.sync(add=[add] if add is not None else [], progress=_as_index_progress(bar))
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

        with _index_progress(ui) as bar:
            retriever = open_retriever(config, progress=_as_index_progress(bar))
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
