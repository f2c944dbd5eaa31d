"""What `ropa build` writes: the kitchen-sink graph, byte-stable, labelled, with provenance."""

from __future__ import annotations

import difflib
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib import namespace as rdfns
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from checker.cli import main
from checker.graph.build import build

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
RDF_DIR = TESTS / "fixtures" / "rdf"

DPV = Namespace("https://w3id.org/dpv#")
PD = Namespace("https://w3id.org/dpv/pd#")
ROPA = Namespace("https://w3id.org/ropa-kg/ontology#")
OA = Namespace("http://www.w3.org/ns/oa#")
DCT = Namespace("http://purl.org/dc/terms/")
KS = Namespace("https://example.org/ropa/helpdesk/")
EX = Namespace("https://example.org/extra/")

XSD_DURATION = URIRef("http://www.w3.org/2001/XMLSchema#duration")
# (XSD itself is not imported at module level: pytest's collection pokes it and warns.)
PARSE_FORMAT = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld"}


def _without_record_lines(graph: Graph) -> Graph:
    out = Graph()
    for triple in graph:
        if triple[1] not in (ROPA.recordLine, ROPA.recordFile, ROPA.recordKeyLines):
            out.add(triple)
    return out


@pytest.fixture
def ks_graph(kitchen_sink) -> Graph:
    return build([kitchen_sink.path])


# --- Builds, round trips ---------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".ttl", ".nt", ".jsonld"])
def test_kitchen_sink_output_parses_back_to_the_same_graph(kitchen_sink, ropa_build, suffix):
    run = ropa_build(kitchen_sink, output=f"out{suffix}")
    assert run.result.exit_code == 0, run.text
    assert f"to out{suffix}" in run.text
    written = Graph().parse(run.output, format=PARSE_FORMAT[suffix])
    expected = build([kitchen_sink.path])
    assert len(written) == len(expected) > 1000
    assert isomorphic(written, expected)


def test_stdout_is_the_turtle_of_the_file(kitchen_sink, ropa_build):
    to_file = ropa_build(kitchen_sink)
    to_stdout = ropa_build(kitchen_sink, output=None)
    assert to_stdout.result.exit_code == 0
    assert to_stdout.result.stdout_bytes == to_file.output.read_bytes()


def test_output_file_gets_ordinary_permissions(kitchen_sink, ropa_build):
    """The output is readable like any file the user creates (umask), not 0600."""
    umask = os.umask(0)
    os.umask(umask)
    run = ropa_build(kitchen_sink)
    assert run.result.exit_code == 0
    assert stat.S_IMODE(run.output.stat().st_mode) == 0o666 & ~umask


# --- Byte-identical output --------------------------------------------------------------------

_DRIVER = """
import sys
from click.testing import CliRunner
from checker.cli import main
seed = sys.argv[1]
for name, paths in (("ks", ["ks"]), ("mixed", ["ks", "extra.ttl"])):
    for ext in ("ttl", "nt", "jsonld"):
        result = CliRunner().invoke(main, ["build", *paths, "-o", f"{seed}-{name}.{ext}"])
        assert result.exit_code == 0, result.output
"""


@pytest.fixture(scope="module")
def outputs_of_two_processes(tmp_path_factory) -> Path:
    """Build in two processes with different hash seeds (as two machines would)."""
    work = tmp_path_factory.mktemp("determinism")
    shutil.copytree(TESTS / "fixtures" / "kitchen-sink", work / "ks")
    shutil.copyfile(RDF_DIR / "extra.ttl", work / "extra.ttl")  # has blank nodes
    for seed in ("0", "1"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)}
        subprocess.run(
            [sys.executable, "-c", _DRIVER, seed], cwd=work, env=env, check=True, timeout=300
        )
    return work


