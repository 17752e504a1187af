//! Aliases: CreateAlias, GetAlias, UpdateAlias, DeleteAlias, ListAliases (SPEC §11, §13.2).

use crate::domain::arn::Scope;
use crate::domain::function::Alias;
use crate::domain::function_name::{check_function_name, CrossAccount, FunctionRef, NameRule};
use crate::domain::patterns::{self, is_alias_name};
use crate::domain::policy::new_revision_id;
use crate::domain::state::State;
use crate::domain::validate::Violations;
use crate::error::Error;
use crate::wire::dto::aliases::*;

use super::functions;
use super::target::FunctionTarget;

/// The wire form of an alias.
pub fn render(r: &FunctionTarget, alias: &Alias) -> AliasConfiguration {
    AliasConfiguration {
        alias_arn: r.scope.qualified_function_arn(&r.name, &alias.name),
        name: alias.name.clone(),
        function_version: alias.function_version.clone(),
        description: alias.description.clone(),
        routing_config: (!alias.routing.is_empty())
            .then(|| RoutingConfigOutput { additional_version_weights: alias.routing.clone() }),
        revision_id: alias.revision_id.clone(),
    }
}

/// Checks the alias `Name` member (1–128, alias pattern with its not-all-digits lookahead).
pub fn check_alias_name(v: &mut Violations, name: &str) {
    let len_ok = v.string("name", name, 1, 128, None);
    if len_ok && !is_alias_name(name) {
        v.push("name", name, &format!("Member must satisfy regular expression pattern: {}", patterns::ALIAS_NAME.text));
    }
}

/// The function an alias operation addresses, from a FunctionName already validated: its scope (reads follow an
/// ARN into another account, where the function's policy must allow them; writes are denied) and name. A derived qualifier plays no part in alias operations.
fn resolve(caller: &Scope, parsed: Option<FunctionRef>, op: &'static str) -> Result<FunctionTarget, Error> {
    let parsed = parsed.expect("a validated FunctionName parsed");
    let cross = if op == "GetAlias" || op == "ListAliases" { CrossAccount::Follow } else { CrossAccount::Deny(op) };
    FunctionTarget::unqualified(parsed, caller, cross)
}

/// CreateAlias (SPEC §11.1). Routing is validated by [`check_routing`].
pub fn create_alias(
    state: &mut State,
    caller: &Scope,
    function_name: &str,
    input: CreateAliasInput,
) -> Result<AliasConfiguration, Error> {
    let mut v = Violations::new();
    let parsed = check_function_name(&mut v, function_name, NameRule::Plain(140));
    if let Some(name) = v.required("name", input.name.as_deref()) {
        check_alias_name(&mut v, name);
    }
    if let Some(fv) = v.required("functionVersion", input.function_version.as_deref()) {
        check_function_version(&mut v, fv);
    }
    if let Some(d) = input.description.as_deref() {
        v.max_len("description", d, 256);
    }
    let weights = input.routing_config.as_ref().and_then(|r| r.additional_version_weights.as_ref());
    let routing = check_routing_members(&mut v, weights);
    v.finish()?;
    let r = resolve(caller, parsed, "CreateAlias")?;
    let name = input.name.expect("validated");
    let function_version = input.function_version.expect("validated");
    let target_missing = || Error::not_found(format!("Function not found: {}:{function_version}", r.arn()));
    let f = state.function_mut(&r.scope, &r.name).ok_or_else(target_missing)?;
    if function_version != "$LATEST" && function_version.parse::<u64>().ok().and_then(|n| f.versions.get(&n)).is_none()
    {
        return Err(target_missing());
    }
    check_routing(&r, f, &function_version, &routing)?;
    if f.aliases.contains_key(&name) {
        return Err(Error::conflict(format!("Alias already exists: {}:{name}", r.arn())));
    }
    let alias = Alias {
        name: name.clone(),
        function_version,
        description: input.description.unwrap_or_default(),
        routing,
        revision_id: new_revision_id(),
        policy: None,
    };
    let out = render(&r, &alias);
    f.aliases.insert(name, alias);
    Ok(out)
}

