//! The function control plane: CreateFunction, GetFunction, GetFunctionConfiguration, PublishVersion, and the
//! lookups every function-addressed operation shares (SPEC §4, §5.2, §10, §13.1).

use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::domain::arn::Scope;
use crate::domain::function::{Code, Function, FunctionConfig, Lifecycle, Transition, Version};
use crate::domain::function_name::{
    check_function_name, check_qualifier, classify_qualifier, create_name_error, CrossAccount, NameRule, QualifierKind,
};
use crate::domain::patterns;
use crate::domain::runtimes::{self, ARCHITECTURES};
use crate::domain::state::State;
use crate::domain::validate::{anchored, Pattern, Violations};
use crate::error::Error;
use crate::wire::dto::functions::*;

use super::{decode_blob, s3_code_error, timestamp_now, zip_code};

/// The 412 text of UpdateFunctionCode/Configuration, PublishVersion and UpdateAlias.
pub const FUNCTION_REVISION_MISMATCH: &str =
    "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id";

/// A FunctionName (and optional Qualifier) after validation, scope and mismatch checks.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub scope: Scope,
    pub name: String,
    /// `Qualifier ?? derived qualifier`.
    pub qualifier: Option<String>,
}

impl Resolved {
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
}

/// Validates FunctionName and Qualifier (all violations in one ValidationException), then the ARN's region and
/// account, then the derived-qualifier mismatch: the first three steps of every function operation (SPEC §8.1).
pub fn resolve(
    caller: &Scope,
    function_name: &str,
    qualifier: Option<&str>,
    rule: NameRule,
    cross: CrossAccount,
) -> Result<Resolved, Error> {
    let mut v = Violations::new();
    let parsed = check_function_name(&mut v, function_name, rule);
    check_qualifier(&mut v, qualifier);
    v.finish()?;
    let parsed = parsed.expect("a name without violations parsed");
    let scope = parsed.scope(caller, cross)?;
    let qualifier = parsed.effective_qualifier(qualifier)?;
    Ok(Resolved { scope, name: parsed.name, qualifier })
}

/// The function, or 404 `Function not found: <unqualified arn>`.
pub fn function<'a>(state: &'a State, r: &Resolved) -> Result<&'a Function, Error> {
    state.function(&r.scope, &r.name).ok_or_else(|| Error::not_found(format!("Function not found: {}", r.arn())))
}

/// Mutable [`function`].
pub fn function_mut<'a>(state: &'a mut State, r: &Resolved) -> Result<&'a mut Function, Error> {
    state.function_mut(&r.scope, &r.name).ok_or_else(|| Error::not_found(format!("Function not found: {}", r.arn())))
}

/// How a configuration is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// GetFunction, GetFunctionConfiguration, Publish: state as of now.
    Current,
    /// The response to the mutation that started the transition: in flight regardless of the settle delay.
    Mutation,
    /// List items: no State, LastUpdateStatus or RuntimeVersionConfig (SPEC §10.4).
    List,
}

