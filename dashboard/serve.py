"""Run the dashboard's Streamlit server with the records built and the first page ready.

``ropa dashboard`` starts this file (``python dashboard/serve.py [streamlit options]``)
instead of ``streamlit run app.py``: it builds and checks the records, computes what the
pages show (:meth:`checker.views.model.Model.warm`) and draws the Flows map, all in the
server's own process, and only then starts the server. So the server answers
``/_stcore/health`` when a page only has to draw, and the browser's first page takes what
drawing takes, not what building takes. Records that do not build are left to the app,
which shows the error page with file and line.
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
if str(_HERE) not in sys.path:  # the shared page helpers live beside this file
    sys.path.insert(0, str(_HERE))

import ropa_ui  # noqa: E402
from streamlit.web import cli  # noqa: E402


def main(options: list[str]) -> None:
    """Warm the model, then run ``streamlit run app.py OPTIONS`` in this process."""
    try:
        ropa_ui.preload()
    except KeyboardInterrupt:  # stopped while building: no traceback, the usual status
        raise SystemExit(130) from None
    sys.argv = ["streamlit", "run", str(_HERE / "app.py"), *options]
    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main(sys.argv[1:])
