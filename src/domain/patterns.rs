//! The model's regular expressions. `text` is what AWS quotes in a ValidationException; the regex is an anchored
//! equivalent that Rust's `regex` crate accepts (a `-` inside a class is moved last, lookaheads become code).
//!
//! AWS matches with Java regexes, whose classes are ASCII: `\d` is `[0-9]`, `\s` is `[ \t\n\x0B\f\r]`, and `.`
//! stops at a line terminator. Rust's `\d` and `\s` are Unicode-aware and `(?s:.)` takes anything, so the Rust side
//! spells those classes out (the `java_classes_are_spelled_out` test keeps it so).

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
pub static STATEMENT_ID: Pattern = Pattern::new("([a-zA-Z0-9-_]+)", || anchored(r"[a-zA-Z0-9_\-]+"));

/// StatementId in RemovePermission's path: dots allowed.
pub static STATEMENT_ID_NS: Pattern = Pattern::new("([a-zA-Z0-9-_.]+)", || anchored(r"[a-zA-Z0-9_.\-]+"));

/// AddPermission's Action.
pub static ACTION: Pattern =
    Pattern::new("(lambda:[*]|lambda:[a-zA-Z]+|[*])", || anchored(r"lambda:[*]|lambda:[a-zA-Z]+|[*]"));

/// AddPermission's Principal.
pub static PRINCIPAL: Pattern = Pattern::new(r"[^\s]+", || anchored(r"[^ \t\n\x0B\x0C\r]+"));

/// Any ARN (SourceArn).
pub static ARN: Pattern = Pattern::new(
    r"arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:([a-z]{2}(-gov)?-[a-z]+-\d{1})?:(\d{12})?:(.*)",
    || {
        anchored(
            r"arn:(?:aws[a-zA-Z0-9\-]*):(?:[a-zA-Z0-9\-])+:(?:[a-z]{2}(?:-gov)?-[a-z]+-[0-9])?:(?:[0-9]{12})?:[^\n\r\x{85}\x{2028}\x{2029}]*",
        )
    },
);

/// SourceAccount.
pub static SOURCE_OWNER: Pattern = Pattern::new(r"\d{12}", || anchored(r"[0-9]{12}"));

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
pub static LAYER_PRINCIPAL: Pattern = Pattern::new(r"\d{12}|\*|arn:(aws[a-zA-Z-]*):iam::\d{12}:root", || {
    anchored(r"[0-9]{12}|\*|arn:(?:aws[a-zA-Z-]*):iam::[0-9]{12}:root")
});

/// AddLayerVersionPermission's Action.
pub static LAYER_ACTION: Pattern = Pattern::new("lambda:GetLayerVersion", || anchored("lambda:GetLayerVersion"));

/// GetLayerVersionByArn's Arn, as AWS quotes it (SPEC §12).
pub static LAYER_VERSION_ARN: Pattern = Pattern::new(
    r"(arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+)|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+)",
    || {
        anchored(
            r"(?:arn:(?:aws[a-zA-Z-]*)?:lambda:(?:eusc-)?[a-z]{2}(?:(?:-gov)|(?:-iso(?:[a-z]?)))?-[a-z]+-[0-9]:[0-9]{12}:layer:[a-zA-Z0-9_\-]+:[0-9]+)|(?:arn:[a-zA-Z0-9\-]+:lambda:::awslayer:[a-zA-Z0-9_\-]+)",
        )
    },
);

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
