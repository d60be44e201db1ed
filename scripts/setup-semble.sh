#!/usr/bin/env bash
# semble (PyPI, a code search library over model2vec static embeddings) for bench:instant, which compares
# its cold index time and its quality with Quipu's fast tier, in its own venv. It never reaches a model hub
# (HF_HUB_OFFLINE=1): the bench loads it with our own static model exported to a local model2vec folder
# (scripts/export-model2vec.mjs). Idempotent: a second run with everything in place does nothing.
# Result: .venv-semble/bin/python with `import semble`.
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1
venv=${QUIPU_SEMBLE_VENV:-.venv-semble}
stamp="$venv/.quipu-ready"
if [[ -f "$stamp" && -x "$venv/bin/python" ]]; then
  echo "semble: ready in $venv"
  exit 0
fi
[[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet "semble==0.7.0"
"$venv/bin/python" -c 'import semble, model2vec' # fails here, not in the bench, if the install is broken
touch "$stamp"
echo "semble: ready in $venv"
