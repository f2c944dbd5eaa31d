"""The vocabulary layer (checker/vocab/): closed namespaces that match the ontology, one
label picker, durations; property-based where a rule holds for every input."""

from __future__ import annotations

from decimal import Decimal

import pyoxigraph as ox
import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import ClosedNamespace

from checker.assets import asset_dir
from checker.vocab import durations, namespaces
from checker.vocab.labels import LABEL_PREDICATES, Candidate, label_of, pick
from checker.vocab.namespaces import (
    PREFIXES,
    QUERY_PREFIXES,
    RECORD_PREFIXES,
    ROPA,
    compact,
    expand_curie,
    local_id,
)


@pytest.fixture(scope="module")
def ontology_terms() -> set[str]:
    store = ox.Store()
    for path in sorted(asset_dir("ontology").glob("*.ttl")):
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    return {q.subject.value for q in store if isinstance(q.subject, ox.NamedNode)}


CLOSED = [
    getattr(namespaces, name)
    for name in namespaces.__all__
    if isinstance(getattr(namespaces, name), ClosedNamespace)
]


def _listed(namespace: ClosedNamespace) -> list[str]:
    return dir(namespace)


def test_the_closed_namespaces_are_the_projects_own() -> None:
    assert len(CLOSED) == 10  # DPV, PD, EU_GDPR, LEGAL_EU, LOC, ROPA, PROV, OA, ORG, SCHEMA


@pytest.mark.parametrize("namespace", CLOSED, ids=lambda ns: str(ns))
def test_every_listed_term_is_defined_by_the_shipped_vocabulary(namespace, ontology_terms) -> None:
    listed = _listed(namespace)
    assert listed
    missing = [t for t in listed if str(namespace[t]) not in ontology_terms]
    assert not missing, f"{namespace}: not in ontology/: {missing}"


def test_ropa_lists_exactly_the_terms_of_ropa_ttl(ontology_terms) -> None:
    defined = {t.removeprefix(str(ROPA)) for t in ontology_terms if t.startswith(str(ROPA))}
    assert set(_listed(ROPA)) == defined


def test_a_misspelt_term_fails_where_it_is_used() -> None:
    with pytest.raises(AttributeError, match="hasPurpse"):
        _ = namespaces.DPV.hasPurpse
    with pytest.raises(KeyError, match="A6-1-z"):
        _ = namespaces.EU_GDPR["A6-1-z"]


def test_the_prefix_tables_agree() -> None:
    assert all(QUERY_PREFIXES[p] == ns for p, ns in PREFIXES.items())
    assert all(PREFIXES[p] == ns for p, ns in RECORD_PREFIXES.items())
    assert len(set(QUERY_PREFIXES.values())) == len(QUERY_PREFIXES)


local_names = st.from_regex(r"[A-Za-z][A-Za-z0-9_\-]{0,20}", fullmatch=True)


@given(st.sampled_from(sorted(PREFIXES)), local_names)
def test_compact_and_expand_are_inverse(prefix: str, local: str) -> None:
    iri = PREFIXES[prefix] + local
    curie = compact(iri)
    assert curie.split(":", 1)[1] == local
    short, _, rest = curie.partition(":")
    assert PREFIXES.get(short, QUERY_PREFIXES.get(short)) + rest == iri
    if prefix in RECORD_PREFIXES:
        assert expand_curie(f"{prefix}:{local}") == iri


@given(local_names)
def test_local_id_is_the_last_segment(local: str) -> None:
    assert local_id(f"https://example.org/a/b#{local}") == local
    assert local_id(f"https://example.org/a/{local}/") == local


# --- labels -----------------------------------------------------------------------------

languages = st.sampled_from([None, "en", "en-GB", "fi", "sv", "de"])
candidates = st.lists(
    st.builds(Candidate, st.text(min_size=1, max_size=8), languages, st.integers(0, 5)),
    min_size=1,
    max_size=8,
)


