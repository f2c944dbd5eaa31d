"""Bad record sets: `ropa build` says ONE clear thing naming file and line, exits 2, writes nothing.

Each test copies the kitchen sink (tests/fixtures/kitchen-sink) and makes exactly one defect,
so the test shows the defect and the line it must be reported on. Bad RDF files (remote
JSON-LD contexts, XML entities, Turtle and N-Triples syntax) are in test_rdf_files.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from checker.errors import InputError
from checker.graph.build import build

FIXTURES = Path(__file__).resolve().parent / "fixtures"
BAD = FIXTURES / "bad"


# --- 1. YAML syntax ------------------------------------------------------------------------


def test_yaml_bad_indentation_names_the_line(kitchen_sink, ropa_build):
    line = kitchen_sink.edit(
        "activities.yaml", "    units: [helpdesk-unit]", "      units: [helpdesk-unit]"
    )
    run = ropa_build(kitchen_sink)
    run.assert_input_error(f"ks/activities.yaml:{line}", "YAML syntax error")


def test_yaml_unclosed_bracket_names_the_line(kitchen_sink, ropa_build):
    kitchen_sink.edit("activities.yaml", "units: [helpdesk-unit]", "units: [helpdesk-unit")
    # The flow sequence runs on into the next line, where the parser finds the ':'.
    line = kitchen_sink.line_of("activities.yaml", "    purposes: [answer-questions,")
    run = ropa_build(kitchen_sink)
    run.assert_input_error(f"ks/activities.yaml:{line}", "YAML syntax error", "flow sequence")


def test_yaml_tab_indentation_names_the_line(kitchen_sink, ropa_build):
    line = kitchen_sink.edit("data.yaml", "  - {id: askers,", "\t- {id: askers,")
    ropa_build(kitchen_sink).assert_input_error(f"ks/data.yaml:{line}", "YAML syntax error")


# --- 2. Unknown keys -----------------------------------------------------------------------


def test_unknown_key_in_an_entry_names_the_key_and_its_line(kitchen_sink, ropa_build):
    line = kitchen_sink.edit(
        "activities.yaml",
        "    purposes: [answer-questions, follow-up-quality]",
        "    purpose: [answer-questions, follow-up-quality]",
    )
    run = ropa_build(kitchen_sink)
    # The line of the misspelt key itself (27), not of the entry it belongs to (23).
    run.assert_input_error(f"ks/activities.yaml:{line}", "'purpose'", "purposes")


def test_unknown_top_level_key_names_its_line(kitchen_sink, ropa_build):
    line = kitchen_sink.edit("data.yaml", "events:\n", "event:\n")
    assert line > 2  # not the first key: the line must come from the key, not the file
    ropa_build(kitchen_sink).assert_input_error(f"ks/data.yaml:{line}", "'event'")


def test_unknown_key_in_a_nested_mapping(kitchen_sink, ropa_build):
    line = kitchen_sink.edit(
        "register.yaml", "    language: en\n", "    language: en\n    licence: CC0\n"
    )
    ropa_build(kitchen_sink).assert_input_error(f"ks/register.yaml:{line + 1}", "'licence'")


# --- 3. Dangling ids -----------------------------------------------------------------------


def test_dangling_unit_id_names_the_reference_line(kitchen_sink, ropa_build):
    line = kitchen_sink.edit(
        "activities.yaml", "    units: [helpdesk-unit]", "    units: [help-desk-unit]"
    )
    ropa_build(kitchen_sink).assert_input_error(
        f"ks/activities.yaml:{line}", "units", "'help-desk-unit'"
    )


def test_dangling_id_in_a_block_list_names_the_item_line(kitchen_sink, ropa_build):
    line = kitchen_sink.edit(
        "activities.yaml",
        "    retention: [questions-two-years, logs-not-stored, recordings-until-closed]\n",
        "    retention:\n      - questions-two-years\n      - logs-not-kept\n",
    )
    ropa_build(kitchen_sink).assert_input_error(
        f"ks/activities.yaml:{line + 2}", "retention", "'logs-not-kept'"
    )


def test_dangling_passage_in_derived_from(kitchen_sink, ropa_build):
    line = kitchen_sink.edit(
        "data.yaml",
        "{id: question-closed, name: The question is closed, derived_from: [p-recordings]}",
        "{id: question-closed, name: The question is closed, derived_from: [p-recording]}",
    )
    ropa_build(kitchen_sink).assert_input_error(
        f"ks/data.yaml:{line}", "derived_from", "'p-recording'"
    )


# --- 4. References to the wrong kind of entry -----------------------------------------------


@pytest.mark.parametrize(
    ("file", "old", "new", "words"),
    [
        (
            "activities.yaml",
            "    retention: [questions-two-years,",
            "    retention: [helpdesk-unit,",
            ("retention", "'helpdesk-unit'", "units"),
        ),
        (
            "activities.yaml",
            "    processors: [example-mail]",
            "    processors: [helpdesk-unit]",
            ("processors", "'helpdesk-unit'"),
        ),
        (
            "register.yaml",
            "  controller: example-agency",
            "  controller: helpdesk-unit",
            ("controller", "'helpdesk-unit'"),
        ),
        (
            "activities.yaml",
            "    measures: [helpdesk-only, mail-agreement]",
            "    measures: [questions-two-years]",
            ("measures", "'questions-two-years'"),
        ),
        (
            "activities.yaml",
            "    derived_from: [p-purpose, p-quality, p-categories, p-law, p-agreement, p-special-basis, p-rights]",
            "    derived_from: [p-purpose, askers]",
            ("derived_from", "'askers'"),
        ),
        (
            "activities.yaml",
            "    units: [helpdesk-unit]",
            "    units: [dpv:Citizen]",
            ("units", "dpv:Citizen", "not a term"),
        ),
    ],
    ids=[
        "retention->unit",
        "processor->unit",
        "controller->unit",
        "measure->retention",
        "derived_from->subject",
        "unit->term",
    ],
)
def test_reference_to_the_wrong_kind(kitchen_sink, ropa_build, file, old, new, words):
    line = kitchen_sink.edit(file, old, new)
    ropa_build(kitchen_sink).assert_input_error(f"ks/{file}:{line}", *words)


def test_purpose_broader_than_a_data_subject_is_the_wrong_kind(kitchen_sink, ropa_build):
    # `broader` may name a purpose, data subject or data category, but of the entry's own
    # kind: a purpose narrower than "Persons who ask" makes no sense.
    line = kitchen_sink.edit(
        "data.yaml",
        "name: Answering questions, broader: dpv:CustomerCare",
        "name: Answering questions, broader: askers",
    )
    ropa_build(kitchen_sink).assert_input_error(f"ks/data.yaml:{line}", "broader", "'askers'")


# --- 5. Unknown vocabulary terms ------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "old", "new", "term"),
    [
        (
            "activities.yaml",
            "[eu-gdpr:A6-1-c, eu-gdpr:A9-2-g]",
            "[eu-gdpr:A6-1-z, eu-gdpr:A9-2-g]",
            "eu-gdpr:A6-1-z",
        ),
        ("data.yaml", "broader: dpv:Citizen", "broader: dpv:Consnet", "dpv:Consnet"),
        ("data.yaml", "pd:EmailAddress", "pd:EMailAddress", "pd:EMailAddress"),
        (
            "register.yaml",
            "  - id: example-mail\n    name: Example Mail Ltd\n    types: [dpv:DataProcessor]",
            "  - id: example-mail\n    name: Example Mail Ltd\n    types: [dpv:DataProcesor]",
            "dpv:DataProcesor",
        ),
    ],
    ids=["legal-basis", "broader", "pd-in-group", "organisation-type"],
)
def test_unknown_vocabulary_term_is_named(kitchen_sink, ropa_build, file, old, new, term):
    kitchen_sink.edit(file, old, new)
    line = kitchen_sink.line_of(file, term)
    ropa_build(kitchen_sink).assert_input_error(f"ks/{file}:{line}", "unknown", term)


def test_unknown_prefix_is_refused(kitchen_sink, ropa_build):
    line = kitchen_sink.edit("data.yaml", "broader: dpv:Citizen", "broader: foaf:Person")
    ropa_build(kitchen_sink).assert_input_error(f"ks/data.yaml:{line}", "foaf:Person")


# --- 6. ISO 8601 durations -----------------------------------------------------------------


@pytest.mark.parametrize("bad", ["2 years", "P", "PT", "P2Y1", "P1.5Y", "p2y", "P2YT"])
def test_invalid_duration_names_the_line(kitchen_sink, ropa_build, bad):
    line = kitchen_sink.edit("activities.yaml", "duration: P2Y,", f"duration: '{bad}',")
    ropa_build(kitchen_sink).assert_input_error(f"ks/activities.yaml:{line}", "ISO 8601", repr(bad))


def test_invalid_duration_in_block_style_names_the_duration_line(kitchen_sink, ropa_build):
    entry_line = kitchen_sink.edit(
        "activities.yaml",
        "  - {id: cards-calendar, rule: calendar, duration: P6Y, counted_from: "
        "end-of-customer-status, derived_from: [p-cards]}",
        "  - id: cards-calendar\n    rule: calendar\n    duration: 6 years\n"
        "    counted_from: end-of-customer-status\n    derived_from: [p-cards]",
    )
    ropa_build(kitchen_sink).assert_input_error(
        f"ks/activities.yaml:{entry_line + 2}", "'6 years'", "ISO 8601"
    )


def test_duration_that_is_a_number_is_refused(kitchen_sink, ropa_build):
    line = kitchen_sink.edit("activities.yaml", "duration: P2Y,", "duration: 2,")
    ropa_build(kitchen_sink).assert_input_error(f"ks/activities.yaml:{line}", "duration")


def test_fixed_rule_without_duration_is_refused(kitchen_sink, ropa_build):
    line = kitchen_sink.edit("activities.yaml", "rule: fixed, duration: P2Y,", "rule: fixed,")
    ropa_build(kitchen_sink).assert_input_error(f"ks/activities.yaml:{line}", "duration")


# --- 7. Duplicate ids ----------------------------------------------------------------------


def test_duplicate_id_in_one_file_names_both_places(kitchen_sink, ropa_build):
    first = kitchen_sink.line_of("data.yaml", "{id: end-of-customer-status,")
    second = kitchen_sink.edit("data.yaml", "{id: question-closed,", "{id: end-of-customer-status,")
    ropa_build(kitchen_sink).assert_input_error(
        f"ks/data.yaml:{second}", "duplicate id 'end-of-customer-status'", f"ks/data.yaml:{first}"
    )


def test_duplicate_id_across_two_files_names_both_places(kitchen_sink, ropa_build):
    first = kitchen_sink.line_of("data.yaml", "{id: askers,")
    # Files are read in name order: zz-more.yaml comes after data.yaml.
    kitchen_sink.write(
        "zz-more.yaml",
        "# More subjects\ndata_subjects:\n"
        "  - {id: askers, name: Persons who ask again, derived_from: [p-purpose]}\n",
    )
    ropa_build(kitchen_sink).assert_input_error(
        "ks/zz-more.yaml:3", "duplicate id 'askers'", f"ks/data.yaml:{first}"
    )


def test_entry_with_the_registers_id_is_a_duplicate(kitchen_sink, ropa_build):
    kitchen_sink.write(
        "zz-more.yaml", "events:\n  - {id: helpdesk, name: Helpdesk, derived_from: [p-cards]}\n"
    )
    line = kitchen_sink.line_of("register.yaml", "  id: helpdesk\n")
    run = ropa_build(kitchen_sink)
    # Both places are named, as for any other duplicate id.
    run.assert_input_error(
        f"ks/register.yaml:{line}", "duplicate id 'helpdesk'", "ks/zz-more.yaml:2"
    )


# --- 8. Duplicate keys ---------------------------------------------------------------------


def test_duplicate_key_names_both_lines(kitchen_sink, ropa_build):
    line = kitchen_sink.edit(
        "activities.yaml",
        "    units: [helpdesk-unit]\n",
        "    units: [helpdesk-unit]\n    units: [licensing-unit]\n",
    )
    ropa_build(kitchen_sink).assert_input_error(
        f"ks/activities.yaml:{line + 1}", "duplicate key 'units'", f"line {line}"
    )


def test_duplicate_key_in_a_flow_mapping(kitchen_sink, ropa_build):
    line = kitchen_sink.edit(
        "data.yaml",
        "{id: askers, name: Persons who ask,",
        "{id: askers, name: Askers, name: Persons,",
    )
    ropa_build(kitchen_sink).assert_input_error(f"ks/data.yaml:{line}", "duplicate key 'name'")


# --- 9. Encoding ---------------------------------------------------------------------------


def test_latin1_record_file_names_the_line_of_the_bad_byte(kitchen_sink, ropa_build):
    path = kitchen_sink.path / "data.yaml"
    line = kitchen_sink.line_of("data.yaml", "End of the customer status")
    assert line > 1
    data = path.read_bytes().replace(
        b"End of the customer status", "End of the cüstomer status".encode("latin-1")
    )
    path.write_bytes(data)
    ropa_build(kitchen_sink).assert_input_error(f"ks/data.yaml:{line}", "UTF-8", "0xfc")


def test_latin1_register_description_names_the_document_line(kitchen_sink, ropa_build):
    path = kitchen_sink.path / "register-description.txt"
    line = kitchen_sink.line_of("register-description.txt", "Erika Example, erika@")
    path.write_bytes(
        path.read_bytes().replace(b"Erika Example,", "Erika Exämple,".encode("latin-1"))
    )
    ropa_build(kitchen_sink).assert_input_error(f"ks/register-description.txt:{line}", "UTF-8")


def test_byte_order_mark_is_accepted(kitchen_sink, ropa_build):
    path = kitchen_sink.path / "data.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    run = ropa_build(kitchen_sink)
    assert run.result.exit_code == 0, run.text
    assert run.output.exists()


def test_nul_character_in_a_record_file_is_a_clean_error(kitchen_sink, ropa_build):
    line = kitchen_sink.line_of("data.yaml", "End of the customer status")
    path = kitchen_sink.path / "data.yaml"
    path.write_bytes(path.read_bytes().replace(b"End of the customer", b"End of the\x00customer"))
    ropa_build(kitchen_sink).assert_input_error(f"ks/data.yaml:{line}")


# --- 10. YAML alias bomb -------------------------------------------------------------------


def _run_cli_subprocess(
    cwd: Path, *args: str, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """`python -m checker build ARGS` in a child, so a hang fails the test instead of the suite."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    return subprocess.run(
        [sys.executable, "-m", "checker", "build", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_billion_laughs_alias_bomb_is_refused_without_expanding(kitchen_sink):
    (kitchen_sink.path / "zz-bomb.yaml").write_bytes((BAD / "billion-laughs.yaml").read_bytes())
    proc = _run_cli_subprocess(kitchen_sink.path.parent, "ks", "-o", "out.ttl")
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "ks/zz-bomb.yaml:2: " in proc.stderr  # the first anchor, &a, is on line 2
    assert "anchor" in proc.stderr.lower() or "alias" in proc.stderr.lower()
    assert not (kitchen_sink.path.parent / "out.ttl").exists()


def test_a_single_alias_is_refused(kitchen_sink, ropa_build):
    kitchen_sink.edit(
        "data.yaml", "{id: askers, name: Persons who ask,", "{id: askers, name: &n Persons who ask,"
    )
    run = ropa_build(kitchen_sink)
    run.assert_input_error(f"ks/data.yaml:{kitchen_sink.line_of('data.yaml', '&n')}", "anchor")


# --- 13. Missing files ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "missing", ["no-such-folder", "no-such.yaml", "no-such.ttl", "no-such.jsonld"]
)
def test_missing_input_path_is_named(workdir, ropa_build, missing):
    ropa_build(missing).assert_input_error(missing, "not found")


