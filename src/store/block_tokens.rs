//! Exact sizes of stable prompt blocks: the API's `count_tokens` answer for a block's text on a
//! model, kept by the text's hash so that each block is counted once.

use anyhow::{Context as _, Result};
use rusqlite::{OptionalExtension as _, params};

use super::Db;

impl Db<'_> {
    pub fn block_tokens(&self, model: &str, text_hash: &str) -> Result<Option<u64>> {
        let mut stmt =
            self.conn.prepare_cached("SELECT tokens FROM block_tokens WHERE model = ?1 AND text_hash = ?2")?;
        let tokens: Option<i64> =
            stmt.query_row(params![model, text_hash], |r| r.get(0)).optional().context("reading a block's size")?;
        Ok(tokens.map(|t| t.max(0) as u64))
    }

    pub fn save_block_tokens(&self, model: &str, text_hash: &str, tokens: u64) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO block_tokens (model, text_hash, tokens) VALUES (?1, ?2, ?3)
                 ON CONFLICT (model, text_hash) DO UPDATE SET tokens = excluded.tokens",
                params![model, text_hash, i64::try_from(tokens).unwrap_or(i64::MAX)],
            )
            .context("saving a block's size")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::store::Store;

    #[test]
    fn a_size_is_kept_per_model_and_text() {
        let store = Store::open_in_memory().unwrap();
        let index = store.index();
        assert_eq!(index.block_tokens("m", "h").unwrap(), None);
        index.save_block_tokens("m", "h", 4100).unwrap();
        index.save_block_tokens("m", "h", 4101).unwrap();
        assert_eq!(index.block_tokens("m", "h").unwrap(), Some(4101));
        assert_eq!(index.block_tokens("other", "h").unwrap(), None);
    }
}
