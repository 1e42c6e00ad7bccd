//! One line of a Claude Code transcript: the few fields usage needs, read with borrowing serde
//! (the message content, most of every line, is skipped and never copied), and the rules that
//! decide whether a line counts. The shapes and rules are those of
//! `../shared/reference/claude-code-logs.md`, section 1.2, except for its null-byte guard.

use std::borrow::Cow;

use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::pricing::TokenUsage;

/// What a line holds.
#[derive(Debug, PartialEq)]
pub enum Line<'a> {
    /// An API response's usage.
    Usage(Record<'a>),
    /// Valid JSON without usage (user turns, snapshots, tool results that mention "usage").
    NoUsage,
    /// Valid JSON with usage that breaks a rule (bad version, empty id, bad timestamp, ...).
    Invalid(String),
    /// Not JSON.
    Malformed(String),
}

/// The usage of one response as one line reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct Record<'a> {
    pub ts_ms: i64,
    pub message_id: Option<Cow<'a, str>>,
    pub request_id: Option<Cow<'a, str>>,
    /// As logged, `-fast` appended for fast mode; `None` when the line names no model.
    pub model: Option<Cow<'a, str>>,
    pub tokens: TokenUsage,
    pub sidechain: bool,
    /// The line has `usage.speed` (either value): it wins a tie, as in ccusage.
    pub has_speed: bool,
    pub api_error: bool,
}

#[derive(Deserialize)]
struct RawLine<'a> {
    #[serde(borrow)]
    timestamp: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "sessionId")]
    session_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    version: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "requestId")]
    request_id: Option<Cow<'a, str>>,
    #[serde(rename = "isSidechain")]
    is_sidechain: Option<bool>,
    #[serde(rename = "isApiErrorMessage")]
    api_error: Option<bool>,
    #[serde(borrow)]
    message: Option<RawMessage<'a>>,
    #[serde(borrow)]
    data: Option<RawData<'a>>,
}

#[derive(Deserialize)]
struct RawMessage<'a> {
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    model: Option<Cow<'a, str>>,
    #[serde(borrow)]
    usage: Option<RawUsage<'a>>,
}

#[derive(Deserialize)]
struct RawUsage<'a> {
    input_tokens: Option<u64>,
    output_tokens: Option<u64>,
    cache_creation_input_tokens: Option<u64>,
    cache_read_input_tokens: Option<u64>,
    cache_creation: Option<RawCacheCreation>,
    #[serde(borrow)]
    speed: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct RawCacheCreation {
    ephemeral_5m_input_tokens: Option<u64>,
    ephemeral_1h_input_tokens: Option<u64>,
}

/// `type:"progress"` lines mirror a subagent's message under `data.message`.
#[derive(Deserialize)]
struct RawData<'a> {
    #[serde(borrow)]
    message: Option<RawProgress<'a>>,
}

#[derive(Deserialize)]
struct RawProgress<'a> {
    #[serde(borrow)]
    timestamp: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "requestId")]
    request_id: Option<Cow<'a, str>>,
    #[serde(rename = "isSidechain")]
    is_sidechain: Option<bool>,
    #[serde(borrow)]
    message: Option<RawMessage<'a>>,
}

/// Reads one line (without its newline). Lines are cheap to reject: callers only hand over
/// lines that contain `"usage":{`.
pub fn parse(bytes: &[u8]) -> Line<'_> {
    let raw: RawLine<'_> = match serde_json::from_slice(bytes) {
        Ok(raw) => raw,
        Err(e) => {
            // A shape we do not model (say, `data.message` as a string) is still valid JSON.
            return match serde_json::from_slice::<IgnoredAny>(bytes) {
                Ok(_) => Line::Invalid(format!("unexpected shape: {e}")),
                Err(e) => Line::Malformed(format!("not JSON: {e}")),
            };
        }
    };
    match from_raw(raw) {
        Ok(Some(record)) => Line::Usage(record),
        Ok(None) => Line::NoUsage,
        Err(reason) => Line::Invalid(reason),
    }
}

