#!/usr/bin/env bash
# The demo, with all its set-up: bash tools/demo.sh [--keep]
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh demo
exec .venv/bin/storepulse demo "$@"
