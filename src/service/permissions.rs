//! Function permissions: AddPermission, GetPolicy, RemovePermission (SPEC §5.3, §6, §8).
//!
//! Each qualifier (`$LATEST`/unqualified, each version, each alias) has its own policy and policy RevisionId.
//!
//! Each operation comes in two halves. `prepare_*` does everything that depends on the request alone (validation,
//! the ARN's scope, the qualifier, building and serializing the statement) before any lock is taken. `apply_*` runs
//! under the store's lock and does the lookups, the RevisionId compare-and-swap and the mutation in that one
//! acquisition. The errors still come out in AWS's order: `prepare_*` covers only the leading steps, and an error it
//! finds for a later step is held back until `apply_*` reaches that step.

use crate::domain::arn::{AccountId, IamArn, IamService, Scope};
use crate::domain::function::{PolicySlot, Unaddressed};
use crate::domain::function_name::{check_function_name, check_qualifier, CrossAccount, NameRule};
use crate::domain::patterns;
use crate::domain::policy::{self, Conditions, Principal, Statement, StoredStatement};
use crate::domain::state::State;
use crate::domain::validate::Violations;
use crate::error::Error;
use crate::wire::dto::permissions::*;

use super::target::{self, FunctionTarget};

/// The 412 text of AddPermission and RemovePermission.
pub const POLICY_REVISION_MISMATCH: &str =
    "The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the latest Revision Id";

const NAME_RULE: NameRule = NameRule::Namespaced(170);

/// Maps AddPermission's `Principal` to the statement's principal (SPEC §6.1).
pub fn map_principal(scope: &Scope, principal: &str) -> Result<Principal, Error> {
    if principal == "*" {
        Ok(Principal::Any)
    } else if AccountId::is_valid(principal) {
        Ok(Principal::Aws(scope.account_root_arn(principal)))
    } else if is_iam_arn(principal) {
        Ok(Principal::Aws(principal.to_owned()))
    } else if is_service(principal) {
        Ok(Principal::Service(principal.to_owned()))
    } else {
        Err(Error::invalid("The provided principal was invalid. Please check the principal and try again."))
    }
}

/// `arn:<partition>:iam::<12 digits>:<resource>`: an IAM ARN that names something (see [`IamArn`]). Lambda keeps
/// such a principal as given [rec]. An STS ARN (a role session) is refused: what Lambda answers for one is not
/// recorded, and a session ends, so a statement naming it would stop matching anything [inferred]. AWS answers "The
/// provided principal was invalid" for principals IAM could not resolve; a truncated ARN is one [inferred].
fn is_iam_arn(principal: &str) -> bool {
    IamArn::parse(principal).is_some_and(|arn| arn.service == IamService::Iam)
}

/// A service principal: `<service>.amazonaws.com`, or `<service>.amazon.com` for Alexa, with a service name in
/// front of the suffix [inferred: a bare suffix names no service].
fn is_service(principal: &str) -> bool {
    [".amazonaws.com", ".amazon.com"]
        .iter()
        .any(|suffix| principal.strip_suffix(suffix).is_some_and(|service| !service.is_empty()))
}

/// Builds the Condition block in AWS's operator and key order (SPEC §6.2).
pub fn build_conditions(input: &AddPermissionInput) -> Conditions {
    let mut c = Conditions::default();
    let string_equals = [
        ("AWS:SourceAccount", &input.source_account),
        ("lambda:FunctionUrlAuthType", &input.function_url_auth_type),
        ("aws:PrincipalOrgID", &input.principal_org_id),
        ("lambda:EventSourceToken", &input.event_source_token),
    ];
    for (key, value) in string_equals {
        if let Some(v) = value {
            c.entry("StringEquals").or_default().insert(key, v.clone());
        }
    }
    if let Some(arn) = &input.source_arn {
        c.entry("ArnLike").or_default().insert("AWS:SourceArn", arn.clone());
    }
    if input.invoked_via_function_url == Some(true) {
        c.entry("Bool").or_default().insert("lambda:InvokedViaFunctionUrl", "true".into());
    }
    c
}