fn from_raw(raw: RawLine<'_>) -> Result<Option<Record<'_>>, String> {
    let direct = raw.message.as_ref().is_some_and(|m| m.usage.is_some());
    if direct {
        check_nonempty("sessionId", raw.session_id.as_deref())?;
        if let Some(version) = raw.version.as_deref().filter(|v| !is_semver_prefix(v)) {
            return Err(format!("version {version:?} is not a version number"));
        }
        let message = raw.message.ok_or("no message")?;
        return record(message, raw.timestamp, raw.request_id, raw.is_sidechain, raw.api_error).map(Some);
    }
    // Progress mirrors carry no version or session of their own; ccusage checks neither.
    let Some(progress) = raw.data.and_then(|d| d.message) else { return Ok(None) };
    match progress.message {
        Some(message) if message.usage.is_some() => {
            record(message, progress.timestamp, progress.request_id, progress.is_sidechain, None).map(Some)
        }
        _ => Ok(None),
    }
}

fn record<'a>(
    message: RawMessage<'a>,
    timestamp: Option<Cow<'a, str>>,
    request_id: Option<Cow<'a, str>>,
    sidechain: Option<bool>,
    api_error: Option<bool>,
) -> Result<Record<'a>, String> {
    check_nonempty("requestId", request_id.as_deref())?;
    check_nonempty("message.id", message.id.as_deref())?;
    check_nonempty("message.model", message.model.as_deref())?;
    if message.model.is_none() {
        return Err("no message.model: the call cannot be priced".into());
    }
    let timestamp = timestamp.ok_or("no timestamp")?;
    let ts_ms = parse_timestamp(&timestamp).ok_or_else(|| format!("timestamp {timestamp:?} is not RFC 3339"))?;
    let usage = message.usage.ok_or("no usage")?;
    let (Some(input), Some(output)) = (usage.input_tokens, usage.output_tokens) else {
        return Err("usage lacks input_tokens or output_tokens".into());
    };
    // Without the 5m/1h breakdown every cache write is a 5-minute one (the older format).
    let (cache_write_5m, cache_write_1h) = match usage.cache_creation {
        Some(c) => (c.ephemeral_5m_input_tokens.unwrap_or(0), c.ephemeral_1h_input_tokens.unwrap_or(0)),
        None => (usage.cache_creation_input_tokens.unwrap_or(0), 0),
    };
    let tokens = TokenUsage {
        input,
        output,
        cache_write_5m,
        cache_write_1h,
        cache_read: usage.cache_read_input_tokens.unwrap_or(0),
    };
    if let Some((field, n)) = implausible(&tokens) {
        return Err(format!("usage.{field} is {n}, over the {MAX_TOKENS_PER_LINE} a call can use"));
    }
    let fast = usage.speed.as_deref() == Some("fast");
    let model = match message.model {
        Some(model) if fast => Some(Cow::Owned(format!("{model}-fast"))),
        other => other,
    };
    Ok(Record {
        ts_ms,
        message_id: message.id,
        request_id,
        model,
        tokens,
        sidechain: sidechain == Some(true),
        has_speed: usage.speed.is_some(),
        api_error: api_error == Some(true),
    })
}

/// More tokens than any one call can use (a corrupt or hostile line): such a line is rejected
/// and counted, never stored, so sums stay meaningful and cannot overflow.
pub const MAX_TOKENS_PER_LINE: u64 = 1_000_000_000;

fn implausible(t: &TokenUsage) -> Option<(&'static str, u64)> {
    [
        ("input_tokens", t.input),
        ("output_tokens", t.output),
        ("cache_creation.ephemeral_5m_input_tokens", t.cache_write_5m),
        ("cache_creation.ephemeral_1h_input_tokens", t.cache_write_1h),
        ("cache_read_input_tokens", t.cache_read),
    ]
    .into_iter()
    .find(|(_, n)| *n > MAX_TOKENS_PER_LINE)
}

fn check_nonempty(field: &str, value: Option<&str>) -> Result<(), String> {
    match value {
        Some("") => Err(format!("{field} is empty")),
        _ => Ok(()),
    }
}

/// `d+.d+.d` at the start, as ccusage requires of `version`.
fn is_semver_prefix(v: &str) -> bool {
    let mut parts = v.splitn(3, '.');
    let digits = |s: Option<&str>| s.is_some_and(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()));
    digits(parts.next())
        && digits(parts.next())
        && parts.next().is_some_and(|s| s.starts_with(|c: char| c.is_ascii_digit()))
}

/// Unix milliseconds. Claude Code writes `2026-06-22T10:27:32.591Z`; that shape is read
/// directly, anything else goes through jiff's RFC 3339 parser.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    fast_utc_millis(s.as_bytes()).or_else(|| s.parse::<jiff::Timestamp>().ok().map(jiff::Timestamp::as_millisecond))
}

fn fast_utc_millis(b: &[u8]) -> Option<i64> {
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if *b.last()? != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        b[r].iter().try_fold(0i64, |n, &c| c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0')))
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let millis = match &b[19..b.len() - 1] {
        [] => 0,
        [b'.', frac @ ..] if !frac.is_empty() && frac.iter().all(u8::is_ascii_digit) => {
            frac.iter().chain(b"000").take(3).fold(0i64, |n, &c| n * 10 + i64::from(c - b'0'))
        }
        _ => return None,
    };
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millis)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests;