/// Builds the wire FunctionConfiguration of `cfg` (SPEC §13.1).
pub fn render(
    scope: &Scope,
    name: &str,
    cfg: &FunctionConfig,
    function_arn: String,
    version: &str,
    view: View,
    delay: Duration,
) -> FunctionConfiguration {
    let in_flight = match view {
        View::Mutation => cfg.lifecycle.in_flight,
        View::Current | View::List => cfg.lifecycle.in_flight(delay),
    };
    let revision_id =
        if in_flight.is_some() { &cfg.lifecycle.pending_revision } else { &cfg.lifecycle.settled_revision };
    let (state, state_reason, state_reason_code, last_update, last_update_reason, last_update_code) =
        match (in_flight, view) {
            (_, View::List) => (None, None, None, None, None, None),
            (Some(Transition::Creating), View::Mutation) => {
                (Some("Pending"), Some("The function is being created."), Some("Creating"), None, None, None)
            }
            (Some(Transition::Creating), _) => (
                Some("Pending"),
                Some("The function is being created."),
                Some("Creating"),
                Some("InProgress"),
                Some("The function is being created."),
                Some("Creating"),
            ),
            // AWS really says "being created" while an update is in progress.
            (Some(Transition::Updating), _) => (
                Some("Active"),
                None,
                None,
                Some("InProgress"),
                Some("The function is being created."),
                Some("Creating"),
            ),
            (None, _) => (Some("Active"), None, None, Some("Successful"), None, None),
        };
    let runtime_version_config = match (view, cfg.package_type.as_str(), cfg.runtime.as_deref()) {
        (View::List, _, _) | (_, "Image", _) | (_, _, None) => None,
        (_, _, Some(runtime)) => Some(RuntimeVersionConfig {
            runtime_version_arn: format!(
                "arn:{}:lambda:{}::runtime:{:x}",
                scope.partition(),
                scope.region,
                Sha256::digest(runtime.as_bytes())
            ),
        }),
    };
    FunctionConfiguration {
        function_name: name.to_owned(),
        function_arn,
        runtime: cfg.runtime.clone(),
        role: cfg.role.clone(),
        handler: cfg.handler.clone(),
        code_size: cfg.code.size,
        description: cfg.description.clone(),
        timeout: cfg.timeout,
        memory_size: cfg.memory_size,
        last_modified: cfg.last_modified.clone(),
        code_sha256: cfg.code.sha256.clone(),
        version: version.to_owned(),
        vpc_config: cfg.vpc_config.clone(),
        dead_letter_config: cfg
            .dead_letter_target_arn
            .as_ref()
            .map(|arn| DeadLetterConfig { target_arn: Some(arn.clone()) }),
        environment: cfg.environment.as_ref().map(|vars| EnvironmentResponse { variables: vars.clone() }),
        kms_key_arn: cfg.kms_key_arn.clone(),
        tracing_config: TracingConfig { mode: Some(cfg.tracing_mode.clone()) },
        revision_id: revision_id.clone(),
        layers: cfg.layers.iter().map(|l| LayerOutput { arn: l.arn.clone(), code_size: l.code_size }).collect(),
        state: state.map(Into::into),
        state_reason: state_reason.map(Into::into),
        state_reason_code: state_reason_code.map(Into::into),
        last_update_status: last_update.map(Into::into),
        last_update_status_reason: last_update_reason.map(Into::into),
        last_update_status_reason_code: last_update_code.map(Into::into),
        file_system_configs: cfg.file_system_configs.clone(),
        package_type: cfg.package_type.clone(),
        image_config_response: cfg.image_config.as_ref().map(|c| serde_json::json!({ "ImageConfig": c })),
        architectures: cfg.architectures.clone(),
        ephemeral_storage: EphemeralStorage { size: Some(cfg.ephemeral_storage_size) },
        snap_start: SnapStartResponse {
            apply_on: cfg.snap_start_apply_on.clone(),
            optimization_status: if cfg.snap_start_apply_on == "None" { "Off" } else { "On" }.into(),
        },
        runtime_version_config,
        logging_config: LoggingConfig {
            log_format: Some(cfg.log_format.clone()),
            application_log_level: cfg.application_log_level.clone(),
            system_log_level: cfg.system_log_level.clone(),
            log_group: Some(cfg.log_group.clone()),
        },
    }
}

/// The configuration a qualifier addresses and the `Version` it reports: `$LATEST`, a version, or an alias's
/// target version. `None` when the version or alias does not exist.
pub fn qualified_config<'a>(f: &'a Function, qualifier: Option<&str>) -> Option<(&'a FunctionConfig, String)> {
    let latest = || Some((&f.latest, "$LATEST".to_owned()));
    let Some(q) = qualifier else { return latest() };
    match classify_qualifier(q) {
        QualifierKind::Latest => latest(),
        QualifierKind::Version(n) => n.and_then(|n| f.versions.get(&n)).map(|v| (&v.config, q.to_owned())),
        QualifierKind::Alias(a) => {
            let alias = f.aliases.get(a)?;
            match alias.function_version.as_str() {
                "$LATEST" => latest(),
                v => f.versions.get(&v.parse().ok()?).map(|ver| (&ver.config, v.to_owned())),
            }
        }
        QualifierKind::Other => None,
    }
}

