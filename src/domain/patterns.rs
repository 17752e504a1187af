//! The model's regular expressions. `text` is what AWS quotes in a ValidationException; the regex is an anchored
//! equivalent that Rust's `regex` crate accepts (a `-` inside a class is moved last, lookaheads become code).
//!
//! AWS matches with Java regexes, whose classes are ASCII: `\d` is `[0-9]`, `\s` is `[ \t\n\x0B\f\r]`, and `.`
//! stops at a line terminator. Rust's `\d` and `\s` are Unicode-aware and `(?s:.)` takes anything, so the Rust side
//! spells those classes out (the `java_classes_are_spelled_out` test keeps it so).

use super::arn::{AccountId, IamArn};
use super::validate::{anchored, Pattern};

/// FunctionName of GetFunction, DeleteFunction, AddPermission, GetPolicy, RemovePermission, ... (SPEC §4.4 P-NS).
pub static FUNCTION_NAME_NS: Pattern = Pattern::new(
    r"(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?",
    || anchored(FUNCTION_NAME_NS_RE),
);

/// FunctionName of CreateFunction, UpdateFunctionCode, UpdateFunctionConfiguration, PublishVersion and the alias
/// operations (SPEC §4.4 P-FN).
pub static FUNCTION_NAME_PLAIN: Pattern = Pattern::new(
    r"(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?",
    || anchored(FUNCTION_NAME_PLAIN_RE),
);

/// The namespaced form with named groups, used to take a FunctionName apart.
pub const FUNCTION_NAME_NS_RE: &str = r"(?:arn:(?:aws[a-zA-Z-]*)?:lambda:)?(?:(?P<region>(?:eusc-)?[a-z]{2}(?:(?:-gov)|(?:-iso(?:[a-z]?)))?-[a-z]+-[0-9]):)?(?:(?P<account>[0-9]{12}):)?(?:function:)?(?P<name>[a-zA-Z0-9_.\-]+)(?::(?P<qualifier>\$LATEST(?:\.PUBLISHED)?|[a-zA-Z0-9_\-]+))?";

/// The plain form with named groups.
pub const FUNCTION_NAME_PLAIN_RE: &str = r"(?:arn:(?:aws[a-zA-Z-]*)?:lambda:)?(?:(?P<region>(?:eusc-)?[a-z]{2}(?:(?:-gov)|(?:-iso(?:[a-z]?)))?-[a-z]+-[0-9]):)?(?:(?P<account>[0-9]{12}):)?(?:function:)?(?P<name>[a-zA-Z0-9_\-]+)(?::(?P<qualifier>\$LATEST|[a-zA-Z0-9_\-]+))?";

/// The `Qualifier` query member.
pub static QUALIFIER: Pattern = Pattern::new(r"\$(LATEST(\.PUBLISHED)?)|[a-zA-Z0-9-_$]+", || {
    anchored(r"\$(?:LATEST(?:\.PUBLISHED)?)|[a-zA-Z0-9_$\-]+")
});

/// StatementId in a request body (AddPermission, AddLayerVersionPermission).
pub static STATEMENT_ID: Pattern =
    Pattern::with_matcher("([a-zA-Z0-9-_]+)", || anchored(r"[a-zA-Z0-9_\-]+"), |v| one_or_more(v, is_sid_byte));

/// StatementId in RemovePermission's path: dots allowed.
pub static STATEMENT_ID_NS: Pattern = Pattern::with_matcher(
    "([a-zA-Z0-9-_.]+)",
    || anchored(r"[a-zA-Z0-9_.\-]+"),
    |v| one_or_more(v, |b| is_sid_byte(b) || b == b'.'),
);

/// AddPermission's Action.
pub static ACTION: Pattern = Pattern::with_matcher(
    "(lambda:[*]|lambda:[a-zA-Z]+|[*])",
    || anchored(r"lambda:[*]|lambda:[a-zA-Z]+|[*]"),
    |v| {
        v == "*"
            || v.strip_prefix("lambda:")
                .is_some_and(|rest| rest == "*" || one_or_more(rest, |b| b.is_ascii_alphabetic()))
    },
);

/// AddPermission's Principal.
pub static PRINCIPAL: Pattern = Pattern::with_matcher(
    r"[^\s]+",
    || anchored(r"[^ \t\n\x0B\x0C\r]+"),
    |v| {
        // The excluded characters are ASCII, so no byte of a multi-byte character can be one of them.
        one_or_more(v, |b| !matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))
    },
);

