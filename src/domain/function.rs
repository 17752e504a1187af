//! Functions, their published versions and aliases, and the lifecycle that makes a fresh function read as
//! `Pending` and then `Active` (SPEC §5.1, §5.2).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::function_name::{classify_qualifier, QualifierKind};
use super::policy::{new_revision_id, Policy};

/// What a mutation left in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Transition {
    /// CreateFunction: `State: Pending` until settled.
    Creating,
    /// UpdateFunctionCode/Configuration: `LastUpdateStatus: InProgress` until settled.
    Updating,
}

/// The in-flight state of a configuration and its RevisionIds before and after settling.
///
/// Settling is a pure function of time, so reads need no write lock: until `settle_delay` has passed since `since`,
/// the configuration reads as in flight with `pending_revision`; afterwards it reads as settled with
/// `settled_revision`. AWS changes the RevisionId when a function settles (SPEC §5.2), hence two ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "LifecycleRecord", into = "LifecycleRecord")]
pub struct Lifecycle {
    pub in_flight: Option<Transition>,
    pub since: Instant,
    pub pending_revision: String,
    pub settled_revision: String,
}

impl Lifecycle {
    /// A configuration that starts in flight.
    pub fn started(transition: Transition) -> Self {
        Lifecycle {
            in_flight: Some(transition),
            since: Instant::now(),
            pending_revision: new_revision_id(),
            settled_revision: new_revision_id(),
        }
    }

    /// A configuration that is settled from the start (a version published from a settled `$LATEST`).
    pub fn settled() -> Self {
        let rev = new_revision_id();
        Lifecycle { in_flight: None, since: Instant::now(), pending_revision: rev.clone(), settled_revision: rev }
    }

    /// The transition still in flight after `delay`, if any.
    pub fn in_flight(&self, delay: Duration) -> Option<Transition> {
        self.in_flight.filter(|_| self.since.elapsed() < delay)
    }

    /// The RevisionId a read shows now.
    pub fn revision_id(&self, delay: Duration) -> &str {
        if self.in_flight(delay).is_some() {
            &self.pending_revision
        } else {
            &self.settled_revision
        }
    }
}

/// A [`Lifecycle`] as the durable store keeps it: an `Instant` means nothing to another process, so `since` is
/// written as wall-clock milliseconds and turned back into an `Instant` on load.
#[derive(Serialize, Deserialize)]
struct LifecycleRecord {
    in_flight: Option<Transition>,
    since_unix_ms: u64,
    pending_revision: String,
    settled_revision: String,
}

fn unix_ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

impl From<Lifecycle> for LifecycleRecord {
    fn from(l: Lifecycle) -> Self {
        let since = SystemTime::now().checked_sub(l.since.elapsed()).unwrap_or(UNIX_EPOCH);
        LifecycleRecord {
            in_flight: l.in_flight,
            since_unix_ms: unix_ms(since),
            pending_revision: l.pending_revision,
            settled_revision: l.settled_revision,
        }
    }
}

impl From<LifecycleRecord> for Lifecycle {
    fn from(r: LifecycleRecord) -> Self {
        let age = Duration::from_millis(unix_ms(SystemTime::now()).saturating_sub(r.since_unix_ms));
        // An age beyond this machine's monotonic clock (written before a reboot) has settled whatever the delay.
        let (since, in_flight) = match Instant::now().checked_sub(age) {
            Some(since) => (since, r.in_flight),
            None => (Instant::now(), None),
        };
        Lifecycle { in_flight, since, pending_revision: r.pending_revision, settled_revision: r.settled_revision }
    }
}

/// Stored code: a zip (hashed, never run) or a container image reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Code {
    /// Base64 of the SHA-256 of the zip bytes (or of the image URI for images).
    pub sha256: String,
    pub size: u64,
    /// The durable store keeps zips apart from the records that use them (one blob per `sha256`, written once), so
    /// a record only says whether there is one; loading puts the bytes back (see `persist`).
    #[serde(with = "zip_presence")]
    pub zip: Option<Arc<[u8]>>,
    pub image_uri: Option<String>,
}

/// Serializes a zip as whether there is one; deserializes `true` as an empty zip for the loader to fill in.
mod zip_presence {
    use std::sync::Arc;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(zip: &Option<Arc<[u8]>>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bool(zip.is_some())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Arc<[u8]>>, D::Error> {
        Ok(bool::deserialize(d)?.then(|| Arc::from(Vec::new())))
    }
}

/// A layer version a function references.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerRef {
    pub arn: String,
    pub code_size: u64,
}

