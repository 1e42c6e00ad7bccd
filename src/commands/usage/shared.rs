//! What the `usage` subcommands share: the report scope from flags, number formats for tables,
//! and CSV.

use anyhow::Result;
use jiff::Timestamp;

use crate::cli::{UsageFilterArgs, UsageSource};
use crate::error::UserError;
use crate::usage::Source;
use crate::usage::period::{self, Period};
use crate::usage::report::{Scope, UsageRow};

/// The scope the flags name, against `now` (the context's clock).
/// The time zone is `--timezone`, else the configured one (as budgets use), so that reports
/// and budget windows agree on what a day is.
pub fn scope(args: &UsageFilterArgs, configured: &jiff::tz::TimeZone, now: Timestamp) -> Result<Scope> {
    let tz = period::time_zone(args.timezone.as_deref(), configured)?;
    let period = Period::parse(args.since.as_deref(), args.until.as_deref(), now, &tz)?;
    Ok(Scope { period, project: args.project.clone(), source: args.source.map(source), tz })
}

pub fn source(arg: UsageSource) -> Source {
    match arg {
        UsageSource::Devteam => Source::Devteam,
        UsageSource::WarmCache => Source::WarmCache,
        UsageSource::ClaudeCode => Source::ClaudeCode,
    }
}

/// `--csv` and `--json` both ask for the one stdout.
pub fn check_formats(csv: bool, json: bool) -> Result<()> {
    if csv && json {
        return Err(UserError::new("--csv and --json cannot be used together").into());
    }
    Ok(())
}

/// Dollars: cents for sums of a cent or more, four decimals below that.
pub fn usd(value: f64) -> String {
    // Float sums leave dust like -0.0000000001 where the answer is zero.
    let value = if value.abs() < 0.000_05 { 0.0 } else { value };
    let sign = if value < 0.0 { "-" } else { "" };
    let abs = value.abs();
    if abs > 0.0 && abs < 0.01 {
        return format!("{sign}${abs:.4}");
    }
    let cents = format!("{abs:.2}");
    let (whole, frac) = cents.split_once('.').unwrap_or((&cents, "00"));
    format!("{sign}${}.{frac}", thousands(whole))
}

/// A whole number with thousands separators.
pub fn count(value: u64) -> String {
    thousands(&value.to_string())
}

fn thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Token counts in K/M/B, to keep tables narrow.
pub fn tokens(value: u64) -> String {
    let v = value as f64;
    match value {
        0..=9_999 => value.to_string(),
        10_000..=999_999 => format!("{:.1}K", v / 1e3),
        1_000_000..=999_999_999 => format!("{:.1}M", v / 1e6),
        _ => format!("{:.2}B", v / 1e9),
    }
}

/// A fraction as a percentage; `-` when there is none.
pub fn pct(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_string(), |v| format!("{:.1}%", v * 100.0))
}

/// A signed change as a percentage.
pub fn change(value: Option<f64>) -> String {
    value.map_or_else(|| "n/a".to_string(), |v| format!("{:+.1}%", v * 100.0))
}

/// The CSV header of rows; the first column is named after what the rows are.
pub fn csv_header(first: &str) -> String {
    [
        first,
        "calls",
        "input_tokens",
        "output_tokens",
        "cache_write_5m_tokens",
        "cache_write_1h_tokens",
        "cache_read_tokens",
        "total_tokens",
        "cost_usd",
        "cost_share",
        "cache_hit_rate",
        "baseline_usd",
        "saved_usd",
    ]
    .join(",")
}

/// One row as CSV (RFC 4180 quoting for keys; rates empty when there are none).
pub fn csv_row(row: &UsageRow) -> String {
    let rate = row.cache_hit_rate.map_or_else(String::new, |r| format!("{r:.6}"));
    format!(
        "{},{},{},{},{},{},{},{},{:.6},{:.6},{},{:.6},{:.6}",
        csv_field(&row.key),
        row.calls,
        row.input_tokens,
        row.output_tokens,
        row.cache_write_5m_tokens,
        row.cache_write_1h_tokens,
        row.cache_read_tokens,
        row.total_tokens,
        row.cost_usd,
        row.cost_share,
        rate,
        row.baseline_usd,
        row.saved_usd
    )
}

fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

/// The table columns for rows, after the key column.
pub const ROW_COLUMNS: [&str; 8] =
    ["calls", "tokens", "cache reads", "cost", "share", "cache hit", "baseline", "saved"];

/// One row's cells for a table.
pub fn row_cells(row: &UsageRow) -> Vec<String> {
    vec![
        row.key.clone(),
        count(row.calls),
        tokens(row.total_tokens),
        tokens(row.cache_read_tokens),
        usd(row.cost_usd),
        pct(Some(row.cost_share)),
        pct(row.cache_hit_rate),
        usd(row.baseline_usd),
        usd(row.saved_usd),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_readable() {
        assert_eq!(usd(1234567.891), "$1,234,567.89");
        assert_eq!(usd(0.0042), "$0.0042");
        assert_eq!(usd(-12.5), "-$12.50");
        assert_eq!(usd(0.0), "$0.00");
        assert_eq!(count(1_000_000), "1,000,000");
        assert_eq!((count(0), count(999), count(1_234_567)), ("0".into(), "999".into(), "1,234,567".into()));
        assert_eq!(tokens(12_345_678), "12.3M");
        assert_eq!(csv_field("fix, then \"ship\""), "\"fix, then \"\"ship\"\"\"");
    }
}
