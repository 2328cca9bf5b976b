"""What the interviewer says besides the method's questions, in French and English."""

from __future__ import annotations

from typing import Any

from ..i18n import Lang, Plural, render

_TEXTS: dict[str, dict[str, str] | Plural] = {
    "welcome": {
        "fr": "Bonjour ! Je vais vous guider phase par phase pour construire la carte du parcours client. "
              "Répondez avec vos mots ; tapez /aide pour les commandes (/suivant, /retour, /passer, /carte...).",
        "en": "Hello! I will guide you phase by phase to build the customer journey map. "
              "Answer in your own words; type /help for the commands (/next, /back, /skip, /map...).",
    },
    "resumed": {
        "fr": "Reprise de la session « {title} » là où elle s'était arrêtée.",
        "en": "Resuming session '{title}' where it stopped.",
    },
    "phase_header": {"fr": "Phase {n}/{total} — {title}", "en": "Phase {n}/{total} — {title}"},
    "empty": {
        "fr": "Je n'ai rien reçu. Répondez à la question, ou tapez /aide.",
        "en": "I received nothing. Answer the question, or type /help.",
    },
    "stripped": {
        "fr": "J'ai retiré des caractères de contrôle invisibles de votre message.",
        "en": "I removed invisible control characters from your message.",
    },
    "truncated": {
        "fr": "Votre message fait {size} caractères : il est enregistré en entier, mais seuls les {kept} "
              "premiers sont lus pour la carte.",
        "en": "Your message is {size} characters long: it is saved in full, but only the first {kept} "
              "are read for the map.",
    },
    "done": {
        "fr": "L'entretien est terminé. Tapez /revue pour le bilan, /carte pour la carte, ou /phase ID pour "
              "revenir sur une phase.",
        "en": "The interview is over. Type /review for the assessment, /map for the map, or /phase ID to go "
              "back to a phase.",
    },
    "unmet": {
        "fr": "Il manque encore à la phase « {title} » : {missing}. (/phase {id} pour y revenir)",
        "en": "Phase '{title}' still misses: {missing}. (/phase {id} to come back to it)",
    },
    "back_to": {"fr": "Reprenons :", "en": "Back to the interview:"},
    "unknown_command": {
        "fr": "Commande inconnue « {cmd} ». Tapez /aide pour la liste.",
        "en": "Unknown command '{cmd}'. Type /help for the list.",
    },
    "unknown_phase": {
        "fr": "Phase inconnue « {arg} ». Phases : {ids}.",
        "en": "Unknown phase '{arg}'. Phases: {ids}.",
    },
    "lang_set": {"fr": "Je continue en français.", "en": "I will go on in English."},
    "lang_bad": {"fr": "Langues possibles : fr, en.", "en": "Languages: fr, en."},
    "skipped": {"fr": "Question passée.", "en": "Question skipped."},
    "import_usage": {"fr": "Indiquez le fichier : /import FICHIER.csv", "en": "Name the file: /import FILE.csv"},
    "import_failed": {"fr": "Import impossible de {file} : {why}", "en": "Cannot import {file}: {why}"},
    "imported": Plural(fr=("{n} preuve client importée de {file} (provenance « client »).",
                           "{n} preuves client importées de {file} (provenance « client »)."),
                       en=("{n} piece of customer evidence imported from {file} (provenance 'customer').",
                           "{n} pieces of customer evidence imported from {file} (provenance 'customer').")),
    "import_duplicates": Plural(fr=("{n} ligne déjà présente dans la carte, ignorée.",
                                    "{n} lignes déjà présentes dans la carte, ignorées."),
                                en=("{n} row already in the map, left out.", "{n} rows already in the map, left out.")),
    "import_nothing": {"fr": "Rien à importer dans {file}.", "en": "Nothing to import in {file}."},
    "no_warning": {"fr": "Aucun piège repéré pour l'instant.", "en": "No pitfall found so far."},
    "no_pending": {"fr": "Aucune proposition en attente.", "en": "No proposal waiting."},
    "accepted": Plural(fr=("Ajouté à la carte : {n} élément.", "Ajoutés à la carte : {n} éléments."),
                       en=("Added to the map: {n} item.", "Added to the map: {n} items.")),
    "rejected": {"fr": "Proposition écartée (votre réponse reste enregistrée).",
                 "en": "Proposal dropped (your answer stays saved)."},
    "refused": {"fr": "Non appliqué : {what} ({why})", "en": "Not applied: {what} ({why})"},
    "no_sources": {
        "fr": "Je n'ai pas trouvé de passage de la méthode sur ce point.",
        "en": "I found no passage of the method on this point.",
    },
    "why_phase": {"fr": "Pourquoi cette étape : {why}", "en": "Why this step: {why}"},
    "sources": {"fr": "Sources : {sources}", "en": "Sources: {sources}"},
    "rules_fallback": {
        "fr": "Le modèle n'a pas donné de lecture valable ({why}) : lecture par règles à la place.",
        "en": "The model gave no usable reading ({why}): read by rules instead.",
    },
    "help": {
        "fr": "Commandes : /suivant (phase suivante), /retour (phase précédente), /passer (question suivante), "
              "/phase ID (aller à une phase : {ids}), /carte (résumé de la carte), /pieges (pièges repérés), "
              "/revue (bilan), /pourquoi (la raison de la question ; /pourquoi CODE pour un piège), /ok (accepter la proposition), "
              "/non (l'écarter), /importer FICHIER.csv (preuves client), /langue fr|en, /aide. Une question sur la méthode (« c'est quoi un moment "
              "de vérité ? ») reçoit une réponse sourcée, puis on reprend.",
        "en": "Commands: /next (next phase), /back (previous phase), /skip (next question), /phase ID (go to "
              "a phase: {ids}), /map (map summary), /lint (pitfalls found), /review (assessment), /why (the "
              "reason for the question; /why CODE for a pitfall), /ok (accept the proposal), /no (drop it), /import FILE.csv (customer evidence), /lang fr|en, /help. A "
              "question about the method (\"what is a moment of truth?\") gets a sourced answer, then we go on.",
    },
}


def say(key: str, lang: Lang, **values: Any) -> str:
    return render(_TEXTS, key, lang, **values)
