"""What the dashboard shows, as values: tables and details made from a built graph.

The dashboard (``dashboard/``) is a thin Streamlit front end that draws these values; it
owns every figure, colour and symbol, so nothing here imports streamlit or plotly. Every
function reads the graph that :func:`checker.graph.build.build` made, the findings of
:func:`checker.check.run.check` and the flow graph of :func:`checker.graph.flows.flow_graph`
through the rdflib graph API (no SPARQL; the console's queries go through
:mod:`checker.query`). Nothing here changes the graph. Everything is deterministic: rows are
sorted, layouts are seeded, so the same records give the same pages.

- :mod:`checker.views.model`: the built, checked graph of an input, cached by its content;
- :mod:`checker.views.summary`: the register's headline numbers;
- :mod:`checker.views.activities`: the activities table and one activity's record;
- :mod:`checker.views.provenance`: the passages of the register description, as quotes;
- :mod:`checker.views.retention`: retention per activity, rule and data category;
- :mod:`checker.views.flows`: filters of the flow graph, who handles what, node details;
- :mod:`checker.views.layout`: node positions and Sankey links, as numbers;
- :mod:`checker.views.findings`: the findings by rule and by activity;
- :mod:`checker.views.notice`: the privacy notice, rendered both ways;
- :mod:`checker.views.facts`: small graph readers the others share.
"""
