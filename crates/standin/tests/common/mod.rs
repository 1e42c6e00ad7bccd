//! A deliberately tiny HTTP/1.1 client over std TCP, so the tests need no HTTP client crate and
//! can observe a dropped connection directly.

#![allow(
    dead_code,
    reason = "shared by several test binaries, each using a different part: `expect` would be unfulfilled in some"
)]

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use devteam_standin::{Config, Handle, StandIn};
use serde_json::Value;

pub const KEY: &str = "sk-test-key";

pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// `(event name, data)` pairs of an SSE body.
    pub fn events(&self) -> Vec<(String, Value)> {
        self.body
            .split("\n\n")
            .filter(|f| !f.trim().is_empty())
            .map(|frame| {
                let field = |p: &str| frame.lines().find_map(|l| l.strip_prefix(p)).unwrap().to_string();
                (field("event: "), serde_json::from_str(&field("data: ")).unwrap())
            })
            .collect()
    }
}

pub fn start() -> Handle {
    StandIn::start(Config::default()).expect("standin starts")
}

/// Sends one request with `Connection: close` and reads the whole response.
pub fn send(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> io::Result<Resp> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(20)))?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    stream.write_all(head.as_bytes())?;
    stream.write_all(body.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    parse(&raw)
}

fn parse(raw: &[u8]) -> io::Result<Resp> {
    let text = String::from_utf8_lossy(raw);
    let (head, body) =
        text.split_once("\r\n\r\n").ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "no response"))?;
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| io::Error::other("bad status line"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let chunked = headers.iter().any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"));
    let body = if chunked { dechunk(body) } else { body.to_string() };
    Ok(Resp { status, headers, body })
}

fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&after[..n]);
        rest = &after[n + 2..];
    }
    out
}

pub fn auth() -> Vec<(&'static str, &'static str)> {
    vec![("x-api-key", KEY), ("anthropic-version", "2023-06-01"), ("content-type", "application/json")]
}

pub fn post(h: &Handle, path: &str, body: &Value) -> Resp {
    send(h.addr(), "POST", path, &auth(), &body.to_string()).expect("response")
}

pub fn get(h: &Handle, path: &str) -> Resp {
    send(h.addr(), "GET", path, &auth(), "").expect("response")
}

/// A minimal valid create body.
pub fn simple(model: &str, user: &str) -> Value {
    serde_json::json!({"model": model, "max_tokens": 256, "messages": [{"role": "user", "content": user}]})
}

/// A create body with a cached system prompt of about `tokens` tokens.
pub fn cached(model: &str, tokens: usize, ttl: &str, user: &str) -> Value {
    serde_json::json!({
        "model": model, "max_tokens": 256,
        "system": [{"type": "text", "text": "s".repeat(tokens * 4),
                    "cache_control": {"type": "ephemeral", "ttl": ttl}}],
        "messages": [{"role": "user", "content": user}]
    })
}
