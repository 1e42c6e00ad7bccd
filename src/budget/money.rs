//! Dollar amounts as people type them, read exactly into micro-dollars (no floating point on
//! the way in), and shown back with cents; and the worst case a call can cost.

use anyhow::Result;

use crate::pricing::{PriceTable, TokenUsage};

/// The most a call can cost, in micro-dollars, rounded up: its input as laid out (`input`;
/// its `output` is ignored) plus `max_tokens` of output, at the model's rates (the long-context
/// tier applies when the input crosses it). For a true worst case, count a cached prefix as
/// cache writes: an expected cache read can miss and be written instead.
#[cfg_attr(not(test), expect(dead_code, reason = "called by `devteam run` before each reservation, wired in at merge"))]
pub fn worst_case_micros(
    prices: &PriceTable,
    model: &str,
    input: &TokenUsage,
    max_tokens: u64,
    batch: bool,
) -> Result<i64> {
    let usage = TokenUsage { output: max_tokens, ..*input };
    let usd = prices.cost(model, &usage, batch)?.total;
    // Rounded to a thousandth of a micro-dollar first, so float noise (34980.000000000004)
    // does not round a whole micro-dollar up.
    Ok(((usd * 1_000_000_000.0).round() / 1_000.0).ceil() as i64)
}

/// `5`, `5.00`, `$0.25`, `1_000` or `0.000001` to micro-dollars. At most six decimals; the
/// amount must be positive.
pub fn parse_usd(text: &str) -> Result<i64, String> {
    let bad = || format!("`{text}` is not an amount in dollars: write it like 5, 2.50 or $0.25");
    let clean: String = text.trim().trim_start_matches('$').chars().filter(|c| *c != '_').collect();
    let (whole, frac) = clean.split_once('.').unwrap_or((&clean, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() && frac.is_empty() || !digits(whole) || !digits(frac) {
        return Err(bad());
    }
    if frac.len() > 6 {
        return Err(format!("`{text}` has more than six decimals; the smallest unit is $0.000001"));
    }
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| bad())? };
    let frac_micros: i64 = format!("{frac:0<6}").parse().map_err(|_| bad())?;
    let micros = whole.checked_mul(1_000_000).and_then(|w| w.checked_add(frac_micros)).ok_or_else(bad)?;
    if micros == 0 {
        return Err(format!("`{text}`: a budget must be more than $0 (use `budget remove` to drop one)"));
    }
    Ok(micros)
}

/// A limit as it was set: cents, plus any digits below the cent (`$5.001`, not `$5.00`), so
/// `budget set daily 5.001` is never shown rounded.
pub fn format_limit_usd(micros: i64) -> String {
    if micros % 10_000 == 0 {
        return format_usd(micros);
    }
    let text = format!("{:.6}", micros as f64 / 1_000_000.0);
    format!("${}", text.trim_end_matches('0'))
}

/// Micro-dollars as `$4.30`; amounts under a cent keep their digits (`$0.0042`).
pub fn format_usd(micros: i64) -> String {
    let usd = micros as f64 / 1_000_000.0;
    if micros != 0 && micros.abs() < 10_000 {
        let text = format!("{usd:.6}");
        return format!("${}", text.trim_end_matches('0'));
    }
    format!("${usd:.2}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_exactly() {
        assert_eq!(parse_usd("5"), Ok(5_000_000));
        assert_eq!(parse_usd("5.00"), Ok(5_000_000));
        assert_eq!(parse_usd("$0.25"), Ok(250_000));
        assert_eq!(parse_usd(".5"), Ok(500_000));
        assert_eq!(parse_usd("5."), Ok(5_000_000));
        assert_eq!(parse_usd("1_000"), Ok(1_000_000_000));
        assert_eq!(parse_usd("0.000001"), Ok(1));
        // 0.1 + 0.2 style float error cannot happen: 0.29 is 290000 exactly.
        assert_eq!(parse_usd("0.29"), Ok(290_000));
        assert_eq!(format_limit_usd(parse_usd("5.001").unwrap()), "$5.001", "not shown as $5.00");
        assert_eq!((format_limit_usd(5_000_000), format_limit_usd(4_200)), ("$5.00".into(), "$0.0042".into()));
    }

    #[test]
    fn bad_amounts_say_why() {
        for bad in ["", "five", "-5", "5,00", "1e3", ".", "$"] {
            assert!(parse_usd(bad).is_err(), "{bad:?} was accepted");
        }
        assert!(parse_usd("0.0000001").unwrap_err().contains("six decimals"));
        assert!(parse_usd("0").unwrap_err().contains("more than $0"));
        assert!(parse_usd("99999999999999999").is_err());
    }

    #[test]
    fn the_worst_case_is_input_at_its_rates_plus_all_of_max_tokens() {
        let prices = PriceTable::load(None).unwrap();
        let haiku = prices.model("haiku").unwrap().rates;
        let input = TokenUsage { input: 2_000, cache_write_5m: 10_000, ..TokenUsage::default() };
        let worst = worst_case_micros(&prices, "haiku", &input, 4_096, false).unwrap();
        let expected = 2_000.0 * haiku.input + 10_000.0 * haiku.cache_write_5m + 4_096.0 * haiku.output;
        assert_eq!(worst, expected.ceil() as i64, "rates are USD per million tokens: the sum is micro-dollars");
        assert!(worst_case_micros(&prices, "no-such-model", &input, 1, false).is_err());
    }

    #[test]
    fn amounts_are_shown_with_cents() {
        assert_eq!(format_usd(4_300_000), "$4.30");
        assert_eq!(format_usd(0), "$0.00");
        assert_eq!(format_usd(4_200), "$0.0042");
        assert_eq!(format_usd(123_456_789), "$123.46");
    }
}
