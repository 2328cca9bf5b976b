"""The rule-based reader: labels the spans of one answer with the words they hold, without any model.

Used by backend "none" (guided mode), as the deterministic first reading of every answer (it takes
milliseconds: the next question is chosen after it), and beside the model's labels. The segmenter
(``segment.py``) cuts the answer; here each span gets what it is in the phase (an objective, where
the journey starts, a stage, a touchpoint on the stage it names, a feeling with its sign...), from cue
words in French and English (prompts/interview/wordlists.yaml) and, when no word says it, from the
question the answer replies to. ``reading.build`` then turns the labels into changes whose values
are the user's own words.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import replace

from ..domain.journey_map import JourneyMap, Lang, Stage
from ..method.channels import find_channel
from ..text import Span, cap, fold, sentence_spans
from ..text.numbers import int_said
from . import words
from .engine import Question
from .framing import END as _END
from .framing import START as _START
from .framing import asks_a_question, from_to, objective_score
from .plans import digits, has_scores, is_review, looks_like_action
from .proposal import Proposal
from .reading import Context, Labelled, build, stem, words_of
from .segment import (
    CALL_IT,
    FORGOT_CUE,
    RESTART,
    STAGE_NUMBER,
    ListBlock,
    apply_edits,
    corrections,
    find_item,
    ordinal_item,
    segment,
    split_head,
)
from .words import emotion_score, lifecycle_of, warm_up

MAX_RULES_CHARS = 20_000

_OBJECTIVE = re.compile(r"\b(?:pourquoi|comprendre|objectif|objectifs|but|buts|voulons|voudrions|veut|voudrait|cherchons|"
                        r"cherche a|reduire|ameliorer|augmenter|diminuer|savoir|decouvrir|identifier|trouver|trancher|"
                        r"why|understand|goal|goals|aim|aims|want|wants|reduce|improve|increase|decrease|decide|"
                        r"figure out|find out|learn|identify|see where|see why|enjeu|challenge|probleme|problem|"
                        r"perdons|perd|losing|lose|churn)\b")
_QUESTION = re.compile(r"\?|\b(?:la question (?:business |metier )?(?:est|c'est|:)|the (?:business )?questions? (?:is|are|:)|"
                       r"question business|business question|on se demande|we wonder|we're asking)")
_JOURNEY_CUE = re.compile(r"\b(?:parcours|journey|on cartographie|nous cartographions|we map|we're mapping|we are mapping|"
                          r"cartographier le|map the)\b")
_TEAM_CUE = re.compile(r"\b(?:equipe|equipes|team|teams|travaill\w*|work(?:s|ing)? on|avec moi|with me|"
                       r"on est \w+|nous sommes \w+|we are \w+ of us|there are \w+ of us|moi et|me and|et moi|"
                       r"and me|and i|avec (?:mon|ma|mes|le|la|les|l')|with (?:my|the|our))\b")
_DELIVERABLE_CUE = re.compile(r"\b(?:livrable|livrables|deliverable|deliverables|on attend|nous attendons|attendu|attendue|"
                              r"we expect|expected|a la fin|at the end of (?:this|it|the work)|en sortie|as an output|"
                              r"output|restitution|presentation|deck|rapport|report|une carte|a map|un plan|a plan|"
                              r"plan d'action|action plan|roadmap|feuille de route)\b")
_DONT_KNOW = re.compile(r"^\W*(?:je ne sais pas|je sais pas|aucune idee|pas d'idee|no idea|i don't know|i do not know|"
                        r"don't know|dunno|not sure|on ne sait pas|we don't know|hard to say|difficile a dire)\W*$")


def is_dont_know(text: str) -> bool:
    """True for an answer that only says the user does not know."""
    return _dont_know(text)


def _dont_know(text: str) -> bool:
    return _DONT_KNOW.match(fold(text)) is not None


# --- per phase ----------------------------------------------------------------------------------------


_FRAMING_LEADS = (
    ("start", re.compile(r"^\W*(?:le |the )?(?:debut|depart|point de depart|start|starting point|beginning)\s*:\s*")),
    ("end", re.compile(r"^\W*(?:la |the )?(?:fin|arrivee|end|end point|finish)\s*:\s*")),
    ("team", re.compile(r"^\W*(?:l'|the )?(?:equipe|team|qui travaille dessus|who works on it)\s*:\s*")),
    ("journey", re.compile(r"^\W*(?:le |the )?(?:parcours|journey|perimetre|scope)\s*:\s*")),
    ("question", re.compile(r"^\W*(?:la |the )?(?:question(?: business)?|business question)\s*:\s*")),
    ("objective", re.compile(r"^\W*(?:l'|le |la |the |our )?(?:objectif|objective|goal|but|probleme|problem|enjeu)\s*:\s*")),
    ("deliverable", re.compile(r"^\W*(?:le |les |the )?(?:livrables?|deliverables?)\s*:\s*")),
)
"""Lines that say what they give: « Début : quand … », "End: …", « Équipe : moi, … »."""


def _framing(ctx: Context) -> list[Labelled]:
    out: list[Labelled] = []
    for span in ctx.units():
        f = fold(span.text)
        if _dont_know(span.text) or (words.says("dont_know", span.text) and len(span.text.split()) < 8):
            continue
        lead = next(((label, m) for label, pattern in _FRAMING_LEADS if (m := pattern.match(f))), None)
        if lead is not None and lead[1].end() < len(span.text) - 2:
            value = span if lead[0] == "journey" else span.sub(ctx.text, lead[1].end(), len(span.text))
            out.append(Labelled(value, (lead[0],), strong=True))
            continue
        labels: list[str] = []
        deliverable = _DELIVERABLE_CUE.search(f) is not None and not _START.search(span.text) and not (
            _END.search(span.text) and not re.search(r"\b(?:livrable|deliverable|on attend|we expect|output)\b", f))
        team = (_TEAM_CUE.search(f) is not None and not deliverable and not _START.search(span.text)
                and not _END.search(span.text) and (
            "team" in ctx.asks or re.search(r"\b(?:equipe|team|travaill\w*|bosse\w*|work(?:s|ing)? on|on it|avec moi|"
                                            r"with me|et moi|and me|autour de la table|round the table|moi,|me,|it's me)\b", f)))
        if team:
            labels.append("team")
        if deliverable:
            labels.append("deliverable")
        if not (team or deliverable):
            if _START.search(span.text):
                labels.append("start")
            if _END.search(span.text):
                labels.append("end")
            if from_to(ctx.text, span) is not None and not {"start", "end"} & set(labels):
                labels += ["start", "end"]
            if _JOURNEY_CUE.search(f):
                labels.append("journey")
            if (_QUESTION.search(f) or asks_a_question(ctx.text, span)) and "start" not in labels:
                labels.append("question")
            if objective_score(span.text) > 0 and not {"start", "end"} & set(labels):
                labels.append("objective")
        strong = bool(labels)
        if not labels:
            labels = _framing_default(ctx, span, out)
        if labels:
            out.append(Labelled(span, tuple(dict.fromkeys(labels)), strong=strong))
    return out


def _framing_default(ctx: Context, span: Span, so_far: list[Labelled]) -> list[str]:
    asks = ctx.asks
    held = {lab for item in so_far for lab in item.labels}
    if "start" in asks:
        return ["start"] if "start" not in held else (["end"] if "end" not in held else [])
    if "journey" in asks:
        return ["journey"] if "journey" not in held else []
    if "objective" in asks:
        return ["objective"] if "objective" not in held else []
    if "team" in asks:
        # asked who works on the map: a team or a person said ("le marketing et moi", "just me"), else nothing
        # (an answer about something else is not a team: "Il est pressé" is no one's name)
        if words.teams().has(span.text) or re.search(r"\b(?:moi|me|myself|i|nous|we|us|equipe|team|collegues?|"
                                                     r"colleagues?|direct\w*|manager\w*|responsable\w*)\b", fold(span.text)):
            return ["team"]
        return ["deliverable"] if _DELIVERABLE_CUE.search(fold(span.text)) else []
    return []


_GOAL = re.compile(r"\b(?:veut|voudrait|veulent|souhaite|cherche|cherchent|a besoin|ont besoin|besoin de|objectif|"
                   r"aimerait|espere|reve de|wants?|needs?|would like|looking for|aims?|goal|hopes?|tries to|"
                   r"trying to|is after|dreams of)\b")
_FRUSTRATION = re.compile(r"\b(?:frustr\w*|agac\w*|enerv\w*|peur|craint\w*|deteste\w*|n'aime pas|freine?|frein\w*|galere\w*|"
                          r"en a marre|ras le bol|deteste|redoute\w*|decu\w*|hates?|annoy\w*|afraid|"
                          r"fears?|fed up|tired of|can't stand|dreads?|irritat\w*|put off|bother\w*|angry|"
                          r"pain|pénible|penible|perd du temps|wastes? time|jargon|complique\w*|complicated|confus\w*)\b")
_OBJECTION = re.compile(r"\b(?:objection\w*|trop cher|trop chere|pas sur|pas sure|se demande si|doute\w*|mefian\w*|"
                        r"hesit\w*|too expensive|not sure|wonders? (?:whether|if)|doubt\w*|distrust\w*|sceptic\w*|"
                        r"skeptic\w*|suspicious|c'est forcement|forcement moins)\b")
_TRIGGER = re.compile(r"\b(?:declench\w*|suite a|a la suite|le jour ou|quand|lorsque|des que|au moment ou|triggers?|"
                      r"triggered|sets? off|kicks? off|when|the day|as soon as|once|after|apres|because of|a cause)\b")
_MOOD = re.compile(r"\b(?:etat d'esprit|state of mind|press\w*|rushed|in a hurry|curieu\w*|curious|calme|calm|serein\w*|"
                   r"impatient\w*|detendu\w*|relaxed|nerveu\w*|nervous|sceptique|sceptical|skeptical|"
                   r"enthousias\w*|enthusiastic|perdu\w*|lost|debord\w*|overwhelmed|dans l'urgence|inquiet\w*|anxious|"
                   r"anxieu\w*|worried|stress\w*|mefian\w*|angoiss\w*|tendu\w*|tense|la pression|under pressure)\b")
_SOURCE = re.compile(r"\b(?:s'informe|se renseigne|s'informer|se renseigner|lit|regarde|consulte|ecoute|demande conseil|"
                     r"fait confiance|se fie|compte sur|sources?|informations?|checks?|reads?|looks? at|asks?|trusts?|"
                     r"relies on|listens to|follows|suit|forums?|comparateurs?|avis|reviews|bouche a oreille|"
                     r"word of mouth|instagram|youtube|tiktok|google)\b")
_CONTEXT = re.compile(r"\b(?:\d{1,3}\s*ans|\d{1,3}\s*years? old|aged? \d+|vit|habite|lives?|travaille|works?|mari\w*|"
                      r"enfants?|kids?|children|celibataire|single|retrait\w*|retired|etudiant\w*|student|salarie\w*|"
                      r"cadre|manager|infirmi\w*|nurse|independant\w*|freelance|proprietaire|owner|locataire|tenant|"
                      r"famille|family|revenus?|income|budget)\b")
_MOTIVE = re.compile(r"\b(?:motiv\w*|ce qui compte|ce qui l'interesse|avant tout|surtout|what matters|cares? about|"
                     r"driven by|priorit\w*|ce qui la pousse|ce qui le pousse)\b")


_PERSONA_LEADS: tuple[tuple[str, re.Pattern[str]], ...] = tuple((label, re.compile(pattern)) for label, pattern in (
    ("trigger", r"^(?:(?:et|and|so|donc|alors)\W+)?(?:le (?:vrai )?declencheur|(?:ce qui|what) (?:really )?(?:declenche|triggers?)"
                r"(?: (?:tout|it|the need|son besoin))?|the (?:real )?trigger(?: is)?|trigger|declencheur|son besoin se declenche|"
                r"her need is triggered|his need is triggered)\b\s*(?:c'est|is|:|,|—)?\s*"),
    ("objection", r"^(?:(?:et|and|ah|oh)\W+)*(?:(?:son|sa|ses|her|his|their|la|the) (?:grande |grosse |big |biggest |main |"
                  r"principale? )?objections?(?: principale)?|objections?)\b[^:]{0,40}?(?:\s*(?:c'est|is|:|,|—)\s*)"),
    ("frustration", r"^(?:(?:et|and)\W+)?(?:ce qui (?:l'agace|l'enerve|le gene|la gene|la freine|le freine|la bloque|le bloque|"
                    r"l'inquiete|lui fait peur)|ses (?:freins|irritants|frustrations|peurs|craintes)|frustrations?|irritants?|"
                    r"what (?:annoys|bugs|bothers|frustrates|worries|scares|irritates|winds (?:her|him|them) up|"
                    r"gets (?:to )?(?:her|him|them)|drives (?:her|him|them) mad|puts (?:her|him|them) off|holds (?:her|him|them) "
                    r"back)(?: (?:her|him|them))?(?: is)?|(?:her|his|their) (?:frustrations|pain points|fears|worries)|"
                    r"pain points)\b\s*(?:c'est|is|:|,|—)?\s*"),
    ("goal", r"^(?:(?:et|and)\W+)?(?:ce qu'(?:elle|il|ils|elles) veu(?:t|lent)(?: avant tout| surtout)?|son (?:objectif|but)|"
             r"ses objectifs|what (?:she|he|they) wants?(?: most)?|(?:her|his|their) goals?|goals?|objectif)\b\s*"
             r"(?:c'est|is|:|,|—)?\s*"),
    ("motive", r"^(?:(?:et|and)\W+)?(?:ce qui (?:la|le|les) motive|(?:ses |her |his |their )?motiv(?:es|ations?|e)|soncas|"
               r"what motivates (?:her|him|them))\b\s*(?:c'est|is|are|:|,|—)?\s*"),
    ("source", r"^(?:(?:et|and)\W+)?(?:(?:elle|il|ils|elles|she|he|they) (?:s'informe\w*|se renseigne\w*|s'inspire\w*|"
               r"regarde|lit|consulte|ecoute|compare sur|demande (?:conseil )?a|va sur|passe par|fait confiance a|"
               r"hears about things|gets (?:her|his|their) information|reads|watches|listens to|trusts|uses|looks at|asks|"
               r"compares on|goes on|scrolls|googles|looks on|looks it up on|searches on|searches|browses|"
               r"relies on|checks|lives on|follows)|(?:whom|who) (?:she|he|they) trusts?|ses sources|(?:her|his|their) sources|"
               r"sources?|ou (?:elle|il) s'informe)\b\s*(?:surtout|d'abord|beaucoup|mostly|mainly|first)?\s*"
               r"(?:aupres de|aupres d'|sur|dans|via|par|a|au|aux|from|on|in|to|at|:|,|—)?\s*"),
))
"""A sentence that says what it is about at its start ("Ce qui l'agace : ...", "Her objection: ..."):
the label is sure, and the value is what follows the lead."""
_TRIGGER_TAG = re.compile(r"[\s,:;—–-]*(?:c'est (?:ca,? )?le declencheur|voila le declencheur|that's (?:what triggers it|"
                          r"the trigger)|that is the trigger|c'est ce qui declenche tout)\W*$")
_NAME_AGE = re.compile(r"(?P<name>(?:M\.|Mme|Mlle|Mr\.?|Mrs\.?|Ms\.?|Dr\.?)?\s*[A-ZÀ-Ý][\w'’-]+)\s*,\s*\d{1,3}\b")


def _persona(ctx: Context) -> list[Labelled]:
    from .reading import _persona_name

    out: list[Labelled] = []
    who_done = ctx.journey.persona is not None and ctx.qid != "who"
    text = ctx.text
    previous: Span | None = None
    units_list = ctx.units()
    for k, span in enumerate(units_list):
        body = span.text
        f = fold(body)
        if _dont_know(body):
            continue
        if k > 0:
            previous = units_list[k - 1]
        # a sentence that says what it is ("Ce qui l'agace : ...", "..., c'est le déclencheur")
        lead = next(((label, m) for label, pattern in _PERSONA_LEADS if (m := pattern.match(f))), None)
        if lead is not None and lead[1].end() < len(body) - 2:
            label, m = lead
            value = span.sub(text, m.end(), len(body))
            out.append(Labelled(value, (label,), strong=True))
            if label == "goal" and _MOTIVE.search(f) is None:
                continue
            continue
        tag = _TRIGGER_TAG.search(f)
        if tag is not None and tag.start() > 5:
            out.append(Labelled(span.sub(text, 0, tag.start()), ("trigger",), strong=True))
            continue
        only_tag = re.match(r"^\W*(?:c'est (?:ca|cela),? le declencheur|that's the trigger|that is the trigger|"
                            r"voila le declencheur)\W*", f)
        if tag is not None or only_tag:
            rest = span.sub(text, only_tag.end(), len(body)) if only_tag and only_tag.end() < len(body) - 2 else None
            if rest is not None:  # "That's the trigger, the birthday."
                out.append(Labelled(rest, ("trigger",), strong=True))
            elif previous is not None:  # "C'est ça, le déclencheur." says what the sentence before was
                before = next((i for i in out if i.span == previous), None)
                out = [i for i in out if i.span != previous]
                said = ((*before.labels, "trigger") if before is not None and "who" in before.labels else ("trigger",))
                out.append(Labelled(previous, said, strong=True))
            continue
        labels: list[str] = []
        name, _ = _persona_name(text, span)
        if name is None:
            age = _NAME_AGE.search(body)
            name = age.group("name") if age and k <= 1 else None
        if (name and not who_done and not any("who" in i.labels for i in out) and k <= 2 and \
                fold(name).strip() not in _FIELD_WORDS) or (not who_done and k == 0 and not any("who" in i.labels for i in out) and (
                _CONTEXT.search(f) or ctx.qid == "who")):
            labels.append("who")
        if _SOURCE_VERB.search(f):
            labels.append("source")
        if _TRIGGER_WORD.search(f) and "who" not in labels:
            labels.append("trigger")
        mood = _says_mood(body, f)
        if _OBJECTION.search(f) and not mood:
            labels.append("objection")
        elif _FRUSTRATION.search(f) and not mood and "trigger" not in labels:
            labels.append("frustration")
        if _GOAL.search(f) and "source" not in labels and not mood:
            labels.append("goal")
        if mood or (_MOOD.search(f) and not labels):
            labels.append("mood")
        if _MOTIVE.search(f):
            labels.append("motive")
        if not labels and _CONTEXT.search(f):
            labels.append("context")
        elif _PROFILE_OPENS.match(f) and "who" not in labels:
            labels = ["context"]  # "Thirty-six, project manager in IT, … his partner hates that fridge": who he is
        strong = bool(labels)
        if not labels:
            default = {"who": "context", "trigger": "trigger", "frustrations": "frustration", "motives": "motive",
                       "sources": "source"}.get(ctx.qid or "")
            if default:
                labels.append(default)
        if labels:
            out.append(Labelled(span, tuple(dict.fromkeys(labels)), strong=strong))
    return out


_PROFILE_OPENS = re.compile(r"^\W*(?:\d{2}\s*(?:ans|years?(?: old)?)?|(?:twenty|thirty|forty|fifty|sixty|seventy|vingt|trente|"
                            r"quarante|cinquante|soixante)(?:[- ](?:one|two|three|four|five|six|seven|eight|nine|et un|"
                            r"deux|trois|quatre|cinq|six|sept|huit|neuf))?(?:\s*(?:ans|years?(?: old)?))?)\s*,")
"""A sentence that opens with the persona's age ("Thirty-six, project manager in IT, ..."): who they are."""
_FIELD_WORDS = {"frustrations", "frustration", "motives", "motivations", "objection", "objections", "trigger", "goals",
                "sources", "freins", "declencheur", "objectif", "motifs", "it's", "its", "c'est", "notre", "our"}
