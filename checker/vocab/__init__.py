"""The vocabulary layer: what every stage needs to know of terms, written once.

- :mod:`checker.vocab.namespaces`: the prefixes and closed namespaces (a typo fails loudly);
- :mod:`checker.vocab.labels`: the one label picker (language, then predicate, then id);
- :mod:`checker.vocab.concepts`: "is a", special categories, EU/EEA membership;
- :mod:`checker.vocab.durations`: ``xsd:duration`` parsed, compared and said in words;
- :mod:`checker.vocab.terms`: the shipped vocabulary (``ontology/``) and its known terms.
"""
