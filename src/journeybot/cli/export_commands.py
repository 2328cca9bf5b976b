"""`journeybot export` (a map to JSON, Markdown, CSV, HTML, Mermaid or CJML) and
`journeybot evidence import` (customer evidence from a CSV file into a map).

SRC is a journey-map file today; :func:`resolve_source` is the one place that turns SRC into a map,
so that session ids can be accepted there later. Exit codes: 0 done, 2 bad input (unusable map or
CSV, unknown option value), 1 the output could not be written.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from ..domain.journey_map import JourneyMap, Lang
from ..i18n import choose, colon, count, plural
from ..i18n import quote as quoted
from .common import LangOption, fail, fail_map, output_lang, resolve_lang, settings

if TYPE_CHECKING:
    from ..evidence import LinkProposal
    from ..evidence.linking import Embed
    from ..export import ExportFormat

ExportFormatOption = Annotated[
    Literal["json", "md", "csv", "html", "mermaid", "cjml"],
    typer.Option("--format", "-f", help="json, md (Markdown), csv, html (standalone page), mermaid or cjml."),
]
OutputOption = Annotated[
    str | None,
    typer.Option("--output", "-o", help="File to write; '-' writes to standard output. "
                                        "Default: the map's name with the format's extension."),
]
ExportLangOption = Annotated[
    Literal["fr", "en"] | None,
    typer.Option("--lang", help="Language of the document's labels and of messages: fr or en "
                                "(default: JOURNEYBOT_LANG, then config.toml, then the map's language)."),
]
CsvSepOption = Annotated[
    Literal[",", ";", "tab"] | None,
    typer.Option("--csv-sep", help="CSV separator: ';' (default in French, for French Excel), ',' "
                                   "(default in English) or tab."),
]


def _is_map_file(src: str) -> bool:
    return Path(src).exists() or src.lower().endswith(".json") or "/" in src or os.sep in src


def resolve_source(src: str, lang: Lang) -> JourneyMap:
    """Turn SRC into a map: a map file (JSON), or else a session id (or a unique prefix of one, as
    `journeybot sessions` lists them). Raises MapFileError with plain messages."""
    from ..domain.map_file import MapFileError, MapProblem, load_map

    if _is_map_file(src):
        return load_map(src, lang=lang)
    from ..store.sessions import SessionNotFound, StoreError, load_session_map

    try:
        return load_session_map(src)
    except SessionNotFound:
        why = choose(lang, "ni un fichier de carte, ni une session connue (voir : journeybot sessions)",
                     "neither a map file nor a known session (see: journeybot sessions)")
        raise MapFileError(src, [MapProblem("", why)]) from None
    except StoreError as err:
        raise MapFileError(src, [MapProblem("", str(err))]) from None


def _load(src: str, lang: Lang | None) -> JourneyMap:
    from ..domain.map_file import MapFileError

    try:
        return resolve_source(src, resolve_lang(lang))
    except MapFileError as err:
        fail_map(err, resolve_lang(lang))


def default_output(src: str, fmt: ExportFormat) -> Path:
    """map.json → map.html / map.md / map.csv …; never the source itself (json → map.export.json)."""
    from ..export import EXTENSIONS

    source = Path(src)
    stem = source.name.removesuffix(".json") if source.name.endswith(".json") else source.stem
    target = source.with_name(stem + EXTENSIONS[fmt])
    if target.resolve() == source.resolve():
        target = source.with_name(stem + ".export" + EXTENSIONS[fmt])
    return target


def _write(output: str, content: str | bytes, lang: Lang) -> None:
    data = content.encode("utf-8") if isinstance(content, str) else content
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    target = Path(output)
    if target.is_dir():
        fail(choose(lang, f"{target} : c'est un dossier", f"{target}: is a directory"))
    try:
        _write_bytes_atomic(target, data)
    except OSError as err:
        fail(choose(lang, f"{target} : écriture impossible ({err.strerror or err})",
                    f"{target}: cannot write ({err.strerror or err})"), 1)


def _write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write all or nothing, with the usual permissions (an export is meant to be shared)."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    mask = os.umask(0)
    os.umask(mask)
    try:
        os.chmod(tmp, 0o666 & ~mask)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def export_command(
    src: Annotated[str, typer.Argument(help="A journey map file (JSON) or a session id (see `journeybot sessions`).", metavar="SRC")],
    fmt: ExportFormatOption = "html",
    output: OutputOption = None,
    lang: ExportLangOption = None,
    csv_sep: CsvSepOption = None,
) -> None:
    """Export a map as html, md, csv, json, mermaid or cjml.

    For the people who will use it: Excel (csv), slides or PDF (html), a wiki (md), Mermaid, CJML, or
    JSON. Labels follow --lang (default: JOURNEYBOT_LANG, then lang in config.toml, then the map's
    language)."""
    from ..export import export_map

    journey = _load(src, lang)
    chosen = output_lang(lang, journey)
    content = export_map(journey, fmt, lang=chosen, csv_separator=csv_sep)
    target = output if output is not None else str(default_output(src, fmt))
    _write(target, content, chosen)
    if target != "-":
        typer.echo(choose(chosen, f"Carte exportée : {target}", f"Map exported: {target}"), err=True)


evidence_app = typer.Typer(
    name="evidence",
    help="Import customer evidence (verbatims, reviews, tickets).",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def _embed_function() -> tuple[Embed, str]:
    """The app's embedder as ``texts -> array``, and its name (loaded only when linking is asked for)."""
    import numpy as np

    from ..knowledge.embeddings import make_embedder

    embedder = make_embedder(settings())

    def embed(texts: list[str]) -> np.ndarray:
        return np.asarray(embedder.embed_documents(texts))

    return embed, embedder.name


