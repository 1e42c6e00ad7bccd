//! `devteam usage report --html FILE`: the dashboard, one self-contained page.

use anyhow::{Context as _, Result};
use serde::Serialize;

use super::shared;
use crate::cli::{UsageBucket, UsageReportArgs};
use crate::context::Context;
use crate::error::ExitStatus;
use crate::usage::html::{self, CHARTS};
use crate::usage::period::Calendar;

/// The `--json` report of `usage report`.
#[derive(Debug, Serialize)]
struct Written {
    html: String,
    bytes: usize,
    calls: u64,
    cost_usd: f64,
    /// Charts on the page.
    charts: usize,
}

pub fn run(args: &UsageReportArgs, ctx: &Context) -> Result<ExitStatus> {
    let scope = shared::scope(&args.filter, &ctx.settings.timezone.tz, ctx.clock.now())?;
    let bucket = args.bucket.map(|b| match b {
        UsageBucket::Day => Calendar::Day,
        UsageBucket::Week => Calendar::Week,
        UsageBucket::Month => Calendar::Month,
    });
    let mut data = html::dashboard(ctx.store()?, ctx.prices()?, &scope, bucket, ctx.clock.now())?;
    let agents = super::suggest::library_agents(ctx)?;
    let now = ctx.clock.now_ms();
    let learning =
        crate::learn::view::learning(ctx.store()?, ctx.prices()?, &super::suggest::state(ctx, &agents), 28, now);
    data.learning = Some(learning?);
    let page = html::render(&data)?;
    write_atomically(&args.html, page.as_bytes())?;
    let written = Written {
        html: args.html.display().to_string(),
        bytes: page.len(),
        calls: data.summary.totals.calls,
        cost_usd: data.summary.totals.cost_usd,
        charts: CHARTS,
    };
    let p = &ctx.printer;
    if p.json_mode() {
        p.json(&written)?;
    } else {
        p.stdout_line(&format!(
            "wrote {} ({} KB): {} calls, {}",
            written.html,
            written.bytes.div_ceil(1024),
            shared::count(written.calls),
            shared::usd(written.cost_usd)
        ))?;
    }
    Ok(ExitStatus::Success)
}

/// Writes through a temporary file in the same folder, so a reader never sees half a page.
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir).with_context(|| format!("writing {}", path.display()))?;
    std::io::Write::write_all(&mut tmp, bytes).with_context(|| format!("writing {}", path.display()))?;
    tmp.persist(path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}