_SOURCE_VERB = re.compile(r"\b(?:s'informe\w*|se renseigne\w*|s'inspire\w*|fait confiance|se fie|demande conseil|"
                          r"(?:il|elle) (?:lit|regarde|consulte|compare sur|demande a)|"
                          r"ecoute (?:beaucoup |surtout )?(?:son|sa|ses|les)|reads|watches|listens to|trusts|relies on|"
                          r"asks (?:her|his|their|other|friends)|lives on|hears about)\b")
_TRIGGER_WORD = re.compile(r"\b(?:declench\w*|le jour ou|triggers?|triggered|sets? (?:it )?off)\b")
_MOOD_START = re.compile(r"^(?:(?:et|and|mais|but)\W+)?(?:elle|il|ils|elles|she|he|they|[a-z]+)\s*(?:est|sont|is|are|'s|'re|"
                         r"se sent|feels?|arrive chez nous|comes to us|arrives?|reste|stays|a l'air|seems?)\s+(?:\w+\s+)?"
                         r"(?:un peu |plutot |tres |assez |franchement |a bit |quite |very |rather |really |already |deja )*"
                         r"(?:press\w*|rushed|in a hurry|curieu\w*|curious|inqui\w*|worried|anxious|anxieu\w*|stress\w*|"
                         r"deborde\w*|overwhelmed|perdu\w*|lost|motive\w*|motivated|enthousias\w*|excited|sceptique|"
                         r"sceptical|skeptical|mefian\w*|suspicious|cross|impatient\w*|angoiss\w*|besotted|prudent\w*|"
                         r"tendu\w*|tense|nerveu\w*|nervous|calme|calm|serein\w*|confiant\w*|confident|desperate|"
                         r"beside (?:herself|himself)|analytical|intimide\w*|intimidated|fatigue\w*|tired|frustr\w*|"
                         r"agace\w*|annoyed|fed up|determin\w*)")
