//! Stored project contexts.

use std::path::Path;

use anyhow::{Context as _, Result};
use rusqlite::{OptionalExtension, params};

use super::Db;
use crate::records::project::ProjectContext;

impl Db<'_> {
    /// The context last built for a project root, if any.
    pub fn project_context(&self, root: &Path) -> Result<Option<ProjectContext>> {
        self.conn
            .query_row(
                "SELECT hash, text, tokens, sources FROM project_contexts WHERE root = ?1",
                [root.to_string_lossy()],
                |r| {
                    Ok(ProjectContext {
                        root: root.to_path_buf(),
                        hash: r.get(0)?,
                        text: r.get(1)?,
                        tokens: r.get::<_, i64>(2)? as usize,
                        sources: serde_json::from_str(&r.get::<_, String>(3)?).unwrap_or_default(),
                    })
                },
            )
            .optional()
            .context("reading project context")
    }

    /// Stores (replaces) a project's context.
    pub fn save_project_context(&self, ctx: &ProjectContext) -> Result<()> {
        let sources = serde_json::to_string(&ctx.sources)?;
        let now = jiff::Timestamp::now().as_millisecond();
        self.conn
            .execute(
                "INSERT INTO project_contexts (root, hash, text, tokens, sources, built_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (root) DO UPDATE SET hash = ?2, text = ?3, tokens = ?4, sources = ?5, built_ms = ?6",
                params![ctx.root.to_string_lossy(), ctx.hash, ctx.text, ctx.tokens as i64, sources, now],
            )
            .context("storing project context")?;
        Ok(())
    }
}
