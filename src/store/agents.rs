//! The agent index: libraries, the files seen in each, agents with their cards, and one FTS5
//! table per library for ranking.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use rusqlite::{OptionalExtension, Row, Transaction, TransactionBehavior, params};

use super::Db;
use crate::records::agent::{Agent, AgentSummary, Layout};

/// An indexed library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Library {
    pub id: i64,
    pub root: PathBuf,
    /// Hash of the set of agent ids when last indexed: when it changes, every agent's index
    /// text must be rebuilt (it omits mentions of the others).
    pub id_set_hash: String,
    pub card_max_tokens: usize,
    pub indexed_at: i64,
}

/// A file as last indexed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexedFile {
    pub content_hash: String,
    /// Size and modification time when hashed: when both are unchanged the file is not read.
    pub size: u64,
    pub mtime_ns: i64,
    /// Why it was not indexed, if it was not.
    pub skip_reason: Option<String>,
}

/// One index run's result, written in one transaction.
#[derive(Debug, Default)]
pub struct IndexChanges {
    pub id_set_hash: String,
    pub card_max_tokens: usize,
    pub indexed_at: i64,
    /// Drop every agent first (the id set or card size changed).
    pub rebuild: bool,
    /// New or changed agents.
    pub upserts: Vec<Agent>,
    /// Every agent id the library has now; others are removed.
    pub keep_ids: Vec<String>,
    /// Every file seen now, by relative path.
    pub files: Vec<(String, IndexedFile)>,
}

/// Sizes of an indexed library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LibraryTotals {
    pub agents: usize,
    pub full_tokens: usize,
    pub card_tokens: usize,
    pub card_tokens_sorted: Vec<usize>,
}

/// The two full-text tables of a library. FTS5's bm25() sums column weights into one term
/// frequency and normalises by the whole row's length, so a long body would swamp the short
/// fields that say what an agent is for; each part therefore gets a table of its own, with
/// its own length statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexPart {
    /// Name, description, capabilities and example requests: what the agent is for.
    Profile,
    /// Headings and everything else.
    Body,
}

impl IndexPart {
    pub(super) fn table(self, library: i64) -> String {
        match self {
            Self::Profile => format!("fts_profile_{library}"),
            Self::Body => format!("fts_body_{library}"),
        }
    }

    /// The fields of this part, in the order search weights are given.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Self::Profile => &["name", "description", "capabilities", "examples"],
            Self::Body => &["headings", "body"],
        }
    }

    fn columns(self) -> &'static str {
        match self {
            Self::Profile => "name, description, capabilities, examples",
            Self::Body => "headings, body",
        }
    }
}

/// An FTS5 expression matching any of the terms (each quoted, so no term is read as syntax).
fn any_of(terms: &[String]) -> Option<String> {
    let quoted: Vec<String> = terms.iter().map(|t| format!("\"{}\"", t.replace('"', "\"\""))).collect();
    (!quoted.is_empty()).then(|| quoted.join(" OR "))
}

const PARTS: [IndexPart; 2] = [IndexPart::Profile, IndexPart::Body];

