//! Property tests ("fuzzing" with proptest) of the three readers that take text from outside:
//! agent front matter (through the whole agent-file parser), Claude Code log lines, and the
//! config file (through settings resolution). The property is the one bad input must meet:
//! never a panic, whatever the bytes. Inputs mix arbitrary bytes with the tokens each format is
//! made of, so that deep nesting, unclosed quotes and odd numbers are hit often.
//!
//! Cases per target: 2,000 log lines, 1,000 agent files, 400 config files (each resolves a
//! settings file on disk); `scripts/fuzz.sh` runs many more.

use std::collections::HashSet;

use proptest::prelude::*;

/// Cases for a target, `scale` times more under `DEVTEAM_FUZZ_SCALE` (see `scripts/fuzz.sh`).
fn config(cases: u32) -> ProptestConfig {
    let scale = std::env::var("DEVTEAM_FUZZ_SCALE").ok().and_then(|s| s.parse::<u32>().ok()).unwrap_or(1);
    ProptestConfig { cases: cases.saturating_mul(scale), failure_persistence: None, ..ProptestConfig::default() }
}

/// Text built from a format's own pieces, plus arbitrary strings.
fn pieces(tokens: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    let token = prop_oneof![
        4 => proptest::sample::select(tokens).prop_map(str::to_string),
        1 => any::<String>(),
        1 => (1usize..200).prop_map(|n| "[".repeat(n)),
        1 => (1usize..60).prop_map(|n| " ".repeat(n * 2)),
    ];
    proptest::collection::vec(token, 0..max).prop_map(|v| v.concat())
}

const YAML: &[&str] = &[
    "---\n",
    "name: ",
    "description: ",
    "tools: ",
    "model: ",
    "\n",
    "  ",
    "- ",
    ": ",
    "[",
    "]",
    "{",
    "}",
    ",",
    "'",
    "\"",
    "&a ",
    "*a",
    "!!str ",
    "|\n",
    ">\n",
    "#",
    "...\n",
    "\u{feff}",
    "\r\n",
    "\t",
    "1e999",
    "-",
    "~",
    "null",
];

const JSON: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"usage\"",
    "\"message\"",
    "\"model\"",
    "\"id\"",
    "\"requestId\"",
    "\"timestamp\"",
    "\"2026-01-01T00:00:00Z\"",
    "\"input_tokens\"",
    "\"output_tokens\"",
    "\"cache_creation\"",
    "\"sessionId\"",
    "\"version\"",
    "\"2.0.1\"",
    "\"data\"",
    "18446744073709551615",
    "-1",
    "1e400",
    "0",
    "null",
    "true",
    "\"\\u0000\"",
    " ",
];

proptest! {
    #![proptest_config(config(1_000))]

    #[test]
    fn front_matter_and_agent_files_never_panic(body in pieces(YAML, 120), subagent in any::<bool>()) {
        let layout = if subagent { crate::agents::Layout::Subagent } else { crate::agents::Layout::Folder };
        let file = crate::agents::scan::SourceFile {
            path: "x.md".into(),
            rel_path: "x.md".into(),
            id: "x".into(),
            layout,
        };
        let ids: HashSet<String> = ["x".to_string(), "y".to_string()].into();
        let text = format!("---\n{body}\n---\n# X\n{body}");
        let _ = crate::agents::parse::parse(&file, text.as_bytes(), &ids, 200);
        let _ = crate::agents::parse::parse(&file, body.as_bytes(), &ids, 200);
    }

}

proptest! {
    #![proptest_config(config(2_000))]

    #[test]
    fn claude_code_log_lines_never_panic(line in pieces(JSON, 80), raw in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = crate::usage::claude_code::fuzz_line(line.as_bytes());
        let _ = crate::usage::claude_code::fuzz_line(&raw);
    }

}

proptest! {
    #![proptest_config(config(400))]

    #[test]
    fn config_files_never_panic(text in pieces(YAML, 80)) {
        crate::settings::fuzz_config(&text);
    }
}

#[test]
fn a_good_line_still_parses_so_the_fuzz_target_is_live() {
    let good = r#"{"sessionId":"s","version":"2.0.1","message":{"id":"m1","model":"claude-haiku-4-5","usage":{"input_tokens":1,"output_tokens":2}},"requestId":"r1","timestamp":"2026-01-02T03:04:05.678Z"}"#;
    assert!(crate::usage::claude_code::fuzz_line(good.as_bytes()));
}
