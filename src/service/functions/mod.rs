//! The function control plane: CreateFunction, GetFunction, GetFunctionConfiguration, UpdateFunctionCode,
//! UpdateFunctionConfiguration, PublishVersion, ListFunctions, ListVersionsByFunction and DeleteFunction (SPEC §5.2,
//! §10). How a configuration is shown is in [`render`], the checks of its members in [`checks`]; what a
//! FunctionName addresses is `service::target`'s.

mod checks;
pub mod render;

use std::time::Duration;

use crate::domain::arn::Scope;
use crate::domain::function::{Code, Function, FunctionConfig, Lifecycle, Transition, Version};
use crate::domain::function_name::{
    check_function_name, classify_qualifier, create_name_error, CrossAccount, NameRule, QualifierKind,
};
use crate::domain::runtimes;
use crate::domain::state::State;
use crate::domain::validate::{anchored, Pattern, Violations};
use crate::error::Error;
use crate::wire::dto::functions::*;

use super::target::{resolve, FunctionTarget};
use super::{decode_blob, s3_code_error, timestamp_now, zip_code};
use checks::{check_architectures, check_config_members, check_environment, check_s3_members, config_members};
pub use render::{render, View};

/// The 412 text of UpdateFunctionCode/Configuration, PublishVersion and UpdateAlias.
pub const FUNCTION_REVISION_MISMATCH: &str =
    "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id";

/// ListFunctions' `MasterRegion`.
static MASTER_REGION: Pattern =
    Pattern::new(r"ALL|[a-z]{2}(-gov)?-[a-z]+-\d{1}", || anchored(r"ALL|[a-z]{2}(?:-gov)?-[a-z]+-\d"));

/// A `ZipFile` decoded, unzipped and hashed: the costly part of a code upload, which handlers do with
/// [`prepare_zip`] before they take the store lock. The error, if any, is reported where the operation checks the
/// code, so preparing early does not change which error a request gets.
pub type PreparedZip = Option<Result<Code, Error>>;

/// Takes the base64 `ZipFile` out of a request and prepares it (see [`PreparedZip`]).
pub fn prepare_zip(zip_file: Option<String>) -> PreparedZip {
    zip_file.map(|b64| decode_blob("ZipFile", &b64).and_then(zip_code))
}

/// CreateFunction (SPEC §10.1), preparing the zip in place; handlers use [`create_function_prepared`].
pub fn create_function(
    state: &mut State,
    caller: &Scope,
    mut input: CreateFunctionInput,
) -> Result<FunctionConfiguration, Error> {
    let zip = prepare_zip(input.code.as_mut().and_then(|c| c.zip_file.take()));
    create_function_prepared(state, caller, input, zip)
}

