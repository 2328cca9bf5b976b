"""One deterministic rule per pitfall code (prompts/method/pitfalls.yaml).

Each rule looks at a JourneyMap and returns None (nothing wrong) or a ``Hit``: a message specific
to this map, in the requested language, and the JSON paths of the items concerned. Severity, why,
fix and source come from the catalogue (see ``journeybot.lint.lint``). The thresholds are in each
rule's docstring and in the constants below; the word lists are prompts/method/wordlists.yaml.

Rules are written to stay quiet on a good map: a rule that needs something to judge (stages,
touchpoints, two emotions, pain points, opportunities) says nothing until it is there, and the
phase exit checks (method.gates) report what is simply missing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache

from ..domain.journey_map import JourneyMap, Lang, Stage
from ..i18n import choose, count, format_date, plural, quote, semicolon
from ..method.channels import invisible_words, is_contact, is_offline
from ..text import add_months
from .text import WordList, word_list

MIN_TOUCHPOINTS = 8
"""too-coarse: a map with 7 touchpoints or fewer is too coarse (001 KPAM, criterion 3)."""
TOP_OF_FUNNEL_SHARE = 0.6
"""top-of-funnel-only: fires when 60 % or more of the touchpoints (or of the stages, when there are
no touchpoints yet) sit in discovery/awareness stages."""
REVIEW_MONTHS = 6
"""stale-map: the review date must fall at most 6 months after ``created`` (002)."""
MAX_NAMED = 4
"""How many items a message names before saying "and N more"."""


@dataclass(frozen=True)
class Hit:
    """What a rule found: a specific message and the JSON paths concerned."""

    message: str
    items: list[str] = field(default_factory=list)


Rule = Callable[[JourneyMap, Lang], Hit | None]
RULES: dict[str, Rule] = {}


def rule(code: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        RULES[code] = fn
        return fn

    return register


# --- small helpers -------------------------------------------------------------------------------


def _t(lang: Lang, fr: str, en: str) -> str:
    return choose(lang, fr, en)


def _q(lang: Lang, name: str) -> str:
    return quote(name, lang)


def _more(lang: Lang, rest: int) -> str:
    """' et 3 autres' / ' and 3 more': what a list leaves unnamed."""
    return _t(lang, f" et {rest} {plural(rest, lang, 'autre', 'autres')}", f" and {rest} more")


def _names(lang: Lang, names: Iterable[str]) -> str:
    """'"A", "B" and 3 more' — names quoted, at most MAX_NAMED of them."""
    listed = list(names)
    shown = ", ".join(_q(lang, n) for n in listed[:MAX_NAMED])
    rest = len(listed) - MAX_NAMED
    if rest > 0:
        shown += _more(lang, rest)
    return shown


def _n(lang: Lang, n: int, fr_one: str, fr_many: str, en_one: str, en_many: str) -> str:
    """'1 point de contact', '3 points de contact' — a count with the noun in its real plural."""
    return count(n, lang, (fr_one, fr_many), (en_one, en_many))


UNSPECIFIED_CHANNELS = frozenset({"non précisé", "unspecified"})
"""The channel the interview records when the user's words name none: neither online nor offline."""


def _specified(tp: object) -> bool:
    return str(getattr(tp, "channel", "")).casefold() not in UNSPECIFIED_CHANNELS


def _opps(n: int) -> str:
    return f"{n} opportunity" if n == 1 else f"{n} opportunities"


def _stage_label(lang: Lang, stage: Stage) -> str:
    return _t(lang, f"étape {_q(lang, stage.name)}", f"stage {_q(lang, stage.name)}")


@cache
def _invisible_list() -> WordList:
    """The words of the moments the company does not see: the invisible channels (waiting, word of mouth)."""
    return WordList("invisible_moment", invisible_words())


def _is_after_purchase(stage: Stage) -> bool:
    """After the purchase: lifecycle says so, or (lifecycle unset) the name says so."""
    if stage.lifecycle is not None:
        return stage.lifecycle == "after_purchase"
    return word_list("after_purchase").matches(stage.name)


def _is_offline(online: bool, channel: str) -> bool:
    return is_offline(online, channel)


# --- the rules, in catalogue order ----------------------------------------------------------------


