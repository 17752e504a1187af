//! Property-based fuzzing (proptest) of every parser that sees user input, below HTTP: FunctionName and Qualifier
//! (`domain::function_name`), layer names and ARNs (`domain::layer`, `domain::arn`), the SigV4 credential-scope parser
//! (`http::extract::parse_credential_scope`) and the strict-auth parsers (`http::auth`).
//!
//! Property: no panic, and either a value or an AWS-shaped error (a ValidationException with AWS's message format).
//! Inputs mix arbitrary Unicode with structured near-misses (ARN-shaped strings with random parts), because random
//! text alone rarely gets past the first `:`.
//!
//! Cases: `PROPTEST_CASES` (default 2000 per property here). Failures are persisted to
//! `proptest-regressions/fuzz_parsers.txt`, which CI replays first on every run.

use lambdalite::domain::arn::{LayerVersionArn, Scope};
use lambdalite::domain::function_name::{
    check_function_name, check_qualifier, classify_qualifier, create_name_error, CrossAccount, NameRule,
};
use lambdalite::domain::layer::parse_layer_name;
use lambdalite::domain::validate::Violations;
use lambdalite::http::auth::{canonical_query, canonical_uri, parse_authorization, parse_presigned};
use lambdalite::http::extract::parse_credential_scope;
use lambdalite::Error;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(2000);
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct("proptest-regressions/fuzz_parsers.txt"))),
        ..ProptestConfig::default()
    }
}

/// Pieces that appear in names and ARNs, plus troublemakers: empty, unicode, separators, digits, `$`.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("$LATEST".to_owned()),
        Just("aws".to_owned()),
        Just("lambda".to_owned()),
        Just("function".to_owned()),
        Just("layer".to_owned()),
        Just("us-east-1".to_owned()),
        Just("123456789012".to_owned()),
        "[a-zA-Z0-9_-]{1,70}",
        "[0-9]{1,25}",
        "[a-z]{2}(-gov)?-[a-z]+-[0-9]",
        "\\PC{0,12}",
        "[:/%$.@ \t\n\\x00-\\x1f]{1,4}",
    ]
}

/// ARN-like strings: `arn:` followed by 0–9 random pieces joined with `:`, sometimes, or arbitrary text.
fn name_like() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::collection::vec(piece(), 0..9).prop_map(|p| format!("arn:{}", p.join(":"))),
        2 => prop::collection::vec(piece(), 1..4).prop_map(|p| p.join(":")),
        1 => "\\PC{0,200}",
        1 => any::<String>(),
    ]
}

