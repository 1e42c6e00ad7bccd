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
];
