"""Every word an export shows, in French and English, and small formatting helpers."""

from __future__ import annotations

from ..domain.journey_map import Lang, Provenance
from ..i18n import pick
from ..lint.finding import SEVERITY_WORDS

_LABELS: dict[str, tuple[str, str]] = {
    # key: (fr, en)
    "untitled": ("Carte de parcours client", "Customer journey map"),
    "framing": ("Cadrage", "Framing"),
    "objective": ("Objectif", "Objective"),
    "business_question": ("Question business", "Business question"),
    "journey": ("Parcours", "Journey"),
    "scope": ("Périmètre", "Scope"),
    "scope.macro": ("macro", "macro"),
    "scope.specific": ("spécifique", "specific"),
    "start": ("Début", "Start"),
    "end": ("Fin", "End"),
    "team": ("Équipe", "Team"),
    "deliverable": ("Livrable", "Deliverable"),
    "persona": ("Persona", "Persona"),
    "name": ("Nom", "Name"),
    "description": ("Description", "Description"),
    "context": ("Contexte", "Context"),
    "segments": ("Segments", "Segments"),
    "set_aside": ("Gardé pour une autre carte", "Kept for another map"),
    "goals": ("Objectifs", "Goals"),
    "motivations": ("Motivations (SONCAS)", "Motivations (SONCAS)"),
    "frustrations": ("Frustrations", "Frustrations"),
    "trigger": ("Déclencheur", "Trigger"),
    "state_of_mind": ("État d'esprit", "State of mind"),
    "information_sources": ("Sources d'information", "Information sources"),
    "objections": ("Objections", "Objections"),
    "stages": ("Étapes", "Stages"),
    "stage": ("Étape", "Stage"),
    "stage_order": ("Ordre", "Order"),
    "lifecycle": ("Cycle", "Lifecycle"),
    "lifecycle.before_purchase": ("avant l'achat", "before purchase"),
    "lifecycle.purchase": ("achat", "purchase"),
    "lifecycle.after_purchase": ("après l'achat", "after purchase"),
    "touchpoints": ("Points de contact", "Touchpoints"),
    "touchpoint": ("Point de contact", "Touchpoint"),
    "channel": ("Canal", "Channel"),
    "online": ("En ligne / hors ligne", "Online / offline"),
    "online.true": ("en ligne", "online"),
    "online.false": ("hors ligne", "offline"),
    "ownership": ("Maîtrise", "Ownership"),
    "ownership.owned": ("géré par l'entreprise", "owned"),
    "ownership.partner": ("partenaire", "partner"),
    "ownership.third_party": ("tiers", "third party"),
    "owner": ("Équipe responsable", "Owner"),
    "owners": ("Équipes responsables", "Owners"),
    "invisible": ("moment invisible", "invisible moment"),
    "invisible_header": ("Moment invisible", "Invisible moment"),
    "stages_range": ("Étapes {a} à {b} sur {n}", "Stages {a} to {b} of {n}"),
    "actions": ("Actions du client", "Customer actions"),
    "thoughts": ("Pensées", "Thoughts"),
    "emotion": ("Émotion", "Emotion"),
    "emotion_score": ("Émotion (−2..+2)", "Emotion (−2..+2)"),
    "emotion_label": ("Ressenti", "Feeling"),
    "emotion_curve": ("Courbe des émotions", "Emotion curve"),
    "expectations": ("Attentes", "Expectations"),
    "pain_points": ("Irritants", "Pain points"),
    "stage_pain_points": ("Irritants de l'étape", "Stage pain points"),
    "positives": ("Points positifs", "What goes well"),
    "metrics": ("Indicateurs", "Metrics"),
    "stage_metrics": ("Indicateurs de l'étape", "Stage metrics"),
    "source": ("source", "source"),
    "no_source": ("source non indiquée", "no source given"),
    "provenance": ("Provenance", "Provenance"),
    "provenance.customer": ("client", "customer"),
    "provenance.team": ("équipe", "team"),
    "provenance.inferred": ("déduit par l'IA, à confirmer", "AI-inferred, to confirm"),
    "legend": ("Légende", "Legend"),
    "legend.customer": ("appuyé sur des preuves clients", "backed by customer evidence"),
    "legend.team": ("croyance de l'équipe", "the team's belief"),
    "legend.inferred": ("proposé par l'IA, non confirmé — ne compte pas comme preuve",
                        "proposed by the AI, not confirmed — never counts as evidence"),
    "moments_of_truth": ("Moments de vérité", "Moments of truth"),
    "why": ("Pourquoi", "Why"),
    "fix": ("Que faire", "What to do"),
    "evidence": ("Preuves", "Evidence"),
    "evidence_items": ("Preuves clients", "Customer evidence"),
    "evidence_kind.interview": ("entretien", "interview"),
    "evidence_kind.survey": ("enquête", "survey"),
    "evidence_kind.ticket": ("ticket de support", "support ticket"),
    "evidence_kind.review": ("avis client", "customer review"),
    "evidence_kind.frontline": ("retour des équipes de terrain", "frontline feedback"),
    "evidence_kind.analytics": ("données d'usage", "analytics"),
    "evidence_kind.verbatim": ("verbatim", "verbatim"),
    "evidence_kind.other": ("autre source", "other source"),
    "moment_kind.other": ("autre", "other"),
    "supports": ("appuie", "supports"),
    "findings": ("Points d'attention (méthode)", "Method findings"),
    "no_findings": ("Aucun point d'attention.", "No findings."),
    "opportunities": ("Opportunités priorisées", "Ranked opportunities"),
    "opportunity": ("Opportunité", "Opportunity"),
    "rank": ("Rang", "Rank"),
    "score": ("Score", "Score"),
    "kind": ("Type", "Kind"),
    "kind.fix": ("réparer", "fix"),
    "kind.optimise": ("optimiser", "optimise"),
    "kind.innovate": ("innover", "innovate"),
    "lever.simplify": ("simplifier", "simplify"),
    "lever.hidden": ("opportunité cachée", "hidden opportunity"),
    "lever.surprise": ("surprendre", "surprise"),
    "impact": ("Impact", "Impact"),
    "reach": ("Portée", "Reach"),
    "confidence": ("Confiance", "Confidence"),
    "effort": ("Effort", "Effort"),
    "unscored": ("non noté", "unscored"),
    "missing": ("à remplir", "to fill"),
    "score_method": (
        "Score = impact × portée × confiance ÷ effort (échelles 1 à 5). À égalité : moment de vérité, "
        "puis effort le plus faible.",
        "Score = impact × reach × confidence ÷ effort (1..5 scales). Ties: moment of truth first, "
        "then lowest effort.",
    ),
    "on_moment": ("moment de vérité", "moment of truth"),
    "action_plan": ("Plan d'action", "Action plan"),
    "action": ("Action", "Action"),
    "kpi": ("Indicateur de suivi", "KPI"),
    "due": ("Échéance", "Due"),
    "serves": ("Opportunité servie", "Serves"),
    "unknown_opportunity": ("opportunité introuvable", "unknown opportunity"),
    "review_date": ("Date de revue", "Review date"),
    "review_default": ("par défaut : création + 6 mois", "default: created + 6 months"),
    "review_why": ("Une carte se revoit au moins tous les six mois.",
                   "A map should be reviewed at least every six months."),
    "created": ("Créée le", "Created"),
    "none": ("—", "—"),
    "empty_lane": ("rien de noté", "nothing recorded"),
    "no_stage": ("Aucune étape pour l'instant.", "No stage yet."),
    "no_opportunity": ("Aucune opportunité pour l'instant.", "No opportunity yet."),
    "no_action": ("Aucune action pour l'instant.", "No action yet."),
    "generated_by": ("Exporté par journeybot", "Exported by journeybot"),
    "customer": ("Client", "Customer"),
    "soncas.security": ("sécurité", "security"),
    "soncas.pride": ("orgueil", "pride"),
    "soncas.novelty": ("nouveauté", "novelty"),
    "soncas.comfort": ("confort", "comfort"),
    "soncas.money": ("argent", "money"),
    "soncas.sympathy": ("sympathie", "sympathy"),
    "effort.cognitive": ("effort cognitif", "cognitive effort"),
    "effort.emotional": ("effort émotionnel", "emotional effort"),
    "effort.physical": ("effort physique", "physical effort"),
    "effort.relational": ("effort relationnel", "relational effort"),
    "effort.ergonomic": ("effort ergonomique", "ergonomic effort"),
    "effort.digital": ("effort numérique", "digital effort"),
    "company": ("Entreprise", "Company"),
    "partner": ("Partenaire", "Partner"),
    "third_party": ("Tiers", "Third party"),
    **{f"severity.{sev}": (fr[0], en[0]) for sev, (fr, en) in SEVERITY_WORDS.items()},
}