_MOOD_HEAD = re.compile(r"^(?:(?:et|and|mais|but)\W+)?(?:elle|il|ils|elles|she|he|they)\s*(?:est|sont|is|are|'s|'re|"
                        r"se sent|feels?|a l'air|seems?)\s+")


def _says_mood(body: str, f: str) -> bool:
    """A sentence that says how the persona feels: "She's exhausted, a bit burnt out" (a state word from the
    list, or any emotion word after "she's", « elle est », "feels")."""
    if _MOOD_START.match(f):
        return True
    head = _MOOD_HEAD.match(f)
    return head is not None and emotion_score(body[head.end():]) is not None


_NOT_DONE = re.compile(r"\b(?:ne (?:les |l'|la |le )?(?:a|avons|ont) (?:pas|jamais)|n'(?:a|avons|ont) (?:pas|jamais)|pas (?:encore )?"
                       r"(?:regarde|lu|exploite|analyse)|don't (?:even )?(?:read|look|use|have)|haven't|have not|never (?:read|asked|"
                       r"looked)|not (?:yet|systematic)|aimerait|aimerions|voudrions|would like to|we'd like to|un jour|"
                       r"someday|one day|rien n'est lance|nothing (?:is )?(?:launched|started)|no,? nothing|non,? rien|"
                       r"je n'en ai pas|i don't have)\b")
_STAFF_RELAYS = re.compile(r"\b(?:entendent|remontent|rapportent|nous disent ce que|repetent ce que|hear|report what|pass on|"
                           r"relay|tell us what (?:customers|clients|people) say|les clients leur disent|customers tell them)\b")


def _evidence(ctx: Context) -> list[Labelled]:
    out: list[Labelled] = []
    kinds = words.keyed("evidence_kinds")
    for span in ctx.units():
        text = span.text
        if _dont_know(text) or len(text.split()) < 2:
            continue
        quoted = re.search(r"[«“\"][^»”\"]{12,}[»”\"]", text) is not None
        f = fold(text)
        asked_back = "?" in ctx.text[span.end:span.end + 2] and len(text.split()) <= 8
        if asked_back or _NOT_DONE.search(f):
            # "A quote I could paste? No, nothing", "on ne les a pas regardées", "on aimerait en faire un jour"
            out.append(Labelled(span, ("internal",) if _NOT_DONE.search(f) else ("other",), strong=True))
            continue
        if words.keyed("evidence_kinds").first(text) == "frontline" and not _STAFF_RELAYS.search(f):
            out.append(Labelled(span, ("internal",), strong=True))  # staff's own view, not customers' words
            continue
        if words.says("no_evidence", text) or words.says("internal_cues", text):
            label = "internal"
            if quoted and not words.says("internal_cues", text):
                label = "quote"
        elif quoted:
            label = "quote"
        elif kinds.has(text) or words.says("customer_cues", text):
            label = "customer"
        elif ctx.qid == "assumptions":
            label = "internal"
        elif ctx.qid in ("sources", "quote") or ctx.question is None:
            label = "customer" if re.search(r"\d|\b(?:clients?|customers?|users?|utilisateurs?|patients?|"
                                            r"usagers?|acheteurs?|buyers?)\b", fold(text)) else "other"
        else:
            label = "other"
        out.append(Labelled(span, (label,), strong=label != "other"))
    return out


_NOT_A_STAGE = re.compile(
    r"\b(?:on s'arrete|on s'arrete a|on ne (?:le|la|les) (?:met|a) pas|on ne l'a pas mis|ca on ne le met pas|pas une etape|"
    r"n'est pas une etape|pas vraiment une etape|pour moi non|transversal\w*|hors perimetre|hors du perimetre|"
    r"ne fait pas partie|on laisse de cote|je ne (?:le|la|les) mets pas|je n'en fais pas|"
    r"we stop(?: at)?|not a (?:separate |real )?(?:stage|step)|wouldn't make (?:that|it)|would not make (?:that|it)|"
    r"leave (?:that|it) (?:inside|in|out|within|as part)|part of (?:the |being )|out of scope|not in scope|"
    r"we don't (?:include|count|map)|we leave (?:that|it) out|cross.?cutting|runs? across|pas dans (?:notre|le) perimetre|"
    r"n'est pas dans|not part of|outside (?:our|the) scope)\b")