/// CreateFunction (SPEC §10.1) with the `Code.ZipFile` already prepared and taken out of `input`.
pub fn create_function_prepared(
    state: &mut State,
    caller: &Scope,
    input: CreateFunctionInput,
    zip: PreparedZip,
) -> Result<FunctionConfiguration, Error> {
    let mut v = Violations::new();
    let name_value = v.required("functionName", input.function_name.as_deref());
    let parsed = name_value.and_then(|n| check_function_name(&mut v, n, NameRule::Create));
    v.required("role", input.role.as_deref());
    match &input.code {
        None => v.null("code"),
        Some(c) => check_s3_members(
            &mut v,
            "code.",
            c.s3_bucket.as_deref(),
            c.s3_key.as_deref(),
            c.s3_object_version.as_deref(),
        ),
    }
    check_config_members(&mut v, &config_members!(input));
    if let Some(p) = input.package_type.as_deref() {
        v.one_of("packageType", p, &["Zip", "Image"]);
    }
    check_architectures(&mut v, input.architectures.as_ref());
    super::layers::check_layer_arns(&mut v, input.layers.as_deref());
    v.finish()?;
    let (name_value, parsed) = (name_value.expect("validated"), parsed.expect("validated"));
    if let Some(e) = create_name_error(&parsed, name_value) {
        return Err(e);
    }
    // Creating in another account is denied outright (SPEC §4.2); the recorded body has no message text.
    if let Some(region) = parsed.region.as_deref().filter(|r| *r != caller.region) {
        return Err(Error::not_found(format!(
            "Functions from '{region}' are not reachable in this region ('{}')",
            caller.region
        )));
    }
    if parsed.account.as_deref().is_some_and(|a| a != caller.account) {
        return Err(Error::AccessDeniedException(String::new()));
    }
    let name = parsed.name;
    let package_type = input.package_type.clone().unwrap_or_else(|| "Zip".into());
    if let Some(rt) = input.runtime.as_deref() {
        if let Some(msg) = runtimes::runtime_error(rt) {
            return Err(Error::invalid(msg));
        }
    }
    let code_input = input.code.unwrap_or_default();
    let code = function_code(&package_type, &code_input, zip, input.runtime.as_deref(), input.handler.as_deref())?;
    check_environment(input.environment.as_ref())?;
    let layers = super::layers::resolve_function_layers(state, caller, input.layers.as_deref().unwrap_or(&[]))?;
    if state.function(caller, &name).is_some() {
        return Err(Error::conflict(format!("Function already exist: {name}")));
    }
    state.ensure_code_room(code.size, 0)?;

    let logging = input.logging_config.unwrap_or_default();
    let config = FunctionConfig {
        runtime: input.runtime,
        role: input.role.expect("validated"),
        handler: input.handler,
        description: input.description.unwrap_or_default(),
        timeout: input.timeout.unwrap_or(3),
        memory_size: input.memory_size.unwrap_or(128),
        code,
        last_modified: timestamp_now(),
        environment: input.environment.map(|e| e.variables.unwrap_or_default()),
        layers,
        tracing_mode: input.tracing_config.and_then(|t| t.mode).unwrap_or_else(|| "PassThrough".into()),
        dead_letter_target_arn: input.dead_letter_config.and_then(|d| d.target_arn).filter(|a| !a.is_empty()),
        vpc_config: input.vpc_config,
        kms_key_arn: input.kms_key_arn.filter(|k| !k.is_empty()),
        package_type,
        architectures: input.architectures.unwrap_or_else(|| vec!["x86_64".into()]),
        ephemeral_storage_size: input.ephemeral_storage.and_then(|e| e.size).unwrap_or(512),
        log_format: logging.log_format.unwrap_or_else(|| "Text".into()),
        log_group: logging.log_group.unwrap_or_else(|| format!("/aws/lambda/{name}")),
        application_log_level: logging.application_log_level,
        system_log_level: logging.system_log_level,
        snap_start_apply_on: input.snap_start.and_then(|s| s.apply_on).unwrap_or_else(|| "None".into()),
        image_config: input.image_config,
        file_system_configs: input.file_system_configs,
        lifecycle: Lifecycle::started(Transition::Creating),
    };
    let mut function = Function {
        name: name.clone(),
        latest: config,
        policy: None,
        versions: Default::default(),
        next_version: 1,
        aliases: Default::default(),
        tags: input.tags.unwrap_or_default(),
        changed_since_publish: true,
    };
    let delay = state.settle_delay;
    let response = if input.publish == Some(true) {
        // Version 1 starts Pending too, and the response is its config with an unqualified ARN (SPEC §5.2).
        let mut snapshot = function.latest.clone();
        snapshot.lifecycle = Lifecycle::started(Transition::Creating);
        let out = render(caller, &name, &snapshot, caller.function_arn(&name), "1", View::Mutation, delay);
        function.versions.insert(1, Version { config: snapshot, policy: None });
        function.next_version = 2;
        function.changed_since_publish = false;
        out
    } else {
        render(caller, &name, &function.latest, caller.function_arn(&name), "$LATEST", View::Mutation, delay)
    };
    state.insert_function(caller, function);
    Ok(response)
}

