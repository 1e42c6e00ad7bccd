//! The printer: the only place that writes to stdout, and the owner of stderr notes, progress
//! bars and colour. Results go to stdout; everything else goes to stderr.

use std::io::{IsTerminal, Write};

use anyhow::{Context as _, Result};
use comfy_table::{ContentArrangement, Table, presets};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use crate::cli::ColorChoice;
use crate::settings::OutputSettings;

/// Narrowest terminal tables are wrapped to; below it (0 columns, say) they are not wrapped.
const MIN_WRAP_WIDTH: u16 = 20;

/// Writes results, notes and progress according to the output settings.
#[derive(Debug, Clone)]
pub struct Printer {
    settings: OutputSettings,
    stderr_tty: bool,
    stdout_tty: bool,
}

impl Printer {
    pub fn new(settings: OutputSettings) -> Self {
        Self { settings, stderr_tty: std::io::stderr().is_terminal(), stdout_tty: std::io::stdout().is_terminal() }
    }

    /// Whether results should be JSON.
    pub fn json_mode(&self) -> bool {
        self.settings.json
    }

    /// Writes a report as pretty JSON on stdout.
    pub fn json<T: Serialize>(&self, report: &T) -> Result<()> {
        let text = serde_json::to_string_pretty(report).context("serializing report")?;
        self.stdout_line(&text)
    }

    /// Writes a report as one line of JSON on stdout (JSON Lines, for repeated reports).
    pub fn json_line<T: Serialize>(&self, report: &T) -> Result<()> {
        let text = serde_json::to_string(report).context("serializing report")?;
        self.stdout_line(&text)
    }

    /// Whether stdout is a terminal (live views redraw only there).
    pub fn stdout_is_terminal(&self) -> bool {
        self.stdout_tty
    }

    /// Writes a table on stdout.
    pub fn table(&self, table: &Table) -> Result<()> {
        self.stdout_line(&table.to_string())
    }

    /// Writes one line of results on stdout.
    pub fn stdout_line(&self, text: &str) -> Result<()> {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{text}").context("writing to stdout")?;
        out.flush().context("writing to stdout")
    }

    /// Writes text as it arrives (a streamed answer), flushing so it shows at once.
    pub fn stdout_raw(&self, text: &str) -> Result<()> {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes()).context("writing to stdout")?;
        out.flush().context("writing to stdout")
    }

    /// A note for the person at the terminal (stderr), hidden by `-q`.
    pub fn note(&self, text: &str) {
        if !self.settings.quiet {
            eprintln!("{text}");
        }
    }

    /// Detail shown only with `-v`.
    pub fn verbose(&self, text: &str) {
        if self.settings.verbose > 0 && !self.settings.quiet {
            eprintln!("{text}");
        }
    }

    /// A warning: always on stderr, even with `-q` or `--json`.
    pub fn warn(&self, text: &str) {
        let prefix = if self.color_stderr() { "\x1b[33mwarning\x1b[0m" } else { "warning" };
        eprintln!("{prefix}: {text}");
    }

    /// A progress bar on stderr; hidden when stderr is not a terminal, or with `--json`/`-q`.
    pub fn progress(&self, len: u64, what: &str) -> ProgressBar {
        let visible = self.stderr_tty && !self.settings.json && !self.settings.quiet;
        let target = if visible { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() };
        let bar = ProgressBar::with_draw_target(Some(len), target);
        if let Ok(style) = ProgressStyle::with_template("{msg} {bar:30} {pos}/{len}") {
            bar.set_style(style);
        }
        bar.set_message(what.to_string());
        bar
    }

    /// A progress bar counting bytes, shown in human units (`12.3 MiB/40.0 MiB`).
    pub fn progress_bytes(&self, len: u64, what: &str) -> ProgressBar {
        let bar = self.progress(len, what);
        if let Ok(style) = ProgressStyle::with_template("{msg} {bar:30} {bytes}/{total_bytes}") {
            bar.set_style(style);
        }
        bar
    }

    /// A table in the house style; it wraps to the terminal's width on a terminal only. A
    /// terminal that reports no usable width (a pty without a size, common in CI and
    /// containers) gets the unwrapped table, not one character per line.
    pub fn new_table(&self, header: &[&str]) -> Table {
        let mut table = Table::new();
        table.load_style(presets::UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic);
        if !self.stdout_tty || table.width().is_none_or(|w| w < MIN_WRAP_WIDTH) {
            table.force_no_tty();
        }
        table.set_header(header.iter().copied());
        table
    }

    fn color_stderr(&self) -> bool {
        self.color_on(self.stderr_tty)
    }

    fn color_on(&self, tty: bool) -> bool {
        match self.settings.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty,
        }
    }
}
