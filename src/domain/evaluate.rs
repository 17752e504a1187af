//! Resource-based policy evaluation: does one policy allow one request?
//!
//! Pure and synchronous. The rules are IAM's, restricted to what Lambda's own statements can hold (every statement
//! is an `Allow`, so an allow from any statement decides):
//! - Principal: `*` is everyone; `{"AWS":"arn:<p>:iam::<acct>:root"}` is every principal of that account; any other
//!   IAM ARN must equal the caller's; `{"Service":"<name>"}` is that service principal only [docs:
//!   IAM "AWS JSON policy elements: Principal", "AWS account principals"].
//! - Action: IAM action names are case-insensitive; `*` and `?` are wildcards [docs: IAM "Action"].
//! - Resource: the statement's ARN, with `*`/`?` wildcards, matched case-sensitively. A statement on the
//!   unqualified function ARN does not cover a qualified request and vice versa [docs: Lambda "Using Lambda
//!   aliases in event sources and permissions policies"; AddPermission `Qualifier`].
//! - Conditions: every operator and every key in a statement must hold. Key names are case-insensitive, values
//!   are not; a key missing from the request context makes its condition false [docs: IAM "Condition",
//!   "Condition operators"].
//!
//! Also here: the `o-xxxxxxxxxx=ACCOUNT,...` organization membership that `--organization` configures, because it is
//! where the `aws:PrincipalOrgID` of a signed caller comes from.

use std::fmt;

use indexmap::IndexMap;

use super::arn::{AccountId, IamArn};
use super::policy::{Policy, Principal, Statement};

/// Who makes a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requester {
    /// An IAM principal (`arn:<p>:iam::<account>:root`, a user or a role), and the account it belongs to.
    Aws { arn: String, account: String },
    /// A service principal such as `s3.amazonaws.com`.
    Service(String),
}

impl Requester {
    /// The root principal of `account` in `partition`: what a signed lambdalite request is.
    pub fn account_root(partition: &str, account: &str) -> Self {
        Requester::Aws { arn: format!("arn:{partition}:iam::{account}:root"), account: account.to_owned() }
    }

    /// The principal an IAM or STS ARN names ([`IamArn`]: a user, a role, an account root, or a role session as
    /// an assumed role makes its requests), or `None` when `arn` is not one.
    pub fn iam(arn: &str) -> Option<Self> {
        let parsed = IamArn::parse(arn)?;
        Some(Requester::Aws { arn: arn.to_owned(), account: parsed.account.to_owned() })
    }

    /// The account of an IAM principal.
    pub fn account(&self) -> Option<&str> {
        match self {
            Requester::Aws { account, .. } => Some(account),
            Requester::Service(_) => None,
        }
    }
}

impl fmt::Display for Requester {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Requester::Aws { arn, .. } => f.write_str(arn),
            Requester::Service(s) => f.write_str(s),
        }
    }
}

/// The request context: condition keys (compared case-insensitively) and their values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// Keys lower-cased, so a lookup ignores case as IAM does.
    values: IndexMap<String, String>,
}

impl Context {
    pub fn new() -> Self {
        Context::default()
    }

    /// Sets `key` (any case) to `value`.
    pub fn insert(&mut self, key: &str, value: impl Into<String>) {
        self.values.insert(key.to_ascii_lowercase(), value.into());
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(&key.to_ascii_lowercase()).map(String::as_str)
    }

    pub fn contains(&self, key: &str) -> bool {
        self.values.contains_key(&key.to_ascii_lowercase())
    }
}

/// One request to authorize.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub requester: &'a Requester,
    pub action: &'a str,
    pub resource: &'a str,
    pub context: &'a Context,
}

/// Why one statement did not allow the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    Principal,
    Action,
    Resource,
    /// The first condition that failed: operator, key as written in the statement, the statement's value, and
    /// the request's value (`None` when the context lacks the key).
    Condition {
        operator: String,
        key: String,
        expected: String,
        actual: Option<String>,
    },
}

