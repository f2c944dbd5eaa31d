"""A synthetic ROPA of any size, in the shape of our records, deterministic from a seed.

Two outputs from one model of a fictional organisation (example.org IRIs, no real people):

- ``--format nt`` (the default): the BUILT graph, as N-Triples: what ``ropa build`` makes
  of the same records (activities, units, purposes, data categories and groups,
  processors, recipients, systems, laws, measures, flows, structured retention with
  duration nodes, the register description with its passages and Web Annotation
  selectors, ``ropa:recordFile`` / ``ropa:recordLine``, and the vocabulary's description
  of every DPV term used). ``ropa build FILE.nt`` and ``ropa check FILE.nt`` read it.
- ``--format yaml``: the record set itself (a folder of YAML files and the register
  description), for measuring the records path (YAML -> JSON-LD -> graph).

The graph is made with the engine's own record-to-RDF code
(:func:`checker.records.to_rdf.to_jsonld`), expanded to triples here by a small JSON-LD
expander that knows only what our context uses (rdflib's JSON-LD parser would take minutes
at a million triples). ``tests/test_bench.py`` checks that ``ropa build`` of the YAML
output and the N-Triples output are the same graph.

A realistic share of the activities has gaps that ``ropa check`` reports
(:data:`SEEDED_GAPS`): no purpose, no data subjects, no retention, special-category data
without an Art. 9(2) condition, processors without a contract or a location, transfers to
third countries without a mechanism, indefinite or unspecified retention, ...

Usage::

    .venv/bin/python bench/synth.py --size 100k -o /tmp/ropa-100k.nt
    .venv/bin/python bench/synth.py --activities 20 --seed 7 -o /tmp/tiny.nt
    .venv/bin/python bench/synth.py --size 10k --format yaml -o /tmp/synthetic-records

The same arguments give byte-identical output.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from checker.records.document import Document, Location  # noqa: E402
from checker.records.load import KINDS, RecordSet  # noqa: E402
from checker.records.to_rdf import to_jsonld  # noqa: E402
from checker.records.yamlload import LineDict, LineList  # noqa: E402

#: Named sizes: activities giving about that many triples in the built graph.
SIZES: dict[str, int] = {"tiny": 20, "10k": 52, "100k": 615, "1M": 6230}

BASE = "https://example.org/ropa-kg/synthetic/"
DEFAULT_RECORD_DIR = "synthetic"

#: Rules the generator seeds gaps for, with what it does. A rule listed here that the
#: shapes of the day do not have is simply not reported; tests check the others.
SEEDED_GAPS: dict[str, str] = {
    "ART30-1-B-PURPOSE": "activity without purposes",
    "ART30-1-C-DATA-SUBJECT": "activity without data subjects",
    "ART30-1-C-PERSONAL-DATA": "activity without personal data",
    "ART30-1-G-MEASURES": "activity without security measures",
    "ART30-1-F-RETENTION": "activity without retention",
    "ART6-1-LEGAL-BASIS": "activity without legal basis",
    "ART6-3-LAW": "legal obligation without the law it rests on",
    "ART6-CONSENT-AND-OBLIGATION": "consent and legal obligation at once",
    "ART9-2-CONDITION": "special-category data without an Art. 9(2) condition",
    "ART10-CRIMINAL": "criminal-offence data without a law",
    "ART28-3-CONTRACT": "processor without a data processing agreement",
    "ART28-2-SUBPROCESSOR": "sub-processor without a sub-processor agreement",
    "TRANSFER-LOCATION-UNKNOWN": "external processor or system without a location",
    "TRANSFER-THIRD-COUNTRY": "processor in a third country without a transfer mechanism",
    "RETENTION-INDEFINITE": "data kept indefinitely without a justification",
    "RETENTION-DELEGATED": "retention delegated to another unit",
    "RETENTION-UNSPECIFIED": "retention period not given",
    "NOTICE-SOURCE": "activity without a data source",
    "FI-DPA-29-IDENTITY-CODE": "personal identity code without the Data Protection Act",
    "FLOW-SPECIAL-TO-PROCESSOR": "special-category data reach a processor",
    "FLOW-THIRD-COUNTRY-CHAIN": "a processor's system is in a third country",
}

# Share of activities with each gap (or feature that leads to one).
_RATES = {
    "no_purpose": 0.04,
    "no_subject": 0.05,
    "no_data": 0.02,
    "no_measures": 0.03,
    "no_retention": 0.10,
    "no_basis": 0.02,
    "obligation_without_law": 0.04,
    "consent_and_obligation": 0.01,
    "special": 0.15,
    "special_without_condition": 0.35,  # of the activities with special data
    "criminal": 0.02,
    "criminal_without_law": 0.5,  # of those
    "identity_code": 0.06,
    "identity_code_without_act": 0.4,  # of those
    "processor": 0.25,
    "processor_without_contract": 0.25,  # of the activities with processors
    "third_country_without_mechanism": 0.4,  # of the activities with such a processor
    "no_source": 0.12,
    "sub_processor_without_agreement": 0.3,  # of the activities with a sub-processor
}

#: The gap that activity i (1-based) has for sure, so that a small register has every kind.
EXEMPLARS = (
    "no_purpose",
    "no_subject",
    "no_data",
    "no_measures",
    "no_retention",
    "no_basis",
    "obligation_without_law",
    "consent_and_obligation",
    "special_without_condition",
    "criminal_without_law",
    "identity_code_without_act",
    "processor_without_contract",
    "sub_processor_without_agreement",
    "third_country_without_mechanism",
    "special_to_processor",
    "no_source",
    "retention_indefinite",
    "retention_delegated",
    "retention_unspecified",
)


def _words(text: str) -> list[str]:
    return text.split()


_DPV_PURPOSES = _words(
    "AccountManagement CommunicationForCustomerCare CustomerCare CustomerClaimsManagement "
    "CustomerOrderManagement CustomerRelationshipManagement DeliveryOfGoods DirectMarketing "
    "DisputeManagement EnforceAccessControl EnforceSecurity FraudPreventionAndDetection "
    "HumanResourceManagement IdentityVerification ImprovePublicServices LegalCompliance "
    "PaymentManagement PersonnelHiring PersonnelManagement PersonnelPayment "
    "ProvideOfficialStatistics PublicRelations RecordManagement RecruitmentManagement "
    "ResearchAndDevelopment ServiceProvision ServiceRegistration ServiceUsageAnalytics "
    "VendorManagement VendorPayment"
)
_DPV_SUBJECTS = _words(
    "Applicant Citizen Client Consumer Customer Employee JobApplicant Member Participant "
    "Patient Student Subscriber User Visitor"
)
_PD_PLAIN = _words(
    "Name EmailAddress TelephoneNumber PhysicalAddress BirthDate Age IPAddress Username "
    "BankAccount PaymentCardNumber Salary Tax Education EmploymentHistory Language "
    "Nationality Picture Preference Purchase Transaction UserAgent Location Contact "
    "Identifier OfficialID Job"
)
_PD_SPECIAL = _words(
    "Health MentalHealth Religion EthnicOrigin TradeUnionMembership Biometric Genetic "
    "PoliticalOpinion Disability Fingerprint"
)
_PD_CRIMINAL = ["CriminalConviction", "CriminalOffence", "CriminalCharge"]
_EEA = ["loc:FI", "loc:SE", "loc:DE", "loc:EE", "loc:FR", "loc:NL", "loc:IE", "loc:NO"]
# loc:GB is left out: DPV puts it under loc:EU28 (skos:broader loc:EU), so "broader* EU"
# tests call it EU; a third country here must be one without such history.
_THIRD = ["loc:US", "loc:IN", "loc:CN", "loc:BR"]
_MEASURE_TYPES = [
    ["dpv:AccessControlMethod"],
    ["dpv:Encryption"],
    ["dpv:Pseudonymisation"],
    ["dpv:DataDeletionPolicy"],
    ["dpv:StaffTraining"],
    ["dpv:Anonymisation"],
]
_SECTIONS = [
    ("purpose", "Purpose of processing personal data"),
    ("categories", "Categories of personal data"),
    ("sources", "Sources of personal data"),
    ("disclosures", "Regular disclosures of personal data"),
    ("retention", "Personal data retention and disposal times"),
    ("contact", "Contact person of the data controller and additional information"),
]
_WORDS = _words(
    "customer member payroll travel claims licence grant permit visitor training survey "
    "recruitment health safety archive audit invoice contract complaint feedback library "
    "parking access badge helpdesk newsletter research statistics event booking tender "
    "procurement pension benefit leave inspection registry appeal consultation"
)
_ADJ = _words(
    "annual regional central online internal external seasonal digital local national "
    "temporary shared mobile manual"
)

#: The YAML files of the record set and the kinds each holds, in order.
FILES: dict[str, tuple[str, ...]] = {
    "register.yaml": ("register", "organisations", "laws"),
    "passages.yaml": ("passages",),
    "parties.yaml": ("units", "systems"),
    "data.yaml": ("data_subjects", "data_categories", "data_groups", "purposes", "events"),
    "measures.yaml": ("measures", "retention"),
    "activities.yaml": ("activities",),
    "flows.yaml": ("flows",),
}


@dataclass
class Model:
    """The synthetic organisation: the register, its entries and the register description."""

    register: dict[str, Any]
    entries: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)  # the register description
    locations: dict[str, Location] = field(default_factory=dict)


class _Generator:
    """Draws the organisation entry by entry; every choice comes from one seeded RNG."""

    def __init__(self, activities: int, seed: int) -> None:
        self.n = activities
        self.rng = random.Random(seed)
        self.entries: dict[str, list[dict[str, Any]]] = {k: [] for k in KINDS}
        self.sections: dict[str | None, list[tuple[str, str]]] = {sid: [] for sid, _ in _SECTIONS}
        self.sections[None] = []
        self.passage_count = 0
        self.sector_laws: list[str] = []

    # -- helpers ---------------------------------------------------------------------
    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, items: list[Any], k: int) -> list[Any]:
        k = max(0, min(k, len(items)))
        return sorted(self.rng.sample(items, k), key=items.index)

    def phrase(self) -> str:
        return f"{self.rng.choice(_ADJ)} {self.rng.choice(_WORDS)}"

    def passage(self, section: str | None, text: str) -> str:
        """A passage of the register description; its quote is one whole line."""
        self.passage_count += 1
        pid = f"p{self.passage_count:06d}"
        quote = f"[{pid.upper()}] {text}"
        self.sections[section].append((pid, quote))
        self.entries["passages"].append({"id": pid, "quote": quote})
        return pid

    def add(self, kind: str, entry: dict[str, Any]) -> str:
        self.entries[kind].append(entry)
        return str(entry["id"])

    # -- the organisation ------------------------------------------------------------
    def generate(self) -> Model:
        n = self.n
        title = f"Processing of personal data in the Synthetic Agency ({n} activities)"
        title_pid = self.passage(None, title)
        controller = "synthetic-agency"
        self.add(
            "organisations",
            {
                "id": controller,
                "name": {"en": "Synthetic Agency", "fi": "Synteettinen virasto"},
                "types": ["dpv:DataController", "dpv:GovernmentalOrganisation"],
                "location": "loc:FI",
                "contact": {"name": "Data Protection Desk", "email": "privacy@example.org"},
                "dpo": {"name": "Data Protection Officer", "email": "dpo@example.org"},
                "derived_from": [
                    self.passage("contact", "The controller is the Synthetic Agency."),
                    self.passage("contact", "Contact: Data Protection Desk, privacy@example.org"),
                ],
            },
        )
        laws = self._laws()
        units = self._units(controller)
        subjects = self._subjects()
        categories, special, criminal, identity = self._categories()
        groups = self._groups(categories, subjects)
        purposes = self._purposes()
        events = self._events()
        processors, third_country = self._processors()
        recipients = self._recipients()
        systems, chain_processors, in_house = self._systems(controller, processors)
        measures = self._measures(units, categories)
        contracts, sub_contracts = self._contracts(processors)
        activity_ids = [f"activity-{i:05d}" for i in range(1, n + 1)]
        for i, aid in enumerate(activity_ids, start=1):
            self._activity(
                i,
                aid,
                units=units,
                subjects=subjects,
                categories=categories,
                special=special,
                criminal=criminal,
                identity=identity,
                groups=groups,
                purposes=purposes,
                events=events,
                laws=laws,
                processors=processors,
                third_country=third_country,
                chain_processors=chain_processors,
                in_house=in_house,
                recipients=recipients,
                systems=systems,
                measures=measures,
                contracts=contracts,
                sub_contracts=sub_contracts,
            )
        self._flows(activity_ids, units, in_house, processors, recipients, categories, purposes)
        register = {
            "id": "synthetic-register",
            "title": title,
            "description": "A synthetic register for benchmarks (fictional).",
            "base": BASE,
            "controller": controller,
            "document": {"file": "register-description.txt", "title": title, "language": "en"},
            "sections": [{"id": sid, "heading": heading} for sid, heading in _SECTIONS],
            "rights": [f"eu-gdpr:{a}" for a in ("A15", "A16", "A17", "A18", "A21", "A77")],
            "derived_from": [title_pid],
        }
        model = Model(register, self.entries)
        self._document(model)
        return model

    def _laws(self) -> dict[str, list[str]]:
        """Laws by role: the Data Protection Act 1050/2018 and sector laws."""
        dpa = self.add(
            "laws",
            {
                "id": "data-protection-act",
                "name": {"en": "Data Protection Act", "fi": "Tietosuojalaki"},
                "number": "1050/2018",
                "jurisdiction": "loc:FI",
                "derived_from": [
                    self.passage("purpose", "Data Protection Act (1050/2018) applies.")
                ],
            },
        )
        sector = []
        for i in range(1, max(4, self.n // 40) + 1):
            year = 1990 + (i * 7) % 34
            sector.append(
                self.add(
                    "laws",
                    {
                        "id": f"law-{i:04d}",
                        "name": f"Act on {self.phrase()} services ({i})",
                        "number": f"{100 + i}/{year}",
                        "jurisdiction": "loc:EU" if i % 5 == 0 else "loc:FI",
                        "derived_from": [
                            self.passage(
                                "purpose", f"The processing rests on Act {100 + i}/{year}."
                            )
                        ],
                    },
                )
            )
        self.sector_laws = sector
        return {"dpa": [dpa], "sector": sector}

    def _units(self, controller: str) -> list[str]:
        units: list[str] = []
        for i in range(1, max(4, self.n // 8) + 1):
            parent = controller if i <= 3 else units[(i - 4) // 3]
            units.append(
                self.add(
                    "units",
                    {
                        "id": f"unit-{i:04d}",
                        "name": f"Unit of {self.phrase()} {i}",
                        "part_of": parent,
                        "derived_from": [self.passage("purpose", f"Unit {i} carries out tasks.")],
                    },
                )
            )
        return units

    def _subjects(self) -> list[str]:
        subjects: list[str] = []
        for i in range(1, max(6, self.n // 15) + 1):
            broader = (
                f"dpv:{_DPV_SUBJECTS[i % len(_DPV_SUBJECTS)]}"
                if i <= len(_DPV_SUBJECTS) or not subjects
                else self.rng.choice(subjects)
            )
            subjects.append(
                self.add(
                    "data_subjects",
                    {
                        "id": f"subject-{i:04d}",
                        "name": f"{self.phrase().capitalize()} persons {i}",
                        "broader": broader,
                        "derived_from": [
                            self.passage("categories", f"Data subjects of group {i} are named.")
                        ],
                    },
                )
            )
        return subjects

    def _categories(self) -> tuple[list[str], list[str], list[str], list[str]]:
        plain: list[str] = []
        special: list[str] = []
        criminal: list[str] = []
        identity: list[str] = []
        count = max(20, self.n // 4)
        for i in range(1, count + 1):
            cid = f"category-{i:05d}"
            entry: dict[str, Any] = {"id": cid, "name": f"{self.phrase().capitalize()} data {i}"}
            kind = i % 20
            if kind == 3:
                entry["broader"] = f"pd:{_PD_SPECIAL[i % len(_PD_SPECIAL)]}"
                special.append(cid)
            elif kind == 7:
                entry["broader"] = "pd:Health"
                entry["special"] = True
                special.append(cid)
            elif kind == 11:
                entry["broader"] = "ropa:FinnishPersonalIdentityCode"
                entry["special"] = False
                identity.append(cid)
            elif kind == 13:
                entry["broader"] = f"pd:{_PD_CRIMINAL[i % len(_PD_CRIMINAL)]}"
                criminal.append(cid)
            else:
                entry["broader"] = (
                    f"pd:{_PD_PLAIN[i % len(_PD_PLAIN)]}"
                    if i <= 40 or not plain
                    else self.rng.choice(plain)
                )
                plain.append(cid)
            if self.chance(0.05):
                entry["description"] = f"Details of {self.phrase()} records."
            entry["derived_from"] = [self.passage("categories", f"Category {i} is processed.")]
            self.add("data_categories", entry)
        return plain, special, criminal, identity

    def _groups(self, categories: list[str], subjects: list[str]) -> list[str]:
        groups = []
        for i in range(1, max(3, self.n // 12) + 1):
            groups.append(
                self.add(
                    "data_groups",
                    {
                        "id": f"group-{i:04d}",
                        "name": f"Identity and contact data {i}",
                        "subjects": self.pick(subjects, self.rng.randint(1, 2)),
                        "includes": sorted(
                            set(self.pick(categories, self.rng.randint(1, 3)))
                            | set(
                                f"pd:{t}" for t in self.pick(_PD_PLAIN[:6], self.rng.randint(1, 2))
                            )
                        ),
                        "derived_from": [
                            self.passage("categories", f"Group {i} lists names and contacts.")
                        ],
                    },
                )
            )
        return groups

    def _purposes(self) -> list[str]:
        purposes = []
        for i in range(1, max(6, self.n // 3) + 1):
            purposes.append(
                self.add(
                    "purposes",
                    {
                        "id": f"purpose-{i:05d}",
                        "name": f"Management of {self.phrase()} matters {i}",
                        "broader": f"dpv:{_DPV_PURPOSES[i % len(_DPV_PURPOSES)]}",
                        "derived_from": [self.passage("purpose", f"Purpose {i} is pursued.")],
                    },
                )
            )
        return purposes

    def _events(self) -> list[str]:
        return [
            self.add(
                "events",
                {
                    "id": f"event-{i:04d}",
                    "name": f"End of the {self.phrase()} relationship {i}",
                    "derived_from": [self.passage("retention", f"Event {i} ends a relationship.")],
                },
            )
            for i in range(1, max(3, self.n // 25) + 1)
        ]

    def _processors(self) -> tuple[list[str], set[str]]:
        processors, third = [], set()
        for i in range(1, max(4, self.n // 12) + 1):
            pid = f"processor-{i:04d}"
            entry: dict[str, Any] = {
                "id": pid,
                "name": f"Example {self.rng.choice(_WORDS).capitalize()} Services {i} Ltd",
                "types": ["dpv:DataProcessor"],
            }
            if i % 9 == 4:
                entry["types"] = ["dpv:DataProcessor", "dpv:DataSubProcessor"]
            # Half in the EU/EEA, a quarter in a third country, a quarter unknown
            # (TRANSFER-LOCATION-UNKNOWN); processors 1-4 are one of each, for small sizes.
            where = i % 8
            if where in (1, 4, 5, 6):
                entry["location"] = self.rng.choice(_EEA)
            elif where in (2, 7):
                entry["location"] = self.rng.choice(_THIRD)
                third.add(pid)
            entry["derived_from"] = [
                self.passage("disclosures", f"Processor {i} processes data on our behalf.")
            ]
            processors.append(self.add("organisations", entry))
        return processors, third

    def _recipients(self) -> list[str]:
        recipients = []
        for i in range(1, max(3, self.n // 20) + 1):
            types = ["dpv:Recipient"]
            if i % 3 == 0:
                types.append("dpv:Authority")
            elif i % 3 == 1:
                types.append("dpv:GovernmentalOrganisation")
            recipients.append(
                self.add(
                    "organisations",
                    {
                        "id": f"recipient-{i:04d}",
                        "name": f"{self.phrase().capitalize()} office {i}",
                        "types": types,
                        "derived_from": [
                            self.passage("disclosures", f"Data are disclosed to recipient {i}.")
                        ],
                    },
                )
            )
        return recipients

    def _systems(
        self, controller: str, processors: list[str]
    ) -> tuple[list[str], set[str], list[str]]:
        """Systems: (all, the processors whose system is in a third country (a
        sub-processing chain), the in-house ones (ours, or no provider named))."""
        systems, chain, in_house = [], set(), []
        for i in range(1, max(4, self.n // 8) + 1):
            entry: dict[str, Any] = {"id": f"system-{i:04d}", "name": f"{self.phrase()} system {i}"}
            roll = self.rng.random()
            if roll < 0.5:
                entry["provided_by"] = controller
            elif roll < 0.8:
                processor = self.rng.choice(processors)
                entry["provided_by"] = processor
                where = self.rng.random()
                if where < 0.6:
                    entry["location"] = self.rng.choice(_EEA)
                elif where < 0.7:
                    entry["location"] = self.rng.choice(_THIRD)
                    chain.add(processor)
            if i == 2:  # for small sizes: processor 1's system is in a third country
                entry.pop("location", None)
                entry["provided_by"] = processors[0]
                entry["location"] = _THIRD[0]
                chain.add(processors[0])
            entry["derived_from"] = [self.passage("sources", f"System {i} holds the data.")]
            systems.append(self.add("systems", entry))
            if entry.get("provided_by", controller) == controller:
                in_house.append(systems[-1])
        return systems, chain, in_house

    def _measures(self, units: list[str], categories: list[str]) -> list[str]:
        measures = []
        for i in range(1, max(6, self.n // 6) + 1):
            types = _MEASURE_TYPES[i % len(_MEASURE_TYPES)]
            entry: dict[str, Any] = {
                "id": f"measure-{i:04d}",
                "name": f"Measure {i}: {self.phrase()} safeguard",
                "types": list(types),
            }
            if types == ["dpv:AccessControlMethod"]:
                entry["permitted"] = self.pick(units, self.rng.randint(1, 2))
                entry["exclusive"] = self.chance(0.6)
            entry["data"] = self.pick(categories, self.rng.randint(1, 3))
            if self.chance(0.2):
                entry["condition"] = "If there is a well-founded reason."
            entry["derived_from"] = [self.passage("disclosures", f"Measure {i} protects data.")]
            measures.append(self.add("measures", entry))
        return measures

    def _contracts(self, processors: list[str]) -> tuple[dict[str, str], dict[str, str]]:
        contracts, sub_contracts = {}, {}
        for i, processor in enumerate(processors, start=1):
            contracts[processor] = self.add(
                "measures",
                {
                    "id": f"dpa-{i:04d}",
                    "name": f"Data processing agreement with processor {i}",
                    "types": ["dpv:ControllerProcessorAgreement"],
                    "derived_from": [
                        self.passage("disclosures", f"A contract binds processor {i}.")
                    ],
                },
            )
            if i % 9 == 4:  # the sub-processors of _processors
                sub_contracts[processor] = self.add(
                    "measures",
                    {
                        "id": f"sub-dpa-{i:04d}",
                        "name": f"Sub-processor agreement of processor {i}",
                        "types": ["dpv:SubProcessorAgreement"],
                        "derived_from": [
                            self.passage("disclosures", f"Processor {i} may use sub-processors.")
                        ],
                    },
                )
        return contracts, sub_contracts

    def _retention(
        self, i: int, data: list[str], events: list[str], derived: str, forced: str | None
    ) -> str:
        rng = self.rng
        entry: dict[str, Any] = {"id": f"retention-{i:05d}"}
        roll = rng.random()
        roll = {
            "retention_indefinite": 0.80,
            "retention_delegated": 0.92,
            "retention_unspecified": 0.97,
        }.get(forced or "", roll)
        if roll < 0.50:
            entry["rule"] = "fixed"
            entry["duration"] = rng.choice(["P30D", "P6M", "P1Y", "P2Y", "P3Y", "P5Y", "P10Y"])
            if rng.random() < 0.5:
                entry["maximum"] = True
        elif roll < 0.62:
            entry["rule"] = "from-event"
            entry["duration"] = rng.choice(["P1Y", "P2Y", "P6Y"])
            entry["counted_from"] = rng.choice(events)
        elif roll < 0.70:
            entry["rule"] = "calendar"
            entry["duration"] = rng.choice(["P6Y", "P10Y"])
            if rng.random() < 0.5:
                entry["counted_from"] = rng.choice(events)
        elif roll < 0.78:
            entry["rule"] = "until-event"
            entry["until"] = rng.choice(events)
        elif roll < 0.84:
            entry["rule"] = "indefinite"
        elif roll < 0.90:
            entry["rule"] = "not-stored"
        elif roll < 0.95:
            entry["rule"] = "delegated"
            entry["delegated_to"] = [f"unit-{1 + i % max(4, self.n // 8):04d}"]
        else:
            entry["rule"] = "unspecified"
        if rng.random() < 0.7:
            entry["name"] = f"Retention of activity {i}"
        if data:
            entry["data"] = data
        if rng.random() < 0.1:
            entry["after"] = "The data are anonymised for statistics."
        # Half the indefinite rules name the law that requires keeping the data.
        if entry["rule"] == "indefinite" and rng.random() < 0.5 and not forced:
            entry["laws"] = [self.rng.choice(self.sector_laws)]
        entry["derived_from"] = [derived]
        return self.add("retention", entry)

    def _activity(self, i: int, aid: str, **pools: Any) -> None:
        """One activity. Activity i <= len(EXEMPLARS) has gap EXEMPLARS[i - 1] for sure (so
        every seeded kind is there at any size); every activity may draw others."""
        rng, r = self.rng, _RATES
        forced = EXEMPLARS[i - 1] if i <= len(EXEMPLARS) else None

        def gap(name: str) -> bool:
            drawn = self.chance(r[name])  # drawn always: the same stream whatever is forced
            return drawn or forced == name

        processors_pool: list[str] = pools["processors"]
        activity: dict[str, Any] = {"id": aid, "name": f"Processing of {self.phrase()} data {i}"}
        if self.chance(0.4):
            activity["description"] = f"The activity handles {self.phrase()} cases."
        derived = [self.passage("purpose", f"Activity {i} serves its purposes.")]
        activity["units"] = self.pick(pools["units"], 1 if self.chance(0.8) else 2)
        if not gap("no_purpose"):
            activity["purposes"] = self.pick(pools["purposes"], rng.randint(1, 3))
        if not gap("no_subject"):
            activity["data_subjects"] = self.pick(pools["subjects"], rng.randint(1, 3))
        data: list[str] = []
        special_forced = forced in ("special_without_condition", "special_to_processor")
        has_special = has_criminal = has_identity = False
        if not gap("no_data"):
            data = self.pick(pools["categories"], rng.randint(1, 4))
            data += [f"pd:{t}" for t in self.pick(_PD_PLAIN, rng.randint(0, 2))]
            if self.chance(0.2):
                data.append(rng.choice(pools["groups"]))
            if gap("special") or special_forced:
                has_special = True
                data.append(
                    rng.choice(pools["special"])
                    if self.chance(0.6)
                    else f"pd:{rng.choice(_PD_SPECIAL)}"
                )
            if gap("criminal") or forced == "criminal_without_law":
                has_criminal = True
                data.append(rng.choice(pools["criminal"]))
            if gap("identity_code") or forced == "identity_code_without_act":
                has_identity = True
                data.append(rng.choice(pools["identity"]))
            activity["personal_data"] = list(dict.fromkeys(data))
            derived.append(self.passage("categories", f"Activity {i} processes its data."))
        if not gap("no_source"):
            sources = self.pick(pools["subjects"], 1)
            if self.chance(0.3):
                sources.append(rng.choice(pools["in_house"]))
            activity["sources"] = sources
            derived.append(self.passage("sources", f"Activity {i} gets data from its sources."))
        processors: list[str] = []
        if gap("processor"):
            processors = self.pick(processors_pool, 1 if self.chance(0.8) else 2)
        exemplar_processor = {
            "processor_without_contract": 0,
            "special_to_processor": 0,
            "third_country_without_mechanism": 1,
            "sub_processor_without_agreement": 3,
        }.get(forced or "")
        if exemplar_processor is not None:
            processors = [processors_pool[exemplar_processor]]
        if self.chance(0.3):
            activity["recipients"] = self.pick(pools["recipients"], rng.randint(1, 2))
        if processors:
            activity["processors"] = processors
        if processors or "recipients" in activity:
            derived.append(self.passage("disclosures", f"Activity {i} discloses data."))
        if self.chance(0.6):
            activity["systems"] = self.pick(pools["systems"], rng.randint(1, 2))

        # Legal bases and laws.
        bases: list[str] = []
        laws: list[str] = []
        if not gap("no_basis"):
            roll = rng.random()
            if forced == "obligation_without_law":
                roll = 0.1
            elif forced == "criminal_without_law":
                roll = 0.9
            if roll < 0.35:
                bases = ["eu-gdpr:A6-1-c"]
            elif roll < 0.60:
                bases = ["eu-gdpr:A6-1-e"]
            elif roll < 0.75:
                bases = ["eu-gdpr:A6-1-b"]
            elif roll < 0.85:
                bases = ["eu-gdpr:A6-1-a"]
            else:
                bases = ["eu-gdpr:A6-1-f"]
            if gap("consent_and_obligation"):
                bases = ["eu-gdpr:A6-1-a", "eu-gdpr:A6-1-c"]
            if {"eu-gdpr:A6-1-c", "eu-gdpr:A6-1-e"} & set(bases) and not gap(
                "obligation_without_law"
            ):
                laws = self.pick(pools["laws"]["sector"], rng.randint(1, 2))
        if has_special and bases and not gap("special_without_condition"):
            bases.append(f"eu-gdpr:A9-2-{rng.choice('abghj')}")
        if has_criminal and not laws and not gap("criminal_without_law"):
            laws = self.pick(pools["laws"]["sector"], 1)
        if has_identity and not gap("identity_code_without_act"):
            laws = laws + pools["laws"]["dpa"]
        abroad = [
            p for p in processors if p in pools["third_country"] or p in pools["chain_processors"]
        ]
        if abroad and bases and not gap("third_country_without_mechanism"):
            bases.append("eu-gdpr:A46-2-c")
        if bases:
            activity["legal_bases"] = bases
        if laws:
            activity["laws"] = laws

        # Measures: security measures, and the processors' contracts.
        measures: list[str] = []
        if not gap("no_measures"):
            measures = self.pick(pools["measures"], rng.randint(1, 3))
        if processors and not gap("processor_without_contract"):
            measures += [pools["contracts"][p] for p in processors]
            if not gap("sub_processor_without_agreement"):
                measures += [
                    pools["sub_contracts"][p] for p in processors if p in pools["sub_contracts"]
                ]
        if measures:
            activity["measures"] = measures

        if not gap("no_retention"):
            rpid = self.passage("retention", f"Data of activity {i} are kept as set out.")
            derived.append(rpid)
            covered = [d for d in data if not d.startswith("group-")][:3]
            activity["retention"] = [self._retention(i, covered, pools["events"], rpid, forced)]
        activity["derived_from"] = derived
        self.add("activities", activity)

    def _flows(
        self,
        activity_ids: list[str],
        units: list[str],
        in_house: list[str],
        processors: list[str],
        recipients: list[str],
        categories: list[str],
        purposes: list[str],
    ) -> None:
        """Hand-overs as an organisation has them: from an in-house register to a unit,
        from a unit to a unit further down the list, or from a unit out to a processor or
        recipient. No cycles, and nothing flows on from outside parties, so the flow
        graph stays the shape of a real one (a random graph would connect everything)."""
        rng = self.rng
        for i in range(1, max(2, self.n // 2) + 1):
            roll = rng.random()
            if roll < 0.35 and in_house:
                sender, receiver = rng.choice(in_house), rng.choice(units)
            elif roll < 0.8:
                a, b = sorted(rng.sample(range(len(units)), 2))
                sender, receiver = units[a], units[b]
            else:
                sender, receiver = rng.choice(units), rng.choice(processors + recipients)
            flow: dict[str, Any] = {"id": f"flow-{i:05d}"}
            if self.chance(0.3):
                flow["name"] = f"Hand-over of {self.phrase()} files {i}"
            flow["sender"] = sender
            flow["receiver"] = receiver
            flow["data"] = self.pick(categories, rng.randint(1, 3))
            if self.chance(0.6):
                flow["purposes"] = self.pick(purposes, rng.randint(1, 2))
            if self.chance(0.8):
                flow["activity"] = rng.choice(activity_ids)
            if self.chance(0.15):
                flow["condition"] = "Only when the case requires it."
            flow["derived_from"] = [self.passage("disclosures", f"Flow {i} hands data over.")]
            self.add("flows", flow)

    def _document(self, model: Model) -> None:
        """The register description: the title, then each section's passages, one a line."""
        lines: list[str] = []
        offset = 0

        def emit(text: str) -> int:
            nonlocal offset
            lines.append(text)
            start = offset
            offset += len(text) + 1
            return start

        for pid, quote in self.sections[None]:
            start = emit(quote)
            model.locations[pid] = Location(None, 0, len(lines), start, start + len(quote))
        for sid, heading in _SECTIONS:
            emit("")
            emit(heading)
            emit("")
            for number, (pid, quote) in enumerate(self.sections[sid], start=1):
                start = emit(quote)
                model.locations[pid] = Location(sid, number, len(lines), start, start + len(quote))
        model.lines = lines