def test_missing_input_after_a_good_one_writes_nothing(kitchen_sink, ropa_build):
    ropa_build(kitchen_sink, "no-such.ttl").assert_input_error("no-such.ttl", "not found")


def test_missing_register_description_is_named(kitchen_sink, ropa_build):
    line = kitchen_sink.edit(
        "register.yaml", "file: register-description.txt", "file: register-text.txt"
    )
    ropa_build(kitchen_sink).assert_input_error(
        f"ks/register.yaml:{line}", "register-text.txt", "not found"
    )


def test_empty_folder_is_refused(workdir, ropa_build):
    (workdir / "empty").mkdir()
    ropa_build("empty").assert_input_error("empty", "no records")


# --- 14. Quotes ----------------------------------------------------------------------------


def test_quote_not_in_the_document_names_its_line(kitchen_sink, ropa_build):
    line = kitchen_sink.edit(
        "register.yaml",
        "quote: The mailbox logs are not stored.",
        "quote: The mailbox logs are never stored.",
    )
    ropa_build(kitchen_sink).assert_input_error(
        f"ks/register.yaml:{line}", "not found", "register-description.txt"
    )


def test_quote_with_straight_apostrophe_where_text_has_curly_one(kitchen_sink, ropa_build):
    path = kitchen_sink.path / "register-description.txt"
    path.write_text(
        path.read_text(encoding="utf-8").replace("The mailbox logs", "The mailbox’s logs"),
        encoding="utf-8",
    )
    line = kitchen_sink.edit(
        "register.yaml",
        "quote: The mailbox logs are not stored.",
        "quote: The mailbox's logs are not stored.",
    )
    ropa_build(kitchen_sink).assert_input_error(f"ks/register.yaml:{line}", "not found")


