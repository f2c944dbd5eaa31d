"""Which data-subject rights each GDPR Art. 6(1) legal basis gives, with the conditions the
articles attach: the table the notice's "Your rights" section is written from.

The table follows the text of the Regulation, not DPV's ``dpv:hasRight`` mapping (which
omits Art. 14 for 6(1)(c) and Art. 22 for most bases, and gives erasure without 17(3)(b));
DPV's mapping is used only for a legal basis this table does not know.

===========  ===  ===  ===  ===  ===  ===
right         a    b    c    d    e    f
===========  ===  ===  ===  ===  ===  ===
7(3)          yes  --   --   --   --   --
13            src  src  src  src  src  src
14            oth  oth  oth  oth  oth  oth
15            yes  yes  yes  yes  yes  yes
16            yes  yes  yes  yes  yes  yes
17            yes  yes  ext  yes  ext  yes
18            yes  yes  yes  yes  yes  yes
20            aut  aut  --   --   --   --
21            dm   dm   dm   dm   yes  yes
22            yes  yes  yes  yes  yes  yes
77            yes  yes  yes  yes  yes  yes
===========  ===  ===  ===  ===  ===  ===

``src``: where the data are collected from the data subject (Art. 13(1)); ``oth``: where
they are obtained from another source (Art. 14(1)); ``ext``: erasure does not apply to the
extent the processing is necessary for a legal obligation or a public task (Art.
17(3)(b)); ``aut``: portability only where the processing is carried out by automated
means (Art. 20(1)(b)) and not for a public task (20(3)); ``dm``: objection only to direct
marketing (Art. 21(2)); 21(1) covers 6(1)(e) and (f); Art. 22 applies whatever the basis.

>>> RIGHTS_BY_BASIS["c"]["A17"], RIGHTS_BY_BASIS["a"]["A20"], RIGHTS_BY_BASIS["c"]["A22"]
('extent', 'automated', 'yes')
"""

from __future__ import annotations

from typing import Final

from checker.vocab.namespaces import DPV, EU_GDPR

#: A right applies ("yes"), does not ("no"), or applies under a condition.
CONDITIONS: Final = ("from_subject", "from_elsewhere", "extent", "automated", "direct_marketing")

#: The rights, by the article's local name in ``eu-gdpr:``, in the order the notice lists them.
RIGHT_ORDER: Final = ("A7-3", "A13", "A14", "A15", "A16", "A17", "A18", "A20", "A21", "A22", "A77")

_ALL = dict.fromkeys(RIGHT_ORDER, "yes")
_COMMON = {**_ALL, "A7-3": "no", "A13": "from_subject", "A14": "from_elsewhere"}

#: Right -> status for each Art. 6(1) point (a)-(f); the module docstring has the table.
RIGHTS_BY_BASIS: Final[dict[str, dict[str, str]]] = {
    "a": {**_COMMON, "A7-3": "yes", "A20": "automated", "A21": "direct_marketing"},
    "b": {**_COMMON, "A20": "automated", "A21": "direct_marketing"},
    "c": {**_COMMON, "A17": "extent", "A20": "no", "A21": "direct_marketing"},
    "d": {**_COMMON, "A20": "no", "A21": "direct_marketing"},
    "e": {**_COMMON, "A17": "extent", "A20": "no"},
    "f": {**_COMMON, "A20": "no"},
}

#: The Art. 6(1) point of each legal basis concept the table knows (GDPR and plain DPV).
BASIS_POINTS: Final = {
    EU_GDPR["A6-1-a"]: "a",
    DPV.Consent: "a",
    EU_GDPR["A6-1-b"]: "b",
    DPV.Contract: "b",
    EU_GDPR["A6-1-c"]: "c",
    DPV.LegalObligation: "c",
    EU_GDPR["A6-1-d"]: "d",
    DPV.VitalInterest: "d",
    EU_GDPR["A6-1-e"]: "e",
    DPV.PublicInterest: "e",
    DPV.OfficialAuthorityOfController: "e",
    EU_GDPR["A6-1-f"]: "f",
    DPV.LegitimateInterest: "f",
}
