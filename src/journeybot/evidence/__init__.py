"""Customer evidence: import it from CSV files, link it to the map by meaning, confirm the links.

Evidence text is data, never instructions: importing adds ``evidence`` items and nothing else;
linking only records links and marks the linked items as customer-backed.
"""

from __future__ import annotations

from .csv_import import (
    MAX_ROWS,
    EvidenceImport,
    EvidenceImportError,
    ImportNote,
    add_evidence,
    read_evidence_csv,
)
from .linking import LinkProposal, confirm_links, link_targets, propose_links

__all__ = [
    "MAX_ROWS",
    "EvidenceImport",
    "EvidenceImportError",
    "ImportNote",
    "LinkProposal",
    "add_evidence",
    "confirm_links",
    "link_targets",
    "propose_links",
    "read_evidence_csv",
]