def test_quote_found_twice_names_its_line(kitchen_sink, ropa_build):
    text = kitchen_sink.text("register-description.txt")
    assert text.count("the helpdesk") == 2  # "hosts the helpdesk mailbox", "by the helpdesk staff"
    line = kitchen_sink.edit(
        "register.yaml",
        "{id: p-logs, quote: The mailbox logs are not stored.}",
        "{id: p-logs, quote: the helpdesk}",
    )
    ropa_build(kitchen_sink).assert_input_error(
        f"ks/register.yaml:{line}", "occurs 2 times", "'the helpdesk'"
    )


def test_quote_spanning_two_lines_is_refused(kitchen_sink, ropa_build):
    line = kitchen_sink.edit(
        "register.yaml",
        "{id: p-logs, quote: The mailbox logs are not stored.}",
        '{id: p-logs, quote: "The mailbox logs are not stored.\\nTelephone recordings"}',
    )
    ropa_build(kitchen_sink).assert_input_error(f"ks/register.yaml:{line}", "more than one line")


# --- 15. Section headings ------------------------------------------------------------------


def test_section_heading_not_in_the_document_names_its_line(kitchen_sink, ropa_build):
    line = kitchen_sink.edit(
        "register.yaml",
        "heading: Sources of personal data}",
        "heading: Sources of the personal data}",
    )
    ropa_build(kitchen_sink).assert_input_error(
        f"ks/register.yaml:{line}", "'Sources of the personal data'", "register-description.txt"
    )


