"""Spreadsheet ROPAs in and out: the regulators' layouts (ICO, Finnish, CNIL) and our records.

- :mod:`checker.spreadsheet.read`: the cells of an ``.xlsx``, ``.ods`` or ``.csv`` file as text
  (openpyxl for ``.xlsx``, python-calamine for ``.ods``, the csv module for ``.csv``; no
  formula is evaluated, no macro run, no external link followed), with the size capped.
- :mod:`checker.spreadsheet.layouts`: the three layouts' headers and controller blocks, and
  finding the header row and the layout of a sheet.
- :mod:`checker.spreadsheet.values`: what a cell's text maps to, only where the mapping is
  certain (countries, GDPR Art. 6 and 9 bases, transfer safeguards, rights, retention
  phrases, DPV labels); everything else stays the cell's own text.
- :mod:`checker.spreadsheet.to_records`: a sheet as a record set in our YAML format, every
  fact derived from the cell it came from (``ropa import``, and a spreadsheet given to
  ``ropa build``/``check``/``notice`` directly).
- :mod:`checker.spreadsheet.export`: the graph in a regulator's layout (``ropa export``).
- the ``IMPORT-UNMAPPED`` rule is :mod:`checker.check.rules.unmapped`.

See ``docs/spreadsheets.md`` for each layout's column mapping.
"""
