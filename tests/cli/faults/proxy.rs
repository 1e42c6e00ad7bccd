//! A loopback fault proxy between `devteam` and the stand-in, for the faults the stand-in itself
//! cannot make: a stream cut right after `message_start` or in the middle of the content, a
//! stream that stalls forever after `message_start` (for kills and signals mid-stream), and
//! canned error statuses (503, 400, 401, 429 with or without `retry-after`) that never reach it.
//!
//! Plain blocking sockets, one thread per connection. Every request is forwarded with
//! `Connection: close`, so each connection carries exactly one request and one response.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// What the proxy does with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Forward both ways untouched.
    Pass,
    /// Forward the response up to the end of the `message_start` event, then close.
    CutAfterStart,
    /// Forward up to the end of the first `content_block_delta` event, then close.
    CutMidContent,
    /// Forward up to the end of `message_start`, then send nothing more (until the client goes).
    Stall,
    /// Answer with this HTTP status and an API error body without forwarding; the last field is
    /// a `retry-after` in seconds.
    Status(u16, &'static str, Option<u64>),
}

type Chooser = dyn Fn(usize) -> Mode + Send + Sync;

pub struct Proxy {
    addr: SocketAddr,
    served: Arc<AtomicUsize>,
    stalled: Arc<AtomicUsize>,
}

impl Proxy {
    /// Listens on a free loopback port; request `n` (from 0) is handled as `choose(n)` says.
    pub fn start(upstream: SocketAddr, choose: impl Fn(usize) -> Mode + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let addr = listener.local_addr().unwrap();
        let served = Arc::new(AtomicUsize::new(0));
        let stalled = Arc::new(AtomicUsize::new(0));
        let choose: Arc<Chooser> = Arc::new(choose);
        let (s, st) = (Arc::clone(&served), Arc::clone(&stalled));
        std::thread::spawn(move || {
            for client in listener.incoming().map_while(Result::ok) {
                let n = s.fetch_add(1, Ordering::SeqCst);
                let mode = choose(n);
                let st = Arc::clone(&st);
                std::thread::spawn(move || {
                    let _ = handle(client, upstream, mode, &st);
                });
            }
        });
        Self { addr, served, stalled }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Requests received so far.
    pub fn served(&self) -> usize {
        self.served.load(Ordering::SeqCst)
    }

    /// Streams now held stalled after their `message_start`.
    pub fn stalled(&self) -> usize {
        self.stalled.load(Ordering::SeqCst)
    }
}

fn handle(mut client: TcpStream, upstream: SocketAddr, mode: Mode, stalled: &AtomicUsize) -> std::io::Result<()> {
    let request = read_request(&mut client)?;
    if let Mode::Status(code, kind, retry_after) = mode {
        return answer(&mut client, code, kind, retry_after);
    }
    let mut up = TcpStream::connect(upstream)?;
    up.write_all(&request)?;
    let mut seen = Vec::new();
    let mut sent = 0;
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = up.read(&mut buf)?;
        if n == 0 {
            client.write_all(&seen[sent..])?;
            break;
        }
        seen.extend_from_slice(&buf[..n]);
        let stop = match mode {
            Mode::CutAfterStart | Mode::Stall => end_of_event(&seen, b"event: message_start"),
            Mode::CutMidContent => end_of_event(&seen, b"event: content_block_delta"),
            _ => None,
        };
        match stop {
            Some(end) => {
                client.write_all(&seen[sent..end])?;
                client.flush()?;
                if mode == Mode::Stall {
                    stalled.fetch_add(1, Ordering::SeqCst);
                    hold(&mut client);
                    stalled.fetch_sub(1, Ordering::SeqCst);
                }
                let _ = client.shutdown(Shutdown::Both);
                return Ok(());
            }
            None if mode == Mode::Pass => {
                client.write_all(&seen[sent..])?;
                sent = seen.len();
            }
            None => {}
        }
    }
    let _ = client.shutdown(Shutdown::Both);
    Ok(())
}

/// Waits until the client hangs up (killed, or gave up).
fn hold(client: &mut TcpStream) {
    let _ = client.set_read_timeout(Some(Duration::from_millis(100)));
    let mut byte = [0u8; 1];
    loop {
        match client.read(&mut byte) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(_) => return,
        }
    }
}

/// Reads one request (head and `Content-Length` body) and rewrites it to close after one reply.
fn read_request(client: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut data = Vec::new();
    let mut buf = [0u8; 8192];
    let head_end = loop {
        if let Some(at) = find(&data, b"\r\n\r\n") {
            break at + 4;
        }
        let n = client.read(&mut buf)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        data.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
    let length = head
        .lines()
        .find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("content-length")))
        .and_then(|(_, v)| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    while data.len() < head_end + length {
        let n = client.read(&mut buf)?;
        if n == 0 {
            break;
        }
        data.extend_from_slice(&buf[..n]);
    }
    let kept: Vec<&str> =
        head.trim_end().lines().filter(|l| !l.to_ascii_lowercase().starts_with("connection:")).collect();
    let mut out = format!("{}\r\nConnection: close\r\n\r\n", kept.join("\r\n")).into_bytes();
    out.extend_from_slice(&data[head_end..]);
    Ok(out)
}

fn answer(client: &mut TcpStream, code: u16, kind: &str, retry_after: Option<u64>) -> std::io::Result<()> {
    let body = format!(r#"{{"type":"error","error":{{"type":"{kind}","message":"injected by the fault proxy"}}}}"#);
    let retry = retry_after.map(|s| format!("retry-after: {s}\r\n")).unwrap_or_default();
    let reply = format!(
        "HTTP/1.1 {code} Injected\r\ncontent-type: application/json\r\nrequest-id: req_proxy\r\n{retry}\
         content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    client.write_all(reply.as_bytes())?;
    let _ = client.shutdown(Shutdown::Both);
    Ok(())
}

/// The offset just past the blank line that ends the first event named by `marker`.
fn end_of_event(data: &[u8], marker: &[u8]) -> Option<usize> {
    let start = find(data, marker)?;
    find(&data[start..], b"\n\n").map(|at| start + at + 2)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
