#!/usr/bin/env python3
"""Planned-run benchmark against the stand-in (issue 7): do independent subtasks overlap?

    python3 scripts/bench-orchestrate.py [--delay-ms 2000] [--jobs 4]

The stand-in plans four subtasks (three independent, one depending on all three) and answers
every subtask after `--delay-ms`. Reports each subtask's span, the run's wall time, the sum of
the subtasks' times, and the calls billed.
"""
import argparse
import json
import os
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TASK = "Design an append-only ledger where balances are rebuilt from stored events, with a REST API and a Postgres schema"
PLAN = {"subtasks": [
    {"id": "schema", "title": "Design the ledger tables", "agent": "database-architect"},
    {"id": "events", "title": "Design the event flow", "agent": "event-driven-architect"},
    {"id": "storage", "title": "Plan Postgres partitioning", "agent": "postgres-dba"},
    {"id": "api", "title": "Design the balance API", "agent": "api-designer", "depends_on": ["schema", "events", "storage"]},
]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--delay-ms", type=int, default=2000)
    ap.add_argument("--jobs", type=int, default=4)
    a = ap.parse_args()
    subprocess.run(["cargo", "build", "--quiet", "--release", "-p", "devteam", "-p", "devteam-standin"], cwd=ROOT, check=True)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "release"
    script = {"rules": [
        {"match": {"system_contains": "You are the planner"}, "reply": {"text": json.dumps(PLAN)}, "times": "always"},
        {"match": {"user_contains": "Write the final answer"}, "reply": {"text": "# Answer"}, "times": "always"},
        {"match": {"user_contains": "Your part:"}, "fault": {"kind": "slow", "delay_ms": a.delay_ms}, "times": "always"},
    ], "default_reply": {"text": "Done.\n\n## Summary\nDone."}}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "script.json").write_text(json.dumps(script))
        proc = subprocess.Popen([str(target / "standin"), "--script", str(work / "script.json")], stdout=subprocess.PIPE, text=True)
        url = proc.stdout.readline().strip().removeprefix("listening on ")
        env = {"PATH": os.environ["PATH"], "HOME": str(work), "XDG_DATA_HOME": str(work / "data"),
               "ANTHROPIC_API_KEY": "sk-bench", "ANTHROPIC_BASE_URL": url}
        base = [str(target / "devteam"), "--agents", str(ROOT / "fixtures" / "agents")]
        try:
            subprocess.run(base + ["-q", "run", "--plan", "--jobs", str(a.jobs), TASK], env=env, check=True, stdout=subprocess.DEVNULL)
            runs = json.loads(subprocess.run(base + ["--json", "runs"], env=env, check=True, capture_output=True, text=True).stdout)
            show = json.loads(subprocess.run(base + ["--json", "runs", "show", runs[0]["id"]], env=env, check=True, capture_output=True, text=True).stdout)
            billed = len(json.loads(subprocess.run(["python3", "-c", f"import urllib.request;print(urllib.request.urlopen('{url}/_standin/ledger').read().decode())"], capture_output=True, text=True).stdout))
        finally:
            proc.kill()
            proc.wait()
    subtasks = show["subtasks"]
    t0 = min(s["started_ms"] for s in subtasks)
    print(f"subtask delay {a.delay_ms} ms, --jobs {a.jobs}\n")
    print("| subtask | starts (ms) | ends (ms) |")
    print("|---|---|---|")
    for s in sorted(subtasks, key=lambda s: s["started_ms"]):
        print(f"| {s['id']} | {s['started_ms'] - t0} | {s['finished_ms'] - t0} |")
    total = sum(s["finished_ms"] - s["started_ms"] for s in subtasks)
    span = max(s["finished_ms"] for s in subtasks) - t0
    print(f"\nsubtasks' summed time {total} ms; subtasks' wall span {span} ms ({span / total:.0%} of the sum); "
          f"whole run {show['run']['wall_ms']} ms; calls billed {billed}")


if __name__ == "__main__":
    main()