/// One configuration: `$LATEST` or a published version's immutable snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionConfig {
    pub runtime: Option<String>,
    pub role: String,
    pub handler: Option<String>,
    pub description: String,
    pub timeout: i64,
    pub memory_size: i64,
    pub code: Code,
    pub last_modified: String,
    pub environment: Option<IndexMap<String, String>>,
    pub layers: Vec<LayerRef>,
    pub tracing_mode: String,
    pub dead_letter_target_arn: Option<String>,
    pub vpc_config: Option<serde_json::Value>,
    pub kms_key_arn: Option<String>,
    pub package_type: String,
    pub architectures: Vec<String>,
    pub ephemeral_storage_size: i64,
    pub log_format: String,
    pub log_group: String,
    pub application_log_level: Option<String>,
    pub system_log_level: Option<String>,
    pub snap_start_apply_on: String,
    pub image_config: Option<serde_json::Value>,
    pub file_system_configs: Option<serde_json::Value>,
    pub lifecycle: Lifecycle,
}

impl FunctionConfig {
    /// Whether `self` and `other` hold the same code and settings, ignoring when they changed and their state:
    /// the comparison behind PublishVersion's "nothing changed since the last version".
    pub fn same_settings(&self, other: &FunctionConfig) -> bool {
        let mut a = self.clone();
        a.last_modified.clone_from(&other.last_modified);
        a.lifecycle = other.lifecycle.clone();
        a == *other
    }
}

/// A published version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Version {
    pub config: FunctionConfig,
    pub policy: Option<Policy>,
}

/// An alias: a name pointing at a version, with optional weighted routing to one more version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alias {
    pub name: String,
    pub function_version: String,
    pub description: String,
    /// Version → weight. Empty means no routing.
    pub routing: BTreeMap<String, f64>,
    pub revision_id: String,
    pub policy: Option<Policy>,
}

/// A function with everything that hangs off it. Deleting it drops all of it, policies included.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Function {
    pub name: String,
    pub latest: FunctionConfig,
    /// The unqualified (`$LATEST`) policy.
    pub policy: Option<Policy>,
    pub versions: BTreeMap<u64, Version>,
    /// Never goes backwards, even after versions are deleted.
    pub next_version: u64,
    pub aliases: BTreeMap<String, Alias>,
    pub tags: BTreeMap<String, String>,
    /// Set by every update that really changes `$LATEST`; PublishVersion returns the last version unchanged while
    /// this is false.
    pub changed_since_publish: bool,
}

/// Why a qualifier addresses nothing on a function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unaddressed {
    /// A version number the function does not have (or one too large to exist).
    Version,
    /// An alias the function does not have.
    Alias,
    /// A `$`-qualifier other than `$LATEST`: valid, and never names anything.
    Other,
}

/// What owns the policy a qualifier addresses, checked to exist.
enum PolicyOwner<'q> {
    /// No qualifier, or `$LATEST`: the function's own (unqualified) policy.
    Function,
    Version(u64),
    Alias(&'q str),
}

/// The policy a qualifier addresses, to change, with the RevisionId a `RevisionId` is compared with while there is
/// no policy: the owner's own (the function's `$LATEST`, the version's, the alias's).
#[derive(Debug)]
pub struct PolicySlot<'a> {
    pub policy: &'a mut Option<Policy>,
    pub fallback_revision: &'a str,
}

