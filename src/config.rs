//! Command-line and environment configuration.
//!
//! Every flag can also be set from an environment variable so that a docker-compose file only needs `environment:`.
//! [`Cli`] is what the binary parses: the server's [`Config`] when no subcommand is given (so plain `lambdalite`
//! serves exactly as before), or one client [`Command`] aimed at a running server.

use crate::domain::arn::AccountId;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The binary's command line: serve (no subcommand) or act as a client of a running server.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "lambdalite",
    version,
    about,
    args_conflicts_with_subcommands = true,
    after_help = "With no command, serve. The commands talk to a running server; `reset` and `state` exit 0 on success, \
                  1 when the server answered with an error, 2 when it could not be reached (`health`: 0 or 1)."
)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Client subcommands for the admin endpoints of a running server.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Probe `GET /_lambdalite/health`; exit 0 when healthy, 1 otherwise (what a container HEALTHCHECK runs).
    #[command(after_help = HEALTH_EXIT_CODES)]
    Health(ClientArgs),
    /// Drop all state of a running server (`POST /_lambdalite/reset`); prints nothing on success.
    #[command(after_help = CLIENT_EXIT_CODES)]
    Reset(ClientArgs),
    /// Print the whole state of a running server as pretty JSON (`GET /_lambdalite/state`).
    #[command(after_help = CLIENT_EXIT_CODES)]
    State(ClientArgs),
}

