//! `devteam budget set|status|check|reset|remove`: budgets per calendar window, where they
//! stand, and a check scripts and CI can branch on (exit 3 when a budget has no room).

use anyhow::{Result, bail};
use jiff::Timestamp;
use serde::Serialize;

use crate::budget::{
    Budget, BudgetState, Exceeded, Mode, Policy, Scope, Thresholds, Unit, Window, format_limit_usd, format_usd,
    human_duration, parse_usd, rfc3339, tz_name,
};
use crate::cli::{BudgetCheckArgs, BudgetCommand, BudgetLevel, BudgetResetArgs, BudgetScopeArgs, BudgetSetArgs};
use crate::cli::{BudgetTargetArgs, BudgetWindow};
use crate::context::Context;
use crate::error::{ExitStatus, UserError};

/// The `--json` report of `budget status`.
#[derive(Debug, Serialize)]
pub struct StatusReport {
    /// IANA name of the zone that draws the windows.
    pub timezone: String,
    pub now: String,
    pub thresholds: Thresholds,
    /// The most restricted mode among the budgets shown.
    pub mode: Mode,
    pub budgets: Vec<BudgetRow>,
}

/// One budget in its current window.
#[derive(Debug, Serialize)]
pub struct BudgetRow {
    /// `daily` or `daily (project api)`.
    pub name: String,
    pub project: Option<String>,
    pub window: &'static str,
    pub window_start: String,
    pub resets_at: String,
    pub resets_in_secs: i64,
    pub usd: Option<Amounts<f64>>,
    pub tokens: Option<Amounts<i64>>,
    /// The larger of the dollar and token shares, spent plus reserved, in percent.
    pub used_pct: f64,
    pub mode: Mode,
    /// Thresholds already alerted on in this window.
    pub alerts: Vec<u8>,
}

/// Spent (settled calls of every source), reserved (calls in flight) and the limit.
#[derive(Debug, Serialize)]
pub struct Amounts<T> {
    pub spent: T,
    pub reserved: T,
    pub limit: T,
    pub used_pct: f64,
}

/// The `--json` report of `budget check`.
#[derive(Debug, Serialize)]
pub struct CheckReport {
    /// False when some budget is at `at` or cannot fit `need_usd`: the exit code is then 3.
    pub ok: bool,
    pub at: Mode,
    pub need_usd: Option<f64>,
    /// Why each failing budget failed.
    pub failing: Vec<String>,
    pub budgets: Vec<BudgetRow>,
}

/// The `--json` report of `budget set`, `reset` and `remove`.
#[derive(Debug, Serialize)]
pub struct ChangeReport {
    pub action: &'static str,
    pub budget: String,
    pub limit_usd: Option<f64>,
    pub limit_tokens: Option<i64>,
    pub alerts_cleared: usize,
    pub reservations_dropped: usize,
}

pub fn run(command: BudgetCommand, ctx: &Context) -> Result<ExitStatus> {
    match command {
        BudgetCommand::Set(args) => set(&args, ctx),
        BudgetCommand::Status(args) => status(&args, ctx),
        BudgetCommand::Check(args) => check(&args, ctx),
        BudgetCommand::Reset(args) => reset(&args, ctx),
        BudgetCommand::Remove(args) => remove(&args, ctx),
    }
}

fn set(args: &BudgetSetArgs, ctx: &Context) -> Result<ExitStatus> {
    let project = project_name(args.project.as_deref())?;
    let micros = args.usd.as_deref().map(parse_usd).transpose().map_err(UserError::new)?;
    let tokens = match args.tokens {
        Some(0) => bail!(UserError::new("--tokens must be at least 1")),
        Some(n) => Some(i64::try_from(n).map_err(|_| UserError::new("--tokens is too large"))?),
        None => None,
    };
    if micros.is_none() && tokens.is_none() {
        bail!(UserError::new("give a limit in dollars (`devteam budget set daily 5`) or tokens (`--tokens N`)"));
    }
    let window = window_of(args.window);
    let budget = ctx.store()?.budget_write(|l| -> Result<Budget> {
        l.set_budget(project, window, micros, tokens)?;
        l.budget(project, window)?.ok_or_else(|| anyhow::anyhow!("the budget was not saved"))
    })?;
    let report = change("set", &budget, 0, 0);
    print_change(ctx, &report, &format!("{} budget set: {}", budget.name(), limits(&budget)))
}

fn status(args: &BudgetScopeArgs, ctx: &Context) -> Result<ExitStatus> {
    let (report, _) = status_report(ctx, scope(args)?, ctx.clock.now())?;
    let p = &ctx.printer;
    if p.json_mode() {
        p.json(&report)?;
        return Ok(ExitStatus::Success);
    }
    if report.budgets.is_empty() {
        p.note("no budgets: set one with `devteam budget set daily 5` (dollars per day)");
        return Ok(ExitStatus::Success);
    }
    p.table(&status_table(p, &report))?;
    p.note(&format!("windows in {}; mode in force: {}", report.timezone, report.mode.as_str()));
    Ok(ExitStatus::Success)
}

