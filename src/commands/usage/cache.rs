//! `devteam usage cache`: prompt caching by block kind, from the per-block outcomes recorded with
//! each call.

use anyhow::Result;
use serde::Serialize;

use crate::cli::UsageCacheArgs;
use crate::context::Context;
use crate::error::ExitStatus;
use crate::usage::period::{Period, time_zone};

/// The `--json` report of `usage cache`.
#[derive(Debug, Serialize)]
pub struct CacheReport {
    pub blocks: Vec<BlockLine>,
}

/// One block kind.
#[derive(Debug, Default, Serialize)]
pub struct BlockLine {
    pub kind: String,
    pub read_tokens: i64,
    pub written_tokens: i64,
    pub uncached_tokens: i64,
    /// Reads / (reads + writes): of this kind's cacheable tokens, the share served from cache.
    pub hit_rate: Option<f64>,
}

pub fn run(args: &UsageCacheArgs, ctx: &Context) -> Result<ExitStatus> {
    let tz = time_zone(None, &ctx.settings.timezone.tz)?;
    let period = Period::parse(args.since.as_deref(), None, ctx.clock.now(), &tz)?;
    let since_ms = period.since.map_or(0, |t| t.as_millisecond());
    let mut blocks: Vec<BlockLine> = Vec::new();
    for (kind, outcome, tokens, _) in ctx.store()?.cache_by_block(since_ms)? {
        if blocks.last().is_none_or(|b| b.kind != kind) {
            blocks.push(BlockLine { kind: kind.clone(), ..BlockLine::default() });
        }
        let line = blocks.last_mut().expect("pushed above");
        match outcome.as_str() {
            "read" => line.read_tokens += tokens,
            "written" => line.written_tokens += tokens,
            _ => line.uncached_tokens += tokens,
        }
    }
    for b in &mut blocks {
        let cacheable = b.read_tokens + b.written_tokens;
        b.hit_rate = (cacheable > 0).then(|| b.read_tokens as f64 / cacheable as f64);
    }
    let report = CacheReport { blocks };
    let p = &ctx.printer;
    if p.json_mode() {
        p.json(&report)?;
        return Ok(ExitStatus::Success);
    }
    let mut t = p.new_table(&["block", "read", "written", "uncached", "hit rate"]);
    for b in &report.blocks {
        let rate = b.hit_rate.map_or_else(|| "-".to_string(), |r| format!("{:.1}%", r * 100.0));
        t.add_row(vec![
            b.kind.clone(),
            b.read_tokens.to_string(),
            b.written_tokens.to_string(),
            b.uncached_tokens.to_string(),
            rate,
        ]);
    }
    p.table(&t)?;
    Ok(ExitStatus::Success)
}
