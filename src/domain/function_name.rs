//! FunctionName and Qualifier: parsing every accepted form, the derived qualifier, and which account and region a
//! name addresses (SPEC §4).

use std::sync::LazyLock;

use regex::Regex;

use super::arn::Scope;
use super::patterns::{self, is_alias_name};
use super::validate::{anchored, Violations};
use crate::error::Error;

static NS_PARTS: LazyLock<Regex> = LazyLock::new(|| anchored(patterns::FUNCTION_NAME_NS_RE));
static PLAIN_PARTS: LazyLock<Regex> = LazyLock::new(|| anchored(patterns::FUNCTION_NAME_PLAIN_RE));

/// Which model shape the operation's FunctionName member has, with its length rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameRule {
    /// CreateFunction: a bare name is limited to 64 (reported as IPVE), an ARN to 140; all violations reported.
    Create,
    /// The plain pattern (P-FN) with a length limit: UpdateFunctionCode/Configuration, PublishVersion, aliases.
    Plain(usize),
    /// The namespaced pattern (P-NS) with a length limit: GetFunction, DeleteFunction, the permission ops, ...
    Namespaced(usize),
}

/// A FunctionName taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionRef {
    pub name: String,
    pub region: Option<String>,
    pub account: Option<String>,
    /// The `:qualifier` suffix of the name, if any.
    pub derived_qualifier: Option<String>,
}

/// Checks `value` against the operation's FunctionName constraints, adding violations to `v`. Returns the parsed
/// reference when the pattern matched (length violations may still have been added).
///
/// CreateFunction's over-long bare name is not a ValidationException on AWS: see [`create_name_error`].
pub fn check_function_name(v: &mut Violations, value: &str, rule: NameRule) -> Option<FunctionRef> {
    let ns = matches!(rule, NameRule::Namespaced(_));
    let (pattern, parts) = match rule {
        NameRule::Namespaced(_) => (&patterns::FUNCTION_NAME_NS, &*NS_PARTS),
        NameRule::Create | NameRule::Plain(_) => (&patterns::FUNCTION_NAME_PLAIN, &*PLAIN_PARTS),
    };
    let len = value.chars().count();
    if len == 0 {
        v.min_len("functionName", value, 1);
        return None;
    }
    // Most requests name a function plainly; that form needs no regex (the hot path of every operation).
    let plain_char = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || (b == b'.' && ns);
    let parsed = if value.bytes().all(plain_char) {
        Some(FunctionRef { name: value.to_owned(), region: None, account: None, derived_qualifier: None })
    } else {
        parts.captures(value).map(|c| FunctionRef {
            name: c["name"].to_owned(),
            region: c.name("region").map(|m| m.as_str().to_owned()),
            account: c.name("account").map(|m| m.as_str().to_owned()),
            derived_qualifier: c.name("qualifier").map(|m| m.as_str().to_owned()),
        })
    };
    match rule {
        NameRule::Create => {
            // An ARN or partial ARN may be 140 long; the length error comes first and both are reported.
            let is_bare =
                parsed.as_ref().is_some_and(|r| r.region.is_none() && r.account.is_none() && !value.contains(':'));
            if !is_bare {
                v.max_len("functionName", value, 140);
            }
            if parsed.is_none() {
                v.pattern("functionName", value, pattern);
            }
        }
        NameRule::Plain(max) | NameRule::Namespaced(max) => {
            if parsed.is_none() {
                v.pattern("functionName", value, pattern);
            } else {
                v.max_len("functionName", value, max);
            }
        }
    }
    parsed
}

/// CreateFunction's bare-name limit: AWS answers an InvalidParameterValueException with validation-style text.
pub fn create_name_error(r: &FunctionRef, value: &str) -> Option<Error> {
    let is_bare = r.region.is_none() && r.account.is_none() && !value.contains(':');
    (is_bare && value.chars().count() > 64).then(|| {
        Error::invalid(format!(
            "1 validation error detected: Value '{value}' at 'functionName' failed to satisfy constraint: \
             Member must have length less than or equal to 64"
        ))
    })
}

/// Checks the `Qualifier` member (1–128, pattern), adding violations to `v`.
pub fn check_qualifier(v: &mut Violations, qualifier: Option<&str>) {
    if let Some(q) = qualifier {
        v.string("qualifier", q, 1, 128, Some(&patterns::QUALIFIER));
    }
}

/// How a FunctionName's ARN region and account relate to the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrossAccount {
    /// Reads that look the function up in the named account's store; the service then lets the function's
    /// resource-based policy decide whether this caller may read it (`service::enforce`).
    Follow,
    /// Everything else: a different account is a 403 naming `operation`.
    Deny(&'static str),
}