@pytest.mark.parametrize("ext", ["ttl", "nt", "jsonld"])
@pytest.mark.parametrize("inputs", ["ks", "mixed"])
def test_same_input_gives_identical_bytes(outputs_of_two_processes, inputs, ext):
    first = (outputs_of_two_processes / f"0-{inputs}.{ext}").read_bytes()
    second = (outputs_of_two_processes / f"1-{inputs}.{ext}").read_bytes()
    assert len(first) > 10_000
    assert first == second, f"{inputs}.{ext} differs between two builds of the same input"


def test_in_process_rebuild_gives_identical_bytes(kitchen_sink, ropa_build):
    first = ropa_build(kitchen_sink, output="a.ttl").output.read_bytes()
    second = ropa_build(kitchen_sink, output="b.ttl").output.read_bytes()
    assert first == second


def test_output_does_not_depend_on_the_working_directory(kitchen_sink, monkeypatch):
    """The same record set built from two working directories gives the same Turtle.

    (ropa:recordFile must not carry the path from wherever the build was started, or an
    installed package's absolute site-packages path.)
    """
    runner = CliRunner()
    inside = runner.invoke(main, ["build", "ks", "-o", "inside.ttl"])
    assert inside.exit_code == 0, inside.output
    monkeypatch.chdir(kitchen_sink.path)
    outside = runner.invoke(main, ["build", ".", "-o", "../outside.ttl"])
    assert outside.exit_code == 0, outside.output
    parent = kitchen_sink.path.parent
    assert (parent / "inside.ttl").read_bytes() == (parent / "outside.ttl").read_bytes()


# --- Order of entries does not matter ---------------------------------------------------------


def test_reordering_and_moving_entries_keeps_the_graph(kitchen_sink, ropa_build):
    before = ropa_build(kitchen_sink, output="before.ttl").output

    # 1. Reverse the retention rules of activities.yaml.
    text = kitchen_sink.text("activities.yaml")
    head, rest = text.split("retention:\n", 1)
    rules, tail = rest.split("\n\n", 1)
    reordered = "\n".join(reversed(rules.splitlines()))
    assert reordered != rules
    (kitchen_sink.path / "activities.yaml").write_text(
        f"{head}retention:\n{reordered}\n\n{tail}", encoding="utf-8"
    )
    # 2. Move the laws from register.yaml to a file of their own.
    register = kitchen_sink.text("register.yaml")
    main_part, laws = register.split("\nlaws:\n")
    (kitchen_sink.path / "register.yaml").write_text(main_part + "\n", encoding="utf-8")
    kitchen_sink.write("laws.yaml", "laws:\n" + laws)
    # 3. Swap the two events.
    data = kitchen_sink.text("data.yaml")
    first, second = (
        line
        for line in data.splitlines()
        if "{id: end-of-customer" in line or "{id: question-closed" in line
    )
    kitchen_sink.edit("data.yaml", first + "\n" + second, second + "\n" + first)

    after = ropa_build(kitchen_sink, output="after.ttl").output
    graph_before = Graph().parse(before, format="turtle")
    graph_after = Graph().parse(after, format="turtle")
    assert not isomorphic(graph_before, graph_after)  # recordLine / recordFile changed
    assert isomorphic(_without_record_lines(graph_before), _without_record_lines(graph_after))

    changed = [
        line
        for line in difflib.unified_diff(
            before.read_text(encoding="utf-8").splitlines(),
            after.read_text(encoding="utf-8").splitlines(),
            lineterm="",
            n=0,
        )
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert changed
    assert all("ropa:record" in line for line in changed), changed
    laws_file = (KS["example-act"], ROPA.recordFile, Literal("ks/laws.yaml"))
    assert laws_file in graph_after


# --- Labels ------------------------------------------------------------------------------------

_STANDARD = tuple(str(ns) for ns in (RDF, RDFS, OWL, SKOS, rdfns.XSD))


def test_every_iri_has_a_label(ks_graph):
    iris = {t for triple in ks_graph for t in triple if isinstance(t, URIRef)}
    iris = {i for i in iris if not str(i).startswith(_STANDARD)}
    assert len(iris) > 100
    unlabelled = sorted(
        i
        for i in iris
        if (i, RDFS.label, None) not in ks_graph and (i, SKOS.prefLabel, None) not in ks_graph
    )
    assert unlabelled == []


def test_names_keep_their_languages(ks_graph):
    labels = set(ks_graph.objects(KS["example-agency"], RDFS.label))
    assert labels == {
        Literal("Example Agency", lang="en"),
        Literal("Esimerkkivirasto", lang="fi"),
        Literal("Exempelverket", lang="sv"),
    }


# --- Provenance ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("passage", "heading", "item", "line"),
    [
        ("p-purpose", "Purpose of processing personal data", 1, 5),
        ("p-special", "Categories of personal data", 2, 12),
        ("p-two-years", "Personal data retention and disposal times", 1, 27),
        ("p-contact", "Contact person of the data controller", 1, 37),
    ],
)
def test_passage_provenance(kitchen_sink, ks_graph, passage, heading, item, line):
    g = ks_graph
    node = KS[passage]
    quote = next(
        s.split("quote: ", 1)[1].rstrip("}").strip('"')
        for s in kitchen_sink.text("register.yaml").splitlines()
        if f"{{id: {passage}," in s
    )
    document = kitchen_sink.text("register-description.txt")

    assert (node, RDF.type, ROPA.Passage) in g
    selectors = set(g.objects(node, OA.hasSelector))
    (text_quote,) = [s for s in selectors if (s, RDF.type, OA.TextQuoteSelector) in g]
    (position,) = [s for s in selectors if (s, RDF.type, OA.TextPositionSelector) in g]
    assert g.value(text_quote, OA.exact) == Literal(quote)
    start, end = g.value(position, OA.start).toPython(), g.value(position, OA.end).toPython()
    # Offsets count characters (code points), not bytes: "•" before some quotes is 3 bytes.
    assert document[start:end] == quote

    section = g.value(node, ROPA.inSection)
    assert g.value(section, ROPA.heading) == Literal(heading, lang="en")
    assert g.value(node, ROPA.item).toPython() == item
    assert g.value(node, ROPA.documentLine).toPython() == line
    assert quote in document.split("\n")[line - 1]
    source = g.value(node, OA.hasSource)
    assert (source, RDF.type, ROPA.RegisterDescription) in g
    assert (source, DCT.hasPart, section) in g


