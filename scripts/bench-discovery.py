#!/usr/bin/env python3
"""Speed of discovery on the release binary: extract-metadata cold and unchanged on the demo
library, the whole `discover` command (model load, query embedding, vectors, BM25, fusion) at
119 agents, and, with `--big N`, indexing and ranking on generated libraries of N agents.

    cargo build --release && python3 scripts/bench-discovery.py [--runs 7] [--big 10000]
    python3 scripts/bench-discovery.py --interleave --runs 21 --bin OLD --bin NEW

Two generated libraries, written to a temporary folder, never committed:

* distinct: every agent is a different text (the demo agents' names, descriptions and bodies
  varied deterministically by words drawn from the whole demo vocabulary), so BM25 really
  indexes N texts. Embedding N distinct bodies would take far too long on 2 cores, so this one
  is measured with embeddings off (DEVTEAM_EMBEDDING_MODEL=off): cold and unchanged
  extract-metadata, and lexical ranking.
* repeated: the demo agents' texts under N distinct ids, so the content-hash cache embeds
  each text once; measures hybrid ranking (BM25 + 2N vectors) at N agents.
"""
import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / "target" / "release" / "devteam"
TASK = "the checkout page takes 8 seconds to load on android phones"
# Tasks for ranking at scale: a symptom, a technology, a chore.
TASKS = [
    TASK,
    "migrate the postgres schema without downtime and keep the replicas in sync",
    "write release notes for the new billing api and update the changelog",
]
HEAD_CHARS = 1200


# CPU time (user + system) of each command, next to its wall time: on a machine shared by
# several builds, wall time mostly measures the wait for a core.
CPU = []


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(db, lib, *args, env=None):
    started, cpu = time.perf_counter(), cpu_seconds()
    out = subprocess.run([str(BIN), "--db", db, "--init", "--agents", lib, "--json", *args], capture_output=True, check=True, env=env)
    CPU.append(cpu_seconds() - cpu)
    return time.perf_counter() - started, json.loads(out.stdout)


def median_ms(db, lib, n, *args, env=None):
    """Median and best wall time of `n` runs, and the median CPU time, in ms."""
    del CPU[:]
    times = [run(db, lib, *args, env=env)[0] for _ in range(n)]
    return statistics.median(times) * 1000, min(times) * 1000, statistics.median(CPU) * 1000


def demo_agents():
    return sorted(p for p in (ROOT / "fixtures" / "agents").iterdir() if p.is_dir())


def vocabulary(agents):
    words = set()
    for a in agents:
        words.update(w.lower() for w in re.findall(r"[A-Za-z][A-Za-z-]{4,}", (a / "CLAUDE.md").read_text()))
    return sorted(words)


def pick(vocab, i, k):
    """The k-th word of agent i: a fixed, well-spread walk over the vocabulary."""
    return vocab[(i * 7919 + k * 104729 + k * k * 13) % len(vocab)]


def varied(text, vocab, i):
    """Agent i's text: the demo agent's, with a distinct title, description and body line."""
    lines = text[:HEAD_CHARS].split("\n")
    words = [pick(vocab, i, k) for k in range(12)]
    title = next((n for n, line in enumerate(lines) if line.startswith("# ")), None)
    if title is not None:
        lines[title] += f" for {words[0]} and {words[1]}"
        desc = next((n for n in range(title + 1, len(lines)) if lines[n].strip()), None)
        if desc is not None:
            lines[desc] += f" Also covers {words[2]}, {words[3]} and {words[4]}."
    lines.append("")
    lines.append(f"It often works on {', '.join(words[5:11])} and {words[11]} (variant {i}).")
    return "\n".join(lines) + "\n"


def big_library(dest, n, distinct):
    agents = demo_agents()
    vocab = vocabulary(agents)
    for i in range(n):
        base = agents[i % len(agents)]
        text = (base / "CLAUDE.md").read_text()
        d = dest / f"{base.name}-{i}"
        d.mkdir(parents=True)
        (d / "CLAUDE.md").write_text(varied(text, vocab, i) if distinct else text[:HEAD_CHARS])


def rank_timings(db, lib, runs, env=None):
    """Median whole command and median of each inside figure, over `runs` runs of each task."""
    whole, inside = [], {}
    del CPU[:]
    for task in TASKS:
        for _ in range(runs):
            t, d = run(db, lib, "discover", "--no-refresh", task, env=env)
            whole.append(t * 1000)
            for k, v in d["timing"].items():
                inside.setdefault(k, []).append(v)
    inside["cpu_ms"] = [c * 1000 for c in CPU]
    return statistics.median(whole), {k: round(statistics.median(v), 1) for k, v in inside.items()}


