//! `devteam generate` (hidden): completions and man pages from the clap definitions, so they
//! can never drift from the real flags. A test fails when the committed copies are stale.

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
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd.clone().name(name.to_string())).render(&mut page).context("rendering man page")?;
    let path = dir.join(format!("{name}.1"));
    std::fs::write(&path, page).with_context(|| format!("writing {}", path.display()))?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set() && s.get_name() != "help") {
        write_page(dir, sub, &format!("{name}-{}", sub.get_name()))?;
    }
    Ok(())
}