"""Said of a thing that is NOT a stage of this map ("ça on ne le met pas", "I wouldn't make that a stage")."""
_NOTHING_MORE = re.compile(r"\b(?:il n'y a (?:plus|pas|rien)|plus grand.chose|rien d'autre|c'est tout|nothing (?:else|more)|"
                           r"that's (?:it|all)|no more|there's nothing)\b")
_CALLED = re.compile(r"(?:ce qu['’]\w+ appelle(?:nt)?|ce que \w+ appelle(?:nt)?|qu['’](?:elle|il|ils|elles) appelle(?:nt)?|"
                     r"what (?:she|he|they|\w+) calls?|(?:she|he|they) calls? it|in (?:her|his|their) words,?)\s+"
                     r"(?P<name>[^,.;:!?()]{2,60})", re.IGNORECASE)
_INCLUDED = re.compile(r"\b(?:included|inclus|incluse|compris|comprise|y compris|etc|and so on|et cetera)\W*$")


_REPLACES_LIST = re.compile(r"\b(?:(?:but|mais)\s+(?:that's|that is|c'est|ca c'est)\s+(?:our|notre|nos|the company's|"
                            r"le decoupage)|too big|too coarse|trop gros|trop large|in (?:her|his|their|[a-z]+'s) (?:own )?words|"
                            r"with (?:her|his|their) words|avec ses (?:propres )?mots|dans ses mots|en ses mots|"
                            r"avec leurs mots|as (?:she|he|they) (?:says?|puts? it))\b")


def _stage_lists(ctx: Context) -> list[ListBlock]:
    """The lists of an answer that list stages: shaped as lists, or after an intro (a count, a colon,
    "il y a", "it's"); weak comma lists only when nothing better is there and the map has no stage yet.
    When the user starts again ("Je reprends : d'abord …"), only what follows counts."""
    seg = ctx.seg
    restart = list(RESTART.finditer(fold(ctx.text)))
    if restart:
        cut = restart[-1].end()
        seg = segment(" " * cut + ctx.text[cut:], list_asked=True)
    keep = [lst for lst in seg.lists if lst.strong or lst.kind == "colon" or lst.count is not None]
    if not keep and not ctx.journey.stages:
        # a bare comma list, of short items, or of clauses when the question asked for the stages
        keep = [lst for lst in seg.lists if lst.kind == "asked" or all(len(i.text.split()) <= 5 for i in lst.items)]
    from .lifecycle import says_lifecycle

    out = []
    for lst in keep:
        sentence_text = ctx.text[lst.start:lst.end]
        sure = (lst.strong or lst.count is not None) and len(lst.items) >= 3  # « Il n'y a pas de bac » is a stage
        if not sure and (_NOT_A_STAGE.search(fold(sentence_text)) or _NOTHING_MORE.search(fold(sentence_text))):
            continue
        if not (lst.strong or lst.count is not None) and says_lifecycle(sentence_text):
            continue  # "Signing up is the purchase, and the last three come after it": where they sit
        out.append(lst)
    # a list the user sets aside for another ("three phases: A, B, C. But that's our slide, too big. In Ravi's
    # words the steps are: ..."): the later one
    for k in range(len(out) - 1, 0, -1):
        between = fold(ctx.text[out[k - 1].end:out[k].end])
        if _REPLACES_LIST.search(between):
            return out[k:]
    # a list introduced as something else ("et pendant que j'y suis, pour les points de contact de l'essai : …")
    out = [lst for lst in out if lst.intro is None or not _OTHER_LIST.search(fold(lst.intro.text))] or out
    return out


_OTHER_LIST = re.compile(r"\b(?:points? de contact|touchpoints?|canaux|channels?|irritants?|pain points?|chiffres?|figures?|"
                         r"metrics?|indicateurs?|kpis?|owners?|responsables?|opportunit\w*|actions?)\b")


def _called(text: str, span: Span) -> Span:
    """An item the user renames as they say it ("ringing the insurer — well, no, …; call it sorting out the
    claim"): the name they settle on."""
    m = CALL_IT.search(fold(span.text))
    if m is None or m.start() < 3:
        return span
    return span.sub(text, m.start("name"), m.end("name"))


def _stage_items(ctx: Context) -> list[Span]:
    """The stages an answer lists, in order, after the user's corrections."""
    seg = ctx.seg
    text = ctx.text
    lists = _stage_lists(ctx)
    items: list[Span] = []
    existing = [s.name for s in ctx.journey.stages]
    if len(existing) >= 3:
        # a second answer that says where the stages sit ("Booking is the purchase; the wait, collection day
        # and the chasing come after") restates them: only what it names as forgotten is new
        from .lifecycle import says_lifecycle

        lists = [lst for lst in lists if not says_lifecycle(text[lst.start:lst.end])
                 and (lst.strong or lst.count is not None)]
        # (a loose list in a later answer is a remark about the stages: "c'est la dernière étape, quand elle
        # signe et qu'elle paie"; a new list is written as one: lines, numbers, a count)
    for lst in lists:
        spans = [_called(text, i.span) for i in lst.items]
        if _INCLUDED.search(fold(text[lst.start:lst.end])) and existing:
            # "waiting for the kit, installation and running it, service visits and renewal included":
            # what follows the last stage already named belongs to it
            last = max((k for k, sp in enumerate(spans) if find_item(existing, sp.text) is not None), default=None)
            if last is not None:
                spans = spans[:last + 1]
        items += spans
    used_until = max((lst.end for lst in lists), default=0)
    # a stage said in prose: "the journey ends with what Megan calls getting my money back"
    for sentence in seg.free:
        if sentence.start < used_until and lists:
            continue
        f = fold(sentence.text)
        if _NOT_A_STAGE.search(f) or _NOTHING_MORE.search(f) or (words.says("already_said", sentence.text) and not lists):
            continue
        called = _CALLED.search(sentence.text)
        if called is not None and (lists or existing):
            items.append(sentence.sub(text, called.start("name"), called.end("name")))
    if lists:
        edits = corrections(text, used_until, [s.text for s in items])
        items = apply_edits(items, edits)
        return [i for i in items if i.text and not _dont_know(i.text)]
    if items:
        return items
    # no list: short sentences, or "X et Y" after "il y a / there are"
    out: list[Span] = []
    from .lifecycle import says_lifecycle

    for sentence in seg.free:
        f = fold(sentence.text)
        if (_dont_know(sentence.text) or words.says("already_said", sentence.text) or _NOT_A_STAGE.search(f)
                or _NOTHING_MORE.search(f) or (existing and says_lifecycle(sentence.text))):
            continue
        if re.search(r"\b(?:dans|in|inside|within|into)\s+[«\"“]?\s*(?:l'etape\s+|the stage\s+)?", f) and \
                ctx.finder().named(sentence.text, anywhere=True) is not None:
            continue  # "Dans « Vie avec le canapé », je mets aussi le SAV": inside a stage already there
        m = re.search(r"^(?:\W*\w+(?:\s+\w+){0,3},\s*)?(?:il y a|il y aura|ce sont|viennent|vient|there (?:is|are)|comes?|"
                      r"then)\s+", sentence.text, re.IGNORECASE)
        body = sentence.sub(text, m.end(), len(sentence.text)) if m else sentence
        parts = re.split(r",\s*|\s+(?:et|and|puis|then|ou|or)\s+", body.text)
        if m and len(parts) >= 1 and all(1 <= len(p.split()) <= 6 for p in parts):
            pos = 0
            for p in parts:
                i = body.text.find(p, pos)
                out.append(Span.of(text, body.start + i, body.start + i + len(p)))
                pos = i + len(p)
        elif len(sentence.text.split()) <= 5 and not existing:
            out.append(sentence)
    return out


def _stages(ctx: Context) -> list[Labelled]:
    strong = any(lst.strong or lst.count is not None for lst in ctx.seg.lists)
    placed = _placed_later(ctx) + _moved(ctx) + _renamed(ctx) + _removed(ctx)
    if placed:
        return placed
    return [Labelled(span, ("stage",), strong=strong) for span in _stage_items(ctx)]


_MOVED = re.compile(r"(?P<x>[^,.;:!?—–]{2,60}?)\s+(?:comes?|vient|viennent|goes|arrive|arrivent|passe|passent|is|est)\s+"
                    r"(?:juste\s+|just\s+|right\s+)?(?P<dir>before|avant|after|apres)\s+(?P<y>[^,.;:!?—–]{2,60})")


