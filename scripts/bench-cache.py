#!/usr/bin/env python3
"""Prompt-caching benchmark against the stand-in server (issue 6). Rerunnable; prints a table.

    python3 scripts/bench-cache.py [--agents 10] [--rounds 5]

A team works on a handful of agents over a session: each round runs one task on each of N agents
(forced agent, sonnet tier, a shared project context). Between rounds the agents' dated sections
("Current Focus", "Recent Changes") change, as they do in a real library. Three set-ups, same
tasks, same stand-in billing rules:

  no cache      `run --no-cache` on the original library
  original      caching on, the library as written (dynamic sections in the middle)
  restructured  caching on, after `restructure-agents --write` (static part first, shared foundation)

Reported over the calls after the first round (warm-up): cache hit rate (cache reads / cacheable
input, cacheable = reads + writes) and the input cost per call against the same input uncached.
"""
import argparse
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AGENTS = ["web-performance-engineer", "sql-optimizer", "debugger", "api-designer", "kubernetes-engineer",
          "security-auditor", "technical-writer", "data-engineer", "react-specialist", "test-automation-engineer",
          "terraform-engineer", "incident-responder"]
RATES = {"input": 3.0, "w5": 3.75, "w1h": 6.0, "read": 0.30}  # claude-sonnet-4-6, $ per M


def build():
    subprocess.run(["cargo", "build", "--quiet", "--release", "-p", "devteam", "-p", "devteam-standin"], cwd=ROOT, check=True)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "release"
    return target / "devteam", target / "standin"


def start_standin(standin):
    proc = subprocess.Popen([str(standin), "--api-key", "sk-bench"], stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    return proc, line.removeprefix("listening on ")


def bump_dynamic(lib, round_no):
    """Dated sections change between rounds, as they do in a live library."""
    for agent in AGENTS:
        path = lib / agent / "CLAUDE.md"
        text = path.read_text()
        text = re.sub(r"(## Current Focus\n)", rf"\1\nUpdated for round {round_no}.\n", text, count=1)
        path.write_text(text)


def run_setup(devteam, url, lib, work, name, extra, n_agents, rounds):
    env = {"PATH": os.environ["PATH"], "HOME": str(work / "home"), "XDG_DATA_HOME": str(work / f"data-{name}"),
           "ANTHROPIC_API_KEY": "sk-bench", "ANTHROPIC_BASE_URL": url}
    for r in range(rounds):
        if r:
            bump_dynamic(lib, r)
        for agent in AGENTS[:n_agents]:
            args = [str(devteam), "--agents", str(lib), "-q", "run", "--no-plan", "--no-rerank", "--agent", agent,
                    "--tier", "sonnet", "--max-tokens", "300", "--project", str(ROOT), *extra,
                    f"round {r}: review the recent change for {agent} and suggest the next step"]
            subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL)
    db = sqlite3.connect(work / f"data-{name}" / "devteam" / "devteam.db")
    rows = db.execute("SELECT input_tokens, cache_write_5m_tokens, cache_write_1h_tokens, cache_read_tokens FROM calls ORDER BY id").fetchall()
    after = rows[n_agents:]
    inp, w5, w1h, read = (sum(r[i] for r in after) for i in range(4))
    cost = (inp * RATES["input"] + w5 * RATES["w5"] + w1h * RATES["w1h"] + read * RATES["read"]) / 1e6
    uncached = (inp + w5 + w1h + read) * RATES["input"] / 1e6
    cacheable = read + w5 + w1h
    return {"setup": name, "calls": len(after), "input_tokens_per_call": (inp + w5 + w1h + read) // max(len(after), 1),
            "hit_rate": read / cacheable if cacheable else 0.0, "input_cost_per_call": cost / max(len(after), 1),
            "vs_uncached": cost / uncached if uncached else 0.0}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--agents", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    devteam, standin = build()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name, extra, restructure in [("no cache", ["--no-cache"], False), ("original", [], False), ("restructured", [], True)]:
            lib = work / f"lib-{name.replace(' ', '-')}"
            shutil.copytree(ROOT / "fixtures" / "agents", lib)
            if restructure:
                subprocess.run([str(devteam), "--agents", str(lib), "-q", "restructure-agents", "--write"],
                               env={"PATH": os.environ["PATH"], "HOME": str(work / "home"), "XDG_DATA_HOME": str(work / "data-rs")},
                               check=True, stdout=subprocess.DEVNULL)
            proc, url = start_standin(standin)
            try:
                results.append(run_setup(devteam, url, lib, work, name, extra, a.agents, a.rounds))
            finally:
                proc.kill()
                proc.wait()
    if a.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{a.agents} agents x {a.rounds} rounds; figures over rounds 2-{a.rounds} (after warm-up); sonnet rates\n")
    print("| setup | calls | input tokens/call | cache hit rate | input cost/call | vs uncached |")
    print("|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['setup']} | {r['calls']} | {r['input_tokens_per_call']} | {r['hit_rate']:.1%} | ${r['input_cost_per_call']:.5f} | {r['vs_uncached']:.1%} |")


if __name__ == "__main__":
    main()