/// The ValidationException a `Violations` turns into must have AWS's message shape.
fn assert_validation_shape(v: Violations) -> Result<(), TestCaseError> {
    match v.finish() {
        Ok(()) => Ok(()),
        Err(Error::ValidationException(m)) => {
            prop_assert!(
                m.starts_with("1 validation error detected: Value ")
                    || (m.contains(" validation errors detected: Value ") && m.as_bytes()[0].is_ascii_digit()),
                "{}",
                m
            );
            prop_assert!(m.contains("failed to satisfy constraint: Member must"), "{}", m);
            Ok(())
        }
        Err(other) => Err(TestCaseError::fail(format!("not a ValidationException: {other:?}"))),
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn function_names_parse_or_fail_in_aws_shape(value in name_like(), qualifier in proptest::option::of(name_like())) {
        let caller = Scope::new("000000000000", "us-east-1");
        for rule in [NameRule::Create, NameRule::Plain(64), NameRule::Plain(140), NameRule::Namespaced(140), NameRule::Namespaced(170)] {
            let mut v = Violations::new();
            let parsed = check_function_name(&mut v, &value, rule);
            check_qualifier(&mut v, qualifier.as_deref());
            if let Some(r) = &parsed {
                prop_assert!(!r.name.is_empty());
                prop_assert!(value.contains(r.name.as_str()));
                if let Some(e) = create_name_error(r, &value) {
                    prop_assert_eq!(e.code(), "InvalidParameterValueException");
                }
                for cross in [CrossAccount::Follow, CrossAccount::Deny("GetPolicy")] {
                    if let Err(e) = r.scope(&caller, cross) {
                        prop_assert!(matches!(e.code(), "ResourceNotFoundException" | "AccessDeniedException"));
                    }
                }
                match r.effective_qualifier(qualifier.as_deref()) {
                    Ok(q) => { let _ = q.as_deref().map(classify_qualifier); }
                    Err(e) => prop_assert_eq!(e.code(), "InvalidParameterValueException"),
                }
            } else {
                prop_assert!(!v.is_empty(), "no parse and no violation for {:?}", value);
            }
            assert_validation_shape(v)?;
        }
    }

    #[test]
    fn well_formed_function_arns_round_trip(
        name in "[a-zA-Z0-9_-]{1,64}",
        region in "[a-z]{2}-[a-z]{4,9}-[1-9]",
        account in "[0-9]{12}",
        qualifier in proptest::option::of(prop_oneof![Just("$LATEST".to_owned()), "[1-9][0-9]{0,5}", "[a-zA-Z_][a-zA-Z0-9_-]{0,20}"]),
    ) {
        let scope = Scope::new(account.clone(), region.clone());
        let arn = match &qualifier {
            Some(q) => scope.qualified_function_arn(&name, q),
            None => scope.function_arn(&name),
        };
        let mut v = Violations::new();
        let parsed = check_function_name(&mut v, &arn, NameRule::Namespaced(170));
        prop_assert!(v.is_empty(), "{:?}", v.message());
        let parsed = parsed.expect("a well-formed ARN parses");
        prop_assert_eq!(parsed.name, name);
        prop_assert_eq!(parsed.region.as_deref(), Some(region.as_str()));
        prop_assert_eq!(parsed.account.as_deref(), Some(account.as_str()));
        prop_assert_eq!(parsed.derived_qualifier, qualifier);
    }

    #[test]
    fn layer_names_and_arns_never_panic(value in name_like()) {
        let caller = Scope::new("000000000000", "us-east-1");
        let (scope, name) = parse_layer_name(&caller, &value);
        prop_assert!(value.contains(name.as_str()));
        prop_assert!(!scope.account.is_empty() || value.starts_with("arn:"));
        if let Some(LayerVersionArn { scope, name, version }) = LayerVersionArn::parse(&value) {
            prop_assert!(!name.is_empty() && !version.is_empty());
            prop_assert!(!scope.region.is_empty() && !scope.account.is_empty());
        }
    }

    #[test]
    fn layer_version_arns_round_trip(
        name in "[a-zA-Z0-9_-]{1,64}",
        region in "[a-z]{2}-[a-z]{4,9}-[1-9]",
        account in "[0-9]{12}",
        version in 1u64..1_000_000,
    ) {
        let arn = Scope::new(account.clone(), region.clone()).layer_version_arn(&name, version);
        let LayerVersionArn { scope, name: n, version: v } = LayerVersionArn::parse(&arn).expect("a layer version ARN parses");
        prop_assert_eq!(n, name.as_str());
        prop_assert_eq!(v, version.to_string());
        prop_assert_eq!(scope, Scope::new(account, region));
    }

    #[test]
    fn credential_scope_parser_never_panics(header in prop_oneof![
        any::<String>(),
        (name_like(), "\\PC{0,40}").prop_map(|(c, rest)| format!("AWS4-HMAC-SHA256 Credential={}{rest}", c.replace(':', "/"))),
    ]) {
        if let Some((_key, region)) = parse_credential_scope(&header) {
            prop_assert!(!region.is_empty() && region.len() <= 64);
            prop_assert!(region.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
        }
        // The strict-auth parser: a value, or one of the two AWS refusals it can give.
        match parse_authorization(&header) {
            Ok(p) => prop_assert!(!p.access_key_id.is_empty()),
            Err(e) => prop_assert!(!e.message().is_empty()),
        }
    }

    #[test]
    fn well_formed_credential_scopes_round_trip(key in "[A-Z0-9]{1,40}", region in "[a-z]{2}-[a-z0-9-]{1,30}") {
        let header = format!("AWS4-HMAC-SHA256 Credential={key}/20250101/{region}/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=ab12");
        prop_assert_eq!(parse_credential_scope(&header), Some((key.as_str(), region.as_str())));
        let parts = parse_authorization(&header).expect("parses");
        prop_assert_eq!(parts.access_key_id, key);
        prop_assert_eq!(parts.region, region);
    }

    #[test]
    fn canonical_forms_never_panic(path in any::<String>(), query in any::<String>(), presigned_query in prop::collection::vec(("\\PC{0,12}", "\\PC{0,20}"), 0..8)) {
        let uri = canonical_uri(&path);
        prop_assert!(uri.starts_with('/'));
        prop_assert!(uri.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.~/%".contains(&b)), "{}", uri);
        let q = canonical_query(&query, false);
        prop_assert!(q.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.~%=&".contains(&b)), "{}", q);
        let mut raw: Vec<String> = presigned_query.iter().map(|(k, v)| format!("{k}={v}")).collect();
        raw.push("X-Amz-Algorithm=AWS4-HMAC-SHA256".into());
        let raw = raw.join("&");
        prop_assert!(parse_presigned(&raw).is_some());
        let _ = canonical_query(&raw, true);
    }
}