impl Mismatch {
    /// A short machine-readable kind, for the simulation endpoint.
    pub fn kind(&self) -> &'static str {
        match self {
            Mismatch::Principal => "PrincipalMismatch",
            Mismatch::Action => "ActionMismatch",
            Mismatch::Resource => "ResourceMismatch",
            Mismatch::Condition { .. } => "ConditionFailed",
        }
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mismatch::Principal => f.write_str("the statement's Principal does not include the requester"),
            Mismatch::Action => f.write_str("the statement's Action does not cover the requested action"),
            Mismatch::Resource => f.write_str("the statement's Resource does not cover the requested resource"),
            Mismatch::Condition { operator, key, expected, actual: None } => {
                write!(f, "condition {operator} {key} '{expected}' failed: the request has no {key}")
            }
            Mismatch::Condition { operator, key, expected, actual: Some(actual) } => {
                write!(f, "condition {operator} {key} '{expected}' failed: the request's value is '{actual}'")
            }
        }
    }
}

/// The outcome of evaluating one policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// The Sid of the first statement that allows the request.
    Allow(String),
    /// No policy at all.
    NoPolicy,
    /// A policy, but no statement allows the request: each statement's Sid and why.
    NoMatch(Vec<(String, Mismatch)>),
}

impl Decision {
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allow(_))
    }
}

/// Evaluates `policy` (a missing policy denies) for `request`.
pub fn evaluate(policy: Option<&Policy>, request: &Request<'_>) -> Decision {
    let Some(policy) = policy else { return Decision::NoPolicy };
    let mut misses = Vec::new();
    for statement in policy.statements() {
        match check_statement(&statement, request) {
            Ok(()) => return Decision::Allow(statement.sid.clone()),
            Err(m) => misses.push((statement.sid.clone(), m)),
        }
    }
    Decision::NoMatch(misses)
}

/// Whether `statement` allows `request`, or the first reason it does not (principal, action, resource, conditions).
pub fn check_statement(statement: &Statement, request: &Request<'_>) -> Result<(), Mismatch> {
    if statement.effect != "Allow" {
        // Lambda writes only Allow statements; anything else never grants.
        return Err(Mismatch::Principal);
    }
    if !principal_matches(&statement.principal, request.requester) {
        return Err(Mismatch::Principal);
    }
    if !wildcard_match(&statement.action.to_ascii_lowercase(), &request.action.to_ascii_lowercase()) {
        return Err(Mismatch::Action);
    }
    if !wildcard_match(&statement.resource, request.resource) {
        return Err(Mismatch::Resource);
    }
    for (operator, keys) in &statement.condition {
        for (key, expected) in keys {
            let actual = request.context.get(key);
            if !actual.is_some_and(|a| condition_holds(operator, expected, a)) {
                return Err(Mismatch::Condition {
                    operator: (*operator).to_owned(),
                    key: (*key).to_owned(),
                    expected: expected.clone(),
                    actual: actual.map(str::to_owned),
                });
            }
        }
    }
    Ok(())
}

/// Principal matching. An account root ARN stands for every principal of the account [docs: IAM "AWS account
/// principals": "the account root user ARN ... delegates permissions to the account"].
pub fn principal_matches(principal: &Principal, requester: &Requester) -> bool {
    match (principal, requester) {
        (Principal::Any, _) => true,
        (Principal::Aws(p), Requester::Aws { arn, account }) => {
            if p == "*" || p == arn || p == account {
                return true;
            }
            // `arn:<p>:iam::<acct>:root`: the partition must agree with the caller's.
            match (p.strip_suffix(":root"), arn.strip_prefix("arn:").and_then(|r| r.split(':').next())) {
                (Some(prefix), Some(partition)) => prefix == format!("arn:{partition}:iam::{account}"),
                _ => false,
            }
        }
        (Principal::Service(s), Requester::Service(name)) => s == name,
        _ => false,
    }
}