@rule("internal-view")
def internal_view(m: JourneyMap, lang: Lang) -> Hit | None:
    """Fires when no piece of customer evidence backs the map: no evidence item of provenance
    ``customer`` (what the team believes, workshop material and unconfirmed proposals do not count),
    whatever the provenance the team gave other items."""
    if any(e.provenance == "customer" for e in m.evidence):
        return None
    team = [i for i, e in enumerate(m.evidence) if e.provenance == "team"]
    guessed = [i for i, e in enumerate(m.evidence) if e.provenance == "inferred"]
    if team:
        return Hit(
            _t(
                lang,
                f"Ce que la carte dit du client vient de l'équipe : {_n(lang, len(team), 'source citée', 'sources citées', '', '')} "
                "(ateliers, avis internes, hypothèses), aucun entretien, enquête, ticket ou avis de client.",
                f"What the map says about the customer comes from the team: {_n(lang, len(team), '', '', 'source', 'sources')} "
                "cited (workshops, internal opinion, assumptions), no customer interview, survey, ticket or review.",
            ),
            [f"evidence[{i}]" for i in team],
        )
    if guessed:
        return Hit(
            _t(
                lang,
                "La seule « preuve » a été proposée par l'assistant, sans confirmation : aucun entretien, enquête, "
                "ticket ou avis réel.",
                "The only \"evidence\" was proposed by the assistant and never confirmed: no real interview, survey, "
                "ticket or review.",
            ),
            [f"evidence[{i}]" for i in guessed],
        )
    return Hit(_t(
        lang,
        "Rien dans la carte ne vient des clients : aucun entretien, enquête, ticket ou avis n'est enregistré.",
        "Nothing in the map comes from customers: no interview, survey, ticket or review is recorded.",
    ))


@rule("process-not-journey")
def process_not_journey(m: JourneyMap, lang: Lang) -> Hit | None:
    """Fires when a stage name or a touchpoint name holds an internal-process word (word list
    ``internal_process``: funnel states, back-office steps, department names). Descriptions,
    actions and pain points are not scanned: customers may mention a process in their own words."""
    places: list[tuple[int, int | None]] = []  # (stage index, touchpoint index or None), in map order
    texts: list[str] = []
    for si, stage in enumerate(m.stages):
        places.append((si, None))
        texts.append(stage.name)
        for ti, tp in enumerate(stage.touchpoints):
            places.append((si, ti))
            texts.append(tp.name)
    hits = word_list("internal_process").find_each(texts)
    found: list[tuple[str, str]] = []
    for (si, where), hit in zip(places, hits, strict=True):
        if not hit:
            continue
        if where is None:
            name = m.stages[si].name
            found.append((f"stages[{si}]", _t(lang, f"étape {_q(lang, name)}", f"stage {_q(lang, name)}")))
        else:
            name = m.stages[si].touchpoints[where].name
            found.append((f"stages[{si}].touchpoints[{where}]",
                          _t(lang, f"point de contact {_q(lang, name)}", f"touchpoint {_q(lang, name)}")))
    if not found:
        return None
    shown = ", ".join(label for _, label in found[:MAX_NAMED])
    if len(found) > MAX_NAMED:
        shown += _more(lang, len(found) - MAX_NAMED)
    return Hit(
        _t(
            lang,
            plural(len(found), lang, "Nommé", "Nommés") + f" comme un processus interne plutôt que ce que vit le client : {shown}.",
            f"Named after an internal process rather than what the customer lives: {shown}.",
        ),
        [path for path, _ in found],
    )


@rule("too-coarse")
def too_coarse(m: JourneyMap, lang: Lang) -> Hit | None:
    """Fires when the whole map has fewer than MIN_TOUCHPOINTS (8) touchpoints, i.e. 7 or fewer, or
    when a stage has no touchpoint at all (001 criterion 3: no precise touchpoint there)."""
    if not m.stages:
        return None
    count = sum(len(s.touchpoints) for s in m.stages)
    empty = [(i, s) for i, s in enumerate(m.stages) if not s.touchpoints]
    many_empty = bool(empty)
    if count >= MIN_TOUCHPOINTS and not many_empty:
        return None
    parts: list[str] = []
    if count < MIN_TOUCHPOINTS:
        parts.append(_t(
            lang,
            f"{_n(lang, count, 'point de contact', 'points de contact', '', '')} dans toute la carte "
            f"(il en faut au moins {MIN_TOUCHPOINTS})",
            f"{_n(lang, count, '', '', 'touchpoint', 'touchpoints')} in the whole map (at least {MIN_TOUCHPOINTS} needed)",
        ))
    if many_empty:
        parts.append(_t(
            lang,
            f"{_n(lang, len(empty), 'étape', 'étapes', '', '')} sans point de contact : {_names(lang, (s.name for _, s in empty))}",
            f"{_n(lang, len(empty), '', '', 'stage', 'stages')} without a touchpoint: {_names(lang, (s.name for _, s in empty))}",
        ))
    text = semicolon(lang).join(parts)
    return Hit(text[0].upper() + text[1:] + ".", [f"stages[{i}]" for i, _ in empty])


