//! Every environment variable devteam reads, in one place, captured once at start-up so that
//! commands never consult the process environment themselves.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

/// Agent library folder (same as `--agents`).
pub const DEVTEAM_AGENTS: &str = "DEVTEAM_AGENTS";
/// Store file (same as `--db`).
pub const DEVTEAM_DB: &str = "DEVTEAM_DB";
/// Config file (same as `--config`).
pub const DEVTEAM_CONFIG: &str = "DEVTEAM_CONFIG";
/// Folder for the store when `DEVTEAM_DB` is unset.
pub const DEVTEAM_DATA_DIR: &str = "DEVTEAM_DATA_DIR";
/// Largest metadata card in tokens.
pub const DEVTEAM_CARD_MAX_TOKENS: &str = "DEVTEAM_CARD_MAX_TOKENS";
pub const DEVTEAM_EMBEDDING_MODEL: &str = "DEVTEAM_EMBEDDING_MODEL";
/// Default number of agents `discover` returns.
pub const DEVTEAM_DISCOVER_TOP: &str = "DEVTEAM_DISCOVER_TOP";
/// Price overrides file (YAML in the bundled format, or LiteLLM's JSON).
pub const DEVTEAM_PRICES_FILE: &str = "DEVTEAM_PRICES_FILE";
/// Project whose context `run` shares with every agent.
pub const DEVTEAM_PROJECT: &str = "DEVTEAM_PROJECT";
/// IANA time zone for budget windows and usage-report days (config `timezone`; default UTC).
pub const DEVTEAM_TIMEZONE: &str = "DEVTEAM_TIMEZONE";
/// The instant devteam takes as now (RFC 3339; same as `--now`); default: the wall clock.
pub const DEVTEAM_NOW: &str = "DEVTEAM_NOW";
/// Slack-style webhook for budget alerts (config `budget-webhook`); kept out of config files
/// because the URL is a secret.
pub const DEVTEAM_BUDGET_WEBHOOK: &str = "DEVTEAM_BUDGET_WEBHOOK";
/// Seconds a reservation outlives a silent process (config `budget-reservation-ttl`).
pub const DEVTEAM_BUDGET_RESERVATION_TTL: &str = "DEVTEAM_BUDGET_RESERVATION_TTL";
/// Milliseconds a store writer waits for another process's lock (config `store-busy-timeout-ms`).
pub const DEVTEAM_STORE_BUSY_TIMEOUT_MS: &str = "DEVTEAM_STORE_BUSY_TIMEOUT_MS";
/// Claude Code's config folder(s), comma-separated; their `projects/` hold its usage logs.
pub const CLAUDE_CONFIG_DIR: &str = "CLAUDE_CONFIG_DIR";
/// Any value turns colour off (<https://no-color.org>).
pub const NO_COLOR: &str = "NO_COLOR";
/// Claude API key, sent as `x-api-key` (the official SDKs' variable). Secret: never printed.
pub const ANTHROPIC_API_KEY: &str = "ANTHROPIC_API_KEY";
/// Bearer token, sent as `Authorization: Bearer`; the alternative to `ANTHROPIC_API_KEY`, and
/// setting both is refused. Secret: never printed.
pub const ANTHROPIC_AUTH_TOKEN: &str = "ANTHROPIC_AUTH_TOKEN";
/// API base URL (default `https://api.anthropic.com`); points tests at the stand-in.
pub const ANTHROPIC_BASE_URL: &str = "ANTHROPIC_BASE_URL";

/// Variables whose values are credentials and must not appear in `Debug` output.
const SECRET_VARS: [&str; 2] = [ANTHROPIC_API_KEY, ANTHROPIC_AUTH_TOKEN];

/// A snapshot of the variables devteam cares about.
#[derive(Clone, Default)]
pub struct Env {
    vars: BTreeMap<String, String>,
}

/// Shows every variable but prints credentials as `[redacted]`.
impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = self.vars.iter().map(|(k, v)| {
            let v = if SECRET_VARS.contains(&k.as_str()) { "[redacted]" } else { v.as_str() };
            (k, v)
        });
        f.debug_map().entries(shown).finish()
    }
}

impl Env {
    /// Reads the process environment once.
    pub fn capture() -> Self {
        let wanted = |k: &str| {
            k.starts_with("DEVTEAM_")
                || k.starts_with("XDG_")
                || matches!(
                    k,
                    "HOME"
                        | NO_COLOR
                        | ANTHROPIC_API_KEY
                        | ANTHROPIC_AUTH_TOKEN
                        | ANTHROPIC_BASE_URL
                        | CLAUDE_CONFIG_DIR
                )
        };
        let vars = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .filter(|(k, _)| wanted(k))
            .collect();
        Self { vars }
    }

    /// An environment built from pairs, for tests.
    #[cfg(test)]
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Self {
        let vars = pairs.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect();
        Self { vars }
    }

