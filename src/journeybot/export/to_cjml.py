"""CJML 2.0 export (Customer Journey Modelling Language, SINTEF, cjml.no): the map as a *planned*
journey, for tools that read CJML diagrams.

Elements emitted (no XML namespace, as in the published CJML 2.0 examples)::

    <CJML version="2.0">
      <plannedJourney>
        <journeyID>PJ1</journeyID>
        <journeyTitle>…</journeyTitle>
        <journeyShortSummary>framing objective</journeyShortSummary>
        <journeyPhases>
          <journeyPhase phaseID="P1"><phaseName>stage</phaseName><phaseDescription>…</phaseDescription></journeyPhase>
        </journeyPhases>
        <actors>
          <endUser actorID="A0"><actorName>persona</actorName></endUser>
          <serviceProvider actorID="A1"><companyName>owning team / partner / third party</companyName></serviceProvider>
        </actors>
        <touchpoints>
          <plannedAction>                      (each customer action of a stage, before its touchpoints)
            <touchpointID>T1</touchpointID>
            <belongsTo phaseIDref="P1"/>
            <initiator><refersTo actorIDref="A0"/><initiatorLabel>action</initiatorLabel></initiator>
          </plannedAction>
          <plannedCommunicationPoint>          (each touchpoint, in map order)
            <touchpointID>T2</touchpointID>
            <belongsTo phaseIDref="P1"/>
            <initiator><refersTo actorIDref="A0"/><initiatorLabel>touchpoint</initiatorLabel></initiator>
            <receiver><refersTo actorIDref="A1"/><receiverLabel>touchpoint</receiverLabel></receiver>
            <channel><channelName>channel</channelName></channel>
            <comment>online/offline, ownership, provenance, description</comment>
          </plannedCommunicationPoint>
        </touchpoints>
      </plannedJourney>
    </CJML>

Mapping: the persona is the end user; service providers are the owning teams named on touchpoints,
plus one actor for touchpoints with no owner ("company", or "partner" / "third party" by ownership).
The journeybot map does not record who starts an exchange, so the customer is the initiator and the
provider the receiver of every communication point.

These element names were reconstructed offline from CJML 2.0 material (published examples and
open-source CJML tools); validation against the official CJML XSD was not possible without network
access. The output is well-formed XML built with ``xml.etree`` (all text escaped; the few characters XML 1.0
cannot represent at all, such as U+FFFE, are dropped).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..domain.journey_map import JourneyMap, Lang, Touchpoint
from .labels import provenance_label, t

# Characters XML 1.0 cannot hold at all (escaping does not help): U+FFFE, U+FFFF and C0 controls.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """Text that fits in XML 1.0: characters it cannot represent are dropped."""
    return _NOT_XML.sub("", text)


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    el = ET.SubElement(parent, tag)
    el.text = xml_text(text)
    return el


def _party(parent: ET.Element, tag: str, actor_id: str, text: str) -> None:
    el = ET.SubElement(parent, tag)
    ET.SubElement(el, "refersTo", actorIDref=actor_id)
    _text(el, f"{tag}Label", text)


class _Actors:
    """Service-provider actors, one per distinct owner (or ownership kind when no owner is named)."""

    def __init__(self, lang: Lang) -> None:
        self.lang = lang
        self.names: dict[str, tuple[str, str]] = {}  # key -> (actor id, display name)

    def of(self, tp: Touchpoint) -> str:
        if tp.owner:
            key, name = f"owner:{tp.owner.casefold()}", tp.owner
        else:
            kind = {"owned": "company", "partner": "partner", "third_party": "third_party"}[tp.ownership]
            key, name = f"kind:{kind}", t(kind, self.lang)
        if key not in self.names:
            self.names[key] = (f"A{len(self.names) + 1}", name)
        return self.names[key][0]


def render_cjml(journey: JourneyMap, *, lang: Lang) -> str:
    root = ET.Element("CJML", version="2.0")
    pj = ET.SubElement(root, "plannedJourney")
    _text(pj, "journeyID", "PJ1")
    _text(pj, "journeyTitle", journey.title or t("untitled", lang))
    if journey.framing.objective:
        _text(pj, "journeyShortSummary", journey.framing.objective)
    if journey.framing.business_question:
        _text(pj, "journeyLongSummary", journey.framing.business_question)

    phases = ET.SubElement(pj, "journeyPhases")
    for i, stage in enumerate(journey.stages, start=1):
        ph = ET.SubElement(phases, "journeyPhase", phaseID=f"P{i}")
        _text(ph, "phaseName", stage.name)
        if stage.description:
            _text(ph, "phaseDescription", stage.description)

    actors_el = ET.SubElement(pj, "actors")
    end_user = ET.SubElement(actors_el, "endUser", actorID="A0")
    _text(end_user, "actorName", journey.persona.name if journey.persona else t("customer", lang))

    providers = _Actors(lang)
    touchpoints = ET.SubElement(pj, "touchpoints")
    n = 0
    for i, stage in enumerate(journey.stages, start=1):
        for action in stage.actions:
            n += 1
            el = ET.SubElement(touchpoints, "plannedAction")
            _text(el, "touchpointID", f"T{n}")
            ET.SubElement(el, "belongsTo", phaseIDref=f"P{i}")
            _party(el, "initiator", "A0", action.text)
        for tp in stage.touchpoints:
            n += 1
            el = ET.SubElement(touchpoints, "plannedCommunicationPoint")
            _text(el, "touchpointID", f"T{n}")
            ET.SubElement(el, "belongsTo", phaseIDref=f"P{i}")
            _party(el, "initiator", "A0", tp.name)
            _party(el, "receiver", providers.of(tp), tp.name)
            channel = ET.SubElement(el, "channel")
            _text(channel, "channelName", tp.channel)
            bits = [t(f"online.{str(tp.online).lower()}", lang), t(f"ownership.{tp.ownership}", lang),
                    f"{t('provenance', lang)}: {provenance_label(tp.provenance, lang)}"]
            if tp.invisible:
                bits.append(t("invisible", lang))
            if tp.description:
                bits.append(tp.description)
            _text(el, "comment", "; ".join(bits))

    for actor_id, name in providers.names.values():
        sp = ET.SubElement(actors_el, "serviceProvider", actorID=actor_id)
        _text(sp, "companyName", name)

    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
