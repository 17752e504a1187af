//! `--init FILE`: loading a declarative file of layers, functions, versions, aliases and permissions and applying it
//! at start-up. The format is `wire::init`'s, and what `GET /_lambdalite/state` exports (`service::export`), so a
//! captured state replays with `--init`.
//!
//! The file is JSON or YAML (by extension) and every object refuses members it does not know. Its members are the
//! API's request members, PascalCase as in the API: a function is CreateFunction's members, a version PublishVersion's,
//! an alias CreateAlias's, a layer version PublishLayerVersion's, a permission AddPermission's or
//! AddLayerVersionPermission's. [`apply_init`] feeds them to the same `service` functions the handlers call, so every
//! validation rule and error text is the API's, and an error names the entry it came from.
//!
//! Order of application: every layer of every namespace first (functions reference layer versions, possibly of
//! another account), then every function: created, its versions published in file order, `$LATEST` brought to its
//! final configuration, then its aliases; each permission right after the thing it belongs to.
//!
//! Numbers: a version or layer version entry may say its `Version`. The counter is advanced to it before publishing
//! (a number below the counter is refused), so an export of a function whose version 2 was deleted replays as
//! versions 1 and 3. `NextVersion` advances the counter after the last entry, so the next publish gets the number it
//! would have got before the export (versions deleted at the end, or a layer whose versions were all deleted).
//!
//! A version's configuration: without `Configuration`, a version is published from the function's own members. A
//! version published from another configuration (older code, say) carries it whole in `Configuration`, with
//! CreateFunction's members and defaults; `$LATEST` is brought to it through UpdateFunctionCode and
//! UpdateFunctionConfiguration before publishing, and to the function's own members after the last version.

use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use crate::domain::arn::{AccountId, Region, Scope};
use crate::domain::function::Code;
use crate::domain::layer::{parse_layer_name, Layer};
use crate::domain::state::State;
use crate::domain::validate::Violations;
use crate::error::Error;
use crate::service::{self, aliases, functions, layer_permissions, layers, permissions};
use crate::wire::dto::aliases::CreateAliasInput;
use crate::wire::dto::functions::{
    CreateFunctionInput, FunctionCode, PublishVersionInput, UpdateFunctionCodeInput, UpdateFunctionConfigurationInput,
};
use crate::wire::dto::layers::{LayerVersionContentInput, PublishLayerVersionInput};
use crate::wire::dto::permissions::AddPermissionInput;
use crate::wire::init::{CodeEntry, FunctionEntry, FunctionSettings, InitFile, LayerEntry, ZipBlob};

// ---------------------------------------------------------------------------------------------------------------
// Loading

/// Reads and parses an init file: JSON for `.json`, YAML for `.yaml` and `.yml`. Unknown members are refused.
pub fn load(path: &Path) -> Result<InitFile, String> {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let yaml = match ext.as_deref() {
        Some("json") => false,
        Some("yaml" | "yml") => true,
        _ => return Err("the file name must end in .json, .yaml or .yml".into()),
    };
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read it: {e}"))?;
    let parsed = if yaml {
        serde_norway::from_str(&text).map_err(|e| e.to_string())
    } else {
        serde_json::from_str(&text).map_err(|e| e.to_string())
    };
    parsed.map_err(|e| format!("not a valid init file: {e}"))
}

/// What [`apply_init`] created, for the start-up log line.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    pub functions: usize,
    pub layer_versions: usize,
}

/// Loads `path` and applies it to `state`, which should be fresh: on error the state is half-done and must be
/// dropped. The error is the line to print (`--init <path>: <entry>: <code>: <message>`).
pub fn apply_file(state: &mut State, path: &Path, default_scope: &Scope) -> Result<Applied, String> {
    let shown = path.display();
    let file = load(path).map_err(|e| format!("--init {shown}: {e}"))?;
    let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    apply_init(state, &file, &base_dir, default_scope).map_err(|e| format!("--init {shown}: {e}"))
}

// ---------------------------------------------------------------------------------------------------------------
// Applying

/// An entry that could not be applied: where it is in the file, and the API's error (or ours) for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitError {
    /// `Functions[2] (my-fn): Permissions[0]`, or `Namespaces[1] (111122223333/eu-west-1): Layers[0] (l)`.
    pub entry: String,
    /// The AWS error code, when the API refused the entry.
    pub code: Option<&'static str>,
    pub message: String,
}