impl Db<'_> {
    /// The library indexed from `root`, if any.
    pub fn library(&self, root: &Path) -> Result<Option<Library>> {
        self.conn
            .query_row(
                "SELECT id, root, id_set_hash, card_max_tokens, indexed_at FROM libraries WHERE root = ?1",
                [root.to_string_lossy()],
                library_from_row,
            )
            .optional()
            .context("reading library")
    }

    /// The library indexed most recently, for commands run without `--agents`.
    pub fn latest_library(&self) -> Result<Option<Library>> {
        self.conn
            .query_row(
                "SELECT id, root, id_set_hash, card_max_tokens, indexed_at FROM libraries ORDER BY indexed_at DESC, id DESC LIMIT 1",
                [],
                library_from_row,
            )
            .optional()
            .context("reading library")
    }

    /// Files of a library as last indexed, by relative path.
    pub fn indexed_files(&self, library: i64) -> Result<HashMap<String, IndexedFile>> {
        let mut stmt = self
            .conn
            .prepare("SELECT rel_path, content_hash, size, mtime_ns, skip_reason FROM files WHERE library_id = ?1")?;
        let rows = stmt.query_map([library], |r| {
            Ok((
                r.get::<_, String>(0)?,
                IndexedFile {
                    content_hash: r.get(1)?,
                    size: r.get::<_, i64>(2)? as u64,
                    mtime_ns: r.get(3)?,
                    skip_reason: r.get(4)?,
                },
            ))
        })?;
        rows.collect::<rusqlite::Result<_>>().context("reading indexed files")
    }

    /// Writes one index run atomically and returns the library.
    pub fn save_index(&self, root: &Path, changes: &IndexChanges) -> Result<Library> {
        // IMMEDIATE: take the write lock up front so concurrent writers queue on the busy
        // timeout instead of failing halfway with SQLITE_BUSY.
        let tx = Transaction::new_unchecked(self.conn, TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO libraries (root, id_set_hash, card_max_tokens, indexed_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (root) DO UPDATE SET id_set_hash = ?2, card_max_tokens = ?3, indexed_at = ?4",
            params![root.to_string_lossy(), changes.id_set_hash, changes.card_max_tokens as i64, changes.indexed_at],
        )?;
        let library: i64 =
            tx.query_row("SELECT id FROM libraries WHERE root = ?1", [root.to_string_lossy()], |r| r.get(0))?;
        for part in PARTS {
            let (fts, columns) = (part.table(library), part.columns());
            tx.execute_batch(&format!(
                "CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({columns}, tokenize = 'porter unicode61 remove_diacritics 2');"
            ))?;
            if changes.rebuild {
                tx.execute(&format!("DELETE FROM {fts}"), [])?;
            }
        }
        if changes.rebuild {
            tx.execute("DELETE FROM agents WHERE library_id = ?1", [library])?;
        }
        remove_agents_not_in(&tx, library, &changes.keep_ids)?;
        for agent in &changes.upserts {
            upsert_agent(&tx, library, agent).with_context(|| format!("storing agent {}", agent.id))?;
        }
        tx.execute("DELETE FROM files WHERE library_id = ?1", [library])?;
        let mut insert = tx.prepare("INSERT INTO files (library_id, rel_path, content_hash, size, mtime_ns, skip_reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?;
        for (rel, file) in &changes.files {
            insert.execute(params![
                library,
                rel,
                file.content_hash,
                file.size as i64,
                file.mtime_ns,
                file.skip_reason
            ])?;
        }
        drop(insert);
        tx.commit().context("committing the index")?;
        self.library(root)?.context("library vanished after indexing")
    }

    /// Full-text search in one part of the index: agent ids with a positive BM25 score
    /// (higher is better), best first. `weights` are per column of that part.
    pub fn search(
        &self,
        library: i64,
        part: IndexPart,
        terms: &[String],
        weights: &[f64],
        limit: usize,
    ) -> Result<Vec<(String, f64)>> {
        if weights.len() != part.fields().len() {
            bail!("{} weights for the {} fields of {part:?}", weights.len(), part.fields().len());
        }
        let Some(match_expr) = any_of(terms) else {
            return Ok(Vec::new());
        };
        let fts = part.table(library);
        let w = weights.iter().map(f64::to_string).collect::<Vec<_>>().join(", ");
        // Rank inside the full-text table first, then join: joining first makes SQLite compute
        // bm25() for every match twice.
        let sql = format!(
            "SELECT a.agent_id, h.score FROM (SELECT rowid AS id, -bm25({fts}, {w}) AS score FROM {fts}
             WHERE {fts} MATCH ?1 ORDER BY score DESC LIMIT ?2) h JOIN agents a ON a.id = h.id ORDER BY h.score DESC"
        );
        super::embeddings::map_reads(self.conn)?;
        let mut stmt = self.conn.prepare_cached(&sql).context("preparing search")?;
        let rows = stmt.query_map(params![match_expr, limit as i64], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>().context("searching the index")
    }

    /// Summaries (cards included) of the given agents, in the order asked.
    pub fn agent_summaries(&self, library: i64, ids: &[String]) -> Result<Vec<AgentSummary>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {SUMMARY_COLUMNS} FROM agents WHERE library_id = ?1 AND agent_id = ?2"))?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(summary) = stmt.query_row(params![library, id], summary_from_row).optional()? {
                out.push(summary);
            }
        }
        Ok(out)
    }

    /// Ids of every agent of a library.
    pub fn agent_ids(&self, library: i64) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("SELECT agent_id FROM agents WHERE library_id = ?1")?;
        let rows = stmt.query_map([library], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>().context("reading agent ids")
    }

    /// Every agent's candidate keywords (before the library-wide filter), by agent id.
    pub fn agent_keywords(&self, library: i64) -> Result<HashMap<String, Vec<String>>> {
        let mut stmt = self.conn.prepare("SELECT agent_id, keywords FROM agents WHERE library_id = ?1")?;
        let rows = stmt.query_map([library], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = HashMap::new();
        for row in rows {
            let (id, json) = row?;
            let keywords = serde_json::from_str(&json).with_context(|| format!("reading agent {id}'s keywords"))?;
            out.insert(id, keywords);
        }
        Ok(out)
    }

    /// Sizes of the library's index.
    pub fn library_totals(&self, library: i64) -> Result<LibraryTotals> {
        let mut stmt = self
            .conn
            .prepare("SELECT full_tokens, card_tokens FROM agents WHERE library_id = ?1 ORDER BY card_tokens")?;
        let rows = stmt.query_map([library], |r| Ok((r.get::<_, i64>(0)? as usize, r.get::<_, i64>(1)? as usize)))?;
        let pairs = rows.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(LibraryTotals {
            agents: pairs.len(),
            full_tokens: pairs.iter().map(|p| p.0).sum(),
            card_tokens: pairs.iter().map(|p| p.1).sum(),
            card_tokens_sorted: pairs.iter().map(|p| p.1).collect(),
        })
    }
}

