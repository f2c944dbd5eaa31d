"""Turn a checked record set into RDF, declaratively.

The YAML keys map to DPV terms through the JSON-LD context ``ontology/records.context.jsonld``
(the YAML-LD idea: the mapping is data, not code). This module only adds what the context
cannot say: the ``@id`` and ``@type`` of each entry, the register description and its
passages with their Web Annotation selectors, the duration node of each retention rule,
the members of data groups, the controller of every activity, and the file and line each
entry was written on, with the line of each of its keys (``ropa:recordKeyLines``, a JSON
object from the key to its line), so a finding can point at the key that fixes it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from typing import Any

import pyoxigraph as ox

from checker.assets import asset_dir
from checker.records.load import RecordSet
from checker.records.yamlload import LineDict
from checker.vocab import durations

#: rdf:type of the entries of each kind (an entry's own ``types`` are added to these).
KIND_TYPES: dict[str, list[str]] = {
    "passages": ["ropa:Passage"],
    "organisations": ["dpv:Organisation"],
    "units": ["dpv:OrganisationalUnit"],
    "systems": ["ropa:InformationSystem"],
    "laws": ["dpv:Law"],
    "data_subjects": ["dpv:DataSubject"],
    "data_categories": ["dpv:PersonalData"],
    "data_groups": ["ropa:DataGroup"],
    "purposes": ["dpv:Purpose"],
    "events": ["ropa:Event"],
    "measures": ["dpv:TechnicalOrganisationalMeasure"],
    "retention": ["dpv:StorageDuration", "ropa:RetentionRule"],
    "activities": ["dpv:Process"],
    "flows": ["ropa:DataFlow"],
}

#: The DPV duration class of each retention rule.
RULE_DURATION_TYPES: dict[str, list[str]] = {
    "fixed": ["dpv:TemporalDuration"],
    "from-event": ["dpv:UntilEventDuration"],
    "calendar": ["dpv:TemporalDuration", "ropa:CurrentYearPlus"],
    "until-event": ["dpv:UntilEventDuration"],
    "indefinite": ["dpv:EndlessDuration"],
    "not-stored": ["ropa:NotStored"],
    "delegated": ["ropa:DelegatedRetention"],
    "unspecified": ["dpv:IndeterminateDuration"],
}

#: GDPR Art. 35: the DPV status of each ``dpia.status`` (``dpv:hasActivityStatus``), and
#: ``not-required`` as eu-gdpr's necessity status (``dpv:hasStatus``).
DPIA_STATUSES: dict[str, tuple[str, str]] = {
    "planned": ("activity_status", "dpv:ActivityProposed"),
    "in-progress": ("activity_status", "dpv:ActivityOngoing"),
    "completed": ("activity_status", "dpv:ActivityCompleted"),
    "not-required": ("status", "eu-gdpr:DPIANotRequired"),
}

#: Keys of a contact mapping that say how to reach someone.
_CONTACT_KEYS = ("email", "telephone", "address")

# Keys of a retention entry that describe its duration node rather than the rule itself.
_DURATION_KEYS = ("duration", "counted_from", "until", "delegated_to", "maximum")

#: Who keeps the register: its controller, or the processor of a processor's record.
_REGISTER_PARTIES = ("controller", "processor")
#: Accountability keys of the register (an activity's own override them; GDPR Art. 5(2), 24).
_ACCOUNTABILITY_KEYS = ("owner", "last_reviewed", "review_interval")

#: Keys whose value is a text: a string in the register's own language, or {tag: text}.
TEXT_KEYS = ("name", "description", "condition", "after", "justification")

#: GDPR Art. 13(2)(e): the dpv:hasNecessity of each ``provision.requirement``.
REQUIREMENTS: dict[str, str] = {
    "statutory": "ropa:StatutoryRequirement",
    "contractual": "ropa:ContractualRequirement",
    "contract-entry": "ropa:ContractEntryRequirement",
    "voluntary": "dpv:Optional",
}


@cache
def records_context() -> dict[str, Any]:
    """The JSON-LD context that maps record keys to RDF terms."""
    path = asset_dir("ontology") / "records.context.jsonld"
    context: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["@context"]
    return context


def _name(value: Any, lang: str = "en") -> dict[str, str]:
    """A text as a language map: a plain string is in ``lang`` (the register's language)."""
    return {lang: value} if isinstance(value, str) else dict(value)


def _one(value: Any, lang: str) -> str:
    """One text of a language map: ``lang``'s, else English, else the first tag's."""
    texts = _name(value, lang)
    return texts.get(lang) or texts.get("en") or texts[sorted(texts)[0]]


def _plain(value: Any) -> Any:
    """Drop the line bookkeeping of the YAML loader: plain dicts and lists for JSON-LD."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _contact(iri: str, name: Any, details: dict[str, Any], lang: str = "en") -> dict[str, Any]:
    """A contact point (``dpv:hasContact``) with the email and telephone the records give."""
    return {
        "id": iri,
        "types": ["dpv:Entity"],
        "name": _name(name, lang),
        **{k: details[k] for k in _CONTACT_KEYS if k in details},
    }


def _key_lines(data: LineDict, keys: Iterable[str] | None = None) -> dict[str, int]:
    """The line of each key of ``data`` (of ``keys`` only, if given), for ropa:recordKeyLines."""
    return {k: line for k, line in data.key_lines.items() if keys is None or k in keys}


def _entry_key_lines(data: LineDict, kind: str) -> dict[str, int]:
    """The line of each key of an entry, named by the JSON-LD term its node states it with.

    A finding about a property is reported at the line of the key that states it (see
    :class:`checker.check.context.SourceIndex`), so a key the build renames is recorded
    under its new name: a flow's ``data`` is its ``personal_data``; an activity's
    ``personal_data`` also gives its ``data_groups``; a retention rule's ``rule`` gives the
    duration node (``duration_node``), whose own keys go with that node.
    """
    lines = _key_lines(data)
    if kind == "flows" and "data" in lines:
        lines["personal_data"] = lines.pop("data")
    if kind == "activities" and "personal_data" in lines:
        lines["data_groups"] = lines["personal_data"]
    if kind == "retention":
        for key in _DURATION_KEYS:
            lines.pop(key, None)
        lines["duration_node"] = lines.pop("rule")
    return lines


def _node(
    data: LineDict,
    kind: str,
    file: str,
    groups: set[str],
    names: dict[str, str],
    lang: str,
    key_lines: bool = True,
) -> dict[str, Any]:
    node: dict[str, Any] = _plain(data)
    node["types"] = KIND_TYPES[kind] + node.get("types", [])
    for key in TEXT_KEYS:
        if key in node:
            node[key] = _name(node[key], lang)
    if kind == "activities" and "provision" in node:
        provision = node.pop("provision")
        node["necessity"] = REQUIREMENTS[provision["requirement"]]
        if "consequences" in provision:
            node["consequences"] = _name(provision["consequences"], lang)
    node["record_file"] = file
    node["record_line"] = data.line
    if key_lines:
        node["record_key_lines"] = _entry_key_lines(data, kind)
    if kind == "activities":
        _accountability(node, data, lang)
    if kind == "organisations" and "representative" in node:
        node["representative"] = _person(
            data, "representative", ["dpv:Representative"], lang, key_lines
        )
    if kind == "organisations" and "dpo" in node:
        dpo = node["dpo"]
        node["dpo"] = {
            "id": f"{data['id']}#dpo",
            "types": ["dpv:DataProtectionOfficer"],
            "name": _name(dpo["name"], lang),
        }
        # A contact only where the records give a way to reach the DPO: an empty one
        # would satisfy ART37-DPO-CONTACT with nothing in it.
        if any(k in dpo for k in _CONTACT_KEYS):
            contact = _contact(f"{data['id']}#dpo-contact", f"Contact of {dpo['name']}", dpo)
            node["dpo"]["contact"] = contact
        if key_lines:
            _add_contact_lines(node["dpo"], data["dpo"])
    if kind == "organisations" and "contact" in node:
        node["contact"] = _contact(
            f"{data['id']}#contact", node["contact"]["name"], node["contact"], lang
        )
        if key_lines:
            node["contact"]["record_key_lines"] = _key_lines(data["contact"])
    if kind == "flows" and "name" not in node:
        sender, receiver = (
            names.get(node["sender"], node["sender"]),
            names.get(node["receiver"], node["receiver"]),
        )
        node["name"] = {"en": f"{sender} to {receiver}"}
    if kind == "flows" and "data" in node:
        node["personal_data"] = node.pop("data")
    if kind == "activities" and "personal_data" in node:
        node["data_groups"] = [d for d in node["personal_data"] if d in groups]
    if kind == "retention":
        duration = {k: node.pop(k) for k in _DURATION_KEYS if k in node}
        duration["id"] = f"{data['id']}#duration"
        duration["types"] = RULE_DURATION_TYPES[node.pop("rule")]
        duration["name"] = {"en": _duration_label(data)}
        if key_lines:
            duration["record_key_lines"] = {
                **_key_lines(data, _DURATION_KEYS),
                "types": data.key_lines["rule"],
            }
        node["duration_node"] = duration
        node.setdefault("name", {"en": f"Retention: {duration['name']['en']}"})
    return node


def _person(
    data: LineDict, key: str, types: list[str], lang: str, key_lines: bool
) -> dict[str, Any]:
    """A person or body named with a contact mapping (an Art. 27 representative): its node,
    with a contact node only where the mapping gives a way to reach it."""
    given = data[key]
    person: dict[str, Any] = {
        "id": f"{data['id']}#{key}",
        "types": types,
        "name": _name(given["name"], lang),
    }
    if any(k in given for k in _CONTACT_KEYS):
        person["contact"] = _contact(
            f"{data['id']}#{key}-contact", f"Contact of {given['name']}", given
        )
    if key_lines:
        _add_contact_lines(person, given)
    return person


def _accountability(node: dict[str, Any], data: LineDict, lang: str) -> None:
    """An activity's DPIA (Art. 35) and joint controllers with their arrangement (Art. 26)
    as nodes of their own: ``<activity>#dpia``, ``#joint-controllers``, ``#joint-arrangement``."""
    if "dpia" in node:
        dpia = node.pop("dpia")
        key, status = DPIA_STATUSES[dpia["status"]]
        node["dpia"] = {
            "id": f"{data['id']}#dpia",
            "types": ["dpv:DPIA"],
            "name": {"en": f"DPIA ({dpia['status']})"},
            key: status,
            **({"reference": dpia["reference"]} if "reference" in dpia else {}),
            **({"date": dpia["date"]} if "date" in dpia else {}),
            **({"justification": _name(dpia["reason"], lang)} if "reason" in dpia else {}),
        }
    arrangement = node.pop("joint_arrangement", None)
    if "joint_controllers" in node:
        joint: dict[str, Any] = {
            "id": f"{data['id']}#joint-controllers",
            "types": ["dpv:JointDataControllers"],
            "name": {"en": "Joint controllers"},
            "members": node.pop("joint_controllers"),
        }
        if arrangement is not None:
            joint["arrangement"] = {
                "id": f"{data['id']}#joint-arrangement",
                "types": ["dpv:JointDataControllersAgreement"],
                "name": {"en": "Arrangement between the joint controllers"},
                "description": _name(arrangement, lang),
            }
        node["joint_controllers"] = joint


def _add_contact_lines(dpo: dict[str, Any], data: LineDict) -> None:
    """Key lines of a DPO node (its name, and its contact where the mapping gives one) and of
    its contact node (email, telephone, address), all written in the one ``dpo`` mapping."""
    contact = _key_lines(data, _CONTACT_KEYS)
    dpo["record_key_lines"] = _key_lines(data, ("name",))
    if contact:
        dpo["record_key_lines"]["contact"] = min(contact.values())
        dpo["contact"]["record_key_lines"] = contact


def _duration_label(data: LineDict) -> str:
    """A short English label of a retention rule's duration, for views and queries."""
    rule = data["rule"]
    period = (durations.words(data["duration"]) or data["duration"]) if "duration" in data else ""
    at_most = "at most " if data.get("maximum") else ""
    return {
        "fixed": f"{at_most}{period}",
        "from-event": f"{at_most}{period} from an event",
        "calendar": f"the current year plus {period}",
        "until-event": "until an event",
        "indefinite": "indefinitely",
        "not-stored": "not stored",
        "delegated": "retention delegated",
        "unspecified": "unspecified period",
    }[rule]


def _has_key_lines(record_file: str) -> bool:
    """Whether the lines of an entry's keys are lines of the file the graph names: of a
    YAML records file, yes; of a spreadsheet read directly (``ropa check ropa.xlsx``), no:
    its entries point at their row, and their keys at nothing finer."""
    return record_file.endswith((".yaml", ".yml"))


def to_jsonld(records: RecordSet) -> dict[str, Any]:
    """The record set as one JSON-LD document (context inline: nothing is fetched)."""
    reg = records.register
    context = dict(records_context())
    context["@base"] = reg["base"]
    groups = {e.id for e in records.of_kind("data_groups")}
    lang = str(reg["document"].get("language", "en"))
    names = {e.id: _one(e.data["name"], lang) for e in records.entries.values() if "name" in e.data}
    document_id = f"{reg['id']}#document"
    graph: list[dict[str, Any]] = []

    sections = []
    for order, section in enumerate(reg.get("sections", []), start=1):
        sections.append(
            {
                "id": f"{reg['id']}#section-{section['id']}",
                "types": ["ropa:Section"],
                "name": _name(section["heading"], lang),
                "heading": _name(section["heading"], lang),
                "order": order,
            }
        )
    graph.append(
        {
            "id": document_id,
            "types": ["ropa:RegisterDescription"],
            "name": {lang: reg["document"]["title"]},
            "title": {lang: reg["document"]["title"]},
            **({"language": reg["document"]["language"]} if "language" in reg["document"] else {}),
            "has_part": [s["id"] for s in sections],
        }
    )
    graph.extend(sections)
    graph.append(
        {
            "id": reg["id"],
            "types": ["dpv:ROPA", "ropa:ProcessorRecord"] if "processor" in reg else ["dpv:ROPA"],
            "name": _name(reg["title"], lang),
            "title": _name(reg["title"], lang),
            **({"description": _name(reg["description"], lang)} if "description" in reg else {}),
            **{k: reg[k] for k in _REGISTER_PARTIES if k in reg},
            **{k: reg[k] for k in _ACCOUNTABILITY_KEYS if k in reg},
            **_register_notice_keys(reg),
            **({"rights": _plain(reg["rights"])} if "rights" in reg else {}),
            "source_document": document_id,
            "has_part": sorted(e.id for e in records.of_kind("activities")),
            "derived_from": _plain(reg["derived_from"]),
            "record_file": records.register_record_file,
            "record_line": reg.line,
            **(
                {"record_key_lines": {**_key_lines(reg), "name": reg.key_lines["title"]}}
                if _has_key_lines(records.register_record_file)
                else {}
            ),
        }
    )
    for entry in records.entries.values():
        node = _node(
            entry.data,
            entry.kind,
            entry.record_file,
            groups,
            names,
            lang,
            _has_key_lines(entry.record_file),
        )
        if entry.kind == "passages" and entry.id in records.cells:
            node.update(_cell_passage(entry.id, node, records.cells[entry.id], document_id))
        elif entry.kind == "passages":
            loc = records.locations[entry.id]
            quote = node.pop("quote")
            node["name"] = {"en": _passage_label(quote)}
            node["has_source"] = document_id
            if loc.section is not None:
                node["in_section"] = f"{reg['id']}#section-{loc.section}"
                node["item"] = loc.item
            node["document_line"] = loc.line
            node["selectors"] = [
                {
                    "id": f"{entry.id}#quote",
                    "types": ["oa:TextQuoteSelector"],
                    "name": {"en": f"Quote: {_passage_label(quote)}"},
                    "exact": quote,
                },
                {
                    "id": f"{entry.id}#position",
                    "types": ["oa:TextPositionSelector"],
                    "name": {"en": f"Characters {loc.start}-{loc.end}"},
                    "start": loc.start,
                    "end": loc.end,
                },
            ]
        if entry.kind == "activities" and "processor" in reg:
            # A processor's record (Art. 30(2)): the controllers are the activity's own.
            node["types"] = ["ropa:ProcessorActivity", *node["types"][1:]]
            node["controller"] = node.pop("controllers", [])
            node["processor"] = reg["processor"]
        elif entry.kind == "activities":
            node["controller"] = reg["controller"]
        graph.append(node)
    return {"@context": context, "@graph": graph}


def _register_notice_keys(reg: LineDict) -> dict[str, Any]:
    """The register's keys for the notice: its languages, the languages whose texts await
    the controller's review, and the supervisory authority it names."""
    keys: dict[str, Any] = {}
    if "languages" in reg:
        keys["languages"] = list(reg["languages"])
    unreviewed = [t for t, status in reg.get("translations", {}).items() if status == "unreviewed"]
    if unreviewed:
        keys["unreviewed_translations"] = sorted(unreviewed)
    if "supervisory_authority" in reg:
        keys["supervisory_authority"] = reg["supervisory_authority"]
    return keys


def _cell_passage(
    passage: str, node: dict[str, Any], cell: tuple[str, int, str], document_id: str
) -> dict[str, Any]:
    """A passage that is a spreadsheet cell: its quote, and a ropa:CellSelector for the cell."""
    quote = node.pop("quote")
    node.pop("cell")
    sheet, row, column = cell
    where = f"Sheet {sheet!r}, cell {column}{row}" if sheet else f"Cell {column}{row}"
    selector: dict[str, Any] = {
        "id": f"{passage}#cell",
        "types": ["ropa:CellSelector"],
        "name": {"en": where},
        "row": row,
        "column": column,
    }
    if sheet:
        selector["sheet"] = sheet
    return {
        "name": {"en": _passage_label(quote)},
        "has_source": document_id,
        "selectors": [
            {
                "id": f"{passage}#quote",
                "types": ["oa:TextQuoteSelector"],
                "name": {"en": f"Quote: {_passage_label(quote)}"},
                "exact": quote,
            },
            selector,
        ],
    }


def _passage_label(quote: str) -> str:
    return quote if len(quote) <= 80 else quote[:77].rstrip() + "..."


def add_records(store: ox.Store, records: RecordSet) -> None:
    """Parse the record set's JSON-LD into the default graph of ``store``."""
    doc = to_jsonld(records)
    # The data group members become dpv:hasPersonalData of the activity (materialised once
    # here so every DPV consumer sees them); the group itself stays as ropa:hasDataGroup.
    members = {e.id: [str(m) for m in e.data["includes"]] for e in records.of_kind("data_groups")}
    for node in doc["@graph"]:
        if "data_groups" in node:
            data = [d for d in node["personal_data"] if d not in members]
            for group in node["data_groups"]:
                data.extend(m for m in members[group] if m not in data)
            node["personal_data"] = data
    store.load(json.dumps(doc).encode(), format=ox.RdfFormat.JSON_LD, to_graph=ox.DefaultGraph())
