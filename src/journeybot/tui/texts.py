"""Every sentence the terminal UI shows, in French and in English (the session language decides).

Pure: no Textual import, so tests and the CLI can read it cheaply.
"""

from __future__ import annotations

from typing import Literal

from ..i18n import Plural, render, typography

Lang = Literal["fr", "en"]

_TEXTS: dict[str, tuple[str, str] | Plural] = {
    # key: (fr, en)
    "title": ("journeybot — carte du parcours client", "journeybot — customer journey map"),
    "keys": (
        "Entrée envoyer · Ctrl+J ligne · Ctrl+Y accepter · F2 corriger · Ctrl+D ignorer · F1 aide · Ctrl+Q quitter",
        "Enter send · Ctrl+J line · Ctrl+Y accept · F2 correct · Ctrl+D drop · F1 help · Ctrl+Q quit",
    ),
    "you": ("Vous", "You"),
    "bot": ("journeybot", "journeybot"),
    "input.placeholder": (
        "Votre réponse (Entrée envoie, Ctrl+J nouvelle ligne, / pour les commandes)",
        "Your answer (Enter sends, Ctrl+J new line, / for commands)",
    ),
    "map.title": ("Carte", "Map"),
    "map.empty": ("La carte est vide pour l'instant.", "The map is empty for now."),
    "map.persona": ("Persona", "Persona"),
    "map.objective": ("Objectif", "Objective"),
    "map.bounds": ("Du début à la fin", "From start to end"),
    "map.stages": ("Étapes", "Stages"),
    "map.no_touchpoint": ("aucun point de contact", "no touchpoint"),
    "map.online": ("en ligne", "online"),
    "map.offline": ("hors ligne", "offline"),
    "map.pains": ("irritants", "pain points"),
    "map.emotion": ("Courbe des émotions", "Emotion curve"),
    "map.no_emotion": ("pas encore d'émotion notée", "no emotion recorded yet"),
    "map.moments": ("Moments de vérité", "Moments of truth"),
    "map.legend": (
        "Légende : ? déduit par le modèle (à confirmer) · ~ avis de l'équipe · sans marque : client",
        "Legend: ? inferred by the model (to confirm) · ~ team belief · no mark: customer",
    ),
    "proposal.title": ("Proposition", "Proposal"),
    "proposal.waiting": ("Lecture de votre réponse…", "Reading your answer…"),
    "proposal.keys": (
        "Ctrl+Y accepter · F2 corriger · Ctrl+D ignorer",
        "Ctrl+Y accept · F2 correct · Ctrl+D drop",
    ),
    "proposal.none": ("Rien de nouveau dans cette réponse.", "Nothing new in that answer."),
    "proposal.accepted": ("Proposition ajoutée à la carte.", "Proposal added to the map."),
    "proposal.rejected": ("Proposition écartée.", "Proposal dropped."),
    "proposal.nothing": ("Aucune proposition en attente.", "No proposal waiting."),
    "proposal.edit_title": ("Corriger la proposition", "Correct the proposal"),
    "proposal.edit_help": (
        "Décochez ce qui est faux, corrigez le texte, puis Valider.",
        "Untick what is wrong, fix the text, then Apply.",
    ),
    "proposal.apply": ("Valider", "Apply"),
    "proposal.cancel": ("Annuler", "Cancel"),
    "proposal.kept": Plural(fr=("{n} élément ajouté à la carte.", "{n} éléments ajoutés à la carte."),
                            en=("{n} item added to the map.", "{n} items added to the map.")),
    "proposal.refused": ("Non ajouté : {what} ({why})", "Not added: {what} ({why})"),
    "warnings.new": Plural(
        fr=("{n} nouveau piège (raison et sources dans le volet Pièges, ou /pourquoi CODE) :",
            "{n} nouveaux pièges (raisons et sources dans le volet Pièges, ou /pourquoi CODE) :"),
        en=("{n} new pitfall (reason and sources in the Pitfalls pane, or /why CODE):",
            "{n} new pitfalls (reasons and sources in the Pitfalls pane, or /why CODE):"),
    ),
    "extraction.fallback": (
        "Le modèle n'a pas pu lire votre réponse ({reason}) : je l'ai lue avec les règles simples.",
        "The model could not read your answer ({reason}): I read it with the simple rules instead.",
    ),
    "warnings.title": ("Pièges", "Pitfalls"),
    "warnings.none": ("Aucun piège détecté.", "No pitfall found."),
    "warnings.none_yet": ("Rien à signaler à ce stade de l'entretien.", "Nothing to flag at this point of the interview."),
    "warnings.later": Plural(
        fr=("{n} autre point à vérifier dans les phases à venir (/revue le montre).",
            "{n} autres points à vérifier dans les phases à venir (/revue les liste tous)."),
        en=("{n} more check for the phases ahead (/review shows it).",
            "{n} more checks for the phases ahead (/review lists them all)."),
    ),
    "warnings.why": ("Pourquoi", "Why"),
    "phases.title": ("Phases", "Phases"),
    "model.loading": ("Chargement du modèle…", "Loading the model…"),
    "model.ready": ("Modèle prêt : {name}", "Model ready: {name}"),
    "model.none": ("Mode guidé (sans modèle)", "Guided mode (no model)"),
    "model.failed": ("Modèle indisponible : {reason}", "Model unavailable: {reason}"),
    "model.guided_fallback": (
        "Je continue en mode guidé : les questions de la méthode et une lecture simple de vos réponses.",
        "Carrying on in guided mode: the method's questions and a simple reading of your answers.",
    ),
    "model.current": (
        "Modèle : {name}. Pour en changer : /model local|local-small|openai|none",
        "Model: {name}. To change it: /model local|local-small|openai|none",
    ),
    "model.switching": ("Changement de modèle : {name}…", "Switching model: {name}…"),
    "index.loading": ("Chargement de l'index de la méthode…", "Loading the method index…"),
    "index.failed": ("Index de la méthode indisponible : {reason}", "Method index unavailable: {reason}"),
    "busy": ("Je lis votre réponse…", "Reading your answer…"),
    "error.generic": (
        "Une erreur est survenue : {reason}. Votre texte est conservé. Détails dans {log}.",
        "Something went wrong: {reason}. Your text is kept. Details in {log}.",
    ),
    "error.send": (
        "Envoi impossible : {reason}. Votre texte est resté dans la zone de saisie.",
        "Could not send: {reason}. Your text is still in the input box.",
    ),
    "error.fatal": (
        "journeybot s'est arrêté sur une erreur inattendue : {reason}. Détails dans {log}.",
        "journeybot stopped on an unexpected error: {reason}. Details in {log}.",
    ),
    "error.resume": (
        "La session est enregistrée : journeybot --session {id}",
        "The session is saved: journeybot --session {id}",
    ),
    "error.draft": ("Votre texte non envoyé :", "Your unsent text:"),
    "error.open": ("Impossible d'ouvrir la session : {reason}", "Could not open the session: {reason}"),
    "error.empty": ("Écrivez une réponse avant d'envoyer.", "Type an answer before sending."),
    "error.unknown_command": (
        "Commande inconnue : /{name}. Tapez /help pour la liste.",
        "Unknown command: /{name}. Type /help for the list.",
    ),
    "error.usage": ("Usage : {usage}", "Usage: {usage}"),
    "error.no_session": ("Aucune session ouverte.", "No open session."),
    "error.not_ready": ("La session démarre encore, un instant.", "The session is still starting, one moment."),
    "export.done": ("Carte exportée : {path}", "Map exported: {path}"),
    "export.failed": ("Export impossible : {reason}", "Export failed: {reason}"),
    "sessions.title": ("Sessions", "Sessions"),
    "sessions.help": (
        "Entrée reprend la session choisie · Échap revient",
        "Enter resumes the chosen session · Escape goes back",
    ),
    "sessions.none": ("Aucune session enregistrée.", "No saved session."),
    "sessions.resumed": ("Session reprise : {id}", "Session resumed: {id}"),
    "sessions.col.id": ("Id", "Id"),
    "sessions.col.title": ("Titre", "Title"),
    "sessions.col.phase": ("Phase", "Phase"),
    "sessions.col.updated": ("Modifiée", "Updated"),
    "why.title": ("Pourquoi cette question ?", "Why this question?"),
    "why.source": ("Source", "Source"),
    "why.unknown": ("Piège inconnu : {code}. Codes : {codes}", "Unknown pitfall: {code}. Codes: {codes}"),
    "why.fix": ("Que faire :", "What to do:"),
    "why.close": ("Échap ou Entrée pour fermer", "Escape or Enter to close"),
    "lang.set": ("Langue : français.", "Language: English."),
    "lint.none": ("Aucun piège détecté dans la carte.", "No pitfall found in the map."),
    "lint.count": Plural(fr=("{n} piège dans la carte (volet Pièges).", "{n} pièges dans la carte (volet Pièges)."),
                         en=("{n} pitfall in the map (Pitfalls pane).", "{n} pitfalls in the map (Pitfalls pane).")),
    "quit.bye": ("À bientôt.", "See you soon."),
    "help.title": ("Aide", "Help"),
}