def generate(activities: int, seed: int = 1) -> Model:
    """The synthetic organisation with ``activities`` processing activities."""
    return _Generator(activities, seed).generate()


# -- YAML -------------------------------------------------------------------------------


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value and all(c.isalnum() or c in "-:" for c in value):
        return value if value not in ("true", "false", "null", "yes", "no") else f'"{value}"'
    return json.dumps(value, ensure_ascii=False)


def _inline(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_inline(v)}" for k, v in value.items()) + "}"
    return _scalar(value)


def render_yaml(model: Model) -> tuple[dict[str, str], dict[str, dict[str, int]]]:
    """The record files' text, and the line of every key of every entry (and of the register).

    Returns:
        (file name -> text, entry id -> {key -> 1-based line}; an entry's first key is the
        line of its mapping).
    """
    files: dict[str, str] = {}
    lines_of: dict[str, dict[str, int]] = {}
    for name, kinds in FILES.items():
        out = [f"# Synthetic records ({name}): generated by bench/synth.py; fictional."]
        for kind in kinds:
            if kind == "register":
                out.append("register:")
                keys = lines_of[str(model.register["id"])] = {}
                for key, value in model.register.items():
                    keys[key] = len(out) + 1
                    if key == "sections":
                        out.append("  sections:")
                        out.extend(f"    - {_inline(s)}" for s in value)
                    else:
                        out.append(f"  {key}: {_inline(value)}")
                continue
            entries = model.entries[kind]
            if not entries:
                continue
            out.append(f"{kind}:")
            for entry in entries:
                keys = lines_of[str(entry["id"])] = {}
                for i, (key, value) in enumerate(entry.items()):
                    out.append(f"  {'  ' if i else '- '}{key}: {_inline(value)}")
                    keys[key] = len(out)
        files[name] = "\n".join(out) + "\n"
    files["register-description.txt"] = "\n".join(model.lines) + "\n"
    return files, lines_of


