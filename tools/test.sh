#!/usr/bin/env bash
# The test suite, with all its set-up: bash tools/test.sh [pytest args...]
# Static checks first (ruff over tools/ and tests/, mypy --strict over the package), then pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh test
if ! .venv/bin/ruff check tools tests; then
    echo "test.sh: ruff found problems (above); fix them, or run .venv/bin/ruff check --fix" >&2
    exit 1
fi
if ! .venv/bin/mypy tools/storepulse; then
    echo "test.sh: mypy found type errors (above) in tools/storepulse" >&2
    exit 1
fi

# squawk over the forward migrations (rules and reasons: .squawk.toml)
if ! .venv/bin/squawk --config .squawk.toml \
        'migrations/*.sql' 'policies/*.sql' 'functions/*.sql' 'views/*.sql' 'cron/*.sql'; then
    echo "test: squawk found problems in the migrations above; fix the SQL, or turn the" \
        "rule off in .squawk.toml with a one-line reason" >&2
    exit 1
fi

# Two workers, each with its own throwaway server, each taking whole files (module fixtures
# load once): on two cores the suite takes about half as long. STOREPULSE_TEST_WORKERS=0
# runs it in this one process.
exec .venv/bin/pytest -n "${STOREPULSE_TEST_WORKERS:-2}" --dist loadfile "$@"
