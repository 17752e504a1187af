//! The `--init` file format, which `GET /_lambdalite/state` also exports: a tree of namespaces, layers, functions,
//! versions, aliases and permissions whose members are the API's request members, PascalCase as in the API. Where
//! a member is an API structure (`Environment`, `LoggingConfig`, AddPermission's members, ...) the file holds that
//! request DTO itself; where the file differs from the API (code from a `Path`, no `Publish` or `RevisionId`, the
//! `Version` and `NextVersion` counters) it has members of its own. See `crate::init` for how a file is applied.
//!
//! Every object refuses members it does not know. The file's own structures say so with `deny_unknown_fields`; the
//! API's DTOs cannot (the API ignores members it does not know), so the file reads them through [`strict`], which
//! refuses what the DTO's derived `Deserialize` would ignore.

use std::collections::BTreeMap;
use std::sync::Arc;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::dto::aliases::AliasRoutingConfiguration;
use super::dto::functions::{DeadLetterConfig, Environment, EphemeralStorage, LoggingConfig, SnapStart, TracingConfig};
use super::dto::layers::AddLayerVersionPermissionInput;
use super::dto::permissions::AddPermissionInput;

/// The whole file. `Layers` and `Functions` at the top belong to the server's own account and region
/// (`--account-id`, `--region`); `Namespaces` name theirs. An export writes only `Namespaces`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields, default)]
pub struct InitFile {
    /// The lambdalite version that wrote an export; informational, not checked.
    pub lambdalite_version: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub layers: Vec<LayerEntry>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub functions: Vec<FunctionEntry>,
    pub namespaces: Vec<NamespaceEntry>,
}

/// One account in one region; either left out means the server's default.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields, default)]
pub struct NamespaceEntry {
    pub account: Option<String>,
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub layers: Vec<LayerEntry>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub functions: Vec<FunctionEntry>,
}

/// A function: CreateFunction's members (without `Publish`: list `Versions` instead), then what hangs off it. The
/// settings are written among the function's other members; reading them is [`FunctionEntry::deserialize`]'s.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct FunctionEntry {
    pub function_name: String,
    pub package_type: Option<String>,
    /// The `$LATEST` configuration.
    #[serde(flatten)]
    pub settings: FunctionSettings,
    pub tags: Option<BTreeMap<String, String>>,
    /// Published in this order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<VersionEntry>,
    /// The number the next PublishVersion gets (see `crate::init`).
    pub next_version: Option<u64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<AliasEntry>,
    /// The unqualified (`$LATEST`) policy's statements, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub permissions: Vec<AddPermissionInput>,
    /// Members neither this struct nor [`FunctionSettings`] knows, refused when the entry is applied, with a message
    /// that says what a function takes.
    #[serde(flatten)]
    pub unknown: BTreeMap<String, serde_json::Value>,
}

/// The configuration members of CreateFunction, named and shaped as in the API; `Code` is the file's own.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields, default)]
pub struct FunctionSettings {
    pub runtime: Option<String>,
    pub role: Option<String>,
    pub handler: Option<String>,
    pub code: Option<CodeEntry>,
    pub description: Option<String>,
    pub timeout: Option<i64>,
    pub memory_size: Option<i64>,
    pub vpc_config: Option<serde_json::Value>,
    #[serde(deserialize_with = "strict")]
    pub dead_letter_config: Option<DeadLetterConfig>,
    #[serde(deserialize_with = "strict")]
    pub environment: Option<Environment>,
    #[serde(rename = "KMSKeyArn")]
    pub kms_key_arn: Option<String>,
    #[serde(deserialize_with = "strict")]
    pub tracing_config: Option<TracingConfig>,
    /// Layer version ARNs, in order.
    pub layers: Option<Vec<String>>,
    pub file_system_configs: Option<serde_json::Value>,
    pub image_config: Option<serde_json::Value>,
    pub architectures: Option<Vec<String>>,
    #[serde(deserialize_with = "strict")]
    pub ephemeral_storage: Option<EphemeralStorage>,
    #[serde(deserialize_with = "strict")]
    pub snap_start: Option<SnapStart>,
    #[serde(deserialize_with = "strict")]
    pub logging_config: Option<LoggingConfig>,
}

/// `Code`: `ZipFile` (base64, as in the API), `Path` (a .zip file, relative to the init file) or `ImageUri`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields, default)]
pub struct CodeEntry {
    pub zip_file: Option<ZipBlob>,
    pub path: Option<String>,
    pub image_uri: Option<String>,
}

/// A published version: PublishVersion's `Description`, and where it differs from the function's own members, the
/// whole configuration it was published from.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields, default)]
pub struct VersionEntry {
    pub version: Option<u64>,
    pub description: Option<String>,
    pub configuration: Option<FunctionSettings>,
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "permissions")]
    pub permissions: Vec<AddPermissionInput>,
}

