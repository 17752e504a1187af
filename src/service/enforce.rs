//! Enforcing resource-based policies: who may invoke a function, read another account's function, or use another
//! account's layer version. Also Invoke (DryRun only) and the policy simulation behind `/_lambdalite/simulate`.
//!
//! A caller in the resource's own account is always allowed: AWS would consult its identity-based (IAM) policies,
//! which lambdalite does not model. A caller from another account is allowed only when the policy of the
//! addressed resource allows it (`domain::evaluate`), with AWS's AccessDeniedException otherwise. For a caller of
//! another account the decision comes before the lookup, so a missing function or qualifier is a 403 too: there
//! is no policy that could allow the request, and the answer does not reveal what the other account holds
//! [inferred: AWS answers AccessDenied for a foreign function it cannot authorize].
//!
//! The caller's `aws:PrincipalOrgID` comes from `--organization`, which the `State` carries (`State::organizations`)
//! so that every service function sees it without any ambient context.

use crate::domain::arn::{AccountId, FunctionArn, LayerVersionArn, Scope};
use crate::domain::evaluate::{self, Context, Decision, Mismatch, Request, Requester};
use crate::domain::function_name::{CrossAccount, NameRule};
use crate::domain::policy::Policy;
use crate::domain::state::State;
use crate::domain::validate::Violations;
use crate::error::Error;

use super::target::FunctionTarget;

/// The organization of `account`, from `--organization`.
pub fn organization_of(state: &State, account: &str) -> Option<String> {
    evaluate::organization_of(&state.organizations, account).map(str::to_owned)
}

/// A signed caller: the root principal of its account, in its region's partition.
pub fn caller_requester(caller: &Scope) -> Requester {
    Requester::account_root(caller.partition(), &caller.account)
}

/// The condition keys a signed request carries: `aws:PrincipalAccount`, and `aws:PrincipalOrgID` when the account
/// is in a configured organization. A signed call never has `aws:SourceArn` or `aws:SourceAccount`: those come from
/// services calling on a resource's behalf.
pub fn caller_context(state: &State, caller: &Scope) -> Context {
    let mut context = Context::new();
    context.insert("aws:PrincipalAccount", caller.account.clone());
    if let Some(org) = organization_of(state, &caller.account) {
        context.insert("aws:PrincipalOrgID", org);
    }
    context
}

/// AWS's refusal when no resource-based policy allows a request.
pub fn denied(requester: &Requester, action: &str, resource: &str) -> Error {
    Error::AccessDeniedException(format!(
        "User: {requester} is not authorized to perform: {action} on resource: {resource} because no resource-based \
         policy allows the {action} action"
    ))
}

/// Allows `caller` when it is in `owner`'s account, or when `policy` allows `action` on `resource` for it.
pub fn authorize(
    state: &State,
    caller: &Scope,
    owner: &Scope,
    policy: Option<&Policy>,
    action: &str,
    resource: &str,
) -> Result<(), Error> {
    if caller.account == owner.account {
        return Ok(());
    }
    let requester = caller_requester(caller);
    let context = caller_context(state, caller);
    let request = Request { requester: &requester, action, resource, context: &context };
    if evaluate::evaluate(policy, &request).is_allowed() {
        Ok(())
    } else {
        Err(denied(&requester, action, resource))
    }
}

/// Authorizes `action` on the function (and qualifier) `r` addresses. The denial names the ARN as addressed.
pub fn authorize_function(state: &State, caller: &Scope, r: &FunctionTarget, action: &str) -> Result<(), Error> {
    if caller.account == r.scope.account {
        return Ok(());
    }
    let (policy, resource) = r.policy(state).unwrap_or((None, r.qualified_arn()));
    authorize(state, caller, &r.scope, policy, action, &resource).map_err(|_| {
        let requester = caller_requester(caller);
        denied(&requester, action, &r.qualified_arn())
    })
}

/// Authorizes `lambda:GetLayerVersion` on a layer version (a missing one has no policy).
pub fn authorize_layer_version(
    state: &State,
    caller: &Scope,
    scope: &Scope,
    name: &str,
    version: u64,
) -> Result<(), Error> {
    if caller.account == scope.account {
        return Ok(());
    }
    let policy = state
        .namespace(scope)
        .and_then(|ns| ns.layers.get(name))
        .and_then(|l| l.versions.get(&version))
        .and_then(|lv| lv.policy.as_ref());
    authorize(state, caller, scope, policy, "lambda:GetLayerVersion", &scope.layer_version_arn(name, version))
}

