"""Text helpers shared by the exports: one-line text, formula defusing, Markdown escaping."""

from __future__ import annotations

import re

_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def one_line(text: str) -> str:
    """Collapse every run of whitespace (newlines included) into one space."""
    return " ".join(text.split())


def defuse_formula(cell: str) -> str:
    """Prefix a spreadsheet cell that would be read as a formula with an apostrophe.

    Excel, LibreOffice and Google Sheets treat a cell starting with ``= + - @`` (or a tab / carriage
    return before one) as a formula: a verbatim such as ``=HYPERLINK("http://evil", "clic")`` would
    run. A plain number (``-2``, ``+1``, ``-3,5``) is left alone so it stays a number.
    """
    if cell.startswith(_FORMULA_START) and not _NUMBER.match(cell.strip()):
        return "'" + cell
    return cell


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_LIST_START = re.compile(r"^(\d*)([-.+#>])")


def md_escape(text: str) -> str:
    """Text that Markdown renders literally: no link, emphasis, heading, table cell or raw HTML.

    ``<`` ``>`` ``&`` become entities (a renderer that lets HTML through shows them as text), the other
    Markdown punctuation is backslash-escaped, and newlines become spaces (a cell or list item is one
    line).
    """
    text = one_line(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = _LIST_START.sub(r"\1\\\2", text)
    return text
