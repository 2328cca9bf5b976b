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
    "reading_head": {"fr": "Comment j'ai lu votre dernière réponse :", "en": "How I read your last answer:"},
    "reading.model_label": {"fr": "le modèle a classé « {part} » : {label}{stage}",
                            "en": "the model labelled '{part}': {label}{stage}"},
    "reading.not_users_words": {"fr": "ce qui n'était pas vos mots a été marqué déduit ({change} : {fields})",
                                "en": "what was not your words was marked inferred ({change}: {fields})"},
    "reading.dropped_fields": {"fr": "écarté car ce n'étaient pas vos mots ({change} : {fields})",
                               "en": "dropped as not your words ({change}: {fields})"},
    "reading.model_fallback": {"fr": "lecture par règles, le modèle n'ayant pas répondu utilement ({why})",
                               "en": "read by rules, the model gave no usable reply ({why})"},
    "reading.none": {"fr": "rien à signaler : tout vient de vos mots.", "en": "nothing to report: all of it is your words."},
    "moved_on": {
        "fr": "Votre réponse couvre déjà la question que je venais de poser : je passe à la suite.",
        "en": "Your answer already covers the question I had just asked: moving on.",
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
    "usage": {"fr": "Utilisation : {usage}", "en": "Usage: {usage}"},
    "undone": Plural(fr=("Proposition reprise : son élément a quitté la carte et attend de nouveau (Ctrl+Y pour "
                         "l'accepter, Ctrl+D pour l'écarter).",
                         "Proposition reprise : ses {n} éléments ont quitté la carte et attendent de nouveau (Ctrl+Y "
                         "pour les accepter, Ctrl+D pour les écarter)."),
                     en=("Proposal taken back: its item left the map and waits again (Ctrl+Y to accept it, Ctrl+D "
                         "to drop it).",
                         "Proposal taken back: its {n} items left the map and wait again (Ctrl+Y to accept them, "
                         "Ctrl+D to drop them).")),
    "undo_nothing": {"fr": "Rien à reprendre : aucune proposition acceptée dans cette conversation.",
                     "en": "Nothing to take back: no proposal accepted in this conversation."},
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
    "not_yet": {"fr": "Pas encore jugé, ses phases sont encore à venir : {codes}.",
                "en": "Not judged yet, their phases are still ahead: {codes}."},
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
    "help_method": {
        "fr": "Une question sur la méthode (« c'est quoi un moment de vérité ? ») reçoit une réponse sourcée, "
              "puis on reprend.",
        "en": "A question about the method (\"what is a moment of truth?\") gets a sourced answer, then we go on.",
    },
}


NAMES: dict[str, tuple[str, str]] = {
    # what a span was read as (reading.LABELS), and the fields and changes a note names: in the user's words
    "objective": ("objectif", "objective"), "question": ("question business", "business question"),
    "journey": ("parcours", "journey"), "start": ("début du parcours", "start of the journey"),
    "end": ("fin du parcours", "end of the journey"), "team": ("équipe", "team"),
    "deliverable": ("livrable", "deliverable"), "other": ("autre chose", "something else"),
    "who": ("qui est le persona", "who the persona is"), "context": ("contexte", "context"),
    "goal": ("objectif du persona", "persona's goal"), "frustration": ("frustration", "frustration"),
    "objection": ("objection", "objection"), "trigger": ("déclencheur", "trigger"),
    "mood": ("état d'esprit", "state of mind"), "motive": ("motivation", "motive"),
    "source": ("source d'information", "information source"), "customer": ("matière client", "customer material"),
    "quote": ("verbatim", "quote"), "internal": ("matière interne", "internal material"), "stage": ("étape", "stage"),
    "touchpoint": ("point de contact", "touchpoint"), "action": ("action", "action"), "thought": ("pensée", "thought"),
    "feeling": ("émotion", "feeling"), "expectation": ("attente", "expectation"), "pain": ("irritant", "pain point"),
    "positive": ("moment positif", "positive moment"), "moment": ("moment de vérité", "moment of truth"),
    "metric": ("chiffre", "metric"), "owner": ("responsable", "owner"), "opportunity": ("opportunité", "opportunity"),
    "scores": ("notes", "scores"), "review": ("date de révision", "review date"), "name": ("nom", "name"),
    "description": ("description", "description"), "state_of_mind": ("état d'esprit", "state of mind"),
    "goals": ("objectifs", "goals"), "frustrations": ("frustrations", "frustrations"),
    "objections": ("objections", "objections"), "information_sources": ("sources d'information", "information sources"),
    "segments": ("segments", "segments"), "business_question": ("question business", "business question"),
    "text": ("texte", "text"), "value": ("valeur", "value"), "score": ("note", "score"), "date": ("date", "date"),
    "label": ("émotion", "feeling"), "kpi": ("indicateur", "KPI"), "channel": ("canal", "channel"),
    "set_framing": ("cadrage", "framing"), "set_persona": ("persona", "persona"), "add_stage": ("étape", "stage"),
    "add_touchpoint": ("point de contact", "touchpoint"), "set_emotion": ("émotion", "feeling"),
    "add_note": ("note d'étape", "stage note"), "add_pain_point": ("irritant", "pain point"),
    "add_metric": ("chiffre", "metric"), "set_owner": ("responsable", "owner"),
    "add_moment_of_truth": ("moment de vérité", "moment of truth"), "add_opportunity": ("opportunité", "opportunity"),
    "score_opportunity": ("notes d'opportunité", "opportunity scores"), "add_action": ("action", "action"),
    "set_review_date": ("date de révision", "review date"), "add_evidence": ("preuve", "evidence"),
}


def name_of(key: str, lang: Lang) -> str:
    """A label, field or change id in the user's words ("start" → « début du parcours »)."""
    names = NAMES.get(key)
    return key if names is None else names[0 if lang == "fr" else 1]


def reading_lines(notes: list[Any], lang: Lang) -> list[str]:
    """The notes of a reading (proposal.ReadingNote) as lines in the user's language."""
    out = []
    for note in notes:
        values = dict(note.values)
        if "stage" in values:
            values["stage"] = f" ({values['stage']})" if values["stage"] else ""
        for key in ("label", "change"):
            if key in values:
                values[key] = name_of(values[key], lang)
        if "fields" in values:
            values["fields"] = ", ".join(name_of(f.strip(), lang) for f in values["fields"].split(","))
        out.append(say(f"reading.{note.key}", lang, **values))
    return out


def say(key: str, lang: Lang, **values: Any) -> str:
    return render(_TEXTS, key, lang, **values)
