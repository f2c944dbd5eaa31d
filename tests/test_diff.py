"""`ropa diff`: what a change of the records means, between paths and git revisions.

Each folder of ``tests/fixtures/diff/`` is one kind of change: ``old/`` and ``new/`` are
small record sets derived from the kitchen sink.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from rdflib import Graph, URIRef

from checker.cli import main
from checker.diff.compare import compare_retention, diff_graphs, normalise
from checker.diff.model import Change, Diff
from checker.diff.render import render
from checker.errors import InputError
from checker.graph.build import build
from checker.graph.retention import Retention, read_retention
from checker.graph.revisions import load_version, record_set_folders
from checker.vocab import durations

FIXTURES = Path(__file__).parent / "fixtures"
CASES = FIXTURES / "diff"
KITCHEN_SINK = FIXTURES / "kitchen-sink"
BASE = "https://example.org/ropa/helpdesk/"
LOC = "https://w3id.org/dpv/loc#"
PD = "https://w3id.org/dpv/pd#"


def iri(entry: str) -> str:
    return BASE + entry


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["diff", *args])
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.output


_DIFFS: dict[str, Diff] = {}


def case_diff(case: str) -> Diff:
    """The diff of one fixture case (built and checked once per test session)."""
    if case not in _DIFFS:
        old, new = CASES / case / "old", CASES / case / "new"
        _DIFFS[case] = diff_graphs(build([old]), build([new]), old_name="old", new_name="new")
    return _DIFFS[case]


def the_activity(diff: Diff, entry: str):
    [activity] = [a for a in diff.activities if a.iri == iri(entry)]
    return activity


def changes(diff: Diff, entry: str, aspect: str) -> set[tuple[str, str | None]]:
    """(action, value) of one aspect of one activity."""
    return {(c.action, c.value) for c in the_activity(diff, entry).changes if c.aspect == aspect}


def rules(findings) -> set[str]:
    return {f.rule for f in findings}


def risks(diff: Diff) -> set[tuple[str, str, str]]:
    return {(r.kind, r.activity, r.value) for r in diff.risks}


# --- One check per kind of change ------------------------------------------------------------


def expect_activity_added(d: Diff) -> None:
    activity = the_activity(d, "sending-newsletter")
    assert activity.status == "added" and activity.label == "Sending the newsletter"
    assert len(d.activities) == 1
    assert changes(d, "sending-newsletter", "purposes") == {("added", iri("send-newsletter"))}
    assert ("added", PD + "EmailAddress") in changes(d, "sending-newsletter", "personal_data")
    assert changes(d, "sending-newsletter", "legal_bases") == {
        ("added", "https://w3id.org/dpv/legal/eu/gdpr#A6-1-a")
    }
    [retention] = [c for c in activity.changes if c.aspect == "retention"]
    assert (retention.action, retention.new) == ("added", "until The subscriber unsubscribes")
    assert not d.risks
    assert {e.iri for e in d.entries if e.status == "added"} >= {
        iri("subscribers"),
        iri("send-newsletter"),
    }


def expect_activity_removed(d: Diff) -> None:
    [activity] = d.activities
    assert (activity.iri, activity.status, activity.changes) == (
        iri("recording-calls"),
        "removed",
        (),
    )
    assert activity.label == "Recording telephone calls"
    assert not d.introduced and not d.risks
    assert all(f.activity == iri("recording-calls") for f in d.resolved)


def expect_activity_renamed(d: Diff) -> None:
    [activity] = d.activities
    assert activity.status == "changed"
    assert activity.old_label == "Recording telephone calls"
    assert activity.label == "Recording telephone calls for staff training"
    assert {c.aspect: c.action for c in activity.changes} == {
        "name": "renamed",
        "description": "changed",
    }
    assert not d.entries and not d.introduced and not d.resolved


def expect_purposes(d: Diff) -> None:
    assert changes(d, "answering-questions", "purposes") == {
        ("added", iri("staff-training")),
        ("removed", iri("follow-up-quality")),
    }
    assert [a.iri for a in d.activities] == [iri("answering-questions")]


def expect_personal_data(d: Diff) -> None:
    # The group named pd:Name, pd:EmailAddress and pd:TelephoneNumber; the new version names
    # two of them directly: only the telephone number is gone.
    assert changes(d, "answering-questions", "personal_data") == {
        ("added", iri("customer-number")),
        ("removed", PD + "TelephoneNumber"),
    }
    assert changes(d, "answering-questions", "data_groups") == {("removed", iri("asker-contact"))}
    assert not d.risks


def expect_subjects_sources_recipients(d: Diff) -> None:
    assert changes(d, "answering-questions", "data_subjects") == {("added", iri("representatives"))}
    assert changes(d, "answering-questions", "sources") == {("added", iri("population-register"))}
    assert changes(d, "answering-questions", "recipients") == {
        ("added", iri("example-tax-office")),
        ("removed", iri("licensing-unit")),
    }


def expect_processor_added(d: Diff) -> None:
    assert changes(d, "recording-calls", "processors") == {("added", iri("example-voice"))}
    assert risks(d) == {
        ("external-processor", iri("recording-calls"), iri("example-voice")),
        ("new-country", iri("recording-calls"), LOC + "US"),
    }
    [country] = [r for r in d.risks if r.kind == "new-country"]
    assert "outside the EU/EEA" in country.detail
    # First the processor (Art. 28) and then the country, in the order of RISK_TITLES.
    assert [r.kind for r in d.risks] == ["external-processor", "new-country"]
    assert "ART28-3-CONTRACT" in rules(d.introduced)
    assert not d.resolved
    assert [(e.iri, e.status) for e in d.entries] == [(iri("example-voice"), "added")]


def expect_contract_added(d: Diff) -> None:
    assert changes(d, "recording-calls", "measures") == {("added", iri("voice-contract"))}
    assert "ART28-3-CONTRACT" in rules(d.resolved)
    assert "ART28-3-CONTRACT" not in rules(d.introduced)
    assert not d.risks


def expect_legal_basis(d: Diff) -> None:
    gdpr = "https://w3id.org/dpv/legal/eu/gdpr#"
    assert changes(d, "answering-questions", "legal_bases") == {
        ("added", gdpr + "A6-1-e"),
        ("removed", gdpr + "A6-1-c"),
    }
    text = render("text", d)
    assert "legal bases: Art 6(1-c) legal obligation → Art 6(1-e)" in text
    # Issue 15, item 12: a legal basis removed is a risk-raising change, whatever replaces it.
    assert risks(d) == {("legal-basis-removed", iri("answering-questions"), gdpr + "A6-1-c")}
    [risk] = d.risks
    assert "public interest" in risk.detail  # names the basis the activity now rests on


def _retention(d: Diff, entry: str) -> Change:
    [change] = [c for c in the_activity(d, entry).changes if c.aspect == "retention"]
    return change


def expect_retention_longer(d: Diff) -> None:
    change = _retention(d, "answering-questions")
    assert (change.action, change.old, change.new) == (
        "longer",
        "at most 2 years",
        "at most 3 years",
    )
    assert risks(d) == {
        ("longer-retention", iri("answering-questions"), iri("questions-two-years"))
    }
    [entry] = d.entries
    assert entry.iri == iri("questions-two-years") and entry.status == "changed"
    duration = next(x for x in entry.details if x.label == "duration")
    assert (duration.added, duration.removed) == (("P3Y",), ("P2Y",))


def expect_retention_shorter(d: Diff) -> None:
    change = _retention(d, "answering-questions")
    # P12M is one year: the rule that replaces the old one is compared with it.
    assert (change.action, change.value, change.old, change.new) == (
        "shorter",
        iri("questions-one-year"),
        "at most 2 years",
        "at most 1 year",
    )
    assert not d.risks


def expect_retention_indefinite(d: Diff) -> None:
    change = _retention(d, "answering-questions")
    assert (change.action, change.new) == ("indefinite", "indefinitely")
    assert risks(d) == {
        ("longer-retention", iri("answering-questions"), iri("questions-indefinitely"))
    }


def _expect_retention_gone(
    d: Diff, entry: str, rule: str, words: tuple, left: str, finding: str
) -> None:
    """Issue 15, item 12: the activity's data are left without a time limit for erasure."""
    change = _retention(d, entry)
    assert (change.action, change.value, change.old, change.new) == (
        words[0],
        iri(rule),
        *words[1:],
    )
    assert risks(d) == {("retention-removed", iri(entry), iri(rule))}
    [risk] = d.risks
    assert left in risk.detail
    assert finding in rules(d.introduced)