def test_heading_that_is_only_part_of_a_line_is_not_a_heading(kitchen_sink, ropa_build):
    line = kitchen_sink.edit(
        "register.yaml", "heading: Sources of personal data}", "heading: Sources of personal}"
    )
    ropa_build(kitchen_sink).assert_input_error(f"ks/register.yaml:{line}", "'Sources of personal'")


# --- 17. Output and input extensions -------------------------------------------------------


@pytest.mark.parametrize("output", ["out.xyz", "out", "out.TTL.bak"])
def test_unknown_output_extension_writes_nothing(kitchen_sink, ropa_build, workdir, output):
    run = ropa_build(kitchen_sink, output=output)
    run.assert_input_error(output, "cannot write", ".ttl")
    assert sorted(p.name for p in workdir.iterdir()) == ["ks"]


def test_unknown_input_extension_is_named(workdir, ropa_build):
    # .csv is a spreadsheet now (issue 13); .tsv is still nothing ropa reads
    (workdir / "data.tsv").write_text("a\tb\n1\t2\n", encoding="utf-8")
    ropa_build("data.tsv").assert_input_error("data.tsv", "unknown file type", "'.tsv'")


def test_output_folder_that_does_not_exist(kitchen_sink, ropa_build):
    run = ropa_build(kitchen_sink, output="no-such-folder/out.ttl")
    run.assert_input_error("no-such-folder/out.ttl", "does not exist")


