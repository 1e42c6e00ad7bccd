//! Which process holds a reservation, and whether it is still alive. A reservation of a process
//! that died (SIGKILL, a crash, a power cut) is recovered as a charge by the next process that
//! opens the store instead of waiting out its lifetime; one from another host is judged by its
//! lifetime alone.

use std::sync::OnceLock;

use crate::store::Holder;

/// This process.
pub fn current() -> &'static Holder {
    static CURRENT: OnceLock<Holder> = OnceLock::new();
    CURRENT.get_or_init(|| {
        let pid = std::process::id();
        Holder { pid, host: host(), start: start_time(pid).unwrap_or_default() }
    })
}

/// Whether the process that wrote `holder` still runs. Only judged on this host, and only where
/// `/proc` exists; anywhere else a holder counts as alive (its lifetime still bounds it).
pub fn alive(pid: u32, holder: &Holder) -> bool {
    let me = current();
    if holder.host != me.host || me.host.is_empty() || !std::path::Path::new("/proc/self/stat").exists() {
        return true;
    }
    if pid == me.pid {
        return holder.start == me.start || holder.start.is_empty();
    }
    match start_time(pid) {
        None => false,
        // A reused pid is a different process: the holder is gone.
        Some(start) => holder.start.is_empty() || start == holder.start,
    }
}

fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_string())
        .unwrap_or_default()
}

/// Field 22 of `/proc/<pid>/stat` (start time in clock ticks since boot), read after the
/// command name, which may itself hold spaces or parentheses.
fn start_time(pid: u32) -> Option<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(19).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_dead_one_is_not() {
        let me = current().clone();
        assert!(alive(me.pid, &me));
        if me.host.is_empty() || !std::path::Path::new("/proc/self/stat").exists() {
            return;
        }
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        let gone = Holder { pid, host: me.host.clone(), start: "1".into() };
        assert!(!alive(pid, &gone), "a reaped child is dead");
        let reused = Holder { pid: me.pid, host: me.host.clone(), start: "not-my-start".into() };
        assert!(!alive(me.pid, &reused), "same pid, different start: another process");
        let elsewhere = Holder { pid, host: "another-host".into(), start: String::new() };
        assert!(alive(pid, &elsewhere), "another host's process is judged by its lifetime");
    }
}
