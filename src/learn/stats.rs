//! The few statistics learning and A/B tests need, written out so each is checkable: Wilson
//! bounds for rates, Welch's t-test for means, Fisher's exact test for 2x2 tables.

/// The lower end of the Wilson score interval for `k` successes in `n` at `z` (1.645 is a
/// one-sided 95 % bound). Unlike `k/n`, it is low when `n` is small.
pub fn wilson_lower(k: usize, n: usize, z: f64) -> f64 {
    if n == 0 {
        return 0.0;
    }
    let (n, p) = (n as f64, k as f64 / n as f64);
    let z2 = z * z;
    let centre = p + z2 / (2.0 * n);
    let margin = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    ((centre - margin) / (1.0 + z2 / n)).max(0.0)
}

/// Mean and sample variance.
pub fn mean_var(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    if xs.is_empty() {
        return (0.0, 0.0);
    }
    let mean = xs.iter().sum::<f64>() / n;
    let var = if xs.len() < 2 { 0.0 } else { xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0) };
    (mean, var)
}

/// Welch's t-test of equal means: (t, degrees of freedom, two-sided p). `None` with fewer than
/// two values on a side; p = 1 when both sides are constant and equal.
pub fn welch(a: &[f64], b: &[f64]) -> Option<(f64, f64, f64)> {
    if a.len() < 2 || b.len() < 2 {
        return None;
    }
    let ((ma, va), (mb, vb)) = (mean_var(a), mean_var(b));
    let (sa, sb) = (va / a.len() as f64, vb / b.len() as f64);
    let se2 = sa + sb;
    if se2 == 0.0 {
        return Some((0.0, (a.len() + b.len() - 2) as f64, if ma == mb { 1.0 } else { 0.0 }));
    }
    let t = (ma - mb) / se2.sqrt();
    let df = se2 * se2 / (sa * sa / (a.len() as f64 - 1.0) + sb * sb / (b.len() as f64 - 1.0));
    Some((t, df, student_two_sided(t, df)))
}

/// Two-sided p of Student's t with `df` degrees of freedom: I_{df/(df+t^2)}(df/2, 1/2).
pub fn student_two_sided(t: f64, df: f64) -> f64 {
    incomplete_beta(df / 2.0, 0.5, df / (df + t * t)).clamp(0.0, 1.0)
}

/// Fisher's exact test, two-sided: the probability, under fixed margins, of a table as or less
/// likely than [[a, b], [c, d]].
pub fn fisher_two_sided(a: u64, b: u64, c: u64, d: u64) -> f64 {
    let (row1, col1, n) = (a + b, a + c, a + b + c + d);
    let lo = col1.saturating_sub(c + d);
    let hi = row1.min(col1);
    let p = |x: u64| (ln_choose(row1, x) + ln_choose(n - row1, col1 - x) - ln_choose(n, col1)).exp();
    let observed = p(a);
    (lo..=hi).map(p).filter(|q| *q <= observed * (1.0 + 1e-7)).sum::<f64>().min(1.0)
}

fn ln_choose(n: u64, k: u64) -> f64 {
    ln_gamma(n as f64 + 1.0) - ln_gamma(k as f64 + 1.0) - ln_gamma((n - k) as f64 + 1.0)
}

/// ln Γ(x) by the Lanczos approximation (g = 7, n = 9), accurate to ~1e-15 for x > 0.
pub fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let t = x + 7.5;
    let sum: f64 = G[0] + G.iter().enumerate().skip(1).map(|(i, g)| g / (x + i as f64)).sum::<f64>();
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// The regularized incomplete beta I_x(a, b), by its continued fraction (Lentz).
pub fn incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front = (ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln()).exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_fraction(b, a, 1.0 - x) / b
    }
}

fn beta_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let mut c = 1.0;
    let mut d = 1.0 - (a + b) * x / (a + 1.0);
    d = if d.abs() < TINY { 1.0 / TINY } else { 1.0 / d };
    let mut f = d;
    for m in 1..300 {
        let m = f64::from(m);
        for numerator in [
            m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0)),
        ] {
            d = 1.0 + numerator * d;
            d = if d.abs() < TINY { 1.0 / TINY } else { 1.0 / d };
            c = 1.0 + numerator / c;
            c = if c.abs() < TINY { TINY } else { c };
            f *= c * d;
        }
        if (c * d - 1.0).abs() < 1e-12 {
            break;
        }
    }
    f
}

/// A small deterministic generator (SplitMix64) for simulations, the bootstrap and tests.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal (Box-Muller).
    #[cfg_attr(not(test), expect(dead_code, reason = "used by simulations in tests"))]
    pub fn normal(&mut self) -> f64 {
        let u = self.unit().max(1e-300);
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * self.unit()).cos()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn student_t_matches_published_critical_values() {
        // t(0.975) for 10 and 30 degrees of freedom: 2.228 and 2.042.
        assert!((student_two_sided(2.228, 10.0) - 0.05).abs() < 1e-3);
        assert!((student_two_sided(2.042, 30.0) - 0.05).abs() < 1e-3);
        assert!((student_two_sided(0.0, 5.0) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn fisher_matches_the_tea_tasting_table() {
        // Fisher's lady tasting tea: [[3, 1], [1, 3]] has two-sided p = 0.4857.
        assert!((fisher_two_sided(3, 1, 1, 3) - 0.4857).abs() < 1e-3);
        assert!((fisher_two_sided(10, 0, 0, 10) - 1.0825e-5).abs() < 1e-7);
    }

    #[test]
    fn wilson_is_cautious_on_little_evidence() {
        assert!(wilson_lower(3, 3, 1.645) < 0.6);
        assert!(wilson_lower(95, 100, 1.645) > 0.9);
        assert_eq!(wilson_lower(0, 0, 1.645), 0.0);
    }

    #[test]
    fn welch_separates_shifted_samples() {
        let mut rng = Rng::new(7);
        let a: Vec<f64> = (0..50).map(|_| rng.normal()).collect();
        let b: Vec<f64> = (0..50).map(|_| rng.normal() + 1.0).collect();
        assert!(welch(&a, &b).unwrap().2 < 0.001);
        assert!(welch(&a[..1], &b).is_none());
    }
}