def write_yaml(model: Model, folder: Path) -> None:
    """Write the record set (YAML files and the register description) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    files, _ = render_yaml(model)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


# -- the built graph ---------------------------------------------------------------------


def _line_dict(
    data: dict[str, Any], line: int, key_lines: dict[str, int] | None = None
) -> LineDict:
    """``data`` as the YAML loader gives it: its keys on ``key_lines`` (an inline mapping:
    all on its own ``line``)."""
    result = LineDict()
    result.line = line
    result.key_lines = {k: (key_lines or {}).get(k, line) for k in data}
    for key, value in data.items():
        at = result.key_lines[key]
        if isinstance(value, list):
            items = LineList(value)
            items.line = at
            items.item_lines = [at] * len(value)
            result[key] = items
        elif isinstance(value, dict):
            result[key] = _line_dict(value, at)
        else:
            result[key] = value
    return result


def _make(cls: type, **values: Any) -> Any:
    """A dataclass of the engine from the values it has fields for (the engine's record
    classes grow fields: the file as the user sees it, the file as the graph names it)."""
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: v for k, v in values.items() if k in names})


def record_set(model: Model, record_dir: str = DEFAULT_RECORD_DIR) -> RecordSet:
    """The model as the engine's checked :class:`RecordSet`, as if loaded from YAML files
    in a folder ``record_dir`` outside a git work tree (so ``ropa:recordFile`` is
    ``record_dir/FILE.yaml``)."""
    from checker.records.load import Entry

    _, lines_of = render_yaml(model)
    file_of = {kind: name for name, kinds in FILES.items() for kind in kinds}
    prefix = f"{record_dir.rstrip('/')}/" if record_dir else ""
    keys = lines_of[str(model.register["id"])]
    register = _line_dict(model.register, min(keys.values()), keys)
    records: RecordSet = _make(
        RecordSet,
        register=register,
        register_file=prefix + file_of["register"],
        register_record_file=prefix + file_of["register"],
        document=Document("", {}),
        locations=dict(model.locations),
    )
    for kind in KINDS:
        for data in model.entries[kind]:
            records.entries[data["id"]] = _make(
                Entry,
                kind=kind,
                data=_line_dict(data, lines_of[data["id"]]["id"], lines_of[data["id"]]),
                file=prefix + file_of[kind],
                record_file=prefix + file_of[kind],
            )
    return records


class _Expander:
    """JSON-LD to N-Triples for the documents :func:`to_jsonld` makes (our context only)."""

    XSD = "http://www.w3.org/2001/XMLSchema#"
    RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    RDF_JSON = "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON"

    def __init__(self, context: dict[str, Any]) -> None:
        self.base: str = context["@base"]
        self.prefixes = {
            k: v
            for k, v in context.items()
            if not k.startswith("@") and isinstance(v, str) and v.endswith(("#", "/"))
        }
        self.iris: set[str] = set()  # every IRI written, for the vocabulary closure
        self.terms: dict[str, dict[str, Any]] = {}
        self.id_key = next(k for k, v in context.items() if v == "@id")
        self.type_key = next(k for k, v in context.items() if v == "@type")
        for key, value in context.items():
            if isinstance(value, dict):
                definition = dict(value)
                definition["@id"] = self.expand(definition["@id"], vocab=True)
                if definition.get("@type") not in (None, "@id", "@json"):
                    definition["@type"] = self.expand(definition["@type"], vocab=True)
                self.terms[key] = definition
        self.iris.clear()  # only the IRIs of the data count
        self.blank = 0

    def expand(self, value: str, vocab: bool = False) -> str:
        """A CURIE of the context's prefixes, an absolute IRI, or an id relative to @base.

        ``vocab`` (terms allowed) matters only for words defined as terms, which our
        records never use as values.
        """
        prefix, sep, local = value.partition(":")
        if sep and prefix in self.prefixes and not local.startswith("//"):
            iri = self.prefixes[prefix] + local
        elif sep and (local.startswith("//") or prefix in ("urn", "mailto")):
            iri = value
        else:
            iri = self.base + value
        self.iris.add(iri)
        return iri

    @staticmethod
    def literal(text: str) -> str:
        escaped = (
            text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        )
        return f'"{escaped}"'

    def node(self, data: dict[str, Any], out: list[str]) -> str:
        if self.id_key in data:
            subject = f"<{self.expand(data[self.id_key])}>"
        else:
            self.blank += 1
            subject = f"_:b{self.blank}"
        for key, value in data.items():
            if key == self.id_key:
                continue
            values = value if isinstance(value, list) else [value]
            if key == self.type_key:
                self.iris.add(self.RDF_TYPE[1:-1])
                out.extend(
                    f"{subject} {self.RDF_TYPE} <{self.expand(v, vocab=True)}> ." for v in values
                )
                continue
            term = self.terms.get(key)
            if term is None:
                continue  # JSON-LD drops keys the context does not define
            predicate = f"<{term['@id']}>"
            self.iris.add(term["@id"])
            if term.get("@container") == "@language":
                out.extend(
                    f"{subject} {predicate} {self.literal(text)}@{lang} ."
                    for lang, text in value.items()
                )
                continue
            for item in values:
                out.append(f"{subject} {predicate} {self.value(term, item, out)} .")
        return subject

    def value(self, term: dict[str, Any], item: Any, out: list[str]) -> str:
        kind = term.get("@type")
        if kind == "@json":  # a JSON literal, canonical as a JSON-LD processor writes it
            text = json.dumps(item, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            return f"{self.literal(text)}^^<{self.RDF_JSON}>"
        if isinstance(item, dict):
            return self.node(item, out)
        if kind == "@id":
            return f"<{self.expand(item)}>"
        if isinstance(item, bool):
            lexical = "true" if item else "false"
            return f'"{lexical}"^^<{kind or self.XSD + "boolean"}>'
        if isinstance(item, int):
            return f'"{item}"^^<{kind or self.XSD + "integer"}>'
        if kind:
            return f"{self.literal(item)}^^<{kind}>"
        if "@language" in term:
            return f"{self.literal(item)}@{term['@language']}"
        return self.literal(item)


def _nt_term(term: Any) -> str:
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    assert isinstance(term, Literal)
    text = _Expander.literal(str(term))
    if term.language:
        return f"{text}@{term.language}"
    if term.datatype is not None and str(term.datatype) != _Expander.XSD + "string":
        return f"{text}^^<{term.datatype}>"
    return text


def vocabulary_lines(iris: Iterable[str]) -> list[str]:
    """The vocabulary's description of the given IRIs and their ancestors, as N-Triples
    (what :func:`checker.graph.build.add_vocabulary` merges into a built graph)."""
    from rdflib import URIRef

    from checker.graph.vocabulary import vocabulary

    vocab = vocabulary()
    pending = {i for i in iris if i in vocab.terms}
    seen: set[str] = set()
    out: list[str] = []
    while pending:
        term = pending.pop()
        if term in seen:
            continue
        seen.add(term)
        for p, o in vocab.describe(URIRef(term)):
            out.append(f"<{term}> <{p}> {_nt_term(o)} .")
            if isinstance(o, URIRef) and str(o) in vocab.terms:
                pending.add(str(o))
            if str(p) in vocab.terms:
                pending.add(str(p))
    return out


def built_lines(model: Model, record_dir: str = DEFAULT_RECORD_DIR) -> list[str]:
    """The built graph of the model: sorted, unique N-Triples lines."""
    records = record_set(model, record_dir)
    doc = to_jsonld(records)
    # As checker.records.to_rdf.add_records: an activity's data groups add their members.
    members = {e.id: [str(m) for m in e.data["includes"]] for e in records.of_kind("data_groups")}
    for node in doc["@graph"]:
        if "data_groups" in node:
            data = [d for d in node["personal_data"] if d not in members]
            for group in node["data_groups"]:
                data.extend(m for m in members[group] if m not in data)
            node["personal_data"] = data
    expander = _Expander(doc["@context"])
    lines: list[str] = []
    for node in doc["@graph"]:
        expander.node(node, lines)
    lines.extend(vocabulary_lines(expander.iris))
    return sorted(set(lines))


def to_ntriples(model: Model, record_dir: str = DEFAULT_RECORD_DIR) -> bytes:
    """The built graph of the model as N-Triples bytes (sorted lines, UTF-8)."""
    return ("\n".join(built_lines(model, record_dir)) + "\n").encode("utf-8")


def activities_for(size: str) -> int:
    """Activities of a named size (``tiny``, ``10k``, ``100k``, ``1M``) or a number."""
    if size in SIZES:
        return SIZES[size]
    return int(size)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Sizes: " + ", ".join(f"{k} = {v} activities" for k, v in SIZES.items()),
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--size", choices=sorted(SIZES), default="10k", help="named size")
    group.add_argument("--activities", type=int, help="number of processing activities")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--format",
        choices=["nt", "yaml"],
        default="nt",
        help="nt: the built graph (a file); yaml: the record set (a folder)",
    )
    parser.add_argument(
        "--record-dir",
        default=DEFAULT_RECORD_DIR,
        help="folder the ropa:recordFile values name (default: synthetic)",
    )
    parser.add_argument("-o", "--output", type=Path, required=True, help="output file or folder")
    args = parser.parse_args(argv)
    activities = args.activities if args.activities is not None else SIZES[args.size]
    model = generate(activities, args.seed)
    if args.format == "yaml":
        write_yaml(model, args.output)
        print(f"wrote the record set of {activities} activities to {args.output}", file=sys.stderr)
        return 0
    data = to_ntriples(model, args.record_dir)
    args.output.write_bytes(data)
    triples = data.count(b"\n")
    print(f"wrote {triples} triples ({activities} activities) to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
