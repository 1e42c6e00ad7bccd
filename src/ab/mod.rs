//! A/B tests: new runs are split between variants of the settings by a hash of the task and the
//! test's name (so the same task always lands on the same variant of a test, and two tests
//! split independently); `ab report` compares what each variant cost and how it did.

pub mod report;
pub mod variant;

pub use crate::records::ab::{AbRun, AbTest, Variant};

/// The variant of `test` a task goes to: the hash of the test's name and the task, as a point
/// in [0, 1), falls in one variant's share of the split.
pub fn assign<'a>(test: &'a AbTest, task: &str) -> &'a Variant {
    let key = format!("{}\u{0}{}", test.name, task.trim());
    let point = (xxhash_rust::xxh3::xxh3_64(key.as_bytes()) >> 11) as f64 / (1u64 << 53) as f64;
    let total: f64 = test.variants.iter().map(|v| v.weight).sum();
    let mut edge = 0.0;
    for v in &test.variants {
        edge += v.weight / total;
        if point < edge {
            return v;
        }
    }
    test.variants.last().expect("a test has at least two variants")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test(split: &[f64]) -> AbTest {
        let variants = split
            .iter()
            .enumerate()
            .map(|(i, w)| Variant { key: format!("v{i}"), settings: Vec::new(), weight: *w })
            .collect();
        AbTest { name: "t".into(), started_ms: 0, stopped_ms: None, alpha: 0.05, variants }
    }

    #[test]
    fn assignment_is_deterministic_and_follows_the_split() {
        let t = test(&[80.0, 20.0]);
        let tasks: Vec<String> = (0..4000).map(|i| format!("task {i}")).collect();
        let first: Vec<&str> = tasks.iter().map(|task| assign(&t, task).key.as_str()).collect();
        let again: Vec<&str> = tasks.iter().map(|task| assign(&t, task).key.as_str()).collect();
        assert_eq!(first, again);
        let share = first.iter().filter(|k| **k == "v1").count() as f64 / tasks.len() as f64;
        assert!((share - 0.2).abs() < 0.03, "{share}");
        // Another test's name splits the same tasks differently.
        let other = AbTest { name: "u".into(), ..test(&[80.0, 20.0]) };
        let moved = tasks.iter().filter(|task| assign(&t, task).key != assign(&other, task).key).count();
        assert!(moved > 400, "{moved}");
    }
}
