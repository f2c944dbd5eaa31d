#!/usr/bin/env bash
# Debian's Chromium for the dashboard's browser test (tests/test_dashboard_browser.py) and
# bench/dashboard.py. Playwright's own browser downloads are not used: the test launches
# /usr/bin/chromium through Playwright's executable_path.
#
# Idempotent: does nothing when /usr/bin/chromium is there. Needs root and apt otherwise.
# Prints the browser's path on stdout; progress goes to stderr.
set -euo pipefail

CHROMIUM="${ROPA_CHROMIUM:-/usr/bin/chromium}"

if [ ! -x "$CHROMIUM" ]; then
    echo "chromium.sh: installing chromium (apt-get)" >&2
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -q --no-install-recommends chromium >&2; then
        apt-get update -q >&2
        apt-get install -y -q --no-install-recommends chromium >&2
    fi
fi
[ -x "$CHROMIUM" ] || { echo "chromium.sh: $CHROMIUM is still missing" >&2; exit 2; }
echo "$CHROMIUM"
