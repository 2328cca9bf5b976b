"""Linking evidence to the map: propose by meaning, confirm by a person.

``propose_links(journey, items, embed)`` compares each evidence text with every touchpoint and pain
point of the map (cosine similarity of sentence embeddings; ``embed(list[str]) -> array (n, d)`` is
injected: the offline multilingual USE model in the app, anything in tests). It keeps, for each
evidence item, its ``top_k`` best targets scoring at least ``threshold`` and within ``margin`` of the
item's best score.

``confirm_links(journey, proposals)`` records the links a person accepted: the evidence item's
``links`` get the target ids, and the linked touchpoints and pain points become ``customer``
provenance (they are now backed by something customers said). Evidence text is data only: nothing
in it is ever followed as an instruction; linking changes no other part of the map.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ..domain.journey_map import EvidenceItem, Item, JourneyMap

if TYPE_CHECKING:
    import numpy as np

Embed = Callable[[list[str]], Any]
"""Texts → a 2-D array-like of shape (len(texts), dim)."""

TargetKind = Literal["touchpoint", "pain_point"]

DEFAULT_THRESHOLD = 0.4
"""Cosine similarity a proposal needs. Measured with the multilingual USE model on the sample map and
the test fixtures: the right target scored 0.44–0.77 (0.46 for an English answer against a French
pain point), the best wrong one 0.38 and a prompt-injection verbatim 0.19 at most."""
THRESHOLDS: dict[str, float] = {"use-m3": DEFAULT_THRESHOLD, "e5-small": 0.905}
"""Threshold per embedder name (journeybot.knowledge.embeddings). multilingual-e5 squeezes every
similarity into 0.8–0.96 on the same fixtures (right target 0.85–0.96, wrong ones up to 0.90), so it
needs a much higher bar and still separates less well than USE; other embedders get the USE default."""


def threshold_for(embedder_name: str) -> float:
    return THRESHOLDS.get(embedder_name, DEFAULT_THRESHOLD)


DEFAULT_TOP_K = 2
DEFAULT_MARGIN = 0.1
"""A second target is kept only if it scores within this of the item's best (a verbatim usually
speaks of one thing: 'Great mobile app' → the app 0.66, not the referral programme 0.47)."""


@dataclass(frozen=True)
class LinkProposal:
    evidence_id: str
    target_id: str
    target_path: str
    target_kind: TargetKind
    target_label: str
    score: float


@dataclass(frozen=True)
class LinkTarget:
    path: str
    item: Item
    kind: TargetKind
    label: str
    text: str


def link_targets(journey: JourneyMap) -> list[LinkTarget]:
    """Every touchpoint and pain point, with the text its embedding is computed from."""
    targets: list[LinkTarget] = []
    for si, stage in enumerate(journey.stages):
        for ti, tp in enumerate(stage.touchpoints):
            text = f"{tp.name} ({tp.channel})" + (f". {tp.description}" if tp.description else "")
            targets.append(LinkTarget(f"stages[{si}].touchpoints[{ti}]", tp, "touchpoint", tp.name, text))
        for pi, pp in enumerate(stage.pain_points):
            text = pp.text + (f" ({pp.touchpoint})" if pp.touchpoint else "")
            targets.append(LinkTarget(f"stages[{si}].pain_points[{pi}]", pp, "pain_point", pp.text, text))
    return targets


def _unit_rows(matrix: Any) -> np.ndarray:
    import numpy as np

    m = np.asarray(matrix, dtype=np.float64)
    if m.ndim != 2:
        raise ValueError(f"embed() must return a 2-D array, got shape {m.shape}")
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return np.asarray(np.divide(m, norms, out=np.zeros_like(m), where=norms > 0), dtype=np.float64)


def propose_links(
    journey: JourneyMap,
    evidence_items: Sequence[EvidenceItem],
    embed: Embed,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    top_k: int = DEFAULT_TOP_K,
    margin: float = DEFAULT_MARGIN,
    batch_size: int = 256,
) -> list[LinkProposal]:
    """Best targets for each evidence item, strongest first within an item; items in input order."""
    import numpy as np

    targets = link_targets(journey)
    if not targets or not evidence_items or top_k <= 0:
        return []
    target_vecs = _unit_rows(embed([t.text for t in targets]))
    if target_vecs.shape[0] != len(targets):
        raise ValueError("embed() returned a different number of vectors than texts")
    proposals: list[LinkProposal] = []
    for start in range(0, len(evidence_items), batch_size):
        batch = evidence_items[start:start + batch_size]
        ev_vecs = _unit_rows(embed([e.text for e in batch]))
        if ev_vecs.shape[0] != len(batch):
            raise ValueError("embed() returned a different number of vectors than texts")
        sims = ev_vecs @ target_vecs.T
        for row, item in zip(sims, batch, strict=True):
            order = np.argsort(-row, kind="stable")[:top_k]
            best = float(row[order[0]])
            for j in order:
                score = float(row[j])
                if score < threshold or score < best - margin:
                    break
                t = targets[int(j)]
                proposals.append(LinkProposal(item.id, t.item.id, t.path, t.kind, t.label, round(score, 4)))
    return proposals


def confirm_links(journey: JourneyMap, proposals: Sequence[LinkProposal]) -> JourneyMap:
    """A new map with the accepted links recorded and the linked items turned to ``customer``.

    Raises ValueError naming any evidence or target id that is not in the map.
    """
    updated = journey.model_copy(deep=True)
    evidence = {e.id: e for e in updated.evidence}
    items = {item.id: item for _, item in updated.items()}
    unknown = sorted({p.evidence_id for p in proposals if p.evidence_id not in evidence}
                     | {p.target_id for p in proposals if p.target_id not in items})
    if unknown:
        raise ValueError(f"unknown ids in link proposals: {', '.join(unknown)}")
    for p in proposals:
        ev = evidence[p.evidence_id]
        if p.target_id not in ev.links:
            ev.links = [*ev.links, p.target_id]
        items[p.target_id].provenance = "customer"
    return updated
