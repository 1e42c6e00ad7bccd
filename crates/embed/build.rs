//! Hashes the compiled-in model's weights and vocabulary once, at build time: the hash names
//! the model that stored vectors were made with, and computing it at run time read all 45 MB
//! of weights (the word table included, which a query otherwise barely touches) on every
//! command that ranks.

use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/all-MiniLM-L6-v2");
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for name in ["model.safetensors", "vocab.txt"] {
        let path = dir.join(name);
        println!("cargo:rerun-if-changed={}", path.display());
        h.update(&std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display())));
    }
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("builtin_hash.txt");
    std::fs::write(out, format!("{:016x}", h.digest())).expect("writing the model hash");
}