def expect_retention_removed(d: Diff) -> None:
    _expect_retention_gone(
        d,
        "recording-calls",
        "recordings-until-closed",
        ("removed", "until The question is closed", None),
        "no retention rule is left",
        "ART30-1-F-RETENTION",
    )


def expect_retention_unspecified(d: Diff) -> None:
    # A period replaced by "a pre-determined time" drops the time limit as a removal does.
    _expect_retention_gone(
        d,
        "answering-questions",
        "questions-two-years",
        ("changed", "at most 2 years", "an unspecified period"),
        "no rule left gives a period",
        "RETENTION-UNSPECIFIED",
    )


def expect_safeguard_removed(d: Diff) -> None:
    gdpr = "https://w3id.org/dpv/legal/eu/gdpr#"
    assert changes(d, "recording-calls", "legal_bases") == {("removed", gdpr + "A46-2-c")}
    assert changes(d, "recording-calls", "measures") == {("removed", iri("voice-sccs"))}
    # Issue 15, item 12: both the transfer basis and the transfer tool are safeguards, and a
    # transfer basis removed is not reported a second time as a legal basis removed.
    assert risks(d) == {
        ("safeguard-removed", iri("recording-calls"), gdpr + "A46-2-c"),
        ("safeguard-removed", iri("recording-calls"), iri("voice-sccs")),
    }
    assert "TRANSFER-THIRD-COUNTRY" in rules(d.introduced)
    markdown = render("markdown", d)
    assert markdown.count("Transfer safeguard removed (GDPR Chapter V)") == 2


