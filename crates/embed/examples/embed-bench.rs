//! Times the compiled-in model: loading it, and embedding a query and a long body.
//!
//!     cargo run --release -p devteam-embed --example embed-bench [-- RUNS [LONG_RUNS]]
//!
//! A figure for profiling (`perf record` on this binary), not an assertion: the
//! `discover` benchmark (`scripts/bench-discovery.py`) is the one the README reports.

use std::time::Instant;

use devteam_embed::Model;

const QUERY: &str = "the checkout page takes 8 seconds to load on android phones";

fn main() {
    let runs: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(50);
    let started = Instant::now();
    let id = Model::id_of(None).expect("model id");
    let id_ms = ms(started);
    let started = Instant::now();
    let model = Model::load(None).expect("the compiled-in model loads");
    let load_ms = ms(started);
    let mut query = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        std::hint::black_box(model.embed(std::hint::black_box(QUERY)));
        query.push(ms(started));
    }
    let body = "Tune postgres indexes, read query plans and fix slow joins. ".repeat(40);
    let long_runs: usize = std::env::args().nth(2).and_then(|a| a.parse().ok()).unwrap_or(1);
    let mut long = Vec::with_capacity(long_runs);
    for _ in 0..long_runs.max(1) {
        let started = Instant::now();
        std::hint::black_box(model.embed_long(&body, 128, 8));
        long.push(ms(started));
    }
    long.sort_by(f64::total_cmp);
    let long_ms = long[0];
    query.sort_by(f64::total_cmp);
    println!("model {id}");
    println!("id_of {id_ms:.2} ms, load {load_ms:.2} ms");
    println!(
        "query embed: median {:.2} ms, best {:.2} ms over {runs} runs; long body ({} tokens) best {long_ms:.2} ms",
        query[runs / 2],
        query[0],
        model.count_tokens(&body)
    );
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}
