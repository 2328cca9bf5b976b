"""Served mode (`journeybot serve`): what one participant's app may touch on the coach's machine.

Pure (no Textual, no web server): the chat's ``/import`` and ``/export`` call :func:`confined` when a
workshop folder is set (``settings.workdir``), and the app refuses what a participant must not do
(``/model``: the coach chose the model and pays for its key; other people's sessions: the store only
shows a participant's own, see store/sessions.py ``owner``).

A name given to /import or /export is taken inside the workshop folder, never outside: an absolute
path, ``~``, a ``..`` part or a symbolic link that leads out of the folder is refused with one sentence
in the user's language.
"""

from __future__ import annotations

from pathlib import Path

from .errors import BadInput
from .i18n import Lang, render

_TEXTS: dict[str, tuple[str, str]] = {
    # key: (fr, en)
    "absolute": (
        "« {name} » : en atelier, /import et /export n'utilisent que le dossier de l'atelier ; donnez un "
        "nom de fichier de ce dossier (sans chemin absolu ni ~)",
        "'{name}': in a workshop, /import and /export only use the workshop folder; give the name of a file "
        "in that folder (no absolute path, no ~)",
    ),
    "parent": (
        "« {name} » : « .. » sort du dossier de l'atelier ; donnez un nom de fichier de ce dossier",
        "'{name}': '..' leaves the workshop folder; give the name of a file in that folder",
    ),
    "outside": (
        "« {name} » mène hors du dossier de l'atelier (lien symbolique) : refusé",
        "'{name}' leads outside the workshop folder (a symbolic link): refused",
    ),
    "bad_name": ("« {name} » n'est pas un nom de fichier utilisable", "'{name}' is not a usable file name"),
    "not_served": (
        "En atelier, l'animateur a choisi le modèle ({name}) et les réglages : {command} lui est réservé.",
        "In a workshop, the coach chose the model ({name}) and the settings: {command} is the coach's.",
    ),
}


def say(key: str, lang: Lang, **values: object) -> str:
    return render(_TEXTS, key, lang, **values)


class WorkshopPathError(BadInput, ValueError):
    """A name that would lead outside the workshop folder; ``message(lang)`` says why."""

    def __init__(self, key: str, name: str) -> None:
        self.key = key
        self.name = name
        super().__init__(say(key, "en", name=name), say(key, "fr", name=name))


def confined(folder: Path, name: str) -> Path:
    """The absolute path of ``name`` inside ``folder`` (symbolic links followed), or
    WorkshopPathError when it would be anywhere else."""
    shown = " ".join(name.split())[:80]
    if not name.strip() or "\x00" in name:
        raise WorkshopPathError("bad_name", shown)
    relative = Path(name)
    if relative.is_absolute() or name.startswith(("~", "/", "\\")) or relative.drive:
        raise WorkshopPathError("absolute", shown)
    if ".." in relative.parts or ".." in Path(name.replace("\\", "/")).parts:
        raise WorkshopPathError("parent", shown)
    root = folder.resolve()
    target = (root / relative).resolve()
    if target != root and not target.is_relative_to(root):
        raise WorkshopPathError("outside", shown)
    if target == root:
        raise WorkshopPathError("bad_name", shown)
    return target


def import_path(name: str, workdir: Path | None) -> Path:
    """The file ``/import NAME`` reads: confined to the workshop folder when there is one (served
    mode), else the user's own path (``~`` expanded). Raises WorkshopPathError."""
    if workdir is None:
        return Path(name).expanduser()
    return confined(workdir, name)


def shown_path(path: Path, workdir: Path | None) -> str:
    """How a written file is named to the user: relative to the workshop folder in served mode (a
    participant has no business with the coach's folders), else in full."""
    if workdir is not None:
        try:
            return str(path.resolve().relative_to(workdir.resolve()))
        except ValueError:
            pass
    return str(path)
