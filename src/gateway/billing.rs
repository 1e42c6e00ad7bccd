//! One way to make billed calls. [`Billing::open`] builds what every command that spends money
//! needs, the same way each time: the API client, a store handle (opening the store recovers
//! the calls of processes that died), the tokio runtime, and the run's project, which every
//! call is recorded under and charged to. [`Billing::gateway`] adds the budget guard and the
//! clock; [`Billing::until_interrupted`] runs the calls with Ctrl-C and SIGTERM handled, so that
//! an interrupted command records what was billed before it stops.

use std::future::Future;

use anyhow::{Context as _, Result};

use super::{Gateway, TextSink};
use crate::api::{ApiClient, ApiError};
use crate::context::Context;
use crate::error::UserError;
use crate::store::Store;

/// The client, store, runtime and project of a command's billed calls.
pub struct Billing<'c> {
    ctx: &'c Context,
    api: ApiClient,
    store: Store,
    runtime: tokio::runtime::Runtime,
    project: String,
}

/// The API client could not be built (no key, a bad base URL): the one failure each command
/// words its own way (a run suggests `--dry-run`, a rerank falls back to the local ranking).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct NoClient(pub ApiError);

impl<'c> Billing<'c> {
    /// Everything the calls of `project` (`""`: none) need. Fails with [`NoClient`] when the
    /// client cannot be built, before the store is opened.
    pub fn open(ctx: &'c Context, project: &str) -> Result<Self> {
        let api = ApiClient::new(&ctx.settings.api).map_err(NoClient)?;
        let store = ctx.open_store()?;
        // One thread: the calls are I/O-bound.
        let runtime =
            tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting the runtime")?;
        Ok(Self { ctx, api, store, runtime, project: project.to_string() })
    }

    /// The gateway the calls go through: priced with the context's table, reserved through
    /// its budget guard, stamped by its clock, recorded under this project.
    pub fn gateway<'a>(&'a self, sink: &'a TextSink) -> Result<Gateway<'a>> {
        let ctx = self.ctx;
        Ok(Gateway::new(
            &self.api,
            ctx.prices()?,
            self.store.clone(),
            self.project.clone(),
            sink,
            ctx.guard(),
            ctx.clock,
        ))
    }

    /// The client, for the API's free endpoints (`count_tokens`).
    pub fn api(&self) -> &ApiClient {
        &self.api
    }

    /// Runs `work` to its end, or until Ctrl-C or SIGTERM: then `None`, once `work` has been
    /// dropped (which records what each call in flight was billed and releases the rest).
    pub fn until_interrupted<F: Future>(&self, work: F) -> Option<F::Output> {
        self.runtime.block_on(async {
            tokio::select! {
                out = work => Some(out),
                () = crate::interrupt::signalled() => None,
            }
        })
    }
}

/// `err` as the user error `word` makes of a [`NoClient`]; any other error unchanged.
pub fn word_no_client(err: anyhow::Error, word: impl FnOnce(&ApiError) -> String) -> anyhow::Error {
    match err.downcast_ref::<NoClient>() {
        Some(NoClient(e)) => UserError::new(word(e)).into(),
        None => err,
    }
}