/// CreateAlias's members and the alias's policy.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct AliasEntry {
    pub name: String,
    /// A string as in the API; a YAML number (`FunctionVersion: 1`) is taken as its digits.
    #[serde(deserialize_with = "string_or_integer")]
    pub function_version: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "strict")]
    pub routing_config: Option<AliasRoutingConfiguration>,
    #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "permissions")]
    pub permissions: Vec<AddPermissionInput>,
}

/// A layer and its versions.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct LayerEntry {
    pub layer_name: String,
    /// Published in this order.
    #[serde(default)]
    pub versions: Vec<LayerVersionEntry>,
    /// The number the next PublishLayerVersion gets (see `crate::init`).
    #[serde(default)]
    pub next_version: Option<u64>,
}

/// PublishLayerVersion's members (`Content` is the file's own) and the version's policy.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields, default)]
pub struct LayerVersionEntry {
    pub version: Option<u64>,
    pub description: Option<String>,
    pub content: Option<LayerContentEntry>,
    pub compatible_runtimes: Option<Vec<String>>,
    pub compatible_architectures: Option<Vec<String>>,
    pub license_info: Option<String>,
    /// AddLayerVersionPermission's members (its `RevisionId` is a query member, not one of these).
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "strict_list")]
    pub permissions: Vec<AddLayerVersionPermissionInput>,
}

/// `Content`: `ZipFile` (base64) or `Path` (relative to the init file).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields, default)]
pub struct LayerContentEntry {
    pub zip_file: Option<ZipBlob>,
    pub path: Option<String>,
}

/// A zip archive written as base64: the text read from a file (decoded, with the API's errors, when applied), or
/// the bytes an export took from the state (encoded only when serialized, after the store's lock is released).
#[derive(Debug, Clone)]
pub enum ZipBlob {
    Base64(String),
    Bytes(Arc<[u8]>),
}

impl ZipBlob {
    pub fn to_base64(&self) -> std::borrow::Cow<'_, str> {
        match self {
            ZipBlob::Base64(s) => std::borrow::Cow::Borrowed(s),
            ZipBlob::Bytes(b) => std::borrow::Cow::Owned(STANDARD.encode(b)),
        }
    }
}

impl PartialEq for ZipBlob {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            // Versions share their zip with the `$LATEST` they were published from.
            (ZipBlob::Bytes(a), ZipBlob::Bytes(b)) => Arc::ptr_eq(a, b) || a == b,
            _ => self.to_base64() == other.to_base64(),
        }
    }
}

impl Serialize for ZipBlob {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_base64())
    }
}

impl<'de> Deserialize<'de> for ZipBlob {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(ZipBlob::Base64)
    }
}

/// A string, or an unsigned integer taken as its decimal digits.
fn string_or_integer<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    struct StringOrInteger;
    impl Visitor<'_> for StringOrInteger {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string or a version number")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_owned())
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }
    }
    d.deserialize_any(StringOrInteger)
}

// ---------------------------------------------------------------------------------------------------------------
// Reading a function entry

impl<'de> Deserialize<'de> for FunctionEntry {
    /// By hand rather than with `#[serde(flatten)]` on the settings: flatten buffers every member in serde's
    /// `Content` and reads the settings a second time from there, which took 146 KB of the release binary (for each
    /// format, and again for every DTO inside the settings). Here the settings' own derive reads its members straight
    /// from the file, so an error names the member it is in, while the map hands the function's other members to
    /// [`FunctionMembers`] on the way.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut own = FunctionMembers::default();
        let settings = FunctionSettings::deserialize(EntryDeserializer { inner: d, own: &mut own })?;
        Ok(FunctionEntry {
            function_name: own.function_name.unwrap_or_default(),
            package_type: own.package_type,
            settings,
            tags: own.tags,
            versions: own.versions,
            next_version: own.next_version,
            aliases: own.aliases,
            permissions: own.permissions,
            unknown: own.unknown,
        })
    }
}

/// The members of a function entry other than its settings, as the entry's map reads them.
#[derive(Default)]
struct FunctionMembers {
    function_name: Option<String>,
    package_type: Option<String>,
    tags: Option<BTreeMap<String, String>>,
    versions: Vec<VersionEntry>,
    next_version: Option<u64>,
    aliases: Vec<AliasEntry>,
    permissions: Vec<AddPermissionInput>,
    unknown: BTreeMap<String, serde_json::Value>,
    /// The members read so far, for serde's "duplicate field" refusal.
    seen: Vec<&'static str>,
}