@rule("no-numbers")
def no_numbers(m: JourneyMap, lang: Lang) -> Hit | None:
    """Fires when the map has no metric at all, when no metric says where it comes from, or when most
    of them (more than half, two or more) have no source."""
    metrics = list(m.metrics())
    if not metrics:
        return Hit(_t(
            lang,
            "Aucun chiffre dans la carte : ni volume, ni taux d'abandon, ni satisfaction, ni délai.",
            "No number anywhere in the map: no volume, drop-off rate, satisfaction score or waiting time.",
        ))
    unsourced = [(path, x) for path, x in metrics if not x.source]
    if not unsourced or (len(unsourced) < len(metrics) and (len(unsourced) < 2 or 2 * len(unsourced) <= len(metrics))):
        return None
    return Hit(
        _t(
            lang,
            f"{_n(lang, len(unsourced), 'chiffre', 'chiffres', '', '')} sur {len(metrics)} sans source : "
            f"{_names(lang, (x.name for _, x in unsourced))}.",
            f"{len(unsourced)} of {_n(lang, len(metrics), '', '', 'metric', 'metrics')} have no source: "
            f"{_names(lang, (x.name for _, x in unsourced))}.",
        ),
        [path for path, _ in unsourced],
    )


@rule("no-priorities")
def no_priorities(m: JourneyMap, lang: Lang) -> Hit | None:
    """Fires when no opportunity is recorded, or when none is scored (two scales or more of impact,
    reach, confidence, effort) and no action plan says which comes first."""
    scored = [o for o in m.opportunities if o.scored]
    if scored or (m.opportunities and m.action_plan):
        return None
    if not m.opportunities:
        return Hit(_t(
            lang,
            "Aucune opportunité n'est enregistrée : rien ne dit quoi améliorer en premier.",
            "No opportunity is recorded: nothing says what to improve first.",
        ))
    return Hit(
        _t(
            lang,
            f"{_n(lang, len(m.opportunities), 'opportunité', 'opportunités', '', '')}, aucune notée sur l'impact, "
            "la portée, la confiance et l'effort, et pas de plan d'action : impossible de savoir par où commencer.",
            f"{_opps(len(m.opportunities))}, none scored on impact, reach, confidence and effort, and no action "
            "plan: nothing says where to start.",
        ),
        [f"opportunities[{i}]" for i in range(len(m.opportunities))],
    )


@rule("no-persona")
def no_persona(m: JourneyMap, lang: Lang) -> Hit | None:
    """Fires when there is no persona, or when its whole name is generic (word list
    ``generic_persona``: "le client", "users", ...)."""
    if m.persona is None:
        return Hit(_t(
            lang,
            "La carte n'a pas de persona : on ne sait pas de quel point de vue la lire.",
            "The map has no persona: there is no point of view to read it from.",
        ))
    if word_list("generic_persona").is_exactly(m.persona.name):
        return Hit(
            _t(
                lang,
                f"Le persona {_q(lang, m.persona.name)} est générique : ce n'est pas une personne précise.",
                f"The persona {_q(lang, m.persona.name)} is generic: it is not one precise person.",
            ),
            ["persona"],
        )
    return None


