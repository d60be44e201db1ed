#!/usr/bin/env bash
# A real Chroma server for the team-index tests and bench: the chromadb PyPI wheel carries the Rust
# server and the `chroma` CLI (`chroma run --path DIR --host 127.0.0.1 --port N`; TOOLCHAIN.md), in its
# own venv. Idempotent: a second run with everything in place does nothing. Result: .venv-chroma/bin/chroma.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${QUIPU_CHROMA_VENV:-.venv-chroma}
stamp="$venv/.quipu-ready"
if [[ -f "$stamp" && -x "$venv/bin/chroma" ]]; then
  echo "chroma: ready in $venv"
  exit 0
fi
[[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet "chromadb==1.5.9"
touch "$stamp"
echo "chroma: ready in $venv"
