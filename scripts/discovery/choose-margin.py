#!/usr/bin/env python3
"""Chooses `run`'s ambiguity margin for the hybrid ranking on some libraries, reports it on the others.

`run` asks the haiku tier to choose among the top five cards only when the local ranking is
not clear. With fused z-scores (src/discovery/mod.rs, Fusion::HYBRID) a ratio of the first
two scores means nothing (they can be near zero or negative), so the test is a margin: the
first agent's fused score minus the second's, in z-score units.

The rule, fixed before looking: the smallest margin on a 0.05 grid at which the tasks the
test calls clear have the right agent first at least PRECISION of the time, on the `--choose`
libraries (pooled). Reported for every library: how many tasks are clear (no model call), how
often a clear task's first agent is right, and how often an unclear task has a right agent
in the five cards the model chooses among.

Input: files from `devteam eval discovery LABELS --signals FILE`.

    python3 scripts/discovery/choose-margin.py --choose wshobson=/tmp/w.jsonl \\
        --report agency=/tmp/a.jsonl,0xfurai=/tmp/x.jsonl
"""
import argparse
import importlib.util
import os

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("fusion", os.path.join(HERE, "choose-fusion.py"))
fusion = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fusion)

# Fusion::HYBRID, in fusion.SIGNALS order.
SHIPPED = [0.25, 0.5, 0.25, 0.5, 0.5]
PRECISION = 0.90
CANDIDATES = 5


def ranked(tasks):
    """Per task: (margin of first over second, first is right, a right one in the top five)."""
    out = []
    for t in tasks:
        score = [sum(w * col[i] for w, col in zip(SHIPPED, t["cols"]) if w) for i in range(len(t["ids"]))]
        order = sorted(range(len(score)), key=lambda i: (-score[i], t["ids"][i]))
        margin = score[order[0]] - score[order[1]] if len(order) > 1 else float("inf")
        right = [t["ids"][i] in t["expected"] for i in order[:CANDIDATES]]
        out.append((margin, right[0], any(right)))
    return out


def at(rows, m):
    clear = [r for r in rows if r[0] >= m]
    unclear = [r for r in rows if r[0] < m]
    precision = sum(r[1] for r in clear) / len(clear) if clear else 1.0
    shortlist = sum(r[2] for r in unclear) / len(unclear) if unclear else 1.0
    return len(clear), precision, shortlist


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--choose", required=True)
    ap.add_argument("--report", default="")
    args = ap.parse_args()
    choose = {k: ranked(fusion.load(v)) for k, v in fusion.parse(args.choose).items()}
    report = {k: ranked(fusion.load(v)) for k, v in fusion.parse(args.report).items()}
    pooled = [r for rows in choose.values() for r in rows]
    grid = [i * 0.05 for i in range(0, 61)]
    margin = next((m for m in grid if at(pooled, m)[1] >= PRECISION), grid[-1])
    print(f"chosen on {', '.join(choose)}: margin {margin:.2f} (first right >= {PRECISION} of clear tasks)")
    for name, rows in list(choose.items()) + list(report.items()):
        role = "chosen on" if name in choose else "held out"
        clear, precision, shortlist = at(rows, margin)
        top1 = sum(r[1] for r in rows) / len(rows)
        print(
            f"  {name:12} {role:9} tasks {len(rows):3}  clear {clear:3} ({clear / len(rows):.2f})  "
            f"first right when clear {precision:.3f}  right in top {CANDIDATES} when unclear {shortlist:.3f}  "
            f"(hit@1 overall {top1:.3f})"
        )


if __name__ == "__main__":
    main()
