#!/usr/bin/env python3
"""Generate realistic Claude Code JSONL logs for tests and benchmarks (never committed).

Usage: gen_claude_logs.py OUT_DIR --lines N [--seed S] [--days D] [--start YYYY-MM-DD]
                          [--projects P] [--bugs]

Writes OUT_DIR/projects/<slug>/<session>.jsonl (plus <session>/subagents/agent-*.jsonl) in the
shape Claude Code writes (see ../shared/reference/claude-code-logs.md, section 2), and
OUT_DIR/expected.json: the ground truth, UTC daily token totals and list-price cost of every
distinct API response, counted once under Anthropic's rules.

Duplicate patterns reproduced:
  - one response written as 1-3 lines (thinking, text, tool_use) with the same message.id and
    requestId; earlier lines carry a partial streaming output_tokens half of the time;
  - resumed sessions that re-write the first lines of an earlier session into a new file;
  - subagent transcripts (subagents/agent-*.jsonl, isSidechain) mirrored into the parent file as
    type:"progress" lines;
  - /btw aside files (subagents/agent-aside-*.jsonl) replaying a parent message with a new
    requestId and a different usage;
  - <synthetic> API-error lines with zero usage; 5m and 1h cache writes; three models;
  - "id":null inside tool_use input; malformed lines: garbage, broken JSON, blank lines, and a
    truncated last line without a newline.

By default every pattern is one where ccusage 20.0.24's `claude daily` is right, so its totals
must equal expected.json. --bugs adds the cases where it is not (documented in the README):
a response whose only full line holds "id":null in tool input (ccusage drops it); Sonnet 4.5
requests over 200K input tokens (ccusage prices the long-context tier per token bucket; Anthropic
bills the whole request at the long-context rate); and sessions through a gateway that omits
requestId, whose responses are written as several lines with their own timestamps (ccusage's
daily report then keys on message.id and timestamp, and counts such a response once per line).
"""
import argparse
import datetime as dt
import json
import os
import random
import string
from collections import defaultdict
from pathlib import Path

# USD per million tokens: input, output, 5m cache write, 1h cache write, cache read.
RATES = {
    "claude-sonnet-4-5-20250929": (3.00, 15.00, 3.75, 6.00, 0.30),
    "claude-opus-4-5-20251101": (5.00, 25.00, 6.25, 10.00, 0.50),
    "claude-haiku-4-5-20251001": (1.00, 5.00, 1.25, 2.00, 0.10),
}
# Sonnet 4.5 above 200K input tokens: the whole request at these rates.
LONG_RATES = {"claude-sonnet-4-5-20250929": (6.00, 22.50, 7.50, 12.00, 0.60)}
MODELS = list(RATES)
MODEL_WEIGHTS = [0.6, 0.25, 0.15]
VERSIONS = ["2.0.76", "2.1.3", "2.1.14", "1.0.98"]
WORDS = (
    "the a to of and in is it for on that this with as be are by we use file test run build code "
    "function return value error fix update change module import config path read write data line "
    "check type string number list map result query index cache token model request response user"
).split()
ALNUM = string.ascii_letters + string.digits


