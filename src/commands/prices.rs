//! `devteam prices`: the price table in force, so that nobody has to trust a constant.

use anyhow::Result;
use serde::Serialize;

use crate::cli::PricesArgs;
use crate::context::Context;
use crate::error::ExitStatus;
use crate::pricing::ModelInfo;

/// The `--json` report of `prices`.
#[derive(Debug, Serialize)]
pub struct PricesReport<'a> {
    /// Tier name to model id.
    pub tiers: &'a std::collections::BTreeMap<String, String>,
    pub models: Vec<&'a ModelInfo>,
}

pub fn run(args: &PricesArgs, ctx: &Context) -> Result<ExitStatus> {
    let table = ctx.prices()?;
    let models = match &args.model {
        Some(name) => vec![table.model(name)?],
        None => table.models().collect(),
    };
    let report = PricesReport { tiers: table.tiers(), models };
    let today = ctx.clock.zoned().date();
    let p = &ctx.printer;
    if p.json_mode() {
        p.json(&report)?;
        return Ok(ExitStatus::Success);
    }
    let mut t = p.new_table(&[
        "model",
        "tier",
        "input",
        "output",
        "5m write",
        "1h write",
        "cache read",
        "batch",
        "min cache",
        "notes",
    ]);
    for m in &report.models {
        let tiers: Vec<&str> = report.tiers.iter().filter(|(_, id)| **id == m.id).map(|(t, _)| t.as_str()).collect();
        let mut notes = Vec::new();
        if let Some(long) = m.long_context {
            notes.push(format!(
                ">{}K input: ${}/${}",
                long.above_input_tokens / 1000,
                long.rates.input,
                long.rates.output
            ));
        }
        match &m.retires {
            Some(date) if m.retired_on(today) && !tiers.is_empty() => {
                notes.push(format!("RETIRED {date}, IN USE by the {} tier", tiers.join(", ")));
            }
            Some(date) if m.retired_on(today) => notes.push(format!("retired {date}")),
            Some(date) => notes.push(format!("retires {date}")),
            None => {}
        }
        let r = m.rates;
        t.add_row(vec![
            m.id.clone(),
            tiers.join(","),
            format!("${}", r.input),
            format!("${}", r.output),
            format!("${}", r.cache_write_5m),
            format!("${}", r.cache_write_1h),
            format!("${}", r.cache_read),
            format!("x{}", m.batch_discount),
            m.min_cacheable_tokens.to_string(),
            notes.join("; "),
        ]);
    }
    p.table(&t)?;
    for m in &report.models {
        if m.retired_on(today) && report.tiers.values().any(|id| *id == m.id) {
            p.warn(&format!("{} is retired and a tier still names it: `run` refuses that tier until `tiers` in your prices-file names a current model", m.id));
        }
    }
    p.note("USD per million tokens; override with `prices-file` in the config (YAML or LiteLLM JSON)");
    Ok(ExitStatus::Success)
}