@rule("multiple-personas")
def multiple_personas(m: JourneyMap, lang: Lang) -> Hit | None:
    """Fires when the persona stands for 2 segments or more, or when its name, description,
    context or segments hold a multi-segment marker (word list ``multi_segment``), unless the user
    has already kept one group and set the others aside (``set_aside``)."""
    p = m.persona
    if p is None:
        return None
    if len(p.segments) >= 2:
        return Hit(
            _t(
                lang,
                f"Le persona {_q(lang, p.name)} mélange {len(p.segments)} segments : {_names(lang, p.segments)}.",
                f"The persona {_q(lang, p.name)} mixes {len(p.segments)} segments: {_names(lang, p.segments)}.",
            ),
            ["persona"],
        )
    if p.set_aside:
        return None  # the user kept one group for this map and set the others aside
    words = word_list("multi_segment")
    for text in (p.name, p.description, p.context, *p.segments):
        marker = words.find(text)
        if marker:
            return Hit(
                _t(
                    lang,
                    f"Le persona {_q(lang, p.name)} couvre plusieurs profils ({_q(lang, marker)}).",
                    f"The persona {_q(lang, p.name)} covers several profiles ({_q(lang, marker)}).",
                ),
                ["persona"],
            )
    return None


@rule("online-only")
def online_only(m: JourneyMap, lang: Lang) -> Hit | None:
    """Fires when there are touchpoints and none is offline (``online`` false, or a channel that the
    channel list, prompts/method/channels.yaml, says is offline: phone, store visit, letter, ...). Touchpoints
    whose channel the user did not say (``non précisé`` / ``unspecified``) are not judged."""
    tps = [t for t in m.touchpoints() if _specified(t[3]) and is_contact(t[3].channel)]  # a wait is not a channel
    if not tps or any(_is_offline(tp.online, tp.channel) for *_, tp in tps):
        return None
    channels = sorted({tp.channel for *_, tp in tps}, key=str.casefold)
    return Hit(
        _t(
            lang,
            plural(len(tps), lang, "Le seul point de contact est en ligne", f"Les {len(tps)} points de contact sont tous en ligne")
            + f" (canaux : {_names(lang, channels)}) : "
            "ni téléphone, ni boutique ou agence, ni courrier, ni bouche-à-oreille.",
            plural(len(tps), lang, "The only touchpoint is online", f"All {len(tps)} touchpoints are online")
            + f" (channels: {_names(lang, channels)}): no phone, store "
            "or branch, letter or word of mouth.",
        ),
        [f"stages[{si}].touchpoints[{ti}]" for si, _, ti, _ in tps],
    )


def _is_purchase(stage: Stage) -> bool:
    if stage.lifecycle is not None:
        return stage.lifecycle == "purchase"
    return word_list("purchase").matches(stage.name)


@rule("stops-at-purchase")
def stops_at_purchase(m: JourneyMap, lang: Lang) -> Hit | None:
    """Fires when the map has a purchase stage (lifecycle ``purchase``, or, lifecycle unset, a name from
    list ``purchase``) and no stage after it (lifecycle ``after_purchase``, or a name from list
    ``after_purchase``). Quiet when no stage can be told to be the purchase (the linter cannot judge),
    and when framing.scope is ``specific``: a deliberately narrow journey may end at the purchase."""
    if not m.stages or m.framing.scope == "specific":
        return None
    if any(_is_after_purchase(s) for s in m.stages):
        return None
    if not any(_is_purchase(s) for s in m.stages):
        return None
    last = m.stages[-1]
    return Hit(
        _t(
            lang,
            f"La carte s'arrête à l'{_stage_label(lang, last)} : aucune étape d'utilisation, de support, "
            "de fidélisation ou de recommandation.",
            f"The map ends at {_stage_label(lang, last)}: no use, support, loyalty or recommendation stage.",
        ),
        [f"stages[{len(m.stages) - 1}]"],
    )


@rule("top-of-funnel-only")
def top_of_funnel_only(m: JourneyMap, lang: Lang) -> Hit | None:
    """Fires when TOP_OF_FUNNEL_SHARE (60 %) or more of the touchpoints sit in discovery/awareness
    stages (named from list ``discovery``, lifecycle not purchase/after purchase); counted on the
    stages when there are no touchpoints yet. Quiet when framing.scope is ``specific``."""
    if not m.stages or m.framing.scope == "specific":
        return None
    named = word_list("discovery").find_each([s.name for s in m.stages])
    discovery = [(i, s) for i, s in enumerate(m.stages)
                 if named[i] and s.lifecycle not in ("purchase", "after_purchase")]
    if not discovery:
        return None
    total = sum(len(s.touchpoints) for s in m.stages)
    in_discovery = sum(len(s.touchpoints) for _, s in discovery)
    share = in_discovery / total if total else len(discovery) / len(m.stages)
    if share < TOP_OF_FUNNEL_SHARE:
        return None
    percent = round(share * 100)
    return Hit(
        _t(
            lang,
            f"{percent} % de la carte porte sur la découverte ({_names(lang, (s.name for _, s in discovery))}) ; "
            "considération, comparaison et fidélisation sont à peine décrites.",
            f"{percent} % of the map is about discovery ({_names(lang, (s.name for _, s in discovery))}); "
            "consideration, comparison and loyalty are barely described.",
        ),
        [f"stages[{i}]" for i, _ in discovery],
    )