class Truth:
    """Ground truth per UTC day and model, under Anthropic's rules."""

    def __init__(self):
        self.days = defaultdict(lambda: defaultdict(lambda: [0, 0, 0, 0, 0.0]))

    def add(self, ts, model, usage):
        day = ts.strftime("%Y-%m-%d")
        row = self.days[day][model]
        cc = usage["cache_creation"]
        row[0] += usage["input_tokens"]
        row[1] += usage["output_tokens"]
        row[2] += cc["ephemeral_5m_input_tokens"] + cc["ephemeral_1h_input_tokens"]
        row[3] += usage["cache_read_input_tokens"]
        row[4] += cost(model, usage)

    def write(self, path):
        daily, totals = [], dict(inputTokens=0, outputTokens=0, cacheCreationTokens=0, cacheReadTokens=0,
                                  totalTokens=0, totalCost=0.0)
        for day in sorted(self.days):
            models = self.days[day]
            row = dict(date=day, inputTokens=0, outputTokens=0, cacheCreationTokens=0, cacheReadTokens=0)
            cost_sum = 0.0
            for m in models.values():
                for i, k in enumerate(["inputTokens", "outputTokens", "cacheCreationTokens", "cacheReadTokens"]):
                    row[k] += m[i]
                cost_sum += m[4]
            row["totalTokens"] = sum(row[k] for k in ["inputTokens", "outputTokens", "cacheCreationTokens",
                                                      "cacheReadTokens"])
            row["totalCost"] = cost_sum
            row["modelsUsed"] = sorted(m for m in models if m != "<synthetic>")
            daily.append(row)
            for k in totals:
                totals[k] += row[k]
        Path(path).write_text(json.dumps({"daily": daily, "totals": totals}, indent=1))


def cost(model, usage):
    if model not in RATES:
        return 0.0
    cc = usage["cache_creation"]
    total_input = (usage["input_tokens"] + cc["ephemeral_5m_input_tokens"] + cc["ephemeral_1h_input_tokens"]
                   + usage["cache_read_input_tokens"])
    rates = LONG_RATES[model] if model in LONG_RATES and total_input > 200_000 else RATES[model]
    parts = [usage["input_tokens"], usage["output_tokens"], cc["ephemeral_5m_input_tokens"],
             cc["ephemeral_1h_input_tokens"], usage["cache_read_input_tokens"]]
    return sum(n * r for n, r in zip(parts, rates)) / 1_000_000