/// The members CreateFunction and UpdateFunctionConfiguration share, borrowed for their model-constraint checks.
struct ConfigMembers<'a> {
    role: Option<&'a str>,
    handler: Option<&'a str>,
    description: Option<&'a str>,
    timeout: Option<i64>,
    memory_size: Option<i64>,
    kms_key_arn: Option<&'a str>,
    tracing: Option<&'a TracingConfig>,
    ephemeral: Option<&'a EphemeralStorage>,
    logging: Option<&'a LoggingConfig>,
    snap_start: Option<&'a SnapStart>,
    environment: Option<&'a Environment>,
    dead_letter: Option<&'a DeadLetterConfig>,
    vpc: Option<&'a serde_json::Value>,
}

/// Borrows the [`ConfigMembers`] of a CreateFunction or UpdateFunctionConfiguration input: the two DTOs name these
/// members alike, so one expansion serves both.
macro_rules! config_members {
    ($input:expr) => {
        ConfigMembers {
            role: $input.role.as_deref(),
            handler: $input.handler.as_deref(),
            description: $input.description.as_deref(),
            timeout: $input.timeout,
            memory_size: $input.memory_size,
            kms_key_arn: $input.kms_key_arn.as_deref(),
            tracing: $input.tracing_config.as_ref(),
            ephemeral: $input.ephemeral_storage.as_ref(),
            logging: $input.logging_config.as_ref(),
            snap_start: $input.snap_start.as_ref(),
            environment: $input.environment.as_ref(),
            dead_letter: $input.dead_letter_config.as_ref(),
            vpc: $input.vpc_config.as_ref(),
        }
    };
}

/// `KMSKeyArn` and `DeadLetterConfig.TargetArn`: any ARN, or empty (to clear).
static RESOURCE_ARN: Pattern = Pattern::new(r"(arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|()", || {
    anchored(r"(?:arn:(?:aws[a-zA-Z-]*)?:[a-z0-9.\-]+:(?s:.*))|(?:)")
});

/// `LoggingConfig.LogGroup`.
static LOG_GROUP: Pattern = Pattern::new(r"[\.\-_/#A-Za-z0-9]+", || anchored(r"[./#A-Za-z0-9_\-]+"));

/// Keys of `Environment.Variables`.
static ENV_NAME: Pattern = Pattern::new(r"[a-zA-Z]([a-zA-Z0-9_])+", || anchored(r"[a-zA-Z](?:[a-zA-Z0-9_])+"));

/// ListFunctions' `MasterRegion`.
static MASTER_REGION: Pattern =
    Pattern::new(r"ALL|[a-z]{2}(-gov)?-[a-z]+-\d{1}", || anchored(r"ALL|[a-z]{2}(?:-gov)?-[a-z]+-\d"));

/// Variables Lambda sets itself and refuses to take from a configuration ([docs] "Defined runtime environment
/// variables"; the ones starting with `_` already fail the name pattern).
const RESERVED_ENV: &[&str] = &[
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
];