def _moved(ctx: Context) -> list[Labelled]:
    """A later answer that puts a stage elsewhere ("No wait — the offer-holder day comes before he firms us", « « Ma
    première collecte » vient avant « Je trie au quotidien » »): the stage, with where it goes."""
    existing = [s.name for s in ctx.journey.stages]
    if len(existing) < 3 or not FORGOT_CUE.search(fold(ctx.text)):
        return []
    out = []
    folded = fold(ctx.text)
    for m in _MOVED.finditer(folded):
        x = re.sub(r"^.*\b(?:that|que|so|donc|wrong|trompee?|ordre)\b\W*", "", m.group("x")).strip(" «»\"“”'")
        moved, ref = find_item(existing, x), find_item(existing, m.group("y").strip(" «»\"“”'"))
        if moved is None or ref is None or moved == ref:
            continue
        where = "before" if m.group("dir") in ("before", "avant") else "after"
        if (where == "before" and moved == ref - 1) or (where == "after" and moved == ref + 1):
            continue  # already there
        span = Span.of(ctx.text, m.start("x"), m.end("x"))
        out.append(Labelled(span, ("order",), stage=existing[moved], strong=True, place=(where, existing[ref])))
    return out


_DROP_STAGE = re.compile(
    r"\b(?:drop|remove|delete|scratch|take out|get rid of|enleve[zr]?|retire[zr]?|supprime[zr]?)\s+"
    r"(?P<x>(?:the |la |le |l')?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|last|premiere|deuxieme|troisieme|"
    r"quatrieme|cinquieme|sixieme|septieme|huitieme|derniere)(?: one| stage| step| etape)?|[«\"“][^»\"”]{2,60}[»\"”])")


def _removed(ctx: Context) -> list[Labelled]:
    """A later answer that takes a stage out ("And drop the third one, listing review, that's internal",
    « enlevez « Qualification du lead » »): the stage."""
    existing = [s.name for s in ctx.journey.stages]
    if len(existing) < 3:
        return []
    out = []
    for m in _DROP_STAGE.finditer(fold(ctx.text)):
        x = m.group("x")
        k = ordinal_item(x, len(existing)) if x[:1] not in "«\"“" else find_item(existing, x.strip("«»\"“” "))
        if k is not None:
            out.append(Labelled(Span.of(ctx.text, m.start(), m.end()), ("remove",), stage=existing[k], strong=True))
    return out


_NAMES_CUE = re.compile(r"\b(?:names?|noms?|call them|on les appelle|appelons-les|in short|en bref|en court|"
                        r"shorter|plus court|as labels|comme libelles|pour les libelles)\b")


def _renamed(ctx: Context) -> list[Labelled]:
    """A later answer that names the stages again, one for one ("If you want names: A, B, C, …"): each
    stage gets the name the user gives it."""
    existing = [s.name for s in ctx.journey.stages]
    if len(existing) < 3 or not _NAMES_CUE.search(fold(ctx.text)):
        return []
    for lst in ctx.seg.lists:
        if len(lst.items) == len(existing) and (lst.intro is None or _NAMES_CUE.search(fold(lst.intro.text))
                                                or _NAMES_CUE.search(fold(ctx.text[:lst.start]))):
            return [Labelled(item.span, ("rename",), stage=old, strong=True)
                    for item, old in zip(lst.items, existing, strict=True)
                    if fold(item.text).strip() != fold(old).strip()]
    return []


def _already(names: list[str], text: str) -> bool:
    """``text`` names one of ``names`` (most words shared both ways: "je compare les centres" is not "Je me rends
    compte", though both have "comp…")."""
    said = words_of(text)
    return any(said and words_of(n) and len(said & words_of(n)) / len(said | words_of(n)) >= 0.6 for n in names)


def _placed_later(ctx: Context) -> list[Labelled]:
    """A later answer that adds a stage the user forgot, saying where it goes ("Ah si, j'en ai oublié une :
    entre l'ORL et le bilan, il y a « je compare les centres »"): the new stage, placed among the map's."""
    existing = [s.name for s in ctx.journey.stages]
    if len(existing) < 3 or any(lst.strong or lst.count is not None for lst in ctx.seg.lists):
        return []
    if not FORGOT_CUE.search(fold(ctx.text)):
        return []  # "there's no purchase, it's free": about the stages, not a new one
    out = []
    for edit in corrections(ctx.text, 0, existing):
        if edit.kind != "insert" or edit.name is None or _already(existing, edit.name.text):
            continue
        place = ("after", existing[edit.after]) if edit.after is not None else (
            ("before", existing[edit.before]) if edit.before is not None else None)
        out.append(Labelled(edit.name, ("stage",), strong=True, place=place))
    return out


def stage_candidates(ctx: Context) -> list[Span]:
    """What may be a stage, for the model to label: the stages the rules read, and the other sentences."""
    items = _stage_items(ctx)
    rest = [s for s in ctx.seg.free if not any(i.start < s.end and s.start < i.end for i in items)]
    return sorted([*items, *rest], key=lambda s: s.start)


# --- stages in per-stage phases ---------------------------------------------------------------------


def _stage_walk(ctx: Context, units: list[Span]) -> list[tuple[Span, Span, Stage | None]]:
    return _stage_walk_from(ctx, units, _default_stage(ctx))


def _default_stage(ctx: Context) -> Stage | None:
    """The stage an answer is about when it names none: the question's (the chat); for an answer given
    to the phase (headless), the first stage the phase has not filled yet (people go in order)."""
    stages = ctx.journey.stages
    if not stages or ctx.phase == "priorities":
        return None
    if ctx.question is None and ctx.phase in ("touchpoints", "experience", "pain_points"):
        filled = [i for i, st in enumerate(stages) if _filled(ctx.phase, st)]
        nxt = (max(filled) + 1) if filled else 0
        if nxt < len(stages):
            return stages[nxt]
        return ctx.focus or stages[-1]
    return ctx.focus or stages[-1]


def _stage_walk_from(ctx: Context, units: list[Span], current: Stage | None) -> list[tuple[Span, Span, Stage | None]]:
    """Each unit with the part of it that says something (without its opening stage reference:
    "Devis : le formulaire" → "le formulaire", "Au moment de l'essai, elle..." → "elle...") and the
    stage it is about: a stage the unit names at its start switches the stage for what follows; before
    any, the stage the question was about (or the last one)."""
    finder = ctx.finder()
    out: list[tuple[Span, Span, Stage | None]] = []
    intros = [i for i in ctx.seg.intros if i is not None]
    previous_end = 0
    in_list: Stage | None = None
    for unit in units:
        # the intro of a list names the stage of its items ("Le dépôt, c'est d'abord ..., puis ...")
        for intro in intros:
            if previous_end <= intro.start and intro.end <= unit.start + 1:
                said = finder.named(intro.text, near=current)
                in_list = said
                if said is not None:
                    current = said
        if in_list is not None and not any(lst.start <= unit.start < lst.end for lst in ctx.seg.lists):
            in_list = None
        previous_end = unit.end
        head, body = split_head(ctx.text, unit, limit=10)
        named = finder.named(head.text, anywhere=True, near=current) if head is not None else None
        number = STAGE_NUMBER.match(fold(head.text).strip()) if head is not None and named is None else None
        if number is not None:  # "Étape n°3 : a) l'appel …", "Stage 2: …": the stage of that number
            nth = int_said(number.group("w"))
            stages = ctx.journey.stages
            named = stages[nth - 1] if nth is not None and 1 <= nth <= len(stages) else None
        if named is not None and in_list is not None and head is not None and number is None and \
                not _is_stage_head(head.text, named):
            named, body = None, unit  # an item of a list whose intro named the stage
        if named is not None and head is not None and number is None and not _is_stage_head(head.text, named):
            # "Conversion from agreement in principle to full application: 44%": a name, not a stage heading
            body = unit
        if named is None and head is not None and ctx.journey.stages and (
                _HEAD_CUE.match(fold(head.text)) or _short_head(head.text, unit.start, ctx)):
            # "Pour le retrait : ..." names a stage in other words: people go in order, so the next one (after
            # the one before in this answer; for an answer given to the phase, after the last stage it filled)
            stages = ctx.journey.stages
            if out and current is not None and current in stages:
                index = stages.index(current)
                named = stages[index + 1] if index + 1 < len(stages) else None
            elif not out and ctx.question is None:
                filled = [i for i, st in enumerate(stages) if _filled(ctx.phase, st)]
                nxt = (max(filled) + 1) if filled else 0
                named = stages[nxt] if nxt < len(stages) else None
        elif named is None and in_list is None:
            body = unit
            named = finder.named(unit.text, near=current)
            if named is not None:
                body = _after_stage_mention(ctx.text, unit, named)
        if named is not None:
            current = named
        out.append((unit, body, current))
    return out


