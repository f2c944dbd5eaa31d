"""Where the data files that ship with the package live.

From a source checkout they are the top-level ``ontology/``, ``shapes/`` and ``ropa/``
folders; in an installed wheel they are copied into ``checker/_assets/`` (see
``pyproject.toml``).
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def asset_dir(name: str) -> Path:
    """Return the folder of shipped data called ``name`` (``ontology``, ``shapes``, ``ropa``).

    >>> asset_dir("ontology").name
    'ontology'
    """
    installed = _PACKAGE / "_assets" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


def default_records() -> Path:
    """The shipped record set: the Finnish Customs customer-services register."""
    return asset_dir("ropa") / "finnish-customs"
