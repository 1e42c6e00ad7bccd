//! The shared store's schema as an append-only list: entry N takes `devteam_schema.version` from
//! N to N+1. Never edit or reorder a shipped entry; add a new one. Applied under a transaction-
//! scoped advisory lock, so hosts that start at once cannot both migrate.
//!
//! The tables mirror the SQLite store's shared part (`src/store/migrations.rs`) with integer
//! types widened to BIGINT and flags as BOOLEAN. Rows copied from a host's SQLite file by
//! `store migrate` carry `origin` (that file's id) and `origin_id` (its row id there), unique
//! together, so a copy run twice or resumed never counts a row twice.

use anyhow::{Context as _, Result};
use deadpool_postgres::Object;

/// Any fixed key: every devteam migrating this database takes the same lock.
const MIGRATION_LOCK: i64 = 0x6465_7674_6561_6d00;

pub(super) const MIGRATIONS: &[&str] = &[
    // 1: spend, budgets, durable reservations, alerts, overrides, routing decisions, runs,
    // outcomes, A/B tests, counterfactuals, imported log files, and where copied rows came from.
    r#"
    CREATE TABLE calls (
        id BIGSERIAL PRIMARY KEY,
        ts_ms BIGINT NOT NULL,
        source TEXT NOT NULL,
        project TEXT NOT NULL DEFAULT '',
        run_id TEXT,
        subtask_id TEXT,
        task TEXT NOT NULL DEFAULT '',
        agent TEXT NOT NULL DEFAULT '',
        model TEXT NOT NULL,
        tier TEXT NOT NULL DEFAULT '',
        input_tokens BIGINT NOT NULL DEFAULT 0,
        output_tokens BIGINT NOT NULL DEFAULT 0,
        cache_write_5m_tokens BIGINT NOT NULL DEFAULT 0,
        cache_write_1h_tokens BIGINT NOT NULL DEFAULT 0,
        cache_read_tokens BIGINT NOT NULL DEFAULT 0,
        cost_micros BIGINT NOT NULL,
        batch BOOLEAN NOT NULL DEFAULT FALSE,
        latency_ms BIGINT,
        request_id TEXT,
        message_id TEXT,
        session_id TEXT,
        is_sidechain BOOLEAN NOT NULL DEFAULT FALSE,
        outcome TEXT NOT NULL DEFAULT 'ok',
        pending_key TEXT,
        origin TEXT NOT NULL DEFAULT '',
        origin_id BIGINT
    );
    CREATE INDEX calls_ts ON calls (ts_ms);
    CREATE INDEX calls_source_ts ON calls (source, ts_ms);
    CREATE INDEX calls_project_ts ON calls (project, ts_ms);
    CREATE INDEX calls_run ON calls (run_id) WHERE run_id IS NOT NULL;
    CREATE INDEX calls_message ON calls (message_id) WHERE message_id IS NOT NULL;
    CREATE UNIQUE INDEX calls_pending_key ON calls (pending_key) WHERE pending_key IS NOT NULL;
    CREATE UNIQUE INDEX calls_origin ON calls (origin, origin_id) WHERE origin_id IS NOT NULL;
    -- Claude Code logs are read by several hosts (or twice by one): a message is billed once.
    CREATE UNIQUE INDEX calls_claude_message ON calls (message_id, request_id)
        WHERE source = 'claude-code' AND message_id IS NOT NULL AND request_id IS NOT NULL;

    CREATE TABLE call_blocks (
        call_id BIGINT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        tokens BIGINT NOT NULL,
        outcome TEXT NOT NULL
    );
    CREATE INDEX call_blocks_call ON call_blocks (call_id);

    CREATE TABLE budgets (
        id BIGSERIAL PRIMARY KEY,
        project TEXT NOT NULL DEFAULT '',
        "window" TEXT NOT NULL,
        limit_micros BIGINT,
        limit_tokens BIGINT,
        UNIQUE (project, "window")
    );

    -- The one row every budget write locks first (see ledger.rs).
    CREATE TABLE ledger_lock (only_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row));
    INSERT INTO ledger_lock VALUES (TRUE);

    CREATE TABLE reservations (
        id BIGSERIAL PRIMARY KEY,
        created_ms BIGINT NOT NULL,
        expires_ms BIGINT NOT NULL,
        project TEXT NOT NULL DEFAULT '',
        amount_micros BIGINT NOT NULL,
        tokens BIGINT NOT NULL DEFAULT 0,
        pid BIGINT,
        label TEXT NOT NULL DEFAULT '',
        host TEXT NOT NULL DEFAULT '',
        proc_start TEXT NOT NULL DEFAULT '',
        call_json TEXT,
        usage_final BOOLEAN NOT NULL DEFAULT FALSE,
        pending_key TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX reservations_expiry ON reservations (expires_ms);
    CREATE INDEX reservations_pending ON reservations (pending_key);

    CREATE TABLE alerts (
        id BIGSERIAL PRIMARY KEY,
        budget_id BIGINT NOT NULL REFERENCES budgets(id) ON DELETE CASCADE,
        window_start_ms BIGINT NOT NULL,
        threshold_pct SMALLINT NOT NULL,
        ts_ms BIGINT NOT NULL,
        spent_micros BIGINT NOT NULL,
        UNIQUE (budget_id, window_start_ms, threshold_pct)
    );

    CREATE TABLE overrides (
        id BIGSERIAL PRIMARY KEY,
        ts_ms BIGINT NOT NULL,
        kind TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '',
        origin TEXT NOT NULL DEFAULT '',
        origin_id BIGINT
    );
    CREATE UNIQUE INDEX overrides_origin ON overrides (origin, origin_id) WHERE origin_id IS NOT NULL;

    CREATE TABLE routing_decisions (
        id BIGSERIAL PRIMARY KEY,
        ts_ms BIGINT NOT NULL,
        run_id TEXT,
        subtask_id TEXT,
        task TEXT NOT NULL DEFAULT '',
        score DOUBLE PRECISION NOT NULL,
        tier TEXT NOT NULL,
        model TEXT NOT NULL,
        pressure TEXT NOT NULL DEFAULT 'normal',
        features TEXT NOT NULL DEFAULT '[]',
        outcome TEXT NOT NULL DEFAULT '',
        upgraded_to TEXT,
        upgrade_reason TEXT,
        call_id BIGINT REFERENCES calls(id) ON DELETE SET NULL,
        origin TEXT NOT NULL DEFAULT '',
        origin_id BIGINT
    );
    CREATE INDEX routing_decisions_run ON routing_decisions (run_id, subtask_id);
    CREATE INDEX routing_decisions_ts ON routing_decisions (ts_ms);
    CREATE UNIQUE INDEX routing_decisions_origin ON routing_decisions (origin, origin_id) WHERE origin_id IS NOT NULL;

    CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        ts_ms BIGINT NOT NULL,
        task TEXT NOT NULL,
        project TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL,
        planned BOOLEAN NOT NULL DEFAULT FALSE,
        plan TEXT,
        note TEXT NOT NULL DEFAULT '',
        final_output_id BIGINT,
        wall_ms BIGINT,
        cost_micros BIGINT NOT NULL DEFAULT 0
    );
    CREATE INDEX runs_ts ON runs (ts_ms);
    CREATE TABLE outputs (
        id BIGSERIAL PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        subtask_id TEXT,
        text TEXT NOT NULL,
        tokens BIGINT NOT NULL,
        bytes BIGINT NOT NULL,
        origin TEXT NOT NULL DEFAULT '',
        origin_id BIGINT
    );
    CREATE UNIQUE INDEX outputs_origin ON outputs (origin, origin_id) WHERE origin_id IS NOT NULL;
    CREATE TABLE subtasks (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        id TEXT NOT NULL,
        title TEXT NOT NULL,
        agent TEXT NOT NULL,
        depends_on TEXT NOT NULL DEFAULT '[]',
        tier TEXT NOT NULL DEFAULT '',
        model TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL,
        attempts BIGINT NOT NULL DEFAULT 0,
        summary TEXT NOT NULL DEFAULT '',
        summary_tokens BIGINT NOT NULL DEFAULT 0,
        output_id BIGINT REFERENCES outputs(id),
        cost_micros BIGINT NOT NULL DEFAULT 0,
        started_ms BIGINT,
        finished_ms BIGINT,
        error TEXT,
        PRIMARY KEY (run_id, id)
    );
    CREATE TABLE messages (
        id BIGSERIAL PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        from_subtask TEXT NOT NULL,
        to_subtask TEXT NOT NULL,
        summary TEXT NOT NULL,
        summary_tokens BIGINT NOT NULL,
        output_id BIGINT REFERENCES outputs(id),
        origin TEXT NOT NULL DEFAULT '',
        origin_id BIGINT
    );
    CREATE UNIQUE INDEX messages_origin ON messages (origin, origin_id) WHERE origin_id IS NOT NULL;

    CREATE TABLE verdicts (
        id BIGSERIAL PRIMARY KEY,
        run_id TEXT NOT NULL,
        ts_ms BIGINT NOT NULL,
        good BOOLEAN NOT NULL,
        source TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        command TEXT,
        exit_code INTEGER,
        origin TEXT NOT NULL DEFAULT '',
        origin_id BIGINT
    );
    CREATE INDEX verdicts_run ON verdicts (run_id);
    CREATE UNIQUE INDEX verdicts_origin ON verdicts (origin, origin_id) WHERE origin_id IS NOT NULL;
    CREATE TABLE ab_tests (
        name TEXT PRIMARY KEY,
        started_ms BIGINT NOT NULL,
        stopped_ms BIGINT,
        alpha DOUBLE PRECISION NOT NULL,
        variants TEXT NOT NULL
    );
    CREATE TABLE ab_assignments (
        test TEXT NOT NULL REFERENCES ab_tests(name) ON DELETE CASCADE,
        run_id TEXT NOT NULL,
        variant TEXT NOT NULL,
        ts_ms BIGINT NOT NULL,
        PRIMARY KEY (test, run_id)
    );

    CREATE TABLE counterfactuals (
        id BIGSERIAL PRIMARY KEY,
        ts_ms BIGINT NOT NULL,
        project TEXT NOT NULL DEFAULT '',
        run_id TEXT NOT NULL,
        stage TEXT NOT NULL,
        input_tokens BIGINT NOT NULL,
        output_tokens BIGINT NOT NULL,
        origin TEXT NOT NULL DEFAULT '',
        origin_id BIGINT
    );
    CREATE INDEX counterfactuals_ts ON counterfactuals (ts_ms);
    CREATE UNIQUE INDEX counterfactuals_origin ON counterfactuals (origin, origin_id) WHERE origin_id IS NOT NULL;

    -- Claude Code log files read, per host: the same path on two machines is two files.
    CREATE TABLE import_files (
        host TEXT NOT NULL,
        path TEXT NOT NULL,
        source TEXT NOT NULL,
        device BIGINT NOT NULL DEFAULT 0,
        inode BIGINT NOT NULL DEFAULT 0,
        size BIGINT NOT NULL DEFAULT 0,
        "offset" BIGINT NOT NULL DEFAULT 0,
        mtime_ns BIGINT NOT NULL DEFAULT 0,
        lines BIGINT NOT NULL DEFAULT 0,
        skipped_lines BIGINT NOT NULL DEFAULT 0,
        PRIMARY KEY (host, path)
    );

    -- `store migrate`: each local store copied in, and how far (per table) the copy got.
    CREATE TABLE migrated_stores (
        origin TEXT NOT NULL,
        tbl TEXT NOT NULL,
        upto BIGINT NOT NULL,
        PRIMARY KEY (origin, tbl)
    );
    "#,
    // 2: `run` asks when an agent last ran on a model (whether its prompt is worth a cache mark).
    r"
    CREATE INDEX calls_agent_model_ts ON calls (agent, model, ts_ms);
    ",
];

