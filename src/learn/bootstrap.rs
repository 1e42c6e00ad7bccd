//! A bootstrap test of a difference in means, the alternative to Welch's t-test for costs,
//! whose distribution per task is skewed (a few expensive tasks) and whose samples may be too
//! small for the t approximation. Method: the studentized bootstrap test of Efron and
//! Tibshirani (An Introduction to the Bootstrap, 1993, algorithm 16.2): both samples are
//! shifted to the pooled mean, so the null hypothesis (equal means) holds while each keeps its
//! own spread; each is resampled with replacement; the p-value is the share of resampled
//! t statistics at least as extreme as the observed one. Seeded, so a report is reproducible.

use super::stats::{Rng, mean_var};

/// Resamples a report draws: p-values resolve to 1/2001, fine at alpha/2 = 0.025.
pub const RESAMPLES: usize = 2000;

/// Two-sided p-value for equal means of `a` and `b`; `None` with fewer than 2 values a side.
pub fn mean_difference_p(a: &[f64], b: &[f64], resamples: usize, seed: u64) -> Option<f64> {
    if a.len() < 2 || b.len() < 2 {
        return None;
    }
    let observed = t_stat(a, b)?;
    let pooled = (a.iter().sum::<f64>() + b.iter().sum::<f64>()) / (a.len() + b.len()) as f64;
    let shift = |xs: &[f64]| {
        let m = mean_var(xs).0;
        xs.iter().map(|x| x - m + pooled).collect::<Vec<_>>()
    };
    let (a0, b0) = (shift(a), shift(b));
    let mut rng = Rng::new(seed);
    let (mut ra, mut rb) = (vec![0.0; a.len()], vec![0.0; b.len()]);
    let mut extreme = 0usize;
    for _ in 0..resamples {
        draw(&mut rng, &a0, &mut ra);
        draw(&mut rng, &b0, &mut rb);
        // A resample with no spread on both sides has no t: it counts as not extreme.
        if t_stat(&ra, &rb).is_some_and(|t| t.abs() >= observed.abs()) {
            extreme += 1;
        }
    }
    Some((extreme + 1) as f64 / (resamples + 1) as f64)
}

/// Welch's statistic, `None` when neither sample varies.
fn t_stat(a: &[f64], b: &[f64]) -> Option<f64> {
    let ((ma, va), (mb, vb)) = (mean_var(a), mean_var(b));
    let se = (va / a.len() as f64 + vb / b.len() as f64).sqrt();
    (se > 0.0).then(|| (mb - ma) / se)
}

fn draw(rng: &mut Rng, from: &[f64], into: &mut [f64]) {
    for slot in into.iter_mut() {
        *slot = from[(rng.next_u64() % from.len() as u64) as usize];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clear_difference_has_a_small_p_and_equal_samples_a_large_one() {
        let a: Vec<f64> = (0..40).map(|i| 100.0 + f64::from(i % 7)).collect();
        let b: Vec<f64> = a.iter().map(|x| x * 0.7).collect();
        let p = mean_difference_p(&a, &b, 999, 1).unwrap();
        assert!(p <= 0.002, "{p}");
        let p = mean_difference_p(&a, &a, 999, 1).unwrap();
        assert!(p > 0.9, "{p}");
        assert_eq!(mean_difference_p(&a[..1], &b, 999, 1), None);
    }

    #[test]
    fn the_same_seed_gives_the_same_p() {
        let a = [1.0, 5.0, 2.0, 8.0, 3.0];
        let b = [2.0, 9.0, 4.0, 7.0, 6.0];
        assert_eq!(mean_difference_p(&a, &b, 500, 7), mean_difference_p(&a, &b, 500, 7));
    }
}
