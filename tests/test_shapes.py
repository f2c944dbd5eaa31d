"""Every shape has passing and failing fixtures, each behaves as labelled, and every rule
has the severity and article docs/rules.md gives it.

Fixtures live in ``tests/fixtures/shapes/<RULE-ID>/``: small DPV graphs. Every
``fail*.ttl`` must raise exactly the findings of that rule its ``# expect:`` lines list
(focus, path, value), with the rule's severity and article, so deleting a constraint from
a shape makes the finding it raised go missing; no ``pass*.ttl`` may raise one.
``ROPA_UPDATE_SNAPSHOTS=1`` rewrites the ``# expect:`` lines from what the check finds
(review the diff). ``tests/test_shape_mutations.py`` proves the fixtures hold
every constraint: change one, and some fixture notices.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.namespace import DCTERMS, SH

from checker.check.findings import Finding
from checker.check.run import check
from checker.check.shapes import shapes_graph
from checker.graph.build import build

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
RULES_DOC = Path(__file__).resolve().parents[1] / "docs" / "rules.md"
ARTICLE = URIRef("https://w3id.org/ropa-kg/ontology#article")
RULE_IDS = sorted(
    str(i)
    for s in shapes_graph().subjects(SH.severity, None)
    for i in shapes_graph().objects(s, DCTERMS.identifier)
)
FIXTURE_IDS = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())
FIXTURE_FILES = sorted(FIXTURES.glob("*/*.ttl"))

#: Severity and article of every shape, by the test in docs/rules.md: a hard requirement of
#: the record (Art. 30(1)) or of the law made visible by the record is a violation; "where
#: possible" or not evidenced, a warning; a prompt, info.
EXPECTED: dict[str, tuple[str, str]] = {
    "ART10-CRIMINAL": ("violation", "GDPR Art. 10; Finland Data Protection Act 1050/2018 s. 7"),
    "ART2-LAW-ENFORCEMENT": (
        "info",
        "GDPR Art. 2(2)(d); Directive (EU) 2016/680; Finland Act 1054/2018",
    ),
    "ART22-AUTOMATED-DECISION": ("violation", "GDPR Art. 22(1), Art. 22(2)"),
    "ART22-SAFEGUARDS": ("warning", "GDPR Art. 22(3), Art. 22(2)(b), Art. 13(2)(f)"),
    "ART23-RESTRICTION-LAW": (
        "violation",
        "GDPR Art. 23(1), Art. 23(2), Art. 14(5)(c)-(d), Art. 17(3)(b)",
    ),
    "ART28-2-SUBPROCESSOR": ("warning", "GDPR Art. 28(2), Art. 28(4)"),
    "ART28-3-CONTRACT": ("warning", "GDPR Art. 28(3), Art. 5(2), Art. 24(1)"),
    "ART28-PROCESSOR-ENTITY": ("violation", "GDPR Art. 30(1)(d), Art. 4(9)"),
    "ART30-1-A-CONTACT": ("violation", "GDPR Art. 30(1)(a)"),
    "ART30-1-A-CONTROLLER": ("violation", "GDPR Art. 30(1)(a)"),
    "ART30-1-B-PURPOSE": ("violation", "GDPR Art. 30(1)(b)"),
    "ART30-1-C-DATA-SUBJECT": ("violation", "GDPR Art. 30(1)(c)"),
    "ART30-1-C-PERSONAL-DATA": ("violation", "GDPR Art. 30(1)(c)"),
    "ART30-1-D-RECIPIENT-KNOWN": ("violation", "GDPR Art. 30(1)(d)"),
    "ART30-1-F-RETENTION": ("warning", "GDPR Art. 30(1)(f), Art. 5(1)(e)"),
    "ART30-1-G-MEASURES": ("warning", "GDPR Art. 30(1)(g), Art. 32(1)"),
    "ART32-TECHNICAL-MEASURES": ("warning", "GDPR Art. 32(1), Art. 28(1), Art. 30(1)(g)"),
    "ART37-DPO": ("violation", "GDPR Art. 30(1)(a), Art. 37(1)(a), Art. 13(1)(b)"),
    "ART37-DPO-CONTACT": (
        "violation",
        "GDPR Art. 30(1)(a), Art. 37(7), Art. 13(1)(b), Art. 14(1)(b)",
    ),
    "ART6-1-F-PUBLIC-AUTHORITY": (
        "violation",
        "GDPR Art. 6(1) second subparagraph, Art. 6(1)(f), Recital 47",
    ),
    "ART6-1-LEGAL-BASIS": ("violation", "GDPR Art. 6(1), Art. 13(1)(c)"),
    "ART6-3-LAW": ("violation", "GDPR Art. 6(3), Art. 6(1)(c), Art. 6(1)(e)"),
    "ART6-3-PROVISION": ("warning", "GDPR Art. 6(3), Recital 41, Recital 45"),
    "ART6-CONSENT-AND-OBLIGATION": (
        "warning",
        "GDPR Art. 6(1)(a), Art. 6(1)(c), Art. 6(1)(e), Art. 7(3); "
        "EDPB Guidelines 05/2020 on consent, 3.1.1 and 6",
    ),
    "ART6-CONSENT-PUBLIC-AUTHORITY": (
        "warning",
        "GDPR Art. 6(1)(a), Art. 7(4), Recital 43; EDPB Guidelines 05/2020 on consent, 3.1.1",
    ),
    "ART6-COOKIE-CONSENT": (
        "info",
        "GDPR Art. 6(1)(c), Art. 6(1)(e), Art. 6(3); ePrivacy Directive 2002/58/EC Art. 5(3)",
    ),
    "ART9-2-CONDITION": ("violation", "GDPR Art. 9(1), Art. 9(2)"),
    "FI-DPA-29-IDENTITY-CODE": (
        "warning",
        "Finland Data Protection Act 1050/2018 s. 29(1); GDPR Art. 87",
    ),
    "NOTICE-SOURCE": ("warning", "GDPR Art. 14(2)(f)"),
    "REF-DANGLING": ("violation", "GDPR Art. 30(1), Art. 5(2)"),
    "RETENTION-DELEGATED": ("info", "GDPR Art. 30(1)(f)"),
    "RETENTION-DELEGATED-TO": ("warning", "GDPR Art. 30(1)(f), Art. 5(2)"),
    "RETENTION-DURATION-VALUE": ("warning", "GDPR Art. 30(1)(f)"),
    "RETENTION-INDEFINITE": ("warning", "GDPR Art. 5(1)(e), Art. 89(1), Art. 30(1)(f)"),
    "RETENTION-UNSPECIFIED": ("warning", "GDPR Art. 30(1)(f), Art. 13(2)(a), Art. 14(2)(a)"),
    "TRANSFER-COUNTRY-UNNAMED": ("violation", "GDPR Art. 30(1)(e)"),
    "TRANSFER-DEROGATION-PUBLIC-AUTHORITY": ("violation", "GDPR Art. 49(3), Art. 49(1)(a)-(c)"),
    "TRANSFER-LOCATION-UNKNOWN": ("warning", "GDPR Art. 30(1)(e), Art. 44"),
    "TRANSFER-PUBLIC-INTEREST-LAW": ("violation", "GDPR Art. 49(1)(d), Art. 49(4)"),
    "TRANSFER-THIRD-COUNTRY": ("violation", "GDPR Art. 44-46, Art. 49, Art. 30(1)(e)"),
}

#: shapes/art26-27-30-2.ttl: rule | severity | article.
_ART26_27_30_2 = """
ART26-ARRANGEMENT | warning | GDPR Art. 26(1), Art. 26(2), Art. 13(1)(a)
ART27-REPRESENTATIVE | warning | GDPR Art. 27(1), Art. 30(1)(a), Art. 13(1)(a)
ART27-REPRESENTATIVE-CONTACT | violation | GDPR Art. 30(1)(a), Art. 27(4), Art. 13(1)(a)
ART30-1-A-JOINT-CONTROLLER | violation | GDPR Art. 30(1)(a), Art. 26(1)
ART30-2-A-CONTROLLER | violation | GDPR Art. 30(2)(a)
ART30-2-A-PROCESSOR | violation | GDPR Art. 30(2)(a)
ART30-2-B-CATEGORIES | violation | GDPR Art. 30(2)(b)
ART30-2-D-MEASURES | warning | GDPR Art. 30(2)(d), Art. 32(1)
"""
EXPECTED.update(
    {
        rule: (severity, article)
        for rule, severity, article in (
            line.split(" | ") for line in _ART26_27_30_2.strip().splitlines()
        )
    }
)


def _fixture_id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def test_every_shape_has_fixtures_and_every_fixture_a_shape() -> None:
    assert RULE_IDS, "no shapes found"
    assert set(RULE_IDS) == set(FIXTURE_IDS)
    for rule in FIXTURE_IDS:
        names = {p.name for p in (FIXTURES / rule).glob("*.ttl")}
        assert any(n.startswith("fail") for n in names), rule
        assert any(n.startswith("pass") for n in names), rule
        assert all(n.startswith(("fail", "pass")) for n in names), rule


def test_every_rule_is_pinned() -> None:
    assert len(EXPECTED) == 48
    assert set(EXPECTED) == set(RULE_IDS)


def test_every_shape_has_id_severity_article_and_message() -> None:
    shapes = shapes_graph()
    for shape in shapes.subjects(SH.severity, None):
        rule = str(shapes.value(shape, DCTERMS.identifier))
        severity, article = EXPECTED[rule]
        assert shapes.value(shape, SH.severity) == SH[severity.capitalize()], rule
        assert str(shapes.value(shape, ARTICLE)) == article, rule
        message = shapes.value(shape, SH.message)
        assert message is not None and message.language == "en", rule


@pytest.mark.parametrize(
    "path", [p for p in FIXTURE_FILES if p.name.startswith("fail")], ids=_fixture_id
)
def test_fail_fixture_raises_the_rule(path: Path) -> None:
    rule = path.parent.name
    found = [f for f in check(build([path])).findings if f.rule == rule]
    assert found
    severity, article = EXPECTED[rule]
    assert {(f.severity.label, f.article) for f in found} == {(severity, article)}
    text = path.read_text(encoding="utf-8")
    got = sorted({_expect_line(f, _prefixes(text)) for f in found})
    if UPDATE:
        _write_expected(path, text, rule, got)
    assert _expected(text) == got, f"{path}: the # expect: lines differ from the findings"


UPDATE = os.environ.get("ROPA_UPDATE_SNAPSHOTS") == "1"
EXPECT = "# expect: "


def _prefixes(text: str) -> dict[str, str]:
    return dict(
        (iri, prefix) for prefix, iri in re.findall(r"^@prefix (\w*): <([^>]*)>", text, re.M)
    )


def _compact(term: str | None, prefixes: dict[str, str]) -> str:
    if term is None:
        return "-"
    for iri, prefix in sorted(prefixes.items(), key=lambda p: -len(p[0])):
        if term.startswith(iri) and term != iri:
            return f"{prefix}:{term[len(iri) :]}"
    return term if term.startswith("[") else f"<{term}>" if ":" in term else repr(term)


def _expect_line(finding: Finding, prefixes: dict[str, str]) -> str:
    return " ".join(_compact(t, prefixes) for t in (finding.focus, finding.path, finding.value))


def _expected(text: str) -> list[str]:
    return [line[len(EXPECT) :] for line in text.splitlines() if line.startswith(EXPECT)]


def _write_expected(path: Path, text: str, rule: str, lines: list[str]) -> None:
    kept = [line for line in text.splitlines() if not line.startswith(EXPECT)]
    head = f"# The findings of {rule} on this fixture (focus, path, value), checked by"
    kept = [line for line in kept if not line.startswith(head[:40])]
    while kept and not kept[-1].strip():
        kept.pop()
    block = [head, "# tests/test_shapes.py:"] + [EXPECT + line for line in lines]
    kept = [line for line in kept if line != "# tests/test_shapes.py:"]
    path.write_text("\n".join([*kept, "", *block]) + "\n", encoding="utf-8")


@pytest.mark.parametrize(
    "path", [p for p in FIXTURE_FILES if p.name.startswith("pass")], ids=_fixture_id
)
def test_pass_fixture_does_not_raise_the_rule(path: Path) -> None:
    rule = path.parent.name
    findings = check(build([path])).findings
    assert rule not in {f.rule for f in findings}, [f.message for f in findings if f.rule == rule]


def test_docs_list_every_shape_with_its_severity_and_article() -> None:
    """docs/rules.md has one row per rule: | `ID` | article | severity | why | avoids |."""
    rows = {
        m.group(1): (m.group(3).strip(), m.group(2).strip())
        for m in re.finditer(
            r"^\| `([A-Z0-9-]+)` \| ([^|]+) \| (violation|warning|info) \|",
            RULES_DOC.read_text(encoding="utf-8"),
            re.MULTILINE,
        )
    }
    for rule, expected in EXPECTED.items():
        assert rows.get(rule) == expected, rule
