#!/usr/bin/env bash
# Runs lint, type check and the whole suite. Services the tests need are started here:
# a throwaway PostgreSQL cluster (temp dir, free port on 127.0.0.1, stopped by PID at exit),
# announced to the tests as REJOINDER_TEST_POSTGRES_URL. Extra arguments go to pytest
# (REJOINDER_TEST_WORKERS=N: on N pytest-xdist workers).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

lint_paths() {
    local path
    for path in src tests bench; do [ -d "$path" ] && echo "$path"; done
}

postgres_bindir() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then echo "$dir"; fi
}

free_port() {
    "$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

PG_DIR=""
PG_PID=""

as_pg_user() {
    # initdb and postgres refuse to run as root: run them as the `postgres` OS user then.
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop_postgres() {
    if [ -n "$PG_PID" ] && kill -0 "$PG_PID" 2>/dev/null; then
        kill -INT "$PG_PID" 2>/dev/null || true # fast shutdown
        for _ in $(seq 1 100); do
            kill -0 "$PG_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$PG_PID" 2>/dev/null || true
    fi
    if [ -n "$PG_DIR" ]; then rm -rf "$PG_DIR"; fi
}

start_postgres() {
    local bindir port password
    bindir=$(postgres_bindir)
    if [ -z "$bindir" ]; then
        echo "run-tests: no PostgreSQL server found; run scripts/test-deps.sh (make test does)" >&2
        exit 1
    fi
    PG_DIR=$(mktemp -d -t rejoinder-pg.XXXXXX)
    trap stop_postgres EXIT
    trap 'exit 130' INT TERM
    password=$("$BIN/python" -c 'import secrets; print(secrets.token_hex(16))')
    echo "$password" >"$PG_DIR/pwfile"
    mkdir "$PG_DIR/data"
    if [ "$(id -u)" -eq 0 ]; then chown -R postgres: "$PG_DIR"; fi
    as_pg_user "$bindir/initdb" -D "$PG_DIR/data" -U postgres --pwfile="$PG_DIR/pwfile" \
        --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 || {
        cat "$PG_DIR/initdb.log" >&2
        exit 1
    }
    port=$(free_port)
    as_pg_user "$bindir/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_DIR -c fsync=off \
            -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null || {
        cat "$PG_DIR/server.log" >&2
        exit 1
    }
    PG_PID=$(head -n 1 "$PG_DIR/data/postmaster.pid")
    export REJOINDER_TEST_POSTGRES_URL="postgresql+psycopg://postgres:$password@127.0.0.1:$port/postgres"
    echo "run-tests: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (pid $PG_PID)"
}

main() {
    # shellcheck disable=SC2046
    "$BIN/ruff" check $(lint_paths)
    # shellcheck disable=SC2046
    "$BIN/ruff" format --check $(lint_paths)
    "$BIN/mypy"
    "$BIN/lint-imports" --no-cache # the layer rules of pyproject.toml [tool.importlinter]
    start_postgres
    # In `make test` nothing the suite needs may be missing: environment skips become failures.
    export REJOINDER_TEST_STRICT=1
    # Byte-compile once: the suite starts well over a hundred Python processes (servers, CLI
    # calls, bench smoke runs), and with PYTHONDONTWRITEBYTECODE set each would compile the
    # sources again. (__pycache__ is git-ignored.)
    "$BIN/python" -m compileall -q -j 0 src tests bench >/dev/null
    # REJOINDER_TEST_WORKERS=2 spreads the test files over two pytest-xdist workers (a file runs
    # whole on one, so its module-scoped servers start once); the default is one process.
    local workers="${REJOINDER_TEST_WORKERS:-1}"
    if [ "$workers" -gt 1 ]; then
        set -- -n "$workers" --dist loadfile "$@"
    fi
    "$BIN/python" -m pytest "$@"
}

main "$@"