SHOWN_PROPOSALS = 50
"""Link proposals printed at most (the rest are counted)."""


def _proposal_lines(journey: JourneyMap, proposals: list[LinkProposal], lang: Lang) -> list[str]:
    texts = {e.id: e.text for e in journey.evidence}
    lines = []
    for p in proposals[:SHOWN_PROPOSALS]:
        quote = " ".join(texts.get(p.evidence_id, "").split())
        quote = quote if len(quote) <= 70 else quote[:67] + "..."
        lines.append(f"  {p.score:.2f}  {quoted(quote, lang)} → {p.target_label} ({p.target_path})")
    if len(proposals) > SHOWN_PROPOSALS:
        more = len(proposals) - SHOWN_PROPOSALS
        lines.append(f"  … {more} {plural(more, lang, 'autre', 'autres')}" if lang == "fr" else f"  … {more} more")
    return lines


@evidence_app.command("import")
def evidence_import(
    csv_file: Annotated[Path, typer.Argument(help="CSV file of verbatims, reviews, survey answers or tickets.",
                                             metavar="FILE.csv")],
    map_path: Annotated[str | None, typer.Option("--map", help="The journey map (JSON) to add the evidence to.")] = None,
    session: Annotated[str | None, typer.Option("--session", help="Or: the interview session (id from "
                                                "`journeybot sessions`) whose map gets the evidence.")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the updated map here "
                                                "(default: update --map in place).")] = None,
    link: Annotated[bool, typer.Option("--link/--no-link", help="Propose links to touchpoints and pain "
                                       "points (offline embeddings).")] = False,
    accept_links: Annotated[bool, typer.Option("--accept-links", help="Record the proposed links and mark "
                                               "the linked items as customer-backed.")] = False,
    min_score: Annotated[float | None, typer.Option("--min-score", min=0.0, max=1.0, help="Cosine similarity "
                                                    "a link needs (0..1; default: tuned per embedder, 0.4 for "
                                                    "USE).")] = None,
    lang: LangOption = None,
) -> None:
    """Add customer evidence from a CSV file to a map. Only the map's evidence changes: nothing written
    in the file is ever treated as an instruction."""
    from ..domain.map_file import MapFileError, save_map
    from ..evidence import EvidenceImportError, add_evidence, confirm_links, propose_links, read_evidence_csv

    msg: Lang = resolve_lang(lang)
    if (map_path is None) == (session is None):
        fail(choose(msg, "Indiquez --map FICHIER ou --session ID (l'un des deux).",
                    "Give either --map FILE or --session ID (one of them)."))
    journey = _load(map_path if map_path is not None else session or "", lang)
    try:
        result = read_evidence_csv(csv_file)
    except EvidenceImportError as err:
        fail(f"{csv_file}{colon(msg)}{err.message(msg)}")
    updated, added, duplicates = add_evidence(journey, result.items)
    for note in result.messages(msg):
        typer.echo(f"- {note}", err=True)
    from ..evidence.messages import say

    if duplicates:
        typer.echo(f"- {say('duplicates', msg, count=duplicates)}", err=True)
    typer.echo(say("added", msg, count=len(added)), err=True)

    link_failed = False
    if (link or accept_links) and added:
        from ..knowledge.errors import KnowledgeError

        try:
            from ..evidence.linking import threshold_for

            embed, embedder_name = _embed_function()
            threshold = min_score if min_score is not None else threshold_for(embedder_name)
            proposals = propose_links(updated, added, embed, threshold=threshold)
        except KnowledgeError as err:
            why = err.message(msg)
            typer.echo(choose(msg, f"Liens non proposés (les preuves sont importées quand même) : {why}",
                              f"No link proposed (the evidence is imported all the same): {why}"), err=True)
            proposals, link_failed = [], True
        if not link_failed:
            typer.echo(choose(msg, f"Liens proposés : {len(proposals)}", f"Proposed links: {len(proposals)}"),
                       err=True)
        for line in _proposal_lines(updated, proposals, msg):
            typer.echo(line, err=True)
        if accept_links and proposals:
            updated = confirm_links(updated, proposals)
            typer.echo(count(len(proposals), msg, ("lien enregistré", "liens enregistrés"),
                             ("link recorded", "links recorded")), err=True)

    if session is not None and output is None:
        _save_to_session(session, updated, msg)
    else:
        target = output or Path(map_path or "")
        try:
            save_map(updated, target, lang=msg)
        except MapFileError as err:  # too large for any command to read back: nothing written
            fail_map(err, msg)
        except OSError as err:
            fail(choose(msg, f"{target} : écriture impossible ({err.strerror or err})",
                        f"{target}: cannot write ({err.strerror or err})"), 1)
        typer.echo(choose(msg, f"Carte écrite : {target}", f"Map written: {target}"), err=True)
    if link_failed:
        raise typer.Exit(1)


def _save_to_session(session: str, journey: JourneyMap, msg: Lang) -> None:
    """Write the updated map back into its interview session (the chat shows it on resume)."""
    from ..domain.map_file import MapFileError, checked_dump
    from ..store.sessions import SessionStore, StoreError

    try:
        text = checked_dump(journey, source=f"session {session}", lang=msg)
    except MapFileError as err:
        fail_map(err, msg)
    try:
        with SessionStore() as store:
            sid = store.resolve(session)
            store.save(sid, map_json=text)
    except StoreError as err:
        fail(str(err), 1)
    typer.echo(choose(msg, f"Carte de la session mise à jour : {sid}", f"Session map updated: {sid}"), err=True)


def register(app: typer.Typer) -> None:
    """Add this group's commands to the app."""
    app.command("export")(export_command)
    app.add_typer(evidence_app, name="evidence")