/// The code of a create request: a zip (prepared, see [`PreparedZip`]), S3 (always missing here) or an image.
pub fn function_code(
    package_type: &str,
    code: &FunctionCode,
    zip: PreparedZip,
    runtime: Option<&str>,
    handler: Option<&str>,
) -> Result<Code, Error> {
    if package_type == "Image" {
        let Some(uri) = code.image_uri.as_deref() else {
            return Err(Error::invalid("Please provide ImageUri when creating a function with packageType Image."));
        };
        return Ok(Code { sha256: super::sha256_b64(uri.as_bytes()), size: 0, zip: None, image_uri: Some(uri.into()) });
    }
    if code.image_uri.is_some() {
        return Err(Error::invalid("Please don't provide ImageUri when creating a function with packageType Zip."));
    }
    if runtime.is_none() || handler.is_none() {
        return Err(Error::invalid(
            "Runtime and Handler are mandatory parameters for functions created with deployment packages.",
        ));
    }
    match (zip, &code.s3_bucket) {
        (Some(prepared), _) => prepared,
        (None, Some(_)) => Err(s3_code_error()),
        (None, None) => Err(Error::invalid("Please provide a source for function code.")),
    }
}

/// GetFunction (SPEC §10.2). `code_base` is the URL prefix this server is reached at, for `Code.Location`.
pub fn get_function(
    state: &State,
    caller: &Scope,
    function_name: &str,
    qualifier: Option<&str>,
    code_base: &str,
) -> Result<GetFunctionOutput, Error> {
    let r = resolve(caller, function_name, qualifier, NameRule::Namespaced(170), CrossAccount::Follow)?;
    super::enforce::authorize_function(state, caller, &r, "lambda:GetFunction")?;
    let (f, cfg, configuration) = get_configuration(state, &r)?;
    let code = match configuration.package_type.as_str() {
        "Image" => FunctionCodeLocation {
            repository_type: "ECR".into(),
            location: None,
            image_uri: cfg.code.image_uri.clone(),
            resolved_image_uri: cfg.code.image_uri.clone(),
        },
        _ => FunctionCodeLocation {
            repository_type: "S3".into(),
            location: Some(format!(
                "{code_base}/_lambdalite/code/{}/{}/{}/{}",
                r.scope.account, r.scope.region, r.name, configuration.version
            )),
            image_uri: None,
            resolved_image_uri: None,
        },
    };
    let tags = (!f.tags.is_empty()).then(|| f.tags.clone());
    Ok(GetFunctionOutput { configuration, code, tags })
}

/// GetFunctionConfiguration (SPEC §10.3).
pub fn get_function_configuration(
    state: &State,
    caller: &Scope,
    function_name: &str,
    qualifier: Option<&str>,
) -> Result<FunctionConfiguration, Error> {
    let r = resolve(caller, function_name, qualifier, NameRule::Namespaced(170), CrossAccount::Follow)?;
    super::enforce::authorize_function(state, caller, &r, "lambda:GetFunctionConfiguration")?;
    Ok(get_configuration(state, &r)?.2)
}

/// The function, the configuration the qualifier addresses, and its rendering.
fn get_configuration<'a>(
    state: &'a State,
    r: &FunctionTarget,
) -> Result<(&'a Function, &'a FunctionConfig, FunctionConfiguration), Error> {
    let not_found = || Error::not_found(format!("Function not found: {}", r.qualified_arn()));
    let f = state.function(&r.scope, &r.name).ok_or_else(not_found)?;
    let (cfg, version) = f.configuration(r.qualifier.as_deref()).ok_or_else(not_found)?;
    // No qualifier: unqualified ARN. Any qualifier, `$LATEST` included: the ARN ends with it (SPEC §10.2).
    let out = render(&r.scope, &r.name, cfg, r.qualified_arn(), &version, View::Current, state.settle_delay);
    Ok((f, cfg, out))
}

/// The stored zip of a configuration, for `Code.Location` downloads.
pub fn code_bytes(state: &State, scope: &Scope, name: &str, version: &str) -> Option<std::sync::Arc<[u8]>> {
    let f = state.function(scope, name)?;
    let (cfg, _) = f.configuration(Some(version))?;
    cfg.code.zip.clone()
}