impl std::fmt::Display for InitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.code {
            Some(code) => write!(f, "{}: {code}: {}", self.entry, self.message),
            None => write!(f, "{}: {}", self.entry, self.message),
        }
    }
}

impl std::error::Error for InitError {}

impl InitError {
    fn api(entry: &str, e: Error) -> Self {
        InitError { entry: entry.to_owned(), code: Some(e.code()), message: e.message().to_owned() }
    }

    fn ours(entry: &str, message: impl Into<String>) -> Self {
        InitError { entry: entry.to_owned(), code: None, message: message.into() }
    }
}

/// Attaches `entry` to an API error.
fn at<T>(entry: &str, r: Result<T, Error>) -> Result<T, InitError> {
    r.map_err(|e| InitError::api(entry, e))
}

/// One namespace's entries and how errors name it.
struct Group<'a> {
    prefix: String,
    scope: Scope,
    layers: &'a [LayerEntry],
    functions: &'a [FunctionEntry],
}

/// Applies `file` to `state` through the API's service functions (see the module doc for the order). `base_dir` is
/// where relative `Path`s point (the init file's directory); `default_scope` is the server's account and region.
/// Stops at the first entry that fails; the state is then half-done and should be dropped.
pub fn apply_init(
    state: &mut State,
    file: &InitFile,
    base_dir: &Path,
    default_scope: &Scope,
) -> Result<Applied, InitError> {
    let mut groups = vec![Group {
        prefix: String::new(),
        scope: default_scope.clone(),
        layers: &file.layers,
        functions: &file.functions,
    }];
    for (i, ns) in file.namespaces.iter().enumerate() {
        let account = ns.account.clone().unwrap_or_else(|| default_scope.account.to_string());
        let region = ns.region.clone().unwrap_or_else(|| default_scope.region.to_string());
        let entry = format!("Namespaces[{i}] ({account}/{region})");
        if !AccountId::is_valid(&account) {
            return Err(InitError::ours(&entry, format!("Account must be 12 digits, got '{account}'")));
        }
        if Region::parse(&region).is_none_or(|r| r.parts() < 3) {
            return Err(InitError::ours(&entry, format!("Region must look like us-east-1, got '{region}'")));
        }
        groups.push(Group {
            prefix: format!("{entry}: "),
            scope: Scope::new(account, region),
            layers: &ns.layers,
            functions: &ns.functions,
        });
    }
    let mut applied = Applied::default();
    for g in &groups {
        for (j, layer) in g.layers.iter().enumerate() {
            let entry = format!("{}Layers[{j}] ({})", g.prefix, layer.layer_name);
            applied.layer_versions += apply_layer(state, &g.scope, layer, base_dir, &entry)?;
        }
    }
    for g in &groups {
        for (j, function) in g.functions.iter().enumerate() {
            let entry = format!("{}Functions[{j}] ({})", g.prefix, function.function_name);
            apply_function(state, &g.scope, function, base_dir, &entry)?;
            applied.functions += 1;
        }
    }
    Ok(applied)
}

/// Reads the zip at `path`, relative to `base_dir` unless absolute.
fn read_zip(base_dir: &Path, path: &str, entry: &str) -> Result<Vec<u8>, InitError> {
    let full: PathBuf = base_dir.join(path);
    std::fs::read(&full).map_err(|e| InitError::ours(entry, format!("cannot read {}: {e}", full.display())))
}

/// Where a counter-advancing `Version` or `NextVersion` may not go: below the next number.
fn check_advance(entry: &str, member: &str, wanted: u64, next: u64) -> Result<(), InitError> {
    if wanted < next {
        return Err(InitError::ours(
            entry,
            format!("{member} {wanted} is not above the versions before it (the next number is {next})"),
        ));
    }
    Ok(())
}

