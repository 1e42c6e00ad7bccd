//! Exact sizes of the shared blocks (the library's foundation, the project's context), from the
//! API's free `count_tokens`.
//!
//! The foundation is extended with the team's directory until it reaches a model's cache
//! minimum (`orchestrator::directory`). Sized by a character estimate, the extension must
//! assume the most characters a token can be, so it overshoots on text that tokenizes densely
//! and falls short, caching nothing, on text that tokenizes sparsely. Counted once per model and
//! text (kept by the text's hash), the extension is sized by the foundation's own characters
//! per token instead; likewise the project's context, extended with the project's files where
//! the foundation and the context together fall short of a minimum (`project::reach`). Without
//! a key, or when counting fails, the estimate stands: a count is an improvement, never a
//! reason for a run to fail.

use anyhow::Result;

use crate::commands::Context;
use crate::gateway::{Billing, block_count_request};
use crate::orchestrator::agent_text;

/// Counts each block on every tier's model that has no count of it yet: the block in a request
/// less the same request without it, so the count is the block's own.
pub fn count_blocks(ctx: &Context, blocks: &[&str]) -> Result<()> {
    let (store, prices) = (ctx.store()?, ctx.prices()?);
    let mut missing: Vec<(String, &str, String)> = Vec::new();
    for block in blocks.iter().filter(|b| !b.trim().is_empty()) {
        let hash = agent_text::text_hash(block);
        for id in prices.tiers().values() {
            let listed = missing.iter().any(|(m, _, h)| m == id && *h == hash);
            if !listed && store.index().block_tokens(id, &hash)?.is_none() {
                missing.push((id.clone(), block, hash.clone()));
            }
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    // Nothing is billed or recorded, so no project is charged.
    let Ok(billing) = Billing::open(ctx, "") else { return Ok(()) };
    // The request without a block is the same for every block: counted once per model, and
    // kept under the empty text's hash.
    let empty = agent_text::text_hash("");
    for (id, block, hash) in missing {
        let model = prices.model(&id)?;
        let known = store.index().block_tokens(&id, &empty)?;
        let counted = billing.until_interrupted(async {
            let with = billing.api().count_tokens(&block_count_request(model, Some(block))).await?;
            let without = match known {
                Some(n) => n,
                None => billing.api().count_tokens(&block_count_request(model, None)).await?,
            };
            Ok::<(u64, u64), crate::api::ApiError>((with, without))
        });
        match counted {
            None => return Err(crate::error::Interrupted.into()),
            Some(Ok((with, without))) => {
                if known.is_none() {
                    store.index().save_block_tokens(&id, &empty, without)?;
                }
                store.index().save_block_tokens(&id, &hash, with.saturating_sub(without))?;
            }
            Some(Err(e)) => ctx.printer.note(&format!("count_tokens for {id} failed ({e}); sizing by estimate")),
        }
    }
    Ok(())
}