/// PublishVersion (SPEC §10.8).
pub fn publish_version(
    state: &mut State,
    caller: &Scope,
    function_name: &str,
    input: PublishVersionInput,
) -> Result<FunctionConfiguration, Error> {
    let mut v = Violations::new();
    let parsed = check_function_name(&mut v, function_name, NameRule::Plain(140));
    if let Some(d) = input.description.as_deref() {
        v.max_len("description", d, 256);
    }
    v.finish()?;
    let parsed = parsed.expect("validated");
    let r = FunctionTarget::unqualified(parsed, caller, CrossAccount::Deny("PublishVersion"))?;
    let delay = state.settle_delay;
    let f = r.function_mut(state)?;
    if input.revision_id.as_deref().is_some_and(|rev| rev != f.latest.lifecycle.revision_id(delay)) {
        return Err(Error::PreconditionFailedException(FUNCTION_REVISION_MISMATCH.into()));
    }
    if let Some(sha) = input.code_sha256.as_deref().filter(|s| *s != f.latest.code.sha256) {
        return Err(Error::invalid(format!(
            "CodeSHA256 ({sha}) is different from current CodeSHA256 in $LATEST ({}). Please try again with the CodeSHA256 in $LATEST.",
            f.latest.code.sha256
        )));
    }
    if let Some(out) = unchanged_version(f, &r.scope, delay) {
        return Ok(out);
    }
    let added = f.latest.code.size;
    state.ensure_code_room(added, 0)?;
    let f = r.function_mut(state)?;
    let number = f.next_version;
    let mut config = f.latest.clone();
    if let Some(d) = input.description {
        config.description = d;
    }
    config.lifecycle = Lifecycle::settled();
    f.versions.insert(number, Version { config, policy: None });
    f.next_version += 1;
    f.changed_since_publish = false;
    // Publishing changes `$LATEST`'s RevisionId but not its policy's (SPEC §5.2, §5.3). While `$LATEST` is still in
    // flight, the RevisionId it shows now changes, and settling later changes it once more.
    let lifecycle = &mut f.latest.lifecycle;
    lifecycle.settled_revision = crate::domain::policy::new_revision_id();
    lifecycle.pending_revision = match lifecycle.in_flight(delay) {
        Some(_) => crate::domain::policy::new_revision_id(),
        None => lifecycle.settled_revision.clone(),
    };
    let n = number.to_string();
    let cfg = &f.versions[&number].config;
    Ok(render(&r.scope, &r.name, cfg, r.scope.qualified_function_arn(&r.name, &n), &n, View::Current, delay))
}

/// The last published version, rendered, when `$LATEST` has not changed since it was published: publishing
/// again returns it unchanged (SPEC §5.2 step 5).
fn unchanged_version(f: &Function, scope: &Scope, delay: Duration) -> Option<FunctionConfiguration> {
    if f.changed_since_publish {
        return None;
    }
    let last = f.next_version.checked_sub(1)?;
    let existing = f.versions.get(&last)?;
    let n = last.to_string();
    Some(render(scope, &f.name, &existing.config, scope.qualified_function_arn(&f.name, &n), &n, View::Current, delay))
}

/// One page of `items`, which are in ascending key order: the items after the `Marker`'s key, at most `size` of
/// them, and the marker of the next page when more follow (SPEC §13.4). Keying by position rather than by index
/// keeps a page stable when earlier items are deleted between calls.
pub fn page<T>(items: Vec<(String, T)>, marker: Option<&str>, size: usize) -> Result<(Vec<T>, Option<String>), Error> {
    let after = marker.map(super::decode_marker).transpose()?;
    let mut rest: Vec<(String, T)> =
        items.into_iter().filter(|(k, _)| after.as_ref().is_none_or(|a| k.as_str() > a.as_str())).collect();
    let next = (rest.len() > size).then(|| super::encode_marker(&rest[size - 1].0));
    rest.truncate(size);
    Ok((rest.into_iter().map(|(_, t)| t).collect(), next))
}

/// A sort key for a configuration: `$LATEST` (0) before versions ascending. Zero-padded so that string order is
/// numeric order.
fn rank_key(version: u64) -> String {
    format!("{version:020}")
}