/// The invocation types of the model's `InvocationType` enum.
const INVOCATION_TYPES: &[&str] = &["Event", "RequestResponse", "DryRun"];

/// Invoke (`POST /2015-03-31/functions/{FunctionName}/invocations`). Only `DryRun` is served: it checks that the
/// function (and qualifier) exists and that the caller may invoke it, and answers 204.
///
/// Deviation: lambdalite never runs code, so `RequestResponse` (also the default when the header is missing) and
/// `Event` answer 400 InvalidParameterValueException after the same checks, saying so.
pub fn invoke(
    state: &State,
    caller: &Scope,
    function_name: &str,
    qualifier: Option<&str>,
    invocation_type: Option<&str>,
) -> Result<(), Error> {
    // Model member order: FunctionName, InvocationType, ..., Qualifier.
    let mut v = Violations::new();
    let parsed = crate::domain::function_name::check_function_name(&mut v, function_name, NameRule::Namespaced(170));
    if let Some(t) = invocation_type {
        v.one_of("invocationType", t, INVOCATION_TYPES);
    }
    crate::domain::function_name::check_qualifier(&mut v, qualifier);
    v.finish()?;
    let r = FunctionTarget::new(parsed.expect("validated"), caller, CrossAccount::Follow, qualifier)?;
    authorize_function(state, caller, &r, "lambda:InvokeFunction")?;
    let not_found = || Error::not_found(format!("Function not found: {}", r.qualified_arn()));
    let f = state.function(&r.scope, &r.name).ok_or_else(not_found)?;
    f.configuration(r.qualifier.as_deref()).ok_or_else(not_found)?;
    match invocation_type.unwrap_or("RequestResponse") {
        "DryRun" => Ok(()),
        other => Err(Error::invalid(format!(
            "lambdalite does not run function code, so InvocationType {other} is not supported. Use InvocationType \
             DryRun to check that the function exists and that the caller may invoke it."
        ))),
    }
}

/// What `/_lambdalite/simulate` decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Simulation {
    pub allowed: bool,
    /// `SameAccount` or `ResourcePolicy` when allowed.
    pub basis: Option<&'static str>,
    pub matched_statement: Option<String>,
    pub reason: Option<String>,
    /// Each statement that did not match, and why.
    pub statements: Vec<(String, Mismatch)>,
    /// The context the policy was evaluated with (the given keys, plus the principal's organization if known).
    pub context: Context,
}

/// The principal of a simulation: `*` is refused (an anonymous caller is not something Lambda's statements can
/// be asked about), a 12-digit account is its root, an IAM ARN is that principal, anything else with a dot is a
/// service principal.
fn simulation_requester(principal: &str, partition: &str) -> Option<Requester> {
    if AccountId::is_valid(principal) {
        Some(Requester::account_root(partition, principal))
    } else if principal.starts_with("arn:") {
        Requester::iam(principal)
    } else if principal.contains('.') && !principal.contains(char::is_whitespace) {
        Some(Requester::Service(principal.to_owned()))
    } else {
        None
    }
}