/// The table `budget status` prints (and `usage watch` under its own figures): one row per
/// limit, dollars and tokens apart, each with the budget's mode.
pub fn status_table(p: &crate::output::Printer, report: &StatusReport) -> comfy_table::Table {
    let mut t = p.new_table(&["budget", "spent", "reserved", "limit", "used", "resets in", "mode"]);
    for row in &report.budgets {
        let resets = human_duration(row.resets_in_secs * 1000);
        if let Some(a) = &row.usd {
            let usd = |v: f64| format_usd((v * 1_000_000.0).round() as i64);
            let limit = format_limit_usd((a.limit * 1_000_000.0).round() as i64);
            let cells = [usd(a.spent), usd(a.reserved), limit, pct(a.used_pct)];
            t.add_row(
                [std::slice::from_ref(&row.name), &cells[..], &[resets.clone(), row.mode.as_str().into()]].concat(),
            );
        }
        if let Some(a) = &row.tokens {
            let cells = [a.spent.to_string(), a.reserved.to_string(), a.limit.to_string(), pct(a.used_pct)];
            t.add_row(
                [&[format!("{} tokens", row.name)], &cells[..], &[resets.clone(), row.mode.as_str().into()]].concat(),
            );
        }
    }
    t
}

fn check(args: &BudgetCheckArgs, ctx: &Context) -> Result<ExitStatus> {
    let need = args.need.as_deref().map(parse_usd).transpose().map_err(UserError::new)?;
    let at = match args.at {
        BudgetLevel::Warn => Mode::Warn,
        BudgetLevel::Economy => Mode::Economy,
        BudgetLevel::Blocked => Mode::Blocked,
    };
    let now = ctx.clock.now();
    // Without --project, the budgets a call with no project counts against (the global ones):
    // another project's exhausted budget must not fail a job that does not spend from it.
    let checked = match args.scope.project {
        None => Scope::Project(""),
        Some(_) => scope(&args.scope)?,
    };
    let (status, states) = status_report(ctx, checked, now)?;
    let policy = &ctx.settings.budget.policy;
    let failing: Vec<String> = states.iter().filter_map(|s| failure(s, at, need, policy, now)).collect();
    let report = CheckReport {
        ok: failing.is_empty(),
        at,
        need_usd: need.map(crate::usage::to_usd),
        failing,
        budgets: status.budgets,
    };
    let p = &ctx.printer;
    if p.json_mode() {
        p.json(&report)?;
    } else if report.ok {
        p.note(&format!("ok: {} budget(s), none at {}", report.budgets.len(), at.as_str()));
    } else {
        for line in &report.failing {
            p.stdout_line(&format!("over budget: {line}"))?;
        }
    }
    Ok(if report.ok { ExitStatus::Success } else { ExitStatus::OverBudget })
}

/// Why a budget fails the check, if it does.
fn failure(state: &BudgetState, at: Mode, need: Option<i64>, policy: &Policy, now: Timestamp) -> Option<String> {
    let mode = state.mode(&policy.thresholds);
    let resets = human_duration(state.bounds.end_ms() - now.as_millisecond());
    if mode >= at {
        return Some(format!(
            "{}: {} used, mode {}; resets in {resets}",
            state.budget.name(),
            pct(state.used_pct()),
            mode.as_str()
        ));
    }
    let why = Exceeded::check(state, Unit::Usd, need?, policy, now)?;
    Some(format!(
        "{}: {} does not fit ({} left); resets in {resets}",
        why.budget,
        format_usd(why.requested),
        format_usd(why.cap - why.spent - why.reserved)
    ))
}

fn reset(args: &BudgetResetArgs, ctx: &Context) -> Result<ExitStatus> {
    let budget = existing(ctx, &args.target)?;
    let bounds = budget.window.bounds(ctx.clock.now(), &ctx.settings.budget.policy.timezone)?;
    let (cleared, dropped) = ctx.store()?.budget_write(|l| -> Result<(usize, usize)> {
        let cleared = l.clear_alerts(budget.id, bounds.start_ms())?;
        let dropped = if args.reservations { l.drop_reservations(budget.project.as_deref())? } else { 0 };
        Ok((cleared, dropped))
    })?;
    let report = change("reset", &budget, cleared, dropped);
    let mut text = format!("{} budget: {cleared} alert(s) of this window cleared", budget.name());
    if args.reservations {
        text.push_str(&format!(", {dropped} reservation(s) dropped"));
    }
    print_change(ctx, &report, &text)
}

fn remove(args: &BudgetTargetArgs, ctx: &Context) -> Result<ExitStatus> {
    let budget = existing(ctx, args)?;
    ctx.store()?.budget_write(|l| l.remove_budget(budget.id))?;
    let report = change("remove", &budget, 0, 0);
    print_change(ctx, &report, &format!("{} budget removed", budget.name()))
}

