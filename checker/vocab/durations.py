"""Retention periods as ``xsd:duration`` values: parse, compare, say in words.

One reading for every stage: the records (labels of retention rules), the diff (longer or
shorter?), the notice (plain words in en/fi/sv) and the dashboard (a timeline in years).
Parsing takes rdflib's ISO 8601 duration grammar and conversion (``rdflib.xsd_datetime``),
restricted to the ``xsd:duration`` lexical form: the designator form only (``P1Y6M``, not
``P0001-06``), at least one field, no empty time part, a fraction only in the seconds.
Weeks (``P2W``, ISO 8601's own) are read as 7 days.

>>> parse("P1Y6M"), parse("P2W"), parse("two years")
((18, Decimal('0')), (0, Decimal('1209600')), None)
>>> compare("P1Y", "P12M"), compare("P1M", "P30D") is None
(0, True)
>>> words("P1Y6M"), words("P1Y6M", spelled=True), words("P2Y", "fi", spelled=True)
('1 year 6 months', 'one year and six months', 'kaksi vuotta')
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Final

from rdflib.xsd_datetime import ISO8601_PERIOD_REGEX, Duration, parse_xsd_duration

LANGUAGES: Final = ("en", "fi", "sv", "fr")

#: The fields of a duration in order, as ``ISO8601_PERIOD_REGEX`` names them.
FIELDS: Final = ("years", "months", "weeks", "days", "hours", "minutes", "seconds")

_NUMBER_WORDS: Final = {
    "en": "zero one two three four five six seven eight nine ten eleven twelve",
    "fi": "nolla yksi kaksi kolme neljä viisi kuusi seitsemän kahdeksan yhdeksän kymmenen",
    "sv": "noll ett två tre fyra fem sex sju åtta nio tio",
    "fr": "zéro un deux trois quatre cinq six sept huit neuf dix",
}

#: Number words for spelled-out periods, from zero; larger numbers are written in digits.
NUMBERS: Final[dict[str, tuple[str, ...]]] = {
    lang: tuple(words.split()) for lang, words in _NUMBER_WORDS.items()
}

#: The singular and plural of each field, in the order of :data:`FIELDS`. Finnish uses the
#: partitive after numbers above one ("kaksi vuotta").
_UNIT_WORDS: Final = {
    "en": "year years, month months, week weeks, day days, hour hours, minute minutes, second seconds",
    "fi": "vuosi vuotta, kuukausi kuukautta, viikko viikkoa, päivä päivää, tunti tuntia, "
    "minuutti minuuttia, sekunti sekuntia",
    "sv": "år år, månad månader, vecka veckor, dag dagar, timme timmar, minut minuter, sekund sekunder",
    "fr": "an ans, mois mois, semaine semaines, jour jours, heure heures, minute minutes, "
    "seconde secondes",
}

#: (singular, plural) of each field in each language.
UNITS: Final[dict[str, dict[str, tuple[str, str]]]] = {
    lang: {
        name: (pair.split()[0], pair.split()[1])
        for name, pair in zip(FIELDS, words.split(", "), strict=True)
    }
    for lang, words in _UNIT_WORDS.items()
}

#: "One" where it agrees with the unit: Swedish common-gender units take "en", not "ett";
#: French feminine units take "une", not "un".
_ONE: Final = {
    "sv": ("en", frozenset({"months", "weeks", "days", "hours", "minutes", "seconds"})),
    "fr": ("une", frozenset({"weeks", "hours", "minutes", "seconds"})),
}

#: "and" before the last of several parts, for spelled-out periods.
_AND: Final = {"en": " and ", "fi": " ja ", "sv": " och ", "fr": " et "}


def fields(value: str) -> dict[str, str] | None:
    """The fields of an ``xsd:duration`` as written (``{"years": "1", "months": "6"}``),
    with ``"-"`` under ``sign`` for a negative one; None when ``value`` is not one.

    >>> fields("P1Y6M"), fields("PT"), fields("P1.5Y"), fields("P0001-06")
    ({'years': '1', 'months': '6'}, None, None, None)
    """
    match = ISO8601_PERIOD_REGEX.match(value)
    if match is None:
        return None
    groups = match.groupdict()
    found = {name: groups[name][:-1] for name in FIELDS if groups[name]}
    if not found or (groups["separator"] and not {"hours", "minutes", "seconds"} & found.keys()):
        return None
    if any(not text.isdigit() for name, text in found.items() if name != "seconds"):
        return None  # xsd:duration allows a fraction in the seconds only
    if "," in found.get("seconds", ""):
        return None
    if groups["sign"] == "-":
        found["sign"] = "-"
    return found


def parse(value: str) -> tuple[int, Decimal] | None:
    """An ``xsd:duration`` as (months, seconds), the two parts XSD orders separately; None
    when ``value`` is not one (surrounding spaces are ignored)."""
    value = value.strip()
    if fields(value) is None:
        return None
    parsed = parse_xsd_duration(value, as_timedelta_if_possible=False)
    assert isinstance(parsed, Duration)  # as_timedelta_if_possible=False
    months = int(parsed.years) * 12 + int(parsed.months)
    delta: timedelta = parsed.tdelta
    seconds = Decimal(delta.days * 86400 + delta.seconds) + Decimal(delta.microseconds) / 10**6
    return months, seconds


# XSD 1.1 Part 2, appendix "Adding durations to dateTimes": two durations are ordered when
# adding them to each of these four dates orders the results the same way.
_REFERENCE_DATES: Final = (
    datetime(1696, 9, 1),
    datetime(1697, 2, 1),
    datetime(1903, 3, 1),
    datetime(1903, 7, 1),
)

#: The average month in days (400 Gregorian years), for durations beyond the calendar.
_AVERAGE_MONTH_DAYS: Final = Decimal("30.436875")


def _add(start: datetime, months: int, seconds: Decimal) -> datetime:
    year, month = divmod(start.month - 1 + months, 12)
    return start.replace(year=start.year + year, month=month + 1) + timedelta(
        seconds=float(seconds)
    )


def compare_parsed(a: tuple[int, Decimal], b: tuple[int, Decimal]) -> int | None:
    """Order two parsed durations: -1, 0 or 1, or None when XSD leaves them unordered."""
    signs = set()
    try:
        for start in _REFERENCE_DATES:
            x, y = _add(start, *a), _add(start, *b)
            signs.add((x > y) - (x < y))
    except (OverflowError, ValueError):  # beyond year 9999: compare by average lengths
        days_a = a[0] * _AVERAGE_MONTH_DAYS + a[1] / 86400
        days_b = b[0] * _AVERAGE_MONTH_DAYS + b[1] / 86400
        return (days_a > days_b) - (days_a < days_b)
    return signs.pop() if len(signs) == 1 else None


def compare(a: str, b: str) -> int | None:
    """Compare two ``xsd:duration`` values: -1, 0 or 1, or None when they are not ordered
    (months have no fixed length: ``P1M`` and ``P30D`` are incomparable, ``P1Y`` and
    ``P12M`` are equal) or one is not a duration.

    >>> compare("P2Y", "P3Y"), compare("P1M", "P32D")
    (-1, -1)
    """
    pa, pb = parse(a), parse(b)
    if pa is None or pb is None:
        return None
    return compare_parsed(pa, pb)


def years(value: str) -> float | None:
    """A duration in years (a year of 365.25 days), for drawing; None if it is not one.

    >>> [years(v) for v in ("P2Y", "P1Y6M", "soon")]
    [2.0, 1.5, None]
    """
    parsed = parse(value)
    if parsed is None:
        return None
    months, seconds = parsed
    return months / 12 + float(seconds) / 86400 / 365.25


def words(value: str, lang: str = "en", *, spelled: bool = False) -> str | None:
    """A duration in words, field by field as written; None when it is not a duration.

    ``spelled``: numbers up to ten (twelve in English) as words and "and" before the last
    part, for running text (the notice); otherwise digits, for labels ("at most 2 years").

    >>> words("PT12H"), words("P1M", "sv", spelled=True), words("P1Y", "fi", spelled=True)
    ('12 hours', 'en månad', 'yksi vuosi')
    >>> words("P1W", "fr", spelled=True), words("P2Y", "fr")
    ('une semaine', '2 ans')
    """
    found = fields(value.strip())
    if found is None or "sign" in found:
        return None  # a negative period is no retention period
    parts = []
    for name in FIELDS:
        if name not in found:
            continue
        number = found[name]
        singular, plural = UNITS[lang][name]
        if "." in number:
            parts.append(f"{number} {plural}")
            continue
        count = int(number)
        if not spelled:
            parts.append(f"{count} {singular if count == 1 else plural}")
            continue
        names = NUMBERS[lang]
        one, agreeing = _ONE.get(lang, ("", frozenset()))
        if count == 1 and name in agreeing:
            spoken = one
        else:
            spoken = names[count] if count < len(names) else str(count)
        parts.append(f"{spoken} {singular if count == 1 else plural}")
    if not spelled or len(parts) == 1:
        return " ".join(parts)
    return ", ".join(parts[:-1]) + _AND[lang] + parts[-1]