class Gen:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.out = Path(args.out)
        self.truth = Truth()
        self.lines = 0
        self.start = dt.datetime.fromisoformat(args.start).replace(tzinfo=dt.timezone.utc)
        self.projects = [f"-home-dev-code-{w}-{i}" for i, w in
                         enumerate(self.rng.sample(WORDS, args.projects))]
        self.text_pool = " ".join(self.rng.choice(WORDS) for _ in range(200_000))
        self.recent = []  # (project, lines) of recent sessions, for resumed-session replays

    # --- small helpers -------------------------------------------------------------------------
    def rid(self, prefix, n):
        return prefix + "".join(self.rng.choice(ALNUM) for _ in range(n))

    def uuid(self):
        h = "%032x" % self.rng.getrandbits(128)
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def text(self, lo, hi):
        n = self.rng.randint(lo, hi)
        i = self.rng.randrange(0, len(self.text_pool) - n)
        return self.text_pool[i:i + n]

    @staticmethod
    def ts(t):
        return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)

    def usage(self, model, context, long_context=False):
        r = self.rng.random()
        five, hour = 0, 0
        if r < 0.55:
            five = self.rng.randint(50, 4000)
        elif r < 0.75:
            hour = self.rng.randint(500, 20000)
        elif r < 0.85:
            five, hour = self.rng.randint(50, 2000), self.rng.randint(200, 5000)
        read = context if not long_context else self.rng.randint(210_000, 400_000)
        return {
            "input_tokens": self.rng.choice([0, 1, 1, 3, 5, 8, 12, self.rng.randint(10, 3000)]),
            "cache_creation_input_tokens": five + hour,
            "cache_read_input_tokens": read,
            "cache_creation": {"ephemeral_5m_input_tokens": five, "ephemeral_1h_input_tokens": hour},
            "output_tokens": self.rng.randint(20, 2500),
            "service_tier": "standard",
        }

    # --- line builders -------------------------------------------------------------------------
    def base(self, sess, t, kind, sidechain=False):
        line = {"parentUuid": self.uuid(), "isSidechain": sidechain, "userType": "external",
                "cwd": "/" + sess["project"].strip("-").replace("-", "/"), "sessionId": sess["id"],
                "version": sess["version"], "gitBranch": "main"}
        if sidechain and sess.get("agent"):
            line["agentId"] = sess["agent"]
        line["type"] = kind
        line["uuid"] = self.uuid()
        line["timestamp"] = self.ts(t)
        return line

    def user_line(self, sess, t, tool_result=False, sidechain=False):
        line = self.base(sess, t, "user", sidechain)
        if tool_result:
            body = self.text(300, 5200)
            line["message"] = {"role": "user", "content": [
                {"tool_use_id": self.rid("toolu_01", 22), "type": "tool_result", "content": body}]}
            line["toolUseResult"] = {"stdout": body[: len(body) // 2], "stderr": "", "interrupted": False}
        else:
            line["message"] = {"role": "user", "content": self.text(40, 900)}
        return line

    def blocks(self, with_id_null):
        kinds = self.rng.choice([["text"], ["thinking", "text"], ["text", "tool_use"],
                                 ["thinking", "text", "tool_use"], ["tool_use"], ["thinking", "tool_use"]])
        if with_id_null and "tool_use" not in kinds:
            kinds = kinds + ["tool_use"]
        out = []
        for k in kinds:
            if k == "text":
                out.append({"type": "text", "text": self.text(80, 1800)})
            elif k == "thinking":
                out.append({"type": "thinking", "thinking": self.text(150, 1900), "signature": self.rid("Eo", 120)})
            else:
                inp = {"command": self.text(20, 400), "description": self.text(10, 80)}
                if with_id_null:
                    inp = {"query": {"table": "users", "where": {"id": None}}, "limit": 10}
                out.append({"type": "tool_use", "id": self.rid("toolu_01", 22),
                            "name": self.rng.choice(["Bash", "Read", "Edit", "Grep", "mcp__db__query"]),
                            "input": inp})
        return out

    def response_lines(self, sess, t, model, usage, sidechain=False, id_null=False, force_single=False):
        """The 1-3 lines of one response, and the index of the line that carries the final usage."""
        mid, req = self.rid("msg_01", 22), None if sess["gateway"] else self.rid("req_011C", 20)
        blocks = self.blocks(id_null)
        if force_single:
            blocks = blocks[-1:]
        lines = []
        for i, block in enumerate(blocks):
            last = i == len(blocks) - 1
            u = dict(usage)
            # In the default mode a line holding "id":null never carries the only full count.
            if not last and self.rng.random() < 0.5 and not id_null:
                u["output_tokens"] = self.rng.randint(1, 12)
            line = self.base(sess, t + dt.timedelta(milliseconds=40 * i), "assistant", sidechain)
            line["message"] = {"model": model, "id": mid, "type": "message", "role": "assistant",
                               "content": [block], "stop_reason": "tool_use" if last else None,
                               "stop_sequence": None, "usage": u}
            if req is not None:
                line["requestId"] = req
            # Claude Code's own key order puts requestId before type/uuid/timestamp.
            lines.append(reorder(line))
        return mid, req, lines

    def synthetic_line(self, sess, t):
        line = self.base(sess, t, "assistant")
        zero = {"input_tokens": 0, "output_tokens": 0, "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": 0, "cache_creation": {"ephemeral_5m_input_tokens": 0,
                                                                  "ephemeral_1h_input_tokens": 0}}
        line["message"] = {"id": self.uuid(), "model": "<synthetic>", "role": "assistant", "type": "message",
                           "stop_reason": "stop_sequence", "stop_sequence": "",
                           "content": [{"type": "text", "text": "API Error: 529 Overloaded"}], "usage": zero}
        line["isApiErrorMessage"] = True
        return line, zero

    def noise_line(self, sess, t):
        r = self.rng.random()
        if r < 0.5:
            return {"type": "file-history-snapshot", "messageId": self.uuid(), "isSnapshotUpdate": False,
                    "snapshot": {"messageId": self.uuid(), "trackedFileBackups": {
                        f"src/{self.rng.choice(WORDS)}.rs": {"backupFileName": self.rid("", 16), "version": 1,
                                                             "backupTime": self.ts(t)}},
                                 "timestamp": self.ts(t), "content": self.text(500, 6000)}}
        if r < 0.7:
            line = self.base(sess, t, "system")
            line.update({"subtype": "compact_boundary", "content": "Conversation compacted", "level": "info"})
            return line
        if r < 0.85:
            return {"type": "summary", "summary": self.text(20, 120), "leafUuid": self.uuid()}
        return {"type": "queue-operation", "operation": "enqueue", "timestamp": self.ts(t), "sessionId": sess["id"],
                "content": self.text(20, 300)}

    # --- files ---------------------------------------------------------------------------------
    def session(self):
        rng, args = self.rng, self.args
        project = rng.choice(self.projects)
        sess = {"id": self.uuid(), "project": project, "version": rng.choice(VERSIONS),
                "gateway": args.bugs and rng.random() < 0.02}
        model = rng.choices(MODELS, MODEL_WEIGHTS)[0]
        day = self.start + dt.timedelta(days=rng.randrange(args.days))
        t = day + dt.timedelta(minutes=rng.randint(30, 20 * 60))
        out = []
        resumed = self.recent and rng.random() < 0.05
        if resumed:
            # A resumed session starts by re-writing lines of an earlier one of the same project.
            old_project, old_lines = rng.choice(self.recent)
            project = sess["project"] = old_project
            out.extend(old_lines[: rng.randint(1, len(old_lines))])
            t = max(t, self.last_ts(old_lines) + dt.timedelta(minutes=1))
        turns = max(1, int(rng.lognormvariate(3.2, 0.9)))
        context = rng.randint(8_000, 30_000)
        sub_files = []
        end_of_day = t.replace(hour=23, minute=50, second=0, microsecond=0)
        for _ in range(turns):
            if t > end_of_day:
                break
            out.append(self.user_line(sess, t))
            t += dt.timedelta(seconds=rng.randint(2, 40))
            for _ in range(rng.randint(1, 4)):
                t += dt.timedelta(seconds=rng.randint(3, 90))
                if rng.random() < 0.005:
                    line, zero = self.synthetic_line(sess, t)
                    out.append(line)
                    self.truth.add(t, "<synthetic>", zero)
                    continue
                context = min(context + rng.randint(200, 6000), 170_000)
                self.respond(sess, t, model, context, out, sub_files)
                if rng.random() < 0.7:
                    out.append(self.user_line(sess, t + dt.timedelta(seconds=1), tool_result=True))
            if rng.random() < 0.15:
                out.append(self.noise_line(sess, t))
        self.write_session(sess, out, sub_files)

    def respond(self, sess, t, model, context, out, sub_files):
        rng = self.rng
        long_ctx = self.args.bugs and model.startswith("claude-sonnet") and rng.random() < 0.01
        usage = self.usage(model, context, long_ctx)
        id_null = rng.random() < 0.01
        single = self.args.bugs and id_null and rng.random() < 0.5
        mid, req, lines = self.response_lines(sess, t, model, usage, id_null=id_null, force_single=single)
        if id_null and len(lines) == 1 and not single:
            # Keep the default mode ccusage-safe: a second line with the same full count.
            lines.insert(0, json.loads(json.dumps(lines[0])))
            lines[0]["message"]["content"] = [{"type": "text", "text": self.text(40, 400)}]
        out.extend(lines)
        self.truth.add(t, model, usage)
        if rng.random() < 0.03:
            sub_files.append(self.subagent(sess, t, out))
        if rng.random() < 0.01 and req is not None:
            sub_files.append(self.btw_replay(sess, t, lines[-1]))

    def subagent(self, sess, t, parent_out):
        """A subagent transcript; each of its lines is mirrored into the parent as a progress line."""
        rng = self.rng
        agent = "%08x" % rng.getrandbits(32)
        sub = dict(sess, agent=agent)
        model = rng.choice(["claude-haiku-4-5-20251001", "claude-sonnet-4-5-20250929"])
        lines = [self.user_line(sub, t, sidechain=True)]
        context = rng.randint(5_000, 20_000)
        for _ in range(rng.randint(1, 6)):
            t += dt.timedelta(seconds=rng.randint(2, 30))
            context = min(context + rng.randint(200, 4000), 150_000)
            usage = self.usage(model, context)
            _, _, resp = self.response_lines(sub, t, model, usage, sidechain=True)
            lines.extend(resp)
            self.truth.add(t, model, usage)
            for line in resp:
                mirror = {"parentUuid": self.uuid(), "isSidechain": False, "userType": "external",
                          "cwd": line["cwd"], "sessionId": sess["id"], "version": sess["version"],
                          "type": "progress", "data": {"type": "agent_progress", "agentId": agent, "message": {
                              "type": "assistant", "timestamp": line["timestamp"], "isSidechain": True,
                              "message": line["message"]}},
                          "toolUseID": self.rid("toolu_01", 22), "parentToolUseID": self.rid("toolu_01", 22),
                          "uuid": self.uuid(), "timestamp": line["timestamp"]}
                if "requestId" in line:
                    mirror["data"]["message"]["requestId"] = line["requestId"]
                parent_out.append(mirror)
        return f"agent-{agent}.jsonl", lines

    def btw_replay(self, sess, t, parent_line):
        """A /btw aside: replays a parent message with a new requestId and its own usage."""
        replay = json.loads(json.dumps(parent_line))
        replay["isSidechain"] = True
        replay["requestId"] = self.rid("req_011C", 20)
        replay["message"]["usage"]["cache_read_input_tokens"] += self.rng.randint(1000, 50_000)
        replay["timestamp"] = self.ts(t + dt.timedelta(seconds=5))
        return f"agent-aside-{self.rng.getrandbits(32):08x}.jsonl", [replay]

    def write_session(self, sess, out, sub_files):
        rng = self.rng
        folder = self.out / "projects" / sess["project"]
        folder.mkdir(parents=True, exist_ok=True)
        text = [json.dumps(line, separators=(",", ":")) for line in out]
        if rng.random() < 0.01:
            text.insert(rng.randrange(len(text) + 1), rng.choice(
                ["", "not json at all", '{"type":"assistant","message":{"usage":{"input_tokens":', "\x00\x01garbage"]))
        body = "\n".join(text) + "\n"
        if rng.random() < 0.02 and text:
            # A truncated last line: half of a copy of an earlier line, no newline (no usage is lost).
            dup = rng.choice(text)
            body += dup[: len(dup) // 2]
        (folder / f"{sess['id']}.jsonl").write_text(body)
        self.lines += len(text) + (1 if not body.endswith("\n") else 0)
        for name, lines in sub_files:
            sub = folder / sess["id"] / "subagents"
            sub.mkdir(parents=True, exist_ok=True)
            (sub / name).write_text("".join(json.dumps(x, separators=(",", ":")) + "\n" for x in lines))
            self.lines += len(lines)
        self.recent.append((sess["project"], out[:40]))
        self.recent = self.recent[-20:]

    @staticmethod
    def last_ts(lines):
        stamps = [line.get("timestamp") for line in lines if isinstance(line.get("timestamp"), str)]
        return dt.datetime.fromisoformat(max(stamps).replace("Z", "+00:00"))

    def run(self):
        while self.lines < self.args.lines:
            self.session()
        self.truth.write(self.out / "expected.json")


def reorder(line):
    order = ["parentUuid", "isSidechain", "userType", "cwd", "sessionId", "version", "gitBranch", "agentId",
             "message", "requestId", "type", "uuid", "timestamp"]
    return {k: line[k] for k in order if k in line} | {k: v for k, v in line.items() if k not in order}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("out")
    p.add_argument("--lines", type=int, required=True)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--days", type=int, default=45)
    p.add_argument("--start", default="2026-05-01")
    p.add_argument("--projects", type=int, default=12)
    p.add_argument("--bugs", action="store_true")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    gen = Gen(args)
    gen.run()
    print(f"{gen.lines} lines in {args.out}")


if __name__ == "__main__":
    main()