impl FunctionMembers {
    /// Reads the value of `key`, one of the function's own members or one no part of the entry knows.
    fn read<'de, A: MapAccess<'de>>(&mut self, key: String, map: &mut A) -> Result<(), A::Error> {
        let member = match key.as_str() {
            "FunctionName" => "FunctionName",
            "PackageType" => "PackageType",
            "Tags" => "Tags",
            "Versions" => "Versions",
            "NextVersion" => "NextVersion",
            "Aliases" => "Aliases",
            "Permissions" => "Permissions",
            _ => {
                let value = map.next_value()?;
                self.unknown.insert(key, value);
                return Ok(());
            }
        };
        if self.seen.contains(&member) {
            return Err(de::Error::duplicate_field(member));
        }
        self.seen.push(member);
        match member {
            "FunctionName" => self.function_name = Some(map.next_value()?),
            "PackageType" => self.package_type = map.next_value()?,
            "Tags" => self.tags = map.next_value()?,
            "Versions" => self.versions = map.next_value()?,
            "NextVersion" => self.next_version = map.next_value()?,
            "Aliases" => self.aliases = map.next_value()?,
            _ => self.permissions = map.next_value::<Permissions>()?.0,
        }
        Ok(())
    }
}

/// The file's deserializer for one function entry: the settings' derive asks it for a struct and is handed the
/// entry's map with the function's own members taken out.
struct EntryDeserializer<'a, D> {
    inner: D,
    own: &'a mut FunctionMembers,
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for EntryDeserializer<'_, D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.inner.deserialize_any(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        members: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.inner.deserialize_map(EntryVisitor { visitor, members, own: self.own })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
    }
}

struct EntryVisitor<'a, V> {
    visitor: V,
    members: &'static [&'static str],
    own: &'a mut FunctionMembers,
}

impl<'de, V: Visitor<'de>> Visitor<'de> for EntryVisitor<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("struct FunctionEntry")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.visitor.visit_map(EntryMap { map, members: self.members, own: self.own })
    }
}

/// The entry's map as the settings' derive sees it: only the settings' members.
struct EntryMap<'a, A> {
    map: A,
    members: &'static [&'static str],
    own: &'a mut FunctionMembers,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for EntryMap<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, A::Error> {
        while let Some(key) = self.map.next_key::<String>()? {
            if self.members.contains(&key.as_str()) {
                return seed.deserialize(de::value::StringDeserializer::new(key)).map(Some);
            }
            self.own.read(key, &mut self.map)?;
        }
        if self.own.function_name.is_none() {
            return Err(de::Error::missing_field("FunctionName"));
        }
        Ok(None)
    }

    fn next_value_seed<S: de::DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        self.map.next_value_seed(seed)
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Reading the API's DTOs strictly

/// An API DTO, refusing members it does not know (see the module documentation); `null` is no value.
fn strict<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    Ok(Option::<Strict<T>>::deserialize(d)?.map(|s| s.0))
}

/// A list of API DTOs, each read as [`strict`] reads one.
fn strict_list<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Vec::<Strict<T>>::deserialize(d)?.into_iter().map(|s| s.0).collect())
}

/// AddPermission's members without `RevisionId`, which names a state the file cannot know.
fn permissions<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<AddPermissionInput>, D::Error> {
    Ok(Permissions::deserialize(d)?.0)
}

/// A list of [`permissions`].
struct Permissions(Vec<AddPermissionInput>);

impl<'de> Deserialize<'de> for Permissions {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Permissions(Vec::<Permission>::deserialize(d)?.into_iter().map(|p| p.0).collect()))
    }
}

/// An API DTO read strictly.
struct Strict<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Strict<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::deserialize(StrictDeserializer { inner: d, refused: &[] }).map(Strict)
    }
}

/// One of [`permissions`].
struct Permission(AddPermissionInput);

impl<'de> Deserialize<'de> for Permission {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        AddPermissionInput::deserialize(StrictDeserializer { inner: d, refused: &["RevisionId"] }).map(Permission)
    }
}

/// The file's deserializer, for one DTO: when the DTO's derived `Deserialize` asks for its struct, each key of the
/// map is checked against the members the derive named (less `refused`) before the derive sees it. Everything else,
/// values included, is the file's deserializer at work, so its errors name the place as they always do.
struct StrictDeserializer<D> {
    inner: D,
    refused: &'static [&'static str],
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for StrictDeserializer<D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.inner.deserialize_any(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        members: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.inner.deserialize_struct(name, members, StrictVisitor { visitor, members, refused: self.refused })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
    }
}

/// The derive's visitor, handed a map that refuses unknown keys.
struct StrictVisitor<V> {
    visitor: V,
    members: &'static [&'static str],
    refused: &'static [&'static str],
}

impl<'de, V: Visitor<'de>> Visitor<'de> for StrictVisitor<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.visitor.visit_map(StrictMap { map, members: self.members, refused: self.refused })
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.visitor.visit_seq(seq)
    }
}