@given(candidates, st.sampled_from(["en", "fi", "sv"]), st.randoms())
def test_the_pick_does_not_depend_on_order(found, lang, random) -> None:
    shuffled = list(found)
    random.shuffle(shuffled)
    assert pick(found, lang) == pick(shuffled, lang)


@given(candidates, st.sampled_from(["fi", "sv"]))
def test_the_asked_language_wins_then_english_then_untagged(found, lang) -> None:
    chosen = pick(found, lang)
    tags = [(c.language or "").lower() for c in found]
    if any(t == lang for t in tags):
        assert chosen.language.lower() == lang
    elif any(t == "en" or t.startswith("en-") for t in tags):
        assert chosen.language.lower().startswith("en")
    elif None in [c.language for c in found]:
        assert chosen.language is None


@given(st.permutations(list(range(len(LABEL_PREDICATES)))))
def test_within_a_language_the_first_label_predicate_wins(order) -> None:
    graph = Graph()
    node = URIRef("https://example.org/x")
    for rank in order:
        graph.add((node, LABEL_PREDICATES[rank], Literal(f"name {rank}", lang="en")))
    assert label_of(graph, node) == "name 0"


def test_no_label_gives_the_local_id_never_the_iri() -> None:
    assert label_of(Graph(), URIRef("https://example.org/registers/x/chat-ip")) == "chat-ip"


# --- durations ----------------------------------------------------------------------------

FIELDS = ("Y", "M", "W", "D")


@st.composite
def duration_fields(draw):
    date = {f: draw(st.integers(0, 40)) for f in FIELDS if draw(st.booleans())}
    time = {f: draw(st.integers(0, 90)) for f in ("H", "TM", "S") if draw(st.booleans())}
    if not date and not time:
        date = {"D": draw(st.integers(0, 40))}
    return date, time


def written(date: dict[str, int], time: dict[str, int]) -> str:
    text = "P" + "".join(f"{date[f]}{f}" for f in FIELDS if f in date)
    if time:
        text += "T" + "".join(f"{time[f]}{f[-1]}" for f in ("H", "TM", "S") if f in time)
    return text


@given(duration_fields())
def test_parse_counts_months_and_seconds(parts) -> None:
    date, time = parts
    months, seconds = durations.parse(written(date, time))
    assert months == date.get("Y", 0) * 12 + date.get("M", 0)
    days = date.get("W", 0) * 7 + date.get("D", 0)
    expected = days * 86400 + time.get("H", 0) * 3600 + time.get("TM", 0) * 60 + time.get("S", 0)
    assert seconds == Decimal(expected)


@given(duration_fields(), duration_fields())
def test_compare_is_antisymmetric(a, b) -> None:
    x, y = written(*a), written(*b)
    forward, backward = durations.compare(x, y), durations.compare(y, x)
    assert (forward is None) == (backward is None)
    if forward is not None:
        assert forward == -backward
    assert durations.compare(x, x) == 0


@given(duration_fields(), st.sampled_from(["en", "fi", "sv"]), st.booleans())
def test_words_name_every_field_in_the_language(parts, lang, spelled) -> None:
    value = written(*parts)
    text = durations.words(value, lang, spelled=spelled)
    count = sum(len(p) for p in parts)
    unit_words = {w for pair in durations.UNITS[lang].values() for w in pair}
    assert sum(1 for w in text.replace(",", " ").split() if w in unit_words) >= count


@pytest.mark.parametrize(
    "bad", ["", "P", "PT", "P1DT", "1Y", "P1.5Y", "P0001-06", "two years", "P1Y2"]
)
def test_what_is_not_a_duration_is_refused(bad: str) -> None:
    assert durations.parse(bad) is None
    assert durations.words(bad) is None


def test_months_and_days_are_not_ordered_but_years_and_months_are() -> None:
    assert durations.compare("P1M", "P30D") is None
    assert durations.compare("P1Y", "P12M") == 0
    assert durations.compare("P1Y", "P366D") is None  # 365 or 366 days
    assert durations.compare("P1Y", "P367D") == -1
