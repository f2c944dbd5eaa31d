"""Auditors' SPARQL over the graph: read-only, time-limited, labels beside IRIs.

- :mod:`checker.query.text`: where a query comes from, and refusing updates before it runs;
- :mod:`checker.query.library`: the saved queries (``queries/*.rq``);
- :mod:`checker.query.engines`: the embedded graph (a child process per query) or an endpoint;
- :mod:`checker.query.binding`: values bound to variables by name;
- :mod:`checker.query.results`: answers as values and their renderings;
- :mod:`checker.query.ask`: :func:`~checker.query.ask.ask`, shared by ``ropa query`` and the
  dashboard's console;
- :mod:`checker.query.serve` (``ropa serve``) and :mod:`checker.query.publish` (``ropa publish``).
"""