def t(key: str, lang: Lang) -> str:
    """The label for ``key`` in ``lang`` (the key itself if unknown, so nothing disappears)."""
    pair = _LABELS.get(key)
    return key if pair is None else pick(pair, lang)


PROVENANCE_MARK: dict[str, str] = {"customer": "C", "team": "T", "inferred": "?"}
"""One-character marks for the provenance of an item (with a legend in every document)."""


def provenance_label(provenance: Provenance, lang: Lang) -> str:
    return t(f"provenance.{provenance}", lang)


def moment_kind(kind: str, lang: Lang) -> str:
    """ZMOT, FMOT, SMOT, TMOT as they are written in both languages; « autre » / "other"."""
    return t(f"moment_kind.{kind}", lang) if kind == "other" else kind


def format_number(value: float, lang: Lang) -> str:
    """12 → "12", 38.5 → "38,5" in French / "38.5" in English; no float noise (0.1+0.2)."""
    if value == int(value) and abs(value) < 1e15:
        text = str(int(value))
    else:
        text = f"{value:.6g}" if abs(value) >= 1e-4 else repr(value)
    return text.replace(".", ",") if lang == "fr" else text


def format_emotion(score: int) -> str:
    """−2..+2 with an explicit sign (+1, 0, −2)."""
    return f"+{score}" if score > 0 else str(score)


def item_label(item: object) -> str:
    """A short human name for any map item (its name, text or action)."""
    for attr in ("name", "text", "action"):
        value = getattr(item, attr, None)
        if isinstance(value, str) and value:
            return value if len(value) <= 80 else value[:77] + "..."
    return str(getattr(item, "id", "?"))
