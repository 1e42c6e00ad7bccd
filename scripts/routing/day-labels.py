#!/usr/bin/env python3
"""Writes a workload's tasks as routing labels (`tier<TAB>task`), its `needs` field as the tier.

    python3 scripts/routing/day-labels.py fixtures/workload/day.yaml > /tmp/day.tsv
    devteam eval routing /tmp/day.tsv --as-run

The day workload is a held-out check of routing: never train or choose settings on it.
"""
import sys

import yaml


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "fixtures/workload/day.yaml"
    day = yaml.safe_load(open(path))
    print("tier\ttask")
    for t in day["tasks"]:
        print(f"{t['needs']}\t{' '.join(t['task'].split())}")


if __name__ == "__main__":
    main()