/// AWS pages ListFunctions and ListVersionsByFunction at 50 items at most (SPEC §13.4).
const FUNCTION_PAGE_CAP: usize = 50;

/// ListFunctions (SPEC §10.4).
pub fn list_functions(state: &State, caller: &Scope, q: ListFunctionsQuery) -> Result<ListFunctionsOutput, Error> {
    let mut v = Violations::new();
    if let Some(fv) = q.function_version.as_deref() {
        v.one_of("functionVersion", fv, &["ALL"]);
    }
    if let Some(region) = q.master_region.as_deref() {
        v.pattern("masterRegion", region, &MASTER_REGION);
    }
    let size = super::page_size(&mut v, q.max_items.as_deref(), 10_000, FUNCTION_PAGE_CAP);
    v.finish()?;
    // A valid `MasterRegion` selects Lambda@Edge replicas, which lambdalite does not have: ignored (SPEC §10.4).
    let all = q.function_version.is_some();
    // Only the page is rendered: the keys of every configuration are cheap, their renderings are not.
    let mut items: Vec<(String, (&Function, Option<u64>))> = Vec::new();
    for f in state.namespace(caller).into_iter().flat_map(|ns| ns.functions.values()) {
        // The NUL separator sorts below every name character, so `a` and its versions come before `a-b`.
        let key = |rank: u64| format!("{}\u{0}{}", f.name, rank_key(rank));
        items.push((key(0), (f, None)));
        if all {
            items.extend(f.versions.keys().map(|n| (key(*n), (f, Some(*n)))));
        }
    }
    let (entries, next_marker) = page(items, q.marker.as_deref(), size)?;
    let delay = state.settle_delay;
    let functions = entries
        .into_iter()
        .map(|(f, version)| match version {
            None => {
                let arn =
                    if all { caller.qualified_function_arn(&f.name, "$LATEST") } else { caller.function_arn(&f.name) };
                render(caller, &f.name, &f.latest, arn, "$LATEST", View::List, delay)
            }
            Some(n) => {
                let n_s = n.to_string();
                let arn = caller.qualified_function_arn(&f.name, &n_s);
                render(caller, &f.name, &f.versions[&n].config, arn, &n_s, View::List, delay)
            }
        })
        .collect();
    Ok(ListFunctionsOutput { next_marker, functions })
}

/// ListVersionsByFunction (SPEC §10.9).
pub fn list_versions_by_function(
    state: &State,
    caller: &Scope,
    function_name: &str,
    q: PageQuery,
) -> Result<ListVersionsByFunctionOutput, Error> {
    let mut v = Violations::new();
    let parsed = check_function_name(&mut v, function_name, NameRule::Namespaced(170));
    let size = super::page_size(&mut v, q.max_items.as_deref(), 10_000, FUNCTION_PAGE_CAP);
    v.finish()?;
    let parsed = parsed.expect("validated");
    // The derived qualifier of `f:1` is ignored: the operation lists the whole function [inferred].
    let r = FunctionTarget::unqualified(parsed, caller, CrossAccount::Follow)?;
    super::enforce::authorize_function(state, caller, &r, "lambda:ListVersionsByFunction")?;
    let f = r.function(state)?;
    // `$LATEST` (rank 0) first, then versions ascending; only the page is rendered.
    let items = std::iter::once(0).chain(f.versions.keys().copied()).map(|n| (rank_key(n), n)).collect();
    let (numbers, next_marker) = page(items, q.marker.as_deref(), size)?;
    let delay = state.settle_delay;
    let versions = numbers
        .into_iter()
        .map(|n| {
            let (cfg, version) = match n {
                0 => (&f.latest, "$LATEST".to_owned()),
                n => (&f.versions[&n].config, n.to_string()),
            };
            let arn = r.scope.qualified_function_arn(&r.name, &version);
            render(&r.scope, &r.name, cfg, arn, &version, View::List, delay)
        })
        .collect();
    Ok(ListVersionsByFunctionOutput { next_marker, versions })
}

