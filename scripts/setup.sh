#!/usr/bin/env bash
# Set up ropa-kg on a fresh machine: uv, then the locked Python environment in .venv, with
# every optional extra (the dashboard: streamlit, plotly) and the dev tools.
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v uv >/dev/null 2>&1; then
    python3 -m pip install --quiet "uv==0.13.8"
fi
# Compile bytecode at install time, as a normal install does: where PYTHONDONTWRITEBYTECODE
# is set, every process would otherwise compile every module it imports (seconds per run).
uv sync --locked --all-extras --quiet --compile-bytecode
.venv/bin/python -m compileall -q -j 0 checker dashboard >/dev/null
