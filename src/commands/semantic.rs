//! The embedding model and a library's vectors, for the commands that rank: loaded once per
//! process, refreshed incrementally (only changed agents are embedded), with a progress bar.

use std::sync::OnceLock;

use anyhow::{Context as _, Result};

use crate::context::Context;
use crate::discovery::vectors::{self, VectorReport};
use crate::embed::Model;
use crate::settings::EmbeddingModel;
use crate::store::{Library, VectorMatrix};

static MODEL: OnceLock<Model> = OnceLock::new();

/// The id of the model in force (see [`Model::id_of`]), or `None` when embeddings are off.
fn model_id(ctx: &Context) -> Result<Option<String>> {
    if let Some(m) = MODEL.get() {
        return Ok(Some(m.id().to_string()));
    }
    Ok(match &ctx.settings.embedding_model {
        EmbeddingModel::Off => None,
        EmbeddingModel::Builtin => Some(Model::id_of(None)?),
        EmbeddingModel::Dir(dir) => Some(Model::id_of(Some(dir))?),
    })
}

fn loaded(ctx: &Context) -> Result<&'static Model> {
    model(ctx)?.ok_or_else(|| anyhow::anyhow!("embeddings are off"))
}

/// The model in force, or `None` when embeddings are off.
pub fn model(ctx: &Context) -> Result<Option<&'static Model>> {
    load_model(&ctx.settings.embedding_model)
}

fn load_model(setting: &EmbeddingModel) -> Result<Option<&'static Model>> {
    if let Some(m) = MODEL.get() {
        return Ok(Some(m));
    }
    let loaded = match setting {
        EmbeddingModel::Off => return Ok(None),
        EmbeddingModel::Builtin => Model::load(None)?,
        EmbeddingModel::Dir(dir) => Model::load(Some(dir)).context("embedding-model / DEVTEAM_EMBEDDING_MODEL")?,
    };
    Ok(Some(MODEL.get_or_init(|| loaded)))
}

/// Library vectors, brought up to date first.
pub struct LibraryVectors {
    pub model: &'static Model,
    pub vectors: VectorMatrix,
}

/// Embeds what changed in `library` (progress on stderr when `progress`) and loads every
/// agent's vectors; `None` when embeddings are off.
///
/// The model decodes on another thread while the store reads the stored vectors (the model's
/// id needs no decoding): the two are most of a short command's time and need not wait for
/// each other. If anything had to be embedded, the vectors are read again.
pub fn library_vectors(ctx: &Context, library: &Library, progress: bool) -> Result<Option<LibraryVectors>> {
    let Some(id) = model_id(ctx)? else { return Ok(None) };
    let store = ctx.store()?;
    let setting = &ctx.settings.embedding_model;
    let (model, stored) = std::thread::scope(|scope| -> Result<_> {
        let loading = scope.spawn(|| load_model(setting));
        let stored = store.index().agent_vectors(library.id, &id);
        let model = loading.join().map_err(|_| anyhow::anyhow!("loading the embedding model panicked"))??;
        Ok((model.ok_or_else(|| anyhow::anyhow!("embeddings are off"))?, stored?))
    })?;
    let bar = if progress { ctx.printer.progress(0, "embedding") } else { indicatif::ProgressBar::hidden() };
    let report = vectors::refresh(store, library, model.id(), &|| Ok(model), &|done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })?;
    bar.finish_and_clear();
    let vectors = if report.agents == 0 { stored } else { store.index().agent_vectors(library.id, model.id())? };
    Ok(Some(LibraryVectors { model, vectors }))
}

/// Embeds what changed in `library`, with a progress bar; the model is loaded only when
/// something needs embedding, so an unchanged library costs one query.
pub fn refresh_vectors(ctx: &Context, library: &Library) -> Result<Option<VectorReport>> {
    let Some(id) = model_id(ctx)? else { return Ok(None) };
    let bar = ctx.printer.progress(0, "embedding");
    let report = vectors::refresh(ctx.store()?, library, &id, &|| loaded(ctx), &|done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })?;
    bar.finish_and_clear();
    Ok(Some(report))
}

/// The classifier by meaning for routing, when embeddings are on and the shipped classifier
/// was trained on the model in force; `None` routes by the feature score.
pub fn meaning(ctx: &Context) -> Result<Option<crate::routing::Meaning>> {
    let Some(model) = model(ctx)? else { return Ok(None) };
    let classifier = crate::routing::meaning::Classifier::bundled().map_err(anyhow::Error::msg)?;
    Ok(crate::routing::Meaning::new(classifier, model))
}
