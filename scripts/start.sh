#!/usr/bin/env bash
# npm start: install what is missing, then run the whole pipeline once on the local defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
# The compiled CLI (dist/paccafe-cli.js), which bin/paccafe runs while it is up to date.
node --import tsx cli/paccafe.ts build --cli >/dev/null
exec bin/paccafe start
