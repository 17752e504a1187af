//! Layer permissions: AddLayerVersionPermission, GetLayerVersionPolicy, RemoveLayerVersionPermission (SPEC §5.4,
//! §7, §9).
//!
//! Each layer version has its own optional policy with its own RevisionId. `LayerName` may be a layer ARN of
//! another account, which addresses that account's layer: lambdalite does not decide who may share what.
//!
//! As in `permissions`, `prepare_*` validates and builds the statement before any lock is taken, and `apply_*` does
//! the lookup, the RevisionId check and the mutation in one acquisition of the store's lock, which is what makes the
//! RevisionId a real compare-and-swap.

use crate::domain::arn::{AccountId, Scope};
use crate::domain::layer::{parse_layer_name, LayerVersion};
use crate::domain::patterns;
use crate::domain::policy::{self, Conditions, Principal, Statement, StoredStatement};
use crate::domain::state::State;
use crate::domain::validate::Violations;
use crate::error::Error;
use crate::wire::dto::layers::*;
use crate::wire::dto::permissions::GetPolicyOutput;

use super::layers::{check_layer_name, check_version_number, version_arn_text};

/// The 412 text of both layer policy mutations (SPEC §5.4).
pub const LAYER_POLICY_REVISION_MISMATCH: &str =
    "The Revision Id provided does not match the latest Revision Id. Call the GetLayerPolicy API to retrieve the latest Revision Id";

/// The 404 of a version without a policy (SPEC §9.2, §9.3).
const NO_POLICY: &str = "No policy is associated with the given resource.";

/// The statement principal of a validated layer `Principal` (SPEC §7): `*` stays a string, an account id becomes
/// its root ARN in the layer's partition, a root ARN is kept as given.
pub fn layer_principal(scope: &Scope, principal: &str) -> Principal {
    if principal == "*" {
        Principal::Any
    } else if AccountId::is_valid(principal) {
        Principal::Aws(scope.account_root_arn(principal))
    } else {
        Principal::Aws(principal.to_owned())
    }
}

/// The layer version a validated `LayerName` and `VersionNumber` address, or AWS's 404 naming it (SPEC §9: the same
/// text whether the layer or only the version is missing).
fn version_mut<'a>(state: &'a mut State, scope: &Scope, name: &str, n: i64) -> Result<&'a mut LayerVersion, Error> {
    let missing = || Error::not_found(format!("Layer version {} does not exist.", version_arn_text(scope, name, n)));
    let n = u64::try_from(n).map_err(|_| missing())?;
    state.layer_mut(scope, name).and_then(|l| l.versions.get_mut(&n)).ok_or_else(missing)
}

/// Read-only twin of [`version_mut`].
fn version_ref<'a>(state: &'a State, scope: &Scope, name: &str, n: i64) -> Result<&'a LayerVersion, Error> {
    let missing = || Error::not_found(format!("Layer version {} does not exist.", version_arn_text(scope, name, n)));
    let n = u64::try_from(n).map_err(|_| missing())?;
    state.namespace(scope).and_then(|ns| ns.layers.get(name)).and_then(|l| l.versions.get(&n)).ok_or_else(missing)
}

/// A validated `LayerName` and `VersionNumber`: where the layer lives, its name, and the version asked for.
#[derive(Debug)]
pub struct LayerVersionTarget {
    scope: Scope,
    name: String,
    version: i64,
}

/// Validates `LayerName` and `VersionNumber` into `v` and, when both pass, says what they address.
fn check_target(
    v: &mut Violations,
    caller: &Scope,
    layer_name: &str,
    version_number: &str,
) -> Option<(Scope, String, i64)> {
    check_layer_name(v, layer_name);
    let n = check_version_number(v, version_number);
    let name_ok = v.is_empty();
    n.filter(|_| name_ok).map(|n| {
        let (scope, name) = parse_layer_name(caller, layer_name);
        (scope, name, n)
    })
}

/// AddLayerVersionPermission after validation (SPEC §9.1 step 1), with its statement already serialized.
#[derive(Debug)]
pub struct AddLayerVersionPermissionRequest {
    target: LayerVersionTarget,
    revision_id: Option<String>,
    statement: StoredStatement,
}

/// AddLayerVersionPermission, step 1 of SPEC §9.1 and the statement, before the write lock.
pub fn prepare_add_layer_version_permission(
    caller: &Scope,
    layer_name: &str,
    version_number: &str,
    revision_id: Option<String>,
    input: AddLayerVersionPermissionInput,
) -> Result<AddLayerVersionPermissionRequest, Error> {
    // 1. Model constraints, in model member order, in one ValidationException.
    let mut v = Violations::new();
    let target = check_target(&mut v, caller, layer_name, version_number);
    if let Some(sid) = v.required("statementId", input.statement_id.as_deref()) {
        v.string("statementId", sid, 1, 100, Some(&patterns::STATEMENT_ID));
    }
    if let Some(action) = v.required("action", input.action.as_deref()) {
        v.string("action", action, 0, 22, Some(&patterns::LAYER_ACTION));
    }
    if let Some(principal) = v.required("principal", input.principal.as_deref()) {
        v.pattern("principal", principal, &patterns::LAYER_PRINCIPAL);
    }
    if let Some(org) = input.organization_id.as_deref() {
        v.string("organizationId", org, 0, 34, Some(&patterns::ORG_ID));
    }
    v.finish()?;
    let (Some((scope, name, n)), Some(sid), Some(action), Some(principal)) =
        (target, input.statement_id, input.action, input.principal)
    else {
        unreachable!("validated above")
    };
    let mut condition = Conditions::default();
    if let Some(org) = input.organization_id {
        condition.entry("StringEquals").or_default().insert("aws:PrincipalOrgID", org);
    }
    // The Resource is the version's ARN; a version below 1 never exists, so that statement is never stored.
    let resource = version_arn_text(&scope, &name, n);
    // Only the layer's owner may change its policy: an ARN of another account or region is refused, as
    // PublishLayerVersion and DeleteLayerVersion refuse it.
    super::layers::deny_foreign(caller, &scope, "AddLayerVersionPermission", &resource)?;
    let statement = Statement::allow(sid, layer_principal(&scope, &principal), action, resource, condition);
    Ok(AddLayerVersionPermissionRequest {
        target: LayerVersionTarget { scope, name, version: n },
        revision_id,
        statement: StoredStatement::new(statement),
    })
}

