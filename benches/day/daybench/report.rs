//! The benchmark's tables.

use std::fmt::Write as _;

use comfy_table::{Table, presets::ASCII_MARKDOWN};

use super::DayReport;

fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(ASCII_MARKDOWN).set_header(header.to_vec());
    t
}

pub fn render(r: &DayReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}: {} tasks; floor ${:.4}\n", r.workload, r.tasks, r.floor_usd);
    let mut t = table(&[
        "set-up",
        "cost",
        "x floor",
        "% of unopt.",
        "calls",
        "input",
        "cache write",
        "cache read",
        "output",
        "tokens/task",
        "hit rate",
        "of repeats",
        "declined",
        "failed",
    ]);
    for s in &r.setups {
        t.add_row(vec![
            s.setup.clone(),
            format!("${:.4}", s.cost_usd),
            format!("{:.2}", s.ratio_to_floor),
            // Without the unoptimized set-up (`--only`), there is nothing to compare with.
            if s.share_of_unoptimized > 0.0 { format!("{:.2} %", s.share_of_unoptimized * 100.0) } else { "-".into() },
            s.calls.to_string(),
            s.tokens.input.to_string(),
            (s.tokens.cache_write_5m + s.tokens.cache_write_1h).to_string(),
            s.tokens.cache_read.to_string(),
            s.tokens.output.to_string(),
            s.tokens_per_task.to_string(),
            format!("{:.1} %", s.cache_hit_rate * 100.0),
            format!("{:.1} %", s.repeat_hit_rate * 100.0),
            s.declined_calls.to_string(),
            s.failed_tasks.to_string(),
        ]);
    }
    let _ = writeln!(out, "{t}\n");
    let mut t = table(&[
        "set-up",
        "model",
        "calls",
        "cost",
        "cacheable",
        "cache read",
        "hit rate",
        "repeated",
        "of repeats",
        "of marked",
    ]);
    let floor = std::iter::once(("floor", &r.floor_models));
    for (setup, models) in floor.chain(r.setups.iter().map(|s| (s.setup.as_str(), &s.models))) {
        for (model, m) in models {
            t.add_row(vec![
                setup.to_string(),
                model.clone(),
                m.calls.to_string(),
                format!("${:.4}", m.cost_usd),
                m.cacheable_tokens.to_string(),
                m.tokens.cache_read.to_string(),
                format!("{:.1} %", m.cache_hit_rate * 100.0),
                m.repeated_tokens.to_string(),
                format!("{:.1} %", m.repeat_hit_rate * 100.0),
                format!("{:.1} %", m.marked_hit_rate * 100.0),
            ]);
        }
    }
    let _ = writeln!(out, "{t}\n");
    if let Some(shipped) = r.setups.iter().find(|s| s.setup == "shipped") {
        let mut t = table(&["shipped: stage", "calls", "cost", "input tokens", "output tokens"]);
        for (stage, f) in &shipped.stages {
            t.add_row(vec![
                stage.to_string(),
                f.calls.to_string(),
                format!("${:.4}", f.cost_usd),
                f.tokens.total_input().to_string(),
                f.tokens.output.to_string(),
            ]);
        }
        let _ = writeln!(out, "{t}\n");
    }
    let mut t = table(&["shipped: prompt part", "tokens", "cost"]);
    for (part, f) in &r.shipped_parts {
        t.add_row(vec![part.clone(), f.tokens.to_string(), format!("${:.4}", f.cost_usd)]);
    }
    let _ = writeln!(out, "{t}");
    out
}
