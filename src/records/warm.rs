//! Past calls as the cache-warming planner reads them.

/// One past call, as the planner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastCall {
    pub ts_ms: i64,
    pub agent: String,
    pub model: String,
    /// A warm-up: it keeps entries alive, but it is not usage to predict from.
    pub warm_up: bool,
}
