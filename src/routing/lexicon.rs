//! How engineers describe work, as cue lists per feature. These are general vocabulary of the
//! trade (vulnerability classes, consistency terms, kinds of deliverable), not phrases taken
//! from any one labeled task. A cue is one or more words; `*` ends a prefix.

use super::features::Feature;

/// Cue lists of the features that are found by vocabulary alone.
pub const CUES: &[(Feature, &[&str])] = &[
    (Feature::SingleTarget, SINGLE_TARGET),
    (Feature::ManyParts, MANY_PARTS),
    (Feature::WholeSystem, WHOLE_SYSTEM),
    (Feature::Security, SECURITY),
    (Feature::Auth, AUTH),
    (Feature::Payments, PAYMENTS),
    (Feature::Production, PRODUCTION),
    (Feature::Compliance, COMPLIANCE),
    (Feature::Irreversible, IRREVERSIBLE),
    (Feature::Concurrency, CONCURRENCY),
    (Feature::UnknownCause, UNKNOWN_CAUSE),
    (Feature::TradeOff, TRADE_OFF),
    (Feature::Constraints, CONSTRAINTS),
    (Feature::SmallEdit, SMALL_EDIT),
    (Feature::Snippet, SNIPPET),
    (Feature::Build, BUILD),
    (Feature::BugFix, BUG_FIX),
    (Feature::Design, DESIGN),
    (Feature::Migration, MIGRATION),
    (Feature::Review, REVIEW),
];

#[rustfmt::skip]
const SINGLE_TARGET: &[&str] = &[
    "this function", "one function", "this method", "this file", "one file", "single file",
    "this class", "this line", "one line",
];

#[rustfmt::skip]
const MANY_PARTS: &[&str] = &[
    "across", "every service", "all services", "each service", "all our services", "every team",
    "all teams", "every repo*", "all repos", "every region", "all regions", "multi region",
    "multiple services", "several services", "many services", "microservices", "cross team",
    "cross service", "org wide", "company wide", "all of it",
];

#[rustfmt::skip]
const WHOLE_SYSTEM: &[&str] = &[
    "whole", "entire", "entirely", "end to end", "monolith", "core app", "platform", "codebase",
    "from scratch", "everything", "system wide",
];

#[rustfmt::skip]
const SECURITY: &[&str] = &[
    "security", "secure", "insecure", "vulnerab*", "attack*", "exploit*", "breach*", "threat*",
    "encrypt*", "decrypt*", "cryptograph*", "key exchange", "key management", "secret",
    "secrets", "credential*", "csrf", "xss", "ssrf", "injection", "session fixation",
    "open redirect", "path traversal", "privilege*", "sandbox*", "malicious", "untrusted",
    "arbitrary code", "exposed", "exposure", "compromis*", "intrusion", "pentest*",
    "penetration", "tamper*", "isolation", "forensic*", "zero trust", "supply chain", "cve*",
    "someone elses", "another users", "another customers", "other customers", "other users",
];

#[rustfmt::skip]
const AUTH: &[&str] = &[
    "auth", "authn", "authz", "authenticat*", "authoriz*", "oauth*", "oidc", "sso", "saml",
    "session", "sessions", "jwt", "token", "tokens", "password*", "permission*", "role",
    "roles", "rbac", "access control", "access checks", "identity", "mfa", "2fa", "logout",
    "log out", "logging anyone out", "tenant*", "auth0", "okta", "keycloak",
];

#[rustfmt::skip]
const PAYMENTS: &[&str] = &[
    "payment*", "charge", "charged", "charges", "charging", "billing", "ledger*", "refund*",
    "pci", "card data", "cardholder", "credit card*", "payout*", "reconcil*", "money",
    "finance", "financial",
];

#[rustfmt::skip]
const PRODUCTION: &[&str] = &[
    "production", "prod", "outage*", "incident*", "downtime", "is down", "is failing",
    "are failing", "live traffic", "customer data", "customers data", "user data",
    "patient data", "personal data", "existing users", "existing customers",
    "customers would notice",
];

#[rustfmt::skip]
const COMPLIANCE: &[&str] = &[
    "compliance", "compliant", "hipaa", "gdpr", "ccpa", "pci", "sox", "soc2", "soc 2",
    "regulat*", "residency", "in the eu", "eu customer*", "audit log*", "audit trail*",
    "right to be forgotten", "consent", "pii", "phi", "legal",
];

#[rustfmt::skip]
const IRREVERSIBLE: &[&str] = &[
    "delete", "deletion", "drop", "purge*", "destroy*", "wipe*", "truncat*", "irreversib*",
    "data loss", "lose", "losing", "lost", "rotate", "force push", "cutover", "password hashes",
];

