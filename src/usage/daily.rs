//! The daily report: tokens and cost per day, in a chosen time zone, and per model. Its JSON is
//! the shape `ccusage claude daily --json` prints (version 20.0.24, keys in its order), so that
//! scripts written for ccusage keep working on devteam's store.

use std::collections::BTreeMap;

use anyhow::Result;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;

use crate::error::UserError;
use crate::pricing::{PriceTable, TokenUsage};
use crate::store::{BUCKET_MS, CallFilter, Store, Sums};
use crate::usage::{Source, to_usd};

/// Calls added since the last fold that a report sums on the fly before it folds them first.
const FOLD_THRESHOLD: u64 = 20_000;

/// What to report on.
#[derive(Debug, Clone)]
pub struct DailyQuery<'a> {
    /// `None`: every source.
    pub source: Option<Source>,
    pub project: Option<&'a str>,
    pub since: Option<Date>,
    pub until: Option<Date>,
    pub tz: &'a TimeZone,
}

/// The `--json` report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DailyReport {
    pub daily: Vec<DayRow>,
    pub totals: Totals,
}

/// One day. Field order is ccusage's (alphabetical).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DayRow {
    pub cache_creation_tokens: u64,
    pub cache_read_tokens: u64,
    pub date: String,
    pub input_tokens: u64,
    /// By cost, highest first.
    pub model_breakdowns: Vec<ModelBreakdown>,
    /// In order of first use that day.
    pub models_used: Vec<String>,
    pub output_tokens: u64,
    pub total_cost: f64,
    pub total_tokens: u64,
}

/// One model on one day.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelBreakdown {
    pub cache_creation_tokens: u64,
    pub cache_read_tokens: u64,
    pub cost: f64,
    pub input_tokens: u64,
    /// The price table has no price for this model: its cost is 0.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub missing_pricing: bool,
    pub model_name: String,
    pub output_tokens: u64,
}

/// The whole period.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    pub cache_creation_tokens: u64,
    pub cache_read_tokens: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub total_cost: f64,
    pub total_tokens: u64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unpriced_models: Vec<String>,
}

/// Models that are not really models: Claude Code's placeholder for its own errors, and lines
/// without a model. Their tokens count in the day's totals; they get no breakdown (as in ccusage).
fn is_placeholder(model: &str) -> bool {
    model.is_empty() || model == "<synthetic>"
}

/// A date given as `YYYY-MM-DD` or `YYYYMMDD`.
pub fn parse_date(text: &str, flag: &str) -> Result<Date> {
    let normal = match text.len() {
        8 if text.bytes().all(|b| b.is_ascii_digit()) => format!("{}-{}-{}", &text[..4], &text[4..6], &text[6..]),
        _ => text.to_string(),
    };
    normal.parse::<Date>().map_err(|_| UserError::new(format!("{flag} {text:?}: expected YYYY-MM-DD")).into())
}

/// Builds the report from the store's aggregates.
pub fn daily(store: &Store, prices: &PriceTable, q: &DailyQuery<'_>) -> Result<DailyReport> {
    let start = |d: Date| -> Result<i64> {
        Ok(d.to_zoned_datetime(q.tz.clone())?.start_of_day()?.timestamp().as_millisecond())
    };
    let from_ms = q.since.map(start).transpose()?;
    let to_ms = q.until.map(|d| d.tomorrow().map_err(anyhow::Error::from).and_then(start)).transpose()?;
    let filter = CallFilter { source: q.source, project: q.project, from_ms, to_ms };
    store.fold_rollup_if_behind(FOLD_THRESHOLD)?;
    let aligned = |ms: i64| ms.rem_euclid(BUCKET_MS) == 0;
    let mut sums = store.sums_by_slot(&filter)?;
    // A slot must lie within one local day: true when the zone's offsets are whole slots.
    if !from_ms
        .into_iter()
        .chain(to_ms)
        .chain(sums.iter().map(|s| s.ts_ms))
        .all(|ms| aligned(ms) && whole_slots(q.tz, ms))
    {
        sums = store.sums_by_call(&filter)?;
    }
    Ok(build(&sums, q.tz, prices))
}