/// Applies the migrations the database lacks, all in one transaction under the migration lock.
pub(super) async fn migrate(client: &Object) -> Result<()> {
    let known = MIGRATIONS.len();
    client
        .batch_execute("CREATE TABLE IF NOT EXISTS devteam_schema (only_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row), version BIGINT NOT NULL)")
        .await
        .context("creating the schema version table")?;
    if version(client).await? == known as i64 {
        return Ok(());
    }
    client.batch_execute("BEGIN").await?;
    let applied = apply(client, known).await;
    let end = if applied.is_ok() { "COMMIT" } else { "ROLLBACK" };
    client.batch_execute(end).await.with_context(|| format!("{end} of the schema migration"))?;
    applied
}

async fn apply(client: &Object, known: usize) -> Result<()> {
    client.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await?;
    let current = version(client).await?;
    super::check_version(current, known)?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        client.batch_execute(sql).await.with_context(|| format!("applying shared-store migration {}", i + 1))?;
    }
    client
        .execute(
            "INSERT INTO devteam_schema (only_row, version) VALUES (TRUE, $1)
             ON CONFLICT (only_row) DO UPDATE SET version = excluded.version",
            &[&(known as i64)],
        )
        .await?;
    Ok(())
}

async fn version(client: &Object) -> Result<i64> {
    let row =
        client.query_opt("SELECT version FROM devteam_schema", &[]).await.context("reading the schema version")?;
    Ok(row.map_or(0, |r| r.get(0)))
}
