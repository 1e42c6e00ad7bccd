use super::*;

const ASSISTANT: &str = r#"{"parentUuid":"p","isSidechain":false,"cwd":"/x","sessionId":"s1","version":"2.0.76","message":{"model":"claude-sonnet-4-5-20250929","id":"msg_1","type":"message","role":"assistant","content":[{"type":"tool_use","id":"toolu_1","input":{"where":{"id":null}}}],"usage":{"input_tokens":5,"cache_creation_input_tokens":1013,"cache_read_input_tokens":7,"cache_creation":{"ephemeral_5m_input_tokens":13,"ephemeral_1h_input_tokens":1000},"output_tokens":170}},"requestId":"req_1","type":"assistant","timestamp":"2026-06-22T10:27:32.591Z"}"#;

fn usage(line: &str) -> Record<'_> {
    match parse(line.as_bytes()) {
        Line::Usage(r) => r,
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_assistant_line_gives_its_ids_and_token_buckets_even_with_id_null_in_tool_input() {
    let r = usage(ASSISTANT);
    assert_eq!(r.message_id.as_deref(), Some("msg_1"));
    assert_eq!(r.request_id.as_deref(), Some("req_1"));
    assert_eq!(r.model.as_deref(), Some("claude-sonnet-4-5-20250929"));
    assert_eq!(r.tokens, TokenUsage { input: 5, output: 170, cache_write_5m: 13, cache_write_1h: 1000, cache_read: 7 });
    assert_eq!(r.ts_ms, 1_782_124_052_591);
    assert!(!r.sidechain && !r.has_speed && !r.api_error);
}

#[test]
fn without_the_breakdown_all_cache_writes_are_5_minute_ones_and_nulls_count_as_absent() {
    let line = r#"{"message":{"id":"m","model":"claude-haiku-4-5","usage":{"input_tokens":1,"output_tokens":2,"cache_creation_input_tokens":300,"cache_read_input_tokens":null}},"requestId":null,"timestamp":"2026-01-01T00:00:00Z"}"#;
    let r = usage(line);
    assert_eq!((r.tokens.cache_write_5m, r.tokens.cache_write_1h, r.tokens.cache_read), (300, 0, 0));
    assert_eq!(r.request_id, None);
}

#[test]
fn a_progress_line_reads_the_mirrored_subagent_message() {
    let line = r#"{"type":"progress","sessionId":"s","data":{"type":"agent_progress","message":{"type":"assistant","timestamp":"2026-03-29T07:00:00.000Z","requestId":"req-sub","isSidechain":true,"message":{"usage":{"input_tokens":0,"output_tokens":10,"cache_read_input_tokens":20},"model":"claude-sonnet-4-20250514","id":"msg-sub"}}},"timestamp":"2026-03-29T07:00:01.000Z"}"#;
    let r = usage(line);
    assert_eq!((r.message_id.as_deref(), r.request_id.as_deref()), (Some("msg-sub"), Some("req-sub")));
    assert!(r.sidechain);
    assert_eq!(r.tokens.cache_read, 20);
    assert_eq!(r.ts_ms, parse_timestamp("2026-03-29T07:00:00.000Z").unwrap());
}

#[test]
fn fast_mode_is_a_model_of_its_own_and_any_speed_is_noted() {
    let fast = ASSISTANT.replace(r#""output_tokens":170}"#, r#""output_tokens":170,"speed":"fast"}"#);
    let r = usage(&fast);
    assert_eq!(r.model.as_deref(), Some("claude-sonnet-4-5-20250929-fast"));
    assert!(r.has_speed);
    let standard = ASSISTANT.replace(r#""output_tokens":170}"#, r#""output_tokens":170,"speed":"standard"}"#);
    assert_eq!(usage(&standard).model.as_deref(), Some("claude-sonnet-4-5-20250929"));
}

#[test]
fn lines_without_usage_are_not_faults() {
    let user = r#"{"type":"user","message":{"role":"user","content":"hi"},"toolUseResult":{"usage":{"input_tokens":3}},"timestamp":"2026-01-01T00:00:00Z"}"#;
    assert_eq!(parse(user.as_bytes()), Line::NoUsage);
    assert_eq!(parse(br#"{"type":"progress","data":{"type":"hook_progress"}}"#), Line::NoUsage);
}

#[test]
fn the_reference_rules_reject_bad_versions_empty_ids_and_bad_timestamps() {
    let invalid = |line: String, what: &str| match parse(line.as_bytes()) {
        Line::Invalid(reason) => assert!(reason.contains(what), "{reason}"),
        other => panic!("{line}: {other:?}"),
    };
    invalid(ASSISTANT.replace("2.0.76", "dev"), "version");
    invalid(ASSISTANT.replace(r#""sessionId":"s1""#, r#""sessionId":"""#), "sessionId");
    invalid(ASSISTANT.replace("req_1", ""), "requestId");
    invalid(ASSISTANT.replace(r#""id":"msg_1""#, r#""id":"""#), "message.id");
    invalid(ASSISTANT.replace("claude-sonnet-4-5-20250929", ""), "model");
    invalid(ASSISTANT.replace("2026-06-22T10:27:32.591Z", "yesterday"), "timestamp");
    invalid(ASSISTANT.replace(r#""output_tokens":170"#, r#""x":1"#), "output_tokens");
    invalid(ASSISTANT.replace(r#""message":{"#, r#""message":"text","x":{"#), "unexpected shape");
    assert!(matches!(parse(&ASSISTANT.as_bytes()[..200]), Line::Malformed(_)));
}

#[test]
fn version_numbers_need_three_parts() {
    assert!(is_semver_prefix("2.0.76") && is_semver_prefix("1.0.3-beta") && is_semver_prefix("10.20.3x"));
    assert!(!is_semver_prefix("2.0") && !is_semver_prefix("v2.0.1") && !is_semver_prefix("2..1"));
}

#[test]
fn timestamps_are_read_fast_and_agree_with_jiff() {
    for s in
        ["2026-06-22T10:27:32.591Z", "2024-02-29T23:59:59Z", "1999-12-31T00:00:00.5Z", "2026-01-01T00:00:00.123456Z"]
    {
        let jiff_ms = s.parse::<jiff::Timestamp>().unwrap().as_millisecond();
        assert_eq!(fast_utc_millis(s.as_bytes()), Some(jiff_ms), "{s}");
    }
    assert_eq!(fast_utc_millis(b"2025-02-29T00:00:00Z"), None);
    assert_eq!(parse_timestamp("2026-06-22T12:27:32.591+02:00"), parse_timestamp("2026-06-22T10:27:32.591Z"));
    assert_eq!(parse_timestamp("2026-13-01T00:00:00Z"), None);
}

#[test]
fn absurd_or_overflowing_counts_and_a_missing_model_are_rejected_not_stored() {
    for n in ["9223372036854775807", "18446744073709551615", "1000000001"] {
        let line = ASSISTANT.replace(r#""output_tokens":170"#, &format!(r#""output_tokens":{n}"#));
        assert!(matches!(parse(line.as_bytes()), Line::Invalid(ref why) if why.contains("output_tokens")), "{n}");
    }
    for bad in ["-1", "1e400", "18446744073709551616"] {
        let line = ASSISTANT.replace(r#""output_tokens":170"#, &format!(r#""output_tokens":{bad}"#));
        assert!(matches!(parse(line.as_bytes()), Line::Invalid(_) | Line::Malformed(_)), "{bad}");
    }
    let at_limit = ASSISTANT.replace(r#""output_tokens":170"#, r#""output_tokens":1000000000"#);
    assert_eq!(usage(&at_limit).tokens.output, 1_000_000_000);
    let no_model = ASSISTANT.replace(r#""model":"claude-sonnet-4-5-20250929","#, "");
    assert!(matches!(parse(no_model.as_bytes()), Line::Invalid(ref why) if why.contains("model")));
}