/// Publishes a layer's versions with their permissions, then advances its counter. Returns how many versions.
fn apply_layer(
    state: &mut State,
    scope: &Scope,
    layer: &LayerEntry,
    base_dir: &Path,
    entry: &str,
) -> Result<usize, InitError> {
    let layer_name = layer.layer_name.as_str();
    for (k, v) in layer.versions.iter().enumerate() {
        let ventry = format!("{entry}: Versions[{k}]");
        let content = match &v.content {
            None => None,
            Some(c) => {
                let zip_file = match (&c.zip_file, &c.path) {
                    (Some(_), Some(_)) => {
                        return Err(InitError::ours(&ventry, "Content: give ZipFile or Path, not both"));
                    }
                    (Some(b), None) => Some(b.to_base64().into_owned()),
                    (None, Some(p)) => Some(STANDARD.encode(read_zip(base_dir, p, &ventry)?)),
                    (None, None) => None,
                };
                Some(LayerVersionContentInput { zip_file, ..Default::default() })
            }
        };
        let input = PublishLayerVersionInput {
            description: v.description.clone(),
            content,
            compatible_runtimes: v.compatible_runtimes.clone(),
            license_info: v.license_info.clone(),
            compatible_architectures: v.compatible_architectures.clone(),
        };
        let prepared = at(&ventry, layers::prepare_publish_layer_version(scope, layer_name, input))?;
        if let Some(n) = v.version {
            let counter = layer_counter(state, scope, layer_name);
            check_advance(&ventry, "Version", n, counter.next_version.max(1))?;
            counter.next_version = n;
        }
        let published = at(&ventry, layers::apply_publish_layer_version(state, prepared, ""))?;
        let number = published.version.to_string();
        for (p, perm) in v.permissions.iter().enumerate() {
            let pentry = format!("{ventry}: Permissions[{p}]");
            let input = perm.clone();
            let req = at(
                &pentry,
                layer_permissions::prepare_add_layer_version_permission(scope, layer_name, &number, None, input),
            )?;
            at(&pentry, layer_permissions::apply_add_layer_version_permission(state, req))?;
        }
    }
    if let Some(n) = layer.next_version {
        if layer.versions.is_empty() {
            // Only the counter: the name is checked as PublishLayerVersion would check it.
            let mut v = Violations::new();
            layers::check_layer_name(&mut v, layer_name);
            at(entry, v.finish())?;
            let (target, _) = parse_layer_name(scope, layer_name);
            at(entry, layers::deny_foreign(scope, &target, "PublishLayerVersion", &target.layer_arn(layer_name)))?;
        }
        let counter = layer_counter(state, scope, layer_name);
        check_advance(entry, "NextVersion", n, counter.next_version.max(1))?;
        counter.next_version = n;
    }
    Ok(layer.versions.len())
}

/// The layer a validated `LayerName` names, created empty (it is invisible until it has a version).
fn layer_counter<'a>(state: &'a mut State, scope: &Scope, layer_name: &str) -> &'a mut Layer {
    let (target, name) = parse_layer_name(scope, layer_name);
    state.layer_entry(&target, &name)
}

/// Creates a function, publishes its versions, sets `$LATEST`, then creates its aliases; permissions follow each.
fn apply_function(
    state: &mut State,
    scope: &Scope,
    function: &FunctionEntry,
    base_dir: &Path,
    entry: &str,
) -> Result<(), InitError> {
    if !function.unknown.is_empty() {
        let names: Vec<&str> = function.unknown.keys().map(String::as_str).collect();
        return Err(InitError::ours(
            entry,
            format!(
                "unknown member{} {}: a function takes CreateFunction's members (without Publish), Versions, \
                 NextVersion, Aliases and Permissions",
                if names.len() == 1 { "" } else { "s" },
                names.join(", ")
            ),
        ));
    }
    let latest = &function.settings;
    let first = function.versions.first().and_then(|v| v.configuration.as_ref()).unwrap_or(latest);
    let (input, zip) = create_input(function, first, base_dir, entry)?;
    let created = at(entry, functions::create_function_prepared(state, scope, input, zip))?;
    // The name as stored: FunctionName may have been an ARN.
    let name = created.function_name;

    for (i, v) in function.versions.iter().enumerate() {
        let ventry = format!("{entry}: Versions[{i}]");
        if i > 0 {
            if let Some(cfg) = &v.configuration {
                set_latest(state, scope, &name, cfg, base_dir, &format!("{ventry}: Configuration"))?;
            } else if function.versions[i - 1].configuration.is_some() {
                set_latest(state, scope, &name, latest, base_dir, &ventry)?;
            }
        }
        let f = state.function_mut(scope, &name).expect("created above");
        if let Some(n) = v.version {
            check_advance(&ventry, "Version", n, f.next_version)?;
            f.next_version = n;
        }
        // Every entry publishes a new version, even when nothing changed since the one before: an export lists the
        // versions that exist, and PublishVersion alone would answer with the previous one.
        f.changed_since_publish = true;
        let input = PublishVersionInput { description: v.description.clone(), ..Default::default() };
        let published = at(&ventry, functions::publish_version(state, scope, &name, input))?;
        for (p, perm) in v.permissions.iter().enumerate() {
            add_permission(
                state,
                scope,
                &name,
                Some(&published.version),
                perm,
                &format!("{ventry}: Permissions[{p}]"),
            )?;
        }
    }
    if function.versions.last().is_some_and(|v| v.configuration.is_some()) {
        set_latest(state, scope, &name, latest, base_dir, entry)?;
    }
    if let Some(n) = function.next_version {
        let f = state.function_mut(scope, &name).expect("created above");
        check_advance(entry, "NextVersion", n, f.next_version)?;
        f.next_version = n;
    }
    for (a, alias) in function.aliases.iter().enumerate() {
        let aentry = format!("{entry}: Aliases[{a}] ({})", alias.name);
        let input = CreateAliasInput {
            name: Some(alias.name.clone()),
            function_version: Some(alias.function_version.clone()),
            description: alias.description.clone(),
            routing_config: alias.routing_config.clone(),
        };
        at(&aentry, aliases::create_alias(state, scope, &name, input))?;
        for (p, perm) in alias.permissions.iter().enumerate() {
            add_permission(state, scope, &name, Some(&alias.name), perm, &format!("{aentry}: Permissions[{p}]"))?;
        }
    }
    for (p, perm) in function.permissions.iter().enumerate() {
        add_permission(state, scope, &name, None, perm, &format!("{entry}: Permissions[{p}]"))?;
    }
    Ok(())
}

