//! What a command runs with: resolved settings, the printer, and the store, opened lazily so
//! that commands which need no store never create one.

use std::cell::OnceCell;

use anyhow::Result;

use crate::budget::{Guard, Notifier};
use crate::clock::Clock;
use crate::error::UserError;
use crate::output::Printer;
use crate::pricing::PriceTable;
use crate::settings::Settings;
use crate::store::Store;

pub struct Context {
    pub settings: Settings,
    /// What "now" is for everything this command records or decides (`--now`).
    pub clock: Clock,
    pub printer: Printer,
    store: OnceCell<Store>,
    prices: OnceCell<PriceTable>,
}

impl Context {
    pub fn new(settings: Settings) -> Self {
        let printer = Printer::new(settings.output);
        crate::store::set_busy_timeout(settings.store_busy_timeout);
        Self { clock: settings.clock, settings, printer, store: OnceCell::new(), prices: OnceCell::new() }
    }

    /// The store, opened (and migrated) on first use.
    pub fn store(&self) -> Result<&Store> {
        if let Some(store) = self.store.get() {
            return Ok(store);
        }
        let store = self.open_new()?;
        // Calls whose process died before recording them are charged now, so every report and
        // budget check that follows sees them. A failure (a store busy for long) is shown and the
        // next opening tries again; the reservations keep holding their amount meanwhile.
        if let Err(e) = self.guard().recover(store.shared(), self.clock.now()) {
            self.printer.warn(&format!("could not recover unsettled calls yet: {e:#}"));
        }
        Ok(self.store.get_or_init(|| store))
    }

    /// The store as a handle of its own (for a gateway, which outlives borrows): a clone of
    /// [`Context::store`]'s, on the same connection pool.
    pub fn open_store(&self) -> Result<Store> {
        self.store().cloned()
    }

    /// Opens the store the settings name. A missing store is created only at the default
    /// location or when asked (`--init`, `store init`).
    fn open_new(&self) -> Result<Store> {
        let path = &self.settings.db_path;
        if let Some(url) = &self.settings.shared_db {
            // The shared store on PostgreSQL; this machine's agent index stays in its own file.
            return crate::store::open(&crate::store::DbTarget::Postgres { url: url.clone(), local: path.clone() });
        }
        if !self.settings.create_store && !path.exists() {
            return Err(UserError::new(format!(
                "no store at {}: check --db / DEVTEAM_DB / `db:` in the config, or create it with --init \
                 (or `devteam store init`)",
                path.display()
            ))
            .into());
        }
        crate::store::open(&crate::store::DbTarget::Sqlite(path.clone()))
    }

    /// The budget guard every API call reserves through, with the configured time zone,
    /// thresholds and alert delivery.
    pub fn guard(&self) -> Guard {
        let b = &self.settings.budget;
        Guard::new(b.policy.clone(), Notifier::new(self.printer.clone(), b.webhook.clone(), b.command.clone()))
    }

    /// The price table (bundled, plus the configured overrides), loaded on first use.
    pub fn prices(&self) -> Result<&PriceTable> {
        if let Some(prices) = self.prices.get() {
            return Ok(prices);
        }
        let prices = PriceTable::load(self.settings.prices_file.as_deref())?;
        Ok(self.prices.get_or_init(|| prices))
    }
}
