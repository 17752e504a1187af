//! How a function configuration is shown: the FunctionConfiguration object of every function operation's answer
//! (SPEC §13.1), with the lifecycle state it is in now or was put in by the mutation being answered.

use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::domain::arn::Scope;
use crate::domain::function::{FunctionConfig, Transition};
use crate::wire::dto::functions::*;

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
