//! The model constraints of the configuration members CreateFunction and UpdateFunctionConfiguration share, and
//! Lambda's own checks of them (code location, architectures, environment), each reported in AWS's words.

use crate::domain::patterns;
use crate::domain::runtimes::ARCHITECTURES;
use crate::domain::validate::{anchored, Pattern, Violations};
use crate::error::Error;
use crate::wire::dto::functions::*;

/// The members CreateFunction and UpdateFunctionConfiguration share, borrowed for their model-constraint checks.
pub(super) struct ConfigMembers<'a> {
    pub(super) role: Option<&'a str>,
    pub(super) handler: Option<&'a str>,
    pub(super) description: Option<&'a str>,
    pub(super) timeout: Option<i64>,
    pub(super) memory_size: Option<i64>,
    pub(super) kms_key_arn: Option<&'a str>,
    pub(super) tracing: Option<&'a TracingConfig>,
    pub(super) ephemeral: Option<&'a EphemeralStorage>,
    pub(super) logging: Option<&'a LoggingConfig>,
    pub(super) snap_start: Option<&'a SnapStart>,
    pub(super) environment: Option<&'a Environment>,
    pub(super) dead_letter: Option<&'a DeadLetterConfig>,
    pub(super) vpc: Option<&'a serde_json::Value>,
}

/// Borrows the [`ConfigMembers`] of a CreateFunction or UpdateFunctionConfiguration input: the two DTOs name these
/// members alike, so one expansion serves both.
macro_rules! config_members {
    ($input:expr) => {
        $crate::service::functions::checks::ConfigMembers {
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
pub(super) use config_members;

/// `KMSKeyArn` and `DeadLetterConfig.TargetArn`: any ARN, or empty (to clear).
static RESOURCE_ARN: Pattern = Pattern::new(r"(arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|()", || {
    anchored(r"(?:arn:(?:aws[a-zA-Z-]*)?:[a-z0-9.\-]+:(?s:.*))|(?:)")
});

/// `LoggingConfig.LogGroup`.
static LOG_GROUP: Pattern = Pattern::new(r"[\.\-_/#A-Za-z0-9]+", || anchored(r"[./#A-Za-z0-9_\-]+"));

/// Keys of `Environment.Variables`.
static ENV_NAME: Pattern = Pattern::new(r"[a-zA-Z]([a-zA-Z0-9_])+", || anchored(r"[a-zA-Z](?:[a-zA-Z0-9_])+"));

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
pub(super) fn check_config_members(v: &mut Violations, m: &ConfigMembers<'_>) {
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
pub(super) fn check_s3_members(
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
pub(super) fn check_environment(env: Option<&Environment>) -> Result<(), Error> {
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
