//! A small thesaurus of software work: how people describe a problem (symptoms, outcomes,
//! product names) mapped to the vocabulary agent libraries describe their roles in. It is
//! general domain knowledge, not a list of agents: "the page takes 8 seconds" is a
//! performance problem in any library.
//!
//! Each entry is `(triggers, expansions)`. A trigger matches a task word that starts with it
//! (so `crash` matches "crashes", "crashing"); triggers shorter than four letters must match
//! the whole word.

pub const ENTRIES: &[(&[&str], &[&str])] = &[
    // Speed and resources.
    (
        &["slow", "sluggish", "lag", "latency", "seconds", "fast", "faster", "speed", "hang"],
        &["performance", "latency", "optimization", "profiling", "bottleneck"],
    ),
    (&["fps", "frame", "jank", "stutter"], &["performance", "rendering", "profiling", "frame"]),
    (
        &["lighthouse", "vitals", "lcp", "inp", "cls", "bundle"],
        &["performance", "web", "vitals", "frontend", "loading"],
    ),
    (&["memory", "leak", "oom", "heap", "goroutine"], &["memory", "leak", "profiling", "performance", "concurrency"]),
    (
        &["cpu", "spike", "throughput", "scale", "scaling", "traffic", "load"],
        &["performance", "scalability", "capacity", "load"],
    ),
    // Failures.
    (
        &[
            "error",
            "exception",
            "traceback",
            "stack",
            "crash",
            "bug",
            "broken",
            "fails",
            "failing",
            "failure",
            "keyerror",
            "nullpointer",
            "panic",
            "wrong",
            "intermittent",
            "flaky",
            "regression",
        ],
        &["debugging", "error", "root", "cause", "diagnosis", "troubleshooting"],
    ),
    (&["500", "502", "503", "504", "5xx", "404"], &["error", "server", "http", "debugging", "incident"]),
    (
        &["down", "outage", "paged", "pager", "oncall", "sev", "unavailable", "postmortem", "firefight"],
        &["incident", "outage", "response", "triage", "postmortem", "reliability"],
    ),
    // Security.
    (
        &[
            "attack",
            "abuse",
            "exploit",
            "inject",
            "xss",
            "csrf",
            "ssrf",
            "vulnerab",
            "cve",
            "breach",
            "hack",
            "malicious",
            "owasp",
            "pentest",
        ],
        &["security", "vulnerability", "threat", "attack", "secure"],
    ),
    (
        &["leak", "leaked", "exposed", "credential", "secret", "token", "password", "apikey"],
        &["secrets", "security", "credentials", "rotation"],
    ),
    (
        &["login", "signin", "sso", "oauth", "saml", "oidc", "jwt", "session", "mfa", "2fa"],
        &["authentication", "identity", "security", "oauth", "sso"],
    ),
    (
        &["gdpr", "ccpa", "hipaa", "soc", "pci", "iso", "audit", "compliance", "consent", "cookie", "privacy"],
        &["compliance", "privacy", "regulation", "legal", "audit"],
    ),
    (
        &["malware", "binary", "elf", "compromis", "forensic", "ioc", "indicator", "ransomware"],
        &["malware", "forensics", "reverse", "engineering", "incident"],
    ),
    // Data.
    (
        &["query", "queries", "sql", "index", "indexes", "explain", "orm", "rows", "table", "join"],
        &["database", "sql", "query", "optimization", "index"],
    ),
    (
        &["postgres", "postgresql", "mysql", "sqlite", "mongodb", "dynamodb", "schema", "migration"],
        &["database", "schema", "data", "sql"],
    ),
    (
        &[
            "pipeline",
            "etl",
            "elt",
            "warehouse",
            "bigquery",
            "snowflake",
            "redshift",
            "airflow",
            "dbt",
            "cdc",
            "ingest",
        ],
        &["data", "pipeline", "etl", "warehouse", "engineering"],
    ),
    (
        &["dashboard", "report", "kpi", "metric", "funnel", "cohort", "chart"],
        &["analytics", "dashboard", "metrics", "reporting", "data"],
    ),
    (
        &["kafka", "stream", "kinesis", "flink", "consumer", "event", "queue"],
        &["streaming", "events", "messaging", "kafka"],
    ),
    (&["cache", "caching", "redis", "memcached", "stale"], &["caching", "redis", "performance"]),
    // AI and ML.
    (
        &["model", "train", "training", "predict", "classif", "forecast", "churn"],
        &["machine", "learning", "model", "ml"],
    ),
    (
        &["llm", "gpt", "claude", "chatbot", "assistant", "agent", "prompt"],
        &["llm", "ai", "prompt", "language", "model"],
    ),
    (
        &["embedding", "vector", "semantic", "retrieval", "rag", "manuals"],
        &["embeddings", "vector", "retrieval", "rag", "search"],
    ),
    (&["finetune", "eval", "benchmark", "hallucinat"], &["evaluation", "fine-tuning", "llm", "model"]),
    // Infrastructure and delivery.
    (
        &["deploy", "release", "rollout", "canary", "rollback", "ship"],
        &["deployment", "release", "ci", "cd", "delivery"],
    ),
    (
        &["ci", "pipeline", "github", "actions", "gitlab", "jenkins", "build"],
        &["ci", "cd", "pipeline", "build", "automation"],
    ),
    (
        &["kubernetes", "k8s", "pod", "helm", "cluster", "argocd", "crashloop"],
        &["kubernetes", "containers", "orchestration", "cluster"],
    ),
    (&["docker", "container", "image", "dockerfile"], &["docker", "containers", "images"]),
    (
        &["terraform", "iac", "cloudformation", "pulumi", "console", "provision"],
        &["infrastructure", "code", "terraform", "iac", "cloud"],
    ),
    (&["aws", "gcp", "azure", "cloud", "lambda", "s3", "ec2"], &["cloud", "infrastructure", "architecture"]),
    (
        &["dns", "tls", "ssl", "certificate", "vpn", "firewall", "balancer", "cdn", "network"],
        &["network", "networking", "dns", "tls", "connectivity"],
    ),
    (&["mtls", "mesh", "istio", "linkerd", "sidecar"], &["service", "mesh", "mtls", "traffic"]),
    (
        &["monitor", "alert", "tracing", "trace", "logs", "observab", "prometheus", "grafana", "opentelemetry", "slo"],
        &["observability", "monitoring", "metrics", "tracing", "alerting"],
    ),
    (&["bill", "cost", "spend", "expensive", "budget", "savings"], &["cost", "optimization", "finops", "budget"]),
    (
        &["server", "linux", "disk", "systemd", "ssh", "cron", "kernel"],
        &["linux", "server", "administration", "operations"],
    ),
    // Building software.
    (
        &["test", "tests", "coverage", "untested", "unit", "integration", "e2e", "qa"],
        &["testing", "test", "automation", "quality", "coverage"],
    ),
    (&["review", "pr", "pull", "merge"], &["review", "code", "quality"]),
    (
        &["refactor", "messy", "spaghetti", "cleanup", "duplicat", "smell", "rewrite"],
        &["refactoring", "clean", "code", "maintainability"],
    ),
    (
        &["legacy", "outdated", "migrate", "modernize", "monolith", "cobol", "angularjs", "jquery"],
        &["legacy", "modernization", "migration", "incremental"],
    ),
    (&["api", "endpoint", "rest", "openapi", "graphql", "grpc", "webhook"], &["api", "backend", "endpoints", "design"]),
    (
        &["architecture", "design", "microservice", "boundaries", "distributed", "ledger", "cqrs", "sourcing"],
        &["architecture", "design", "system", "distributed"],
    ),
    (
        &[
            "page",
            "ui",
            "component",
            "button",
            "form",
            "css",
            "layout",
            "responsive",
            "frontend",
            "react",
            "vue",
            "angular",
            "storefront",
            "browser",
        ],
        &["frontend", "ui", "web", "components"],
    ),
    (
        &["phone", "phones", "mobile", "ios", "iphone", "ipad", "android", "offline", "swiftui", "widget"],
        &["mobile", "app", "ios", "android"],
    ),
    (&["game", "unity", "unreal", "godot", "enemies", "player"], &["game", "development", "unity", "performance"]),
    (&["accessib", "screen", "reader", "wcag", "keyboard", "contrast", "aria"], &["accessibility", "a11y", "wcag"]),
    (&["translat", "locale", "locali", "i18n", "language", "rtl"], &["internationalization", "localization", "i18n"]),
    (
        &["payment", "billing", "stripe", "subscription", "invoice", "checkout", "refund", "charge"],
        &["payments", "billing", "stripe", "subscriptions"],
    ),
    (&["search", "relevance", "autocomplete", "elasticsearch", "opensearch"], &["search", "relevance", "indexing"]),
    (&["websocket", "realtime", "chat", "presence", "notification"], &["realtime", "websockets", "messaging"]),
    (&["script", "bash", "shell", "shellcheck"], &["shell", "bash", "scripting", "automation"]),
    (
        &["firmware", "microcontroller", "stm32", "esp32", "uart", "dma", "rtos", "embedded", "driver"],
        &["embedded", "firmware", "c", "microcontroller"],
    ),
    (&["monorepo", "turborepo", "nx", "bazel", "workspace"], &["monorepo", "build", "tooling"]),
    (
        &["dependency", "dependencies", "upgrade", "lockfile", "renovate", "dependabot"],
        &["dependencies", "upgrades", "supply", "chain"],
    ),
    (&["git", "rebase", "branch", "commit", "conflict"], &["git", "version", "control", "workflow"]),
    // Words and pictures.
    (
        &["docs", "documentation", "guide", "tutorial", "readme", "onboarding", "contributor", "walkthrough", "howto"],
        &["documentation", "technical", "writing", "tutorial", "guide"],
    ),
    (
        &["diagram", "flowchart", "sequence", "visuali", "draw"],
        &["diagram", "mermaid", "visualization", "architecture"],
    ),
    (&["seo", "ranking", "keyword", "blog", "google", "organic"], &["seo", "search", "content", "ranking"]),
    (
        &["policy", "terms", "contract", "license", "dpa", "legal", "agreement"],
        &["legal", "compliance", "privacy", "policy"],
    ),
    (
        &["requirement", "roadmap", "prioriti", "stakeholder", "story", "stories", "prd"],
        &["product", "requirements", "planning", "roadmap"],
    ),
    (&["interview", "usability", "survey", "persona"], &["research", "ux", "usability"]),
    (&["mockup", "figma", "visual", "pretty"], &["design", "ui", "visual"]),
    (&["sprint", "standup", "retro", "estimate", "velocity", "deadline"], &["agile", "scrum", "process", "planning"]),
    (&["hire", "hiring", "morale", "burnout"], &["management", "team", "leadership"]),
];