/// Checks the model constraints of the members shared by CreateFunction and UpdateFunctionConfiguration, in the
/// model's member order, which is taken to be the order AWS lists violations in [inferred].
fn check_config_members(v: &mut Violations, m: &ConfigMembers<'_>) {
    if let Some(role) = m.role {
        v.pattern("role", role, &patterns::ROLE);
    }
    if let Some(h) = m.handler {
        v.max_len("handler", h, 128);
        if !h.is_empty() {
            v.pattern("handler", h, &patterns::PRINCIPAL);
        }
    }
    if let Some(d) = m.description {
        v.max_len("description", d, 256);
    }
    if let Some(t) = m.timeout {
        v.int_range("timeout", t, Some(1), Some(900));
    }
    if let Some(mem) = m.memory_size {
        v.int_range("memorySize", mem, Some(128), Some(10240));
    }
    if let Some(vpc) = m.vpc {
        for (key, member, max) in
            [("SubnetIds", "vpcConfig.subnetIds", 16), ("SecurityGroupIds", "vpcConfig.securityGroupIds", 5)]
        {
            if let Some(ids) = vpc.get(key).and_then(|x| x.as_array()).filter(|ids| ids.len() > max) {
                let shown: Vec<String> =
                    ids.iter().map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_owned)).collect();
                v.push(
                    member,
                    &format!("[{}]", shown.join(", ")),
                    &format!("Member must have length less than or equal to {max}"),
                );
            }
        }
    }
    if let Some(arn) = m.dead_letter.and_then(|d| d.target_arn.as_deref()) {
        v.pattern("deadLetterConfig.targetArn", arn, &RESOURCE_ARN);
    }
    if let Some(vars) = m.environment.and_then(|e| e.variables.as_ref()) {
        // One violation for the whole map, without its (sensitive) values, however many keys fail (AWS's text
        // as reported in public deployment logs).
        if !vars.keys().all(|k| ENV_NAME.is_match(k)) {
            v.push_hidden(
                "environment.variables",
                &format!(
                    "Map keys must satisfy constraint: [Member must satisfy regular expression pattern: {}]",
                    ENV_NAME.text
                ),
            );
        }
    }
    if let Some(k) = m.kms_key_arn {
        v.pattern("kMSKeyArn", k, &RESOURCE_ARN);
    }
    if let Some(mode) = m.tracing.and_then(|t| t.mode.as_deref()) {
        v.one_of("tracingConfig.mode", mode, &["Active", "PassThrough"]);
    }
    if let Some(e) = m.ephemeral {
        match e.size {
            Some(size) => {
                v.int_range("ephemeralStorage.size", size, Some(512), Some(10240));
            }
            None => v.null("ephemeralStorage.size"),
        }
    }
    if let Some(l) = m.logging {
        if let Some(f) = l.log_format.as_deref() {
            v.one_of("loggingConfig.logFormat", f, &["JSON", "Text"]);
        }
        let levels = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];
        if let Some(a) = l.application_log_level.as_deref() {
            v.one_of("loggingConfig.applicationLogLevel", a, &levels);
        }
        if let Some(s) = l.system_log_level.as_deref() {
            v.one_of("loggingConfig.systemLogLevel", s, &["DEBUG", "INFO", "WARN"]);
        }
        if let Some(g) = l.log_group.as_deref() {
            v.string("loggingConfig.logGroup", g, 1, 512, Some(&LOG_GROUP));
        }
    }
    if let Some(a) = m.snap_start.and_then(|s| s.apply_on.as_deref()) {
        v.one_of("snapStart.applyOn", a, &["PublishedVersions", "None"]);
    }
}

/// The S3 location of a code upload: `prefix` is `code.` in CreateFunction, where the members sit in `Code`, and
/// empty in UpdateFunctionCode. Every failed constraint is reported, as for other members.
fn check_s3_members(
    v: &mut Violations,
    prefix: &str,
    bucket: Option<&str>,
    key: Option<&str>,
    object_version: Option<&str>,
) {
    if let Some(b) = bucket {
        let member = format!("{prefix}s3Bucket");
        v.string(&member, b, 3, 63, None);
        // The model's `(?<!\.)` lookbehind is written as code: no trailing dot.
        if !b.bytes().all(|c| c.is_ascii_alphanumeric() || b".-_".contains(&c)) || b.ends_with('.') {
            v.push(&member, b, r"Member must satisfy regular expression pattern: [0-9A-Za-z\.\-_]*(?<!\.)");
        }
    }
    if let Some(k) = key {
        v.string(&format!("{prefix}s3Key"), k, 1, 1024, None);
    }
    if let Some(o) = object_version {
        v.string(&format!("{prefix}s3ObjectVersion"), o, 1, 1024, None);
    }
}

