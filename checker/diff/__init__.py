"""``ropa diff``: what a change of the records means for data protection.

- :mod:`checker.diff.compare`: two built graphs in, a :class:`~checker.diff.model.Diff` out;
- :mod:`checker.diff.model`: the diff as values;
- :mod:`checker.diff.read`: reading an activity in either version;
- :mod:`checker.diff.risks`: the risk-raising changes;
- :mod:`checker.diff.render`: text, JSON and Markdown.
"""