def bench_big(tmp, libs, n, runs):
    off = {**os.environ, "DEVTEAM_EMBEDDING_MODEL": "off"}
    big = libs / "distinct"
    if not big.exists():
        big_library(big, n, distinct=True)
    bdb = str(Path(tmp) / "distinct.db")
    cold, report = run(bdb, str(big), "extract-metadata", env=off)
    print(f"distinct {n} agents, embeddings off: extract-metadata cold {cold:.1f} s "
          f"({report['agents']} agents, {report['full_tokens']} tokens)")
    med, best, cpu = median_ms(bdb, str(big), runs, "extract-metadata", env=off)
    print(f"distinct {n} agents, embeddings off: extract-metadata unchanged median {med:.0f} ms, best {best:.0f} ms, "
          f"CPU {cpu:.0f} ms")
    whole, inside = rank_timings(bdb, str(big), runs, env=off)
    print(f"distinct {n} agents, BM25 only: discover median {whole:.0f} ms, inside (medians) {inside}")

    rep = libs / "repeated"
    if not rep.exists():
        big_library(rep, n, distinct=False)
    rdb = str(Path(tmp) / "repeated.db")
    cold, report = run(rdb, str(rep), "extract-metadata")
    print(f"repeated {n} agents, embeddings on: extract-metadata cold {cold:.1f} s ({report['embedded']})")
    med, best, cpu = median_ms(rdb, str(rep), runs, "extract-metadata")
    print(f"repeated {n} agents, embeddings on: extract-metadata unchanged median {med:.0f} ms, best {best:.0f} ms, "
          f"CPU {cpu:.0f} ms")
    whole, inside = rank_timings(rdb, str(rep), runs)
    print(f"repeated {n} agents, hybrid: discover median {whole:.0f} ms, inside (medians) {inside}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--big", type=int, default=0, help="also index and rank generated libraries of N agents")
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--skip-demo", action="store_true", help="only the generated libraries")
    ap.add_argument("--bin", action="append", type=Path,
                    help="binary to measure (repeat to compare builds in one run; default target/release/devteam)")
    ap.add_argument("--interleave", action="store_true",
                    help="with several --bin: only `discover` on the demo library (with --big N: on N agents of "
                         "repeated demo texts), the binaries taking turns on one store indexed by the first "
                         "(a fair comparison on a machine whose load drifts)")
    a = ap.parse_args()
    global BIN
    if a.interleave:
        interleaved(a.bin or [BIN], a.runs, a.big)
        return
    # The generated libraries are written once and shared by every binary measured.
    with tempfile.TemporaryDirectory() as libs:
        for BIN in a.bin or [BIN]:
            print(f"== {BIN}", flush=True)
            with tempfile.TemporaryDirectory() as tmp:
                bench(a, tmp, Path(libs))


def interleaved(bins, runs, big=0):
    """`discover` on the demo library (or, with `big`, on N agents of repeated demo texts, the
    three ranking tasks, `--no-refresh`), each binary in turn, `runs` rounds, one store (indexed
    and embedded by the first binary: the model id is the same, so every binary reads those
    vectors)."""
    global BIN
    with tempfile.TemporaryDirectory() as tmp:
        if big:
            lib = str(Path(tmp) / "repeated")
            big_library(Path(lib), big, distinct=False)
        else:
            lib = str(ROOT / "fixtures" / "agents")
        db = str(Path(tmp) / "d.db")
        BIN = bins[0]
        run(db, lib, "extract-metadata")
        whole = {b: [] for b in bins}
        cpu = {b: [] for b in bins}
        inside = {b: {} for b in bins}
        commands = [("discover", "--no-refresh", t) for t in TASKS] if big else [("discover", TASK)]
        for _ in range(runs):
            for b in bins:
                BIN = b
                for command in commands:
                    del CPU[:]
                    t, d = run(db, lib, *command)
                    whole[b].append(t * 1000)
                    cpu[b].append(CPU[0] * 1000)
                    for k, v in d["timing"].items():
                        inside[b].setdefault(k, []).append(v)
        where = f"{big} agents (demo texts repeated)" if big else "the demo library"
        for b in bins:
            med = {k: round(statistics.median(v), 1) for k, v in inside[b].items()}
            print(f"== {b}: discover on {where}, whole command, {len(whole[b])} turns: "
                  f"median {statistics.median(whole[b]):.0f} ms, best {min(whole[b]):.0f} ms, "
                  f"CPU median {statistics.median(cpu[b]):.0f} ms; inside (medians) {med}; "
                  f"best rank_ms {min(inside[b]['rank_ms'])}")


def bench(a, tmp, libs):
    """Every figure for the binary in BIN; the generated libraries in `libs` are kept between binaries."""
    lib = str(ROOT / "fixtures" / "agents")
    if not a.skip_demo:
        db = str(Path(tmp) / "d.db")
        cold, report = run(db, lib, "extract-metadata")
        print(f"extract-metadata cold (119 agents, embeds {report['embedded']['embedded']} texts, "
              f"{report['embedded']['tokens']} tokens): {cold:.1f} s")
        med, best, cpu = median_ms(db, lib, a.runs, "extract-metadata")
        print(f"extract-metadata unchanged: median {med:.0f} ms, best {best:.0f} ms, CPU {cpu:.0f} ms")
        med, best, cpu = median_ms(db, lib, a.runs, "discover", TASK)
        _, d = run(db, lib, "discover", TASK)
        print(f"discover, whole command: median {med:.0f} ms, best {best:.0f} ms, CPU {cpu:.0f} ms "
              f"(inside, one run: {d['timing']})", flush=True)
    if a.big:
        bench_big(tmp, libs, a.big, a.runs)


if __name__ == "__main__":
    main()