/// DeleteFunction (SPEC §10.5): the whole function, or one version with its policy.
pub fn delete_function(
    state: &mut State,
    caller: &Scope,
    function_name: &str,
    qualifier: Option<&str>,
) -> Result<(), Error> {
    let r = resolve(caller, function_name, qualifier, NameRule::Namespaced(140), CrossAccount::Deny("DeleteFunction"))?;
    // The qualifier's kind is judged before the lookup: deleting an alias is refused even for a missing function.
    let version = match r.qualifier.as_deref().map(classify_qualifier) {
        None => None,
        Some(QualifierKind::Alias(_)) => return Err(Error::invalid("Deletion of aliases is not currently supported.")),
        Some(QualifierKind::Latest) => {
            return Err(Error::invalid("$LATEST version cannot be deleted without deleting the function."))
        }
        Some(QualifierKind::Version(n)) => Some(n),
        Some(QualifierKind::Other) => {
            r.function(state)?;
            // A `$`-qualifier other than `$LATEST` never names anything [inferred: as GetFunction answers it].
            return Err(Error::not_found(format!("Function not found: {}", r.qualified_arn())));
        }
    };
    let f = r.function_mut(state)?;
    let Some(number) = version else {
        state.remove_function(&r.scope, &r.name);
        return Ok(());
    };
    // A version that does not exist is deleted already: 204, as AWS answers.
    let Some(n) = number.filter(|n| f.versions.contains_key(n)) else { return Ok(()) };
    let n_s = n.to_string();
    let referencing: Vec<&str> = f
        .aliases
        .values()
        .filter(|a| a.function_version == n_s || a.routing.contains_key(&n_s))
        .map(|a| a.name.as_str())
        .collect();
    if !referencing.is_empty() {
        // Inferred text (SPEC §10.5): AWS documents the refusal, not its wording.
        return Err(Error::conflict(format!(
            "Unable to delete version because the following aliases reference it: [{}]",
            referencing.join(", ")
        )));
    }
    f.versions.remove(&n);
    Ok(())
}

/// Puts `$LATEST` in flight after an update: `LastUpdateStatus: InProgress` and a new RevisionId, then settled
/// with another (SPEC §5.2). A redundant update counts as an update too, but only a real change to the code or
/// configuration (compared with `before`) makes the next PublishVersion publish: Lambda does not publish a version
/// "if the function's configuration and code haven't changed since the last version" [docs].
fn start_update(f: &mut Function, before: &FunctionConfig) {
    f.changed_since_publish |= !f.latest.same_settings(before);
    f.latest.last_modified = timestamp_now();
    f.latest.lifecycle = Lifecycle::started(Transition::Updating);
}

/// Publishes `$LATEST` as the next version right after an update (UpdateFunctionCode with `Publish`), and renders
/// it with a qualified ARN. The version is in flight like the update it snapshots [inferred]. When the update
/// changed nothing since the last version, that version is the answer, as PublishVersion's would be [inferred].
fn publish_after_update(f: &mut Function, scope: &Scope, delay: Duration) -> FunctionConfiguration {
    if let Some(out) = unchanged_version(f, scope, delay) {
        return out;
    }
    let number = f.next_version;
    let mut config = f.latest.clone();
    config.lifecycle = Lifecycle::started(Transition::Updating);
    f.versions.insert(number, Version { config, policy: None });
    f.next_version += 1;
    f.changed_since_publish = false;
    let n = number.to_string();
    let cfg = &f.versions[&number].config;
    render(scope, &f.name, cfg, scope.qualified_function_arn(&f.name, &n), &n, View::Mutation, delay)
}

fn check_revision(f: &Function, revision_id: Option<&str>, delay: Duration) -> Result<(), Error> {
    match revision_id {
        Some(rev) if rev != f.latest.lifecycle.revision_id(delay) => {
            Err(Error::PreconditionFailedException(FUNCTION_REVISION_MISMATCH.into()))
        }
        _ => Ok(()),
    }
}