/// Architectures: exactly one of `x86_64`, `arm64` (SPEC §10.1 texts).
pub fn check_architectures(v: &mut Violations, archs: Option<&Vec<String>>) {
    let Some(archs) = archs else { return };
    let shown = format!("[{}]", archs.join(", "));
    if archs.len() > 1 {
        v.push("architectures", &shown, "Member must have length less than or equal to 1");
    } else if archs.is_empty() {
        v.push("architectures", &shown, "Member must have length greater than or equal to 1");
    } else if !archs.iter().all(|a| ARCHITECTURES.contains(&a.as_str())) {
        v.push(
            "architectures",
            &shown,
            "Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]",
        );
    }
}

/// Environment variables may not exceed 4 KB as compact JSON (SPEC §10.1).
fn check_environment(env: Option<&Environment>) -> Result<(), Error> {
    let Some(vars) = env.and_then(|e| e.variables.as_ref()) else { return Ok(()) };
    let reserved: Vec<&str> = vars.keys().map(String::as_str).filter(|k| RESERVED_ENV.contains(k)).collect();
    if !reserved.is_empty() {
        // Request order is inferred; the text is AWS's.
        return Err(Error::invalid(format!(
            "Lambda was unable to configure your environment variables because the environment variables you have \
             provided contains reserved keys that are currently not supported for modification. Reserved keys used \
             in this request: {}",
            reserved.join(", ")
        )));
    }
    let measured = serde_json::to_string(vars).unwrap_or_default();
    if measured.len() > 4096 {
        return Err(Error::invalid(format!(
            "Lambda was unable to configure your environment variables because the environment variables you have \
             provided exceeded the 4KB limit. String measured: {measured}"
        )));
    }
    Ok(())
}

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
    r: &Resolved,
) -> Result<(&'a Function, &'a FunctionConfig, FunctionConfiguration), Error> {
    let not_found = || Error::not_found(format!("Function not found: {}", r.qualified_arn()));
    let f = state.function(&r.scope, &r.name).ok_or_else(not_found)?;
    let (cfg, version) = qualified_config(f, r.qualifier.as_deref()).ok_or_else(not_found)?;
    // No qualifier: unqualified ARN. Any qualifier, `$LATEST` included: the ARN ends with it (SPEC §10.2).
    let out = render(&r.scope, &r.name, cfg, r.qualified_arn(), &version, View::Current, state.settle_delay);
    Ok((f, cfg, out))
}

/// The stored zip of a configuration, for `Code.Location` downloads.
pub fn code_bytes(state: &State, scope: &Scope, name: &str, version: &str) -> Option<std::sync::Arc<[u8]>> {
    let f = state.function(scope, name)?;
    let (cfg, _) = qualified_config(f, Some(version))?;
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
    let scope = parsed.scope(caller, CrossAccount::Deny("PublishVersion"))?;
    let r = Resolved { scope, name: parsed.name, qualifier: None };
    let delay = state.settle_delay;
    let f = function_mut(state, &r)?;
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
    let f = function_mut(state, &r)?;
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
    let r = Resolved { scope: parsed.scope(caller, CrossAccount::Follow)?, name: parsed.name, qualifier: None };
    super::enforce::authorize_function(state, caller, &r, "lambda:ListVersionsByFunction")?;
    let f = function(state, &r)?;
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
            function(state, &r)?;
            // A `$`-qualifier other than `$LATEST` never names anything [inferred: as GetFunction answers it].
            return Err(Error::not_found(format!("Function not found: {}", r.qualified_arn())));
        }
    };
    let f = function_mut(state, &r)?;
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
    let scope = parsed.scope(caller, CrossAccount::Deny("UpdateFunctionCode"))?;
    let r = Resolved { scope, name: parsed.name, qualifier: None };
    let delay = state.settle_delay;
    let f = function_mut(state, &r)?;
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
    let f = function_mut(state, &r)?;
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
    let scope = parsed.scope(caller, CrossAccount::Deny("UpdateFunctionConfiguration"))?;
    let r = Resolved { scope, name: parsed.name, qualifier: None };
    let delay = state.settle_delay;
    {
        let f = function(state, &r)?;
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
    let f = function_mut(state, &r)?;
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
