//! The task of `run` and `discover`: several words without quotes, or `-` to read it from
//! stdin (for `git log -1 --format=%B | devteam run -`).

use std::io::Read as _;

use anyhow::{Context as _, Result};

use crate::cli::Command;
use crate::error::UserError;

/// Largest task read from stdin; a task is a paragraph, not a file dump.
const MAX_STDIN_TASK: u64 = 1 << 20;

/// Fills the `task` of the commands that take one from their words or from stdin.
pub fn fill(command: &mut Command) -> Result<()> {
    let (words, task) = match command {
        Command::Run(args) => (&args.words, &mut args.task),
        Command::Discover(args) => (&args.words, &mut args.task),
        _ => return Ok(()),
    };
    *task = from_words(words, || {
        let mut text = String::new();
        std::io::stdin().take(MAX_STDIN_TASK + 1).read_to_string(&mut text).context("reading the task from stdin")?;
        Ok(text)
    })?;
    Ok(())
}

/// The words joined with spaces; `-` alone means the text `stdin` gives.
fn from_words(words: &[String], stdin: impl FnOnce() -> Result<String>) -> Result<String> {
    let task = match words {
        [one] if one == "-" => {
            let text = stdin()?;
            if text.len() as u64 > MAX_STDIN_TASK {
                return Err(UserError::new("the task on stdin is over 1 MiB").into());
            }
            text
        }
        _ => words.join(" "),
    };
    let task = task.trim().to_string();
    if task.is_empty() {
        return Err(UserError::new("the task is empty (give it as words, or `-` and the text on stdin)").into());
    }
    Ok(task)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(w: &[&str]) -> Vec<String> {
        w.iter().map(|s| (*s).to_string()).collect()
    }

    #[test]
    fn words_are_joined_and_a_dash_reads_stdin() {
        let no_stdin = || -> Result<String> { panic!("stdin must not be read") };
        assert_eq!(from_words(&words(&["fix", "the", "login", "bug"]), no_stdin).unwrap(), "fix the login bug");
        assert_eq!(from_words(&words(&["one quoted task"]), no_stdin).unwrap(), "one quoted task");
        assert_eq!(from_words(&words(&["-"]), || Ok("  from a pipe\n".into())).unwrap(), "from a pipe");
        let err = from_words(&words(&["-"]), || Ok(" \n".into())).unwrap_err();
        assert!(err.to_string().contains("empty"), "{err}");
    }
}