#[rustfmt::skip]
const CONCURRENCY: &[&str] = &[
    "concurren*", "race", "deadlock*", "exactly once", "at least once", "idempot*", "duplicat*",
    "twice", "at once", "out of order", "ordering", "consisten*", "inconsisten*", "consensus",
    "leader*", "split brain", "partition*", "replica*", "skew", "conflict*", "failover",
    "active active", "offline", "diverge*", "drift*", "crdt*", "eventual*", "distributed",
    "lock", "locks", "locking", "mutex*", "atomic*", "two phase", "saga*", "rebalanc*",
    "corrupt*", "use after free", "segfault*", "undefined behavio*", "thread safe*",
    "multithread*",
];

#[rustfmt::skip]
const UNKNOWN_CAUSE: &[&str] = &[
    "why", "figure out", "find out", "root cause", "no idea", "nobody knows", "no one knows",
    "not sure", "unclear", "unknown", "mysterious*", "random", "randomly", "sometimes",
    "occasionally", "intermittent*", "sporadic*", "flak*", "nondeterministic", "deterministic",
    "a few times", "once a day", "once a week", "look fine", "looks fine", "cant reproduce",
    "cannot reproduce", "only on", "only when", "under load", "find the bug", "investigat*",
    "diagnos*", "whats wrong", "what is wrong", "somehow", "for some reason", "unexplained",
    "silently",
];

#[rustfmt::skip]
const TRADE_OFF: &[&str] = &[
    "should we", "or buy", "buy or", "trade off*", "tradeoff*", "pros and cons", "decision",
    "decide", "whether to", "which approach", "options", "alternatives", "versus", "vs",
    "weigh",
];

#[rustfmt::skip]
const CONSTRAINTS: &[&str] = &[
    "without", "no downtime", "zero downtime", "no more than", "at most", "must not", "never",
    "while keeping", "keeps the", "strict", "guarantee*", "no duplicates", "no single point",
    "bottleneck",
];

#[rustfmt::skip]
const SMALL_EDIT: &[&str] = &[
    "typo*", "spelling", "misspel*", "renam*", "docstring*", "a comment", "comment above",
    "header comment", "code comment*", "wording", "reword*", "placeholder*", "alt text",
    "tooltip*", "label", "caption*", "broken link", "dead link", "a link", "readme",
    "changelog", "gitignore", "bump*", "pin", "copyright", "colour", "color", "font", "padding",
    "margin", "pixels", "align*", "line them up", "unused", "sort the imports", "sort imports",
    "formatted with", "reformat*", "black", "prettier", "gofmt", "rustfmt", "whitespace",
    "indentation", "punctuation", "capitaliz*", "favicon", "icon", "emoji", "title", "heading",
    "semicolon", "comment out", "uncomment", "console log", "print statement", "license header",
    "env var*", "environment variable*", "says", "say", "just", "simple", "quick", "tiny",
    "trivial",
];

#[rustfmt::skip]
const SNIPPET: &[&str] = &[
    "regex*", "regular expression", "cron expression", "cron line", "alias", "one liner",
    "snippet", "give me", "need a", "sql to", "query to", "command to", "command for",
    "how do i", "convert this", "jq", "awk", "sed", "formula",
];

#[rustfmt::skip]
const BUILD: &[&str] = &[
    "endpoint*", "crud", "paginat*", "webhook*", "middleware", "script", "dag", "workflow*",
    "pipeline*", "dashboard*", "chart", "module", "test suite", "tests", "playwright",
    "cypress", "spec", "openapi", "guide", "runbook*", "documentation", "integration*",
    "feature", "screen", "screens", "dark mode", "autocomplete", "upload*", "import", "pdf",
    "email", "notification*", "cache", "caching", "retries", "backoff", "rate limit*",
    "tracing", "instrument*", "translations", "i18n", "dbt", "celery", "refactor*", "split",
    "service classes", "components", "type hints", "index", "terraform", "helm", "soft delet*",
    "admin", "search",
];

#[rustfmt::skip]
const BUG_FIX: &[&str] = &[
    "fix*", "bug*", "crash*", "error*", "exception*", "traceback", "stack trace", "keyerror",
    "typeerror", "nullpointer*", "panic*", "broken", "fails", "failing", "failed", "failure*",
    "returns 500", "500s", "5xx", "regression", "blank screen", "wrong", "not working",
    "doesnt work", "hang*", "freez*", "memory leak", "memory grows", "oom", "killed", "slow",
    "warnings",
];

#[rustfmt::skip]
const DESIGN: &[&str] = &[
    "design*", "architect*", "strategy", "plan how", "plan the", "plan our", "a plan for",
    "a plan to", "planning", "roadmap", "rollout", "propose", "proposal", "rfc", "decision doc",
    "threat model*", "redesign*", "rearchitect*", "approach", "blueprint", "long term",
    "data model", "event sourcing", "cqrs", "capacity plan*", "disaster recovery",
    "high availability", "scalab*", "sharding", "our own", "how we",
];