/// Evaluates `action` by `principal` on `resource` (a function ARN, qualified or not, or a layer version ARN)
/// against the resource's policy, with `context` as the request's condition keys.
pub fn simulate(
    state: &State,
    principal: Option<&str>,
    action: Option<&str>,
    resource: Option<&str>,
    mut context: Context,
) -> Result<Simulation, Error> {
    let mut v = Violations::new();
    let principal = v.required("principal", principal);
    let action = v.required("action", action);
    let resource = v.required("resource", resource);
    v.finish()?;
    let (principal, action, resource) =
        (principal.expect("validated"), action.expect("validated"), resource.expect("validated"));
    if action.is_empty() {
        return Err(Error::invalid("Action must name an action, such as lambda:InvokeFunction."));
    }
    let (owner, policy, resource) = simulation_target(state, resource)?;
    let requester = simulation_requester(principal, owner.partition()).ok_or_else(|| {
        Error::invalid(format!(
            "The provided principal was invalid: '{principal}'. Use an account id, an IAM ARN or a service principal."
        ))
    })?;
    if let (false, Some(org)) =
        (context.contains("aws:PrincipalOrgID"), requester.account().and_then(|a| organization_of(state, a)))
    {
        context.insert("aws:PrincipalOrgID", org);
    }
    if let Some(account) = requester.account().filter(|_| !context.contains("aws:PrincipalAccount")) {
        context.insert("aws:PrincipalAccount", account.to_owned());
    }
    if requester.account() == Some(owner.account.as_str()) {
        return Ok(Simulation {
            allowed: true,
            basis: Some("SameAccount"),
            matched_statement: None,
            reason: None,
            statements: Vec::new(),
            context,
        });
    }
    let request = Request { requester: &requester, action, resource: &resource, context: &context };
    let out = match evaluate::evaluate(policy, &request) {
        Decision::Allow(sid) => Simulation {
            allowed: true,
            basis: Some("ResourcePolicy"),
            matched_statement: Some(sid),
            reason: None,
            statements: Vec::new(),
            context,
        },
        Decision::NoPolicy => Simulation {
            allowed: false,
            basis: None,
            matched_statement: None,
            reason: Some(format!("No resource-based policy is attached to {resource}.")),
            statements: Vec::new(),
            context,
        },
        Decision::NoMatch(statements) => {
            let details: Vec<String> = statements.iter().map(|(sid, m)| format!("{sid}: {m}")).collect();
            Simulation {
                allowed: false,
                basis: None,
                matched_statement: None,
                reason: Some(format!(
                    "No statement in the policy of {resource} allows {action} for {requester} ({}).",
                    details.join("; ")
                )),
                statements,
                context,
            }
        }
    };
    Ok(out)
}

/// The owner, policy and policy ARN of a simulated resource, or AWS's 404 texts when it does not exist.
fn simulation_target<'a>(state: &'a State, resource: &str) -> Result<(Scope, Option<&'a Policy>, String), Error> {
    if let Some(LayerVersionArn { scope, name, version }) = LayerVersionArn::parse(resource) {
        let arn = format!("{}:{version}", scope.layer_arn(name));
        let missing = || Error::not_found(format!("Layer version {arn} does not exist."));
        let n: u64 = version.parse().map_err(|_| missing())?;
        let lv = state
            .namespace(&scope)
            .and_then(|ns| ns.layers.get(name))
            .and_then(|l| l.versions.get(&n))
            .ok_or_else(missing)?;
        return Ok((scope.clone(), lv.policy.as_ref(), scope.layer_version_arn(name, n)));
    }
    let r = FunctionArn::parse(resource).map(FunctionTarget::of_arn).ok_or_else(|| {
        Error::invalid(format!(
            "Resource must be a function ARN (arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]) or a \
             layer version ARN (arn:aws:lambda:<region>:<account>:layer:<name>:<version>), got '{resource}'."
        ))
    })?;
    let (policy, arn) =
        r.policy(state).ok_or_else(|| Error::not_found(format!("Function not found: {}", r.qualified_arn())))?;
    Ok((r.scope.clone(), policy, arn))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simulation_principals() {
        assert_eq!(
            simulation_requester("s3.amazonaws.com", "aws"),
            Some(Requester::Service("s3.amazonaws.com".into()))
        );
        assert_eq!(
            simulation_requester("111111111111", "aws-cn"),
            Some(Requester::account_root("aws-cn", "111111111111"))
        );
        assert_eq!(
            simulation_requester("arn:aws:iam::111111111111:role/r", "aws")
                .and_then(|r| r.account().map(str::to_owned)),
            Some("111111111111".into())
        );
        assert_eq!(simulation_requester("*", "aws"), None);
        assert_eq!(simulation_requester("arn:aws:s3:::b", "aws"), None);
    }

    #[test]
    fn organizations_come_from_the_state() {
        let mut state = State::new(std::time::Duration::ZERO);
        let caller = Scope::new("111111111111", "us-east-1");
        assert_eq!(organization_of(&state, "111111111111"), None);
        assert!(!caller_context(&state, &caller).contains("aws:PrincipalOrgID"));
        state.organizations = vec![evaluate::Organization::parse("o-abcdefghij=111111111111").unwrap()];
        assert_eq!(organization_of(&state, "111111111111").as_deref(), Some("o-abcdefghij"));
        assert!(caller_context(&state, &caller).contains("aws:PrincipalOrgID"));
    }
}