_HELP_FR = """\
**Répondre** : tapez votre réponse puis **Entrée**. **Ctrl+J** ajoute une ligne (Maj+Entrée aussi, dans les terminaux qui la distinguent d'Entrée).
**Historique** : ↑ / ↓ quand le curseur est sur la première / dernière ligne.
**Proposition** : ce que le modèle a lu de votre réponse s'affiche dans la carte :
**Ctrl+Y** l'accepte, **F2** l'ouvre pour corriger ou retirer des éléments, **Ctrl+D** l'écarte.
**Marques** dans la carte : `?` déduit par le modèle, `~` avis de l'équipe, sans marque : parole client.

| Commande | Effet |
|---|---|
"""

_HELP_EN = """\
**Answer**: type your answer then **Enter**. **Ctrl+J** adds a line (Shift+Enter too, in terminals that tell it apart from Enter).
**History**: ↑ / ↓ when the cursor is on the first / last line.
**Proposal**: what the model read from your answer shows in the map:
**Ctrl+Y** accepts it, **F2** opens it to correct or drop items, **Ctrl+D** drops it.
**Marks** in the map: `?` inferred by the model, `~` team belief, no mark: the customer's word.

| Command | Effect |
|---|---|
"""


def t(key: str, lang: Lang, **values: object) -> str:
    """The UI sentence ``key`` in ``lang`` with ``{placeholders}`` filled in."""
    return render(_TEXTS, key, lang, **values)


def help_markdown(lang: Lang) -> str:
    """The /help page: keys, marks and every slash command with its effect."""
    from .commands import registry

    head = _HELP_FR if lang == "fr" else _HELP_EN
    rows = [f"| `{usage}` | {effect} |" for usage, effect in registry().help_rows(lang)]
    return typography(head + "\n".join(rows) + "\n", lang)


def keys() -> list[str]:
    return list(_TEXTS)
