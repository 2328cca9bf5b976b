"""Reading and writing journey-map files, with every error given as a path and a plain sentence."""

from __future__ import annotations

import gc
import json
import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import BadInput
from ..i18n import render
from .journey_map import NO_CONTROL_PATTERN, JourneyMap, Lang

MAX_FILE_BYTES = 20 * 1024 * 1024
"""A map file larger than this is refused before parsing (a real map is a few hundred KB)."""


@dataclass(frozen=True)
class MapProblem:
    """One thing wrong with a map file: where (a JSON path) and what (a sentence)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class MapFileError(BadInput):
    """A map file that cannot be used. ``problems`` lists every error found."""

    def __init__(self, source: str, problems: list[MapProblem]):
        self.source = source
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


_MESSAGES: dict[str, dict[str, str]] = {
    "missing": {"en": "this field is required", "fr": "ce champ est obligatoire"},
    "extra_forbidden": {"en": "unknown field", "fr": "champ inconnu"},
    "string_type": {"en": "must be text", "fr": "doit être du texte"},
    "string_too_short": {"en": "must not be empty", "fr": "ne doit pas être vide"},
    "string_too_long": {
        "en": "text too long ({length} characters, at most {max_length})",
        "fr": "texte trop long ({length} caractères, {max_length} au plus)",
    },
    "bool_type": {"en": "must be true or false", "fr": "doit valoir true ou false"},
    "bool_parsing": {"en": "must be true or false", "fr": "doit valoir true ou false"},
    "int_type": {"en": "must be a whole number", "fr": "doit être un nombre entier"},
    "int_parsing": {"en": "must be a whole number", "fr": "doit être un nombre entier"},
    "int_from_float": {"en": "must be a whole number", "fr": "doit être un nombre entier"},
    "float_type": {"en": "must be a number", "fr": "doit être un nombre"},
    "float_parsing": {"en": "must be a number", "fr": "doit être un nombre"},
    "less_than_equal": {"en": "must be at most {le}", "fr": "doit valoir {le} au plus"},
    "greater_than_equal": {"en": "must be at least {ge}", "fr": "doit valoir au moins {ge}"},
    "list_type": {"en": "must be a list", "fr": "doit être une liste"},
    "model_type": {"en": "must be an object", "fr": "doit être un objet"},
    "dict_type": {"en": "must be an object", "fr": "doit être un objet"},
    "literal_error": {"en": "must be one of: {expected}", "fr": "doit valoir l'une de ces valeurs : {expected}"},
    "date_from_datetime_parsing": {"en": "must be a date (YYYY-MM-DD)", "fr": "doit être une date (AAAA-MM-JJ)"},
    "date_parsing": {"en": "must be a date (YYYY-MM-DD)", "fr": "doit être une date (AAAA-MM-JJ)"},
    "date_type": {"en": "must be a date (YYYY-MM-DD)", "fr": "doit être une date (AAAA-MM-JJ)"},
    "string_pattern_mismatch": {
        "en": "may only hold letters, digits, '.', '_' and '-'",
        "fr": "ne peut contenir que lettres, chiffres, '.', '_' et '-'",
    },
    "finite_number": {"en": "must be a finite number", "fr": "doit être un nombre fini"},
    "control": {"en": "control characters are not allowed in text", "fr": "les caractères de contrôle sont interdits dans le texte"},
    "placeholder": {"en": "'{value}' is a placeholder, not a name", "fr": "« {value} » est un bouche-trou, pas un nom"},
    "invalid": {"en": "invalid value", "fr": "valeur invalide"},
    # file-level problems
    "not_found": {"en": "file not found", "fr": "fichier introuvable"},
    "unreadable": {"en": "cannot read the file ({why})", "fr": "lecture impossible ({why})"},
    "too_big": {
        "en": "file too large ({size} bytes, at most {limit}): is this really a journey map?",
        "fr": "fichier trop gros ({size} octets, {limit} au plus) : est-ce bien une carte de parcours ?",
    },
    "too_big_to_save": {
        "en": "the map would be {size} bytes, more than the {limit} a map file may hold (no command would "
              "read it back): nothing was written; import less evidence or split it",
        "fr": "la carte ferait {size} octets, plus que les {limit} qu'un fichier de carte peut contenir "
              "(aucune commande ne la relirait) : rien n'a été écrit ; importez moins de preuves ou découpez-les",
    },
    "huge_number": {
        "en": "a number has {digits} digits (at most {limit}): is this really a journey map?",
        "fr": "un nombre a {digits} chiffres ({limit} au plus) : est-ce bien une carte de parcours ?",
    },
    "not_utf8": {"en": "not UTF-8 text", "fr": "ce n'est pas du texte UTF-8"},
    "not_json": {
        "en": "not valid JSON (line {line}, column {col}: {msg})",
        "fr": "JSON invalide (ligne {line}, colonne {col} : {msg})",
    },
    "not_object": {"en": "a journey map must be a JSON object", "fr": "une carte de parcours doit être un objet JSON"},
    "schema_version": {
        "en": "unsupported schema_version {found} (this journeybot reads {expected})",
        "fr": "schema_version {found} non prise en charge (ce journeybot lit la {expected})",
    },
}


def _say(key: str, lang: Lang, **values: Any) -> str:
    return render(_MESSAGES, key, lang, **values)


def _json_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _preview(value: object) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def is_control_error(error: Mapping[str, Any]) -> bool:
    """Whether one of pydantic's errors is a text holding control characters (NO_CONTROL_PATTERN)."""
    return error.get("type") == "string_pattern_mismatch" and (error.get("ctx") or {}).get("pattern") == NO_CONTROL_PATTERN