# --- 18. A failed build leaves an existing output alone ------------------------------------


def test_failed_build_leaves_existing_output_byte_for_byte(kitchen_sink, ropa_build, workdir):
    previous = b"# the graph of yesterday\n\xe2\x9c\x93 keep me\n"
    out = workdir / "out.ttl"
    out.write_bytes(previous)
    before = out.stat().st_mtime_ns
    kitchen_sink.edit(
        "activities.yaml", "[eu-gdpr:A6-1-c, eu-gdpr:A9-2-g]", "[eu-gdpr:A6-1-z, eu-gdpr:A9-2-g]"
    )
    result = ropa_build(kitchen_sink).result
    assert result.exit_code == 2, result.output
    assert out.read_bytes() == previous
    assert out.stat().st_mtime_ns == before
    assert sorted(p.name for p in workdir.iterdir()) == ["ks", "out.ttl"]  # no temp files


def test_failed_build_with_bad_output_extension_leaves_existing_file(
    kitchen_sink, ropa_build, workdir
):
    out = workdir / "out.xyz"
    out.write_bytes(b"untouched")
    result = ropa_build(kitchen_sink, output="out.xyz").result
    assert result.exit_code == 2
    assert out.read_bytes() == b"untouched"


# --- 19. Registers -------------------------------------------------------------------------


