//! Costs checked against sums worked by hand from the published rates.

use super::*;

fn table() -> PriceTable {
    PriceTable::load(None).unwrap()
}

fn usage(input: u64, output: u64, w5: u64, w1h: u64, read: u64) -> TokenUsage {
    TokenUsage { input, output, cache_write_5m: w5, cache_write_1h: w1h, cache_read: read }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

#[test]
fn plain_request() {
    // Sonnet 4.6: 10,000 in at $3/M = $0.03; 2,000 out at $15/M = $0.03.
    let c = table().cost("claude-sonnet-4-6", &usage(10_000, 2_000, 0, 0, 0), false).unwrap();
    assert!(close(c.input, 0.03) && close(c.output, 0.03) && close(c.total, 0.06), "{c:?}");
}

#[test]
fn five_minute_and_one_hour_writes() {
    // Haiku 4.5: 4,000 5m-write at $1.25/M = $0.005; 8,000 1h-write at $2/M = $0.016;
    // 100 in at $1/M = $0.0001; 50 out at $5/M = $0.00025.
    let c = table().cost("claude-haiku-4-5", &usage(100, 50, 4_000, 8_000, 0), false).unwrap();
    assert!(close(c.cache_write_5m, 0.005) && close(c.cache_write_1h, 0.016), "{c:?}");
    assert!(close(c.total, 0.005 + 0.016 + 0.0001 + 0.00025), "{c:?}");
}

#[test]
fn cache_reads_use_the_models_own_rate() {
    // Opus 4.6 reads at $0.50/M (0.1x); Opus 5.5 at $0.20/M (0.05x of $4).
    let t = table();
    let u = usage(0, 0, 0, 0, 1_000_000);
    assert!(close(t.cost("claude-opus-4-6", &u, false).unwrap().total, 0.50));
    assert!(close(t.cost("claude-opus-5-5", &u, false).unwrap().total, 0.20));
}

#[test]
fn batch_is_half_price_on_every_field() {
    // Sonnet 4.6 batch: 1M in at $1.50, 1M out at $7.50, 1M 5m-write at $1.875, 1M read at $0.15.
    let c = table().cost("claude-sonnet-4-6", &usage(1_000_000, 1_000_000, 1_000_000, 0, 1_000_000), true).unwrap();
    assert!(
        close(c.input, 1.5) && close(c.output, 7.5) && close(c.cache_write_5m, 1.875) && close(c.cache_read, 0.15),
        "{c:?}"
    );
}

#[test]
fn long_context_applies_per_request_to_all_tokens() {
    // Sonnet 4.5 above 200K input: 150K in + 60K read = 210K > 200K, so $6/M in, $0.60/M read,
    // $22.50/M out: 0.9 + 0.036 + 0.0225 = 0.9585. At 190K total input the base rates apply.
    let t = table();
    let c = t.cost("claude-sonnet-4-5", &usage(150_000, 1_000, 0, 0, 60_000), false).unwrap();
    assert!(close(c.total, 0.9 + 0.036 + 0.0225), "{c:?}");
    let c = t.cost("claude-sonnet-4-5", &usage(130_000, 1_000, 0, 0, 60_000), false).unwrap();
    assert!(close(c.total, 0.39 + 0.018 + 0.015), "{c:?}");
}

#[test]
fn tiers_aliases_and_unknown_models() {
    let t = table();
    assert_eq!(t.model("haiku").unwrap().id, "claude-haiku-4-5");
    assert_eq!(t.model("claude-haiku-4-5-20251001").unwrap().id, "claude-haiku-4-5");
    let err = t.cost("claude-imaginary-9", &TokenUsage::default(), false).unwrap_err();
    assert!(format!("{err}").contains("no price for model `claude-imaginary-9`"));
}

#[test]
fn yaml_overrides_replace_and_add_models() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("prices.yaml");
    std::fs::write(&path, "tiers: { sonnet: my-sonnet }\nmodels:\n  my-sonnet:\n    rates: { input: 1, output: 2, cache_write_5m: 1.25, cache_write_1h: 2, cache_read: 0.1 }\n").unwrap();
    let t = PriceTable::load(Some(&path)).unwrap();
    assert_eq!(t.model("sonnet").unwrap().id, "my-sonnet");
    assert!(close(t.cost("sonnet", &usage(1_000_000, 0, 0, 0, 0), false).unwrap().total, 1.0));
    std::fs::write(&path, "tiers: { opus: nowhere }\n").unwrap();
    let err = PriceTable::load(Some(&path)).unwrap_err();
    assert!(format!("{err:#}").contains("nowhere"), "{err:#}");
    std::fs::write(&path, "models:\n  x:\n    rates: { input: cheap }\n").unwrap();
    let err = PriceTable::load(Some(&path)).unwrap_err();
    assert!(format!("{err:#}").contains("prices.yaml"), "{err:#}");
}