def expect_special_category(d: Diff) -> None:
    assert changes(d, "recording-calls", "personal_data") == {
        ("added", iri("health-in-recordings"))
    }
    assert risks(d) == {("special-category", iri("recording-calls"), iri("health-in-recordings"))}
    assert "ART9-2-CONDITION" in rules(d.introduced)


def expect_new_country(d: Diff) -> None:
    # No line of any activity changed, but the processor and its system moved abroad.
    assert not d.activities
    assert risks(d) == {("new-country", iri("answering-questions"), LOC + "US")}
    mail = next(e for e in d.entries if e.iri == iri("example-mail"))
    location = next(x for x in mail.details if x.label == "has location")
    assert (location.added, location.removed) == (("United States of America",), ("Finland",))
    assert d.introduced  # the transfer rules fire on the new version


def expect_units_and_flows(d: Diff) -> None:
    assert changes(d, "answering-questions", "units") == {("added", iri("training-team"))}
    assert changes(d, "answering-questions", "flows") == {
        ("added", iri("questions-to-tax-office")),
        ("added", iri("questions-to-training-team")),
        ("removed", iri("questions-to-licensing")),
    }
    # The flow to the tax office leaves the controller; the one to the training team
    # (a unit of the helpdesk) does not.
    assert risks(d) == {("flow-out", iri("answering-questions"), iri("questions-to-tax-office"))}
    # The flows are reported with their activity, not again as entries.
    assert {e.iri for e in d.entries} == {iri("training-team"), iri("example-tax-office")}


def expect_entry_changed(d: Diff) -> None:
    assert not d.activities and not d.risks and not d.equivalent
    assert {(e.iri, e.status) for e in d.entries} == {
        (iri("example-mail"), "changed"),
        (iri("follow-up-quality"), "changed"),
    }
    mail = next(e for e in d.entries if e.iri == iri("example-mail"))
    [name] = mail.details
    assert name.label == "name"
    assert set(name.added) == {"Example Mail Oy", "Esimerkkiposti Oy"}
    assert name.removed == ("Example Mail Ltd",)


def expect_dpia_withdrawn(d: Diff) -> None:
    assert risks(d) == {
        ("dpia-withdrawn", iri("answering-questions"), iri("answering-questions") + "#dpia")
    }
    [risk] = d.risks
    assert "no longer recorded" in risk.detail and "Art. 35(1)" in risk.detail


