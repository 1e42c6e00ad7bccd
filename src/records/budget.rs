//! Budgets as stored, and the sums the ledger answers with.

use super::window::Window;

/// A budget as stored: a limit in micro-dollars and/or tokens for one calendar window, for
/// every project (`project: None`) or one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Budget {
    pub id: i64,
    pub project: Option<String>,
    pub window: Window,
    pub limit_micros: Option<i64>,
    pub limit_tokens: Option<i64>,
}

impl Budget {
    /// `daily` or `daily (project api)`, as people read it.
    pub fn name(&self) -> String {
        match &self.project {
            None => self.window.as_str().to_string(),
            Some(p) => format!("{} (project {p})", self.window.as_str()),
        }
    }
}

/// Money (micro-dollars) and tokens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub micros: i64,
    pub tokens: i64,
}

impl Totals {
    pub fn plus(self, other: Self) -> Self {
        Self { micros: self.micros + other.micros, tokens: self.tokens + other.tokens }
    }
}

/// Which budgets to look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'a> {
    /// Every budget.
    All,
    /// The budgets a call of this project counts against: the global ones and the project's
    /// own (`""`, no project: the global ones only).
    Project(&'a str),
}
