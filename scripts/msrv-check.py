#!/usr/bin/env python3
"""MSRV check without a second toolchain: the `rust-version` devteam declares must be at least
the highest `rust-version` any dependency it builds declares (from `cargo metadata` and
Cargo.lock, for the host platform).

Only one toolchain can be installed where CI runs, so this does not compile with the MSRV; it
catches the common failure, a dependency upgrade that raises the floor, and a declared MSRV
below it. Exit 1 names the dependencies above the declared version."""
import json
import subprocess
import sys


def version(text):
    parts = [int(p) for p in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


def main():
    host = next(line.split()[1] for line in subprocess.check_output(["rustc", "-vV"], text=True).splitlines()
                if line.startswith("host:"))
    meta = json.loads(subprocess.check_output(
        ["cargo", "metadata", "--format-version", "1", "--locked", "--filter-platform", host]))
    workspace = set(meta["workspace_members"])
    # Only what the shipped binary builds: the resolve graph from devteam's normal dependencies.
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
    packages = {p["id"]: p for p in meta["packages"]}
    root = next(p["id"] for p in meta["packages"] if p["name"] == "devteam" and p["id"] in workspace)
    seen, stack = set(), [root]
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        for dep in nodes[pid]["deps"]:
            if any(k["kind"] in (None, "build") for k in dep["dep_kinds"]):
                stack.append(dep["pkg"])
    declared = packages[root].get("rust_version")
    if not declared:
        print("devteam declares no rust-version", file=sys.stderr)
        return 1
    floor = sorted(((version(packages[p]["rust_version"]), packages[p]["name"], packages[p]["version"])
                    for p in seen if p != root and packages[p].get("rust_version")), reverse=True)
    highest = floor[0][0] if floor else (0, 0, 0)
    above = [f"{name} {ver} needs {'.'.join(map(str, v))}" for v, name, ver in floor if v > version(declared)]
    print(f"declared rust-version {declared}; highest a dependency declares: "
          f"{'.'.join(map(str, highest))} ({floor[0][1]} {floor[0][2]})" if floor else "no dependency declares one")
    if above:
        print("rust-version is below what dependencies need:\n  " + "\n  ".join(above), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