    /// A variable's value; empty counts as unset, as XDG asks.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.vars.get(key).map(String::as_str).filter(|v| !v.is_empty())
    }

    /// An absolute path from a variable; relative or empty values count as unset (XDG rule).
    pub fn abs_path(&self, key: &str) -> Option<PathBuf> {
        self.get(key).map(PathBuf::from).filter(|p| p.is_absolute())
    }

    /// `$XDG_DATA_HOME/devteam`, else `~/.local/share/devteam`.
    pub fn data_dir(&self) -> Option<PathBuf> {
        self.abs_path(DEVTEAM_DATA_DIR)
            .or_else(|| self.abs_path("XDG_DATA_HOME").map(|p| p.join("devteam")))
            .or_else(|| self.home().map(|h| h.join(".local/share/devteam")))
    }

    /// `$XDG_CONFIG_HOME/devteam`, else `~/.config/devteam`.
    pub fn config_dir(&self) -> Option<PathBuf> {
        self.abs_path("XDG_CONFIG_HOME")
            .map(|p| p.join("devteam"))
            .or_else(|| self.home().map(|h| h.join(".config/devteam")))
    }

    /// Claude Code's config folders, to be checked for `projects/` by the importer:
    /// `CLAUDE_CONFIG_DIR` split on commas (entries trimmed, `~` expanded), else
    /// `$XDG_CONFIG_HOME/claude` (or `~/.config/claude`) and `~/.claude`.
    pub fn claude_config_dirs(&self) -> ClaudeDirs {
        if let Some(raw) = self.get(CLAUDE_CONFIG_DIR) {
            let dirs = raw.split(',').map(str::trim).filter(|e| !e.is_empty()).map(|e| self.expand_tilde(e)).collect();
            return ClaudeDirs { dirs, from_env: true };
        }
        let xdg = self.abs_path("XDG_CONFIG_HOME").or_else(|| self.home().map(|h| h.join(".config")));
        let dirs = xdg.map(|x| x.join("claude")).into_iter().chain(self.home().map(|h| h.join(".claude"))).collect();
        ClaudeDirs { dirs, from_env: false }
    }

    /// `~` and `~/x` against `HOME`; anything else (including `~user`) as given.
    pub fn expand_tilde(&self, entry: &str) -> PathBuf {
        match (entry.strip_prefix('~'), self.home()) {
            (Some(rest), Some(home)) if rest.is_empty() || rest.starts_with('/') => {
                home.join(rest.trim_start_matches('/'))
            }
            _ => PathBuf::from(entry),
        }
    }

    fn home(&self) -> Option<PathBuf> {
        self.abs_path("HOME")
    }
}

/// Where to look for Claude Code's logs, before checking which folders exist.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClaudeDirs {
    pub dirs: Vec<PathBuf>,
    /// Named by `CLAUDE_CONFIG_DIR`: then none of them being usable is an error, and the
    /// defaults are not tried.
    pub from_env: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_and_empty_xdg_values_are_ignored() {
        let env = Env::from_pairs(&[("XDG_DATA_HOME", "rel/path"), ("HOME", "/h"), ("XDG_CONFIG_HOME", "")]);
        assert_eq!(env.data_dir(), Some(PathBuf::from("/h/.local/share/devteam")));
        assert_eq!(env.config_dir(), Some(PathBuf::from("/h/.config/devteam")));
    }

    #[test]
    fn debug_output_redacts_credentials() {
        let env = Env::from_pairs(&[
            (ANTHROPIC_API_KEY, "sk-ant-api03-hidden"),
            (ANTHROPIC_AUTH_TOKEN, "bearer-hidden"),
            (ANTHROPIC_BASE_URL, "http://127.0.0.1:9"),
        ]);
        let shown = format!("{env:?}");
        assert!(!shown.contains("hidden"), "{shown}");
        assert!(shown.contains("[redacted]") && shown.contains("http://127.0.0.1:9"), "{shown}");
        assert_eq!(env.get(ANTHROPIC_API_KEY), Some("sk-ant-api03-hidden"));
    }

    #[test]
    fn claude_dirs_come_from_the_env_list_else_the_two_defaults() {
        let env = Env::from_pairs(&[("HOME", "/h"), (CLAUDE_CONFIG_DIR, " ~/a , /b,,~ ")]);
        let dirs = env.claude_config_dirs();
        assert!(dirs.from_env);
        assert_eq!(dirs.dirs, vec![PathBuf::from("/h/a"), PathBuf::from("/b"), PathBuf::from("/h")]);
        let env = Env::from_pairs(&[("HOME", "/h"), ("XDG_CONFIG_HOME", "/x")]);
        assert_eq!(env.claude_config_dirs().dirs, vec![PathBuf::from("/x/claude"), PathBuf::from("/h/.claude")]);
        let env = Env::from_pairs(&[("HOME", "/h")]);
        let dirs = env.claude_config_dirs();
        assert!(!dirs.from_env);
        assert_eq!(dirs.dirs, vec![PathBuf::from("/h/.config/claude"), PathBuf::from("/h/.claude")]);
    }

    #[test]
    fn devteam_data_dir_wins_over_xdg() {
        let env = Env::from_pairs(&[("DEVTEAM_DATA_DIR", "/d"), ("XDG_DATA_HOME", "/x")]);
        assert_eq!(env.data_dir(), Some(PathBuf::from("/d")));
    }
}
