#!/usr/bin/env bash
# The test suite, with all its set-up: bash tools/test.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh test

# squawk over the forward migrations (rules and reasons: .squawk.toml)
if ! .venv/bin/squawk --config .squawk.toml \
        'migrations/*.sql' 'policies/*.sql' 'functions/*.sql' 'views/*.sql' 'cron/*.sql'; then
    echo "test: squawk found problems in the migrations above; fix the SQL, or turn the" \
        "rule off in .squawk.toml with a one-line reason" >&2
    exit 1
fi

exec .venv/bin/pytest "$@"
