#!/usr/bin/env python3
"""Speed of discovery with embeddings, on the release binary: extract-metadata cold and
unchanged on the demo library, the whole `discover` command (model load, query embedding,
vectors, BM25, fusion) at 119 agents, and ranking alone at N agents on a generated library.

    cargo build --release && python3 scripts/bench-discovery.py [--big 10000]

The generated library repeats the demo agents under new ids with short bodies, so that it
can be embedded in minutes; it is written to a temporary folder, never committed.
"""
import argparse
import json
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / "target" / "release" / "devteam"
TASK = "the checkout page takes 8 seconds to load on android phones"


def run(db, lib, *args):
    started = time.perf_counter()
    out = subprocess.run([BIN, "--db", db, "--agents", lib, "--json", *args], capture_output=True, check=True)
    return time.perf_counter() - started, json.loads(out.stdout)


def median_ms(db, lib, n, *args):
    times = [run(db, lib, *args)[0] for _ in range(n)]
    return statistics.median(times) * 1000, min(times) * 1000


def big_library(dest, n):
    agents = sorted(p for p in (ROOT / "fixtures" / "agents").iterdir() if p.is_dir())
    for i in range(n):
        src = agents[i % len(agents)] / "CLAUDE.md"
        text = src.read_text()
        head = text[:600]
        d = dest / f"{agents[i % len(agents)].name}-{i}"
        d.mkdir(parents=True)
        (d / "CLAUDE.md").write_text(head)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--big", type=int, default=0, help="also index and rank a generated library of N agents")
    ap.add_argument("--runs", type=int, default=10)
    a = ap.parse_args()
    lib = str(ROOT / "fixtures" / "agents")
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "d.db")
        cold, report = run(db, lib, "extract-metadata")
        print(f"extract-metadata cold (119 agents, embeds {report['embedded']['embedded']} texts, "
              f"{report['embedded']['tokens']} tokens): {cold:.1f} s")
        med, best = median_ms(db, lib, a.runs, "extract-metadata")
        print(f"extract-metadata unchanged: median {med:.0f} ms, best {best:.0f} ms")
        med, best = median_ms(db, lib, a.runs, "discover", TASK)
        _, d = run(db, lib, "discover", TASK)
        print(f"discover, whole command: median {med:.0f} ms, best {best:.0f} ms (inside: {d['timing']})")
        if a.big:
            big = Path(tmp) / "big"
            big_library(big, a.big)
            bdb = str(Path(tmp) / "big.db")
            cold, report = run(bdb, str(big), "extract-metadata")
            print(f"extract-metadata cold, {a.big} agents: {cold:.1f} s ({report['embedded']})")
            med, best = median_ms(bdb, str(big), 3, "extract-metadata")
            print(f"extract-metadata unchanged, {a.big} agents: median {med:.0f} ms")
            _, d = run(bdb, str(big), "discover", "--no-refresh", TASK)
            print(f"discover at {a.big} agents: {d['timing']}")
            shutil.rmtree(big)


if __name__ == "__main__":
    main()
