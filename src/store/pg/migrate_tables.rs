//! What `store migrate` copies: each table's columns and how its rows merge on the server.

#[derive(Debug, Clone, Copy)]
pub(super) enum Kind {
    Int,
    Bool,
    Real,
    Text,
    /// A local id of a row of that table, mapped to its id on the server through `origin_id`.
    Ref(&'static str),
}

/// A table to copy: its columns (the local row id is `origin_id` when `by_rowid`).
pub(super) struct Table {
    pub(super) name: &'static str,
    pub(super) cols: &'static [(&'static str, Kind)],
    /// Paged by rowid and tagged with origin; otherwise (tables keyed by name) copied whole,
    /// idempotent through their natural key.
    pub(super) by_rowid: bool,
    /// Whether the server's table has `origin`/`origin_id` (call blocks have none: a batch of
    /// them commits with its progress, and they are only ever read through their call).
    pub(super) tagged: bool,
    /// A column that must map (a reference to a row the server refused as a duplicate skips
    /// the row that refers to it).
    pub(super) required: Option<&'static str>,
    pub(super) conflict: &'static str,
}

pub(super) use Kind::{Bool, Int, Real, Ref, Text};

pub(super) const TABLES: &[Table] = &[
    Table {
        name: "calls",
        cols: &[
            ("ts_ms", Int),
            ("source", Text),
            ("project", Text),
            ("run_id", Text),
            ("subtask_id", Text),
            ("task", Text),
            ("agent", Text),
            ("model", Text),
            ("tier", Text),
            ("input_tokens", Int),
            ("output_tokens", Int),
            ("cache_write_5m_tokens", Int),
            ("cache_write_1h_tokens", Int),
            ("cache_read_tokens", Int),
            ("cost_micros", Int),
            ("batch", Bool),
            ("latency_ms", Int),
            ("request_id", Text),
            ("message_id", Text),
            ("session_id", Text),
            ("is_sidechain", Bool),
            ("outcome", Text),
            ("pending_key", Text),
        ],
        by_rowid: true,
        tagged: true,
        required: None,
        conflict: "ON CONFLICT DO NOTHING",
    },
    Table {
        name: "call_blocks",
        cols: &[("call_id", Ref("calls")), ("kind", Text), ("tokens", Int), ("outcome", Text)],
        by_rowid: true,
        tagged: false,
        required: Some("call_id"),
        conflict: "",
    },
    Table {
        name: "overrides",
        cols: &[("ts_ms", Int), ("kind", Text), ("detail", Text)],
        by_rowid: true,
        tagged: true,
        required: None,
        conflict: "ON CONFLICT DO NOTHING",
    },
    Table {
        name: "budgets",
        cols: &[("project", Text), ("window", Text), ("limit_micros", Int), ("limit_tokens", Int)],
        by_rowid: false,
        tagged: false,
        required: None,
        // A budget the team already set on the server wins over a host's local one.
        conflict: "ON CONFLICT DO NOTHING",
    },
    Table {
        name: "runs",
        cols: &[
            ("id", Text),
            ("ts_ms", Int),
            ("task", Text),
            ("project", Text),
            ("status", Text),
            ("planned", Bool),
            ("plan", Text),
            ("note", Text),
            ("wall_ms", Int),
            ("cost_micros", Int),
        ],
        by_rowid: false,
        tagged: false,
        required: None,
        conflict: "ON CONFLICT DO NOTHING",
    },
    Table {
        name: "outputs",
        cols: &[("run_id", Text), ("subtask_id", Text), ("text", Text), ("tokens", Int), ("bytes", Int)],
        by_rowid: true,
        tagged: true,
        required: None,
        conflict: "ON CONFLICT DO NOTHING",
    },
    Table {
        name: "subtasks",
        cols: &[
            ("run_id", Text),
            ("id", Text),
            ("title", Text),
            ("agent", Text),
            ("depends_on", Text),
            ("tier", Text),
            ("model", Text),
            ("status", Text),
            ("attempts", Int),
            ("summary", Text),
            ("summary_tokens", Int),
            ("output_id", Ref("outputs")),
            ("cost_micros", Int),
            ("started_ms", Int),
            ("finished_ms", Int),
            ("error", Text),
        ],
        by_rowid: false,
        tagged: false,
        required: None,
        conflict: "ON CONFLICT DO NOTHING",
    },
    Table {
        name: "messages",
        cols: &[
            ("run_id", Text),
            ("from_subtask", Text),
            ("to_subtask", Text),
            ("summary", Text),
            ("summary_tokens", Int),
            ("output_id", Ref("outputs")),
        ],
        by_rowid: true,
        tagged: true,
        required: None,
        conflict: "ON CONFLICT DO NOTHING",
    },
    Table {
        name: "routing_decisions",
        cols: &[
            ("ts_ms", Int),
            ("run_id", Text),
            ("subtask_id", Text),
            ("task", Text),
            ("score", Real),
            ("tier", Text),
            ("model", Text),
            ("pressure", Text),
            ("features", Text),
            ("outcome", Text),
            ("upgraded_to", Text),
            ("upgrade_reason", Text),
            ("call_id", Ref("calls")),
        ],
        by_rowid: true,
        tagged: true,
        required: None,
        conflict: "ON CONFLICT DO NOTHING",
    },
    Table {
        name: "verdicts",
        cols: &[
            ("run_id", Text),
            ("ts_ms", Int),
            ("good", Bool),
            ("source", Text),
            ("note", Text),
            ("command", Text),
            ("exit_code", Int),
        ],
        by_rowid: true,
        tagged: true,
        required: None,
        conflict: "ON CONFLICT DO NOTHING",
    },
    Table {
        name: "ab_tests",
        cols: &[("name", Text), ("started_ms", Int), ("stopped_ms", Int), ("alpha", Real), ("variants", Text)],
        by_rowid: false,
        tagged: false,
        required: None,
        conflict: "ON CONFLICT DO NOTHING",
    },
    Table {
        name: "ab_assignments",
        cols: &[("test", Text), ("run_id", Text), ("variant", Text), ("ts_ms", Int)],
        by_rowid: false,
        tagged: false,
        required: None,
        conflict: "ON CONFLICT DO NOTHING",
    },
    Table {
        name: "counterfactuals",
        cols: &[
            ("ts_ms", Int),
            ("project", Text),
            ("run_id", Text),
            ("stage", Text),
            ("input_tokens", Int),
            ("output_tokens", Int),
        ],
        by_rowid: true,
        tagged: true,
        required: None,
        conflict: "ON CONFLICT DO NOTHING",
    },
];