def _short_head(head: str, at: int, ctx: Context) -> bool:
    """A short heading that opens a sentence of a per-stage answer ("L'exam : …", "Coming back: …", "Et après : …")
    and names no channel: the user goes through the stages in order, so it is the next one."""
    before = ctx.text[:at].rstrip(" -*•")
    return (ctx.phase in ("touchpoints", "experience", "pain_points") and len(head.split()) <= 3
            and (not before or before[-1] in ".!?\n") and find_channel(head) is None
            and not re.search(r"\b(?:online|offline|en ligne|hors ligne|digital|physique|physical|total|overall|"
                              r"sinon|otherwise|note|nb|ps|bref)\b", fold(head)))


_HEAD_CUE = re.compile(r"^(?:et\s+|and\s+)?(?:pour|pendant|au|aux|a la|a l'|lors|quand|durant|apres|avant|for|during|at|when|"
                       r"while|after|before|on|in)\b")


def _filled(phase: str, stage: Stage) -> bool:
    """True when the phase already recorded something on ``stage``."""
    if phase == "touchpoints":
        return bool(stage.touchpoints)
    if phase == "experience":
        return stage.emotion is not None or bool(stage.actions)
    if phase == "pain_points":
        return bool(stage.pain_points or stage.positives)
    return False


def _is_stage_head(head: str, stage: Stage) -> bool:
    """True when a heading is the stage itself ("Devis", "Pour le devis", "First bill") rather than a
    longer name that shares a word with it."""
    folded = fold(head).strip()
    cued = re.match(r"(?:et |and )?(?:pour|pendant|au|aux|a la|a l|lors|quand|durant|apres|avant|for|during|at|when|while|after|"
                    r"before|in|on|on the|the)\b", folded) is not None
    extra = words_of(_STAGE_CUE_WORDS.sub(" ", folded)) - words_of(stage.name)
    return len(extra) <= (1 if cued else 0)


_STAGE_CUE_WORDS = re.compile(r"\b(?:pour|pendant|au|aux|a|la|le|les|l|lors|de|du|des|quand|durant|apres|avant|for|during|at|"
                              r"when|while|after|before|on|in|the|etape|stage|step|phase|moment|et|and|elle|il|she|he|they)\b")


def _after_stage_mention(text: str, unit: Span, stage: Stage) -> Span:
    """The unit without its opening stage reference: "Au moment de l'essai, elle..." → "elle...",
    "Devis : le formulaire" → "le formulaire"; unchanged when the stage is not named in its opening."""
    f = fold(unit.text)
    stems = words_of(stage.name)
    boundary = re.search(r"\s*(?:[,:;]|\s[—–]\s)\s*", f)
    if boundary is not None and len(f[:boundary.start()].split()) <= 12:
        opening = f[:boundary.start()]
        said = fold(stage.name) in opening or any(stem(w) in stems for w in re.findall(r"[a-z0-9]{3,}", opening))
        if said and boundary.end() < len(f) and (_is_stage_head(opening, stage) or re.match(
                r"(?:et |and )?(?:quand|lorsque|when|while|pendant qu|au moment ou|as soon as|des qu)", opening)):
            return unit.sub(text, boundary.end(), len(unit.text))
    key = fold(stage.name)
    if f.startswith(key) and len(f) > len(key) + 3:
        rest = re.match(r"\s*(?:[,:;—–-]\s*)?", f[len(key):])
        return unit.sub(text, len(key) + (rest.end() if rest else 0), len(unit.text))
    return unit


_POSITIVE = re.compile(r"\b(?:bien|apprecie\w*|rapide\w*|simple\w*|facile\w*|clair\w*|agreable\w*|sympa\w*|efficace\w*|"
                       r"surpri\w* agreablement|bonne surprise|top|genial\w*|parfait\w*|fluide\w*|aime|adore\w*|"
                       r"rassur\w*|pratique|well|likes?|loves?|quick\w*|fast|easy|easily|clear\w*|pleasant\w*|smooth\w*|"
                       r"great|helpful|works|friendly|nice\w*|happy|delight\w*|reassur\w*|good|positive|plus)\b")
_NEGATIVE = re.compile(r"\b(?:pas|ne|n'|jamais|trop|aucun\w*|personne|rien|long\w*|lent\w*|attente|attend\w*|perd\w*|"
                       r"complique\w*|difficile\w*|bug\w*|erreur\w*|panne\w*|probleme\w*|souci\w*|galere\w*|frustr\w*|"
                       r"not|never|too|nobody|nothing|no one|slow\w*|wait\w*|lost|confus\w*|hard|difficult|broken|error\w*|"
                       r"problem\w*|issue\w*|fail\w*|miss\w*|unclear|annoy\w*|cache\w*|hidden|surprise\w* desagreable)\b")


def _pain_label(text: str, default: str) -> tuple[str, bool]:
    f = fold(text)
    if re.search(r"\b(?:ce qui (?:marche|va|se passe|fonctionne) bien|ce qui plait|point fort|points forts|"
                 r"what works|what goes well|the good (?:part|thing)|strength|strong point)\b", f):
        return "positive", True
    emo = words.emotion_score(text)
    positive = _POSITIVE.search(f) is not None
    negative = _NEGATIVE.search(f) is not None
    if emo is not None and emo[0] > 0 and not negative:
        return "positive", True
    if emo is not None and emo[0] < 0:
        return "pain", True
    if positive and not negative:
        return "positive", True
    if negative:
        return "pain", True
    return default, False


def _per_stage(ctx: Context, label: Callable[[Span, Stage | None], tuple[tuple[str, ...], bool, int | None] | None]
               ) -> list[Labelled]:
    """Label each unit (its whole text) and keep the part of it after its stage reference."""
    out: list[Labelled] = []
    for unit, body, stage in _stage_walk(ctx, ctx.units()):
        if _dont_know(unit.text) or not body.text.strip():
            continue
        found = label(unit, stage)
        if found is None:
            continue
        labels, strong, score = found
        out.append(Labelled(body, labels, stage.name if stage else None, score, strong))
    return out


def _touchpoints(ctx: Context) -> list[Labelled]:
    def label(span: Span, stage: Stage | None) -> tuple[tuple[str, ...], bool, int | None] | None:
        from .touch import touchpoints_in

        found = touchpoints_in(ctx.text, span)
        if any(ch is not None for _, ch in found):
            return ("touchpoint",), True, None
        if found:
            return ("touchpoint",), False, None
        return None

    return _per_stage(ctx, label)


_THOUGHT = re.compile(r"[«“\"]|\b(?:se dit|se demande|pense|pensent|se disent|thinks?|wonders?|tells? (?:her|him|them)self|"
                      r"says to (?:her|him|them)self|asks (?:her|him|them)self|thought)\b")
_EXPECT = re.compile(r"\b(?:attend(?:ait)?\s+(?:que|qu'|des|du|un|une|le|la|les|de|d'|a|à)|s'attend|espere|souhaite\w*|"
                     r"voudrait|voudraient|aimerait|aimeraient|expects?|expected|hopes?|wants?|would like|wishes?|"
                     r"counts on|compte sur)\b")


def _experience(ctx: Context) -> list[Labelled]:
    def label(span: Span, stage: Stage | None) -> tuple[tuple[str, ...], bool, int | None] | None:
        text = span.text
        f = fold(text)
        labels: list[str] = []
        emo = words.emotion_score(text)
        explicit = words.explicit_score(text)
        if emo is not None or explicit is not None:
            labels.append("feeling")
        if _EXPECT.search(f) or ctx.qid == "expect":
            labels.append("expectation")
        elif _THOUGHT.search(text + " " + f):
            labels.append("thought")
        bare = re.sub(r"[\s,;(]*(?:note|score|je dirais|disons|i'd say)?\s*[:=]?\s*[+\-−–]?\s?[0-2]\s*\)?\s*[.!]?\s*$",
                      "", text).strip()
        only_feeling = labels == ["feeling"] and (len(bare.split()) <= 4 or re.match(
            r"^(?:elle|il|on|they|she|he|the customer|le client|la cliente)?\s*(?:est|se sent|is|feels|was|etait)\b", fold(bare)))
        if (not labels or (labels == ["feeling"] and not only_feeling)) and len(bare.split()) >= 2:
                labels.append("action")
        if not labels:
            return None
        score = explicit[0] if explicit is not None else (emo[0] if emo is not None else None)
        return tuple(labels), True, score

    return _per_stage(ctx, label)


