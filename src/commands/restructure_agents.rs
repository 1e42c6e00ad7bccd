//! `devteam restructure-agents`: plan (and with `--write` apply, with `--undo` revert) the
//! cache-friendly layout of the agent library, and report what caching gains per agent and
//! per routed model.

use anyhow::{Result, bail};
use serde::Serialize;

mod print;

use self::print::{print, print_undo};
use super::extract_metadata::FileNote;
use crate::agents::restructure::backup::{self, Written};
use crate::agents::restructure::{self, AgentPlan, FOUNDATION_REL, Plan};
use crate::cli::RestructureAgentsArgs;
use crate::context::Context;
use crate::error::{ExitStatus, UserError};
use crate::settings::RestructureSettings;

/// The `--json` report of a dry run or a `--write`.
#[derive(Debug, Serialize)]
pub struct RestructureReport {
    pub library: String,
    /// Whether files were written (false: dry run).
    pub written: bool,
    /// The backup folder `--undo` restores from, when files were written.
    pub backup: Option<String>,
    /// Files the run changes (dry run) or changed (`--write`), relative to the library.
    pub changed_files: Vec<String>,
    /// The shared foundation, relative to the library.
    pub foundation: String,
    pub foundation_tokens: usize,
    /// The routed models (tier to model) and their minimum cacheable prefix.
    pub models: Vec<TierModel>,
    pub agents: Vec<AgentRow>,
    pub totals: Totals,
    pub shared_blocks: Vec<SharedBlock>,
    pub skipped: Vec<FileNote>,
    pub warnings: Vec<FileNote>,
}

/// A routed model.
#[derive(Debug, Serialize)]
pub struct TierModel {
    pub tier: String,
    pub model: String,
    pub min_cacheable_tokens: u64,
}

/// One agent after the run.
#[derive(Debug, Serialize)]
pub struct AgentRow {
    pub id: String,
    pub path: String,
    pub already_restructured: bool,
    /// Whether the run rewrites (or rewrote) this file.
    pub changed: bool,
    pub front_matter_tokens: usize,
    pub static_tokens: usize,
    pub dynamic_tokens: usize,
    /// Static share of the agent's own text.
    pub cacheable_pct: f64,
    /// Cacheable share of foundation plus the agent's text, as a call sends them.
    pub cacheable_with_foundation_pct: f64,
    /// What caching could use before: the text before the first dynamic section.
    pub before_cacheable_pct: f64,
    pub shared_refs: Vec<String>,
    pub kept_lines: usize,
    pub dynamic_sections: Vec<String>,
    pub reaches_min: Vec<Reach>,
}

/// Whether a cached prefix would be long enough for a routed model to cache it at all.
#[derive(Debug, Serialize)]
pub struct Reach {
    pub tier: String,
    /// The agent's static part alone.
    pub static_only: bool,
    /// The foundation followed by the static part (the prefix a call sends).
    pub with_foundation: bool,
}

/// Library totals.
#[derive(Debug, Serialize)]
pub struct Totals {
    pub agents: usize,
    pub changed_agents: usize,
    pub static_tokens: usize,
    pub dynamic_tokens: usize,
    pub cacheable_pct: f64,
    pub before_cacheable_pct: f64,
    /// Agents' text (front matter aside) plus any foundation, before the run.
    pub tokens_before: usize,
    /// Agents' text after the run plus the foundation, counted once.
    pub tokens_after: usize,
    pub reaching: Vec<TierReach>,
}

/// How many agents reach a routed model's minimum.
#[derive(Debug, Serialize)]
pub struct TierReach {
    pub tier: String,
    pub model: String,
    pub min_cacheable_tokens: u64,
    pub static_only: usize,
    pub with_foundation: usize,
}

/// A block of the foundation.
#[derive(Debug, Serialize)]
pub struct SharedBlock {
    pub anchor: String,
    pub heading: String,
    pub agents: Vec<String>,
    pub agent_count: usize,
    pub tokens: usize,
    pub exact_copies: usize,
    pub near_copies: usize,
    pub kept_lines: usize,
    /// Added by this run (false: already in the foundation).
    pub new: bool,
}

/// The `--json` report of `--undo`.
#[derive(Debug, Serialize)]
pub struct UndoReport {
    pub library: String,
    pub backup: String,
    pub restored: Vec<String>,
    pub removed: Vec<String>,
    pub unchanged: Vec<String>,
}

pub fn run(args: &RestructureAgentsArgs, ctx: &Context) -> Result<ExitStatus> {
    let Some(root) = &ctx.settings.agents_dir else {
        bail!(UserError::new(
            "restructure-agents needs a library: pass --agents DIR, set DEVTEAM_AGENTS, or set `agents:` in config"
        ));
    };
    if args.undo {
        let done = backup::undo(root)?;
        let report = UndoReport {
            library: root.display().to_string(),
            backup: done.backup.display().to_string(),
            restored: done.restored,
            removed: done.removed,
            unchanged: done.unchanged,
        };
        print_undo(ctx, &report)?;
        return Ok(ExitStatus::Success);
    }
    let settings = with_overrides(&ctx.settings.restructure, args)?;
    let plan = restructure::plan(root, &settings)?;
    let models = tier_models(ctx)?;
    let written = if args.write {
        let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%SZ").to_string();
        Some(backup::write(root, &plan.changes(), &stamp)?)
    } else {
        None
    };
    let report = build(&plan, models, written.as_ref());
    print(ctx, &report)?;
    Ok(ExitStatus::Success)
}