/// UpdateFunctionCode (SPEC §10.6), preparing the zip in place; handlers use [`update_function_code_prepared`].
pub fn update_function_code(
    state: &mut State,
    caller: &Scope,
    function_name: &str,
    mut input: UpdateFunctionCodeInput,
) -> Result<FunctionConfiguration, Error> {
    let zip = prepare_zip(input.zip_file.take());
    update_function_code_prepared(state, caller, function_name, input, zip)
}

/// UpdateFunctionCode (SPEC §10.6) with the `ZipFile` already prepared and taken out of `input`.
pub fn update_function_code_prepared(
    state: &mut State,
    caller: &Scope,
    function_name: &str,
    input: UpdateFunctionCodeInput,
    zip: PreparedZip,
) -> Result<FunctionConfiguration, Error> {
    let mut v = Violations::new();
    let parsed = check_function_name(&mut v, function_name, NameRule::Plain(140));
    check_s3_members(
        &mut v,
        "",
        input.s3_bucket.as_deref(),
        input.s3_key.as_deref(),
        input.s3_object_version.as_deref(),
    );
    check_architectures(&mut v, input.architectures.as_ref());
    v.finish()?;
    let parsed = parsed.expect("validated");
    let r = FunctionTarget::unqualified(parsed, caller, CrossAccount::Deny("UpdateFunctionCode"))?;
    let delay = state.settle_delay;
    let f = r.function_mut(state)?;
    check_revision(f, input.revision_id.as_deref(), delay)?;
    let code = if f.latest.package_type == "Image" {
        let Some(uri) = input.image_uri.as_deref() else {
            return Err(Error::invalid("Please provide ImageUri when updating a function with packageType Image."));
        };
        Code { sha256: super::sha256_b64(uri.as_bytes()), size: 0, zip: None, image_uri: Some(uri.into()) }
    } else {
        if input.image_uri.is_some() {
            return Err(Error::invalid("Please don't provide ImageUri when updating a function with packageType Zip."));
        }
        match (zip, &input.s3_bucket) {
            (Some(prepared), _) => prepared?,
            (None, Some(_)) => return Err(s3_code_error()),
            // Inferred text: CreateFunction's answer to a Code with no source.
            (None, None) => return Err(Error::invalid("Please provide a source for function code.")),
        }
    };
    if input.dry_run == Some(true) {
        // Validated as a real update, nothing stored; shows the code it would have [inferred].
        let mut preview = f.latest.clone();
        preview.code = code;
        if let Some(a) = input.architectures {
            preview.architectures = a;
        }
        return Ok(render(&r.scope, &r.name, &preview, r.arn(), "$LATEST", View::Current, delay));
    }
    // The old `$LATEST` code goes; the new one comes, twice when it is also published.
    let added = code.size * if input.publish == Some(true) { 2 } else { 1 };
    let freed = f.latest.code.size;
    state.ensure_code_room(added, freed)?;
    let f = r.function_mut(state)?;
    let before = f.latest.clone();
    f.latest.code = code;
    if let Some(a) = input.architectures {
        f.latest.architectures = a;
    }
    start_update(f, &before);
    if input.publish == Some(true) {
        return Ok(publish_after_update(f, &r.scope, delay));
    }
    Ok(render(&r.scope, &r.name, &f.latest, r.arn(), "$LATEST", View::Mutation, delay))
}

