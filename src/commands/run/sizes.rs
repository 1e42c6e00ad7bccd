//! Exact sizes of the library's foundation, from the API's free `count_tokens`.
//!
//! The foundation is extended with the team's directory until it reaches a model's cache
//! minimum (`orchestrator::directory`). Sized by a character estimate, the extension must
//! assume the most characters a token can be, so it overshoots on text that tokenizes densely
//! and falls short, caching nothing, on text that tokenizes sparsely. Counted once per model and
//! text (kept by the text's hash), the extension is sized by the foundation's own characters
//! per token instead. Without a key, or when counting fails, the estimate stands: a count is an
//! improvement, never a reason for a run to fail.

use anyhow::Result;

use crate::commands::Context;
use crate::gateway::{Billing, block_count_request};
use crate::orchestrator::agent_text;
use crate::store::Library;

/// Counts the library's foundation on every tier's model that has no count of it yet.
pub fn count_foundation(ctx: &Context, library: &Library) -> Result<()> {
    let Some(base) = agent_text::foundation(&library.root)? else { return Ok(()) };
    let hash = agent_text::text_hash(&base);
    let (store, prices) = (ctx.store()?, ctx.prices()?);
    let mut missing: Vec<String> = Vec::new();
    for id in prices.tiers().values() {
        if !missing.contains(id) && store.index().block_tokens(id, &hash)?.is_none() {
            missing.push(id.clone());
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    // Nothing is billed or recorded, so no project is charged.
    let Ok(billing) = Billing::open(ctx, "") else { return Ok(()) };
    for id in missing {
        let model = prices.model(&id)?;
        let counted = billing.until_interrupted(async {
            let with = billing.api().count_tokens(&block_count_request(model, Some(&base))).await?;
            let without = billing.api().count_tokens(&block_count_request(model, None)).await?;
            Ok::<u64, crate::api::ApiError>(with.saturating_sub(without))
        });
        match counted {
            None => return Err(crate::error::Interrupted.into()),
            Some(Ok(tokens)) => store.index().save_block_tokens(&id, &hash, tokens)?,
            Some(Err(e)) => ctx.printer.note(&format!("count_tokens for {id} failed ({e}); sizing by estimate")),
        }
    }
    Ok(())
}