def control_message(lang: Lang) -> str:
    """The plain sentence for a text holding control characters."""
    return _say("control", lang)


def problems_from_validation(err: ValidationError, lang: Lang = "en") -> list[MapProblem]:
    """Turn pydantic's errors into plain sentences, keeping every one of them."""
    problems: list[MapProblem] = []
    for e in err.errors(include_url=False):
        kind = e["type"]
        ctx = dict(e.get("ctx") or {})
        if is_control_error(e):
            kind = "control"
        if kind == "value_error":
            raw = str(ctx.get("error", e.get("msg", "")))
            if "control characters" in raw:
                kind = "control"
            elif "placeholder" in raw:
                kind = "placeholder"
                ctx["value"] = _preview(e.get("input", ""))
        if kind == "string_too_long":
            ctx["length"] = len(e.get("input", "") or "")
        key = kind if kind in _MESSAGES else "invalid"
        message = _say(key, lang, **ctx)
        if key == "invalid" and e.get("msg"):
            message = f"{message}: {e['msg']}"
        problems.append(MapProblem(_json_path(tuple(e["loc"])), message))
    return problems


class _CollectorPause:
    """Hold Python's cycle collector while a map is built. Validating a big map allocates tens of
    thousands of objects, none of them garbage, and the collector would scan them again and again
    (a 500-stage map took about 1.3x longer, its slow runs 2x). Nested and threaded uses are
    counted: the collector comes back when the last one ends, and only if it was on before."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders = 0
        self._was_enabled = True

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._holders == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._holders += 1
        try:
            yield
        finally:
            with self._lock:
                self._holders -= 1
                if self._holders == 0 and self._was_enabled:
                    gc.enable()


gc_paused = _CollectorPause()


def parse_map(data: object, *, source: str = "<map>", lang: Lang = "en") -> JourneyMap:
    """Validate already-decoded JSON into a map, or raise MapFileError with every problem."""
    if not isinstance(data, dict):
        raise MapFileError(source, [MapProblem("", _say("not_object", lang))])
    version = data.get("schema_version", 1)
    if version != 1:
        raise MapFileError(
            source,
            [MapProblem("schema_version", _say("schema_version", lang, found=_preview(version), expected=1))],
        )
    try:
        with gc_paused():
            return JourneyMap.model_validate(data)
    except ValidationError as err:
        raise MapFileError(source, problems_from_validation(err, lang)) from None


def parse_map_text(text: str, *, source: str = "<map>", lang: Lang = "en") -> JourneyMap:
    """Validate a map from JSON text. A valid map is parsed and validated in one pass by pydantic-core
    (a quarter faster on big maps); anything else takes the slower path that explains every problem."""
    try:
        with gc_paused():
            journey = JourneyMap.model_validate_json(text)
    except (ValidationError, ValueError, RecursionError):
        pass
    else:
        if journey.schema_version == 1:
            return journey
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise MapFileError(
            source, [MapProblem("", _say("not_json", lang, line=err.lineno, col=err.colno, msg=err.msg))]
        ) from None
    except ValueError as err:  # an integer longer than Python's int/str conversion limit (4,300 digits)
        found = re.search(r"has (\d+) digits", str(err))
        problem = _say("huge_number", lang, digits=found.group(1) if found else "?",
                       limit=sys.get_int_max_str_digits())
        raise MapFileError(source, [MapProblem("", problem)]) from None
    except RecursionError:
        raise MapFileError(source, [MapProblem("", _say("not_json", lang, line="?", col="?", msg="nesting too deep"))]) from None
    return parse_map(data, source=source, lang=lang)


def load_map(path: str | Path, *, lang: Lang = "en") -> JourneyMap:
    """Read a map file. Every failure is a MapFileError with plain messages, never a traceback."""
    p = Path(path)
    source = str(p)
    try:
        size = p.stat().st_size
    except FileNotFoundError:
        raise MapFileError(source, [MapProblem("", _say("not_found", lang))]) from None
    except OSError as err:
        raise MapFileError(source, [MapProblem("", _say("unreadable", lang, why=err.strerror))]) from None
    if size > MAX_FILE_BYTES:
        raise MapFileError(source, [MapProblem("", _say("too_big", lang, size=size, limit=MAX_FILE_BYTES))])
    try:
        raw = p.read_bytes()
    except OSError as err:
        raise MapFileError(source, [MapProblem("", _say("unreadable", lang, why=err.strerror))]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MapFileError(source, [MapProblem("", _say("not_utf8", lang))]) from None
    return parse_map_text(text, source=source, lang=lang)


def dump_map(journey: JourneyMap) -> str:
    """The map as pretty JSON (the ``json`` export and the saved form)."""
    return journey.model_dump_json(indent=2, exclude_none=False) + "\n"


def write_atomic(path: str | Path, text: str) -> None:
    """Write a file so that a crash leaves either the old or the new content, never half."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", dir=p.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def checked_dump(journey: JourneyMap, *, source: str, lang: Lang = "en") -> str:
    """The map as saved (``dump_map``), or MapFileError when it would be larger than a map file may be:
    never write a map that every command would then refuse."""
    text = dump_map(journey)
    size = len(text.encode("utf-8"))
    if size > MAX_FILE_BYTES:
        raise MapFileError(source, [MapProblem("", _say("too_big_to_save", lang, size=size, limit=MAX_FILE_BYTES))])
    return text


def save_map(journey: JourneyMap, path: str | Path, *, lang: Lang = "en") -> None:
    """Write a map file atomically; MapFileError (nothing written) when it would be too large to read."""
    write_atomic(path, checked_dump(journey, source=str(path), lang=lang))
