#!/usr/bin/env python3
"""Chooses discovery's fusion weights on some libraries and reports them on the others.

Input: files written by `devteam eval discovery LABELS --signals FILE` (one JSON line per
task with every agent's signals). Each signal is turned into a z-score over the library's
agents, as src/discovery/mod.rs does, and a weighted sum ranks the agents. The grid search
maximises hit@3 + MRR on the `--choose` libraries only; every other library is reported
as held out, never looked at while choosing.

    python3 scripts/discovery/choose-fusion.py --choose wshobson=/tmp/w.jsonl,fixtures=/tmp/f.jsonl \\
        --report agency=/tmp/a.jsonl,0xfurai=/tmp/x.jsonl
"""
import argparse
import itertools
import json
import math

SIGNALS = ["profile", "body_words", "thesaurus", "description", "body_meaning"]
GRID = [0.0, 0.25, 0.5, 1.0]


def load(path):
    tasks = []
    for line in open(path):
        t = json.loads(line)
        ids = sorted(t["signals"])
        cols = []
        for s in SIGNALS:
            v = [t["signals"][i][s] for i in ids]
            m = sum(v) / len(v)
            sd = math.sqrt(sum((x - m) ** 2 for x in v) / len(v))
            cols.append([(x - m) / sd if sd > 1e-12 else 0.0 for x in v])
        tasks.append({"ids": ids, "cols": cols, "expected": set(t["expected"])})
    return tasks


def measure(tasks, w):
    hit3 = rr = top20 = 0.0
    for t in tasks:
        score = [sum(wk * col[i] for wk, col in zip(w, t["cols"]) if wk) for i in range(len(t["ids"]))]
        order = sorted(range(len(score)), key=lambda i: (-score[i], t["ids"][i]))
        rank = next((r for r, i in enumerate(order) if t["ids"][i] in t["expected"]), None)
        if rank is not None:
            hit3 += rank < 3
            top20 += rank < 20
            rr += 1 / (rank + 1)
    n = len(tasks)
    return hit3 / n, rr / n, top20 / n


def parse(spec):
    return dict(kv.split("=", 1) for kv in spec.split(",")) if spec else {}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--choose", required=True)
    ap.add_argument("--report", default="")
    ap.add_argument("--fix", default="", help="signal=weight pairs held fixed, e.g. thesaurus=0")
    args = ap.parse_args()
    fixed = {k: float(v) for k, v in parse(args.fix).items()}
    choose = {k: load(v) for k, v in parse(args.choose).items()}
    report = {k: load(v) for k, v in parse(args.report).items()}
    best = None
    for w in itertools.product(GRID, repeat=len(SIGNALS)):
        if not any(w) or any(w[SIGNALS.index(k)] != v for k, v in fixed.items()):
            continue
        figs = [measure(t, w) for t in choose.values()]
        obj = sum(h + m for h, m, _ in figs) / len(figs)
        if best is None or obj > best[0] + 1e-9:
            best = (obj, w)
    w = best[1]
    print("chosen on", ", ".join(choose), "weights", dict(zip(SIGNALS, w)), "fixed", fixed or "nothing")
    for name, tasks in list(choose.items()) + list(report.items()):
        h, m, r = measure(tasks, w)
        role = "chosen on" if name in choose else "held out"
        print(f"  {name:12} {role:9} tasks {len(tasks):3}  hit@3 {h:.3f}  MRR {m:.3f}  recall@20 {r:.3f}")


if __name__ == "__main__":
    main()
