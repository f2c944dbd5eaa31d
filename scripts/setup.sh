#!/usr/bin/env bash
# Set up ropa-kg on a fresh machine: uv, then the locked Python environment in .venv.
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v uv >/dev/null 2>&1; then
    python3 -m pip install --quiet "uv==0.13.8"
fi
# Compile bytecode at install time, as a normal install does: where PYTHONDONTWRITEBYTECODE
# is set, every process would otherwise compile every module it imports (seconds per run).
uv sync --locked --quiet --compile-bytecode
.venv/bin/python -m compileall -q -j 0 checker dashboard >/dev/null