impl Function {
    fn policy_owner<'q>(&self, qualifier: Option<&'q str>) -> Result<PolicyOwner<'q>, Unaddressed> {
        match qualifier.map(classify_qualifier) {
            None | Some(QualifierKind::Latest) => Ok(PolicyOwner::Function),
            Some(QualifierKind::Version(n)) => {
                n.filter(|n| self.versions.contains_key(n)).map(PolicyOwner::Version).ok_or(Unaddressed::Version)
            }
            Some(QualifierKind::Alias(a)) => {
                self.aliases.contains_key(a).then_some(PolicyOwner::Alias(a)).ok_or(Unaddressed::Alias)
            }
            Some(QualifierKind::Other) => Err(Unaddressed::Other),
        }
    }

    /// The policy of what `qualifier` addresses: the unqualified function (no qualifier, or `$LATEST`, which shares
    /// it), a version, or an alias; `Ok(None)` when that owner has no policy yet.
    pub fn policy(&self, qualifier: Option<&str>) -> Result<Option<&Policy>, Unaddressed> {
        Ok(match self.policy_owner(qualifier)? {
            PolicyOwner::Function => self.policy.as_ref(),
            PolicyOwner::Version(n) => self.versions[&n].policy.as_ref(),
            PolicyOwner::Alias(a) => self.aliases[a].policy.as_ref(),
        })
    }

    /// [`Function::policy`], to change: the slot and its owner's RevisionId as it reads after `delay`.
    pub fn policy_slot_mut(&mut self, qualifier: Option<&str>, delay: Duration) -> Result<PolicySlot<'_>, Unaddressed> {
        Ok(match self.policy_owner(qualifier)? {
            PolicyOwner::Function => {
                PolicySlot { fallback_revision: self.latest.lifecycle.revision_id(delay), policy: &mut self.policy }
            }
            PolicyOwner::Version(n) => {
                let v = self.versions.get_mut(&n).expect("the owner exists");
                PolicySlot { fallback_revision: v.config.lifecycle.revision_id(delay), policy: &mut v.policy }
            }
            PolicyOwner::Alias(a) => {
                let alias = self.aliases.get_mut(a).expect("the owner exists");
                PolicySlot { fallback_revision: &alias.revision_id, policy: &mut alias.policy }
            }
        })
    }

    /// The configuration `qualifier` addresses and the `Version` it reports: `$LATEST`, a version, or an alias's
    /// target version. `None` when the version or alias does not exist.
    pub fn configuration(&self, qualifier: Option<&str>) -> Option<(&FunctionConfig, String)> {
        let latest = || Some((&self.latest, "$LATEST".to_owned()));
        let Some(q) = qualifier else { return latest() };
        match classify_qualifier(q) {
            QualifierKind::Latest => latest(),
            QualifierKind::Version(n) => n.and_then(|n| self.versions.get(&n)).map(|v| (&v.config, q.to_owned())),
            QualifierKind::Alias(a) => {
                let alias = self.aliases.get(a)?;
                match alias.function_version.as_str() {
                    "$LATEST" => latest(),
                    v => self.versions.get(&v.parse().ok()?).map(|ver| (&ver.config, v.to_owned())),
                }
            }
            QualifierKind::Other => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_delay_settles_at_once_and_changes_the_revision() {
        let l = Lifecycle::started(Transition::Creating);
        assert_eq!(l.in_flight(Duration::ZERO), None);
        assert_eq!(l.revision_id(Duration::ZERO), l.settled_revision);
        assert_ne!(l.pending_revision, l.settled_revision);
    }

    #[test]
    fn positive_delay_stays_in_flight_with_the_pending_revision() {
        let l = Lifecycle::started(Transition::Updating);
        let long = Duration::from_secs(3600);
        assert_eq!(l.in_flight(long), Some(Transition::Updating));
        assert_eq!(l.revision_id(long), l.pending_revision);
    }

    #[test]
    fn lifecycles_survive_serialization_by_wall_clock() {
        let l = Lifecycle::started(Transition::Creating);
        let long = Duration::from_secs(3600);
        let back: Lifecycle = serde_json::from_str(&serde_json::to_string(&l).unwrap()).unwrap();
        assert_eq!(back.in_flight(long), Some(Transition::Creating));
        assert_eq!(back.revision_id(long), l.pending_revision);
        assert_eq!(back.settled_revision, l.settled_revision);
        assert!(back.since.elapsed() < Duration::from_secs(5));

        // Written long ago (or before a reboot, where the monotonic clock cannot go back that far): settled.
        let old = r#"{"in_flight":"Updating","since_unix_ms":0,"pending_revision":"p","settled_revision":"s"}"#;
        let back: Lifecycle = serde_json::from_str(old).unwrap();
        assert_eq!(back.revision_id(long), "s");
    }

    #[test]
    fn settled_lifecycles_have_one_revision() {
        let l = Lifecycle::settled();
        assert_eq!(l.in_flight(Duration::from_secs(3600)), None);
        assert_eq!(l.pending_revision, l.settled_revision);
    }
}
