#!/usr/bin/env bash
# A throwaway OpenLink Virtuoso (Debian's virtuoso-opensource) on loopback, for tests and CI.
#
#   bash scripts/virtuoso.sh start       install if missing, start, wait until ready; print the SPARQL endpoint
#   bash scripts/virtuoso.sh url         print the SPARQL query endpoint     (http://127.0.0.1:PORT/sparql)
#   bash scripts/virtuoso.sh store-url   print the Graph Store endpoint      (.../sparql-graph-crud-auth, digest auth)
#   bash scripts/virtuoso.sh status      exit 0 when the server answers
#   bash scripts/virtuoso.sh stop        stop the server and delete its database
#
# The database lives in a private folder ($ROPA_VIRTUOSO_DIR, default /tmp/ropa-virtuoso-$UID) and
# is deleted on stop: never point this at data you want to keep. Both ports (SQL and HTTP) are bound
# to 127.0.0.1 and chosen free unless ROPA_VIRTUOSO_HTTP_PORT / ROPA_VIRTUOSO_SQL_PORT are set.
# The user "dba" (password "dba") of the fresh database may write through the Graph Store endpoint.
# ROPA_VIRTUOSO_BUFFERS sets NumberOfBuffers (8 kB pages in memory; default 10000, 80 MB).
# Results go to stdout, progress and errors to stderr.
set -euo pipefail

DIR="${ROPA_VIRTUOSO_DIR:-${TMPDIR:-/tmp}/ropa-virtuoso-$(id -u)}"
PYTHON="$(command -v python3 || command -v python)"

log() { echo "virtuoso.sh: $*" >&2; }

free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

http_port() {
    [[ -f "$DIR/http-port" ]] || { log "not started (no $DIR/http-port)"; exit 1; }
    cat "$DIR/http-port"
}

answers() {
    # 0 when GET /sparql answers an ASK with HTTP 200.
    "$PYTHON" - "$1" <<'PY'
import sys, urllib.parse, urllib.request
url = "http://127.0.0.1:%s/sparql?" % sys.argv[1] + urllib.parse.urlencode({"query": "ASK {}"})
req = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
try:
    with urllib.request.urlopen(req, timeout=2) as resp:
        sys.exit(0 if resp.status == 200 else 1)
except Exception:
    sys.exit(1)
PY
}

running() {
    [[ -f "$DIR/pid" ]] && kill -0 "$(cat "$DIR/pid")" 2>/dev/null
}

install() {
    command -v virtuoso-t >/dev/null 2>&1 && return 0
    log "installing virtuoso-opensource (apt-get)"
    local sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo >/dev/null 2>&1 || { log "virtuoso-t is missing and I am not root: install virtuoso-opensource"; exit 1; }
        sudo=(sudo -n)
    fi
    if ! DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q virtuoso-opensource >&2; then
        "${sudo[@]}" apt-get update -q >&2
        DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q virtuoso-opensource >&2
    fi
}