/// One condition operator applied to one value. Operators Lambda never writes fail closed.
fn condition_holds(operator: &str, expected: &str, actual: &str) -> bool {
    match operator {
        "StringEquals" => expected == actual,
        "StringLike" => wildcard_match(expected, actual),
        "ArnLike" | "ArnEquals" => arn_like(expected, actual),
        // [inferred] IAM compares booleans by their text; `True` and `true` are the same value.
        "Bool" => expected.eq_ignore_ascii_case(actual),
        _ => false,
    }
}

/// ArnLike: the six colon-separated parts of the ARN (`arn`, partition, service, region, account, resource; the
/// resource keeps any further colons) are compared separately, case-sensitively, each with `*` and `?` wildcards
/// [docs: IAM "Amazon Resource Name (ARN) condition operators"]. A value that is no ARN does not match.
pub fn arn_like(pattern: &str, value: &str) -> bool {
    let (Some(p), Some(v)) = (arn_parts(pattern), arn_parts(value)) else {
        return false;
    };
    p.iter().zip(v.iter()).all(|(p, v)| wildcard_match(p, v))
}

fn arn_parts(arn: &str) -> Option<[&str; 6]> {
    let mut it = arn.splitn(6, ':');
    let parts = [it.next()?, it.next()?, it.next()?, it.next()?, it.next()?, it.next()?];
    Some(parts)
}

