#!/usr/bin/env python3
"""Generate a large synthetic agent library for benchmarks (never committed).

Usage: gen_large_library.py N OUT_DIR [--seed S]

Each agent takes a role from the demo library (fixtures/agents), keeps its title, description
and own sections, and mixes in a few sections from other agents, so that sizes (about 5-10 KB,
like public collections) and vocabulary are realistic and every agent is distinct. Half use the
folder layout (<id>/CLAUDE.md), half the Claude Code subagent layout (<id>.md with front matter).
"""
import os
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_demo():
    agents = []
    for claude in sorted((ROOT / "fixtures/agents").glob("*/CLAUDE.md")):
        text = claude.read_text(encoding="utf-8")
        if text.startswith("---\n"):
            text = text.split("\n---\n", 1)[1]
        parts = re.split(r"(?m)^(?=## )", text)
        agents.append((claude.parent.name, parts[0].strip(), [p.strip() for p in parts[1:] if p.strip()]))
    return agents


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    n, out = int(sys.argv[1]), Path(sys.argv[2])
    seed = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] == "--seed" else 7
    rng = random.Random(seed)
    demo = load_demo()
    pool = [s for _, _, sections in demo for s in sections]
    out.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        base_id, head, own = demo[i % len(demo)]
        agent_id = f"{base_id}-{i:05d}"
        sections = rng.sample(own, min(len(own), rng.randint(4, 7))) + rng.sample(pool, 2)
        desc = re.sub(r"\s+", " ", head.split("\n\n", 1)[-1])[:300].replace('"', "'")
        body = f"# {agent_id}\n\n" + "\n\n".join(sections) + "\n"
        if i % 2:
            path = out / f"{agent_id}.md"
            path.write_text(f'---\nname: {agent_id}\ndescription: "{desc}"\nmodel: sonnet\n---\n{body}', encoding="utf-8")
        else:
            (out / agent_id).mkdir(exist_ok=True)
            (out / agent_id / "CLAUDE.md").write_text(f"{body.splitlines()[0]}\n\n{desc}\n\n" + "\n".join(body.splitlines()[1:]), encoding="utf-8")
    size = sum(f.stat().st_size for f in out.rglob("*.md"))
    print(f"wrote {n} agents, {size / 1e6:.1f} MB, to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