write_ini() {
    local sql_port=$1 http_port=$2
    # 8 kB pages; 10000 (80 MB) holds the tests' graphs, a 10M-triple store wants ~700000.
    local buffers=${ROPA_VIRTUOSO_BUFFERS:-10000}
    cat >"$DIR/virtuoso.ini" <<INI
; Private, throwaway Virtuoso for ropa-kg tests (scripts/virtuoso.sh). Deleted on stop.
[Database]
DatabaseFile       = $DIR/db/virtuoso.db
ErrorLogFile       = $DIR/db/virtuoso.log
LockFile           = $DIR/db/virtuoso.lck
TransactionFile    = $DIR/db/virtuoso.trx
xa_persistent_file = $DIR/db/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = $DIR/db/virtuoso-temp.db
TransactionFile    = $DIR/db/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort           = 127.0.0.1:$sql_port
LiteMode             = 0
DisableUnixSocket    = 1
DisableTcpSocket     = 0
MaxClientConnections = 10
CheckpointInterval   = 60
CaseMode             = 2
AllowOSCalls         = 0
DirsAllowed          = ., $DIR
NumberOfBuffers      = $buffers
MaxDirtyBuffers      = $((buffers * 3 / 4))
MaxQueryMem          = 1G
; ropa publish replaces a graph with one MOVE, one transaction: its log after-image must fit
; (the default, 50 MB, stops a MOVE of ~100k triples). About 1.3 GB for a million triples.
TransactionAfterImageLimit = 2000000000
ThreadsPerQuery      = 2

[HTTPServer]
ServerPort           = 127.0.0.1:$http_port
ServerRoot           = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections = 10
ServerThreads        = 10
EnabledDavVSP        = 0
HTTPProxyEnabled     = 0
Charset              = UTF-8
EnabledGzipContent   = 0

[SPARQL]
; The default (10000) silently truncates results: raise it.
ResultSetMaxRows           = 10000000
; 0: never refuse a query on its cost estimate (often far off); the execution limit stays.
MaxQueryCostEstimationTime = 0
; Also the limit of an update over HTTP ("SR171 Transaction timed out"): ropa publish's MOVE of
; a million triples takes 1-3 minutes here.
MaxQueryExecutionTime      = 900
DeferInferenceRulesInit    = 0
INI
}

start() {
    if running && answers "$(http_port)"; then
        log "already running (pid $(cat "$DIR/pid"))"
        echo "http://127.0.0.1:$(http_port)/sparql"
        return 0
    fi
    install
    mkdir -p "$DIR"
    if [[ -f "$DIR/pid" ]]; then kill "$(cat "$DIR/pid")" 2>/dev/null || true; fi
    rm -rf "$DIR/db" "$DIR/pid"
    mkdir -p "$DIR/db"
    local sql_port=${ROPA_VIRTUOSO_SQL_PORT:-$(free_port)}
    local http_port=${ROPA_VIRTUOSO_HTTP_PORT:-$(free_port)}
    while [[ $http_port == "$sql_port" ]]; do http_port=$(free_port); done
    write_ini "$sql_port" "$http_port"
    echo "$http_port" >"$DIR/http-port"
    echo "$sql_port" >"$DIR/sql-port"
    (cd "$DIR/db" && exec setsid virtuoso-t -f -c "$DIR/virtuoso.ini" </dev/null >"$DIR/virtuoso.out" 2>&1) &
    echo $! >"$DIR/pid"
    local waited=0
    until answers "$http_port"; do
        if ! running; then
            log "virtuoso-t exited during start-up:"
            tail -n 30 "$DIR/virtuoso.out" "$DIR/db/virtuoso.log" >&2 2>/dev/null || true
            exit 1
        fi
        if ((waited >= 120)); then
            log "no answer on port $http_port after 60 s"
            stop
            exit 1
        fi
        sleep 0.5
        waited=$((waited + 1))
    done
    log "ready after ~$((waited / 2)) s: pid $(cat "$DIR/pid"), SQL 127.0.0.1:$sql_port, database $DIR/db"
    echo "http://127.0.0.1:$http_port/sparql"
}

stop() {
    if [[ -f "$DIR/pid" ]]; then
        local pid
        pid=$(cat "$DIR/pid")
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null || true
            for _ in $(seq 1 40); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.25
            done
            kill -KILL "$pid" 2>/dev/null || true
        fi
        log "stopped (pid $pid)"
    fi
    rm -rf "$DIR/db" "$DIR/pid" "$DIR/http-port" "$DIR/sql-port" "$DIR/virtuoso.ini" "$DIR/virtuoso.out"
    rmdir "$DIR" 2>/dev/null || true
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    url)
        port=$(http_port)
        echo "http://127.0.0.1:$port/sparql"
        ;;
    store-url)
        port=$(http_port)
        echo "http://127.0.0.1:$port/sparql-graph-crud-auth"
        ;;
    status) running && answers "$(http_port)" ;;
    install) install ;;
    *)
        echo "usage: $0 start|stop|url|store-url|status|install" >&2
        exit 2
        ;;
esac
