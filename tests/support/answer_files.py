"""Small answer files shared by the tests and benches that run whole interviews against a faulty server."""

from __future__ import annotations

SHORT_FR = """\
lang: fr
answers:
  framing:
    - "Nous voulons comprendre pourquoi les nouveaux clients appellent le premier mois."
  stages:
    - "Besoin ; recherche ; commande ; installation ; première facture"
  touchpoints:
    - "Besoin : le conseil d'un ami au travail."
    - "Recherche : le comparateur en ligne et les avis."
    - "Commande : le site et un e-mail de confirmation."
    - "Installation : la visite du technicien à domicile."
    - "Première facture : la facture dans l'espace client et un appel au service client."
  experience:
    - "Installation : Sam attend toute la matinée, il est anxieux, -2."
  pain_points:
    - "Installation : le créneau d'arrivée du technicien dure cinq heures."
  metrics:
    - "35 % des nouveaux clients appellent pour leur première facture (source : rapport du centre d'appels)."
"""
"""Ten French answers: framing, five stages, a touchpoint per stage, an emotion, a pain point, a metric."""
SHORT_FR_STAGES = ["Besoin", "Recherche", "Commande", "Installation", "Première facture"]
