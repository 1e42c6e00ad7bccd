//! The store's schema as an append-only list: entry N takes `PRAGMA user_version` from N to
//! N+1. Never edit or reorder a shipped entry; add a new one.

/// Every migration, oldest first.
pub const MIGRATIONS: &[&str] = &[
    // 1: the agent index. Full-text tables are per library (`fts_profile_<id>`, `fts_body_<id>`) and are created by
    // the store on demand, so BM25 statistics never mix two libraries.
    r"
    CREATE TABLE libraries (
        id INTEGER PRIMARY KEY,
        root TEXT NOT NULL UNIQUE,
        id_set_hash TEXT NOT NULL DEFAULT '',
        card_max_tokens INTEGER NOT NULL DEFAULT 0,
        indexed_at INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE files (
        library_id INTEGER NOT NULL REFERENCES libraries(id) ON DELETE CASCADE,
        rel_path TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        skip_reason TEXT,
        PRIMARY KEY (library_id, rel_path)
    ) WITHOUT ROWID;
    CREATE TABLE agents (
        id INTEGER PRIMARY KEY,
        library_id INTEGER NOT NULL REFERENCES libraries(id) ON DELETE CASCADE,
        agent_id TEXT NOT NULL,
        rel_path TEXT NOT NULL,
        layout TEXT NOT NULL,
        name TEXT NOT NULL,
        description TEXT NOT NULL,
        tools TEXT NOT NULL,
        model_hint TEXT,
        capabilities TEXT NOT NULL,
        keywords TEXT NOT NULL,
        sections TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        full_tokens INTEGER NOT NULL,
        card TEXT NOT NULL,
        card_tokens INTEGER NOT NULL,
        warnings TEXT NOT NULL,
        UNIQUE (library_id, agent_id)
    );
    ",
    // 2: spend. One row per billed API call, from devteam itself or imported from Claude Code's
    // logs; budgets, the reservations that make them race-free, alerts sent, and the router's
    // decisions. Money is stored in micro-dollars (integers) so sums are exact.
    r"
    CREATE TABLE calls (
        id INTEGER PRIMARY KEY,
        ts_ms INTEGER NOT NULL,
        source TEXT NOT NULL,
        project TEXT NOT NULL DEFAULT '',
        run_id TEXT,
        subtask_id TEXT,
        task TEXT NOT NULL DEFAULT '',
        agent TEXT NOT NULL DEFAULT '',
        model TEXT NOT NULL,
        tier TEXT NOT NULL DEFAULT '',
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        cache_write_5m_tokens INTEGER NOT NULL DEFAULT 0,
        cache_write_1h_tokens INTEGER NOT NULL DEFAULT 0,
        cache_read_tokens INTEGER NOT NULL DEFAULT 0,
        cost_micros INTEGER NOT NULL,
        batch INTEGER NOT NULL DEFAULT 0,
        latency_ms INTEGER,
        request_id TEXT,
        message_id TEXT,
        session_id TEXT,
        is_sidechain INTEGER NOT NULL DEFAULT 0,
        outcome TEXT NOT NULL DEFAULT 'ok'
    );
    CREATE INDEX calls_ts ON calls (ts_ms);
    CREATE INDEX calls_source_ts ON calls (source, ts_ms);
    CREATE INDEX calls_project_ts ON calls (project, ts_ms);
    CREATE INDEX calls_message ON calls (message_id) WHERE message_id IS NOT NULL;

    CREATE TABLE import_files (
        path TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        device INTEGER NOT NULL DEFAULT 0,
        inode INTEGER NOT NULL DEFAULT 0,
        size INTEGER NOT NULL DEFAULT 0,
        offset INTEGER NOT NULL DEFAULT 0,
        mtime_ns INTEGER NOT NULL DEFAULT 0,
        lines INTEGER NOT NULL DEFAULT 0,
        skipped_lines INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;

    CREATE TABLE budgets (
        id INTEGER PRIMARY KEY,
        project TEXT NOT NULL DEFAULT '',
        window TEXT NOT NULL,
        limit_micros INTEGER,
        limit_tokens INTEGER,
        UNIQUE (project, window)
    );

    CREATE TABLE reservations (
        id INTEGER PRIMARY KEY,
        created_ms INTEGER NOT NULL,
        expires_ms INTEGER NOT NULL,
        project TEXT NOT NULL DEFAULT '',
        amount_micros INTEGER NOT NULL,
        tokens INTEGER NOT NULL DEFAULT 0,
        pid INTEGER,
        label TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX reservations_expiry ON reservations (expires_ms);

    CREATE TABLE alerts (
        id INTEGER PRIMARY KEY,
        budget_id INTEGER NOT NULL REFERENCES budgets(id) ON DELETE CASCADE,
        window_start_ms INTEGER NOT NULL,
        threshold_pct INTEGER NOT NULL,
        ts_ms INTEGER NOT NULL,
        spent_micros INTEGER NOT NULL,
        UNIQUE (budget_id, window_start_ms, threshold_pct)
    );

    CREATE TABLE overrides (
        id INTEGER PRIMARY KEY,
        ts_ms INTEGER NOT NULL,
        kind TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT ''
    );

    CREATE TABLE routing_decisions (
        id INTEGER PRIMARY KEY,
        ts_ms INTEGER NOT NULL,
        run_id TEXT,
        task TEXT NOT NULL DEFAULT '',
        score REAL NOT NULL,
        tier TEXT NOT NULL,
        model TEXT NOT NULL,
        pressure TEXT NOT NULL DEFAULT 'normal',
        features TEXT NOT NULL DEFAULT '[]',
        outcome TEXT NOT NULL DEFAULT '',
        upgraded_to TEXT,
        call_id INTEGER REFERENCES calls(id) ON DELETE SET NULL
    );
    ",
    // 3: the shared project context, rebuilt only when one of its sources changes.
    r"
    CREATE TABLE project_contexts (
        root TEXT PRIMARY KEY,
        hash TEXT NOT NULL,
        text TEXT NOT NULL,
        tokens INTEGER NOT NULL,
        sources TEXT NOT NULL,
        built_ms INTEGER NOT NULL
    ) WITHOUT ROWID;
    ",
    // 4: orchestrated runs. Full outputs live in `outputs` and are read only by reference;
    // listings read summaries.
    r"
    CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        ts_ms INTEGER NOT NULL,
        task TEXT NOT NULL,
        project TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL,
        planned INTEGER NOT NULL DEFAULT 0,
        plan TEXT,
        note TEXT NOT NULL DEFAULT '',
        final_output_id INTEGER,
        wall_ms INTEGER,
        cost_micros INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
    CREATE INDEX runs_ts ON runs (ts_ms);
    CREATE TABLE outputs (
        id INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        subtask_id TEXT,
        text TEXT NOT NULL,
        tokens INTEGER NOT NULL,
        bytes INTEGER NOT NULL
    );
    CREATE TABLE subtasks (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        id TEXT NOT NULL,
        title TEXT NOT NULL,
        agent TEXT NOT NULL,
        depends_on TEXT NOT NULL DEFAULT '[]',
        tier TEXT NOT NULL DEFAULT '',
        model TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        summary TEXT NOT NULL DEFAULT '',
        summary_tokens INTEGER NOT NULL DEFAULT 0,
        output_id INTEGER REFERENCES outputs(id),
        cost_micros INTEGER NOT NULL DEFAULT 0,
        started_ms INTEGER,
        finished_ms INTEGER,
        error TEXT,
        PRIMARY KEY (run_id, id)
    ) WITHOUT ROWID;
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        from_subtask TEXT NOT NULL,
        to_subtask TEXT NOT NULL,
        summary TEXT NOT NULL,
        summary_tokens INTEGER NOT NULL,
        output_id INTEGER REFERENCES outputs(id)
    );
    ",
    // 5: where each call's prompt came from the cache, by block kind (foundation, project,
    // agent static part, ...), derived from the usage the API reported.
    r"
    CREATE TABLE call_blocks (
        call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        tokens INTEGER NOT NULL,
        outcome TEXT NOT NULL
    );
    CREATE INDEX call_blocks_call ON call_blocks (call_id);
    ",
    // 6: a rollup of calls per 15-minute slot, source, model and project, so that daily reports in any time zone
    // read a few thousand rows instead of every call (every UTC offset in use is a whole number of 15-minute
    // slots). Calls up to `rollup_state.calls_upto` are folded in; newer ones are added on the fly by reports
    // and folded by the next import, or by a report that finds many (a trigger per insert would cost more
    // than the insert itself). Updates and deletes of folded calls keep the rollup right through triggers.
    r"
    CREATE TABLE call_buckets (
        source TEXT NOT NULL,
        bucket INTEGER NOT NULL,
        model TEXT NOT NULL,
        project TEXT NOT NULL,
        calls INTEGER NOT NULL DEFAULT 0,
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        cache_write_5m_tokens INTEGER NOT NULL DEFAULT 0,
        cache_write_1h_tokens INTEGER NOT NULL DEFAULT 0,
        cache_read_tokens INTEGER NOT NULL DEFAULT 0,
        cost_micros INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (source, bucket, model, project)
    ) WITHOUT ROWID;

    CREATE TABLE rollup_state (
        only INTEGER PRIMARY KEY CHECK (only = 1),
        calls_upto INTEGER NOT NULL
    );

    INSERT INTO call_buckets
    SELECT source, ts_ms / 900000, model, project, COUNT(*), SUM(input_tokens), SUM(output_tokens),
           SUM(cache_write_5m_tokens), SUM(cache_write_1h_tokens), SUM(cache_read_tokens), SUM(cost_micros)
    FROM calls GROUP BY 1, 2, 3, 4;
    INSERT INTO rollup_state VALUES (1, (SELECT IFNULL(MAX(id), 0) FROM calls));

    CREATE TRIGGER calls_bucket_remove AFTER DELETE ON calls
    WHEN OLD.id <= (SELECT calls_upto FROM rollup_state) BEGIN
        UPDATE call_buckets SET calls = calls - 1,
            input_tokens = input_tokens - OLD.input_tokens,
            output_tokens = output_tokens - OLD.output_tokens,
            cache_write_5m_tokens = cache_write_5m_tokens - OLD.cache_write_5m_tokens,
            cache_write_1h_tokens = cache_write_1h_tokens - OLD.cache_write_1h_tokens,
            cache_read_tokens = cache_read_tokens - OLD.cache_read_tokens,
            cost_micros = cost_micros - OLD.cost_micros
        WHERE source = OLD.source AND bucket = OLD.ts_ms / 900000 AND model = OLD.model AND project = OLD.project;
        -- Deleting the newest call lets SQLite hand its id out again: keep the mark below any reusable id.
        UPDATE rollup_state SET calls_upto = MIN(calls_upto, (SELECT IFNULL(MAX(id), 0) FROM calls));
    END;

    CREATE TRIGGER calls_bucket_change AFTER UPDATE OF ts_ms, source, model, project, input_tokens, output_tokens,
        cache_write_5m_tokens, cache_write_1h_tokens, cache_read_tokens, cost_micros ON calls
    WHEN OLD.id <= (SELECT calls_upto FROM rollup_state) BEGIN
        UPDATE call_buckets SET calls = calls - 1,
            input_tokens = input_tokens - OLD.input_tokens,
            output_tokens = output_tokens - OLD.output_tokens,
            cache_write_5m_tokens = cache_write_5m_tokens - OLD.cache_write_5m_tokens,
            cache_write_1h_tokens = cache_write_1h_tokens - OLD.cache_write_1h_tokens,
            cache_read_tokens = cache_read_tokens - OLD.cache_read_tokens,
            cost_micros = cost_micros - OLD.cost_micros
        WHERE source = OLD.source AND bucket = OLD.ts_ms / 900000 AND model = OLD.model AND project = OLD.project;
        INSERT INTO call_buckets VALUES (NEW.source, NEW.ts_ms / 900000, NEW.model, NEW.project, 1,
            NEW.input_tokens, NEW.output_tokens, NEW.cache_write_5m_tokens, NEW.cache_write_1h_tokens,
            NEW.cache_read_tokens, NEW.cost_micros)
        ON CONFLICT DO UPDATE SET calls = calls + 1,
            input_tokens = input_tokens + excluded.input_tokens,
            output_tokens = output_tokens + excluded.output_tokens,
            cache_write_5m_tokens = cache_write_5m_tokens + excluded.cache_write_5m_tokens,
            cache_write_1h_tokens = cache_write_1h_tokens + excluded.cache_write_1h_tokens,
            cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens,
            cost_micros = cost_micros + excluded.cost_micros;
    END;
    ",
    // 7: durable in-flight calls. A reservation is also the pending record of its call: which process holds it
    // (`host`, `proc_start` tell a dead process from a live one), the call as it will be recorded (`call_json`,
    // updated with the API's usage as soon as `message_start` arrives, `usage_final` once the last delta has),
    // so a crash between billing and settling is turned into a charge by the next process that opens the store.
    // `calls.pending_key` ties a charge made that way to its reservation, so a late settle corrects it in place.
    r"
    ALTER TABLE reservations ADD COLUMN host TEXT NOT NULL DEFAULT '';
    ALTER TABLE reservations ADD COLUMN proc_start TEXT NOT NULL DEFAULT '';
    ALTER TABLE reservations ADD COLUMN call_json TEXT;
    ALTER TABLE reservations ADD COLUMN usage_final INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE reservations ADD COLUMN pending_key TEXT NOT NULL DEFAULT '';
    ALTER TABLE calls ADD COLUMN pending_key TEXT;
    CREATE INDEX calls_pending_key ON calls (pending_key) WHERE pending_key IS NOT NULL;
    ",
    // 8: learning from outcomes (issue 15). Why a routed call was upgraded; verdicts a person or a
    // `run --check` command gives a run afterwards; A/B tests and which variant each run was assigned.
    r"
    ALTER TABLE routing_decisions ADD COLUMN upgrade_reason TEXT;
    CREATE INDEX routing_decisions_run ON routing_decisions (run_id);
    CREATE INDEX routing_decisions_ts ON routing_decisions (ts_ms);
    CREATE TABLE verdicts (
        id INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL,
        ts_ms INTEGER NOT NULL,
        good INTEGER NOT NULL,
        source TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        command TEXT,
        exit_code INTEGER
    );
    CREATE INDEX verdicts_run ON verdicts (run_id);
    CREATE TABLE ab_tests (
        name TEXT PRIMARY KEY,
        started_ms INTEGER NOT NULL,
        stopped_ms INTEGER,
        alpha REAL NOT NULL,
        variants TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE ab_assignments (
        test TEXT NOT NULL REFERENCES ab_tests(name) ON DELETE CASCADE,
        run_id TEXT NOT NULL,
        variant TEXT NOT NULL,
        ts_ms INTEGER NOT NULL,
        PRIMARY KEY (test, run_id)
    ) WITHOUT ROWID;
    ",
    // 9: routing decisions of planned subtasks name their subtask (with `run_id`, the link to `subtasks`).
    r"
    ALTER TABLE routing_decisions ADD COLUMN subtask_id TEXT;
    CREATE INDEX routing_decisions_subtask ON routing_decisions (run_id, subtask_id);
    ",
    // 10: what the unoptimized system would have sent where devteam sent nothing at all: per run, the
    // discovery call that loads the whole library as written (Sonnet, no cache), in tokens calibrated
    // against the API's own count of the run's first call. Savings reports price it.
    r"
    CREATE TABLE counterfactuals (
        id INTEGER PRIMARY KEY,
        ts_ms INTEGER NOT NULL,
        project TEXT NOT NULL DEFAULT '',
        run_id TEXT NOT NULL,
        stage TEXT NOT NULL,
        input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL
    );
    CREATE INDEX counterfactuals_ts ON counterfactuals (ts_ms);
    ",
    // 11: sentence embeddings. `embeddings` is a cache keyed by model and the hash of the text
    // embedded, so re-indexing unchanged text never embeds it again; `agent_vectors` says which
    // texts stand for each agent (its description and its body) under a model.
    r"
    CREATE TABLE embeddings (
        model TEXT NOT NULL,
        text_hash TEXT NOT NULL,
        vector BLOB NOT NULL,
        PRIMARY KEY (model, text_hash)
    ) WITHOUT ROWID;
    CREATE TABLE agent_vectors (
        library_id INTEGER NOT NULL REFERENCES libraries(id) ON DELETE CASCADE,
        agent_id TEXT NOT NULL,
        model TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        description_hash TEXT NOT NULL,
        body_hash TEXT NOT NULL,
        PRIMARY KEY (library_id, model, agent_id)
    ) WITHOUT ROWID;
    ",
    // 12: this store's identity, made once: `store migrate` tags every row it copies into a shared
    // store with it, so copying twice (or from several hosts) never counts a row twice.
    r"
    CREATE TABLE store_identity (
        only INTEGER PRIMARY KEY CHECK (only = 1),
        id TEXT NOT NULL
    );
    INSERT INTO store_identity VALUES (1, lower(hex(randomblob(16))));
    ",
    // 13: `run` asks when an agent last ran on a model (whether its prompt is worth a cache mark).
    r"
    CREATE INDEX calls_agent_model_ts ON calls (agent, model, ts_ms);
    ",
    // 14: exact sizes of stable prompt blocks, from the API's count_tokens, by model and the hash
    // of the text: counted once, they size the blocks that must reach a model's cache minimum.
    r"
    CREATE TABLE block_tokens (
        model TEXT NOT NULL,
        text_hash TEXT NOT NULL,
        tokens INTEGER NOT NULL,
        PRIMARY KEY (model, text_hash)
    ) WITHOUT ROWID;
    ",
];
