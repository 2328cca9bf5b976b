"""A realistic example map (French, a bank account opened online) and a synthetic large one.

Used by the export tests, the benchmark (bench/bench_export.py) and anyone who wants to see what an
export looks like before their own map is ready: ``sample_map()`` is a complete map with every lane,
provenance of all three kinds, moments of truth, scored and unscored opportunities and actions.
"""

from __future__ import annotations

import datetime as dt

from ..domain.journey_map import JourneyMap

_ITEM_LISTS = ("stages", "touchpoints", "actions", "thoughts", "expectations", "pain_points", "positives",
               "metrics", "evidence", "moments_of_truth", "opportunities", "action_plan")


def _with_ids(data: dict[str, object], prefix: str = "x") -> dict[str, object]:
    """Give every item without an id a stable one (x-1, x-2…), so the sample is the same every time."""
    counter = 0

    def walk(node: object) -> None:
        nonlocal counter
        if isinstance(node, dict):
            for key, value in node.items():
                if key in _ITEM_LISTS and isinstance(value, list):
                    for child in value:
                        if isinstance(child, dict) and "id" not in child:
                            counter += 1
                            child["id"] = f"{prefix}-{counter}"
                walk(value)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(data)
    return data


def sample_map() -> JourneyMap:
    """A complete French map: opening a bank account online, seven stages before and after purchase."""
    stages = [
        dict(
            id="st-decouverte", name="Je cherche une banque moins chère", lifecycle="before_purchase",
            touchpoints=[
                dict(id="tp-bouche", name="Conseil d'une collègue", channel="bouche-à-oreille",
                           online=False, ownership="third_party", invisible=True, provenance="customer"),
                dict(id="tp-comparateur", name="Comparateur de frais bancaires", channel="site comparateur",
                           online=True, ownership="third_party", owner="Marketing"),
            ],
            actions=[dict(text="Compare les frais de tenue de compte")],
            thoughts=[dict(text="« Je paie trop pour ce que j'utilise »", provenance="customer")],
            emotion=dict(score=-1, label="agacée", provenance="customer"),
            expectations=[dict(text="Des frais clairs, sans surprise")],
            pain_points=[dict(id="pp-frais", text="Grilles tarifaires illisibles", effort="cognitive",
                                   touchpoint="Comparateur de frais bancaires", provenance="customer")],
            metrics=[dict(name="Part des clients venus par recommandation", value=31, unit="%",
                            source="enquête d'entrée 2026", touchpoint="Conseil d'une collègue")],
        ),
        dict(
            id="st-comparaison", name="Je compare deux offres", lifecycle="before_purchase",
            touchpoints=[
                dict(id="tp-site", name="Page tarifs du site", channel="site web", online=True,
                           owner="Marketing digital"),
                dict(id="tp-avis", name="Avis Google", channel="site d'avis", online=True,
                           ownership="third_party", provenance="inferred"),
            ],
            thoughts=[dict(text="Est-ce que je vais perdre du temps ?", provenance="inferred")],
            emotion=dict(score=0, label="prudente"),
            pain_points=[dict(text="Frais cachés découverts en bas de page", kind="dissonance",
                                   touchpoint="Page tarifs du site")],
            positives=[dict(text="Simulateur de frais simple")],
        ),
        dict(
            id="st-souscription", name="J'ouvre mon compte en ligne", lifecycle="purchase",
            touchpoints=[
                dict(id="tp-formulaire", name="Formulaire d'ouverture", channel="application mobile",
                           online=True, owner="Produit"),
                dict(id="tp-justif", name="Envoi des justificatifs", channel="application mobile",
                           online=True, owner="Back-office conformité"),
                dict(id="tp-attente", name="Attente de validation du dossier", channel="aucun contact",
                           online=False, invisible=True, owner="Back-office conformité"),
            ],
            actions=[dict(text="Photographie sa pièce d'identité"), dict(text="Signe électroniquement")],
            emotion=dict(score=-2, label="inquiète", provenance="customer"),
            expectations=[dict(text="Savoir où en est son dossier")],
            pain_points=[
                dict(id="pp-attente", text="Cinq jours sans nouvelles après l'envoi des pièces",
                          effort="emotional", touchpoint="Attente de validation du dossier", severity=3,
                          provenance="customer"),
                dict(text="Justificatif refusé sans explication", effort="digital",
                          touchpoint="Envoi des justificatifs"),
            ],
            metrics=[
                dict(name="Abandon du formulaire", value=38.5, unit="%", source="analytics app, T3 2026",
                       touchpoint="Formulaire d'ouverture"),
                dict(name="Délai médian de validation", value=5, unit="jours", source="outil back-office"),
            ],
        ),
        dict(
            id="st-carte", name="Je reçois ma carte", lifecycle="after_purchase",
            touchpoints=[
                dict(id="tp-courrier", name="Courrier avec la carte", channel="courrier", online=False,
                           ownership="partner", owner="Logistique"),
                dict(id="tp-sms", name="SMS d'activation", channel="SMS", online=True, owner="CRM"),
            ],
            emotion=dict(score=1, label="soulagée"),
            positives=[dict(text="Carte arrivée avant la date annoncée", provenance="customer")],
        ),
        dict(
            id="st-usage", name="J'utilise mon compte au quotidien", lifecycle="after_purchase",
            touchpoints=[
                dict(id="tp-app", name="Application mobile", channel="application mobile", online=True,
                           owner="Produit"),
            ],
            emotion=dict(score=2, label="contente"),
            positives=[dict(text="Notifications de paiement instantanées")],
            metrics=[dict(name="Note de l'application", value=4.6, unit="/5", source="App Store, nov. 2026")],
        ),
        dict(
            id="st-support", name="J'ai un problème de carte bloquée", lifecycle="after_purchase",
            touchpoints=[
                dict(id="tp-tel", name="Service client par téléphone", channel="téléphone", online=False,
                           owner="Service client"),
                dict(id="tp-chat", name="Chat dans l'application", channel="chat", online=True,
                           owner="Service client", provenance="inferred"),
            ],
            emotion=dict(score=-2, label="furieuse", provenance="customer"),
            pain_points=[dict(id="pp-tel", text="Vingt minutes d'attente au téléphone", effort="physical",
                                   touchpoint="Service client par téléphone", provenance="customer")],
            metrics=[dict(name="Temps d'attente moyen", value=19.5, unit="min",
                            source="centre d'appels, oct. 2026", touchpoint="Service client par téléphone")],
        ),
        dict(
            id="st-reco", name="Je recommande (ou pas) ma banque", lifecycle="after_purchase",
            touchpoints=[
                dict(id="tp-parrainage", name="Programme de parrainage", channel="application mobile",
                           online=True, owner="Marketing"),
            ],
            emotion=dict(score=1, label="fière de son choix"),
            metrics=[dict(name="NPS", value=32, unit="", source="enquête NPS trimestrielle")],
        ),
    ]
    return JourneyMap.model_validate(_with_ids(dict(
        title="Ouvrir un compte bancaire en ligne",
        lang="fr",
        created=dt.date(2026, 9, 15),
        framing=dict(
            objective="Réduire les abandons à l'ouverture de compte",
            business_question="Pourquoi 38 % des prospects abandonnent-ils avant la validation ?",
            journey="Ouverture de compte", scope="specific",
            start="La cliente pense à changer de banque", end="Elle recommande la banque à un proche",
            team=["Marketing", "Produit", "Service client"], deliverable="Carte partagée et plan d'action",
        ),
        persona=dict(
            id="persona-claire", name="Claire, 34 ans, infirmière",
            context="Horaires décalés, gère ses comptes sur mobile",
            goals=["Payer moins de frais", "Tout faire depuis son téléphone"],
            motivations=["money", "comfort"],
            frustrations=["Les agences fermées quand elle est libre"],
            trigger="Une hausse des frais de sa banque actuelle",
            information_sources=["collègues", "comparateurs"],
            objections=["Peur de perdre du temps pendant le transfert"],
        ),
        evidence=[
            dict(id="ev-1", kind="interview", text="J'ai attendu cinq jours sans savoir si mon dossier était bon.",
                         source="entretien n°3", date=dt.date(2026, 9, 2), links=["pp-attente"]),
            dict(id="ev-2", kind="review", text="20 minutes d'attente pour débloquer ma carte, inadmissible.",
                         source="Avis Google", score=2, links=["pp-tel"]),
        ],
        stages=stages,
        moments_of_truth=[
            dict(name="Validation du dossier", kind="FMOT", stage="J'ouvre mon compte en ligne",
                          why="La cliente décide de rester ou d'abandonner", evidence="38,5 % d'abandon"),
            dict(name="Carte bloquée", kind="SMOT", stage="J'ai un problème de carte bloquée",
                          why="Le premier incident décide de la confiance"),
        ],
        opportunities=[
            dict(id="op-suivi", text="Suivi du dossier en temps réel dans l'application", kind="fix",
                        lever="simplify", stage="J'ouvre mon compte en ligne",
                        impact=5, reach=4, confidence=4, effort=2),
            dict(id="op-rappel", text="Rappel automatique au lieu de l'attente téléphonique", kind="optimise",
                        stage="J'ai un problème de carte bloquée", impact=4, reach=2, confidence=4, effort=3),
            dict(id="op-tarifs", text="Grille tarifaire en une page", kind="fix", lever="simplify",
                        stage="Je compare deux offres", impact=3, reach=5, confidence=3, effort=1),
            dict(id="op-bienvenue", text="Surprise de bienvenue à la réception de la carte", kind="innovate",
                        lever="surprise", stage="Je reçois ma carte", impact=3),
        ],
        action_plan=[
            dict(action="Afficher l'état du dossier dans l'app", owner="Produit", kpi="Taux d'abandon < 25 %",
                   due=dt.date(2027, 1, 31), opportunity="op-suivi"),
            dict(action="Mettre en place le rappel automatique", owner="Service client",
                   kpi="Attente < 5 min", due=dt.date(2027, 3, 31), opportunity="op-rappel"),
            dict(action="Réécrire la page tarifs", owner="Marketing", kpi="Taux de clic sur « ouvrir »",
                   opportunity="op-tarifs"),
            dict(action="Former l'équipe aux nouveaux scripts", owner="Service client"),
        ],
        review_date=None,
    )))