/// AddPermission as its handler runs it.
fn add_permission(
    state: &mut State,
    scope: &Scope,
    name: &str,
    qualifier: Option<&str>,
    perm: &AddPermissionInput,
    entry: &str,
) -> Result<(), InitError> {
    let req = at(entry, permissions::prepare_add_permission(scope, name, qualifier, perm.clone()))?;
    at(entry, permissions::apply_add_permission(state, req)).map(|_| ())
}

/// `Code` as the API takes it: the members other than the zip, and the zip prepared as a handler prepares it.
fn code_parts(
    code: Option<&CodeEntry>,
    base_dir: &Path,
    entry: &str,
) -> Result<(Option<FunctionCode>, functions::PreparedZip), InitError> {
    let Some(c) = code else { return Ok((None, None)) };
    let zip = match (&c.zip_file, &c.path) {
        (Some(_), Some(_)) => return Err(InitError::ours(entry, "Code: give ZipFile or Path, not both")),
        (Some(blob), None) => Some(prepare_zip(blob)),
        (None, Some(p)) => Some(service::zip_code(read_zip(base_dir, p, entry)?)),
        (None, None) => None,
    };
    Ok((Some(FunctionCode { image_uri: c.image_uri.clone(), ..Default::default() }), zip))
}

/// A zip of the file, decoded, checked and hashed exactly as a `ZipFile` request member is.
fn prepare_zip(blob: &ZipBlob) -> Result<Code, Error> {
    match blob {
        ZipBlob::Base64(s) => service::decode_blob("ZipFile", s).and_then(service::zip_code),
        ZipBlob::Bytes(b) => service::zip_code(b.to_vec()),
    }
}

/// CreateFunction's input for `function` with the configuration `settings`.
fn create_input(
    function: &FunctionEntry,
    settings: &FunctionSettings,
    base_dir: &Path,
    entry: &str,
) -> Result<(CreateFunctionInput, functions::PreparedZip), InitError> {
    let (code, zip) = code_parts(settings.code.as_ref(), base_dir, entry)?;
    let s = settings.clone();
    let input = CreateFunctionInput {
        function_name: Some(function.function_name.clone()),
        runtime: s.runtime,
        role: s.role,
        handler: s.handler,
        code,
        description: s.description,
        timeout: s.timeout,
        memory_size: s.memory_size,
        publish: None,
        vpc_config: s.vpc_config,
        package_type: function.package_type.clone(),
        dead_letter_config: s.dead_letter_config,
        environment: s.environment,
        kms_key_arn: s.kms_key_arn,
        tracing_config: s.tracing_config,
        tags: function.tags.clone(),
        layers: s.layers,
        file_system_configs: s.file_system_configs,
        image_config: s.image_config,
        architectures: s.architectures,
        ephemeral_storage: s.ephemeral_storage,
        snap_start: s.snap_start,
        logging_config: s.logging_config,
    };
    Ok((input, zip))
}

