#!/usr/bin/env bash
# Set up ropa-kg on a fresh machine: uv, then the locked Python environment in .venv.
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v uv >/dev/null 2>&1; then
    python3 -m pip install --quiet "uv==0.13.8"
fi
uv sync --locked --quiet