@rule("no-emotions")
def no_emotions(m: JourneyMap, lang: Lang) -> Hit | None:
    """Fires when the map has stages and none of them records an emotion."""
    if not m.stages or any(s.emotion is not None for s in m.stages):
        return None
    return Hit(
        _t(
            lang,
            plural(len(m.stages), lang, "L'étape n'a pas d'émotion", f"Aucune des {len(m.stages)} étapes n'a d'émotion")
            + " : la courbe émotionnelle est vide.",
            plural(len(m.stages), lang, "The one stage records no emotion", f"None of the {len(m.stages)} stages records an emotion")
            + ": the emotion curve is empty.",
        ),
        [f"stages[{i}]" for i in range(len(m.stages))],
    )


@rule("flat-or-only-positive")
def flat_or_only_positive(m: JourneyMap, lang: Lang) -> Hit | None:
    """Fires when at least 2 stages have an emotion and the scores are all equal, or none is
    negative (below 0)."""
    scored = [(i, s) for i, s in enumerate(m.stages) if s.emotion is not None]
    if len(scored) < 2:
        return None
    scores = [s.emotion.score for _, s in scored if s.emotion is not None]
    curve = ", ".join(f"{s.name} {s.emotion.score:+d}" for _, s in scored[:6] if s.emotion is not None)
    if len(scored) > 6:
        curve += ", ..."
    paths = [f"stages[{i}].emotion" for i, _ in scored]
    if len(set(scores)) == 1:
        return Hit(
            _t(
                lang,
                f"La courbe émotionnelle est plate : toutes les émotions valent {scores[0]:+d} ({curve}).",
                f"The emotion curve is flat: every emotion is {scores[0]:+d} ({curve}).",
            ),
            paths,
        )
    if min(scores) >= 0:
        return Hit(
            _t(
                lang,
                f"Aucune émotion négative sur {len(scores)} étapes ({curve}) : aucun doute, attente ni agacement ?",
                f"No negative emotion across {len(scores)} stages ({curve}): no doubt, waiting or annoyance?",
            ),
            paths,
        )
    return None


@rule("no-owners")
def no_owners(m: JourneyMap, lang: Lang) -> Hit | None:
    """Fires when the touchpoints the company runs (ownership ``owned``, not an invisible moment, channel
    said) mostly have no owner team: none has one, or more than half of them (three or more) have none.
    Partner and third-party touchpoints need none."""
    run = [(si, ti, tp) for si, stage in enumerate(m.stages) for ti, tp in enumerate(stage.touchpoints)
           if tp.ownership == "owned" and not tp.invisible and _specified(tp)]
    missing = [(si, ti, tp) for si, ti, tp in run if not tp.owner]
    if not missing or (len(missing) < len(run) and (len(missing) < 3 or 2 * len(missing) <= len(run))):
        return None
    return Hit(
        _t(
            lang,
            f"{_n(lang, len(missing), 'point de contact', 'points de contact', '', '')} sur {len(run)} sans équipe "
            f"responsable : {_names(lang, (tp.name for *_, tp in missing))}.",
            f"{len(missing)} of {_n(lang, len(run), '', '', 'touchpoint', 'touchpoints')} without an owning team: "
            f"{_names(lang, (tp.name for *_, tp in missing))}.",
        ),
        [f"stages[{si}].touchpoints[{ti}]" for si, ti, _ in missing],
    )


@rule("only-pains")
def only_pains(m: JourneyMap, lang: Lang) -> Hit | None:
    """Fires when the map has pain points but no positive moment anywhere and no opportunity with
    the lever ``surprise``."""
    pains = [(si, pi) for si, s in enumerate(m.stages) for pi in range(len(s.pain_points))]
    if not pains:
        return None
    if any(s.positives for s in m.stages) or any(o.lever == "surprise" for o in m.opportunities):
        return None
    return Hit(
        _t(
            lang,
            f"{_n(lang, len(pains), 'irritant', 'irritants', '', '')} mais aucun moment positif ni opportunité de surprendre : "
            "la carte ne dit pas sur quoi s'appuyer.",
            f"{_n(lang, len(pains), '', '', 'pain point', 'pain points')} but no positive moment and no opportunity to delight: the map "
            "does not say what to build on.",
        ),
        [f"stages[{si}].pain_points[{pi}]" for si, pi in pains],
    )