/// A table copied whole after the others, through SQL of its own on both sides (it is small:
/// alerts are per budget window, import progress per log file).
pub(super) struct SideTable {
    pub(super) name: &'static str,
    pub(super) local_select: &'static str,
    pub(super) cols: &'static [(&'static str, Kind)],
    /// From the staging table `v`; `$1` is this host's name.
    pub(super) insert: &'static str,
}

pub(super) const SIDE_TABLES: &[SideTable] = &[
    SideTable {
        // Alerts name their budget by local id: map it through the budget's (project, window),
        // which is how budgets merge. One alert per threshold per window across all hosts.
        name: "alerts",
        local_select: r#"SELECT b.project, b."window", a.window_start_ms, a.threshold_pct, a.ts_ms, a.spent_micros
                       FROM alerts a JOIN budgets b ON b.id = a.budget_id ORDER BY a.id"#,
        cols: &[
            ("project", Text),
            ("window", Text),
            ("window_start_ms", Int),
            ("threshold_pct", Int),
            ("ts_ms", Int),
            ("spent_micros", Int),
        ],
        insert: r#"INSERT INTO alerts (budget_id, window_start_ms, threshold_pct, ts_ms, spent_micros)
                   SELECT b.id, v.window_start_ms, v.threshold_pct::SMALLINT, v.ts_ms, v.spent_micros
                   FROM {stage} v JOIN budgets b ON b.project = v.project AND b."window" = v."window"
                   WHERE $1::TEXT IS NOT NULL
                   ON CONFLICT DO NOTHING"#,
    },
    SideTable {
        // How far this host read each Claude Code log, so its next import against the shared
        // store goes on from there. Progress the server already has for this host wins.
        name: "import_files",
        local_select: r#"SELECT path, source, device, inode, size, "offset", mtime_ns, lines, skipped_lines
                       FROM import_files ORDER BY path"#,
        cols: &[
            ("path", Text),
            ("source", Text),
            ("device", Int),
            ("inode", Int),
            ("size", Int),
            ("offset", Int),
            ("mtime_ns", Int),
            ("lines", Int),
            ("skipped_lines", Int),
        ],
        insert: r#"INSERT INTO import_files (host, path, source, device, inode, size, "offset", mtime_ns, lines, skipped_lines)
                   SELECT $1::TEXT, v.path, v.source, v.device, v.inode, v.size, v."offset", v.mtime_ns, v.lines, v.skipped_lines
                   FROM {stage} v
                   ON CONFLICT (host, path) DO NOTHING"#,
    },
];
