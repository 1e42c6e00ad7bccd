#!/usr/bin/env python3
"""Fill a devteam store with N generated calls, for benchmarks and screenshots (never committed).

Usage: gen_calls.py DB N [--days D] [--seed S] [--end-ms MS] [--budget WINDOW:USD ...]

DB must already exist with devteam's schema (run any `devteam --db DB usage summary` first: the
binary owns the migrations; this script only inserts rows). Calls are spread over the D days
(default 90) before --end-ms (default now), weekdays busier than weekends and volume growing
over the period, from three sources, over 8 projects, 120 agents, 3,000 tasks and four models;
the model mix drifts toward Haiku and cache reads grow over the period, as routing and caching
would make them. Token counts are shaped like agent work: mostly cache reads, some writes,
little fresh input. Costs use the bundled rates of the four models (USD per million tokens, as
in data/models.yaml); batch calls pay half. --budget inserts a global budget row per window.
"""
import argparse
import random
import sqlite3
import time

RATES = {  # input, output, 5m write, 1h write, cache read
    "claude-haiku-4-5": (1.00, 5.00, 1.25, 2.00, 0.10),
    "claude-sonnet-4-6": (3.00, 15.00, 3.75, 6.00, 0.30),
    "claude-opus-4-6": (5.00, 25.00, 6.25, 10.00, 0.50),
    "claude-sonnet-4-5": (3.00, 15.00, 3.75, 6.00, 0.30),
}
TIERS = {"claude-haiku-4-5": "haiku", "claude-sonnet-4-6": "sonnet", "claude-opus-4-6": "opus",
         "claude-sonnet-4-5": "sonnet"}
SOURCES = ["devteam", "claude-code", "warm-cache"]
SOURCE_WEIGHTS = [60, 36, 4]
ROLES = ["frontend-developer", "backend-architect", "code-reviewer", "test-automator", "debugger",
         "security-auditor", "performance-engineer", "database-optimizer", "devops-troubleshooter",
         "technical-writer", "api-designer", "mobile-developer"]
VERBS = ["fix", "review", "speed up", "document", "test", "refactor", "secure", "migrate", "design", "debug"]
THINGS = ["checkout page", "login flow", "billing API", "search index", "CI pipeline", "mobile nav",
          "export job", "rate limiter", "image upload", "settings screen", "audit log", "webhooks"]
DAY_MS = 86_400_000


def pools(rng):
    projects = [f"project-{name}" for name in ["web", "api", "mobile", "infra", "data", "docs", "ml", "ops"]]
    agents = [ROLES[i % len(ROLES)] + ("" if i < len(ROLES) else f"-{i // len(ROLES)}") for i in range(120)]
    tasks = [f"{rng.choice(VERBS)} the {rng.choice(THINGS)} #{i}" for i in range(3000)]
    return projects, agents, tasks


def model_weights(progress):
    """Haiku's share grows from 35% to 65% of calls over the period; Opus's shrinks."""
    haiku = 35 + 30 * progress
    opus = 15 - 9 * progress
    return [haiku, 100 - haiku - opus - 7, opus, 7]


def row(rng, ts_ms, progress, projects, agents, tasks):
    model = rng.choices(list(RATES), model_weights(progress))[0]
    source = rng.choices(SOURCES, SOURCE_WEIGHTS)[0]
    cache_read = rng.randrange(0, 60_000) if rng.random() < 0.6 + 0.3 * progress else 0
    w5 = rng.randrange(0, 8_000) if rng.random() < 0.3 else 0
    w1h = rng.randrange(0, 4_000) if rng.random() < 0.05 else 0
    fresh, out = rng.randrange(50, 4_000), rng.randrange(20, 3_000)
    batch = 1 if rng.random() < 0.05 else 0
    r = RATES[model]
    usd = (fresh * r[0] + out * r[1] + w5 * r[2] + w1h * r[3] + cache_read * r[4]) / 1e6
    cost = round(usd * 1e6 * (0.5 if batch else 1.0))
    task = rng.choice(tasks)
    return (ts_ms, source, rng.choice(projects), task[:24], task, rng.choice(agents), model, TIERS[model],
            fresh, out, w5, w1h, cache_read, cost, batch, rng.randrange(300, 30_000), "ok")


def day_counts(n, days, start_ms):
    """Calls per day: weekends at 40%, volume growing 2x over the period, summing to n."""
    weights = []
    for d in range(days):
        weekday = time.gmtime((start_ms + d * DAY_MS) / 1000).tm_wday
        weights.append((0.4 if weekday >= 5 else 1.0) * (1 + d / max(days - 1, 1)))
    total = sum(weights)
    counts = [int(n * w / total) for w in weights]
    counts[-1] += n - sum(counts)
    return counts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("n", type=int)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--end-ms", type=int, default=int(time.time() * 1000))
    ap.add_argument("--budget", action="append", default=[], metavar="WINDOW:USD")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    projects, agents, tasks = pools(rng)
    start = args.end_ms - args.days * DAY_MS
    conn = sqlite3.connect(args.db)
    conn.execute("PRAGMA synchronous=OFF")
    sql = ("INSERT INTO calls (ts_ms, source, project, run_id, task, agent, model, tier, input_tokens, output_tokens,"
           " cache_write_5m_tokens, cache_write_1h_tokens, cache_read_tokens, cost_micros, batch, latency_ms, outcome)"
           " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
    for day, count in enumerate(day_counts(args.n, args.days, start)):
        # Sorted within the day, as a live log is, so rowid order follows time.
        stamps = sorted(start + day * DAY_MS + rng.randrange(DAY_MS) for _ in range(count))
        progress = day / max(args.days - 1, 1)
        conn.executemany(sql, [row(rng, ts, progress, projects, agents, tasks) for ts in stamps])
        conn.commit()
    for budget in args.budget:
        window, usd = budget.split(":")
        conn.execute("INSERT INTO budgets (project, window, limit_micros) VALUES ('', ?, ?)",
                     (window, round(float(usd) * 1e6)))
    conn.commit()
    conn.close()


if __name__ == "__main__":
    main()
