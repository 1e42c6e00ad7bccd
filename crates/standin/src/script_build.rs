//! Conveniences for building scripts in Rust tests, and the JSON spelling of [`Times`].

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::script::{Fault, Matcher, Reply, Rule, Times};

impl Rule {
    /// A rule that matches every request.
    pub fn any() -> Self {
        Self::default()
    }

    pub fn when_system_contains(mut self, needle: &str) -> Self {
        self.matcher.system_contains = Some(needle.into());
        self
    }

    pub fn when_system_regex(mut self, re: &str) -> Self {
        self.matcher.system_regex = Some(re.into());
        self
    }

    pub fn when_user_contains(mut self, needle: &str) -> Self {
        self.matcher.user_contains = Some(needle.into());
        self
    }

    pub fn when_user_regex(mut self, re: &str) -> Self {
        self.matcher.user_regex = Some(re.into());
        self
    }

    pub fn when_model(mut self, model: &str) -> Self {
        self.matcher.model = Some(model.into());
        self
    }

    pub fn reply(mut self, reply: Reply) -> Self {
        self.reply = Some(reply);
        self
    }

    pub fn fault(mut self, fault: Fault) -> Self {
        self.fault = Some(fault);
        self
    }

    pub fn times(mut self, times: Times) -> Self {
        self.times = times;
        self
    }
}

impl Matcher {
    /// True when no condition is set.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

impl Reply {
    /// A text reply billed at the text's own token count.
    pub fn text(text: &str) -> Self {
        Self { text: Some(text.into()), ..Self::default() }
    }

    /// Overrides the billed output tokens.
    pub fn with_output_tokens(mut self, tokens: u32) -> Self {
        self.output_tokens = Some(tokens);
        self
    }
}

impl Serialize for Times {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Times::Once => s.serialize_str("once"),
            Times::Always => s.serialize_str("always"),
            Times::Count(n) => s.serialize_u32(*n),
        }
    }
}

impl<'de> Deserialize<'de> for Times {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TimesVisitor)
    }
}

struct TimesVisitor;

impl Visitor<'_> for TimesVisitor {
    type Value = Times;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(r#""once", "always" or a count"#)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Times, E> {
        match v {
            "once" => Ok(Times::Once),
            "always" => Ok(Times::Always),
            other => Err(E::unknown_variant(other, &["once", "always"])),
        }
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Times, E> {
        u32::try_from(v).map(Times::Count).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Times, E> {
        u32::try_from(v).map(Times::Count).map_err(E::custom)
    }
}
