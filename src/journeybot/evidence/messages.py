"""The evidence importer's messages, in French and English."""

from __future__ import annotations

from typing import Any

from ..domain.journey_map import Lang
from ..i18n import Plural, render

MESSAGES: dict[str, tuple[str, str] | Plural] = {
    # errors (fr, en)
    "not_found": ("fichier introuvable : {path}", "file not found: {path}"),
    "unreadable": ("lecture impossible de {path} ({why})", "cannot read {path} ({why})"),
    "too_big": ("fichier trop gros ({size} octets, {limit} au plus)", "file too large ({size} bytes, at most {limit})"),
    "empty": ("le fichier est vide", "the file is empty"),
    "workbook": (
        "c'est un classeur Excel/OpenDocument, pas un CSV : enregistrez-le au format CSV (UTF-8) puis réessayez",
        "this is an Excel/OpenDocument workbook, not a CSV: save it as CSV (UTF-8) and try again",
    ),
    "binary": ("ce n'est pas un fichier texte CSV", "this is not a CSV text file"),
    "bad_csv": ("CSV illisible ({why})", "unreadable CSV ({why})"),
    "unclosed_quote": (
        "ligne {line} : un guillemet \" ouvert n'est jamais fermé, tout le reste du fichier serait lu comme un "
        "seul texte. Fermez ce guillemet (ou doublez-le, \"\", s'il fait partie du texte) puis réessayez",
        "line {line}: a quote \" is opened and never closed, so the rest of the file would be read as one text. "
        "Close that quote (or double it, \"\", if it belongs to the text) and try again",
    ),
    "no_text_column": (
        "aucune colonne de texte trouvée. Colonnes présentes : {columns}. Nommez la colonne du texte "
        "« texte », « verbatim », « commentaire » ou « avis » (ou text, comment, review)",
        "no text column found. Columns in the file: {columns}. Name the text column "
        "text, verbatim, comment or review (or texte, commentaire, avis)",
    ),
    "no_rows": ("aucune ligne avec du texte dans la colonne « {column} »",
                "no row has any text in column '{column}'"),
    # notes
    "encoding_fallback": (
        "le fichier n'est pas en UTF-8 : lu comme {encoding} (vérifiez le texte ; enregistré en UTF-8, il serait lu sans deviner)",
        "the file is not UTF-8: read as {encoding} (check the text; saved as UTF-8 it would be read without guessing)",
    ),
    "columns_used": ("colonnes utilisées : {mapping}", "columns used: {mapping}"),
    "capped": (
        "{kept} lignes importées, {skipped} lignes ignorées au-delà de la limite de {limit} : "
        "découpez le fichier ou filtrez-le avant l'import",
        "{kept} rows imported, {skipped} rows skipped beyond the limit of {limit}: "
        "split or filter the file before importing",
    ),
    "capped_size": Plural(
        fr=("{skipped} ligne non importée : les preuves d'un fichier ne peuvent dépasser {limit} Mo dans la carte "
            "(une carte plus grosse serait refusée) ; découpez le fichier",
            "{skipped} lignes non importées : les preuves d'un fichier ne peuvent dépasser {limit} Mo dans la carte "
            "(une carte plus grosse serait refusée) ; découpez le fichier"),
        en=("{skipped} row not imported: the evidence of one file may not add more than {limit} MB to the map "
            "(a larger map would be refused); split the file",
            "{skipped} rows not imported: the evidence of one file may not add more than {limit} MB to the map "
            "(a larger map would be refused); split the file"),
        by="skipped",
    ),
    "empty_rows": Plural(fr=("{count} ligne sans texte ignorée", "{count} lignes sans texte ignorées"),
                         en=("{count} row without text skipped", "{count} rows without text skipped"), by="count"),
    "truncated": Plural(fr=("{count} texte tronqué à {limit} caractères", "{count} textes tronqués à {limit} caractères"),
                        en=("{count} text cut to {limit} characters", "{count} texts cut to {limit} characters"),
                        by="count"),
    "bad_dates": Plural(fr=("{count} date illisible laissée vide", "{count} dates illisibles laissées vides"),
                        en=("{count} unreadable date left empty", "{count} unreadable dates left empty"), by="count"),
    "bad_scores": Plural(fr=("{count} note non numérique laissée vide", "{count} notes non numériques laissées vides"),
                         en=("{count} non-numeric score left empty", "{count} non-numeric scores left empty"),
                         by="count"),
    "control_chars": Plural(fr=("caractères de contrôle retirés dans {count} ligne",
                                "caractères de contrôle retirés dans {count} lignes"),
                            en=("control characters removed in {count} row", "control characters removed in {count} rows"),
                            by="count"),
    "formulas": Plural(
        fr=("{count} texte commence comme une formule de tableur : gardé tel quel, neutralisé à l'export CSV",
            "{count} textes commencent comme une formule de tableur : gardés tels quels, neutralisés à l'export CSV"),
        en=("{count} text starts like a spreadsheet formula: kept as written, defused in CSV exports",
            "{count} texts start like a spreadsheet formula: kept as written, defused in CSV exports"),
        by="count",
    ),
    "duplicates": Plural(fr=("{count} preuve déjà présente dans la carte, non ajoutée",
                             "{count} preuves déjà présentes dans la carte, non ajoutées"),
                         en=("{count} evidence item already in the map, not added again",
                             "{count} evidence items already in the map, not added again"), by="count"),
    "added": Plural(fr=("{count} preuve ajoutée à la carte", "{count} preuves ajoutées à la carte"),
                    en=("{count} evidence item added to the map", "{count} evidence items added to the map"),
                    by="count"),
}


def say(key: str, lang: Lang, **values: Any) -> str:
    return render(MESSAGES, key, lang, **values)