fn check_add_members(v: &mut Violations, input: &AddPermissionInput) {
    if let Some(sid) = v.required("statementId", input.statement_id.as_deref()) {
        v.string("statementId", sid, 1, 100, Some(&patterns::STATEMENT_ID));
    }
    if let Some(action) = v.required("action", input.action.as_deref()) {
        v.pattern("action", action, &patterns::ACTION);
    }
    if let Some(principal) = v.required("principal", input.principal.as_deref()) {
        v.pattern("principal", principal, &patterns::PRINCIPAL);
    }
    if let Some(arn) = input.source_arn.as_deref() {
        v.pattern("sourceArn", arn, &patterns::ARN);
    }
    if let Some(account) = input.source_account.as_deref() {
        v.string("sourceAccount", account, 0, 12, Some(&patterns::SOURCE_OWNER));
    }
    if let Some(token) = input.event_source_token.as_deref() {
        v.string("eventSourceToken", token, 0, 256, Some(&patterns::EVENT_SOURCE_TOKEN));
    }
}

fn check_add_members_after_qualifier(v: &mut Violations, input: &AddPermissionInput) {
    if let Some(org) = input.principal_org_id.as_deref() {
        v.string("principalOrgID", org, 12, 34, Some(&patterns::ORG_ID));
    }
    if let Some(t) = input.function_url_auth_type.as_deref() {
        v.one_of("functionUrlAuthType", t, &["NONE", "AWS_IAM"]);
    }
}

/// The policy slot the target's qualifier addresses. Missing alias: `Cannot find alias arn`; missing version or an
/// "other" qualifier: `Function not found: <arn>:<q>` (SPEC §4.5).
fn slot<'a>(
    state: &'a mut State,
    r: &FunctionTarget,
    missing: impl FnOnce() -> Error,
) -> Result<PolicySlot<'a>, Error> {
    let delay = state.settle_delay;
    let f = state.function_mut(&r.scope, &r.name).ok_or_else(missing)?;
    f.policy_slot_mut(r.qualifier.as_deref(), delay).map_err(|unaddressed| match unaddressed {
        Unaddressed::Alias => Error::not_found(format!("Cannot find alias arn: {}", r.qualified_arn())),
        Unaddressed::Version | Unaddressed::Other => {
            Error::not_found(format!("Function not found: {}", r.qualified_arn()))
        }
    })
}

/// AddPermission after every check that needs no state: the target, and the statement already built. The principal
/// and function-URL checks (SPEC §8.1 steps 7–8) are evaluated here too, but their error is only reported after the
/// lookups (steps 5–6), in AWS's order.
#[derive(Debug)]
pub struct AddPermissionRequest {
    target: FunctionTarget,
    revision_id: Option<String>,
    statement: Result<StoredStatement, Error>,
}

/// AddPermission, steps 1–4 of SPEC §8.1 and the statement, without the store: the handler calls this before it
/// takes the write lock, so validation and serialization never hold it.
pub fn prepare_add_permission(
    caller: &Scope,
    function_name: &str,
    qualifier: Option<&str>,
    input: AddPermissionInput,
) -> Result<AddPermissionRequest, Error> {
    // 1. Every model constraint, in model member order, in one ValidationException.
    let mut v = Violations::new();
    let parsed = check_function_name(&mut v, function_name, NAME_RULE);
    check_add_members(&mut v, &input);
    check_qualifier(&mut v, qualifier);
    check_add_members_after_qualifier(&mut v, &input);
    v.finish()?;
    let parsed = parsed.expect("validated");
    // 2–3. ARN region and account, then the derived-qualifier mismatch.
    let target = FunctionTarget::new(parsed, caller, CrossAccount::Deny("AddPermission"), qualifier)?;
    // 4. No policies on $LATEST.
    if target.qualifier.as_deref() == Some("$LATEST") {
        return Err(Error::invalid("We currently do not support adding policies for $LATEST."));
    }
    let statement = build_statement(&target, &input);
    Ok(AddPermissionRequest { target, revision_id: input.revision_id, statement })
}