impl FunctionRef {
    /// The scope that holds the function: the caller's, unless the ARN names another account and the operation
    /// follows it. A different region is a 404 (SPEC §4.2).
    pub fn scope(&self, caller: &Scope, cross: CrossAccount) -> Result<Scope, Error> {
        if let Some(region) = self.region.as_deref().filter(|r| *r != caller.region) {
            return Err(Error::not_found(format!(
                "Functions from '{region}' are not reachable in this region ('{}')",
                caller.region
            )));
        }
        match (self.account.as_deref(), cross) {
            (Some(account), CrossAccount::Follow) if account != caller.account => {
                Ok(Scope::new(account, caller.region.clone()))
            }
            (Some(account), CrossAccount::Deny(operation)) if account != caller.account => {
                let target = Scope::new(account, caller.region.clone());
                Err(Error::AccessDeniedException(format!(
                    "User: {} is not authorized to perform: lambda:{operation} on resource: {}",
                    caller.account_root_arn(&caller.account),
                    target.function_arn(&self.name)
                )))
            }
            _ => Ok(caller.clone()),
        }
    }

    /// `Qualifier ?? derived`, or the mismatch error when both are given and differ (SPEC §4.3).
    pub fn effective_qualifier(&self, param: Option<&str>) -> Result<Option<String>, Error> {
        match (self.derived_qualifier.as_deref(), param) {
            (Some(d), Some(p)) if d != p => Err(Error::invalid(
                "The derived qualifier from the function name does not match the specified qualifier.",
            )),
            (d, p) => Ok(p.or(d).map(str::to_owned)),
        }
    }
}

/// What a qualifier addresses (SPEC §4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QualifierKind<'a> {
    Latest,
    /// All digits. `None` when the number does not fit a u64 (it can never exist).
    Version(Option<u64>),
    Alias(&'a str),
    /// Contains `$` but is not `$LATEST` (or is `$LATEST.PUBLISHED`): passes validation, never resolves.
    Other,
}