_GOOD_LEAD = re.compile(r"^\W*(?:(?:et|and|mais|but)\W+)?(?:ce qui (?:marche|va|se passe|fonctionne|plait)(?: (?:tres |vraiment )?bien)?|"
                        r"ce qui est bien|les points forts|points forts|le point fort|les bonnes choses|les positifs|"
                        r"what (?:works|goes well|went well|people like|customers like)(?: well)?(?: there)?|good things|"
                        r"the good (?:things|part|bits|news)|strengths|positives?|on the bright side)\b(?:[^:]{0,30}?:|\s*[,—–])?\s*")
_BAD_LEAD = re.compile(r"^\W*(?:(?:et|and)\W+)?(?:les irritants|les points noirs|les problemes|les soucis|ce qui (?:coince|bloque|agace|"
                       r"ne marche pas|ne va pas)|the (?:pain points|problems|issues|frictions)|what (?:doesn't work|goes wrong|"
                       r"annoys)|pain points|irritants|the only pain is)\b(?:[^:]{0,40}?:|\s*[,—–])?\s*")
_GOOD_HEADING = re.compile(r"\b(?:what (?:works|goes well|went well)|ce qui (?:marche|va bien|fonctionne)|positi\w*|green|verts?|"
                           r"vertes?|points? forts?|strengths?|highlights?|wins?|bright spots?|good|bien|plus)\b")
_BAD_HEADING = re.compile(r"\b(?:pains?|pain points?|irritants?|red|rouges?|points? (?:faibles|noirs)|problems?|problemes?|"
                          r"frictions?|what goes wrong|ce qui (?:coince|ne va pas)|weaknesses|negati\w*|lowlights?|soucis)\b")
_NEW_ITEM = re.compile(r"\s*;\s*(?:(?:et|and)\s+)?|,\s*(?:(?:et|and|plus)\s+)?(?=(?:le|la|les|l'|the|our|notre|nos|un|une|a|an|"
                       r"their|his|her|son|sa|ses|leur|leurs)\b)")


_NOTHING_THERE = re.compile(r"^\W*(?:(?:honestly|frankly|franchement|honnetement|well|bon|euh|bah)\W+)?(?:nothing|rien|none|"
                            r"aucun\w*|pas grand[- ]chose|not much|not a lot|pas vraiment|not really)\b")


def says_nothing_good(text: str) -> bool:
    """The answer says nothing goes well ("What goes well? Honestly, nothing we could put on the wall.")."""
    sentences = [fold(s.text) for s in sentence_spans(text, semicolons=False)]
    for a, b in itertools.pairwise(sentences):
        lead = _GOOD_LEAD.match(a)
        if lead is not None and lead.end() >= len(a) - 3 and _NOTHING_THERE.match(b):
            return True
    return any((m := _GOOD_LEAD.match(a)) is not None and _NOTHING_THERE.match(a[m.end():]) is not None for a in sentences)


def _pain_points(ctx: Context) -> list[Labelled]:
    """Pains and positives on the stage they name (or the stage of the touchpoint they name). A
    sentence that says what it lists ("Ce qui marche : A ; B ; et C", "The only pain is...") gives
    that polarity to every item of it."""
    default = "positive" if ctx.qid == "positives" else "pain"
    out: list[Labelled] = []
    finder = ctx.finder()
    current = ctx.focus or (ctx.journey.stages[-1] if ctx.journey.stages else None)
    if ctx.question is None and ctx.journey.stages:
        current = _default_stage(ctx)
    text = ctx.text
    held: str | None = None  # a lead on its own ("Ce qui marche :") gives its polarity to the lines after it
    for sentence in sentence_spans(text, semicolons=False):
        f = fold(sentence.text)
        if _dont_know(sentence.text):
            continue
        good, bad = _GOOD_LEAD.match(f), _BAD_LEAD.match(f)
        lead = good or bad
        if lead is not None and lead.end() >= len(f) - 3:
            held = "positive" if good else "pain"
            continue
        if (f.rstrip().endswith(":") or text[sentence.end:sentence.end + 2].strip().startswith(":")) and len(f.split()) <= 8:
            # a heading of its own ("Green stickies (what works):", "Pains (red stickies):", "more red stickies:"):
            # what it says goes to the lines under it; the heading is no pain
            held = "positive" if _GOOD_HEADING.search(f) else "pain" if _BAD_HEADING.search(f) else held
            continue
        if held is not None and _NOTHING_THERE.match(f):
            held = "none"  # "What goes well? Honestly, nothing.": no positive, and what follows is said about that
            continue
        if lead is not None and lead.end() < len(f) - 3:
            kind = "positive" if good else "pain"
            rest = sentence.sub(text, lead.end(), len(sentence.text))
            for item in _items(text, rest):
                stage = (finder.named(item.text, anywhere=True, near=current)
                         or finder.by_touchpoint(item.text, ctx.journey) or finder.by_notes(item.text, ctx.journey)
                         or current)
                out.append(Labelled(item, (kind,), stage.name if stage else None, strong=True))
            continue
        for part in [Span(sentence.start + c.start, sentence.start + c.end, c.text)
                     for c in sentence_spans(sentence.text)]:
            for unit, body, stage in _stage_walk_from(ctx, [u for u in _clauses(text, part)], current):
                current = stage
                if not body.text.strip() or len(body.text.split()) < 2:
                    continue
                kind, strong = _pain_label(unit.text, default)
                if held == "none" and not strong:
                    continue
                if held is not None and held != "none" and not strong:
                    kind, strong = held, True
                if stage is None or not finder.named(unit.text, near=current):
                    by_tp = finder.by_touchpoint(unit.text, ctx.journey)
                    stage = by_tp or stage
                out.append(Labelled(body, (kind,), stage.name if stage else None, strong=strong))
    return out


def _items(text: str, rest: Span) -> list[Span]:
    out, pos = [], 0
    for m in _NEW_ITEM.finditer(rest.text):
        out.append(rest.sub(text, pos, m.start()))
        pos = m.end()
    out.append(rest.sub(text, pos, len(rest.text)))
    return [i for i in out if len(i.text.split()) >= 2 or len(i.text) >= 5]


def _clauses(text: str, sentence: Span) -> list[Span]:
    from .segment import clauses

    return clauses(text, sentence)


def _moments(ctx: Context) -> list[Labelled]:
    out: list[Labelled] = []
    finder = ctx.finder()
    for span in ctx.units():
        text = span.text
        if _dont_know(text) or len(text.split()) < 2:
            continue
        if out and re.match(r"^\W*(?:parce que|parce qu'|car|because|since|c'est là que|that's when|that's where)\b",
                            fold(text)):
            prev = out[-1]
            out[-1] = replace(prev, span=Span.of(ctx.text, prev.span.start, span.end))
            continue
        stage = finder.named(text, anywhere=True)
        out.append(Labelled(span, ("moment",), stage.name if stage else None))
    return out


def _metrics(ctx: Context) -> list[Labelled]:
    """Sentences with figures (a sentence that only names a source goes with them), on the stage they
    name (their opening stage reference cut off: "Devis : 68 % d'abandon" → "68 % d'abandon")."""
    from .numbers import _source_only, metrics_in

    out: list[Labelled] = []
    finder = ctx.finder()
    for unit, body, stage in _stage_walk(ctx, ctx.units()):
        named = finder.named(unit.text, anywhere=True, near=stage)
        stage = named or stage
        if metrics_in(ctx.text, body) or (out and _source_only(unit.text) is not None):
            if out and not metrics_in(ctx.text, body):
                prev = out[-1]
                out[-1] = replace(prev, span=Span.of(ctx.text, prev.span.start, unit.end))
                continue
            out.append(Labelled(body, ("metric",), stage.name if stage else None))
    return out


def _owners(ctx: Context) -> list[Labelled]:
    out: list[Labelled] = []
    for span in ctx.units():
        if _dont_know(span.text):
            continue
        out.append(Labelled(span, ("owner",), strong=words.teams().has(span.text)))
    return out


def _strip_scores(body: str) -> str:
    """The item without its scores ("Surprise: free dessert in box three: 3/4/2/1" → "Surprise: free dessert in box three")."""
    return re.sub(r"[\s:,;(–—-]*(?:[1-5]\s*[,/-]\s*){2,3}[1-5]\)?\W*$", "", body)


_IDEAS_INTRO = re.compile(r"^\W*(?:(?:on a|we have|we've got|j'ai|i have|il y a|there are|voici|here are)\s+)?(?:\d{1,2}|deux|trois|"
                          r"quatre|cinq|six|two|three|four|five|six|quelques|a few|plusieurs|several)\s+(?:grandes?\s+|big\s+|"
                          r"main\s+)?(?:idees|pistes|opportunites|chantiers|ideas|opportunities|things|options)\b[^.]{0,80}$")