def expect_review_lapsed(d: Diff) -> None:
    activity = iri("answering-questions")
    assert risks(d) == {("review-lapsed", activity, activity)}
    [risk] = d.risks
    assert "no longer recorded" in risk.detail


def expect_reordered(d: Diff) -> None:
    assert d.equivalent
    assert d == Diff("old", "new")


EXPECTATIONS: dict[str, Callable[[Diff], None]] = {
    "activity-added": expect_activity_added,
    "activity-removed": expect_activity_removed,
    "activity-renamed": expect_activity_renamed,
    "purposes": expect_purposes,
    "personal-data": expect_personal_data,
    "subjects-sources-recipients": expect_subjects_sources_recipients,
    "processor-added": expect_processor_added,
    "contract-added": expect_contract_added,
    "legal-basis": expect_legal_basis,
    "retention-longer": expect_retention_longer,
    "retention-shorter": expect_retention_shorter,
    "retention-indefinite": expect_retention_indefinite,
    "retention-removed": expect_retention_removed,
    "retention-unspecified": expect_retention_unspecified,
    "safeguard-removed": expect_safeguard_removed,
    "special-category": expect_special_category,
    "new-country": expect_new_country,
    "units-and-flows": expect_units_and_flows,
    "entry-changed": expect_entry_changed,
    "reordered": expect_reordered,
    "dpia-withdrawn": expect_dpia_withdrawn,
    "review-lapsed": expect_review_lapsed,
}


def test_every_fixture_case_has_an_expectation() -> None:
    found = sorted(p.name for p in CASES.iterdir() if p.is_dir())
    assert found == sorted(EXPECTATIONS)
    assert len(found) == 22
    for case in found:
        assert (CASES / case / "old").is_dir() and (CASES / case / "new").is_dir()


@pytest.mark.parametrize("case", sorted(EXPECTATIONS))
def test_fixture_case(case: str) -> None:
    diff = case_diff(case)
    EXPECTATIONS[case](diff)
    assert diff.equivalent == (case == "reordered")
    # Every report renders, and the JSON holds the same model.
    for fmt in ("text", "markdown"):
        assert render(fmt, diff).endswith("\n")
    data = json.loads(render("json", diff))
    assert data["equivalent"] == diff.equivalent
    assert len(data["activities"]) == len(diff.activities)
    assert [r["kind"] for r in data["risks"]] == [r.kind for r in diff.risks]


@pytest.mark.parametrize("case", sorted(EXPECTATIONS))
def test_diff_the_other_way_round_mirrors_activities(case: str) -> None:
    forward = case_diff(case)
    old, new = CASES / case / "old", CASES / case / "new"
    backward = diff_graphs(
        build([new]),
        build([old]),
        old_findings=list(forward.introduced),
        new_findings=list(forward.resolved),
    )
    mirror = {"added": "removed", "removed": "added", "changed": "changed"}
    assert {(a.iri, mirror[a.status]) for a in forward.activities} == {
        (a.iri, a.status) for a in backward.activities
    }
    assert backward.equivalent == forward.equivalent
    assert {f.fingerprint for f in backward.resolved} == {f.fingerprint for f in forward.introduced}


# --- Reordering and formats ---------------------------------------------------------------------


def test_reordered_records_differ_as_text_and_bookkeeping_only() -> None:
    old, new = CASES / "reordered" / "old", CASES / "reordered" / "new"
    assert len(list(new.glob("*.yaml"))) > len(list(old.glob("*.yaml")))
    g_old, g_new = build([old]), build([new])
    assert set(g_old) != set(g_new)  # record files and lines moved
    assert normalise(g_old) == normalise(g_new)
    assert run(str(old), str(new)) == (
        0,
        f"ropa diff {old} → {new}\nNo change: {old} and {new} state the same records.\n",
    )


def test_records_and_their_turtle_export_are_equivalent(tmp_path: Path) -> None:
    turtle = tmp_path / "helpdesk.ttl"
    result = CliRunner().invoke(main, ["build", str(KITCHEN_SINK), "-o", str(turtle)])
    assert result.exit_code == 0, result.output
    code, out = run(str(KITCHEN_SINK), str(turtle), "--format", "json")
    assert code == 0, out
    assert json.loads(out)["equivalent"] is True


