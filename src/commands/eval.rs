//! `devteam eval ...`: measurements on labeled data.

use anyhow::{Context as _, Result};

use super::fresh_library;
use crate::cli::{EvalDiscoveryArgs, EvalRoutingArgs};
use crate::context::Context;
use crate::discovery::Semantic;
use crate::discovery::eval::{EvalReport, Subset, evaluate, read_labels, write_signals};
use crate::error::{ExitStatus, UserError};
use crate::pricing::{PriceTable, TokenUsage};
use crate::routing::eval::{self as routing_eval, Method, RoutingEvalReport, TokenProfile};
use crate::routing::meaning::Params;
use crate::routing::{Pressure, Router, Tier, TierCost};

/// `eval discovery LABELS.tsv`.
pub fn discovery(args: &EvalDiscoveryArgs, ctx: &Context) -> Result<ExitStatus> {
    let tasks = read_labels(&args.labels)?;
    let subsets = args
        .subset
        .iter()
        .map(|raw| {
            Subset::parse(raw)
                .ok_or_else(|| UserError::new(format!("--subset {raw:?}: expected NAME=FROM-TO, rows from 1")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let library = fresh_library(ctx, true)?;
    let vectors = if args.lexical { None } else { super::semantic::library_vectors(ctx, &library, true)? };
    let semantic = vectors.as_ref().map(|v| Semantic { model: v.model, vectors: &v.vectors });
    if let Some(path) = &args.signals {
        let file = std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
        let mut out = std::io::BufWriter::new(file);
        write_signals(ctx.store()?, &library, &tasks, semantic.as_ref(), &mut out)?;
        std::io::Write::flush(&mut out).with_context(|| format!("writing {}", path.display()))?;
    }
    let report =
        evaluate(ctx.store()?, &library, &tasks, ctx.settings.discover_shortlist, semantic.as_ref(), &subsets)?;
    if !report.unknown_ids.is_empty() {
        ctx.printer.warn(&format!("labels name agents the library does not have: {}", report.unknown_ids.join(", ")));
    }
    print(ctx, &report)?;
    Ok(ExitStatus::Success)
}

fn print(ctx: &Context, r: &EvalReport) -> Result<()> {
    let p = &ctx.printer;
    if p.json_mode() {
        return p.json(r);
    }
    let mut table =
        p.new_table(&["tasks", "hit@1", "hit@3", "recall@10", "recall@20", "MRR", "tokens/task", "load-all tokens"]);
    table.add_row(vec![
        r.tasks.to_string(),
        format!("{:.3}", r.hit_at_1),
        format!("{:.3}", r.hit_at_3),
        format!("{:.3}", r.recall_at_10),
        format!("{:.3}", r.recall_at_20),
        format!("{:.3}", r.mrr),
        format!("{:.0}", r.tokens_per_task),
        r.load_all_tokens.to_string(),
    ]);
    p.table(&table)?;
    if !r.subsets.is_empty() {
        let mut subsets = p.new_table(&["subset", "tasks", "hit@3", "recall@20", "MRR"]);
        for s in &r.subsets {
            subsets.add_row(vec![
                s.name.clone(),
                s.tasks.to_string(),
                format!("{:.3}", s.hit_at_3),
                format!("{:.3}", s.recall_at_20),
                format!("{:.3}", s.mrr),
            ]);
        }
        p.table(&subsets)?;
    }
    if !r.misses.is_empty() {
        let mut misses = p.new_table(&["line", "missed task", "expected", "top 3"]);
        for m in &r.misses {
            misses.add_row(vec![m.line.to_string(), m.task.clone(), m.expected.join(", "), m.got.join(", ")]);
        }
        p.table(&misses)?;
    }
    Ok(())
}

/// `eval routing LABELS.tsv`.
pub fn routing(args: &EvalRoutingArgs, ctx: &Context) -> Result<ExitStatus> {
    let tasks = routing_eval::read_labels(&args.labels)?;
    let router = router_in_force(ctx);
    let pressure = if args.economy { Pressure::Economy } else { Pressure::Normal };
    let costs = tier_costs(ctx.prices()?, routing_eval::TASK_PROFILE)?;
    let report = match super::semantic::model(ctx)? {
        None => routing_eval::evaluate(&router, &tasks, pressure, &costs),
        Some(_) if args.as_run => {
            let router = router.with_meaning(super::semantic::meaning(ctx)?);
            routing_eval::evaluate(&router, &tasks, pressure, &costs)
        }
        Some(model) => {
            let bar = ctx.printer.progress(tasks.len() as u64, "embedding tasks");
            let embeddings: Vec<Vec<f32>> = tasks
                .iter()
                .map(|t| {
                    bar.inc(1);
                    model.embed(&t.task)
                })
                .collect();
            bar.finish_and_clear();
            let params = Params::default();
            if let Some(path) = &args.write_classifier {
                let trained = routing_eval::train(&router, &tasks, &embeddings, params, model.id())?;
                let text = serde_json::to_string(&trained)? + "\n";
                std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
                ctx.printer.note(&format!("wrote the classifier to {}", path.display()));
            }
            let k = usize::from(args.folds).min(tasks.len());
            let routed = routing_eval::cross_validate(&router, &tasks, &embeddings, k, params, pressure)?;
            routing_eval::report(&tasks, &routed, (Method::ClassifierCv, k), pressure, &costs)
        }
    };
    print_routing(ctx, &report)?;
    Ok(ExitStatus::Success)
}

/// The router `run` uses: the weights and thresholds in force, with the learned layer
/// (`route learn --apply`) when there is one, so `eval routing` measures what runs route by.
/// Says so on stderr, naming the file, because the figures then differ from the base router's.
pub fn router_in_force(ctx: &Context) -> Router {
    let settings = &ctx.settings.routing;
    if let Some(learned) = &settings.learned {
        ctx.printer.note(&format!(
            "learned routing applied ({} adjustment(s) from {}); `devteam route learn --reset` restores the base router",
            learned.adjustments.len(),
            settings.learned_path.display()
        ));
    }
    Router::new(settings.weights.clone(), settings.thresholds).with_learned(settings.learned.clone())
}

/// Per-task cost of each tier from the price table in force: the fixed token profile as
/// fresh input and output on the tier's model (no caching, no batch discount), so that the
/// comparison is about routing alone.
fn tier_costs(prices: &PriceTable, profile: TokenProfile) -> Result<PerTierCost> {
    let usage = TokenUsage { input: profile.input_tokens, output: profile.output_tokens, ..TokenUsage::default() };
    let cost = |tier: Tier| prices.cost(tier.name(), &usage, false).map(|c| c.total);
    Ok(PerTierCost { haiku: cost(Tier::Haiku)?, sonnet: cost(Tier::Sonnet)?, opus: cost(Tier::Opus)? })
}

/// Costs looked up once, so evaluation cannot fail halfway on a missing price.
struct PerTierCost {
    haiku: f64,
    sonnet: f64,
    opus: f64,
}

impl TierCost for PerTierCost {
    fn task_cost(&self, tier: Tier) -> f64 {
        match tier {
            Tier::Haiku => self.haiku,
            Tier::Sonnet => self.sonnet,
            Tier::Opus => self.opus,
        }
    }
}

fn print_routing(ctx: &Context, r: &RoutingEvalReport) -> Result<()> {
    let p = &ctx.printer;
    if p.json_mode() {
        return p.json(r);
    }
    let mut summary = p.new_table(&[
        "routed by",
        "tasks",
        "accuracy",
        "opus->haiku",
        "too low",
        "too high",
        "cost vs all-Sonnet",
        "cost vs labels",
    ]);
    let method = match r.method {
        Method::FeatureScore => "feature score".to_string(),
        Method::ClassifierCv => format!("classifier, {}-fold CV", r.folds),
        Method::AsRun => "classifier, as run".to_string(),
    };
    summary.add_row(vec![
        method,
        r.tasks.to_string(),
        format!("{:.3}", r.accuracy),
        r.opus_to_haiku.to_string(),
        r.routed_low.to_string(),
        r.routed_high.to_string(),
        format!("{:.3}", r.cost_vs_all_sonnet),
        format!("{:.3}", r.cost_vs_labels),
    ]);
    p.table(&summary)?;
    print_confusion_and_costs(ctx, r)?;
    if !r.misses.is_empty() {
        let mut misses = p.new_table(&["line", "task", "label", "routed", "score"]);
        for m in &r.misses {
            misses.add_row(vec![
                m.line.to_string(),
                m.task.clone(),
                m.label.to_string(),
                m.routed.to_string(),
                format!("{:.2}", m.score),
            ]);
        }
        p.table(&misses)?;
    }
    Ok(())
}

fn print_confusion_and_costs(ctx: &Context, r: &RoutingEvalReport) -> Result<()> {
    let p = &ctx.printer;
    let mut confusion = p.new_table(&["labeled \\ routed", "haiku", "sonnet", "opus"]);
    for label in Tier::ALL {
        let row = r.confusion.get(label);
        let mut cells = vec![label.to_string()];
        cells.extend(Tier::ALL.map(|t| row.get(t).to_string()));
        confusion.add_row(cells);
    }
    p.table(&confusion)?;
    let mut costs = p.new_table(&["per task: haiku", "sonnet", "opus", "set: routed", "all on Sonnet", "as labeled"]);
    costs.add_row(
        [r.task_cost.haiku, r.task_cost.sonnet, r.task_cost.opus, r.cost.routed, r.cost.all_sonnet, r.cost.labels]
            .map(|usd| format!("${usd:.4}")),
    );
    p.table(&costs)?;
    p.stdout_line(&format!(
        "Costs assume {} input + {} output tokens per task at list prices, no caching.",
        r.token_profile.input_tokens, r.token_profile.output_tokens
    ))
}
