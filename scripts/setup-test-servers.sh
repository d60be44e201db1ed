#!/usr/bin/env bash
# The real servers the tests talk to, installed once (each script is idempotent: a second run with
# everything in place does nothing): Infinity, an OpenAI-compatible embedding server, for the
# remote-embedder tests, and Chroma for the team-index tests. The tests start them on free loopback
# ports and stop them. Run by `npm test` and `npm run test:e2e`, so a fresh clone needs nothing by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-infinity.sh
bash scripts/setup-chroma.sh