#[rustfmt::skip]
const MIGRATION: &[&str] = &[
    "migrat*", "upgrad*", "cutover", "lift and shift", "replatform*", "move off", "off our",
    "out of the",
];

#[rustfmt::skip]
const REVIEW: &[&str] = &[
    "review*", "audit", "look over", "assess*", "sanity check",
];

/// Words for the layers and parts of a system; naming three or more of them means the work
/// crosses them.
#[rustfmt::skip]
pub const LAYERS: &[&str] = &[
    "frontend", "backend", "api", "database", "db", "mobile", "web", "ios", "android",
    "desktop", "queue", "cache", "warehouse", "logs", "cdn", "gateway", "load balancer*",
    "nodes", "cluster", "storage", "sdk", "monolith", "scheduler", "broker", "data lake",
    "event bus", "message bus", "crm", "third party",
];

/// Countable parts of a system: "40 services", "three regions".
#[rustfmt::skip]
pub const PARTS: &[&str] = &[
    "service*", "microservice*", "system*", "region*", "cloud*", "datacenter*", "data centers",
    "cluster*", "database*", "team*", "repo*", "app*", "platform*", "vendor*", "provider*",
    "countr*",
];

/// Verbs that move a system somewhere else, which make "from X to Y" a migration rather
/// than a changed value.
#[rustfmt::skip]
pub const MOVE_VERBS: &[&str] = &[
    "move*", "moving", "switch*", "port", "porting", "transition*", "migrat*", "upgrad*",
];

/// Verbs that relocate a system ("move X to Y"), a migration when a destination is named.
pub const RELOCATE_VERBS: &[&str] = &["move", "moving", "switch", "switching", "port", "porting"];

/// Single attributes of something that exists: adding one is a small edit.
#[rustfmt::skip]
pub const ATTRIBUTES: &[&str] = &[
    "field", "column", "flag", "option", "link", "button", "checkbox", "placeholder", "tooltip",
    "label", "attribute", "entry", "header", "argument",
];

/// Words before "service" that do not name one ("every service" is not a layer).
#[rustfmt::skip]
pub const QUANTIFIERS: &[&str] = &[
    "a", "an", "the", "every", "each", "any", "all", "one", "this", "that", "our", "same",
];

/// File names that are code targets without an extension.
#[rustfmt::skip]
pub const BARE_FILES: &[&str] = &[
    "Dockerfile", "Makefile", "Jenkinsfile", "Procfile", "Gemfile", "README", "CHANGELOG",
    "LICENSE",
];

/// Verbs of editing one value.
#[rustfmt::skip]
pub const EDIT_VERBS: &[&str] = &[
    "change*", "set", "bump*", "pin", "increase*", "decrease*", "raise", "lower", "update*",
    "make", "replace*",
];

/// Words that open a question.
#[rustfmt::skip]
pub const QUESTION_WORDS: &[&str] = &[
    "what", "whats", "where", "why", "how", "which", "should", "could", "can", "is", "are",
    "does", "do", "will", "would", "who",
];

/// Number words, for counts written out.
pub const NUMBER_WORDS: &[(&str, f64)] = &[
    ("two", 2.0),
    ("three", 3.0),
    ("four", 4.0),
    ("five", 5.0),
    ("six", 6.0),
    ("seven", 7.0),
    ("eight", 8.0),
    ("nine", 9.0),
    ("ten", 10.0),
    ("dozen", 12.0),
    ("dozens", 24.0),
    ("hundreds", 200.0),
    ("thousands", 2000.0),
    ("millions", 2_000_000.0),
    ("billions", 2_000_000_000.0),
];

/// Words that cannot be what a number counts ("86400 in token.py" counts nothing).
#[rustfmt::skip]
pub const NOT_COUNTED: &[&str] = &[
    "in", "on", "at", "to", "of", "and", "or", "the", "a", "an", "for", "with", "per", "from",
    "is", "are", "was", "by", "times", "percent", "minutes", "seconds", "hours", "days", "ms",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, word: &str) -> bool {
        match pattern.strip_suffix('*') {
            Some(prefix) => word.starts_with(prefix),
            None => word == pattern,
        }
    }

    /// A phrase containing a word that another cue of the same list already matches would
    /// count one mention twice.
    #[test]
    fn no_cue_double_counts_another_in_its_list() {
        for (feature, cues) in CUES {
            for a in cues.iter().filter(|c| !c.contains(' ')) {
                for b in cues.iter().filter(|b| *b != a) {
                    assert!(!b.split(' ').any(|w| matches(a, w)), "{feature:?}: {a} also matches {b}");
                }
            }
        }
    }

    #[test]
    fn cues_are_lower_case_words() {
        for (feature, cues) in CUES {
            for cue in *cues {
                assert!(
                    cue.chars().all(|c| c.is_lowercase() || c.is_ascii_digit() || " *".contains(c)),
                    "{feature:?}: {cue}"
                );
            }
        }
    }
}