/// Glob matching with `*` (any run, empty included) and `?` (exactly one character), case-sensitive. Iterative with
/// one backtrack point, so it is linear-ish and never recurses.
pub fn wildcard_match(pattern: &str, value: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let v: Vec<char> = value.chars().collect();
    let (mut pi, mut vi) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while vi < v.len() {
        if pi < p.len() && (p[pi] == '?' || (p[pi] != '*' && p[pi] == v[vi])) {
            pi += 1;
            vi += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, vi));
            pi += 1;
        } else if let Some((sp, sv)) = star {
            pi = sp + 1;
            vi = sv + 1;
            star = Some((sp, sv + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// One AWS Organization and its member accounts, from `--organization o-xxxxxxxxxx=ACCOUNT,ACCOUNT,...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    pub id: String,
    pub accounts: Vec<String>,
}

impl Organization {
    /// Parses `o-xxxxxxxxxx=111111111111,222222222222`: the id has AWS's `o-[a-z0-9]{10,32}` shape and every
    /// account is 12 digits.
    pub fn parse(value: &str) -> Result<Self, String> {
        let (id, accounts) = value
            .split_once('=')
            .ok_or_else(|| format!("expected o-xxxxxxxxxx=ACCOUNT,ACCOUNT,... but got '{value}'"))?;
        let id = id.trim();
        let rest = id.strip_prefix("o-").unwrap_or("");
        if !(10..=32).contains(&rest.len()) || !rest.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) {
            return Err(format!("organization id must match o-[a-z0-9]{{10,32}}, got '{id}'"));
        }
        let accounts: Vec<String> =
            accounts.split(',').map(str::trim).filter(|a| !a.is_empty()).map(str::to_owned).collect();
        if let Some(bad) = accounts.iter().find(|a| !AccountId::is_valid(a)) {
            return Err(format!("account id must be 12 digits, got '{bad}' in organization {id}"));
        }
        Ok(Organization { id: id.to_owned(), accounts })
    }
}

/// The organization `account` belongs to (the first listed, if it is listed more than once).
pub fn organization_of<'a>(organizations: &'a [Organization], account: &str) -> Option<&'a str> {
    organizations.iter().find(|o| o.accounts.iter().any(|a| a == account)).map(|o| o.id.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::policy::{add_statement, Conditions};

    fn statement(
        sid: &str,
        principal: Principal,
        action: &str,
        resource: &str,
        cond: &[(&'static str, &'static str, &str)],
    ) -> Statement {
        let mut c = Conditions::default();
        for (op, key, value) in cond {
            c.entry(*op).or_default().insert(*key, (*value).to_owned());
        }
        Statement::allow(sid.into(), principal, action.into(), resource.into(), c)
    }

    fn policy(statements: Vec<Statement>) -> Option<Policy> {
        let mut slot = None;
        for s in statements {
            add_statement(&mut slot, s).unwrap();
        }
        slot
    }

    const FN: &str = "arn:aws:lambda:us-east-2:123456789012:function:my-function";

    fn account(a: &str) -> Requester {
        Requester::account_root("aws", a)
    }

    fn ctx(pairs: &[(&str, &str)]) -> Context {
        let mut c = Context::new();
        for (k, v) in pairs {
            c.insert(k, *v);
        }
        c
    }

    /// The S3 example of Lambda's "Granting function access to AWS services" page: `--principal s3.amazonaws.com
    /// --source-arn arn:aws:s3:::my-bucket-1xpuxmplzrlbh --source-account 123456789012`.
    fn s3_statement() -> Statement {
        statement(
            "s3",
            Principal::Service("s3.amazonaws.com".into()),
            "lambda:InvokeFunction",
            FN,
            &[
                ("StringEquals", "AWS:SourceAccount", "123456789012"),
                ("ArnLike", "AWS:SourceArn", "arn:aws:s3:::my-bucket-1xpuxmplzrlbh"),
            ],
        )
    }

    #[test]
    fn service_principal_with_source_conditions() {
        let p = policy(vec![s3_statement()]);
        let s3 = Requester::Service("s3.amazonaws.com".into());
        let good =
            ctx(&[("aws:SourceAccount", "123456789012"), ("aws:SourceArn", "arn:aws:s3:::my-bucket-1xpuxmplzrlbh")]);
        let cases: Vec<(Requester, Context, &str, Result<(), &str>)> = vec![
            (s3.clone(), good.clone(), FN, Ok(())),
            // Condition key names ignore case: the statement says `AWS:`, the context `aws:` [docs: IAM "Condition"].
            (
                s3.clone(),
                ctx(&[
                    ("AWS:SOURCEACCOUNT", "123456789012"),
                    ("aws:sourcearn", "arn:aws:s3:::my-bucket-1xpuxmplzrlbh"),
                ]),
                FN,
                Ok(()),
            ),
            // Values do not ignore case.
            (
                s3.clone(),
                ctx(&[
                    ("aws:SourceAccount", "123456789012"),
                    ("aws:SourceArn", "arn:aws:s3:::MY-bucket-1xpuxmplzrlbh"),
                ]),
                FN,
                Err("ConditionFailed"),
            ),
            // A key absent from the request makes its condition false [docs: IAM "Condition operators"].
            (s3.clone(), ctx(&[("aws:SourceArn", "arn:aws:s3:::my-bucket-1xpuxmplzrlbh")]), FN, Err("ConditionFailed")),
            (s3.clone(), ctx(&[("aws:SourceAccount", "123456789012")]), FN, Err("ConditionFailed")),
            (
                s3.clone(),
                ctx(&[
                    ("aws:SourceAccount", "999999999999"),
                    ("aws:SourceArn", "arn:aws:s3:::my-bucket-1xpuxmplzrlbh"),
                ]),
                FN,
                Err("ConditionFailed"),
            ),
            (Requester::Service("sns.amazonaws.com".into()), good.clone(), FN, Err("PrincipalMismatch")),
            (account("123456789012"), good.clone(), FN, Err("PrincipalMismatch")),
            // The unqualified statement does not cover a qualified request.
            (
                s3.clone(),
                good.clone(),
                "arn:aws:lambda:us-east-2:123456789012:function:my-function:1",
                Err("ResourceMismatch"),
            ),
        ];
        for (who, context, resource, want) in cases {
            let req = Request { requester: &who, action: "lambda:InvokeFunction", resource, context: &context };
            let got = evaluate(p.as_ref(), &req);
            match (want, &got) {
                (Ok(()), Decision::Allow(sid)) => assert_eq!(sid, "s3"),
                (Err(kind), Decision::NoMatch(m)) => assert_eq!(m[0].1.kind(), kind, "{who} {context:?}"),
                _ => panic!("{who} {context:?} {resource}: {got:?}"),
            }
        }
    }

    #[test]
    fn account_principals_actions_and_missing_policies() {
        // Lambda's cross-account example: `--principal 123456789012` stores the account's root ARN, which stands
        // for every principal of that account [docs: IAM "AWS account principals"].
        let p = policy(vec![statement(
            "xaccount",
            Principal::Aws("arn:aws:iam::223456789012:root".into()),
            "lambda:InvokeFunction",
            FN,
            &[],
        )]);
        let none = Context::new();
        let role = Requester::iam("arn:aws:iam::223456789012:role/deployer").unwrap();
        let other_role = Requester::iam("arn:aws:iam::323456789012:role/deployer").unwrap();
        let cn_root = Requester::account_root("aws-cn", "223456789012");
        let root = account("223456789012");
        let cases: Vec<(&Requester, &str, bool)> = vec![
            (&root, "lambda:InvokeFunction", true),
            (&role, "lambda:InvokeFunction", true),
            // IAM action names ignore case [docs: IAM "Action"].
            (&role, "LAMBDA:invokefunction", true),
            (&other_role, "lambda:InvokeFunction", false),
            (&cn_root, "lambda:InvokeFunction", false),
            (&root, "lambda:GetFunction", false),
        ];
        for (who, action, allowed) in cases {
            let req = Request { requester: who, action, resource: FN, context: &none };
            assert_eq!(evaluate(p.as_ref(), &req).is_allowed(), allowed, "{who} {action}");
        }
        let req = Request { requester: &role, action: "lambda:InvokeFunction", resource: FN, context: &none };
        assert_eq!(evaluate(None, &req), Decision::NoPolicy);
        // An IAM user or role principal is matched exactly.
        let p = policy(vec![statement(
            "u",
            Principal::Aws("arn:aws:iam::223456789012:role/deployer".into()),
            "lambda:*",
            FN,
            &[],
        )]);
        assert!(evaluate(p.as_ref(), &req).is_allowed());
        let req = Request { requester: &root, ..req };
        assert!(!evaluate(p.as_ref(), &req).is_allowed());
    }

    #[test]
    fn action_wildcards() {
        for (pattern, action, want) in [
            ("lambda:*", "lambda:InvokeFunction", true),
            ("*", "lambda:GetLayerVersion", true),
            ("lambda:Get*", "lambda:GetFunction", true),
            ("lambda:Get*", "lambda:InvokeFunction", false),
            ("lambda:?etFunction", "lambda:GetFunction", true),
            ("lambda:InvokeFunction", "lambda:InvokeFunctionUrl", false),
        ] {
            let p = policy(vec![statement("a", Principal::Any, pattern, FN, &[])]);
            let who = account("223456789012");
            let req = Request { requester: &who, action, resource: FN, context: &Context::new() };
            assert_eq!(evaluate(p.as_ref(), &req).is_allowed(), want, "{pattern} {action}");
        }
    }

    #[test]
    fn organization_condition_as_in_the_layer_docs() {
        // Lambda's layer example: `--principal '*' --organization-id o-t194hfs8cz` [docs: "Granting layer access
        // to other accounts"], and AddPermission's `--principal-org-id`.
        let layer = "arn:aws:lambda:us-west-2:123456789012:layer:my-layer:3";
        let p = policy(vec![statement(
            "engineering-org",
            Principal::Any,
            "lambda:GetLayerVersion",
            layer,
            &[("StringEquals", "aws:PrincipalOrgID", "o-t194hfs8cz")],
        )]);
        let who = account("223456789012");
        for (context, want) in [
            (ctx(&[("aws:PrincipalOrgID", "o-t194hfs8cz")]), true),
            (ctx(&[("aws:principalorgid", "o-t194hfs8cz")]), true),
            (ctx(&[("aws:PrincipalOrgID", "o-T194HFS8CZ")]), false),
            (ctx(&[("aws:PrincipalOrgID", "o-other00000")]), false),
            (Context::new(), false),
        ] {
            let req = Request { requester: &who, action: "lambda:GetLayerVersion", resource: layer, context: &context };
            assert_eq!(evaluate(p.as_ref(), &req).is_allowed(), want, "{context:?}");
        }
    }

    #[test]
    fn condition_operators() {
        // Examples in the spirit of IAM's "Condition operators" page: StringLike with `*`/`?`, ArnLike part by part.
        let cases = [
            ("StringEquals", "johndoe", "johndoe", true),
            ("StringEquals", "johndoe", "JohnDoe", false),
            ("StringLike", "home/*", "home/johndoe/notes", true),
            ("StringLike", "home/?", "home/ab", false),
            ("StringLike", "*", "", true),
            ("ArnLike", "arn:aws:sns:*:123456789012:TOPIC-ID", "arn:aws:sns:us-east-1:123456789012:TOPIC-ID", true),
            ("ArnLike", "arn:aws:s3:::my-bucket-*", "arn:aws:s3:::my-bucket-1xpuxmplzrlbh", true),
            ("ArnLike", "arn:aws:s3:::my-bucket", "arn:aws:s3:::my-bucket/extra", false),
            // A `*` stays inside its part: it cannot swallow the colons of the region and account.
            ("ArnLike", "arn:aws:sns:*", "arn:aws:sns:us-east-1:123456789012:topic", false),
            // The sixth part keeps its colons.
            ("ArnLike", "arn:aws:lambda:*:*:function:*", "arn:aws:lambda:us-east-1:123456789012:function:f:1", true),
            ("ArnLike", "arn:aws:s3:::b", "not-an-arn", false),
            ("ArnLike", "arn:aws:s3:::B", "arn:aws:s3:::b", false),
            ("Bool", "true", "true", true),
            ("Bool", "true", "false", false),
            ("NumericEquals", "1", "1", false),
        ];
        for (op, expected, actual, want) in cases {
            assert_eq!(condition_holds(op, expected, actual), want, "{op} {expected} {actual}");
        }
    }

    #[test]
    fn wildcards() {
        for (p, v, want) in [
            ("", "", true),
            ("", "a", false),
            ("*", "anything", true),
            ("a*b*c", "aXXbYYc", true),
            ("a*b*c", "aXXbYY", false),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("**", "", true),
            ("*a", "bbba", true),
            ("é?", "éx", true),
        ] {
            assert_eq!(wildcard_match(p, v), want, "{p} {v}");
        }
    }

    #[test]
    fn requesters_and_organizations() {
        assert_eq!(Requester::iam("arn:aws:iam::123456789012:user/u").unwrap().account(), Some("123456789012"));
        assert!(Requester::iam("arn:aws:iam:us-east-1:123456789012:user/u").is_none());
        assert!(Requester::iam("arn:aws:s3:::bucket").is_none());
        let o = Organization::parse("o-abcdefghij=111111111111, 222222222222").unwrap();
        assert_eq!(o.accounts, ["111111111111", "222222222222"]);
        assert!(Organization::parse("o-short=111111111111").is_err());
        assert!(Organization::parse("o-abcdefghij=1111").is_err());
        assert!(Organization::parse("o-abcdefghij").is_err());
        let orgs = [o];
        assert_eq!(organization_of(&orgs, "222222222222"), Some("o-abcdefghij"));
        assert_eq!(organization_of(&orgs, "333333333333"), None);
    }
}