/// Brings `$LATEST` of `name` to `settings` (CreateFunction's members and defaults) through UpdateFunctionCode (code
/// and architectures, when they differ) and UpdateFunctionConfiguration (everything else, every member given).
fn set_latest(
    state: &mut State,
    scope: &Scope,
    name: &str,
    settings: &FunctionSettings,
    base_dir: &Path,
    entry: &str,
) -> Result<(), InitError> {
    let current = state.function(scope, name).expect("created before").latest.clone();

    // Members UpdateFunctionConfiguration can set but never clear: a configuration cannot drop one that an earlier
    // one had, as no sequence of API calls could have.
    let cleared: Vec<&str> = [
        ("Runtime", settings.runtime.is_none() && current.runtime.is_some()),
        ("Handler", settings.handler.is_none() && current.handler.is_some()),
        ("Environment", settings.environment.is_none() && current.environment.is_some()),
        ("VpcConfig", settings.vpc_config.is_none() && current.vpc_config.is_some()),
        ("ImageConfig", settings.image_config.is_none() && current.image_config.is_some()),
        ("FileSystemConfigs", settings.file_system_configs.is_none() && current.file_system_configs.is_some()),
        (
            "LoggingConfig.ApplicationLogLevel",
            settings.logging_config.as_ref().and_then(|l| l.application_log_level.as_ref()).is_none()
                && current.application_log_level.is_some(),
        ),
        (
            "LoggingConfig.SystemLogLevel",
            settings.logging_config.as_ref().and_then(|l| l.system_log_level.as_ref()).is_none()
                && current.system_log_level.is_some(),
        ),
    ]
    .into_iter()
    .filter_map(|(member, cleared)| cleared.then_some(member))
    .collect();
    if !cleared.is_empty() {
        return Err(InitError::ours(
            entry,
            format!(
                "{} cannot be removed after the configuration before it set it (UpdateFunctionConfiguration cannot \
                 clear it)",
                cleared.join(", ")
            ),
        ));
    }

    let (code, zip) = code_parts(settings.code.as_ref(), base_dir, entry)?;
    let image_uri = code.and_then(|c| c.image_uri);
    let architectures = settings.architectures.clone().unwrap_or_else(|| vec!["x86_64".into()]);
    let same_code = match (&zip, &image_uri) {
        (Some(Ok(c)), _) => c.sha256 == current.code.sha256,
        (None, Some(uri)) => current.code.image_uri.as_deref() == Some(uri.as_str()),
        _ => false,
    };
    if !same_code || architectures != current.architectures {
        let input = UpdateFunctionCodeInput { image_uri, architectures: Some(architectures), ..Default::default() };
        at(entry, functions::update_function_code_prepared(state, scope, name, input, zip))?;
    }

    let s = settings.clone();
    let mut input = UpdateFunctionConfigurationInput {
        role: s.role,
        handler: s.handler,
        description: s.description,
        timeout: s.timeout,
        memory_size: s.memory_size,
        vpc_config: s.vpc_config,
        environment: s.environment,
        runtime: s.runtime,
        dead_letter_config: s.dead_letter_config,
        kms_key_arn: s.kms_key_arn,
        tracing_config: s.tracing_config,
        revision_id: None,
        layers: s.layers,
        file_system_configs: s.file_system_configs,
        image_config: s.image_config,
        ephemeral_storage: s.ephemeral_storage,
        snap_start: s.snap_start,
        logging_config: s.logging_config,
    };
    if input.role.is_none() {
        return Err(InitError::ours(entry, "Role is required, as in CreateFunction"));
    }
    // CreateFunction's defaults, given explicitly: a member left out here means its default, not "unchanged".
    input.description.get_or_insert_with(String::new);
    input.timeout.get_or_insert(3);
    input.memory_size.get_or_insert(128);
    input.layers.get_or_insert_with(Vec::new);
    input.kms_key_arn.get_or_insert_with(String::new);
    let dead_letter = input.dead_letter_config.get_or_insert_with(Default::default);
    dead_letter.target_arn.get_or_insert_with(String::new);
    let tracing = input.tracing_config.get_or_insert_with(Default::default);
    tracing.mode.get_or_insert_with(|| "PassThrough".into());
    let ephemeral = input.ephemeral_storage.get_or_insert_with(Default::default);
    ephemeral.size.get_or_insert(512);
    let logging = input.logging_config.get_or_insert_with(Default::default);
    logging.log_format.get_or_insert_with(|| "Text".into());
    logging.log_group.get_or_insert_with(|| format!("/aws/lambda/{name}"));
    let snap_start = input.snap_start.get_or_insert_with(Default::default);
    snap_start.apply_on.get_or_insert_with(|| "None".into());
    at(entry, functions::update_function_configuration(state, scope, name, input))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::service::export::export;

    fn scope() -> Scope {
        Scope::new("123456789012", "us-east-1")
    }

    fn zip_b64(content: &str) -> String {
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut buf);
            w.start_file("index.py", zip::write::SimpleFileOptions::default()).unwrap();
            std::io::Write::write_all(&mut w, content.as_bytes()).unwrap();
            w.finish().unwrap();
        }
        STANDARD.encode(buf.into_inner())
    }

    fn create(state: &mut State, name: &str, extra: serde_json::Value) {
        let mut input = serde_json::json!({
            "FunctionName": name, "Runtime": "python3.12", "Role": "arn:aws:iam::123456789012:role/r",
            "Handler": "index.handler", "Code": {"ZipFile": zip_b64("v1")},
        });
        input.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        functions::create_function(state, &scope(), serde_json::from_value(input).unwrap()).unwrap();
    }

    fn publish(state: &mut State, name: &str) -> String {
        functions::publish_version(state, &scope(), name, Default::default()).unwrap().version
    }

    fn update(state: &mut State, name: &str, members: serde_json::Value) {
        let input = serde_json::from_value(members).unwrap();
        functions::update_function_configuration(state, &scope(), name, input).unwrap();
    }

    /// Exports `state`, applies the export to a fresh state, exports that: both exports must be equal, and the
    /// replay is returned.
    fn replay(state: &State) -> State {
        let first = export(state).unwrap();
        let text = serde_json::to_string(&first).unwrap();
        let parsed: InitFile = serde_json::from_str(&text).unwrap();
        let mut fresh = State::new(Duration::ZERO);
        apply_init(&mut fresh, &parsed, Path::new("."), &Scope::new("000000000000", "eu-west-1")).unwrap();
        let second = export(&fresh).unwrap();
        assert_eq!(serde_json::to_value(&second).unwrap(), serde_json::to_value(&first).unwrap());
        fresh
    }

    #[test]
    fn deleted_versions_keep_their_numbers_and_the_counter() {
        let mut state = State::new(Duration::ZERO);
        create(&mut state, "f", serde_json::json!({}));
        for n in 1..=4 {
            assert_eq!(publish(&mut state, "f"), n.to_string());
            update(&mut state, "f", serde_json::json!({"Description": format!("after {n}")}));
        }
        for n in ["2", "4"] {
            functions::delete_function(&mut state, &scope(), "f", Some(n)).unwrap();
        }
        let mut replayed = replay(&state);
        let f = replayed.function(&scope(), "f").unwrap();
        assert_eq!(f.versions.keys().copied().collect::<Vec<_>>(), [1, 3]);
        assert_eq!(f.versions[&3].config.description, "after 2");
        assert_eq!(f.latest.description, "after 4");
        assert_eq!(publish(&mut replayed, "f"), "5");
    }

    #[test]
    fn layer_numbers_survive_even_with_every_version_deleted() {
        let mut state = State::new(Duration::ZERO);
        let input = || -> PublishLayerVersionInput {
            serde_json::from_value(serde_json::json!({"Content": {"ZipFile": zip_b64("x")}})).unwrap()
        };
        for name in ["kept", "gone"] {
            for _ in 0..3 {
                layers::publish_layer_version(&mut state, &scope(), name, input(), "").unwrap();
            }
        }
        for (name, n) in [("kept", "1"), ("kept", "3"), ("gone", "1"), ("gone", "2"), ("gone", "3")] {
            layers::delete_layer_version(&mut state, &scope(), name, n).unwrap();
        }
        let mut replayed = replay(&state);
        let ns = replayed.namespace(&scope()).unwrap();
        assert_eq!(ns.layers["kept"].versions.keys().copied().collect::<Vec<_>>(), [2]);
        assert!(ns.layers["gone"].versions.is_empty());
        for (name, next) in [("kept", 4), ("gone", 4)] {
            assert_eq!(
                layers::publish_layer_version(&mut replayed, &scope(), name, input(), "").unwrap().version,
                next
            );
        }
    }

    #[test]
    fn versions_published_from_other_configurations_replay_exactly() {
        let mut state = State::new(Duration::ZERO);
        create(&mut state, "f", serde_json::json!({"Timeout": 10}));
        publish(&mut state, "f");
        // Members a version did not have yet, which UpdateFunctionConfiguration can set but not clear.
        update(
            &mut state,
            "f",
            serde_json::json!({"Environment": {"Variables": {"AB": "1"}}, "VpcConfig": {"SubnetIds": ["s"]}}),
        );
        functions::update_function_code(
            &mut state,
            &scope(),
            "f",
            serde_json::from_value(serde_json::json!({"ZipFile": zip_b64("v2"), "Architectures": ["arm64"]})).unwrap(),
        )
        .unwrap();
        publish(&mut state, "f");
        // Back to version 1's settings, published again: two versions alike, and a version between them deleted.
        update(&mut state, "f", serde_json::json!({"Description": "latest", "LoggingConfig": {"LogFormat": "JSON"}}));
        publish(&mut state, "f");
        let replayed = replay(&state);
        let (a, b) = (state.function(&scope(), "f").unwrap(), replayed.function(&scope(), "f").unwrap());
        for n in 1..=3 {
            assert!(a.versions[&n].config.same_settings(&b.versions[&n].config), "version {n}");
        }
        assert!(a.latest.same_settings(&b.latest));
        assert_eq!(b.latest.environment.as_ref().unwrap()["AB"], "1");
        assert_eq!(b.versions[&1].config.environment, None);
    }

    #[test]
    fn image_functions_aliases_and_tags_replay() {
        let mut state = State::new(Duration::ZERO);
        let input = serde_json::from_value(serde_json::json!({
            "FunctionName": "img", "PackageType": "Image", "Role": "arn:aws:iam::123456789012:role/r",
            "Code": {"ImageUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1"}, "Tags": {"team": "a"},
            "ImageConfig": {"Command": ["app.handler"]},
        }))
        .unwrap();
        functions::create_function(&mut state, &scope(), input).unwrap();
        publish(&mut state, "img");
        update(&mut state, "img", serde_json::json!({"Description": "two"}));
        publish(&mut state, "img");
        let alias = serde_json::json!({"Name": "live", "FunctionVersion": "2", "Description": "d",
                                       "RoutingConfig": {"AdditionalVersionWeights": {"1": 0.25}}});
        aliases::create_alias(&mut state, &scope(), "img", serde_json::from_value(alias).unwrap()).unwrap();
        let replayed = replay(&state);
        let f = replayed.function(&scope(), "img").unwrap();
        assert_eq!(f.tags["team"], "a");
        assert_eq!(f.latest.package_type, "Image");
        assert_eq!(f.aliases["live"].routing["1"], 0.25);
    }

    fn apply_text(yaml: &str) -> Result<State, String> {
        let file: InitFile = serde_norway::from_str(yaml).map_err(|e| e.to_string())?;
        let mut state = State::new(Duration::ZERO);
        apply_init(&mut state, &file, Path::new("."), &scope()).map_err(|e| e.to_string())?;
        Ok(state)
    }

    fn function_yaml(rest: &str) -> String {
        format!(
            "Functions:\n  - FunctionName: f\n    Runtime: python3.12\n    Role: arn:aws:iam::123456789012:role/r\n    \
             Handler: index.handler\n    Code: {{ZipFile: {}}}\n{rest}",
            zip_b64("x")
        )
    }

    #[test]
    fn errors_name_the_entry_and_carry_the_api_error() {
        let err = apply_text(&function_yaml(
            "    Permissions:\n      - {StatementId: ok, Action: 'lambda:*', Principal: '*'}\n      \
             - {StatementId: ok, Action: 'lambda:*', Principal: '*'}\n",
        ))
        .unwrap_err();
        assert!(
            err.starts_with("Functions[0] (f): Permissions[1]: ResourceConflictException: The statement id (ok)"),
            "{err}"
        );
        let err = apply_text(&function_yaml("    Versions: [{Version: 2}, {Version: 2}]\n")).unwrap_err();
        assert_eq!(
            err,
            "Functions[0] (f): Versions[1]: Version 2 is not above the versions before it (the next number is 3)"
        );
        let err = apply_text(&function_yaml("    Aliases: [{Name: live, FunctionVersion: '7'}]\n")).unwrap_err();
        assert_eq!(
            err,
            "Functions[0] (f): Aliases[0] (live): ResourceNotFoundException: Function not found: \
             arn:aws:lambda:us-east-1:123456789012:function:f:7"
        );
        let err = apply_text(&function_yaml("    Timeout: 901\n")).unwrap_err();
        assert!(
            err.starts_with(
                "Functions[0] (f): ValidationException: 1 validation error detected: Value '901' at 'timeout'"
            ),
            "{err}"
        );
        // A version configuration without a member an earlier one set: no API call sequence makes that.
        let configured = format!(
            "    Environment: {{Variables: {{AB: '1'}}}}\n    Versions:\n      - Configuration: {{Runtime: python3.12, \
             Role: 'arn:aws:iam::123456789012:role/r', Handler: index.handler, Code: {{ZipFile: {z}}}, \
             Environment: {{Variables: {{}}}}}}\n      - Configuration: {{Runtime: python3.12, Role: \
             'arn:aws:iam::123456789012:role/r', Handler: index.handler, Code: {{ZipFile: {z}}}}}\n",
            z = zip_b64("x")
        );
        let err = apply_text(&function_yaml(&configured)).unwrap_err();
        assert!(
            err.starts_with("Functions[0] (f): Versions[1]: Configuration: Environment cannot be removed"),
            "{err}"
        );
        let err = apply_text("Layers: [{LayerName: l, Versions: [{Content: {ZipFile: 'bm90IGEgemlw'}}]}]").unwrap_err();
        assert_eq!(
            err,
            "Layers[0] (l): Versions[0]: InvalidParameterValueException: Could not unzip uploaded file. Please check \
             your file, then try to upload again."
        );
    }

    #[test]
    fn unknown_members_are_refused_at_every_level() {
        for (yaml, want) in [
            ("Function: []", "unknown field `Function`"),
            ("Namespaces: [{Acount: '123456789012'}]", "unknown field `Acount`"),
            ("Layers: [{LayerName: l, Versions: [{Contents: {}}]}]", "unknown field `Contents`"),
            ("Functions: [{FunctionName: f, Versions: [{Publish: true}]}]", "unknown field `Publish`"),
            ("Functions: [{FunctionName: f, Code: {S3Bucket: b}}]", "unknown field `S3Bucket`"),
            ("Functions: [{FunctionName: f, Permissions: [{RevisionId: r}]}]", "unknown field `RevisionId`"),
            (
                "Functions: [{FunctionName: f, Aliases: [{Name: a, FunctionVersion: '1', Weights: {}}]}]",
                "unknown field `Weights`",
            ),
            ("Functions: [{FunctionName: f, Environment: {Vars: {}}}]", "unknown field `Vars`"),
        ] {
            let err = apply_text(yaml).unwrap_err();
            assert!(err.contains(want), "{yaml}: {err}");
        }
        let err = apply_text("Functions: [{FunctionName: f, Publish: true, Memory: 1}]").unwrap_err();
        assert!(err.starts_with("Functions[0] (f): unknown members Memory, Publish: a function takes"), "{err}");
    }

    #[test]
    fn alias_versions_may_be_yaml_numbers() {
        let state = apply_text(&function_yaml(
            "    Versions: [{}]\n    Aliases: [{Name: live, FunctionVersion: 1}, {Name: latest, FunctionVersion: $LATEST}]\n",
        ))
        .unwrap();
        let f = state.function(&scope(), "f").unwrap();
        assert_eq!(
            (f.aliases["live"].function_version.as_str(), f.aliases["latest"].function_version.as_str()),
            ("1", "$LATEST")
        );
        let err = apply_text(&function_yaml("    Aliases: [{Name: live, FunctionVersion: 1.5}]\n")).unwrap_err();
        assert!(err.contains("expected a string or a version number"), "{err}");
    }

    #[test]
    fn yaml_and_json_files_say_the_same() {
        let dir = std::env::temp_dir().join(format!("lambdalite-init-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let yaml = function_yaml("    MemorySize: 256\n    Versions: [{Description: one}]\n");
        std::fs::write(dir.join("a.yaml"), &yaml).unwrap();
        let parsed: InitFile = serde_norway::from_str(&yaml).unwrap();
        std::fs::write(dir.join("a.json"), serde_json::to_string(&parsed).unwrap()).unwrap();
        std::fs::write(dir.join("a.toml"), "").unwrap();
        assert_eq!(load(&dir.join("a.yaml")).unwrap(), load(&dir.join("a.json")).unwrap());
        assert_eq!(load(&dir.join("a.json")).unwrap().functions[0].settings.memory_size, Some(256));
        assert!(load(&dir.join("a.toml")).unwrap_err().contains(".json, .yaml or .yml"));
        assert!(load(&dir.join("missing.yml")).unwrap_err().starts_with("cannot read it"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
