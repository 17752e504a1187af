//! What a function-addressed request names, resolved: `FunctionName` (a name, a partial ARN or a full ARN, SPEC §4)
//! and `Qualifier` become the scope that holds the function, its name and the effective qualifier, and from there
//! the function itself and the policy of what the qualifier addresses (the unqualified function, a version or an
//! alias; `domain::function::Function::policy`).
//!
//! Every function operation starts here: the function and permission operations, aliases, Invoke, the enforcement
//! of resource-based policies and the policy simulation.

use crate::domain::arn::{FunctionArn, Scope};
use crate::domain::function::Function;
use crate::domain::function_name::{check_function_name, check_qualifier, CrossAccount, FunctionRef, NameRule};
use crate::domain::policy::Policy;
use crate::domain::state::State;
use crate::domain::validate::Violations;
use crate::error::Error;

/// A FunctionName (and optional Qualifier) after validation, scope and mismatch checks.
#[derive(Debug, Clone)]
pub struct FunctionTarget {
    pub scope: Scope,
    pub name: String,
    /// `Qualifier ?? derived qualifier`.
    pub qualifier: Option<String>,
}

impl FunctionTarget {
    /// The function a validated FunctionName names, in the scope `cross` lets it address, with the effective
    /// qualifier of the name and `qualifier` (SPEC §8.1 steps 2–3: the ARN's region and account, then the
    /// derived-qualifier mismatch).
    pub fn new(
        parsed: FunctionRef,
        caller: &Scope,
        cross: CrossAccount,
        qualifier: Option<&str>,
    ) -> Result<Self, Error> {
        let scope = parsed.scope(caller, cross)?;
        let qualifier = parsed.effective_qualifier(qualifier)?;
        Ok(FunctionTarget { scope, name: parsed.name, qualifier })
    }

    /// The function a validated FunctionName names, for operations that address the whole function: a qualifier
    /// the name derives plays no part.
    pub fn unqualified(parsed: FunctionRef, caller: &Scope, cross: CrossAccount) -> Result<Self, Error> {
        Ok(FunctionTarget { scope: parsed.scope(caller, cross)?, name: parsed.name, qualifier: None })
    }

    /// A full function ARN, qualified or not, as its own scope names it (the policy simulation's `Resource`).
    pub fn of_arn(arn: FunctionArn<'_>) -> Self {
        FunctionTarget { scope: arn.scope, name: arn.name.to_owned(), qualifier: arn.qualifier.map(str::to_owned) }
    }

    pub fn arn(&self) -> String {
        self.scope.function_arn(&self.name)
    }

    /// The ARN with the effective qualifier appended, if any.
    pub fn qualified_arn(&self) -> String {
        match &self.qualifier {
            Some(q) => self.scope.qualified_function_arn(&self.name, q),
            None => self.arn(),
        }
    }

    /// The function, or 404 `Function not found: <unqualified arn>`.
    pub fn function<'a>(&self, state: &'a State) -> Result<&'a Function, Error> {
        state.function(&self.scope, &self.name).ok_or_else(|| self.function_not_found())
    }

    /// Mutable [`FunctionTarget::function`].
    pub fn function_mut<'a>(&self, state: &'a mut State) -> Result<&'a mut Function, Error> {
        state.function_mut(&self.scope, &self.name).ok_or_else(|| self.function_not_found())
    }

    fn function_not_found(&self) -> Error {
        Error::not_found(format!("Function not found: {}", self.arn()))
    }

    /// The policy of what the qualifier addresses, and the ARN its statements name. No qualifier and `$LATEST` share
    /// the function's own policy and unqualified ARN [inferred: AddPermission refuses `$LATEST`, GetPolicy answers
    /// it with the function's policy]. `None` when the function, version or alias does not exist.
    pub fn policy<'a>(&self, state: &'a State) -> Option<(Option<&'a Policy>, String)> {
        let policy = state.function(&self.scope, &self.name)?.policy(self.qualifier.as_deref()).ok()?;
        let unqualified = self.qualifier.as_deref().is_none_or(|q| q == "$LATEST");
        Some((policy, if unqualified { self.arn() } else { self.qualified_arn() }))
    }
}

/// Validates FunctionName and Qualifier (all violations in one ValidationException), then the ARN's region and
/// account, then the derived-qualifier mismatch: the first three steps of every function operation (SPEC §8.1).
pub fn resolve(
    caller: &Scope,
    function_name: &str,
    qualifier: Option<&str>,
    rule: NameRule,
    cross: CrossAccount,
) -> Result<FunctionTarget, Error> {
    let mut v = Violations::new();
    let parsed = check_function_name(&mut v, function_name, rule);
    check_qualifier(&mut v, qualifier);
    v.finish()?;
    FunctionTarget::new(parsed.expect("a name without violations parsed"), caller, cross, qualifier)
}