/// Steps 7–8 of SPEC §8.1 and the statement they allow.
fn build_statement(target: &FunctionTarget, input: &AddPermissionInput) -> Result<StoredStatement, Error> {
    // 7. Principal.
    let principal = map_principal(&target.scope, input.principal.as_deref().expect("validated"))?;
    // 8. Function URL members only go with their action. IAM action names are case-insensitive and AWS accepted
    // `lambda:invokeFunctionUrl` (SPEC §6.1), so the comparison ignores case [inferred].
    let action = input.action.clone().expect("validated");
    if input.function_url_auth_type.is_some() && !action.eq_ignore_ascii_case("lambda:InvokeFunctionUrl") {
        return Err(Error::invalid("FunctionUrlAuthType is only supported for lambda:InvokeFunctionUrl action"));
    }
    if input.invoked_via_function_url == Some(true) && !action.eq_ignore_ascii_case("lambda:InvokeFunction") {
        return Err(Error::invalid("InvokedViaFunctionUrl is only supported for lambda:InvokeFunction action"));
    }
    let sid = input.statement_id.clone().expect("validated");
    let statement = Statement::allow(sid, principal, action, target.qualified_arn(), build_conditions(input));
    Ok(StoredStatement::new(statement))
}

/// AddPermission, steps 5–11 of SPEC §8.1, under the write lock. Returns the statement JSON.
pub fn apply_add_permission(state: &mut State, req: AddPermissionRequest) -> Result<AddPermissionOutput, Error> {
    // 5–6. Function, then qualifier.
    let slot = slot(state, &req.target, || Error::not_found(format!("Function not found: {}", req.target.arn())))?;
    // 7–8, decided before the lock.
    let stored = req.statement?;
    // 9. Compare-and-swap.
    policy::check_revision(
        slot.policy.as_ref(),
        req.revision_id.as_deref(),
        Some(slot.fallback_revision),
        POLICY_REVISION_MISMATCH,
    )?;
    // 10. Sid unique within this qualifier's policy.
    policy::check_sid_free(slot.policy.as_ref(), stored.sid())?;
    // 11. Size, append, new RevisionId.
    policy::add_stored(slot.policy, &stored)?;
    Ok(AddPermissionOutput::new(&stored))
}

/// GetPolicy's target after validation (SPEC §8.2 steps 1–3), and who asks.
#[derive(Debug)]
pub struct GetPolicyRequest<'a> {
    caller: &'a Scope,
    target: FunctionTarget,
}

/// GetPolicy's target after validation (SPEC §8.2 steps 1–3), computed before the read lock.
pub fn prepare_get_policy<'a>(
    caller: &'a Scope,
    function_name: &str,
    qualifier: Option<&str>,
) -> Result<GetPolicyRequest<'a>, Error> {
    let target = target::resolve(caller, function_name, qualifier, NAME_RULE, CrossAccount::Follow)?;
    Ok(GetPolicyRequest { caller, target })
}

/// GetPolicy's lookup (SPEC §8.2), under the read lock. Another account may read the policy only when the policy
/// itself allows it `lambda:GetPolicy`.
pub fn apply_get_policy(state: &State, req: &GetPolicyRequest<'_>) -> Result<GetPolicyOutput, Error> {
    let r = &req.target;
    super::enforce::authorize_function(state, req.caller, r, "lambda:GetPolicy")?;
    let missing = || Error::not_found("The resource you requested does not exist.");
    let f = state.function(&r.scope, &r.name).ok_or_else(missing)?;
    let policy = f.policy(r.qualifier.as_deref()).ok().flatten().ok_or_else(missing)?;
    Ok(GetPolicyOutput::new(policy))
}

/// RemovePermission after validation, scope and the qualifier mismatch (SPEC §8.3 step 1).
#[derive(Debug)]
pub struct RemovePermissionRequest {
    target: FunctionTarget,
    statement_id: String,
    revision_id: Option<String>,
}

/// RemovePermission, step 1 of SPEC §8.3, before the write lock.
pub fn prepare_remove_permission(
    caller: &Scope,
    function_name: &str,
    statement_id: String,
    query: RemovePermissionQuery,
) -> Result<RemovePermissionRequest, Error> {
    let mut v = Violations::new();
    let parsed = check_function_name(&mut v, function_name, NAME_RULE);
    v.string("statementId", &statement_id, 1, 100, Some(&patterns::STATEMENT_ID_NS));
    check_qualifier(&mut v, query.qualifier.as_deref());
    v.finish()?;
    let parsed = parsed.expect("validated");
    let target =
        FunctionTarget::new(parsed, caller, CrossAccount::Deny("RemovePermission"), query.qualifier.as_deref())?;
    Ok(RemovePermissionRequest { target, statement_id, revision_id: query.revision_id })
}