/// Any ARN (SourceArn).
pub static ARN: Pattern = Pattern::with_matcher(
    r"arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:([a-z]{2}(-gov)?-[a-z]+-\d{1})?:(\d{12})?:(.*)",
    || {
        anchored(
            r"arn:(?:aws[a-zA-Z0-9\-]*):(?:[a-zA-Z0-9\-])+:(?:[a-z]{2}(?:-gov)?-[a-z]+-[0-9])?:(?:[0-9]{12})?:[^\n\r\x{85}\x{2028}\x{2029}]*",
        )
    },
    is_arn,
);

/// SourceAccount.
pub static SOURCE_OWNER: Pattern = Pattern::with_matcher(r"\d{12}", || anchored(r"[0-9]{12}"), is_account_id);

/// EventSourceToken.
pub static EVENT_SOURCE_TOKEN: Pattern = Pattern::new(r"[a-zA-Z0-9._\-]+", || anchored(r"[a-zA-Z0-9._\-]+"));

/// PrincipalOrgID and OrganizationId.
pub static ORG_ID: Pattern = Pattern::new("o-[a-z0-9]{10,32}", || anchored("o-[a-z0-9]{10,32}"));

/// Role in CreateFunction and UpdateFunctionConfiguration.
pub static ROLE: Pattern = Pattern::new(r"arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+", || {
    anchored(r"arn:(?:aws[a-zA-Z-]*)?:iam::[0-9]{12}:role/?[a-zA-Z_0-9+=,.@/\-]+")
});

/// Alias name. The model's `(?!^[0-9]+$)` lookahead is checked in code: see [`is_alias_name`].
pub static ALIAS_NAME: Pattern = Pattern::new("(?!^[0-9]+$)([a-zA-Z0-9-_]+)", || anchored(r"[a-zA-Z0-9_\-]+"));

/// True when `value` satisfies the alias pattern: alias characters, and not all digits.
pub fn is_alias_name(value: &str) -> bool {
    ALIAS_NAME.is_match(value) && !value.bytes().all(|b| b.is_ascii_digit())
}

/// LayerName: a name or a layer ARN without version.
pub static LAYER_NAME: Pattern =
    Pattern::new(r"(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+", || {
        anchored(r"(?:arn:[a-zA-Z0-9\-]+:lambda:[a-zA-Z0-9\-]+:[0-9]{12}:layer:[a-zA-Z0-9_\-]+)|[a-zA-Z0-9_\-]+")
    });

/// AddLayerVersionPermission's Principal.
pub static LAYER_PRINCIPAL: Pattern = Pattern::with_matcher(
    r"\d{12}|\*|arn:(aws[a-zA-Z-]*):iam::\d{12}:root",
    || anchored(r"[0-9]{12}|\*|arn:(?:aws[a-zA-Z-]*):iam::[0-9]{12}:root"),
    |v| v == "*" || is_account_id(v) || IamArn::parse(v).is_some_and(|arn| arn.is_account_root()),
);

/// AddLayerVersionPermission's Action.
pub static LAYER_ACTION: Pattern = Pattern::with_matcher(
    "lambda:GetLayerVersion",
    || anchored("lambda:GetLayerVersion"),
    |v| v == "lambda:GetLayerVersion",
);

/// GetLayerVersionByArn's Arn, as AWS quotes it (SPEC §12).
pub static LAYER_VERSION_ARN: Pattern = Pattern::new(
    r"(arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+)|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+)",
    || {
        anchored(
            r"(?:arn:(?:aws[a-zA-Z-]*)?:lambda:(?:eusc-)?[a-z]{2}(?:(?:-gov)|(?:-iso(?:[a-z]?)))?-[a-z]+-[0-9]:[0-9]{12}:layer:[a-zA-Z0-9_\-]+:[0-9]+)|(?:arn:[a-zA-Z0-9\-]+:lambda:::awslayer:[a-zA-Z0-9_\-]+)",
        )
    },
);

/// Non-empty, and every byte satisfies `ok`.
fn one_or_more(value: &str, ok: impl Fn(u8) -> bool) -> bool {
    !value.is_empty() && value.bytes().all(ok)
}

/// `[a-zA-Z0-9_-]`
fn is_sid_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// `[0-9]{12}`
fn is_account_id(value: &str) -> bool {
    AccountId::is_valid(value)
}