/// A map whose keys must be `members`, less `refused`.
struct StrictMap<A> {
    map: A,
    members: &'static [&'static str],
    refused: &'static [&'static str],
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for StrictMap<A> {
    type Error = A::Error;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, A::Error> {
        let Some(key) = self.map.next_key::<String>()? else { return Ok(None) };
        let allowed = |m: &str| self.members.contains(&m) && !self.refused.contains(&m);
        if !allowed(&key) {
            if self.refused.is_empty() {
                return Err(de::Error::unknown_field(&key, self.members));
            }
            let expected: Vec<&str> = self.members.iter().copied().filter(|m| allowed(m)).collect();
            return Err(de::Error::custom(format_args!("unknown field `{key}`, {}", expected_members(&expected))));
        }
        seed.deserialize(de::value::StringDeserializer::new(key)).map(Some)
    }

    fn next_value_seed<S: de::DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        self.map.next_value_seed(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

/// serde's wording for the members a struct expects, as in its own "unknown field" message.
fn expected_members(members: &[&str]) -> String {
    match members {
        [] => "there are no fields".to_owned(),
        [one] => format!("expected `{one}`"),
        [a, b] => format!("expected `{a}` or `{b}`"),
        many => {
            let listed: Vec<String> = many.iter().map(|m| format!("`{m}`")).collect();
            format!("expected one of {}", listed.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str, refused: &'static [&'static str]) -> Result<AddPermissionInput, String> {
        let d = &mut serde_json::Deserializer::from_str(json);
        AddPermissionInput::deserialize(StrictDeserializer { inner: d, refused }).map_err(|e| e.to_string())
    }

    #[test]
    fn function_entries_read_their_members_and_their_settings_from_one_map() {
        let yaml = "Functions:\n  - FunctionName: f\n    Timeout: 7\n    Tags: {t: v}\n    Publish: true\n    \
                    Environment: {Variables: {A: b}}\n";
        let file: InitFile = serde_norway::from_str(yaml).unwrap();
        let f = &file.functions[0];
        assert_eq!((f.function_name.as_str(), f.settings.timeout), ("f", Some(7)));
        assert_eq!(f.tags.as_ref().unwrap()["t"], "v");
        assert_eq!(f.settings.environment.as_ref().unwrap().variables.as_ref().unwrap()["A"], "b");
        assert_eq!(f.unknown.keys().collect::<Vec<_>>(), ["Publish"]);
        let err = |yaml: &str| serde_norway::from_str::<InitFile>(yaml).unwrap_err().to_string();
        assert!(err("Functions: [{Timeout: 3}]").contains("missing field `FunctionName`"));
        assert!(err("Functions: [{FunctionName: f, Tags: {}, Tags: {}}]").contains("duplicate field `Tags`"));
        let typed = err("Functions:\n  - FunctionName: f\n    Timeout: x\n");
        assert!(typed.starts_with("Functions[0].Timeout: invalid type: string \"x\", expected i64"), "{typed}");
        let json: InitFile = serde_json::from_str(r#"{"Functions":[{"MemorySize":256,"FunctionName":"g"}]}"#).unwrap();
        assert_eq!(
            (json.functions[0].function_name.as_str(), json.functions[0].settings.memory_size),
            ("g", Some(256))
        );
    }

    #[test]
    fn expected_members_read_as_serde_writes_them() {
        assert_eq!(expected_members(&["A"]), "expected `A`");
        assert_eq!(expected_members(&["A", "B"]), "expected `A` or `B`");
        assert_eq!(expected_members(&["A", "B", "C"]), "expected one of `A`, `B`, `C`");
    }

    #[test]
    fn dtos_refuse_unknown_refused_and_repeated_members() {
        assert_eq!(read(r#"{"StatementId":"s"}"#, &[]).unwrap().statement_id.as_deref(), Some("s"));
        assert!(read(r#"{"Sid":"s"}"#, &[]).unwrap_err().starts_with("unknown field `Sid`, expected one of"));
        let refused = read(r#"{"RevisionId":"r"}"#, &["RevisionId"]).unwrap_err();
        assert!(refused.starts_with("unknown field `RevisionId`, expected one of `StatementId`,"), "{refused}");
        assert_eq!(refused.matches("RevisionId").count(), 1, "{refused}");
        let twice = read(r#"{"Action":"a","Action":"b"}"#, &[]).unwrap_err();
        assert!(twice.starts_with("duplicate field `Action`"), "{twice}");
        let typed = read(r#"{"StatementId":1}"#, &[]).unwrap_err();
        assert!(typed.starts_with("invalid type: integer `1`, expected a string"), "{typed}");
        let shape = read(r#""s""#, &[]).unwrap_err();
        assert!(shape.starts_with("invalid type: string \"s\", expected struct AddPermissionInput"), "{shape}");
    }
}
