//! Sentence embeddings of agents: a cache of vectors by (model, text hash) and, per library
//! and model, which cached texts stand for each agent.

use anyhow::{Context as _, Result, bail};
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};

use super::Db;
use super::agents::IndexPart;

/// The texts of an agent that get embedded.
#[derive(Debug, Clone)]
pub struct AgentTexts {
    pub id: String,
    pub content_hash: String,
    pub name: String,
    pub description: String,
    /// Headings and body as indexed (sections about other agents left out).
    pub body: String,
}

/// Which cached vectors stand for an agent.
#[derive(Debug, Clone)]
pub struct AgentVectorRow {
    pub id: String,
    pub content_hash: String,
    pub description_hash: String,
    pub body_hash: String,
}

/// Every agent's two vectors, in one contiguous block: agent `i` of `ids` has its description
/// vector at row `2i` and its body vector at row `2i + 1`. `ids` are sorted, so an agent's row
/// is found by binary search without a map of ids.
#[derive(Debug, Clone, Default)]
pub struct VectorMatrix {
    pub ids: Vec<String>,
    /// Floats per vector.
    pub dim: usize,
    pub data: Vec<f32>,
}

impl VectorMatrix {
    /// The row of agent `id`, if it has vectors.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.ids.binary_search_by(|probe| probe.as_str().cmp(id)).ok()
    }

    /// Agent `i`'s description vector.
    pub fn description(&self, i: usize) -> &[f32] {
        &self.data[2 * i * self.dim..(2 * i + 1) * self.dim]
    }

    /// Agent `i`'s body vector.
    pub fn body(&self, i: usize) -> &[f32] {
        &self.data[(2 * i + 1) * self.dim..(2 * i + 2) * self.dim]
    }
}