/// [`ARN`]'s regex by hand. None of its classes before the last one holds `:`, so the colons split the value
/// unambiguously: `arn`, partition, service, region, account, then the rest (which may hold colons).
fn is_arn(value: &str) -> bool {
    let mut parts = value.splitn(6, ':');
    let (Some("arn"), Some(partition), Some(service), Some(region), Some(account), Some(rest)) =
        (parts.next(), parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let arn_class = |b: u8| b.is_ascii_alphanumeric() || b == b'-';
    partition.strip_prefix("aws").is_some_and(|tail| tail.bytes().all(arn_class))
        && one_or_more(service, arn_class)
        && (region.is_empty() || is_region(region))
        && (account.is_empty() || is_account_id(account))
        && !rest.chars().any(|c| matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}'))
}

/// `[a-z]{2}(-gov)?-[a-z]+-[0-9]`, the region in [`ARN`].
fn is_region(value: &str) -> bool {
    let b = value.as_bytes();
    if b.len() < 2 || !b[..2].iter().all(u8::is_ascii_lowercase) {
        return false;
    }
    // `-[a-z]+-[0-9]` to the end.
    let tail = |t: &[u8]| {
        t.len() >= 4
            && t[0] == b'-'
            && t[t.len() - 2] == b'-'
            && t[t.len() - 1].is_ascii_digit()
            && t[1..t.len() - 2].iter().all(u8::is_ascii_lowercase)
    };
    let rest = &b[2..];
    tail(rest) || rest.strip_prefix(b"-gov").is_some_and(tail)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [&Pattern; 17] = [
        &FUNCTION_NAME_NS,
        &FUNCTION_NAME_PLAIN,
        &QUALIFIER,
        &STATEMENT_ID,
        &STATEMENT_ID_NS,
        &ACTION,
        &PRINCIPAL,
        &ARN,
        &SOURCE_OWNER,
        &EVENT_SOURCE_TOKEN,
        &ORG_ID,
        &ROLE,
        &ALIAS_NAME,
        &LAYER_NAME,
        &LAYER_PRINCIPAL,
        &LAYER_ACTION,
        &LAYER_VERSION_ARN,
    ];

    /// Strings built from the pieces these patterns are made of, so that near misses are common.
    fn near_misses() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let piece = prop_oneof![
            Just("arn"),
            Just("aws"),
            Just(":"),
            Just("-"),
            Just("_"),
            Just("."),
            Just("*"),
            Just("lambda:"),
            Just("iam::"),
            Just("root"),
            Just("-gov"),
            Just("us-east-1"),
            Just("us-gov-west-1"),
            Just("123456789012"),
            Just("12345678901"),
            Just("GetLayerVersion"),
            Just("InvokeFunction"),
            Just("s3"),
            Just(" "),
            Just("\t"),
            Just("\n"),
            Just("\r"),
            Just("\u{b}"),
            Just("\u{c}"),
            Just("\u{85}"),
            Just("\u{2028}"),
            Just("é"),
            Just("7"),
            Just("Z"),
            Just("$"),
        ];
        proptest::collection::vec(piece, 0..10).prop_map(|pieces| pieces.concat())
    }

    const WITH_MATCHER: [&Pattern; 8] =
        [&STATEMENT_ID, &STATEMENT_ID_NS, &ACTION, &PRINCIPAL, &ARN, &SOURCE_OWNER, &LAYER_PRINCIPAL, &LAYER_ACTION];

    /// A pattern with a matcher, and a value its regex generates.
    fn generated() -> impl proptest::strategy::Strategy<Value = (usize, String)> {
        use proptest::prelude::*;
        (0..WITH_MATCHER.len()).prop_flat_map(|i| {
            let anchored = WITH_MATCHER[i].regex().as_str();
            let body = &anchored["^(?:".len()..anchored.len() - ")$".len()];
            proptest::string::string_regex(body).unwrap().prop_map(move |value| (i, value))
        })
    }

    proptest::proptest! {
        /// Each hand-written matcher accepts exactly what its regex accepts: on near misses, on arbitrary strings,
        /// and on strings the regex itself generates.
        #[test]
        fn matchers_agree_with_their_regexes(near in near_misses(), any in "(?s).{0,40}", (i, made) in generated()) {
            for p in WITH_MATCHER {
                for value in [near.as_str(), any.as_str()] {
                    proptest::prop_assert_eq!(p.is_match(value), p.regex_is_match(value), "{} on {:?}", p.text, value);
                }
            }
            let p = WITH_MATCHER[i];
            proptest::prop_assert!(p.regex_is_match(&made) && p.is_match(&made), "{} on {:?}", p.text, made);
        }
    }

    #[test]
    fn every_hot_pattern_has_a_matcher() {
        assert!(WITH_MATCHER.iter().all(|p| p.has_matcher()));
    }

    #[test]
    fn every_pattern_compiles() {
        for p in ALL {
            let _ = p.is_match("x");
        }
    }

    /// The Unicode-aware or line-terminator-blind constructs in a regex body: `\d`, `\s`, `\w`, a `(?s` flag, and a
    /// `.` outside a class.
    fn unicode_aware_constructs(body: &str) -> Vec<String> {
        let (mut found, mut escaped, mut in_class) = (Vec::new(), false, false);
        for (i, c) in body.char_indices() {
            match (escaped, c) {
                (true, 'd' | 's' | 'w') => found.push(format!("\\{c}")),
                (true, _) => {}
                (false, '\\') => {}
                (false, '[') => in_class = true,
                (false, ']') => in_class = false,
                (false, '.') if !in_class => found.push(".".into()),
                (false, '(') if body[i..].starts_with("(?s") => found.push("(?s".into()),
                _ => {}
            }
            escaped = !escaped && c == '\\';
        }
        found
    }

    #[test]
    fn java_classes_are_spelled_out() {
        assert_eq!(unicode_aware_constructs(r"a\d.[.]\.(?s:x)\\s\s"), ["\\d", ".", "(?s", "\\s"]);
        let mut bodies: Vec<&str> = ALL.iter().map(|p| p.regex().as_str()).collect();
        bodies.extend([FUNCTION_NAME_NS_RE, FUNCTION_NAME_PLAIN_RE]);
        for body in bodies {
            assert_eq!(unicode_aware_constructs(body), Vec::<String>::new(), "{body}");
        }
    }

    #[test]
    fn java_semantics() {
        let arabic_digits = "\u{661}\u{662}\u{663}\u{664}\u{665}\u{666}\u{667}\u{668}\u{669}\u{660}\u{661}\u{662}";
        let cases: &[(&Pattern, String, bool)] = &[
            (&SOURCE_OWNER, arabic_digits.into(), false),
            (&LAYER_PRINCIPAL, arabic_digits.into(), false),
            (&FUNCTION_NAME_NS, format!("{arabic_digits}:function:f"), false),
            (&LAYER_NAME, format!("arn:aws:lambda:us-east-1:{arabic_digits}:layer:l"), false),
            (&ARN, "arn:aws:s3:::b\tc".into(), true),
            (&ARN, "arn:aws:s3:::b\nc".into(), false),
            (&ARN, "arn:aws:s3:::b\u{2028}c".into(), false),
            (&ARN, "arn:aws:s3:::bucket/caf\u{e9}/*".into(), true),
            (&PRINCIPAL, "a\u{a0}b".into(), true),
            (&PRINCIPAL, "a\u{b}b".into(), false),
            (&PRINCIPAL, "a\u{c}b".into(), false),
        ];
        for (p, value, want) in cases {
            assert_eq!(p.is_match(value), *want, "{} ~ {value:?}", p.text);
        }
    }

    #[test]
    fn table() {
        let cases: &[(&Pattern, &str, bool)] = &[
            (&QUALIFIER, "$LATEST", true),
            (&QUALIFIER, "$LATEST.PUBLISHED", true),
            (&QUALIFIER, "abc$def", true),
            (&QUALIFIER, "bad?qualifier", false),
            (&ACTION, "lambda:InvokeFunction", true),
            (&ACTION, "lambda:*", true),
            (&ACTION, "*", true),
            (&ACTION, "s3:GetObject", false),
            (&ACTION, "lambda:Invoke-Function", false),
            (&STATEMENT_ID, "my.sid", false),
            (&STATEMENT_ID_NS, "my.sid", true),
            (&PRINCIPAL, "a b", false),
            (&ARN, "arn:aws:s3:::my-bucket/*", true),
            (&ARN, "arn:aws:sns:us-east-1:123456789012:topic", true),
            (&ARN, "not-an-arn", false),
            (&ROLE, "arn:aws:iam::123456789012:role/service-role/r", true),
            (&ROLE, "arn:aws:iam::123456789012:user/u", false),
            (&LAYER_PRINCIPAL, "arn:aws:iam::123456789012:root", true),
            (&LAYER_PRINCIPAL, "arn:aws:iam::123456789012:user/u", false),
            (&LAYER_NAME, "arn:aws:lambda:us-east-1:123456789012:layer:my-layer", true),
            (&LAYER_VERSION_ARN, "arn:aws:lambda:us-east-1:123456789012:layer:my-layer", false),
            (&LAYER_VERSION_ARN, "arn:aws:lambda:us-east-1:123456789012:layer:my-layer:3", true),
        ];
        for (p, value, want) in cases {
            assert_eq!(p.is_match(value), *want, "{} ~ {value}", p.text);
        }
        assert!(is_alias_name("2025-06-30"));
        assert!(!is_alias_name("123"));
        assert!(!is_alias_name("a.b"));
    }
}