/// The status of every budget in scope, after recording (and delivering) any alert that their
/// spend has crossed without a call settling here, e.g. through imported usage.
fn status_report(ctx: &Context, scope: Scope<'_>, now: Timestamp) -> Result<(StatusReport, Vec<BudgetState>)> {
    let store = ctx.store()?;
    let states = ctx.guard().status(store.shared(), now, scope)?;
    Ok((report_of(ctx, &states, now), states))
}

/// The status of budgets already evaluated, as `budget status` reports it.
pub fn report_of(ctx: &Context, states: &[BudgetState], now: Timestamp) -> StatusReport {
    let policy = &ctx.settings.budget.policy;
    StatusReport {
        timezone: tz_name(&policy.timezone),
        now: rfc3339(now, &policy.timezone),
        thresholds: policy.thresholds,
        mode: states.iter().map(|s| s.mode(&policy.thresholds)).max().unwrap_or(Mode::Normal),
        budgets: states.iter().map(|s| row(s, policy, now)).collect(),
    }
}

fn row(s: &BudgetState, policy: &Policy, now: Timestamp) -> BudgetRow {
    let b = &s.budget;
    let usd = |m: i64| m as f64 / 1_000_000.0;
    BudgetRow {
        name: b.name(),
        project: b.project.clone(),
        window: b.window.as_str(),
        window_start: rfc3339(s.bounds.start, &policy.timezone),
        resets_at: rfc3339(s.bounds.end, &policy.timezone),
        resets_in_secs: (s.bounds.end_ms() - now.as_millisecond()) / 1000,
        usd: b.limit_micros.map(|limit| Amounts {
            spent: usd(s.spent.micros),
            reserved: usd(s.reserved.micros),
            limit: usd(limit),
            used_pct: round1(crate::budget::pct(s.spent.micros + s.reserved.micros, limit)),
        }),
        tokens: b.limit_tokens.map(|limit| Amounts {
            spent: s.spent.tokens,
            reserved: s.reserved.tokens,
            limit,
            used_pct: round1(crate::budget::pct(s.spent.tokens + s.reserved.tokens, limit)),
        }),
        used_pct: round1(s.used_pct()),
        mode: s.mode(&policy.thresholds),
        alerts: s.alerted.clone(),
    }
}

fn existing(ctx: &Context, args: &BudgetTargetArgs) -> Result<Budget> {
    let project = project_name(args.project.as_deref())?;
    let window = window_of(args.window);
    let found = ctx.store()?.budget_read(|l| l.budget(project, window))?;
    found.ok_or_else(|| {
        let whose = project.map_or_else(|| "global".to_string(), |p| format!("project {p}"));
        UserError::new(format!("there is no {} {whose} budget (`devteam budget status` lists them)", window.as_str()))
            .into()
    })
}

fn change(action: &'static str, b: &Budget, alerts_cleared: usize, reservations_dropped: usize) -> ChangeReport {
    ChangeReport {
        action,
        budget: b.name(),
        limit_usd: b.limit_micros.map(crate::usage::to_usd),
        limit_tokens: b.limit_tokens,
        alerts_cleared,
        reservations_dropped,
    }
}

fn print_change(ctx: &Context, report: &ChangeReport, text: &str) -> Result<ExitStatus> {
    if ctx.printer.json_mode() {
        ctx.printer.json(report)?;
    } else {
        ctx.printer.stdout_line(text)?;
    }
    Ok(ExitStatus::Success)
}

fn limits(b: &Budget) -> String {
    let money = b.limit_micros.map(format_limit_usd);
    let tokens = b.limit_tokens.map(|t| format!("{t} tokens"));
    money.into_iter().chain(tokens).collect::<Vec<_>>().join(" and ")
}

fn scope(args: &BudgetScopeArgs) -> Result<Scope<'_>> {
    Ok(project_name(args.project.as_deref())?.map_or(Scope::All, Scope::Project))
}

/// A project name as given; an empty one is a mistake, not "every project".
fn project_name(name: Option<&str>) -> Result<Option<&str>> {
    match name {
        Some(n) if n.trim().is_empty() => bail!(UserError::new("--project needs a name")),
        other => Ok(other),
    }
}

fn window_of(w: BudgetWindow) -> Window {
    match w {
        BudgetWindow::Hourly => Window::Hourly,
        BudgetWindow::Daily => Window::Daily,
        BudgetWindow::Weekly => Window::Weekly,
        BudgetWindow::Monthly => Window::Monthly,
    }
}

fn round1(v: f64) -> f64 {
    if v.is_finite() { (v * 10.0).round() / 10.0 } else { 100.0 }
}

fn pct(v: f64) -> String {
    format!("{:.1}%", round1(v))
}