def test_record_set_without_register(kitchen_sink, ropa_build):
    (kitchen_sink.path / "register.yaml").rename(kitchen_sink.path / "register.txt")
    ropa_build(kitchen_sink).assert_input_error("ks", "no 'register'")


def test_record_set_with_two_registers_names_the_second(kitchen_sink, ropa_build):
    register = kitchen_sink.text("register.yaml")
    head = register.split("\npassages:")[0]  # the register mapping alone, lines 1-18
    kitchen_sink.write("zz-second.yaml", head.replace("  id: helpdesk\n", "  id: helpdesk-two\n"))
    line = kitchen_sink.line_of("zz-second.yaml", "register:")
    ropa_build(kitchen_sink).assert_input_error(
        f"ks/zz-second.yaml:{line}", "second register", "ks/register.yaml"
    )


# --- 20. Empty files -----------------------------------------------------------------------


@pytest.mark.parametrize("content", ["", "# only a comment\n", "\n\n", "---\n"])
def test_empty_yaml_file_is_refused(kitchen_sink, ropa_build, content):
    kitchen_sink.write("zz-empty.yaml", content)
    ropa_build(kitchen_sink).assert_input_error("ks/zz-empty.yaml:1", "empty")


@pytest.mark.parametrize(
    ("content", "line", "words"),
    [
        ("- just\n- a list\n", 1, ("object",)),
        ("events:\n", 1, ("events", "array")),
        ("events:\n  -\n", 2, ("object",)),
        ("1: one\n", 1, ("keys must be text",)),
        ("events: !!python/object:os.system {}\n", 1, ("python/object",)),
    ],
    ids=["list", "null-list", "null-entry", "int-key", "python-tag"],
)
def test_wrong_shapes_of_a_file(kitchen_sink, ropa_build, content, line, words):
    kitchen_sink.write("zz.yaml", content)
    ropa_build(kitchen_sink).assert_input_error(f"ks/zz.yaml:{line}", *words)


# --- The engine itself raises InputError with file and line --------------------------------


@pytest.mark.parametrize(
    ("file", "old", "new", "words"),
    [
        ("activities.yaml", "    units: [helpdesk-unit]", "    units: [nobody]", "no entry"),
        ("activities.yaml", "duration: P2Y,", "duration: PT,", "ISO 8601"),
        ("data.yaml", "broader: dpv:Citizen", "broader: dpv:Consnet", "dpv:Consnet"),
    ],
)
def test_engine_raises_input_error_with_file_and_line(kitchen_sink, file, old, new, words):
    line = kitchen_sink.edit(file, old, new)
    with pytest.raises(InputError) as caught:
        build([kitchen_sink.path])
    assert caught.value.file == f"ks/{file}"
    assert caught.value.line == line
    assert words in caught.value.message
    assert str(caught.value).startswith(f"ks/{file}:{line}: ")


def test_engine_input_error_for_missing_path_has_no_line(workdir):
    with pytest.raises(InputError) as caught:
        build([Path("nowhere.ttl")])
    assert caught.value.file == "nowhere.ttl"
    assert caught.value.line is None