def _invisible_texts(m: JourneyMap) -> Iterable[str | None]:
    for stage in m.stages:
        for tp in stage.touchpoints:
            yield tp.name
            yield tp.channel
            yield tp.description
        for note in (*stage.actions, *stage.thoughts):
            yield note.text
        for pain in stage.pain_points:
            yield pain.text
        for metric in stage.metrics:
            yield metric.name


@rule("invisible-moments")
def invisible_moments(m: JourneyMap, lang: Lang) -> Hit | None:
    """Fires when the map has stages and nowhere shows a moment the company does not see: no
    touchpoint marked ``invisible`` or run by a third party, and no waiting/delay/word-of-mouth
    word (the invisible channels of prompts/method/channels.yaml) in touchpoints, actions, thoughts,
    pain points or metric names."""
    if not m.stages:
        return None
    if any(tp.invisible or tp.ownership == "third_party" for s in m.stages for tp in s.touchpoints):
        return None
    if _invisible_list().in_any(_invisible_texts(m)):
        return None
    return Hit(_t(
        lang,
        f"Aucun moment invisible sur {plural(len(m.stages), lang, 'la seule étape', f'les {len(m.stages)} étapes')} : ni attente ou délai, ni avis d'un proche, "
        "ni forum ou autre tiers.",
        f"No invisible moment across {plural(len(m.stages), lang, 'the one stage', f'the {len(m.stages)} stages')}: no waiting or delay, no friend's advice, "
        "no forum or other third party.",
    ))


@rule("existing-touchpoints-audit")
def existing_touchpoints_audit(m: JourneyMap, lang: Lang) -> Hit | None:
    """Fires when there are two opportunities or more and none transforms the journey: no opportunity of
    kind ``innovate`` and none with the lever ``hidden`` or ``surprise`` (a touchpoint to create, bring to
    light or make delightful). (With no opportunity at all, no-priorities speaks instead.)"""
    if len(m.opportunities) < 2:
        return None
    if any(o.kind == "innovate" or o.lever in ("hidden", "surprise") for o in m.opportunities):
        return None
    return Hit(
        _t(
            lang,
            f"Les {len(m.opportunities)} opportunités ne font que réparer ou optimiser l'existant : aucune "
            "n'innove ni ne crée un point de contact nouveau.",
            f"The {_opps(len(m.opportunities))} only fix or optimise what exists: none innovates "
            "or creates a new touchpoint.",
        ),
        [f"opportunities[{i}]" for i in range(len(m.opportunities))],
    )


@rule("no-action-plan")
def no_action_plan(m: JourneyMap, lang: Lang) -> Hit | None:
    """Fires when the action plan is empty, or when no action has an owner."""
    if not m.action_plan:
        return Hit(_t(
            lang,
            "Le plan d'action est vide : la carte ne débouche sur aucune action.",
            "The action plan is empty: the map leads to no action.",
        ))
    if any(a.owner for a in m.action_plan):
        return None
    incomplete = [(i, a) for i, a in enumerate(m.action_plan) if not a.owner]
    if not incomplete:
        return None
    return Hit(
        _t(
            lang,
            f"Aucune des {_n(lang, len(incomplete), 'action', 'actions', '', '')} n'a de responsable : "
            f"{_names(lang, (a.action for _, a in incomplete))}.",
            f"None of the {_n(lang, len(incomplete), '', '', 'action', 'actions')} has an owner: "
            f"{_names(lang, (a.action for _, a in incomplete))}.",
        ),
        [f"action_plan[{i}]" for i, _ in incomplete],
    )


