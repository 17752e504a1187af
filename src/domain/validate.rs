//! Model-constraint checks that become one `ValidationException` (SPEC §2.2).
//!
//! Each check appends `Value '<v>' at '<member>' failed to satisfy constraint: <constraint>`; `finish` joins them
//! into `<n> validation error(s) detected: ...`. Regexes are anchored to the whole value; the message quotes AWS's
//! original pattern text, which Rust's `regex` cannot always compile as-is.

use std::sync::LazyLock;

use regex::Regex;

use crate::error::Error;

/// A model pattern: the text AWS quotes in messages, and an anchored regex equivalent to it.
pub struct Pattern {
    pub text: &'static str,
    regex: LazyLock<Regex>,
    /// A hand-written matcher with exactly the regex's accept set, for the patterns on the permission operations'
    /// hot path (the regex engine cost more than the rest of AddPermission's validation). A property test in
    /// `patterns` compares each with its regex.
    matcher: Option<fn(&str) -> bool>,
}

impl Pattern {
    /// `text` is quoted in messages; `anchored` is the Rust regex, already anchored with `^(?:...)$`.
    pub const fn new(text: &'static str, build: fn() -> Regex) -> Self {
        Pattern { text, regex: LazyLock::new(build), matcher: None }
    }

    /// [`Pattern::new`] with a hand-written `matcher` that accepts exactly what the regex accepts.
    pub const fn with_matcher(text: &'static str, build: fn() -> Regex, matcher: fn(&str) -> bool) -> Self {
        Pattern { text, regex: LazyLock::new(build), matcher: Some(matcher) }
    }

    pub fn is_match(&self, value: &str) -> bool {
        match self.matcher {
            Some(matcher) => matcher(value),
            None => self.regex.is_match(value),
        }
    }

    /// The regex alone, even where a hand-written matcher exists (what the matcher is tested against).
    pub fn regex_is_match(&self, value: &str) -> bool {
        self.regex.is_match(value)
    }

    /// Whether a hand-written matcher stands in for the regex.
    pub fn has_matcher(&self) -> bool {
        self.matcher.is_some()
    }

    pub fn regex(&self) -> &Regex {
        &self.regex
    }
}

/// Builds an anchored regex from a pattern body. Panics only on a bad literal in our own source, caught by tests.
pub fn anchored(body: &str) -> Regex {
    Regex::new(&format!("^(?:{body})$")).expect("static pattern compiles")
}

/// Collected constraint violations, in the order they were found.
#[derive(Debug, Default)]
pub struct Violations(Vec<String>);

impl Violations {
    pub fn new() -> Self {
        Violations(Vec::new())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A free-form violation: `Value '<value>' at '<member>' failed to satisfy constraint: <constraint>`.
    pub fn push(&mut self, member: &str, value: &str, constraint: &str) {
        self.0.push(format!("Value '{value}' at '{member}' failed to satisfy constraint: {constraint}"));
    }

    /// A violation of a sensitive member, whose value AWS leaves out: `Value at '<member>' failed to satisfy
    /// constraint: <constraint>` (seen for `environment.variables`).
    pub fn push_hidden(&mut self, member: &str, constraint: &str) {
        self.0.push(format!("Value at '{member}' failed to satisfy constraint: {constraint}"));
    }

    /// `Value null at '<member>' failed to satisfy constraint: Member must not be null`.
    pub fn null(&mut self, member: &str) {
        self.0.push(format!("Value null at '{member}' failed to satisfy constraint: Member must not be null"));
    }

    /// Reports a missing required member and returns the value when present.
    pub fn required<'a>(&mut self, member: &str, value: Option<&'a str>) -> Option<&'a str> {
        if value.is_none() {
            self.null(member);
        }
        value
    }

    pub fn max_len(&mut self, member: &str, value: &str, max: usize) -> bool {
        let ok = value.chars().count() <= max;
        if !ok {
            self.push(member, value, &format!("Member must have length less than or equal to {max}"));
        }
        ok
    }

    pub fn min_len(&mut self, member: &str, value: &str, min: usize) -> bool {
        let ok = value.chars().count() >= min;
        if !ok {
            self.push(member, value, &format!("Member must have length greater than or equal to {min}"));
        }
        ok
    }

    pub fn pattern(&mut self, member: &str, value: &str, pattern: &Pattern) -> bool {
        let ok = pattern.is_match(value);
        if !ok {
            self.push(member, value, &format!("Member must satisfy regular expression pattern: {}", pattern.text));
        }
        ok
    }

    /// Length bounds first, then the pattern, as AWS lists them.
    pub fn string(&mut self, member: &str, value: &str, min: usize, max: usize, pattern: Option<&Pattern>) -> bool {
        let mut ok = self.min_len(member, value, min);
        ok &= self.max_len(member, value, max);
        if let Some(p) = pattern {
            ok &= self.pattern(member, value, p);
        }
        ok
    }

    pub fn one_of(&mut self, member: &str, value: &str, allowed: &[&str]) -> bool {
        let ok = allowed.contains(&value);
        if !ok {
            self.push(member, value, &format!("Member must satisfy enum value set: [{}]", allowed.join(", ")));
        }
        ok
    }

    pub fn int_range(&mut self, member: &str, value: i64, min: Option<i64>, max: Option<i64>) -> bool {
        let s = value.to_string();
        if let Some(min) = min.filter(|m| value < *m) {
            self.push(member, &s, &format!("Member must have value greater than or equal to {min}"));
            return false;
        }
        if let Some(max) = max.filter(|m| value > *m) {
            self.push(member, &s, &format!("Member must have value less than or equal to {max}"));
            return false;
        }
        true
    }

    /// `Ok(())` when nothing failed, else one ValidationException listing every violation.
    pub fn finish(self) -> Result<(), Error> {
        match self.message() {
            None => Ok(()),
            Some(m) => Err(Error::ValidationException(m)),
        }
    }

    /// The joined message, or `None` when nothing failed. Some callers send it as another error code.
    pub fn message(&self) -> Option<String> {
        match self.0.len() {
            0 => None,
            1 => Some(format!("1 validation error detected: {}", self.0[0])),
            n => Some(format!("{n} validation errors detected: {}", self.0.join("; "))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static SID: Pattern = Pattern::new("([a-zA-Z0-9-_]+)", || anchored("[a-zA-Z0-9_-]+"));

    #[test]
    fn single_and_plural_messages() {
        let mut v = Violations::new();
        v.pattern("statementId", "my.sid", &SID);
        assert_eq!(
            v.finish().unwrap_err().message(),
            "1 validation error detected: Value 'my.sid' at 'statementId' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)"
        );
        let mut v = Violations::new();
        v.null("action");
        v.max_len("statementId", &"a".repeat(101), 100);
        let long = "a".repeat(101);
        assert_eq!(
            v.finish().unwrap_err().message(),
            format!(
                "2 validation errors detected: Value null at 'action' failed to satisfy constraint: Member must not be null; \
                 Value '{long}' at 'statementId' failed to satisfy constraint: Member must have length less than or equal to 100"
            )
        );
        assert!(Violations::new().finish().is_ok());
    }

    #[test]
    fn pattern_is_anchored() {
        assert!(SID.is_match("abc-_1"));
        assert!(!SID.is_match("abc def"));
        assert!(!SID.is_match(""));
    }
}