/// RemovePermission, steps 2–7 of SPEC §8.3, under the write lock.
pub fn apply_remove_permission(state: &mut State, req: RemovePermissionRequest) -> Result<(), Error> {
    let RemovePermissionRequest { target: r, statement_id, revision_id } = req;
    let slot = slot(state, &r, || Error::not_found(format!("No policy found for: {}", r.arn())))?;
    let Some(current) = slot.policy.as_ref() else {
        return Err(Error::not_found("No policy is associated with the given resource."));
    };
    if !current.contains(&statement_id) {
        return Err(Error::not_found(format!("Statement {statement_id} is not found in resource policy.")));
    }
    policy::check_revision(Some(current), revision_id.as_deref(), None, POLICY_REVISION_MISMATCH)?;
    policy::remove_statement(slot.policy, &statement_id);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// AddPermission as the handler runs it: prepare, then apply.
    fn add_permission(
        state: &mut State,
        caller: &Scope,
        function_name: &str,
        qualifier: Option<&str>,
        input: AddPermissionInput,
    ) -> Result<AddPermissionOutput, Error> {
        apply_add_permission(state, prepare_add_permission(caller, function_name, qualifier, input)?)
    }

    /// GetPolicy as the handler runs it.
    fn get_policy(
        state: &State,
        caller: &Scope,
        function_name: &str,
        qualifier: Option<&str>,
    ) -> Result<GetPolicyOutput, Error> {
        apply_get_policy(state, &prepare_get_policy(caller, function_name, qualifier)?)
    }

    #[test]
    fn principal_mapping() {
        let scope = Scope::new("123456789012", "us-east-2");
        let cases: &[(&str, Option<Principal>)] = &[
            ("*", Some(Principal::Any)),
            ("223456789012", Some(Principal::Aws("arn:aws:iam::223456789012:root".into()))),
            ("arn:aws:iam::223456789012:role/r", Some(Principal::Aws("arn:aws:iam::223456789012:role/r".into()))),
            ("arn:aws:iam::223456789012:root", Some(Principal::Aws("arn:aws:iam::223456789012:root".into()))),
            ("s3.amazonaws.com", Some(Principal::Service("s3.amazonaws.com".into()))),
            ("alexa-appkit.amazon.com", Some(Principal::Service("alexa-appkit.amazon.com".into()))),
            ("example.org", None),
            ("22345678901", None),
            ("arn:aws:s3:::bucket", None),
        ];
        for (input, want) in cases {
            match (map_principal(&scope, input), want) {
                (Ok(got), Some(want)) => assert_eq!(&got, want, "{input}"),
                (Err(e), None) => assert_eq!(
                    e.message(),
                    "The provided principal was invalid. Please check the principal and try again."
                ),
                (got, want) => panic!("{input}: got {got:?}, want {want:?}"),
            }
        }
        let cn = Scope::new("123456789012", "cn-north-1");
        assert_eq!(
            map_principal(&cn, "223456789012").unwrap(),
            Principal::Aws("arn:aws-cn:iam::223456789012:root".into())
        );
    }

    #[test]
    fn principal_partitions_and_near_misses() {
        let scope = Scope::new("123456789012", "us-east-1");
        let cases: &[(&str, Option<Principal>)] = &[
            ("arn:aws-cn:iam::223456789012:root", Some(Principal::Aws("arn:aws-cn:iam::223456789012:root".into()))),
            (
                "arn:aws-us-gov:iam::223456789012:user/u",
                Some(Principal::Aws("arn:aws-us-gov:iam::223456789012:user/u".into())),
            ),
            ("events.amazonaws.com", Some(Principal::Service("events.amazonaws.com".into()))),
            ("apigateway.amazonaws.com", Some(Principal::Service("apigateway.amazonaws.com".into()))),
            ("2234567890123", None),
            ("amazonaws.com", None),
            ("s3.amazonaws.com.evil", None),
            ("arn:aws:sts::223456789012:assumed-role/r/s", None),
            ("arn:other:iam::223456789012:root", None),
            ("**", None),
            (".amazonaws.com", None),
            (".amazon.com", None),
            ("arn:aws:iam:", None),
            ("arn:aws:iam::1:root", None),
            ("arn:aws:iam::223456789012:", None),
            ("arn:aws:iam::223456789012", None),
            ("arn:aws:iam:us-east-1:223456789012:root", None),
            ("arn:aws:iam::22345678901a:root", None),
            (
                "arn:aws-iso-b:iam::223456789012:role/a:b",
                Some(Principal::Aws("arn:aws-iso-b:iam::223456789012:role/a:b".into())),
            ),
        ];
        for (input, want) in cases {
            assert_eq!(map_principal(&scope, input).ok().as_ref(), want.as_ref(), "{input}");
        }
    }

    #[test]
    fn each_condition_member_alone() {
        let cases: &[(AddPermissionInput, &str)] = &[
            (
                AddPermissionInput { source_account: Some("123456789012".into()), ..Default::default() },
                r#"{"StringEquals":{"AWS:SourceAccount":"123456789012"}}"#,
            ),
            (
                AddPermissionInput { function_url_auth_type: Some("AWS_IAM".into()), ..Default::default() },
                r#"{"StringEquals":{"lambda:FunctionUrlAuthType":"AWS_IAM"}}"#,
            ),
            (
                AddPermissionInput { principal_org_id: Some("o-abcdefghij".into()), ..Default::default() },
                r#"{"StringEquals":{"aws:PrincipalOrgID":"o-abcdefghij"}}"#,
            ),
            (
                AddPermissionInput { event_source_token: Some("t".into()), ..Default::default() },
                r#"{"StringEquals":{"lambda:EventSourceToken":"t"}}"#,
            ),
            (
                AddPermissionInput { source_arn: Some("arn:aws:s3:::b/*".into()), ..Default::default() },
                r#"{"ArnLike":{"AWS:SourceArn":"arn:aws:s3:::b/*"}}"#,
            ),
            (
                AddPermissionInput { invoked_via_function_url: Some(true), ..Default::default() },
                r#"{"Bool":{"lambda:InvokedViaFunctionUrl":"true"}}"#,
            ),
            // Members that are not conditions add none.
            (
                AddPermissionInput {
                    statement_id: Some("s".into()),
                    action: Some("lambda:*".into()),
                    principal: Some("*".into()),
                    revision_id: Some("r".into()),
                    ..Default::default()
                },
                "{}",
            ),
            // Input order never matters: Bool and ArnLike given, StringEquals still leads.
            (
                AddPermissionInput {
                    invoked_via_function_url: Some(true),
                    source_arn: Some("arn:aws:s3:::b".into()),
                    event_source_token: Some("t".into()),
                    ..Default::default()
                },
                r#"{"StringEquals":{"lambda:EventSourceToken":"t"},"ArnLike":{"AWS:SourceArn":"arn:aws:s3:::b"},"Bool":{"lambda:InvokedViaFunctionUrl":"true"}}"#,
            ),
        ];
        for (input, want) in cases {
            assert_eq!(serde_json::to_string(&build_conditions(input)).unwrap(), *want, "{input:?}");
        }
    }

    fn state_with_function(scope: &Scope, name: &str) -> State {
        let mut state = State::new(std::time::Duration::ZERO);
        create(&mut state, scope, name);
        state
    }

    fn create(state: &mut State, scope: &Scope, name: &str) {
        let mut zip = std::io::Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut zip);
            w.start_file("index.py", zip::write::SimpleFileOptions::default()).unwrap();
            std::io::Write::write_all(&mut w, b"def handler(e, c): return 1").unwrap();
            w.finish().unwrap();
        }
        use base64::Engine;
        let input = serde_json::from_value(serde_json::json!({
            "FunctionName": name,
            "Runtime": "python3.12",
            "Role": "arn:aws:iam::123456789012:role/r",
            "Handler": "index.handler",
            "Code": {"ZipFile": base64::engine::general_purpose::STANDARD.encode(zip.into_inner())},
        }))
        .unwrap();
        super::super::functions::create_function(state, scope, input).unwrap();
    }

    fn grant(sid: &str) -> AddPermissionInput {
        AddPermissionInput {
            statement_id: Some(sid.into()),
            action: Some("lambda:InvokeFunction".into()),
            principal: Some("*".into()),
            ..Default::default()
        }
    }

    /// Policies live inside the function, version and alias they belong to, so dropping the owner drops the policy
    /// and a re-created owner of the same name starts without one. (DeleteFunction/DeleteAlias arrive with the
    /// functions branch; this pins the ownership they rely on.)
    #[test]
    fn a_recreated_owner_has_no_policy() {
        let scope = Scope::new("123456789012", "us-east-1");
        let mut state = state_with_function(&scope, "f");
        let v = super::super::functions::publish_version(&mut state, &scope, "f", Default::default()).unwrap();
        assert_eq!(v.version, "1");
        let alias = serde_json::from_value(serde_json::json!({"Name": "live", "FunctionVersion": "1"})).unwrap();
        super::super::aliases::create_alias(&mut state, &scope, "f", alias).unwrap();
        for q in [None, Some("1"), Some("live")] {
            add_permission(&mut state, &scope, "f", q, grant("s")).unwrap();
            assert!(get_policy(&state, &scope, "f", q).is_ok());
        }
        let gone = |state: &State, q: Option<&str>| get_policy(state, &scope, "f", q).unwrap_err().message().to_owned();

        state.function_mut(&scope, "f").unwrap().aliases.remove("live");
        let alias = serde_json::from_value(serde_json::json!({"Name": "live", "FunctionVersion": "1"})).unwrap();
        super::super::aliases::create_alias(&mut state, &scope, "f", alias).unwrap();
        assert_eq!(gone(&state, Some("live")), "The resource you requested does not exist.");

        state.function_mut(&scope, "f").unwrap().versions.remove(&1);
        assert_eq!(gone(&state, Some("1")), "The resource you requested does not exist.");
        assert!(get_policy(&state, &scope, "f", None).is_ok(), "the unqualified policy stays");

        state.remove_function(&scope, "f");
        create(&mut state, &scope, "f");
        assert_eq!(gone(&state, None), "The resource you requested does not exist.");
    }

    #[test]
    fn add_permission_checks_in_spec_order() {
        let scope = Scope::new("123456789012", "us-east-1");
        let mut state = state_with_function(&scope, "f");
        let code = |r: Result<AddPermissionOutput, Error>| r.unwrap_err().message().to_owned();
        // $LATEST (step 4) before the missing function (step 5).
        assert_eq!(
            code(add_permission(&mut state, &scope, "nope", Some("$LATEST"), grant("s"))),
            "We currently do not support adding policies for $LATEST."
        );
        // Missing version (step 6) before an invalid principal (step 7).
        let bad_principal = AddPermissionInput { principal: Some("example.org".into()), ..grant("s") };
        assert_eq!(
            code(add_permission(&mut state, &scope, "f", Some("3"), bad_principal)),
            "Function not found: arn:aws:lambda:us-east-1:123456789012:function:f:3"
        );
        // Invalid principal (7) before the function-URL check (8).
        let both = AddPermissionInput {
            principal: Some("example.org".into()),
            function_url_auth_type: Some("NONE".into()),
            ..grant("s")
        };
        assert_eq!(
            code(add_permission(&mut state, &scope, "f", None, both)),
            "The provided principal was invalid. Please check the principal and try again."
        );
        // Function-URL check (8) before the RevisionId (9).
        let both = AddPermissionInput {
            function_url_auth_type: Some("NONE".into()),
            revision_id: Some("wrong".into()),
            ..grant("s")
        };
        assert_eq!(
            code(add_permission(&mut state, &scope, "f", None, both)),
            "FunctionUrlAuthType is only supported for lambda:InvokeFunctionUrl action"
        );
        add_permission(&mut state, &scope, "f", None, grant("s")).unwrap();
        // RevisionId (9) before the Sid conflict (10).
        let dup = AddPermissionInput { revision_id: Some("wrong".into()), ..grant("s") };
        assert_eq!(code(add_permission(&mut state, &scope, "f", None, dup)), POLICY_REVISION_MISMATCH);
    }

    #[test]
    fn condition_order() {
        let input = AddPermissionInput {
            source_arn: Some("arn:aws:s3:::b".into()),
            event_source_token: Some("tok".into()),
            principal_org_id: Some("o-abcdefghij".into()),
            function_url_auth_type: Some("NONE".into()),
            source_account: Some("123456789012".into()),
            invoked_via_function_url: Some(true),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_string(&build_conditions(&input)).unwrap(),
            r#"{"StringEquals":{"AWS:SourceAccount":"123456789012","lambda:FunctionUrlAuthType":"NONE","aws:PrincipalOrgID":"o-abcdefghij","lambda:EventSourceToken":"tok"},"ArnLike":{"AWS:SourceArn":"arn:aws:s3:::b"},"Bool":{"lambda:InvokedViaFunctionUrl":"true"}}"#
        );
        let none = AddPermissionInput { invoked_via_function_url: Some(false), ..Default::default() };
        assert!(build_conditions(&none).is_empty());
    }
}
