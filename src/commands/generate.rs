//! `devteam generate` (hidden): completions and man pages from the clap definitions, so they
//! can never drift from the real flags. A test fails when the committed copies are stale.
//! Runs without settings: a bad config or an unset HOME cannot break it.

use std::io::Write as _;
use std::path::Path;

use anyhow::{Context as _, Result};
use clap::CommandFactory;

use crate::cli::{Cli, GenerateCommand};
use crate::error::ExitStatus;

pub fn run(command: GenerateCommand) -> Result<ExitStatus> {
    match command {
        GenerateCommand::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "devteam", &mut out);
            // Not `print!`: a closed pipe (`| head`) must be an error the exit code maps, not a panic.
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(&out).and_then(|()| stdout.flush()).context("writing to stdout")?;
        }
        GenerateCommand::Man { out_dir } => write_man_pages(&out_dir)?,
    }
    Ok(ExitStatus::Success)
}

/// Writes `devteam.1` and one `devteam-<sub>.1` per (visible) subcommand, nested ones too.
fn write_man_pages(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut cmd = Cli::command();
    cmd.build();
    write_page(dir, &cmd, "devteam")
}

fn write_page(dir: &Path, cmd: &clap::Command, name: &str) -> Result<()> {
    // clap's `help` subcommand has no page of its own: hide it so no page points to one.
    let mut shown = cmd.clone().name(name.to_string());
    if shown.find_subcommand("help").is_some() {
        shown = shown.mut_subcommand("help", |help| help.hide(true));
    }
    let mut page = Vec::new();
    clap_mangen::Man::new(shown).render(&mut page).context("rendering man page")?;
    page.extend_from_slice(if name == "devteam" { MAIN_SECTIONS } else { SUB_SECTIONS }.as_bytes());
    let path = dir.join(format!("{name}.1"));
    std::fs::write(&path, page).with_context(|| format!("writing {}", path.display()))?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set() && s.get_name() != "help") {
        write_page(dir, sub, &format!("{name}-{}", sub.get_name()))?;
    }
    Ok(())
}

/// What clap does not know: the environment, files, exit codes and examples (roff).
const MAIN_SECTIONS: &str = r#".SH ENVIRONMENT
.TP
\fBANTHROPIC_API_KEY\fR, \fBANTHROPIC_AUTH_TOKEN\fR
The credential for real calls (one of them; \fB--dry-run\fR needs neither).
.TP
\fBANTHROPIC_BASE_URL\fR
Where the API is (default https://api.anthropic.com).
.TP
\fBDEVTEAM_AGENTS\fR, \fBDEVTEAM_DB\fR, \fBDEVTEAM_CONFIG\fR
As \fB--agents\fR, \fB--db\fR and \fB--config\fR. A store named this way is created only with \fB--init\fR or \fBdevteam store init\fR.
.TP
\fBDEVTEAM_TIMEZONE\fR
IANA time zone of budget windows and usage reports (default UTC).
.TP
\fBDEVTEAM_NOW\fR
As \fB--now\fR: the RFC 3339 instant taken as now for records, budget windows and warm-cache plans (default: the wall clock).
.TP
\fBDEVTEAM_DATA_DIR\fR, \fBXDG_DATA_HOME\fR, \fBXDG_CONFIG_HOME\fR, \fBHOME\fR
Where the default store and config file are.
.TP
\fBDEVTEAM_CARD_MAX_TOKENS\fR, \fBDEVTEAM_DISCOVER_TOP\fR, \fBDEVTEAM_PRICES_FILE\fR, \fBDEVTEAM_PROJECT\fR, \fBDEVTEAM_BUDGET_WEBHOOK\fR, \fBDEVTEAM_BUDGET_RESERVATION_TTL\fR
Override the config keys of the same name.
.TP
\fBCLAUDE_CONFIG_DIR\fR
Claude Code's config folders, comma-separated, for \fBusage import claude-code\fR.
.TP
\fBNO_COLOR\fR
Any value turns colour off.
.SH FILES
.TP
\fI$XDG_CONFIG_HOME/devteam/config.yaml\fR
The config file (\fI~/.config/devteam/config.yaml\fR); relative paths in it are taken from its folder, \fB~\fR is the home folder.
.TP
\fI$XDG_DATA_HOME/devteam/devteam.db\fR
The store (\fI~/.local/share/devteam/devteam.db\fR), created on first use; SQLite in WAL mode, mode 0600.
.SH "EXIT STATUS"
.TP
\fB0\fR
Success.
.TP
\fB1\fR
The command ran but the answer is no (\fB--strict\fR found skipped files, a warm-up failed).
.TP
\fB2\fR
Error: bad input, bad config, no store at \fB--db\fR, IO.
.TP
\fB3\fR
Over budget: \fBbudget check\fR found no room, or a budget refused a call.
.TP
\fB4\fR
A planned run finished with subtasks missing.
.TP
\fB130\fR
Interrupted.
.SH EXAMPLES
.nf
devteam --agents fixtures/agents run --dry-run make checkout fast on phones
devteam --agents fixtures/agents discover the login page is slow
devteam budget set daily 5
devteam --db ci/devteam.db budget check --need 0.50
devteam usage import claude-code && devteam usage summary --since 7d
devteam generate completions bash > ~/.local/share/bash-completion/completions/devteam
.fi
"#;

/// The sections every subcommand's page shares.
const SUB_SECTIONS: &str = r#".SH "EXIT STATUS"
0 success, 1 the answer is no, 2 error, 3 over budget, 4 partial run, 130 interrupted; see \fBdevteam\fR(1).
.SH "SEE ALSO"
\fBdevteam\fR(1)
"#;
