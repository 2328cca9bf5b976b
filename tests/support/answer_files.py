"""Small answer files shared by the tests and benches that run whole interviews against a faulty server."""

from __future__ import annotations

import re

SHORT_FR = """\
lang: fr
answers:
  framing:
    - "Nous voulons comprendre pourquoi les nouveaux clients appellent le premier mois. C'est une longue histoire."
  stages:
    - "Besoin ; recherche ; commande ; installation ; première facture. C'est une longue histoire."
  touchpoints:
    - "Besoin : le conseil d'un ami au travail. C'est tout ce que je sais."
    - "Recherche : le comparateur en ligne et les avis. C'est tout ce que je sais."
    - "Commande : le site et un e-mail de confirmation. Nous n'avons pas grand-chose d'autre."
    - "Installation : la visite du technicien à domicile. C'est une longue histoire."
    - "Première facture : la facture dans l'espace client et un appel au service client. C'est tout ce que je sais."
  experience:
    - "Installation : Sam attend toute la matinée, il est anxieux, -2. C'est une longue histoire."
  pain_points:
    - "Installation : le créneau d'arrivée du technicien dure cinq heures. C'est tout ce que je sais."
  metrics:
    - "35 % des nouveaux clients appellent pour leur première facture (source : rapport du centre d'appels). Nous n'avons pas grand-chose d'autre."
"""
"""Ten French answers: framing, five stages, a touchpoint per stage, an emotion, a pain point, a metric;
each ends with a sentence no cue word labels, so the model is asked about every answer (the rules read
the rest at once)."""
SHORT_FR_STAGES = ["Besoin", "Recherche", "Commande", "Installation", "Première facture"]


_READ = re.compile(r"\((model|rules|modèle|règles), (\d+[.,]\d+) s\)")


def answer_seconds(output: str) -> list[tuple[str, float]]:
    """From `journeybot interview`'s progress lines, in either language: (who read each answer, "model"
    or "rules"; the seconds it took)."""
    return [("model" if who in ("model", "modèle") else "rules", float(seconds.replace(",", ".")))
            for who, seconds in _READ.findall(output)]