PAYROLL = """\
@prefix dpv: <https://w3id.org/dpv#> .
@prefix ex: <https://example.org/payroll/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ex:payroll a dpv:Process ;
    rdfs:label "Paying salaries"@en ;
    dpv:hasPersonalData <https://w3id.org/dpv/pd#Salary> ;
    dpv:hasDataProcessor ex:payco ;
    dpv:hasStorageCondition [
        a dpv:StorageDuration ;
        dpv:hasDuration [ a dpv:TemporalDuration ; rdf:value "P6Y"^^xsd:duration ]
    ] .
ex:payco a dpv:DataProcessor ; rdfs:label "PayCo Oy"@en ;
    dpv:hasLocation <https://w3id.org/dpv/loc#FI> .
"""

PAYROLL_REORDERED = """\
<https://example.org/payroll/payco> <https://w3id.org/dpv#hasLocation> <https://w3id.org/dpv/loc#FI> .
_:d <http://www.w3.org/1999/02/22-rdf-syntax-ns#value> "P6Y"^^<http://www.w3.org/2001/XMLSchema#duration> .
_:d <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/dpv#TemporalDuration> .
_:r <https://w3id.org/dpv#hasDuration> _:d .
_:r <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/dpv#StorageDuration> .
<https://example.org/payroll/payroll> <https://w3id.org/dpv#hasStorageCondition> _:r .
<https://example.org/payroll/payroll> <https://w3id.org/dpv#hasDataProcessor> <https://example.org/payroll/payco> .
<https://example.org/payroll/payroll> <https://w3id.org/dpv#hasPersonalData> <https://w3id.org/dpv/pd#Salary> .
<https://example.org/payroll/payroll> <http://www.w3.org/2000/01/rdf-schema#label> "Paying salaries"@en .
<https://example.org/payroll/payroll> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/dpv#Process> .
<https://example.org/payroll/payco> <http://www.w3.org/2000/01/rdf-schema#label> "PayCo Oy"@en .
<https://example.org/payroll/payco> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/dpv#DataProcessor> .
"""


def test_dpv_files_with_blank_nodes(tmp_path: Path) -> None:
    """Any DPV ROPA diffs too: blank nodes are matched by their content, not their ids."""
    old, same, new = tmp_path / "old.ttl", tmp_path / "same.nt", tmp_path / "new.ttl"
    old.write_text(PAYROLL, encoding="utf-8")
    same.write_text(PAYROLL_REORDERED, encoding="utf-8")
    new.write_text(PAYROLL.replace("P6Y", "P10Y").replace("loc#FI", "loc#US"), encoding="utf-8")
    assert run(str(old), str(same))[0] == 0
    diff = diff_graphs(build([old]), build([new]), old_findings=[], new_findings=[])
    [activity] = diff.activities
    [change] = activity.changes
    assert (change.aspect, change.action, change.old, change.new) == (
        "retention",
        "longer",
        "6 years",
        "10 years",
    )
    assert {(r.kind, r.value) for r in diff.risks} == {
        ("new-country", LOC + "US"),
        ("longer-retention", ""),
    }
    [payco] = diff.entries
    assert payco.label == "PayCo Oy" and payco.status == "changed"


