#!/usr/bin/env bash
# The test suite, with all its set-up: bash tools/test.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh test
exec .venv/bin/pytest "$@"
