//! The model's regular expressions. `text` is what AWS quotes in a ValidationException; the regex is an anchored
//! equivalent that Rust's `regex` crate accepts (a `-` inside a class is moved last, lookaheads become code).

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
pub const FUNCTION_NAME_NS_RE: &str = r"(?:arn:(?:aws[a-zA-Z-]*)?:lambda:)?(?:(?P<region>(?:eusc-)?[a-z]{2}(?:(?:-gov)|(?:-iso(?:[a-z]?)))?-[a-z]+-\d):)?(?:(?P<account>\d{12}):)?(?:function:)?(?P<name>[a-zA-Z0-9_.\-]+)(?::(?P<qualifier>\$LATEST(?:\.PUBLISHED)?|[a-zA-Z0-9_\-]+))?";

/// The plain form with named groups.
pub const FUNCTION_NAME_PLAIN_RE: &str = r"(?:arn:(?:aws[a-zA-Z-]*)?:lambda:)?(?:(?P<region>(?:eusc-)?[a-z]{2}(?:(?:-gov)|(?:-iso(?:[a-z]?)))?-[a-z]+-\d):)?(?:(?P<account>\d{12}):)?(?:function:)?(?P<name>[a-zA-Z0-9_\-]+)(?::(?P<qualifier>\$LATEST|[a-zA-Z0-9_\-]+))?";

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
pub static PRINCIPAL: Pattern = Pattern::new(r"[^\s]+", || anchored(r"[^\s]+"));

/// Any ARN (SourceArn).
pub static ARN: Pattern =
    Pattern::new(r"arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:([a-z]{2}(-gov)?-[a-z]+-\d{1})?:(\d{12})?:(.*)", || {
        anchored(r"arn:(?:aws[a-zA-Z0-9\-]*):(?:[a-zA-Z0-9\-])+:(?:[a-z]{2}(?:-gov)?-[a-z]+-\d)?:(?:\d{12})?:(?s:.*)")
    });

/// SourceAccount.
pub static SOURCE_OWNER: Pattern = Pattern::new(r"\d{12}", || anchored(r"\d{12}"));

/// EventSourceToken.
pub static EVENT_SOURCE_TOKEN: Pattern = Pattern::new(r"[a-zA-Z0-9._\-]+", || anchored(r"[a-zA-Z0-9._\-]+"));

/// PrincipalOrgID and OrganizationId.
pub static ORG_ID: Pattern = Pattern::new("o-[a-z0-9]{10,32}", || anchored("o-[a-z0-9]{10,32}"));

/// Role in CreateFunction and UpdateFunctionConfiguration.
pub static ROLE: Pattern = Pattern::new(r"arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+", || {
    anchored(r"arn:(?:aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@/\-]+")
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
        anchored(r"(?:arn:[a-zA-Z0-9\-]+:lambda:[a-zA-Z0-9\-]+:\d{12}:layer:[a-zA-Z0-9_\-]+)|[a-zA-Z0-9_\-]+")
    });

/// AddLayerVersionPermission's Principal.
pub static LAYER_PRINCIPAL: Pattern = Pattern::new(r"\d{12}|\*|arn:(aws[a-zA-Z-]*):iam::\d{12}:root", || {
    anchored(r"\d{12}|\*|arn:(?:aws[a-zA-Z-]*):iam::\d{12}:root")
});

/// AddLayerVersionPermission's Action.
pub static LAYER_ACTION: Pattern = Pattern::new("lambda:GetLayerVersion", || anchored("lambda:GetLayerVersion"));

/// GetLayerVersionByArn's Arn, as AWS quotes it (SPEC §12).
pub static LAYER_VERSION_ARN: Pattern = Pattern::new(
    r"(arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+)|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+)",
    || {
        anchored(
            r"(?:arn:(?:aws[a-zA-Z-]*)?:lambda:(?:eusc-)?[a-z]{2}(?:(?:-gov)|(?:-iso(?:[a-z]?)))?-[a-z]+-\d:\d{12}:layer:[a-zA-Z0-9_\-]+:[0-9]+)|(?:arn:[a-zA-Z0-9\-]+:lambda:::awslayer:[a-zA-Z0-9_\-]+)",
        )
    },
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_compiles() {
        for p in [
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
        ] {
            let _ = p.is_match("x");
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