impl Db<'_> {
    /// Agents of `library` whose vectors under `model` are missing or older than their content.
    pub fn agents_needing_vectors(&self, library: i64, model: &str) -> Result<Vec<AgentTexts>> {
        let body = IndexPart::Body.table(library);
        // Agents to embed first, then their bodies: joining the full-text table first would
        // look up every agent's body, changed or not.
        let sql = format!(
            "WITH todo AS MATERIALIZED (
                SELECT a.id, a.agent_id, a.content_hash, a.name, a.description FROM agents a
                LEFT JOIN agent_vectors v ON v.library_id = a.library_id AND v.model = ?2 AND v.agent_id = a.agent_id
                WHERE a.library_id = ?1 AND (v.agent_id IS NULL OR v.content_hash != a.content_hash))
             SELECT t.agent_id, t.content_hash, t.name, t.description, IFNULL(b.headings, ''), IFNULL(b.body, '')
             FROM todo t LEFT JOIN {body} b ON b.rowid = t.id ORDER BY t.agent_id"
        );
        let mut stmt = self.conn.prepare(&sql).context("preparing the embedding work list")?;
        let rows = stmt.query_map(params![library, model], |r| {
            let headings: String = r.get(4)?;
            let body: String = r.get(5)?;
            Ok(AgentTexts {
                id: r.get(0)?,
                content_hash: r.get(1)?,
                name: r.get(2)?,
                description: r.get(3)?,
                body: if headings.is_empty() { body } else { format!("{headings}\n{body}") },
            })
        })?;
        rows.collect::<rusqlite::Result<_>>().context("reading agents to embed")
    }

    /// The cached vector of a text, if any.
    pub fn cached_vector(&self, model: &str, text_hash: &str) -> Result<Option<Vec<f32>>> {
        let mut stmt = self.conn.prepare_cached("SELECT vector FROM embeddings WHERE model = ?1 AND text_hash = ?2")?;
        let blob: Option<Vec<u8>> =
            stmt.query_row(params![model, text_hash], |r| r.get(0)).optional().context("reading a cached vector")?;
        Ok(blob.map(|b| from_blob(&b)))
    }

    /// Stores new vectors and the agents' rows in one transaction; drops rows of agents the
    /// library no longer has.
    pub fn save_vectors(
        &self,
        library: i64,
        model: &str,
        vectors: &[(String, Vec<f32>)],
        rows: &[AgentVectorRow],
    ) -> Result<()> {
        let tx = Transaction::new_unchecked(self.conn, TransactionBehavior::Immediate)
            .context("starting to save vectors")?;
        {
            let mut put =
                tx.prepare("INSERT OR REPLACE INTO embeddings (model, text_hash, vector) VALUES (?1, ?2, ?3)")?;
            for (hash, v) in vectors {
                put.execute(params![model, hash, to_blob(v)])?;
            }
            let mut row = tx.prepare(
                "INSERT OR REPLACE INTO agent_vectors (library_id, agent_id, model, content_hash, description_hash, body_hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for r in rows {
                row.execute(params![library, r.id, model, r.content_hash, r.description_hash, r.body_hash])?;
            }
            tx.execute(
                "DELETE FROM agent_vectors WHERE library_id = ?1
                 AND agent_id NOT IN (SELECT agent_id FROM agents WHERE library_id = ?1)",
                params![library],
            )?;
        }
        tx.commit().context("saving vectors")
    }

    /// Every agent's vectors under `model`, for agents that have both, in one contiguous
    /// matrix ordered by agent id: one query, blobs decoded straight from SQLite's buffers.
    pub fn agent_vectors(&self, library: i64, model: &str) -> Result<VectorMatrix> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT v.agent_id, d.vector, b.vector FROM agent_vectors v
             JOIN agents a ON a.library_id = v.library_id AND a.agent_id = v.agent_id
             JOIN embeddings d ON d.model = v.model AND d.text_hash = v.description_hash
             JOIN embeddings b ON b.model = v.model AND b.text_hash = v.body_hash
             WHERE v.library_id = ?1 AND v.model = ?2 ORDER BY v.agent_id",
        )?;
        map_reads(self.conn)?;
        // Sized once: growing a matrix of 10,000 agents' vectors by doubling copied it several
        // times over, each copy on freshly faulted pages.
        let count: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM agent_vectors WHERE library_id = ?1 AND model = ?2")?
            .query_row(params![library, model], |r| r.get(0))
            .context("counting agent vectors")?;
        let count = usize::try_from(count).unwrap_or(0);
        let mut rows = stmt.query(params![library, model])?;
        let mut m = VectorMatrix::default();
        while let Some(r) = rows.next().context("reading agent vectors")? {
            let (d, b) = (r.get_ref(1)?.as_blob()?, r.get_ref(2)?.as_blob()?);
            if m.ids.is_empty() {
                m.dim = d.len() / 4;
                m.ids.reserve_exact(count);
                m.data.reserve_exact(count * 2 * m.dim);
            }
            let id: String = r.get(0)?;
            if d.len() != m.dim * 4 || b.len() != m.dim * 4 {
                bail!("agent {id}'s vectors under {model} have {} and {} bytes, not {}", d.len(), b.len(), m.dim * 4);
            }
            m.ids.push(id);
            extend_from_blob(&mut m.data, d);
            extend_from_blob(&mut m.data, b);
        }
        Ok(m)
    }
}

/// Reads through a memory map: a vector is larger than a B-tree cell holds, so each one
/// continues on an overflow page, and reading thousands of pages by `pread` costs more than
/// the ranking itself.
pub(super) fn map_reads(conn: &rusqlite::Connection) -> Result<()> {
    conn.pragma_update(None, "mmap_size", 1_i64 << 32).context("mapping the store for reads")
}

/// Little-endian float32s.
fn to_blob(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn from_blob(b: &[u8]) -> Vec<f32> {
    b.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
}

fn extend_from_blob(out: &mut Vec<f32>, b: &[u8]) {
    out.extend(b.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])));
}
