//! A small set of Claude Code transcripts, written at run time, with every duplicate pattern of
//! the reference (../shared/reference/claude-code-logs.md, section 2) and the calls that should
//! survive deduplication.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

/// One response as a line reports it.
#[derive(Debug, Clone)]
pub struct Usage {
    pub mid: &'static str,
    pub rid: &'static str,
    pub model: &'static str,
    pub ts: &'static str,
    pub input: u64,
    pub output: u64,
    pub cache_5m: u64,
    pub cache_1h: u64,
    pub cache_read: u64,
}

impl Usage {
    pub fn total_cache_write(&self) -> u64 {
        self.cache_5m + self.cache_1h
    }

    pub fn total(&self) -> u64 {
        self.input + self.output + self.cache_5m + self.cache_1h + self.cache_read
    }

    fn usage_json(&self) -> Value {
        json!({"input_tokens": self.input, "cache_creation_input_tokens": self.total_cache_write(),
               "cache_read_input_tokens": self.cache_read,
               "cache_creation": {"ephemeral_5m_input_tokens": self.cache_5m, "ephemeral_1h_input_tokens": self.cache_1h},
               "output_tokens": self.output, "service_tier": "standard"})
    }

    fn message(&self, content: Value) -> Value {
        json!({"model": self.model, "id": self.mid, "type": "message", "role": "assistant",
               "content": content, "stop_reason": null, "usage": self.usage_json()})
    }

    /// An assistant line in Claude Code's key order.
    pub fn line(&self, sidechain: bool, content: Value) -> String {
        let mut line = json!({"parentUuid": "p", "isSidechain": sidechain, "userType": "external", "cwd": "/home/dev",
            "sessionId": "s1", "version": "2.0.76", "gitBranch": "main"});
        line["message"] = self.message(content);
        line["requestId"] = json!(self.rid);
        line["type"] = json!("assistant");
        line["uuid"] = json!(format!("u-{}-{}", self.mid, self.output));
        line["timestamp"] = json!(self.ts);
        line.to_string()
    }

    /// The same message mirrored into the parent transcript as a progress line.
    pub fn progress_line(&self) -> String {
        json!({"type": "progress", "sessionId": "s1", "version": "2.0.76",
               "data": {"type": "agent_progress", "message": {"type": "assistant", "timestamp": self.ts,
                        "requestId": self.rid, "isSidechain": true, "message": self.message(text("sub"))}},
               "uuid": "pg", "timestamp": self.ts})
        .to_string()
    }

    pub fn with(&self, output: u64) -> Self {
        Self { output, ..self.clone() }
    }
}

pub fn text(t: &str) -> Value {
    json!([{"type": "text", "text": t}])
}

/// A tool call whose input holds `"id":null` (ccusage drops such lines).
pub fn tool_use_with_null_id() -> Value {
    json!([{"type": "tool_use", "id": "toolu_1", "name": "mcp__db__query", "input": {"where": {"id": null}}}])
}

const SONNET: &str = "claude-sonnet-4-5-20250929";
const HAIKU: &str = "claude-haiku-4-5-20251001";
const OPUS: &str = "claude-opus-4-5-20251101";

pub fn m1() -> Usage {
    Usage {
        mid: "msg_1",
        rid: "req_1",
        model: SONNET,
        ts: "2026-05-01T10:00:00.000Z",
        input: 5,
        output: 200,
        cache_5m: 100,
        cache_1h: 1000,
        cache_read: 5000,
    }
}
pub fn m2() -> Usage {
    Usage {
        mid: "msg_2",
        rid: "req_2",
        model: HAIKU,
        ts: "2026-05-01T10:05:00.000Z",
        output: 30,
        cache_read: 900,
        ..m1()
    }
}
pub fn m3() -> Usage {
    Usage {
        mid: "msg_3",
        rid: "req_3",
        model: "<synthetic>",
        ts: "2026-05-01T10:06:00.000Z",
        input: 0,
        output: 0,
        cache_5m: 0,
        cache_1h: 0,
        cache_read: 0,
    }
}
pub fn m4() -> Usage {
    Usage { mid: "msg_4", rid: "req_4", model: OPUS, ts: "2026-05-02T09:00:00.000Z", output: 50, ..m1() }
}
pub fn m5() -> Usage {
    Usage { mid: "msg_5", rid: "req_5", model: HAIKU, ts: "2026-05-01T10:07:00.000Z", output: 40, cache_1h: 0, ..m1() }
}
pub fn m6() -> Usage {
    Usage { mid: "msg_6", rid: "req_6", model: SONNET, ts: "2026-05-02T23:30:00.000Z", output: 70, ..m1() }
}

/// The calls that must survive deduplication.
pub fn winners() -> Vec<Usage> {
    vec![m1(), m2(), m3(), m4(), m5(), m6()]
}

/// What the importer must report for the set.
pub const USAGE_LINES: u64 = 11;
pub const MALFORMED: u64 = 2;
pub const INVALID: u64 = 1;

/// Writes the set under `config/projects` and returns the main transcript's path.
pub fn write(config: &Path) -> PathBuf {
    let a = config.join("projects/-home-dev-a");
    let sub = a.join("s1/subagents");
    std::fs::create_dir_all(&sub).unwrap();
    let s1 = a.join("s1.jsonl");
    let lines = [
        r#"{"type":"user","message":{"role":"user","content":"fix it"},"toolUseResult":{"usage":{"input_tokens":9}},"timestamp":"2026-05-01T09:59:00.000Z"}"#.to_string(),
        m1().with(3).line(false, text("thinking...")), // a partial streaming count
        m1().line(false, tool_use_with_null_id()),      // the final count
        m2().progress_line(),                           // a subagent message mirrored
        "not json".to_string(),
        String::new(),
        {
            let mut l: Value = serde_json::from_str(&m3().line(false, text("API Error"))).unwrap();
            l["isApiErrorMessage"] = json!(true);
            l.to_string()
        },
        m4().line(false, text("done")),
        r#"{"type":"assistant","message":{"usage":{"input_tokens":"#.to_string(),
        m5().with(1).line(false, text("x")).replace("2.0.76", "dev"), // invalid version
    ];
    std::fs::write(&s1, lines.join("\n") + "\n").unwrap();
    let agent = [m2().line(true, text("sub")), m5().line(true, text("sub 2"))];
    std::fs::write(sub.join("agent-abc.jsonl"), agent.join("\n") + "\n").unwrap();
    // A /btw aside replays m1 under a new requestId with a larger count: it must lose.
    let replay = Usage { rid: "req_99", cache_read: 50_000, ..m1() }.line(true, text("aside"));
    std::fs::write(sub.join("agent-aside-1.jsonl"), replay + "\n").unwrap();
    // A resumed session in another project re-writes m1's lines, then goes on.
    let b = config.join("projects/-home-dev-b");
    std::fs::create_dir_all(&b).unwrap();
    let resumed =
        [m1().with(3).line(false, text("thinking...")), m1().line(false, text("again")), m6().line(false, text("new"))];
    std::fs::write(b.join("s2.jsonl"), resumed.join("\n") + "\n").unwrap();
    s1
}