@rule("stale-map")
def stale_map(m: JourneyMap, lang: Lang) -> Hit | None:
    """Fires when review_date is missing, before ``created``, or more than REVIEW_MONTHS (6)
    months after ``created``. (Whether the date has passed is not judged: lint does not read the
    clock, so the same map always gives the same findings.)"""
    if m.review_date is None:
        return Hit(_t(
            lang,
            "Aucune date de révision n'est prévue.",
            "No review date is planned.",
        ), ["review_date"])
    limit = add_months(m.created, REVIEW_MONTHS)
    if m.review_date < m.created:
        return Hit(_t(
            lang,
            f"La date de révision ({format_date(m.review_date, lang)}) précède la création de la carte "
            f"({format_date(m.created, lang)}).",
            f"The review date ({format_date(m.review_date, lang)}) is before the map was created "
            f"({format_date(m.created, lang)}).",
        ), ["review_date"])
    if m.review_date > limit:
        return Hit(_t(
            lang,
            f"Révision prévue le {format_date(m.review_date, lang)}, plus de {REVIEW_MONTHS} mois après la création "
            f"({format_date(m.created, lang)}) : au plus tard le {format_date(limit, lang)}.",
            f"Review planned on {format_date(m.review_date, lang)}, more than {REVIEW_MONTHS} months after creation "
            f"({format_date(m.created, lang)}): {format_date(limit, lang)} at the latest.",
        ), ["review_date"])
    return None


@rule("fuzzy-boundaries")
def fuzzy_boundaries(m: JourneyMap, lang: Lang) -> Hit | None:
    """Fires when framing.start or framing.end is missing."""
    missing = [name for name, value in (("start", m.framing.start), ("end", m.framing.end)) if not value]
    if not missing:
        return None
    if len(missing) == 2:
        text = _t(lang, "Ni le début ni la fin du parcours ne sont définis.",
                  "Neither the start nor the end of the journey is defined.")
    elif missing == ["start"]:
        text = _t(lang, "Le début du parcours (son déclencheur) n'est pas défini.",
                  "The start of the journey (its trigger) is not defined.")
    else:
        text = _t(lang, "La fin du parcours (le résultat pour le client) n'est pas définie.",
                  "The end of the journey (the outcome for the customer) is not defined.")
    return Hit(text, [f"framing.{name}" for name in missing])


@rule("invented-data")
def invented_data(m: JourneyMap, lang: Lang) -> Hit | None:
    """Fires when the map shows unconfirmed AI-made facts: a metric, an emotion, an evidence item,
    a thought (the customer's words) or a moment of truth's evidence with provenance ``inferred``.
    (Inferred stages, touchpoints or opportunities are proposals, not facts, and do not fire.)"""
    found: list[tuple[str, str]] = []
    for i, ev in enumerate(m.evidence):
        if ev.provenance == "inferred":
            found.append((f"evidence[{i}]", _t(lang, "preuve", "evidence") + f" {_q(lang, _short(ev.text))}"))
    for si, stage in enumerate(m.stages):
        if stage.emotion is not None and stage.emotion.provenance == "inferred":
            found.append((f"stages[{si}].emotion", _t(lang, f"émotion de l'{_stage_label(lang, stage)}",
                                                      f"emotion of {_stage_label(lang, stage)}")))
        for mi, metric in enumerate(stage.metrics):
            if metric.provenance == "inferred":
                found.append((f"stages[{si}].metrics[{mi}]", _t(lang, "chiffre", "metric") + f" {_q(lang, metric.name)}"))
        for ti, thought in enumerate(stage.thoughts):
            if thought.provenance == "inferred":
                found.append((f"stages[{si}].thoughts[{ti}]",
                              _t(lang, "pensée", "thought") + f" {_q(lang, _short(thought.text))}"))
    for i, moment in enumerate(m.moments_of_truth):
        if moment.provenance == "inferred" and moment.evidence:
            found.append((f"moments_of_truth[{i}]", _t(lang, "moment de vérité", "moment of truth")
                          + f" {_q(lang, moment.name)}"))
    if not found:
        return None
    shown = ", ".join(label for _, label in found[:MAX_NAMED])
    if len(found) > MAX_NAMED:
        shown += _more(lang, len(found) - MAX_NAMED)
    return Hit(
        _t(
            lang,
            plural(len(found), lang, "1 élément proposé par l'assistant et non confirmé est présenté comme un fait",
                   f"{len(found)} éléments proposés par l'assistant et non confirmés sont présentés comme des faits")
            + f" : {shown}.",
            plural(len(found), lang, "1 item proposed by the assistant and not confirmed is shown as a fact",
                   f"{len(found)} items proposed by the assistant and not confirmed are shown as facts")
            + f": {shown}.",
        ),
        [path for path, _ in found],
    )


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
