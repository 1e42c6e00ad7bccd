#!/usr/bin/env python3
"""Top-level module dependency graph of the devteam binary and its strongly connected components.

A module A depends on B when any file under src/A (or src/A.rs) names `crate::B` (in a `use`,
a grouped `use crate::{B, ..}`, or an inline path). `#[cfg(test)]` code counts too (a cycle
through tests still ties the modules together at build time) unless `--no-tests` is given,
which skips test files (`*tests.rs`, `tests/` folders) and `#[cfg(test)] mod ... { }` blocks.
Prints each cycle (SCC of more than one module) and a one-line summary:
`modules N, in cycles M, largest cycle K`.

Usage: python3 scripts/module-cycles.py [--edges] [--no-tests] [src-dir]
"""
import os
import re
import sys

def top_modules(src):
    mods = {}
    for name in sorted(os.listdir(src)):
        path = os.path.join(src, name)
        if name == "main.rs":
            continue
        if os.path.isdir(path):
            mods[name] = [os.path.join(d, f) for d, _, fs in os.walk(path) for f in fs if f.endswith(".rs")]
        elif name.endswith(".rs"):
            mods[name[:-3]] = [path]
    return mods

def strip_comments(text):
    return "\n".join(line.split("//", 1)[0] for line in text.splitlines())

def strip_test_modules(text):
    out, i = [], 0
    for m in re.finditer(r"#\[cfg\(test\)\]\s*(?:#\[[^\]]*\]\s*)*(?:pub(?:\([^)]*\))?\s+)?mod\s+\w+\s*\{", text):
        if m.start() < i:
            continue
        depth, j = 1, m.end()
        while j < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            j += 1
        out.append(text[i:m.start()])
        i = j
    out.append(text[i:])
    return "".join(out)

def is_test_file(path):
    parts = path.split(os.sep)
    return parts[-1].endswith("tests.rs") or "tests" in parts[:-1]

def deps(files, names, no_tests=False):
    found = set()
    for f in files:
        if no_tests and is_test_file(f):
            continue
        text = strip_comments(open(f, encoding="utf-8").read())
        if no_tests:
            text = strip_test_modules(text)
        for m in re.finditer(r"crate::(\w+)", text):
            found.add(m.group(1))
        for m in re.finditer(r"crate::\{([^}]*)\}", text, re.S):
            for part in re.split(r"[,\s]+", m.group(1)):
                head = part.split("::")[0].strip()
                if head:
                    found.add(head)
    return {d for d in found if d in names}

def sccs(graph):
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]
    def visit(v):
        index[v] = low[v] = counter[0]; counter[0] += 1
        stack.append(v); on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w); low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v:
                    break
            out.append(sorted(comp))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out

def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    src = args[0] if args else "src"
    mods = top_modules(src)
    if "--no-tests" in sys.argv:
        mods = {m: fs for m, fs in mods.items() if not all(is_test_file(f) for f in fs)}
    graph = {m: deps(fs, mods, "--no-tests" in sys.argv) - {m} for m, fs in mods.items()}
    if "--edges" in sys.argv:
        for m in sorted(graph):
            print(f"{m} -> {', '.join(sorted(graph[m]))}")
    cycles = [c for c in sccs(graph) if len(c) > 1]
    for c in cycles:
        print(f"cycle ({len(c)}): {' '.join(c)}")
    in_cycles = sum(len(c) for c in cycles)
    largest = max((len(c) for c in cycles), default=0)
    print(f"modules {len(mods)}, in cycles {in_cycles}, largest cycle {largest}")

if __name__ == "__main__":
    main()