fn whole_slots(tz: &TimeZone, ms: i64) -> bool {
    jiff::Timestamp::from_millisecond(ms).is_ok_and(|ts| i64::from(tz.to_offset(ts).seconds()) * 1000 % BUCKET_MS == 0)
}

#[derive(Default)]
struct Acc {
    tokens: TokenUsage,
    cost_micros: i64,
}

impl Acc {
    fn add(&mut self, s: &Sums) {
        let t = &mut self.tokens;
        t.input += s.tokens.input;
        t.output += s.tokens.output;
        t.cache_write_5m += s.tokens.cache_write_5m;
        t.cache_write_1h += s.tokens.cache_write_1h;
        t.cache_read += s.tokens.cache_read;
        self.cost_micros += s.cost_micros;
    }
}

fn build(sums: &[Sums], tz: &TimeZone, prices: &PriceTable) -> DailyReport {
    let mut days: BTreeMap<Date, (Acc, Vec<(String, Acc)>)> = BTreeMap::new();
    for s in sums {
        let date = jiff::Timestamp::from_millisecond(s.ts_ms).map_or(Date::MIN, |ts| tz.to_datetime(ts).date());
        let (day, models) = days.entry(date).or_default();
        day.add(s);
        if is_placeholder(&s.model) {
            continue;
        }
        match models.iter_mut().find(|(m, _)| *m == s.model) {
            Some((_, acc)) => acc.add(s),
            None => {
                let mut acc = Acc::default();
                acc.add(s);
                models.push((s.model.clone(), acc));
            }
        }
    }
    let mut unpriced = Vec::new();
    let daily: Vec<DayRow> =
        days.into_iter().map(|(date, (day, models))| day_row(date, &day, models, prices, &mut unpriced)).collect();
    unpriced.sort();
    unpriced.dedup();
    let sum = |f: fn(&DayRow) -> u64| daily.iter().map(f).sum::<u64>();
    let totals = Totals {
        cache_creation_tokens: sum(|d| d.cache_creation_tokens),
        cache_read_tokens: sum(|d| d.cache_read_tokens),
        input_tokens: sum(|d| d.input_tokens),
        output_tokens: sum(|d| d.output_tokens),
        total_cost: to_usd(daily.iter().map(|d| crate::usage::to_micros(d.total_cost)).sum()),
        total_tokens: sum(|d| d.total_tokens),
        unpriced_models: unpriced,
    };
    DailyReport { daily, totals }
}

fn day_row(
    date: Date,
    day: &Acc,
    models: Vec<(String, Acc)>,
    prices: &PriceTable,
    unpriced: &mut Vec<String>,
) -> DayRow {
    let t = &day.tokens;
    let mut breakdowns: Vec<ModelBreakdown> = models
        .iter()
        .map(|(name, acc)| {
            let missing_pricing = prices.find(name).is_none();
            if missing_pricing {
                unpriced.push(name.clone());
            }
            ModelBreakdown {
                cache_creation_tokens: acc.tokens.cache_write_5m + acc.tokens.cache_write_1h,
                cache_read_tokens: acc.tokens.cache_read,
                cost: to_usd(acc.cost_micros),
                input_tokens: acc.tokens.input,
                missing_pricing,
                model_name: name.clone(),
                output_tokens: acc.tokens.output,
            }
        })
        .collect();
    breakdowns.sort_by(|a, b| b.cost.total_cmp(&a.cost));
    DayRow {
        cache_creation_tokens: t.cache_write_5m + t.cache_write_1h,
        cache_read_tokens: t.cache_read,
        date: date.to_string(),
        input_tokens: t.input,
        model_breakdowns: breakdowns,
        models_used: models.into_iter().map(|(name, _)| name).collect(),
        output_tokens: t.output,
        total_cost: to_usd(day.cost_micros),
        total_tokens: t.input + t.output + t.cache_write_5m + t.cache_write_1h + t.cache_read,
    }
}

#[cfg(test)]
mod tests;