/// AddLayerVersionPermission, steps 2–5 of SPEC §9.1, under the write lock: 201 with the statement and the policy's
/// new RevisionId.
pub fn apply_add_layer_version_permission(
    state: &mut State,
    req: AddLayerVersionPermissionRequest,
) -> Result<AddLayerVersionPermissionOutput, Error> {
    let AddLayerVersionPermissionRequest { target: t, revision_id, statement } = req;
    // 2. The layer version.
    let lv = version_mut(state, &t.scope, &t.name, t.version)?;
    // 3. Sid unique within this version's policy.
    policy::check_sid_free(lv.policy.as_ref(), statement.sid())?;
    // 4. Compare-and-swap: without a policy there is nothing to match, so any RevisionId fails (SPEC §5.4).
    policy::check_revision(lv.policy.as_ref(), revision_id.as_deref(), None, LAYER_POLICY_REVISION_MISMATCH)?;
    // 5. Size, append, new RevisionId.
    policy::add_stored(&mut lv.policy, &statement)?;
    let policy = lv.policy.as_ref().expect("just added");
    Ok(AddLayerVersionPermissionOutput::new(&statement, policy.revision_id()))
}

/// GetLayerVersionPolicy's validation (SPEC §9.2), before the read lock.
pub fn prepare_get_layer_version_policy(
    caller: &Scope,
    layer_name: &str,
    version_number: &str,
) -> Result<LayerVersionTarget, Error> {
    let mut v = Violations::new();
    let target = check_target(&mut v, caller, layer_name, version_number);
    v.finish()?;
    let (scope, name, version) = target.expect("validated");
    Ok(LayerVersionTarget { scope, name, version })
}

/// GetLayerVersionPolicy's lookup (SPEC §9.2), under the read lock.
pub fn apply_get_layer_version_policy(
    state: &State,
    t: &LayerVersionTarget,
) -> Result<GetLayerVersionPolicyOutput, Error> {
    let lv = version_ref(state, &t.scope, &t.name, t.version)?;
    let p = lv.policy.as_ref().ok_or_else(|| Error::not_found(NO_POLICY))?;
    Ok(GetLayerVersionPolicyOutput(GetPolicyOutput::new(p)))
}

/// RemoveLayerVersionPermission after validation (SPEC §9.3).
#[derive(Debug)]
pub struct RemoveLayerVersionPermissionRequest {
    target: LayerVersionTarget,
    statement_id: String,
    revision_id: Option<String>,
}

/// RemoveLayerVersionPermission's validation, before the write lock.
pub fn prepare_remove_layer_version_permission(
    caller: &Scope,
    layer_name: &str,
    version_number: &str,
    statement_id: String,
    revision_id: Option<String>,
) -> Result<RemoveLayerVersionPermissionRequest, Error> {
    // The model gives this path label the plain StatementId shape: no dots, unlike RemovePermission's.
    let mut v = Violations::new();
    let target = check_target(&mut v, caller, layer_name, version_number);
    v.string("statementId", &statement_id, 1, 100, Some(&patterns::STATEMENT_ID));
    v.finish()?;
    let (scope, name, version) = target.expect("validated");
    let resource = version_arn_text(&scope, &name, version);
    super::layers::deny_foreign(caller, &scope, "RemoveLayerVersionPermission", &resource)?;
    Ok(RemoveLayerVersionPermissionRequest {
        target: LayerVersionTarget { scope, name, version },
        statement_id,
        revision_id,
    })
}

/// RemoveLayerVersionPermission (SPEC §9.3) under the write lock. The revision is checked before the Sid.
pub fn apply_remove_layer_version_permission(
    state: &mut State,
    req: RemoveLayerVersionPermissionRequest,
) -> Result<(), Error> {
    let RemoveLayerVersionPermissionRequest { target: t, statement_id, revision_id } = req;
    let lv = version_mut(state, &t.scope, &t.name, t.version)?;
    let Some(current) = lv.policy.as_ref() else { return Err(Error::not_found(NO_POLICY)) };
    policy::check_revision(Some(current), revision_id.as_deref(), None, LAYER_POLICY_REVISION_MISMATCH)?;
    if !policy::remove_statement(&mut lv.policy, &statement_id) {
        return Err(Error::not_found(format!("Statement {statement_id} is not found in resource policy.")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principals() {
        let scope = Scope::new("123456789012", "us-east-2");
        assert_eq!(layer_principal(&scope, "*"), Principal::Any);
        assert_eq!(layer_principal(&scope, "223456789012"), Principal::Aws("arn:aws:iam::223456789012:root".into()));
        assert_eq!(
            layer_principal(&scope, "arn:aws:iam::223456789012:root"),
            Principal::Aws("arn:aws:iam::223456789012:root".into())
        );
        let gov = Scope::new("123456789012", "us-gov-west-1");
        assert_eq!(
            layer_principal(&gov, "223456789012"),
            Principal::Aws("arn:aws-us-gov:iam::223456789012:root".into())
        );
    }
}