def test_entries_point_to_their_passages_and_records(ks_graph):
    activity = KS["answering-questions"]
    assert set(ks_graph.objects(activity, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"))) == {
        KS["p-purpose"],
        KS["p-quality"],
        KS["p-categories"],
        KS["p-law"],
        KS["p-agreement"],
        KS["p-special-basis"],
        KS["p-rights"],
    }
    assert ks_graph.value(activity, ROPA.recordFile) == Literal("ks/activities.yaml")
    assert ks_graph.value(activity, ROPA.recordLine).toPython() == 27


# --- Retention ---------------------------------------------------------------------------------

_DURATION_CLASSES = {
    DPV.TemporalDuration,
    DPV.UntilEventDuration,
    DPV.EndlessDuration,
    DPV.IndeterminateDuration,
    ROPA.CurrentYearPlus,
    ROPA.NotStored,
    ROPA.DelegatedRetention,
}


@pytest.mark.parametrize(
    ("rule", "duration_class", "facts"),
    [
        (
            "questions-two-years",
            DPV.TemporalDuration,
            {RDF.value: Literal("P2Y", datatype=XSD_DURATION), ROPA.isMaximum: Literal(True)},
        ),
        (
            "cards-calendar",
            ROPA.CurrentYearPlus,
            {
                RDF.value: Literal("P6Y", datatype=XSD_DURATION),
                ROPA.countedFrom: KS["end-of-customer-status"],
            },
        ),
        (
            "cards-from-event",
            DPV.UntilEventDuration,
            {
                RDF.value: Literal("P6Y", datatype=XSD_DURATION),
                ROPA.countedFrom: KS["end-of-customer-status"],
            },
        ),
        ("ombudsman-indefinite", DPV.EndlessDuration, {}),
        ("logs-not-stored", ROPA.NotStored, {}),
        ("licence-delegated", ROPA.DelegatedRetention, {ROPA.delegatedTo: KS["licensing-unit"]}),
        (
            "recordings-until-closed",
            DPV.UntilEventDuration,
            {ROPA.untilEvent: KS["question-closed"]},
        ),
        ("unspecified-retention", DPV.IndeterminateDuration, {}),
    ],
)
def test_retention_rule_becomes_its_dpv_duration(ks_graph, rule, duration_class, facts):
    g = ks_graph
    node = KS[rule]
    assert (node, RDF.type, DPV.StorageDuration) in g
    assert (node, RDF.type, ROPA.RetentionRule) in g
    duration = g.value(node, DPV.hasDuration)
    assert duration is not None
    types = set(g.objects(duration, RDF.type)) & _DURATION_CLASSES
    allowed = {duration_class}
    if duration_class == ROPA.CurrentYearPlus:
        allowed.add(DPV.TemporalDuration)  # a calendar rule is also a temporal duration
    assert duration_class in types
    assert types <= allowed
    for predicate, value in facts.items():
        assert set(g.objects(duration, predicate)) == {value}, predicate
    if RDF.value not in facts:
        assert g.value(duration, RDF.value) is None
    assert (duration, RDFS.label, None) in g


def test_calendar_duration_is_also_a_temporal_duration(ks_graph):
    """docs/records.md: calendar -> `dpv:TemporalDuration` + `ropa:CurrentYearPlus`."""
    duration = ks_graph.value(KS["cards-calendar"], DPV.hasDuration)
    assert (duration, RDF.type, ROPA.CurrentYearPlus) in ks_graph
    assert (duration, RDF.type, DPV.TemporalDuration) in ks_graph


def test_activity_storage_conditions(ks_graph):
    assert set(ks_graph.objects(KS["answering-questions"], DPV.hasStorageCondition)) == {
        KS["questions-two-years"],
        KS["logs-not-stored"],
        KS["recordings-until-closed"],
    }


# --- Data groups, controller, register -----------------------------------------------------------


def test_data_group_members_become_personal_data_of_the_activity(ks_graph):
    activity = KS["answering-questions"]
    assert set(ks_graph.objects(activity, ROPA.hasDataGroup)) == {KS["asker-contact"]}
    assert set(ks_graph.objects(activity, DPV.hasPersonalData)) == {
        PD.Name,
        PD.EmailAddress,
        PD.TelephoneNumber,  # the members of asker-contact
        KS["question-content"],
        KS["special-in-questions"],
    }
    assert set(ks_graph.objects(KS["asker-contact"], ROPA.includes)) == {
        PD.Name,
        PD.EmailAddress,
        PD.TelephoneNumber,
    }


def test_controller_of_the_register_controls_every_activity(ks_graph):
    activities = set(ks_graph.subjects(RDF.type, DPV.Process))
    assert activities == {KS["answering-questions"]}
    for activity in activities:
        assert ks_graph.value(activity, DPV.hasDataController) == KS["example-agency"]
    register = KS["helpdesk"]
    assert (register, RDF.type, DPV.ROPA) in ks_graph
    assert set(ks_graph.objects(register, DCT.hasPart)) == activities


def test_vocabulary_hierarchy_comes_along(ks_graph):
    # The purpose's DPV parent and its ancestors are described, for queries without inference.
    assert (KS["answer-questions"], SKOS.broader, DPV.CustomerCare) in ks_graph
    assert (DPV.CustomerCare, SKOS.prefLabel, None) in ks_graph
    assert (DPV.CustomerCare, SKOS.broader, None) in ks_graph


# --- Mixing record sets and RDF files -----------------------------------------------------------


def test_record_set_and_rdf_files_merge_into_one_graph(kitchen_sink, ropa_build, workdir):
    for name in ("extra.ttl", "extra.jsonld", "extra.nt", "internal-entities.rdf"):
        shutil.copyfile(RDF_DIR / name, workdir / name)
    run = ropa_build(kitchen_sink, "extra.ttl", "extra.jsonld", "extra.nt", "internal-entities.rdf")
    assert run.result.exit_code == 0, run.text
    g = Graph().parse(run.output, format="turtle")
    processes = set(g.subjects(RDF.type, DPV.Process))
    assert processes == {
        KS["answering-questions"],
        EX.newsletter,
        EX.surveys,
        EX.archive,
        EX.payroll,
    }
    # The Turtle file's blank-node storage condition survived.
    (condition,) = g.objects(EX.newsletter, DPV.hasStorageCondition)
    assert (g.value(condition, DPV.hasDuration), RDF.type, DPV.TemporalDuration) in g
    # Vocabulary terms used only by the RDF files got their labels too.
    assert (DPV.ServiceOptimisation, SKOS.prefLabel, None) in g
    assert (DPV.HumanResourceManagement, SKOS.prefLabel, None) in g
    alone = build([kitchen_sink.path])
    assert len(g) > len(alone)


# --- Third-party DPV data: the W3C DPV examples -------------------------------------------------


def _dpv_examples() -> Path | None:
    here = Path(__file__).resolve()
    for candidate in (
        here.parents[2] / "shared",
        here.parents[1].parent / "shared",
        here.parents[1] / "shared",
    ):
        folder = candidate / "vocab" / "dpv-examples"
        if folder.is_dir():
            return folder
    return None


DPV_EXAMPLES = _dpv_examples()
#: Not valid Turtle as published (see dpv-examples/README.md), with the line rdflib reports.
INVALID_EXAMPLES = {"E0030.ttl": 25, "E0059.ttl": 29, "E0061.ttl": 43}


@pytest.fixture(scope="module")
def dpv_example_results():
    if DPV_EXAMPLES is None:
        pytest.skip("shared/vocab/dpv-examples not found beside the repository")
    runner = CliRunner()
    results = {}
    for path in sorted(DPV_EXAMPLES.glob("*.ttl")):
        results[path.name] = runner.invoke(main, ["build", str(path)])
    return results


def test_dpv_examples_are_all_there(dpv_example_results):
    assert len(dpv_example_results) == 88
    assert min(dpv_example_results) == "E0001.ttl"
    assert max(dpv_example_results) == "E0088.ttl"


def test_every_dpv_example_builds_or_fails_cleanly(dpv_example_results):
    crashed = {
        name: result.output[-500:]
        for name, result in dpv_example_results.items()
        if result.exit_code not in (0, 2)
        or "Traceback" in result.output
        or (result.exit_code == 2 and not isinstance(result.exception, SystemExit))
    }
    assert crashed == {}
    built = [name for name, result in dpv_example_results.items() if result.exit_code == 0]
    assert len(built) == 85


def test_invalid_dpv_examples_are_named_with_their_line(dpv_example_results):
    failed = {n: r for n, r in dpv_example_results.items() if r.exit_code != 0}
    assert set(failed) == set(INVALID_EXAMPLES)
    for name, line in INVALID_EXAMPLES.items():
        output = failed[name].output
        assert f"{name}:{line}: turtle syntax error" in output, output
        assert len(output.strip().splitlines()) == 1


def test_a_dpv_example_graph_is_in_the_output(dpv_example_results):
    result = dpv_example_results["E0001.ttl"]
    graph = Graph().parse(data=result.stdout_bytes, format="turtle")
    campaign_a = URIRef("http://example.com/ns#CampaignA")
    assert (campaign_a, SKOS.broader, DPV.DirectMarketing) in graph
    assert (DPV.Marketing, SKOS.prefLabel, None) in graph  # the vocabulary came along