/// UpdateFunctionConfiguration (SPEC §10.7): only members that are present change.
pub fn update_function_configuration(
    state: &mut State,
    caller: &Scope,
    function_name: &str,
    input: UpdateFunctionConfigurationInput,
) -> Result<FunctionConfiguration, Error> {
    let mut v = Violations::new();
    let parsed = check_function_name(&mut v, function_name, NameRule::Plain(140));
    check_config_members(&mut v, &config_members!(input));
    super::layers::check_layer_arns(&mut v, input.layers.as_deref());
    v.finish()?;
    let parsed = parsed.expect("validated");
    let r = FunctionTarget::unqualified(parsed, caller, CrossAccount::Deny("UpdateFunctionConfiguration"))?;
    let delay = state.settle_delay;
    {
        let f = r.function(state)?;
        check_revision(f, input.revision_id.as_deref(), delay)?;
    }
    if let Some(msg) = input.runtime.as_deref().and_then(runtimes::runtime_error) {
        return Err(Error::invalid(msg));
    }
    check_environment(input.environment.as_ref())?;
    // Layers are resolved before the mutable borrow: the lookup reads other namespaces' layers.
    let layers = match input.layers.as_deref() {
        Some(arns) => Some(super::layers::resolve_function_layers(state, caller, arns)?),
        None => None,
    };
    let f = r.function_mut(state)?;
    let before = f.latest.clone();
    let c = &mut f.latest;
    if let Some(x) = input.role {
        c.role = x;
    }
    if let Some(x) = input.handler {
        c.handler = Some(x);
    }
    if let Some(x) = input.description {
        c.description = x;
    }
    if let Some(x) = input.timeout {
        c.timeout = x;
    }
    if let Some(x) = input.memory_size {
        c.memory_size = x;
    }
    if let Some(x) = input.runtime {
        c.runtime = Some(x);
    }
    if let Some(e) = input.environment {
        // The whole map is replaced (SPEC §10.7).
        c.environment = Some(e.variables.unwrap_or_default());
    }
    if let Some(l) = layers {
        c.layers = l;
    }
    if let Some(x) = input.vpc_config {
        c.vpc_config = Some(x);
    }
    if let Some(d) = input.dead_letter_config {
        c.dead_letter_target_arn = d.target_arn.filter(|a| !a.is_empty());
    }
    if let Some(k) = input.kms_key_arn {
        // An empty KMSKeyArn goes back to the default key.
        c.kms_key_arn = Some(k).filter(|k| !k.is_empty());
    }
    if let Some(mode) = input.tracing_config.and_then(|t| t.mode) {
        c.tracing_mode = mode;
    }
    if let Some(size) = input.ephemeral_storage.and_then(|e| e.size) {
        c.ephemeral_storage_size = size;
    }
    if let Some(l) = input.logging_config {
        if let Some(x) = l.log_format {
            c.log_format = x;
        }
        if let Some(x) = l.log_group {
            c.log_group = x;
        }
        if l.application_log_level.is_some() {
            c.application_log_level = l.application_log_level;
        }
        if l.system_log_level.is_some() {
            c.system_log_level = l.system_log_level;
        }
    }
    if let Some(a) = input.snap_start.and_then(|s| s.apply_on) {
        c.snap_start_apply_on = a;
    }
    if let Some(x) = input.image_config {
        c.image_config = Some(x);
    }
    if let Some(x) = input.file_system_configs {
        c.file_system_configs = Some(x);
    }
    start_update(f, &before);
    Ok(render(&r.scope, &r.name, &f.latest, r.arn(), "$LATEST", View::Mutation, delay))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(n: usize) -> Vec<(String, usize)> {
        (0..n).map(|i| (rank_key(i as u64), i)).collect()
    }

    #[test]
    fn pages_walk_every_item_once() {
        let (first, next) = page(keys(5), None, 2).unwrap();
        assert_eq!(first, [0, 1]);
        let (second, next) = page(keys(5), next.as_deref(), 2).unwrap();
        assert_eq!(second, [2, 3]);
        let (last, next) = page(keys(5), next.as_deref(), 2).unwrap();
        assert_eq!((last, next), (vec![4], None));
        // An exact fit leaves no marker behind.
        assert_eq!(page(keys(2), None, 2).unwrap().1, None);
    }

    #[test]
    fn a_marker_survives_deletion_of_its_item() {
        let (_, next) = page(keys(4), None, 2).unwrap();
        let mut fewer = keys(4);
        fewer.remove(1);
        assert_eq!(page(fewer, next.as_deref(), 2).unwrap().0, [2, 3]);
        assert!(page(keys(1), Some("!!"), 1).is_err());
    }

    #[test]
    fn rank_keys_sort_numerically() {
        assert!(rank_key(9) < rank_key(10));
        assert!(rank_key(0) < rank_key(1));
    }
}
