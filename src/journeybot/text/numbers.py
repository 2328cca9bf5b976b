"""Numbers as people write them: "1 200", "1,200", "4,5", "−2"."""

from __future__ import annotations

import re

_THOUSANDS = re.compile(r"(?<=\d)[ \u00a0\u202f](?=\d{3}(?!\d))")


def to_float(raw: str) -> float | None:
    """The value of a number written in French or English ("1 200,5", "1,200.5", "12,5", "−2")."""
    text = raw.strip().replace("−", "-").replace("–", "-")
    text = _THOUSANDS.sub("", text)
    if re.fullmatch(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?", text):
        text = text.replace(",", "")  # 1,200 or 1,200.5: English thousands
    else:
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None
