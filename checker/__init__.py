"""ropa-kg: a knowledge graph and compliance checker for GDPR records of processing activities.

The pipeline is records -> graph -> check / query / notice / dashboard. This package is the
engine; ``checker.cli`` is its command-line front end.
"""

from __future__ import annotations

__version__ = "0.1.0"