pub fn classify_qualifier(q: &str) -> QualifierKind<'_> {
    if q == "$LATEST" {
        QualifierKind::Latest
    } else if !q.is_empty() && q.bytes().all(|b| b.is_ascii_digit()) {
        QualifierKind::Version(q.parse().ok())
    } else if is_alias_name(q) {
        QualifierKind::Alias(q)
    } else {
        QualifierKind::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(value: &str, rule: NameRule) -> (Option<FunctionRef>, Option<String>) {
        let mut v = Violations::new();
        let r = check_function_name(&mut v, value, rule);
        (r, v.message())
    }

    fn fref(name: &str, region: Option<&str>, account: Option<&str>, q: Option<&str>) -> FunctionRef {
        FunctionRef {
            name: name.into(),
            region: region.map(Into::into),
            account: account.map(Into::into),
            derived_qualifier: q.map(Into::into),
        }
    }

    #[test]
    fn accepted_forms() {
        let ns = NameRule::Namespaced(170);
        let cases = [
            ("my-function", fref("my-function", None, None, None)),
            ("my-function:v1", fref("my-function", None, None, Some("v1"))),
            ("my-function:$LATEST", fref("my-function", None, None, Some("$LATEST"))),
            ("123456789012:function:my-function", fref("my-function", None, Some("123456789012"), None)),
            ("123456789012:function:my-function:7", fref("my-function", None, Some("123456789012"), Some("7"))),
            (
                "arn:aws:lambda:us-west-2:123456789012:function:my-function",
                fref("my-function", Some("us-west-2"), Some("123456789012"), None),
            ),
            (
                "arn:aws:lambda:us-west-2:123456789012:function:my-function:prod",
                fref("my-function", Some("us-west-2"), Some("123456789012"), Some("prod")),
            ),
            // The quirk AWS shows: a trailing `function` is the name.
            (
                "arn:aws:lambda:us-east-1:123456789012:function",
                fref("function", Some("us-east-1"), Some("123456789012"), None),
            ),
            ("my.function", fref("my.function", None, None, None)),
            (
                "123456789012:function:my-function:$LATEST",
                fref("my-function", None, Some("123456789012"), Some("$LATEST")),
            ),
            // `function:` and the account are each optional on their own.
            ("function:my-function", fref("my-function", None, None, None)),
            ("123456789012:my-function", fref("my-function", None, Some("123456789012"), None)),
            ("us-east-1:my-function", fref("my-function", Some("us-east-1"), None, None)),
            ("f:$LATEST.PUBLISHED", fref("f", None, None, Some("$LATEST.PUBLISHED"))),
            ("f:2025-06-30", fref("f", None, None, Some("2025-06-30"))),
            (
                "arn:aws-cn:lambda:cn-north-1:123456789012:function:f",
                fref("f", Some("cn-north-1"), Some("123456789012"), None),
            ),
            (
                "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f:1",
                fref("f", Some("us-gov-west-1"), Some("123456789012"), Some("1")),
            ),
            (
                "arn:aws-iso-b:lambda:us-isob-east-1:123456789012:function:f",
                fref("f", Some("us-isob-east-1"), Some("123456789012"), None),
            ),
            (
                "arn:aws:lambda:eusc-de-east-1:123456789012:function:f",
                fref("f", Some("eusc-de-east-1"), Some("123456789012"), None),
            ),
            // A layer ARN fits the pattern too: function `layer`, qualifier `f`; it then simply is not found.
            (
                "arn:aws:lambda:us-east-1:123456789012:layer:f",
                fref("layer", Some("us-east-1"), Some("123456789012"), Some("f")),
            ),
            // The partition may be empty in the pattern.
            ("arn::lambda:us-east-1:123456789012:function:f", fref("f", Some("us-east-1"), Some("123456789012"), None)),
        ];
        for (value, want) in cases {
            let (got, err) = parse(value, ns);
            assert_eq!(err, None, "{value}");
            assert_eq!(got.as_ref(), Some(&want), "{value}");
        }
    }

    #[test]
    fn rejected_forms() {
        for value in [
            "my-function!",
            "*",
            "invalid-account:function:my-function",
            "arn:aws:lambda:invalid-region:123456789012:function:f",
            "arn:aws:lambda::123456789012:function:f",
            "arn:aws:lambda:us-east-1::function:f",
            "arn:aws:ec2:us-east-1:123456789012:function:f",
            "arn:aws:lambda:us-east-1:123456789012:function:f:1:2",
            "f:$LATES",
            "f:$latest",
            "f:",
            ":f",
            "arn:aws:lambda:us-east-1:12345678901:function:f",
            "f g",
            "f/1",
        ] {
            let (_, err) = parse(value, NameRule::Namespaced(170));
            let err = err.unwrap_or_default();
            assert!(err.starts_with("1 validation error detected: Value '"), "{value}: {err}");
            assert!(
                err.contains(
                    "Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?"
                ),
                "{value}"
            );
        }
        // A dot is a namespaced-only character.
        assert!(parse("my.function", NameRule::Plain(140)).1.is_some());
    }

    #[test]
    fn recorded_plain_pattern_message() {
        let (_, err) = parse("x:y:z", NameRule::Create);
        assert_eq!(
            err.as_deref(),
            Some(
                r"1 validation error detected: Value 'x:y:z' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?"
            )
        );
    }

    #[test]
    fn create_length_rules() {
        let long = "a".repeat(65);
        let (r, err) = parse(&long, NameRule::Create);
        assert_eq!(err, None);
        let e = create_name_error(&r.unwrap(), &long).unwrap();
        assert_eq!(e.code(), "InvalidParameterValueException");
        assert!(e.message().ends_with("Member must have length less than or equal to 64"));

        let arn = format!("arn:aws:lambda:bad-region:123456789012:function:{}", "a".repeat(120));
        let (_, err) = parse(&arn, NameRule::Create);
        let err = err.unwrap();
        assert!(err.starts_with("2 validation errors detected: "), "{err}");
        assert!(err.find("less than or equal to 140").unwrap() < err.find("regular expression").unwrap());
    }

    #[test]
    fn other_ops_report_only_the_pattern() {
        let (_, err) = parse(&format!("{}!", "a".repeat(300)), NameRule::Namespaced(170));
        let err = err.unwrap();
        assert!(err.starts_with("1 validation error detected"));
        assert!(!err.contains("length"));
        // 65 characters is not a validation error for GetFunction.
        assert_eq!(parse(&"a".repeat(65), NameRule::Namespaced(170)).1, None);
    }

    #[test]
    fn qualifiers() {
        let mut v = Violations::new();
        check_qualifier(&mut v, Some("bad?qualifier"));
        assert_eq!(
            v.message().as_deref(),
            Some(
                r"1 validation error detected: Value 'bad?qualifier' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: \$(LATEST(\.PUBLISHED)?)|[a-zA-Z0-9-_$]+"
            )
        );
        assert_eq!(classify_qualifier("$LATEST"), QualifierKind::Latest);
        assert_eq!(classify_qualifier("12"), QualifierKind::Version(Some(12)));
        assert_eq!(classify_qualifier("99999999999999999999999"), QualifierKind::Version(None));
        assert_eq!(classify_qualifier("prod"), QualifierKind::Alias("prod"));
        assert_eq!(classify_qualifier("$latest"), QualifierKind::Other);
        assert_eq!(classify_qualifier("$LATEST.PUBLISHED"), QualifierKind::Other);

        let r = fref("f", None, None, Some("1"));
        assert_eq!(r.effective_qualifier(Some("1")).unwrap().as_deref(), Some("1"));
        assert_eq!(r.effective_qualifier(None).unwrap().as_deref(), Some("1"));
        assert!(r.effective_qualifier(Some("2")).is_err());
    }

    #[test]
    fn scope_rules() {
        let caller = Scope::new("000000000000", "us-east-1");
        let r = fref("f", Some("us-west-2"), None, None);
        assert_eq!(
            r.scope(&caller, CrossAccount::Follow).unwrap_err().message(),
            "Functions from 'us-west-2' are not reachable in this region ('us-east-1')"
        );
        let r = fref("f", None, Some("111111111111"), None);
        assert_eq!(r.scope(&caller, CrossAccount::Follow).unwrap().account, "111111111111");
        let e = r.scope(&caller, CrossAccount::Deny("AddPermission")).unwrap_err();
        assert_eq!(e.code(), "AccessDeniedException");
        assert_eq!(
            e.message(),
            "User: arn:aws:iam::000000000000:root is not authorized to perform: lambda:AddPermission on resource: \
             arn:aws:lambda:us-east-1:111111111111:function:f"
        );
    }
}