/// Exit statuses of `lambdalite reset` and `lambdalite state`, for scripts.
pub const CLIENT_EXIT_CODES: &str = "Exit status:
  0  the server did it (reset: 204; state: 200 with the JSON on stdout)
  1  the server answered with an error, or an answer that is not lambdalite's (details on stderr)
  2  no answer: cannot connect, timed out, or the endpoint URL is not usable (clap's own usage errors are 2 too)";

/// `lambdalite health` keeps to 0 and 1: Docker reserves a HEALTHCHECK's exit status 2.
pub const HEALTH_EXIT_CODES: &str = "Exit status:
  0  healthy (the health JSON is on stdout)
  1  anything else: unreachable, timed out, or not a healthy lambdalite (2 is reserved by Docker's HEALTHCHECK)";

/// Where a client subcommand finds the server.
#[derive(Debug, Clone, Args)]
pub struct ClientArgs {
    /// Base URL of the server (http only). Default: http://127.0.0.1:PORT, PORT from LAMBDALITE_PORT or 4566.
    #[arg(long = "endpoint-url", env = "LAMBDALITE_ENDPOINT_URL")]
    pub endpoint_url: Option<String>,

    /// Give up after this many milliseconds (connect, send and read together).
    #[arg(long = "timeout-ms", default_value_t = 2000)]
    pub timeout_ms: u64,
}

impl ClientArgs {
    /// The endpoint to talk to; `port` is the server's configured port, so a container that moves the server with
    /// LAMBDALITE_PORT keeps a working HEALTHCHECK without repeating the port.
    pub fn endpoint(&self, port: u16) -> String {
        match &self.endpoint_url {
            Some(url) => url.clone(),
            None => format!("http://127.0.0.1:{port}"),
        }
    }
}

/// A small, fast, AWS-exact local emulator of the AWS Lambda permission APIs.
#[derive(Debug, Clone, Parser)]
#[command(name = "lambdalite", version, about)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "LAMBDALITE_HOST", default_value = "127.0.0.1")]
    pub host: String,

    /// Port to listen on; 0 picks a free port (the bound port is printed at start).
    #[arg(long, env = "LAMBDALITE_PORT", default_value_t = 4566)]
    pub port: u16,

    /// Region used when a request carries no parseable SigV4 credential scope.
    #[arg(long, env = "LAMBDALITE_REGION", default_value = "us-east-1")]
    pub region: String,

    /// Account used when the access key id is not a 12-digit account id.
    #[arg(long = "account-id", env = "LAMBDALITE_ACCOUNT_ID", default_value = "000000000000",
          value_parser = parse_account_id)]
    pub account_id: String,

    /// Milliseconds after a mutation before a function reads as settled (Pending→Active, InProgress→Successful).
    /// 0 settles on the next read.
    #[arg(long = "settle-delay-ms", env = "LAMBDALITE_SETTLE_DELAY_MS", default_value_t = 0)]
    pub settle_delay_ms: u64,

    /// An AWS Organization and its member accounts, `o-xxxxxxxxxx=ACCOUNT,ACCOUNT,...`; repeatable. A caller in one
    /// of these accounts has that `aws:PrincipalOrgID` when resource policies are evaluated. In the environment,
    /// separate organizations with `;`.
    /// An empty value means none (so compose files can pass the variable through unset).
    #[arg(long = "organization", env = "LAMBDALITE_ORGANIZATIONS", value_delimiter = ';',
          value_parser = parse_organization_arg)]
    pub organizations: Vec<String>,

    /// A JSON or YAML file (by extension) of layers, functions, versions, aliases and permissions to create at start,
    /// through the API's own checks; the server does not start if any entry fails. The format is what
    /// `GET /_lambdalite/state` exports (see docker/init.example.yaml). An empty value means none.
    #[arg(long = "init", env = "LAMBDALITE_INIT", value_name = "FILE", value_parser = parse_init_path)]
    pub init: Option<std::path::PathBuf>,

    /// Log line format.
    #[arg(long = "log-format", env = "LAMBDALITE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Keep the state in this directory (created if missing): every mutation is on disk before it is answered, and
    /// a restart on the same directory finds everything it held. Without it the state lives in memory only.
    /// An empty value means none (so compose files can pass the variable through unset).
    #[arg(long = "state-dir", env = "LAMBDALITE_STATE_DIR", value_parser = parse_path)]
    pub state_dir: Option<std::path::PathBuf>,

    // --- Hardening: strict authentication and connection limits (issue 10). ---
    /// Request authentication: `none` trusts the credential scope as is; `sigv4` verifies every request's signature
    /// against `--credentials` and requires `--admin-token` for `/_lambdalite/*`.
    #[arg(long, env = "LAMBDALITE_AUTH", value_enum, default_value_t = AuthMode::None)]
    pub auth: AuthMode,

    /// AWS shared-credentials INI file: one section per identity with `aws_access_key_id`,
    /// `aws_secret_access_key`, optional `account_id` and `principal_arn`. Required by `--auth sigv4`.
    #[arg(long, env = "LAMBDALITE_CREDENTIALS", value_parser = parse_credentials_file,
          required_if_eq("auth", "sigv4"))]
    pub credentials: Option<Credentials>,

    /// Bearer token for `/_lambdalite/*` under `--auth sigv4` (`Authorization: Bearer <token>` or
    /// `x-lambdalite-admin-token: <token>`); without it those endpoints refuse every request in that mode.
    #[arg(long = "admin-token", env = "LAMBDALITE_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,

    /// Milliseconds a client has to send a request's headers before its connection is closed (slow clients must
    /// not hold connections forever).
    #[arg(long = "header-read-timeout-ms", env = "LAMBDALITE_HEADER_READ_TIMEOUT_MS", default_value_t = 30_000)]
    pub header_read_timeout_ms: u64,

    /// Milliseconds a request body may go without a byte arriving while it is read before the request is answered
    /// 408 and its connection closed (a client that sends its headers and stalls must not hold a connection).
    #[arg(long = "body-read-timeout-ms", env = "LAMBDALITE_BODY_READ_TIMEOUT_MS", default_value_t = 30_000)]
    pub body_read_timeout_ms: u64,

    /// The most code (zips and layer archives, in bytes) the server holds, counted per function version and layer
    /// version as AWS counts TotalCodeSize, for all accounts and regions together; beyond it CreateFunction,
    /// UpdateFunctionCode, PublishVersion and PublishLayerVersion answer `CodeStorageExceededException`. 0: no limit.
    #[arg(long = "code-storage-limit", env = "LAMBDALITE_CODE_STORAGE_LIMIT", default_value_t = DEFAULT_CODE_STORAGE_LIMIT)]
    pub code_storage_limit: u64,

    /// Concurrent connections served; beyond it a new connection is accepted and closed at once. Default (or 0):
    /// 4096, or the open-file limit less 64 when that is lower.
    #[arg(long = "max-connections", env = "LAMBDALITE_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,

    /// Test-only: adds `GET /_lambdalite/test/panic`, a handler that panics, so tests can check the panic layer.
    #[arg(long = "test-panic-route", hide = true)]
    pub test_panic_route: bool,
    // --- End of hardening flags. ---
}

