//! The shared store going away mid-run: PostgreSQL is reached through a TCP relay the test can
//! cut. A run whose call is in flight when the server disappears fails with a clear error
//! naming the shared store (and no password), in bounded time; nothing is lost: once the server
//! is back, the next devteam turns the run's reservation into a charge, so the store again
//! holds every call the stand-in billed, at no less than it was billed.

use std::io::{Read as _, Write as _};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use devteam_standin::{Config, Fault, Reply, Rule, Script, StandIn, Times};

use super::{Mode, Rig, ledger_cost};
use crate::pg::{self, Server};

/// A loopback TCP relay to `upstream` that can drop every connection and refuse new ones.
struct Relay {
    port: u16,
    down: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
}

impl Relay {
    fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (down, open) = (Arc::new(AtomicBool::new(false)), Arc::new(Mutex::new(Vec::new())));
        let (d, o) = (Arc::clone(&down), Arc::clone(&open));
        std::thread::spawn(move || {
            for client in listener.incoming().map_while(Result::ok) {
                if d.load(Ordering::SeqCst) {
                    continue; // down: the client sees its connection closed at once
                }
                let Ok(server) = TcpStream::connect(&upstream) else { continue };
                o.lock().unwrap().extend([client.try_clone().unwrap(), server.try_clone().unwrap()]);
                for (mut from, mut to) in [(client.try_clone().unwrap(), server.try_clone().unwrap()), (server, client)]
                {
                    std::thread::spawn(move || {
                        let mut buf = [0u8; 16 * 1024];
                        while let Ok(n) = from.read(&mut buf) {
                            if n == 0 || to.write_all(&buf[..n]).is_err() {
                                break;
                            }
                        }
                        let _ = to.shutdown(Shutdown::Both);
                    });
                }
            }
        });
        Self { port, down, open }
    }

    fn cut(&self) {
        self.down.store(true, Ordering::SeqCst);
        for s in self.open.lock().unwrap().drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
    }

    fn restore(&self) {
        self.down.store(false, Ordering::SeqCst);
    }
}

#[test]
fn a_shared_store_that_goes_away_mid_run_gives_a_clear_error_and_loses_no_call() {
    let Some(url) =
        pg::fresh("faults::shared_gone::a_shared_store_that_goes_away_mid_run_gives_a_clear_error_and_loses_no_call")
    else {
        return;
    };
    let (head, rest) = url.split_once('@').unwrap();
    let (hostport, db) = rest.split_once('/').unwrap();
    let relay = Relay::start(hostport.to_string());
    let relayed = format!("{head}@127.0.0.1:{}/{db}", relay.port);
    // The call is held 3 s at the stand-in: long enough to cut the server while it is in flight.
    let slow = Rule::any().fault(Fault::Slow { delay_ms: 3_000 }).times(Times::Always);
    let mut rig = Rig::new(Script::default(), |_| Mode::Pass);
    rig.server = StandIn::start(Config {
        script: Script { rules: vec![slow], default_reply: Some(Reply::text(super::ANSWER)) },
        ..Config::default()
    })
    .unwrap();
    rig.proxy = super::Proxy::start(rig.server.addr(), |_| Mode::Pass);
    let with_db = |mut cmd: std::process::Command| {
        cmd.env("DEVTEAM_DB", &relayed);
        cmd
    };
    let mut set = with_db(rig.cmd());
    assert!(set.args(["budget", "set", "daily", "1"]).status().unwrap().success());
    let child = with_db(rig.run("tune the slow orders query"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    super::wait_for("the call to reach the stand-in", Duration::from_secs(120), || !rig.server.requests().is_empty());
    relay.cut();
    let started = Instant::now();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    eprintln!("devteam said: {err}");
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("shared store"), "the error names the shared store: {err}");
    assert!(!err.contains("devteam-test@") && !err.contains(":devteam-test"), "no password: {err}");
    assert!(started.elapsed() < Duration::from_secs(90), "bounded: {:?}", started.elapsed());
    // Back again: the next devteam charges the dead run's reservation.
    relay.restore();
    let mut status = with_db(rig.cmd());
    let out = status.args(["budget", "status"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let server = Server::new(&url);
    let ledger = rig.server.ledger();
    assert_eq!(ledger.len(), 1, "the stand-in billed the call");
    assert_eq!(server.int("SELECT COUNT(*) FROM calls"), 1, "the billed call is in the store");
    assert_eq!(server.int("SELECT COUNT(*) FROM reservations"), 0);
    assert!(server.int("SELECT SUM(cost_micros)::BIGINT FROM calls") >= ledger_cost(&ledger[0]), "never below");
}