/// `FunctionVersion`: 1–1024, `(\$LATEST(\.PUBLISHED)?|[0-9]+)`.
pub fn check_function_version(v: &mut Violations, fv: &str) {
    let ok = fv == "$LATEST" || fv == "$LATEST.PUBLISHED" || (!fv.is_empty() && fv.bytes().all(|b| b.is_ascii_digit()));
    if v.string("functionVersion", fv, 1, 1024, None) && !ok {
        v.push(
            "functionVersion",
            fv,
            r"Member must satisfy regular expression pattern: (\$LATEST(\.PUBLISHED)?|[0-9]+)",
        );
    }
}

/// Model constraints of `AdditionalVersionWeights`: digit keys, weights in [0, 1] (SPEC §11.1 texts). As for any
/// map member, the value shown is the whole map, Java-style (`{1=0.5, 2=1.5}`), and each kind of failure (keys,
/// values) is reported once [inferred from the one-entry recordings]. Returns the valid entries (the violations stop
/// the request anyway).
pub fn check_routing_members(
    v: &mut Violations,
    weights: Option<&std::collections::BTreeMap<String, serde_json::Value>>,
) -> std::collections::BTreeMap<String, f64> {
    let mut out = std::collections::BTreeMap::new();
    let Some(weights) = weights else { return out };
    let key_ok = |k: &str| !k.is_empty() && k.len() <= 1024 && k.bytes().all(|b| b.is_ascii_digit());
    let weight = |w: &serde_json::Value| w.as_f64().filter(|x| (0.0..=1.0).contains(x));
    let shown = || {
        let entries: Vec<String> = weights
            .iter()
            .map(|(k, w)| format!("{k}={}", w.as_f64().map(java_double).unwrap_or_else(|| w.to_string())))
            .collect();
        format!("{{{}}}", entries.join(", "))
    };
    if !weights.keys().all(|k| key_ok(k)) {
        v.push(
            "routingConfig.additionalVersionWeights",
            &shown(),
            "Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [0-9]+]",
        );
    }
    if !weights.values().all(|w| weight(w).is_some()) {
        v.push(
            "routingConfig.additionalVersionWeights",
            &shown(),
            "Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]",
        );
    }
    for (k, w) in weights {
        if let (true, Some(x)) = (key_ok(k), weight(w)) {
            out.insert(k.clone(), x);
        }
    }
    out
}

/// A number written as Java writes a double: `1.5`, `-1.0`, `0.5`.
fn java_double(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.1}")
    } else {
        format!("{x}")
    }
}

/// Semantic routing checks (SPEC §11.1): at most one entry, not the alias's own version, not with `$LATEST`, and
/// every weighted version exists.
pub fn check_routing(
    r: &FunctionTarget,
    f: &crate::domain::function::Function,
    function_version: &str,
    routing: &std::collections::BTreeMap<String, f64>,
) -> Result<(), Error> {
    if routing.is_empty() {
        return Ok(());
    }
    if routing.len() > 1 {
        return Err(Error::invalid("Number of items in AdditionalVersionWeights cannot be greater than 1"));
    }
    if function_version == "$LATEST" {
        return Err(Error::InvalidParameterValueUntyped(
            "$LATEST is not supported for an alias pointing to more than 1 version".into(),
        ));
    }
    for k in routing.keys() {
        if k == function_version {
            return Err(Error::invalid(format!(
                "Invalid function version {k}. Function version {k} is already included in routing configuration."
            )));
        }
        if k.parse::<u64>().ok().and_then(|n| f.versions.get(&n)).is_none() {
            return Err(Error::not_found(format!("Function not found: {}:{k}", r.arn())));
        }
    }
    Ok(())
}

/// GetAlias (SPEC §11.2).
pub fn get_alias(state: &State, caller: &Scope, function_name: &str, name: &str) -> Result<AliasConfiguration, Error> {
    let r = resolve_with_alias(caller, function_name, name, "GetAlias", |_| {})?;
    // The FunctionName member addresses the function, so its own policy decides [inferred].
    super::enforce::authorize_function(state, caller, &r, "lambda:GetAlias")?;
    let f = r.function(state)?;
    let alias =
        f.aliases.get(name).ok_or_else(|| Error::not_found(format!("Cannot find alias arn: {}:{name}", r.arn())))?;
    Ok(render(&r, alias))
}

/// Validates FunctionName and the alias `Name` path member together (one ValidationException), then resolves.
fn resolve_with_alias(
    caller: &Scope,
    function_name: &str,
    name: &str,
    op: &'static str,
    extra: impl FnOnce(&mut Violations),
) -> Result<FunctionTarget, Error> {
    let mut v = Violations::new();
    let parsed = check_function_name(&mut v, function_name, NameRule::Plain(140));
    check_alias_name(&mut v, name);
    extra(&mut v);
    v.finish()?;
    resolve(caller, parsed, op)
}