def large_map(n_stages: int = 500, touchpoints_per_stage: int = 3) -> JourneyMap:
    """A synthetic map of ``n_stages`` stages (for the benchmark): every lane filled, ids stable."""
    base = sample_map()
    stages: list[dict[str, object]] = []
    for si in range(n_stages):
        tps = [
            dict(id=f"tp-{si}-{ti}", name=f"Point de contact {si}.{ti} – « guillemets » & <balises>",
                       channel=("téléphone", "site web", "agence", "courrier")[ti % 4], online=ti % 2 == 0,
                       ownership=("owned", "partner", "third_party")[ti % 3], owner=f"Équipe {ti}",
                       provenance=("customer", "team", "inferred")[(si + ti) % 3])
            for ti in range(touchpoints_per_stage)
        ]
        stages.append(
            dict(
                id=f"st-{si}", name=f"Étape {si} : le client avance", touchpoints=tps,
                actions=[dict(text=f"Action {si}")], thoughts=[dict(text=f"Pensée {si}")],
                emotion=dict(score=(si % 5) - 2, label="ressenti"),
                expectations=[dict(text=f"Attente {si}")],
                pain_points=[dict(text=f"Irritant {si}", touchpoint=tps[0]["name"])],
                positives=[dict(text=f"Point positif {si}")],
                metrics=[dict(name=f"Mesure {si}", value=si * 1.5, unit="%", source="analytics",
                                touchpoint=tps[-1]["name"])],
            )
        )
    opportunities = [
        dict(id=f"op-{i}", text=f"Opportunité {i}", stage=stages[i % n_stages]["name"],
                    impact=1 + i % 5, reach=1 + (i * 2) % 5, confidence=1 + (i * 3) % 5, effort=1 + (i * 4) % 5)
        for i in range(max(1, n_stages // 5))
    ]
    actions = [dict(action=f"Action du plan {i}", owner="Produit", opportunity=o["id"])
               for i, o in enumerate(opportunities)]
    data = base.model_dump(mode="json")
    data.update(title=f"Carte synthétique de {n_stages} étapes", stages=stages, opportunities=opportunities,
                action_plan=actions, moments_of_truth=[])
    return JourneyMap.model_validate(_with_ids(data, "g"))