/// How requests are authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuthMode {
    /// Trust the SigV4 credential scope without verifying the signature (SPEC §3.1).
    None,
    /// Verify every SigV4 signature against the credentials file.
    Sigv4,
}

/// One identity of the credentials file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub access_key_id: String,
    pub secret_access_key: String,
    /// The caller's account: `account_id`, else a 12-digit access key id, else the configured default (`None`).
    pub account_id: Option<String>,
    /// `principal_arn`, else `arn:aws:iam::<account>:root` (filled in by the caller).
    pub principal_arn: Option<String>,
}

/// The identities of a shared-credentials file, by access key id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    pub identities: std::collections::BTreeMap<String, Identity>,
}

impl Credentials {
    /// Parses the AWS shared-credentials INI text. Sections without an access key id (e.g. a `[default]` that only
    /// sets a region) are skipped; a key without a secret, or a bad `account_id`, is an error.
    pub fn parse(text: &str) -> Result<Self, String> {
        let ini = ini::Ini::load_from_str(text).map_err(|e| format!("not an INI file: {e}"))?;
        let mut identities = std::collections::BTreeMap::new();
        for (section, props) in ini.iter() {
            let name = section.unwrap_or("(top)");
            let Some(key) = props.get("aws_access_key_id").map(str::trim).filter(|k| !k.is_empty()) else {
                continue;
            };
            let secret = props
                .get("aws_secret_access_key")
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .ok_or_else(|| format!("section [{name}] has aws_access_key_id but no aws_secret_access_key"))?;
            let account_id = match props.get("account_id").map(str::trim) {
                Some(a) => Some(parse_account_id(a).map_err(|e| format!("section [{name}]: {e}"))?),
                None if AccountId::is_valid(key) => Some(key.to_owned()),
                None => None,
            };
            let identity = Identity {
                access_key_id: key.to_owned(),
                secret_access_key: secret.to_owned(),
                account_id,
                principal_arn: props.get("principal_arn").map(|p| p.trim().to_owned()),
            };
            if identities.insert(key.to_owned(), identity).is_some() {
                return Err(format!("access key id {key} appears in more than one section"));
            }
        }
        if identities.is_empty() {
            return Err("no section has an aws_access_key_id".into());
        }
        Ok(Credentials { identities })
    }
}

