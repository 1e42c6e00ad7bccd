//! Variants: a key and the settings a run under it changes. Only settings a run reads are
//! allowed, and each is checked when the test starts, not when a run meets it.

use crate::prompt::CacheStrategy;
pub use crate::records::ab::{Setting, Variant};
use crate::routing::Thresholds;
use crate::settings::Settings;

/// Parses `KEY=SETTING,SETTING...` (`KEY=` keeps the settings as they are).
pub fn parse(spec: &str) -> Result<Variant, String> {
    let (key, rest) = spec.split_once('=').ok_or_else(|| format!("variant {spec:?}: expected KEY=SETTINGS"))?;
    let key = key.trim();
    if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(format!("variant {spec:?}: the key must be letters, digits, - or _"));
    }
    let settings = rest
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| setting(s).map_err(|e| format!("variant {key}: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Variant { key: key.to_string(), settings, weight: 1.0 })
}

fn setting(s: &str) -> Result<Setting, String> {
    let (name, value) = s.split_once('=').ok_or_else(|| format!("{s:?}: expected NAME=VALUE"))?;
    let value = value.trim();
    let number = || {
        value.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| format!("{name}: {value:?} is not a number"))
    };
    let switch = || match value {
        "on" | "true" => Ok(true),
        "off" | "false" => Ok(false),
        _ => Err(format!("{name}: {value:?}: expected on or off")),
    };
    Ok(match name.trim() {
        "tier-thresholds.sonnet" => Setting::SonnetFrom(number()?),
        "tier-thresholds.opus" => Setting::OpusFrom(number()?),
        "cache-strategy" if CacheStrategy::parse(value).is_some() => Setting::CacheStrategy(value.to_string()),
        "cache-strategy" => return Err(format!("cache-strategy {value:?}: expected off, 5m, mixed or 1h")),
        "max-tokens" => Setting::MaxTokens(
            value
                .parse()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("max-tokens: {value:?} is not a positive whole number"))?,
        ),
        "planning" => Setting::Planning(switch()?),
        "learned-routing" => Setting::LearnedRouting(switch()?),
        other => {
            return Err(format!(
                "unknown setting {other:?}: expected tier-thresholds.sonnet, tier-thresholds.opus, cache-strategy, max-tokens, planning or learned-routing"
            ));
        }
    })
}

/// Applies the split `W,W,...` to `variants`, in order.
pub fn split(variants: &mut [Variant], spec: &str) -> Result<(), String> {
    let weights: Vec<f64> = spec
        .split(',')
        .map(|w| w.trim().parse::<f64>().ok().filter(|w| w.is_finite() && *w > 0.0))
        .collect::<Option<_>>()
        .ok_or_else(|| format!("--split {spec:?}: expected positive numbers separated by commas"))?;
    if weights.len() != variants.len() {
        return Err(format!("--split {spec:?} has {} share(s) for {} variants", weights.len(), variants.len()));
    }
    for (v, w) in variants.iter_mut().zip(weights) {
        v.weight = w;
    }
    Ok(())
}

/// `settings` as a run under `variant` sees them; thresholds that end up out of order are an
/// error naming the variant.
pub fn apply(variant: &Variant, mut settings: Settings) -> Result<Settings, String> {
    let mut t: Thresholds = settings.routing.thresholds;
    for s in &variant.settings {
        match s {
            Setting::SonnetFrom(v) => t.sonnet = *v,
            Setting::OpusFrom(v) => t.opus = *v,
            Setting::CacheStrategy(v) => settings.run.cache_strategy = CacheStrategy::parse(v).unwrap_or_default(),
            Setting::MaxTokens(n) => settings.run.max_tokens = *n,
            Setting::Planning(on) => settings.run.switches.planning = *on,
            Setting::LearnedRouting(false) => settings.routing.learned = None,
            Setting::LearnedRouting(true) => {}
        }
    }
    settings.routing.thresholds = t.validate().map_err(|e| format!("variant {}: tier-thresholds.{e}", variant.key))?;
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_parse_and_bad_ones_are_named() {
        let v = parse("cheap=tier-thresholds.sonnet=4, cache-strategy=5m,planning=off").unwrap();
        assert_eq!(v.key, "cheap");
        assert_eq!(v.settings.len(), 3);
        assert_eq!(parse("control=").unwrap().settings, vec![]);
        assert!(parse("x=colour=red").unwrap_err().contains("unknown setting \"colour\""));
        assert!(parse("x=max-tokens=0").unwrap_err().contains("max-tokens"));
        assert!(parse("=planning=on").unwrap_err().contains("key"));
        let mut vs = vec![parse("a=").unwrap(), parse("b=").unwrap()];
        assert!(split(&mut vs, "70,30").is_ok() && vs[0].weight == 70.0);
        assert!(split(&mut vs, "70").is_err() && split(&mut vs, "70,-1").is_err());
    }
}