def test_flows_that_belong_to_no_activity(tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(CASES / "purposes" / "old", old)
    shutil.copytree(CASES / "purposes" / "old", new)
    records = new / "records.yaml"
    flow = (
        "  - {id: logs-to-mail, sender: mailbox, receiver: example-mail, data: [question-content],"
        " derived_from: [p-mail]}\n"
    )
    records.write_text(records.read_text(encoding="utf-8") + flow, encoding="utf-8")
    diff = diff_graphs(build([old]), build([new]), old_findings=[], new_findings=[])
    assert not diff.activities and not diff.entries
    [change] = diff.flows
    assert (change.action, change.value) == ("added", iri("logs-to-mail"))
    assert change.new == "Helpdesk mailbox → Example Mail Ltd: Content of questions"
    [risk] = diff.risks
    assert (risk.kind, risk.activity, risk.value) == ("flow-out", "", iri("logs-to-mail"))
    assert "Flows not tied to an activity" in render("text", diff)
    assert "#### Flows not tied to an activity" in render("markdown", diff)


def test_cli_exit_codes_and_formats() -> None:
    old, new = CASES / "processor-added" / "old", CASES / "processor-added" / "new"
    code, text = run(str(old), str(new))
    assert code == 1
    assert text.index("Risk-raising changes") < text.index("Activities")
    assert "New external processor (GDPR Art. 28): Example Voice Inc" in text
    code, out = run(str(old), str(new), "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert data["old"] == str(old) and data["equivalent"] is False
    assert data["summary"]["findings_introduced"] == len(data["findings"]["introduced"])
    source = data["findings"]["introduced"][0]["source"]["file"]
    assert source.endswith("diff/processor-added/new/records.yaml")
    code, md = run(str(old), str(new), "--format", "markdown")
    assert code == 1
    assert md.startswith("### ROPA changes:")
    assert "#### ⚠️ Risk-raising changes" in md and "#### 🛑 Findings introduced" in md
    assert "| 🛑 | `TRANSFER-THIRD-COUNTRY` |" in md and "| ⚠️ | `ART28-3-CONTRACT` |" in md


def test_cli_output_is_deterministic() -> None:
    old, new = CASES / "units-and-flows" / "old", CASES / "units-and-flows" / "new"
    first = run(str(old), str(new), "--format", "json")
    assert first == run(str(old), str(new), "--format", "json")


def test_cli_errors_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # not a git repository
    code, out = run("no-such-folder", str(KITCHEN_SINK))
    assert code == 2 and "no-such-folder" in out and "not in a git repository" in out
    assert run(str(KITCHEN_SINK), str(KITCHEN_SINK), "--format", "pdf")[0] == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("activities: [{id: x, nme: y}]\n", encoding="utf-8")
    code, out = run(str(KITCHEN_SINK), str(bad))
    assert code == 2 and "bad.yaml" in out


# --- Retention and durations ----------------------------------------------------------------------


def test_durations_are_compared_as_xsd_durations() -> None:
    assert durations.compare("P2Y", "P3Y") == -1
    assert durations.compare("P3Y", "P2Y") == 1
    assert durations.compare("P1Y", "P12M") == 0
    assert durations.compare("P30D", "PT720H") == 0
    assert durations.compare("P1M", "P30D") is None  # months have no fixed length
    assert durations.compare("P1M", "P27D") == 1
    assert durations.compare("P2Y", "forever") is None


def retention(kind: str, duration: str | None = None, anchor: str | None = None) -> Retention:
    return Retention(kind, duration, False, anchor, kind)


@pytest.mark.parametrize(
    ("old", "new", "verdict"),
    [
        (retention("fixed", "P2Y"), retention("fixed", "P3Y"), "longer"),
        (retention("fixed", "P3Y"), retention("fixed", "P2Y"), "shorter"),
        (retention("fixed", "P2Y"), retention("fixed", "P2Y"), "same"),
        (retention("fixed", "P2Y"), retention("indefinite"), "indefinite"),
        (retention("indefinite"), retention("fixed", "P10Y"), "shorter"),
        (retention("not-stored"), retention("fixed", "P30D"), "longer"),
        (retention("fixed", "P30D"), retention("not-stored"), "shorter"),
        # "The current year plus six years" keeps data up to seven years.
        (retention("fixed", "P6Y"), retention("calendar", "P6Y"), "longer"),
        (retention("calendar", "P6Y"), retention("fixed", "P7Y"), "changed"),
        (retention("calendar", "P6Y", "e"), retention("calendar", "P5Y", "e"), "shorter"),
        # Counted from different events, or a fixed period against an event: not comparable.
        (retention("from-event", "P2Y", "a"), retention("from-event", "P3Y", "b"), "changed"),
        (retention("fixed", "P2Y"), retention("until-event", None, "a"), "changed"),
        (retention("fixed", "P1M"), retention("fixed", "P30D"), "changed"),
        (retention("delegated"), retention("unspecified"), "changed"),
    ],
)
def test_compare_retention(old: Retention, new: Retention, verdict: str) -> None:
    assert compare_retention(old, new) == verdict


def test_read_retention_of_every_kitchen_sink_rule() -> None:
    graph = build([KITCHEN_SINK])
    words = {
        rule: read_retention(graph, URIRef(iri(rule))).kind
        for rule in (
            "questions-two-years",
            "cards-calendar",
            "logs-not-stored",
            "recordings-until-closed",
            "licence-delegated",
            "ombudsman-indefinite",
            "cards-from-event",
            "unspecified-retention",
        )
    }
    assert words == {
        "questions-two-years": "fixed",
        "cards-calendar": "calendar",
        "logs-not-stored": "not-stored",
        "recordings-until-closed": "until-event",
        "licence-delegated": "delegated",
        "ombudsman-indefinite": "indefinite",
        "cards-from-event": "from-event",
        "unspecified-retention": "unspecified",
    }
    calendar = read_retention(graph, URIRef(iri("cards-calendar")))
    assert calendar.words == "the current year plus 6 years from End of the customer status"
    delegated = read_retention(graph, URIRef(iri("licence-delegated")))
    assert delegated.words == "delegated to Licensing Unit"


# --- Git revisions --------------------------------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        [
            "git",
            "-C",
            str(repo),
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.org",
            "-c",
            "commit.gpgsign=false",
            *args,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with two commits: a small register (the ``processor-added`` case's old
    version) under ``ropa/helpdesk/``, then the change that adds a processor without a
    contract. The working directory is the repository."""
    root = tmp_path / "records-repo"
    records = root / "ropa" / "helpdesk"
    shutil.copytree(CASES / "processor-added" / "old", records)
    git(root.parent, "init", "--quiet", str(root))
    git(root, "add", "-A")
    git(root, "commit", "--quiet", "-m", "helpdesk register")
    for name in ("records.yaml", "register-description.txt"):
        shutil.copy(CASES / "processor-added" / "new" / name, records / name)
    git(root, "commit", "--quiet", "-am", "recordings by Example Voice Inc")
    monkeypatch.chdir(root)
    return root


def test_diff_between_two_git_revisions(repo: Path) -> None:
    code, out = run("HEAD~1", "HEAD", "--format", "json")
    assert code == 1, out
    data = json.loads(out)
    assert (data["old"], data["new"]) == ("HEAD~1", "HEAD")
    assert {(r["kind"], r["value"]) for r in data["risks"]} == {
        ("external-processor", iri("example-voice")),
        ("new-country", LOC + "US"),
    }
    contract = next(f for f in data["findings"]["introduced"] if f["rule"] == "ART28-3-CONTRACT")
    # Findings point at the file in the repository, not at the temporary copy.
    assert contract["source"]["file"] == "ropa/helpdesk/records.yaml"
    assert git(repo, "status", "--porcelain") == ""


def test_revision_against_the_work_tree_leaves_it_alone(repo: Path) -> None:
    records = repo / "ropa" / "helpdesk" / "records.yaml"
    text = records.read_text(encoding="utf-8")
    records.write_text(text.replace("    processors: [example-voice]\n", ""), encoding="utf-8")
    code, out = run("HEAD", "ropa/helpdesk")
    assert code == 1, out
    assert "processors: - Example Voice Inc" in out
    assert run("HEAD~1", "ropa/helpdesk")[0] == 1  # the new organisation is still there
    assert records.read_text(encoding="utf-8") != text  # the edit is still there
    assert git(repo, "status", "--porcelain").strip() == "M ropa/helpdesk/records.yaml"
    assert run("HEAD", "HEAD")[0] == 0


def test_git_errors_exit_2(repo: Path) -> None:
    code, out = run("no-such-branch", "HEAD")
    assert code == 2 and "'no-such-branch' is neither a file or folder nor a revision" in out
    code, out = run("HEAD~1", "HEAD", "--path", "records")
    assert code == 2 and "no records at revision HEAD~1" in out
    code, out = run("HEAD~1", "HEAD", "--path", "../outside")
    assert code == 2 and "--path must be a folder inside the repository" in out
    # Nothing that looks like an option reaches git.
    code, out = run("--", "--output=x", "HEAD")
    assert code == 2 and "'--output=x' is neither" in out


def test_bad_records_at_a_revision_are_named_by_revision(repo: Path) -> None:
    records = repo / "ropa" / "helpdesk" / "records.yaml"
    records.write_text(records.read_text(encoding="utf-8") + "bogus: []\n", encoding="utf-8")
    git(repo, "commit", "--quiet", "-am", "a typo")
    code, out = run("HEAD~1", "HEAD")
    assert code == 2
    assert "HEAD:ropa/helpdesk/records.yaml" in out and "bogus" in out


def test_a_folder_of_record_sets(tmp_path: Path) -> None:
    ropa = tmp_path / "ropa"
    shutil.copytree(KITCHEN_SINK, ropa / "helpdesk")
    shutil.copytree(CASES / "reordered" / "new", ropa / "other")
    (ropa / "helpdesk.baseline.yaml").write_text("accepted: []\n", encoding="utf-8")
    assert record_set_folders(ropa) == [ropa / "helpdesk", ropa / "other"]
    assert record_set_folders(ropa / "other") == [ropa / "other"]
    with pytest.raises(InputError, match="not in a git repository"):
        load_version("main", cwd=tmp_path)


def test_load_version_of_a_yaml_file() -> None:
    graph = load_version(str(KITCHEN_SINK / "register.yaml"))
    assert isinstance(graph, Graph) and (URIRef(iri("example-mail")), None, None) in graph


# --- The CI files and the docs ---------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]


def test_example_workflow_pins_actions_and_drops_credentials() -> None:
    """docs/github-workflow.yml runs the ropa-kg action (action.yml, tested in test_action.py)
    on the shipped register, after a pinned checkout with history and without credentials."""
    workflow = yaml.safe_load((ROOT / "docs" / "github-workflow.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["records"]["steps"]
    uses = [s["uses"] for s in steps if "uses" in s]
    assert uses[0].split("@")[0] == "actions/checkout"
    assert re.fullmatch(r"[\w/-]+@[0-9a-f]{40}", uses[0]), uses[0]
    assert uses[1:] == ["./"], "the action of the checked-out repository"
    checkout = steps[0]
    assert checkout["with"]["persist-credentials"] is False
    assert checkout["with"]["fetch-depth"] == 0
    inputs = steps[1]["with"]
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert set(inputs) <= set(action["inputs"])
    for path in inputs["paths"].split():
        assert (ROOT / path).is_dir(), path
    assert (ROOT / inputs["baseline"]).is_file()
    assert not any("run" in s for s in steps), "the steps are the action's"
    assert workflow["permissions"] == {"contents": "read"}
    assert workflow["jobs"]["records"]["permissions"] == {
        "contents": "read",
        "security-events": "write",
        "pull-requests": "write",
    }


def test_pre_commit_hook() -> None:
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "ropa-check" and hook["entry"] == "ropa check"
    assert hook["pass_filenames"] is False
    pattern = re.compile(hook["files"])
    assert pattern.search("ropa/helpdesk/records.yaml")
    assert pattern.search("ropa/helpdesk.baseline.yml")
    assert not pattern.search("docs/github-workflow.yml")
    assert not pattern.search("ropa/helpdesk/register-description.txt")


def test_vscode_settings_map_the_schema_to_the_records() -> None:
    settings = json.loads((ROOT / "docs" / "vscode-settings.json").read_text(encoding="utf-8"))
    [(schema, globs)] = settings["yaml.schemas"].items()
    assert schema.endswith("ropa-records.schema.json")
    assert "ropa/*/*.yaml" in globs
    assert (ROOT / "checker" / "records" / "schema" / "records.schema.json").is_file()


def test_docs_show_the_current_diff_of_the_example() -> None:
    """docs/ci.md pastes the diff of tests/fixtures/diff/processor-added: its risk rows and
    activity lines (which do not depend on the shapes) must match what ropa diff prints."""
    doc = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    markdown = render("markdown", case_diff("processor-added"))
    lines = [
        line
        for line in markdown.splitlines()
        if line.startswith(("| New ", "- ✏️", "  - processors"))
    ]
    assert len(lines) == 4
    for line in lines:
        assert f"> {line}\n" in doc, line