const SUMMARY_COLUMNS: &str =
    "agent_id, name, description, rel_path, layout, model_hint, tools, card, card_tokens, full_tokens, warnings";

fn summary_from_row(r: &Row<'_>) -> rusqlite::Result<AgentSummary> {
    Ok(AgentSummary {
        id: r.get(0)?,
        name: r.get(1)?,
        description: r.get(2)?,
        rel_path: r.get(3)?,
        layout: Layout::parse(&r.get::<_, String>(4)?).unwrap_or(Layout::Folder),
        model_hint: r.get(5)?,
        tools: json_list(&r.get::<_, String>(6)?),
        card: r.get(7)?,
        card_tokens: r.get::<_, i64>(8)? as usize,
        full_tokens: r.get::<_, i64>(9)? as usize,
        warnings: json_list(&r.get::<_, String>(10)?),
    })
}

fn json_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

fn library_from_row(r: &Row<'_>) -> rusqlite::Result<Library> {
    Ok(Library {
        id: r.get(0)?,
        root: PathBuf::from(r.get::<_, String>(1)?),
        id_set_hash: r.get(2)?,
        card_max_tokens: r.get::<_, i64>(3)? as usize,
        indexed_at: r.get(4)?,
    })
}

fn remove_agents_not_in(tx: &rusqlite::Transaction<'_>, library: i64, keep: &[String]) -> Result<()> {
    let keep: std::collections::HashSet<&str> = keep.iter().map(String::as_str).collect();
    let existing: Vec<(i64, String)> = {
        let mut stmt = tx.prepare("SELECT id, agent_id FROM agents WHERE library_id = ?1")?;
        let rows = stmt.query_map([library], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (rowid, id) in existing.into_iter().filter(|(_, id)| !keep.contains(id.as_str())) {
        delete_agent_row(tx, library, rowid).with_context(|| format!("removing agent {id}"))?;
    }
    Ok(())
}

fn delete_agent_row(tx: &rusqlite::Transaction<'_>, library: i64, rowid: i64) -> Result<()> {
    for part in PARTS {
        tx.execute(&format!("DELETE FROM {} WHERE rowid = ?1", part.table(library)), [rowid])?;
    }
    tx.execute("DELETE FROM agents WHERE id = ?1", [rowid])?;
    Ok(())
}

fn upsert_agent(tx: &rusqlite::Transaction<'_>, library: i64, a: &Agent) -> Result<()> {
    let old: Option<i64> = tx
        .query_row("SELECT id FROM agents WHERE library_id = ?1 AND agent_id = ?2", params![library, a.id], |r| {
            r.get(0)
        })
        .optional()?;
    if let Some(rowid) = old {
        delete_agent_row(tx, library, rowid)?;
    }
    let json = |v: &dyn erased::Json| v.to_json();
    tx.prepare_cached(
        "INSERT INTO agents (library_id, agent_id, rel_path, layout, name, description, tools, model_hint, capabilities,
         keywords, sections, content_hash, full_tokens, card, card_tokens, warnings)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
    )?
    .execute(params![
        library,
        a.id,
        a.rel_path,
        a.layout.as_str(),
        a.name,
        a.description,
        json(&a.tools),
        a.model_hint,
        json(&a.capabilities),
        json(&a.keywords),
        json(&a.sections),
        a.content_hash,
        a.full_tokens as i64,
        a.card,
        a.card_tokens as i64,
        json(&a.warnings),
    ])?;
    let rowid = tx.last_insert_rowid();
    let i = &a.index;
    let profile = IndexPart::Profile;
    tx.prepare_cached(&format!(
        "INSERT INTO {} (rowid, {}) VALUES (?1, ?2, ?3, ?4, ?5)",
        profile.table(library),
        profile.columns()
    ))?
    .execute(params![rowid, i.name, i.description, i.capabilities, i.examples])?;
    let body = IndexPart::Body;
    tx.prepare_cached(&format!("INSERT INTO {} (rowid, {}) VALUES (?1, ?2, ?3)", body.table(library), body.columns()))?
        .execute(params![rowid, i.headings, i.body])?;
    Ok(())
}

/// JSON columns for list-valued fields.
mod erased {
    pub trait Json {
        fn to_json(&self) -> String;
    }
    impl<T: serde::Serialize> Json for T {
        fn to_json(&self) -> String {
            serde_json::to_string(self).unwrap_or_else(|_| "[]".to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::agent::{IndexText, Layout};
    use crate::store::Store;

    #[test]
    fn search_terms_are_quoted() {
        assert_eq!(any_of(&["a\"b".to_string(), "c".to_string()]).unwrap(), "\"a\"\"b\" OR \"c\"");
        assert_eq!(any_of(&[]), None);
    }

    fn agent(id: &str, description: &str) -> Agent {
        Agent {
            id: id.into(),
            rel_path: format!("{id}/CLAUDE.md"),
            layout: Layout::Folder,
            name: id.into(),
            description: description.into(),
            tools: vec!["Read".into()],
            model_hint: None,
            capabilities: vec![],
            keywords: vec![],
            sections: vec![],
            content_hash: "h".into(),
            full_tokens: 1000,
            card: format!("{id}: {description}"),
            card_tokens: 10,
            index: IndexText {
                name: id.replace('-', " "),
                description: description.into(),
                body: "shared words".into(),
                ..IndexText::default()
            },
            warnings: vec![],
        }
    }

    fn changes(agents: Vec<Agent>, rebuild: bool) -> IndexChanges {
        IndexChanges {
            id_set_hash: "x".into(),
            card_max_tokens: 200,
            indexed_at: 1,
            rebuild,
            keep_ids: agents.iter().map(|a| a.id.clone()).collect(),
            files: agents
                .iter()
                .map(|a| {
                    (
                        a.rel_path.clone(),
                        IndexedFile { content_hash: "h".into(), size: 1, mtime_ns: 1, skip_reason: None },
                    )
                })
                .collect(),
            upserts: agents,
        }
    }

    #[test]
    fn index_round_trip_search_and_removal() {
        let store = Store::open_in_memory().unwrap();
        let root = Path::new("/lib");
        let lib = store
            .index()
            .save_index(
                root,
                &changes(vec![agent("db-tuner", "tunes slow sql"), agent("ui-maker", "builds pages")], true),
            )
            .unwrap();
        let hits =
            store.index().search(lib.id, IndexPart::Profile, &["sql".to_string()], &[1.0, 1.0, 1.0, 1.0], 5).unwrap();
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].0, "db-tuner");
        assert!(hits[0].1 > 0.0);
        assert_eq!(store.index().indexed_files(lib.id).unwrap().len(), 2);
        // Dropping an agent removes it from both full-text parts.
        let lib = store.index().save_index(root, &changes(vec![agent("ui-maker", "builds pages")], false)).unwrap();
        assert!(
            store.index().search(lib.id, IndexPart::Profile, &["sql".to_string()], &[1.0; 4], 5).unwrap().is_empty()
        );
        assert_eq!(
            store.index().search(lib.id, IndexPart::Body, &["shared".to_string()], &[1.0; 2], 5).unwrap().len(),
            1
        );
        assert_eq!(store.index().agent_summaries(lib.id, &["ui-maker".into()]).unwrap()[0].card_tokens, 10);
        assert_eq!(store.index().library_totals(lib.id).unwrap().agents, 1);
        assert_eq!(store.index().latest_library().unwrap().unwrap().root, root);
    }
}