fn parse_credentials_file(path: &str) -> Result<Credentials, String> {
    // An empty value (a compose file passing the variable through unset) names no file: no identities.
    if path.trim().is_empty() {
        return Ok(Credentials::default());
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    Credentials::parse(&text).map_err(|e| format!("{path}: {e}"))
}

/// Any path; an empty one (a compose file passing the variable through unset) is kept and means no file.
fn parse_init_path(path: &str) -> Result<std::path::PathBuf, String> {
    Ok(std::path::PathBuf::from(path))
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Checks one `--organization` value; an empty one is kept and ignored.
/// A path, kept as given; unlike clap's own path parser it accepts an empty value (see `Config::state_dir`).
fn parse_path(value: &str) -> Result<std::path::PathBuf, String> {
    Ok(std::path::PathBuf::from(value))
}

fn parse_organization_arg(value: &str) -> Result<String, String> {
    if value.trim().is_empty() {
        return Ok(String::new());
    }
    crate::domain::evaluate::Organization::parse(value).map(|_| value.to_owned())
}

fn parse_account_id(value: &str) -> Result<String, String> {
    if AccountId::is_valid(value) {
        Ok(value.to_owned())
    } else {
        Err(format!("account id must be 12 digits, got '{value}'"))
    }
}

/// `--code-storage-limit`: 1 GiB of code keeps the default server's memory bounded (AWS's quota is 75 GB).
pub const DEFAULT_CODE_STORAGE_LIMIT: u64 = 1 << 30;

/// `--max-connections` when the open-file limit does not ask for less.
pub const DEFAULT_MAX_CONNECTIONS: usize = 4096;

impl Config {
    /// The organizations of `--organization`, parsed (each value was checked when the flags were read).
    pub fn organizations(&self) -> Vec<crate::domain::evaluate::Organization> {
        self.organizations
            .iter()
            .filter(|v| !v.trim().is_empty())
            .filter_map(|v| crate::domain::evaluate::Organization::parse(v).ok())
            .collect()
    }

    /// The state directory, if one was given (an empty value is none).
    pub fn state_dir(&self) -> Option<&std::path::Path> {
        self.state_dir.as_deref().filter(|p| !p.as_os_str().is_empty())
    }

    pub fn settle_delay(&self) -> Duration {
        Duration::from_millis(self.settle_delay_ms)
    }

    /// The `--init` file, if one is named (an empty value names none).
    pub fn init_file(&self) -> Option<&std::path::Path> {
        self.init.as_deref().filter(|p| !p.as_os_str().is_empty())
    }

    pub fn header_read_timeout(&self) -> Duration {
        Duration::from_millis(self.header_read_timeout_ms.max(1))
    }

    /// `--code-storage-limit`, `None` for 0 (no limit).
    pub fn code_storage_limit(&self) -> Option<u64> {
        Some(self.code_storage_limit).filter(|&l| l > 0)
    }

    pub fn body_read_timeout(&self) -> Duration {
        Duration::from_millis(self.body_read_timeout_ms.max(1))
    }

    /// `--max-connections`, or (absent or 0) the default: 4096, lowered to stay 64 descriptors below the open-file
    /// limit (the state directory, the log and accept itself need some), at least 1.
    pub fn max_connections(&self) -> usize {
        self.max_connections
            .filter(|&n| n > 0)
            .unwrap_or_else(|| {
                let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
                // SAFETY: getrlimit(2) writes the limit into the struct it is given.
                let ok = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0;
                let soft =
                    if ok && limit.rlim_cur != libc::RLIM_INFINITY { limit.rlim_cur as usize } else { usize::MAX };
                DEFAULT_MAX_CONNECTIONS.min(soft.saturating_sub(64)).max(1)
            })
            .max(1)
    }
}

impl Default for Config {
    /// The configuration the binary uses when run with no flags and no environment.
    fn default() -> Self {
        Config {
            host: "127.0.0.1".into(),
            port: 4566,
            region: "us-east-1".into(),
            account_id: "000000000000".into(),
            settle_delay_ms: 0,
            organizations: Vec::new(),
            init: None,
            log_format: LogFormat::Text,
            state_dir: None,
            auth: AuthMode::None,
            credentials: None,
            admin_token: None,
            header_read_timeout_ms: 30_000,
            body_read_timeout_ms: 30_000,
            max_connections: None,
            code_storage_limit: DEFAULT_CODE_STORAGE_LIMIT,
            test_panic_route: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_max_connections_means_the_default() {
        let default = Config::default().max_connections();
        let zero = Config { max_connections: Some(0), ..Config::default() };
        assert_eq!(zero.max_connections(), default);
        let eight = Config { max_connections: Some(8), ..Config::default() };
        assert_eq!(eight.max_connections(), 8);
    }
}