/// UpdateAlias (SPEC §11.2): only present members change, and every call sets a new RevisionId.
pub fn update_alias(
    state: &mut State,
    caller: &Scope,
    function_name: &str,
    name: &str,
    input: UpdateAliasInput,
) -> Result<AliasConfiguration, Error> {
    let weights = input.routing_config.as_ref().and_then(|r| r.additional_version_weights.as_ref());
    let mut routing = None;
    let r = resolve_with_alias(caller, function_name, name, "UpdateAlias", |v| {
        if let Some(fv) = input.function_version.as_deref() {
            check_function_version(v, fv);
        }
        if let Some(d) = input.description.as_deref() {
            v.max_len("description", d, 256);
        }
        routing = input.routing_config.is_some().then(|| check_routing_members(v, weights));
    })?;
    let f = r.function_mut(state)?;
    let alias = f.aliases.get(name).ok_or_else(|| Error::not_found(format!("Alias not found: {}:{name}", r.arn())))?;
    if input.revision_id.as_deref().is_some_and(|rev| rev != alias.revision_id) {
        return Err(Error::PreconditionFailedException(functions::FUNCTION_REVISION_MISMATCH.into()));
    }
    let function_version = input.function_version.clone().unwrap_or_else(|| alias.function_version.clone());
    if function_version != "$LATEST" && function_version.parse::<u64>().ok().and_then(|n| f.versions.get(&n)).is_none()
    {
        return Err(Error::not_found(format!("Function not found: {}:{function_version}", r.arn())));
    }
    // `RoutingConfig:{"AdditionalVersionWeights":{}}` removes the routing; no RoutingConfig keeps it, and the kept
    // routing is checked against a changed FunctionVersion too [inferred].
    let routing = routing.unwrap_or_else(|| alias.routing.clone());
    check_routing(&r, f, &function_version, &routing)?;
    let alias = f.aliases.get_mut(name).expect("checked above");
    alias.function_version = function_version;
    if let Some(d) = input.description {
        alias.description = d;
    }
    alias.routing = routing;
    alias.revision_id = new_revision_id();
    Ok(render(&r, alias))
}

/// DeleteAlias (SPEC §11.2): 204 whether or not the alias exists; its policy goes with it.
pub fn delete_alias(state: &mut State, caller: &Scope, function_name: &str, name: &str) -> Result<(), Error> {
    let r = resolve_with_alias(caller, function_name, name, "DeleteAlias", |_| {})?;
    r.function_mut(state)?.aliases.remove(name);
    Ok(())
}

/// ListAliases (SPEC §11.2): in name order, optionally only those pointing at `FunctionVersion`.
pub fn list_aliases(
    state: &State,
    caller: &Scope,
    function_name: &str,
    q: ListAliasesQuery,
) -> Result<ListAliasesOutput, Error> {
    let mut v = Violations::new();
    let parsed = check_function_name(&mut v, function_name, NameRule::Plain(140));
    if let Some(fv) = q.function_version.as_deref() {
        check_function_version(&mut v, fv);
    }
    // No page cap is documented for aliases, so MaxItems alone bounds a page [inferred].
    let size = crate::service::page_size(&mut v, q.max_items.as_deref(), 10_000, 10_000);
    v.finish()?;
    let r = resolve(caller, parsed, "ListAliases")?;
    super::enforce::authorize_function(state, caller, &r, "lambda:ListAliases")?;
    let f = r.function(state)?;
    let items = f
        .aliases
        .values()
        .filter(|a| q.function_version.as_deref().is_none_or(|fv| a.function_version == fv))
        .map(|a| (a.name.clone(), render(&r, a)))
        .collect();
    let (aliases, next_marker) = functions::page(items, q.marker.as_deref(), size)?;
    Ok(ListAliasesOutput { next_marker, aliases })
}

#[cfg(test)]
mod tests {
    use super::java_double;

    #[test]
    fn java_doubles() {
        assert_eq!(java_double(1.5), "1.5");
        assert_eq!(java_double(-1.0), "-1.0");
        assert_eq!(java_double(0.5), "0.5");
        assert_eq!(java_double(2.0), "2.0");
    }
}
