"""OWL consistency of the records (owlready2 with the HermiT reasoner), opt-in: ``--owl``.

The records are projected onto a small OWL ontology whose axioms say what no record may
contradict:

- ``dpv:hasDataController`` and ``dpv:hasDataProcessor`` are disjoint properties: the
  controller of an activity cannot also be its processor (GDPR Art. 4(7), 4(8), 28);
- ``dpv:PersonalData`` and ``dpv:AnonymisedData`` are disjoint classes: anonymised data
  is not personal data (Recital 26), so a category cannot be both.

HermiT decides consistency. When the whole is inconsistent, the activities are split in
halves until each inconsistent one is found, and each becomes an OWL-CONSISTENCY finding.
HermiT runs on Java (a JVM start costs about a second), which is why this rule is opt-in.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence

from rdflib import Graph, URIRef

from checker.check.context import SourceIndex, finding_for
from checker.check.findings import Finding, Severity
from checker.errors import RopaError
from checker.vocab.namespaces import DPV, RDF, SKOS


class ReasonerUnavailable(RopaError):
    """The OWL reasoner cannot run here (no Java)."""


def _is_a(graph: Graph, node: URIRef, cls: URIRef) -> bool:
    return cls in graph.objects(node, RDF.type) or cls in graph.transitive_objects(
        node, SKOS.broader
    )


def _consistent(graph: Graph, activities: Sequence[URIRef]) -> bool:
    """Run HermiT over the projection of ``activities``."""
    # Imported here: owlready2 (and the JVM it starts) is for --owl only.
    import owlready2 as ow

    world = ow.World()
    onto = world.get_ontology("https://w3id.org/ropa-kg/consistency#")
    with onto:

        class Agent(ow.Thing):
            pass

        class Process(ow.Thing):
            pass

        class PersonalData(ow.Thing):
            pass

        class AnonymisedData(ow.Thing):
            pass

        ow.AllDisjoint([PersonalData, AnonymisedData])

        class hasDataController(ow.ObjectProperty):
            pass

        class hasDataProcessor(ow.ObjectProperty):
            pass

        class hasPersonalData(ow.ObjectProperty):
            range = [PersonalData]  # noqa: RUF012 (owlready2 reads class attributes)

        ow.AllDisjoint([hasDataController, hasDataProcessor])
        individuals: dict[URIRef, ow.Thing] = {}

        def individual(node: URIRef, cls: type) -> ow.Thing:
            if node not in individuals:
                individuals[node] = cls(f"n{len(individuals)}")
            return individuals[node]

        for i, activity in enumerate(activities):
            process = Process(f"a{i}")
            for controller in graph.objects(activity, DPV.hasDataController):
                process.hasDataController.append(individual(controller, Agent))
            for processor in graph.objects(activity, DPV.hasDataProcessor):
                process.hasDataProcessor.append(individual(processor, Agent))
            for data in graph.objects(activity, DPV.hasPersonalData):
                if not isinstance(data, URIRef):
                    continue
                thing = individual(data, PersonalData)
                if _is_a(graph, data, DPV.AnonymisedData) and AnonymisedData not in thing.is_a:
                    thing.is_a.append(AnonymisedData)
                process.hasPersonalData.append(thing)
    try:
        ow.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    except ow.OwlReadyInconsistentOntologyError:
        return False
    except (ow.OwlReadyJavaError, OSError) as exc:
        raise ReasonerUnavailable(f"the OWL reasoner could not run: {exc}") from None
    finally:
        world.close()
    return True


def _inconsistent(graph: Graph, activities: list[URIRef]) -> list[URIRef]:
    """The activities that are inconsistent on their own, found by halving."""
    if not activities or _consistent(graph, activities):
        return []
    if len(activities) == 1:
        return activities
    middle = len(activities) // 2
    return _inconsistent(graph, activities[:middle]) + _inconsistent(graph, activities[middle:])


def owl_consistency(graph: Graph, index: SourceIndex) -> list[Finding]:
    """OWL-CONSISTENCY findings, one per activity the reasoner finds inconsistent."""
    if shutil.which("java") is None:
        raise ReasonerUnavailable("the OWL check (--owl) needs Java on the PATH")
    activities = sorted(a for a in index.activities if isinstance(a, URIRef))
    return [
        finding_for(
            graph,
            index,
            severity=Severity.VIOLATION,
            rule="OWL-CONSISTENCY",
            message="The record contradicts the ontology: its controller is also its "
            "processor, or a data category is both personal and anonymised. A controller "
            "processes on its own behalf (Art. 4(7)); a processor for a controller "
            "(Art. 4(8), 28); anonymised data is not personal data (Recital 26). Correct the "
            "roles or the category.",
            article="GDPR Art. 4(7), 4(8), 28; Recital 26",
            focus=activity,
        )
        for activity in _inconsistent(graph, activities)
    ]