fn with_overrides(base: &RestructureSettings, args: &RestructureAgentsArgs) -> Result<RestructureSettings> {
    let mut settings = base.clone();
    if let Some(similarity) = args.similarity {
        if !(similarity > 0.0 && similarity <= 1.0) {
            bail!(UserError::new(format!("--similarity {similarity} must be above 0 and at most 1")));
        }
        settings.similarity = similarity;
    }
    if let Some(n) = args.min_agents {
        if n < 2 {
            bail!(UserError::new(format!("--min-agents {n} must be at least 2: a block one agent has is not shared")));
        }
        settings.min_agents = n;
    }
    Ok(settings)
}

fn tier_models(ctx: &Context) -> Result<Vec<TierModel>> {
    let prices = ctx.prices()?;
    prices
        .tiers()
        .iter()
        .map(|(tier, model)| {
            let info = prices.model(model)?;
            Ok(TierModel {
                tier: tier.clone(),
                model: info.id.clone(),
                min_cacheable_tokens: info.min_cacheable_tokens,
            })
        })
        .collect()
}

fn pct(part: usize, whole: usize) -> f64 {
    if whole == 0 { 0.0 } else { (part as f64 * 1000.0 / whole as f64).round() / 10.0 }
}

fn build(plan: &Plan, models: Vec<TierModel>, written: Option<&Written>) -> RestructureReport {
    let changed: Vec<String> = plan.changes().iter().map(|c| c.rel_path.to_string()).collect();
    let agents: Vec<AgentRow> = plan.agents.iter().map(|a| agent_row(a, &models, plan.foundation_tokens)).collect();
    RestructureReport {
        library: plan.root.display().to_string(),
        written: written.is_some(),
        backup: written.and_then(|w| w.backup.as_ref()).map(|b| b.display().to_string()),
        changed_files: written.map_or(changed, |w| w.files.clone()),
        foundation: FOUNDATION_REL.to_string(),
        foundation_tokens: plan.foundation_tokens,
        totals: totals(plan, &agents, &models),
        models,
        agents,
        shared_blocks: plan.blocks.iter().map(shared_block).collect(),
        skipped: plan.skipped.iter().map(|s| FileNote { path: s.rel_path.clone(), reason: s.reason.clone() }).collect(),
        warnings: plan.warnings.iter().map(|(p, w)| FileNote { path: p.clone(), reason: w.clone() }).collect(),
    }
}

fn totals(plan: &Plan, agents: &[AgentRow], models: &[TierModel]) -> Totals {
    let sum = |f: fn(&AgentPlan) -> usize| plan.agents.iter().map(f).sum::<usize>();
    let (static_tokens, dynamic_tokens) = (sum(|a| a.static_tokens), sum(|a| a.dynamic_tokens));
    let count = |tier: &str, pick: fn(&Reach) -> bool| {
        agents.iter().filter(|a| a.reaches_min.iter().any(|r| r.tier == tier && pick(r))).count()
    };
    Totals {
        agents: agents.len(),
        changed_agents: agents.iter().filter(|a| a.changed).count(),
        static_tokens,
        dynamic_tokens,
        cacheable_pct: pct(static_tokens, static_tokens + dynamic_tokens),
        before_cacheable_pct: pct(sum(|a| a.before_static_tokens), sum(|a| a.before_tokens)),
        tokens_before: sum(|a| a.before_tokens) + plan.foundation_before_tokens,
        tokens_after: static_tokens + dynamic_tokens + plan.foundation_tokens,
        reaching: models
            .iter()
            .map(|m| TierReach {
                tier: m.tier.clone(),
                model: m.model.clone(),
                min_cacheable_tokens: m.min_cacheable_tokens,
                static_only: count(&m.tier, |r| r.static_only),
                with_foundation: count(&m.tier, |r| r.with_foundation),
            })
            .collect(),
    }
}

fn agent_row(a: &AgentPlan, models: &[TierModel], foundation: usize) -> AgentRow {
    let own = a.static_tokens + a.dynamic_tokens;
    AgentRow {
        id: a.id.clone(),
        path: a.rel_path.clone(),
        already_restructured: a.already_restructured,
        changed: a.rewritten != a.original,
        front_matter_tokens: a.front_matter_tokens,
        static_tokens: a.static_tokens,
        dynamic_tokens: a.dynamic_tokens,
        cacheable_pct: pct(a.static_tokens, own),
        cacheable_with_foundation_pct: pct(foundation + a.static_tokens, foundation + own),
        before_cacheable_pct: pct(a.before_static_tokens, a.before_tokens),
        shared_refs: a.shared_refs.clone(),
        kept_lines: a.kept_lines,
        dynamic_sections: a.dynamic_sections.clone(),
        reaches_min: models
            .iter()
            .map(|m| Reach {
                tier: m.tier.clone(),
                static_only: a.static_tokens as u64 >= m.min_cacheable_tokens,
                with_foundation: (foundation + a.static_tokens) as u64 >= m.min_cacheable_tokens,
            })
            .collect(),
    }
}

fn shared_block(b: &restructure::BlockPlan) -> SharedBlock {
    SharedBlock {
        anchor: b.anchor.clone(),
        heading: b.heading.clone(),
        agent_count: b.agents.len(),
        agents: b.agents.clone(),
        tokens: b.tokens,
        exact_copies: b.exact_copies,
        near_copies: b.near_copies,
        kept_lines: b.kept_lines,
        new: b.new,
    }
}