_PLAN_LEAD = re.compile(r"^\W*(?:(?:le |the |our |notre |action )?plan(?: d'action)?|actions?|action plan|les actions|"
                        r"next steps|prochaines etapes)\s*[:,—–-]\s*")
_SCORE_LEAD = re.compile(r"^\W*(?:(?:les |the |our )?(?:scores?|notes?|notation|scoring)|(?:notes?|scores?) sur 5)\b"
                         r"(?:[^:]{0,80}:|[^:—–]{0,30}?(?:\s[—–]|\s{3}))\s*")
_WORD_ORDINAL = re.compile(r"(?:^|(?<=[.;:]\s)|(?<=^\W))(?:one|two|three|four|five|un|deux|trois|quatre|cinq|first|second|third|"
                           r"premierement|deuxiemement|troisiemement)\s*[,:]\s+", re.IGNORECASE)


def _priorities(ctx: Context) -> list[Labelled]:
    """Opportunities (list items; with the scores said in the same item), rows of scores ("pick-up zone
    5, 4, 4, 3; bag policy 3, 5, 4, 1"), action-plan lines (owner, KPI, due date) and the review date."""
    from .plans import score_rows

    out: list[Labelled] = []
    text = ctx.text
    existing = [o.text for o in ctx.journey.opportunities]
    plan_answer = _PLAN_LEAD.match(fold(text)) is not None
    for unit in ctx.units():
        for span in _ordinal_items(text, unit):
            body = span.text
            f = fold(body)
            if _dont_know(body) or len(body.split()) < 2:
                continue
            if _IDEAS_INTRO.match(f):
                continue  # "Trois idées, avec nos notes sur 5 (impact, ...)": the intro of the list
            if words.says("not_yet", body) and not _has_date(body) and not has_scores(body):
                continue  # "pas d'action lancée, pas de responsable": says what is missing
            if is_review(body) or (ctx.qid == "review" and _has_date(body)):
                out.append(Labelled(span, ("review",)))
                continue
            lead = _SCORE_LEAD.match(f)
            rows = score_rows(body[lead.end():] if lead else body)
            if lead is not None and not rows and has_scores(body[lead.end():]):
                # "Les notes, en vrac : le rendez-vous devis, impact très fort, je mets 5, portée 4, ..."
                out.append(Labelled(span.sub(text, lead.end(), len(body)), ("scores",)))
                continue
            if lead is not None or (len(rows) >= 2):
                offset = lead.end() if lead else 0
                for a, b in rows:
                    row = span.sub(text, offset + a, offset + b)
                    head = re.split(r"\s(?=[1-5]\s*[,/]\s*[1-5])|[:—–]", row.text)[0]
                    known = find_item(existing + [o.span.text for o in out if o.label == "opportunity"], head)
                    out.append(Labelled(row, ("scores",) if known is not None or ctx.qid == "scores" else ("opportunity",)))
                continue
            if has_scores(body) and not looks_like_action(body):
                head = re.split(r"[:(]|\b(?:impact|port[ée]e|reach|confiance|confidence|effort)\b|,\s*[1-5]\b", digits(body),
                                flags=re.IGNORECASE)[0]
                target = find_item(existing + [o.span.text for o in out if o.label == "opportunity"], head) \
                    if head.strip() else None
                said_more = len(re.split(r"[:(]", _strip_scores(body), maxsplit=1)[-1].split()) > 2 and ":" in body
                if ctx.qid == "scores" or target is not None or (len(head.split()) < 2 and not said_more):
                    out.append(Labelled(span, ("scores",)))
                    continue
            if looks_like_action(body) or ctx.qid == "actions" or plan_answer:
                lead_plan = _PLAN_LEAD.match(f)
                item = span.sub(text, lead_plan.end(), len(body)) if lead_plan and lead_plan.end() < len(body) else span
                out.append(Labelled(item, ("action",)))
                continue
            if _COUNT_ONLY.match(f) or _META.search(f) or re.search(r"\b(?:impact|portee|reach|confiance|confidence|effort)\s+"
                                                                    r"(?:is|est|was|vaut|because|car|parce)\b", f):
                continue  # "on ne les a ni notées ni classées", "confidence is 4 because...": not an opportunity
            out.append(Labelled(span, ("opportunity",), strong=ctx.qid == "opportunities"))
    return out


_META = re.compile(r"^\W*(?:(?:honnetement|honestly|bon|well|alors|so)\W+)*(?:non\b|no\b|pas maintenant|not now|on verra|we'll see|"
                   r"c'est (?:le|la|les) .{2,40} qui decide|on en est la|on s'arrete la|that's (?:it|all) for now|"
                   r"les noter|score them|rank them|on ne les a|we haven't|we have not|mais on ne|but we)|"
                   r"\b(?:ni notees?|ni classees?|not scored|not ranked|pas classees?|pas notees?)\b")
_COUNT_ONLY = re.compile(r"^\W*(?:\w+\s+)?(?:trois|deux|quatre|cinq|three|two|four|five|\d)\s+(?:opportunit\w*|things|choses|idees|ideas|"
                         r"pistes|chantiers)\W*$")


def _ordinal_items(text: str, unit: Span) -> list[Span]:
    """A sentence listed with number words ("One, a lit pick-up zone. Two, ...") is one item each."""
    marks = list(_WORD_ORDINAL.finditer(unit.text))
    if not marks:
        return [unit]
    out = []
    head = unit.sub(text, 0, marks[0].start()) if marks[0].start() > 0 else None
    if head is not None and head.text and not re.search(r"(?:opportunit\w*|ideas?|idees?|things|choses|pistes|in order|"
                                                        r"dans l'ordre)\W*$", fold(head.text)):
        out.append(head)
    for k, m in enumerate(marks):
        end = marks[k + 1].start() if k + 1 < len(marks) else len(unit.text)
        out.append(unit.sub(text, m.end(), end))
    return [s for s in out if s.text]


def _has_date(text: str) -> bool:
    from ..text import find_date

    return find_date(text) is not None


_LABELLERS: dict[str, Callable[[Context], list[Labelled]]] = {
    "framing": _framing, "persona": _persona, "evidence": _evidence, "stages": _stages,
    "touchpoints": _touchpoints, "experience": _experience, "pain_points": _pain_points,
    "moments_of_truth": _moments, "metrics": _metrics, "owners": _owners, "priorities": _priorities,
}


def label(ctx: Context) -> list[Labelled]:
    """The rules' labels of the answer's spans (see the module docstring)."""
    labeller = _LABELLERS.get(ctx.phase)
    return labeller(ctx) if labeller else []


def read(ctx: Context) -> Proposal:
    """The rules' reading of one answer as a proposal."""
    return Proposal(phase=ctx.phase, source="rules", changes=build(ctx, label(ctx)))


def context(text: str, phase: str, journey: JourneyMap, lang: Lang, question: Question | None = None, *,
            bound: bool = True) -> Context:
    """The reading context of one answer: ``bound`` when it replies to ``question`` itself (the chat)."""
    text = text[:MAX_RULES_CHARS]
    return Context(text, phase, journey, lang, question if bound else None, question)


def read_answer(text: str, phase: str, journey: JourneyMap, lang: Lang, question: Question | None = None,
                *, bound: bool = True) -> Proposal:
    """The rule-based reading of one answer. ``bound``: the answer replies to that very question (else
    only the question's stage is used)."""
    return read(context(text, phase, journey, lang, question, bound=bound))


def looks_like_method_question(text: str) -> bool:
    """A question about the method rather than an answer: a definition opener ("c'est quoi",
    "what is", "à quoi sert"...) with the method's vocabulary, or a why about the bot's own question
    ("pourquoi cette question ?", "why do you ask this?"). "Pourquoi nos clients partent-ils ?" is an
    answer (a business question), not a method question."""
    stripped = text.strip()
    if not stripped or len(stripped) > 300 or stripped.count("\n") > 2:
        return False
    f = fold(stripped)
    opener = words.flat("method_question_starts").pattern.match(f) is not None
    why_ask = re.match(r"\s*(?:mais\s+|but\s+|and\s+|et\s+)?(?:pourquoi|why)\b", f) is not None and re.search(
        r"\b(?:demand\w*|pos\w*|ask\w*|cette question|this question|that question|the question|important|"
        r"utile|useful|matter\w*|sert|need (?:this|that|it)|besoin de (?:ca|cela|savoir))\b", f) is not None
    vocab = words.flat("method_vocabulary").has(stripped)
    if why_ask:
        return True
    return opener and vocab and (stripped.endswith("?") or len(stripped.split()) <= 12)


__all__ = ["cap", "context", "emotion_score", "find_channel", "fold", "label", "lifecycle_of",
           "looks_like_method_question", "read", "read_answer", "warm_up"]
