//! Scripted behaviour: canned replies and injected faults, chosen by rules.
//!
//! A script is JSON (the `--script` file, `POST /_standin/script`) or built in Rust. The first rule
//! whose matcher fits the request and whose use count is not spent decides the request; with no
//! such rule the default reply is used. Example:
//!
//! ```json
//! {"rules": [
//!   {"match": {"user_contains": "flaky"}, "fault": {"kind": "overloaded"}, "times": "once"},
//!   {"match": {"system_regex": "^You are a reviewer"}, "reply": {"text": "LGTM", "output_tokens": 40}}
//! ], "default_reply": {"text": "ok"}}
//! ```

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::request::MessagesRequest;

/// A full script: ordered rules plus the reply used when none matches.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Script {
    #[serde(default)]
    pub rules: Vec<Rule>,
    #[serde(default)]
    pub default_reply: Option<Reply>,
}

/// One rule. A rule with a fault and no reply falls back to the default reply where the fault
/// still produces one (slow, max_tokens).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    #[serde(default, rename = "match")]
    pub matcher: Matcher,
    #[serde(default)]
    pub reply: Option<Reply>,
    #[serde(default)]
    pub fault: Option<Fault>,
    #[serde(default)]
    pub times: Times,
}

/// All given conditions must hold; an empty matcher matches everything.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Matcher {
    pub system_contains: Option<String>,
    pub system_regex: Option<String>,
    pub user_contains: Option<String>,
    pub user_regex: Option<String>,
    /// Exact model id as sent in the request.
    pub model: Option<String>,
}

/// A canned reply.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Reply {
    pub text: Option<String>,
    /// Billed output tokens; defaults to the token count of the text.
    pub output_tokens: Option<u32>,
    /// Appends a tool_use block and ends with stop_reason "tool_use".
    pub tool_use: Option<ToolUseReply>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ToolUseReply {
    pub name: String,
    #[serde(default)]
    pub input: serde_json::Value,
}

/// Something going wrong, as the real API does it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Fault {
    /// 429 `rate_limit_error` with `retry-after`.
    RateLimit { retry_after_secs: u64 },
    /// 429 without `retry-after` and with `x-should-retry: false` (a monthly spend cap).
    SpendCap,
    /// 529 `overloaded_error`.
    Overloaded,
    /// 500 `api_error`.
    ServerError,
    /// 408 `timeout_error`.
    RequestTimeout,
    /// 409 `conflict_error`.
    Conflict,
    /// The connection closes without any response.
    DropConnection,
    /// HTTP 200, a few events, then `event: error` (`overloaded_error`); a 529 if not streaming.
    StreamError,
    /// The reply is held back this long (real time) before the response begins.
    Slow { delay_ms: u64 },
    /// The reply stops at `max_tokens` with stop_reason "max_tokens".
    MaxTokens,
    /// stop_reason "refusal".
    Refusal,
}

/// How often a rule may fire: `"once"`, `"always"` (the default) or a number.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Times {
    Once,
    #[default]
    Always,
    Count(u32),
}

/// A script that could not be installed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptError(pub String);

impl std::fmt::Display for ScriptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid script: {}", self.0)
    }
}

impl std::error::Error for ScriptError {}

/// What the script decided for one request.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    pub reply: Reply,
    pub fault: Option<Fault>,
}

/// The installed script with compiled regexes and remaining use counts.
#[derive(Debug, Default)]
pub struct ScriptState {
    rules: Vec<CompiledRule>,
    default_reply: Reply,
}

#[derive(Debug)]
struct CompiledRule {
    rule: Rule,
    system_re: Option<Regex>,
    user_re: Option<Regex>,
    /// `None` = unlimited.
    remaining: Option<u32>,
}

impl ScriptState {
    pub fn install(script: &Script) -> Result<Self, ScriptError> {
        let rules = script.rules.iter().map(CompiledRule::new).collect::<Result<_, _>>()?;
        Ok(Self { rules, default_reply: script.default_reply.clone().unwrap_or_default() })
    }

    /// Appends one rule after the installed ones.
    pub fn push(&mut self, rule: &Rule) -> Result<(), ScriptError> {
        self.rules.push(CompiledRule::new(rule)?);
        Ok(())
    }

    /// Picks the action for a request and spends one use of the rule that fired.
    pub fn choose(&mut self, req: &MessagesRequest) -> Action {
        let system = req.system_text();
        let user = req.last_user_text();
        let default = self.default_reply.clone();
        let Some(rule) = self.rules.iter_mut().find(|r| r.live() && r.matches(req, &system, &user)) else {
            return Action { reply: default, fault: None };
        };
        if let Some(n) = rule.remaining.as_mut() {
            *n -= 1;
        }
        Action { reply: rule.rule.reply.clone().unwrap_or(default), fault: rule.rule.fault.clone() }
    }
}

impl CompiledRule {
    fn new(rule: &Rule) -> Result<Self, ScriptError> {
        let compile =
            |re: &Option<String>| re.as_deref().map(Regex::new).transpose().map_err(|e| ScriptError(e.to_string()));
        Ok(Self {
            system_re: compile(&rule.matcher.system_regex)?,
            user_re: compile(&rule.matcher.user_regex)?,
            remaining: match rule.times {
                Times::Once => Some(1),
                Times::Always => None,
                Times::Count(n) => Some(n),
            },
            rule: rule.clone(),
        })
    }

    fn live(&self) -> bool {
        self.remaining != Some(0)
    }

    fn matches(&self, req: &MessagesRequest, system: &str, user: &str) -> bool {
        let m = &self.rule.matcher;
        let contains = |needle: &Option<String>, hay: &str| needle.as_deref().is_none_or(|n| hay.contains(n));
        let regex = |re: &Option<Regex>, hay: &str| re.as_ref().is_none_or(|r| r.is_match(hay));
        contains(&m.system_contains, system)
            && contains(&m.user_contains, user)
            && regex(&self.system_re, system)
            && regex(&self.user_re, user)
            && m.model.as_deref().is_none_or(|model| model == req.model)
    }
}

#[cfg(test)]
#[path = "script_tests.rs"]
mod tests;
