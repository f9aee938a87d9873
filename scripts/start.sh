#!/usr/bin/env bash
# npm start: install what is missing, then run the whole pipeline once on the local defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
exec node --import tsx cli/paccafe.ts start
