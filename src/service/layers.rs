//! Layers: PublishLayerVersion, GetLayerVersion, GetLayerVersionByArn, ListLayers, ListLayerVersions,
//! DeleteLayerVersion, and resolving the `Layers` of a function (SPEC §10.1, §12, §13.3).
//!
//! Every operation validates all model constraints first (one ValidationException), then resolves the layer, then
//! applies Lambda's own checks, like the function operations. `layer_permissions` reuses the name and version
//! checks defined here.

use std::io::Cursor;
use std::sync::Arc;

use crate::domain::arn::{LayerVersionArn, Scope};
use crate::domain::function::{Code, LayerRef};
use crate::domain::layer::{parse_layer_name, LayerVersion};
use crate::domain::patterns;
use crate::domain::runtimes::{ARCHITECTURES, MODEL_ENUM};
use crate::domain::state::State;
use crate::domain::validate::{anchored, Pattern, Violations};
use crate::error::Error;
use crate::wire::dto::layers::*;

use super::{decode_blob, decode_marker, encode_marker, page_size, s3_code_error, timestamp_now, zip_code};

/// GetLayerVersion's and GetLayerVersionByArn's 404 (SPEC §12).
pub const RESOURCE_NOT_FOUND: &str = "The resource you requested does not exist.";

/// The IPVE for a VersionNumber below 1 (SPEC §12).
pub const VERSION_BELOW_ONE: &str = "Layer Version Cannot be less than 1";

/// ListLayers and ListLayerVersions cap a page at 50 and accept MaxItems 1–50 (SPEC §13.4).
const MAX_LAYER_LIST_ITEMS: i64 = 50;

/// `LayerName`: 1–140 characters, a name or a layer ARN without version (SPEC §9).
pub fn check_layer_name(v: &mut Violations, layer_name: &str) {
    v.string("layerName", layer_name, 1, 140, Some(&patterns::LAYER_NAME));
}

/// `VersionNumber`, a `long` path label. A segment that is no integer can only come from a hand-made request; it
/// is reported as a constraint violation [inferred, SPEC §2.3].
pub fn check_version_number(v: &mut Violations, raw: &str) -> Option<i64> {
    match raw.parse::<i64>() {
        Ok(n) => Some(n),
        Err(_) => {
            v.push("versionNumber", raw, "Member must be a valid integer");
            None
        }
    }
}

/// `<layer arn>:<n>` for any `n`, including the zero or negative numbers that messages echo.
pub fn version_arn_text(scope: &Scope, name: &str, n: i64) -> String {
    format!("{}:{n}", scope.layer_arn(name))
}

/// Creating or deleting in another account's (or region's) namespace through a layer ARN is refused.
///
/// Deviation: AWS's text for this case is not recorded; this is the AccessDenied wording of SPEC §4.2. Reads follow
/// the ARN instead, and GetLayerVersion/GetLayerVersionByArn then let the version's policy decide
/// (`service::enforce`).
pub fn deny_foreign(caller: &Scope, scope: &Scope, operation: &str, resource: &str) -> Result<(), Error> {
    if scope == caller {
        return Ok(());
    }
    Err(Error::AccessDeniedException(format!(
        "User: {} is not authorized to perform: lambda:{operation} on resource: {resource}",
        caller.account_root_arn(&caller.account)
    )))
}

/// `CompatibleRuntimes`: at most 15, each in the model's enum. The whole list is echoed (SPEC §12).
fn check_runtimes(v: &mut Violations, runtimes: Option<&Vec<String>>) {
    let constraint = format!("Member must satisfy enum value set: [{}]", MODEL_ENUM.join(", "));
    check_enum_list(v, "compatibleRuntimes", runtimes, 15, MODEL_ENUM, &constraint);
}

/// `CompatibleArchitectures`: at most 2, each `x86_64` or `arm64`. The whole list is echoed (SPEC §12).
fn check_architectures(v: &mut Violations, archs: Option<&Vec<String>>) {
    let constraint = "Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member \
                      must not be null]";
    check_enum_list(v, "compatibleArchitectures", archs, 2, ARCHITECTURES, constraint);
}

/// A list member of at most `max` items from `allowed`; each violation quotes the whole list, as AWS does.
fn check_enum_list(
    v: &mut Violations,
    member: &str,
    list: Option<&Vec<String>>,
    max: usize,
    allowed: &[&str],
    enum_constraint: &str,
) {
    let Some(list) = list else { return };
    let shown = format!("[{}]", list.join(", "));
    if list.len() > max {
        v.push(member, &shown, &format!("Member must have length less than or equal to {max}"));
    }
    if !list.iter().all(|item| allowed.contains(&item.as_str())) {
        v.push(member, &shown, enum_constraint);
    }
}

/// The `CompatibleRuntime` and `CompatibleArchitecture` filters of the list operations (SPEC §12).
fn check_runtime_filter(v: &mut Violations, runtime: Option<&str>) {
    if let Some(r) = runtime {
        v.one_of("compatibleRuntime", r, MODEL_ENUM);
    }
}

fn check_architecture_filter(v: &mut Violations, arch: Option<&str>) {
    if let Some(a) = arch {
        v.one_of("compatibleArchitecture", a, ARCHITECTURES);
    }
}

/// The archive of a new layer version: a zip (validated and hashed as for functions), or S3, which lambdalite
/// does not have.
fn layer_content(content: &LayerVersionContentInput) -> Result<Code, Error> {
    match (&content.zip_file, &content.s3_bucket) {
        (Some(b64), _) => {
            let code = zip_code(decode_blob("ZipFile", b64)?)?;
            // A zip with no entries is refused for layers [rec: AWS::Lambda::LayerVersion failures in public issues].
            let empty = code
                .zip
                .as_deref()
                .and_then(|z| zip::ZipArchive::new(Cursor::new(z)).ok())
                .is_some_and(|a| a.is_empty());
            if empty {
                return Err(Error::invalid("Uploaded file must be a non-empty zip"));
            }
            Ok(code)
        }
        (None, Some(_)) => Err(s3_code_error()),
        // [inferred] AWS's text for a Content with no source is not recorded; this is CreateFunction's.
        (None, None) => Err(Error::invalid("Please provide a source for function code.")),
    }
}

/// Where `Content.Location` points: this server's download route for the stored zip.
fn location(code_base: &str, scope: &Scope, name: &str, version: u64) -> String {
    format!("{code_base}/_lambdalite/layer-code/{}/{}/{name}/{version}", scope.account, scope.region)
}

/// The full layer version object of Publish, GetLayerVersion and GetLayerVersionByArn (SPEC §13.3).
fn render(scope: &Scope, name: &str, lv: &LayerVersion, code_base: &str) -> GetLayerVersionOutput {
    GetLayerVersionOutput {
        content: LayerVersionContentOutput {
            location: location(code_base, scope, name, lv.version),
            code_sha256: lv.content.sha256.clone(),
            code_size: lv.content.size,
        },
        layer_arn: scope.layer_arn(name),
        layer_version_arn: scope.layer_version_arn(name, lv.version),
        description: lv.description.clone(),
        created_date: lv.created_date.clone(),
        version: lv.version,
        compatible_runtimes: lv.compatible_runtimes.clone(),
        license_info: lv.license_info.clone(),
        compatible_architectures: lv.compatible_architectures.clone(),
    }
}

/// A list item: the same fields without `Content` (SPEC §13.3).
fn list_item(scope: &Scope, name: &str, lv: &LayerVersion) -> LayerVersionsListItem {
    LayerVersionsListItem {
        layer_version_arn: scope.layer_version_arn(name, lv.version),
        version: lv.version,
        description: lv.description.clone(),
        created_date: lv.created_date.clone(),
        compatible_runtimes: lv.compatible_runtimes.clone(),
        license_info: lv.license_info.clone(),
        compatible_architectures: lv.compatible_architectures.clone(),
    }
}

fn find_version<'a>(state: &'a State, scope: &Scope, name: &str, version: u64) -> Option<&'a LayerVersion> {
    state.namespace(scope)?.layers.get(name)?.versions.get(&version)
}

/// A PublishLayerVersion request that passed validation, with its zip decoded and hashed.
#[derive(Debug)]
pub struct PreparedLayerVersion {
    scope: Scope,
    name: String,
    content: Code,
    description: Option<String>,
    compatible_runtimes: Option<Vec<String>>,
    compatible_architectures: Option<Vec<String>>,
    license_info: Option<String>,
}

/// PublishLayerVersion's validation and content (SPEC §12), which need no state: handlers run it before taking the
/// lock, because decoding and hashing a large zip is the slowest step of the request.
pub fn prepare_publish_layer_version(
    caller: &Scope,
    layer_name: &str,
    input: PublishLayerVersionInput,
) -> Result<PreparedLayerVersion, Error> {
    // Model member order: LayerName, Description, Content, CompatibleRuntimes, LicenseInfo, CompatibleArchitectures.
    let mut v = Violations::new();
    check_layer_name(&mut v, layer_name);
    if let Some(d) = input.description.as_deref() {
        v.max_len("description", d, 256);
    }
    if input.content.is_none() {
        v.null("content");
    }
    check_runtimes(&mut v, input.compatible_runtimes.as_ref());
    if let Some(l) = input.license_info.as_deref() {
        v.max_len("licenseInfo", l, 512);
    }
    check_architectures(&mut v, input.compatible_architectures.as_ref());
    v.finish()?;
    let (scope, name) = parse_layer_name(caller, layer_name);
    deny_foreign(caller, &scope, "PublishLayerVersion", &scope.layer_arn(&name))?;
    let content = layer_content(input.content.as_ref().expect("validated"))?;
    Ok(PreparedLayerVersion {
        scope,
        name,
        content,
        description: input.description,
        compatible_runtimes: input.compatible_runtimes,
        compatible_architectures: input.compatible_architectures,
        license_info: input.license_info,
    })
}

/// PublishLayerVersion's write (SPEC §12): the next version number, never one used before.
pub fn apply_publish_layer_version(
    state: &mut State,
    prepared: PreparedLayerVersion,
    code_base: &str,
) -> Result<GetLayerVersionOutput, Error> {
    let PreparedLayerVersion { scope, name, content, .. } = prepared;
    state.ensure_code_room(content.size, 0)?;
    let layer = state.layer_entry(&scope, &name);
    let number = layer.take_version_number();
    let lv = LayerVersion {
        version: number,
        description: prepared.description.unwrap_or_default(),
        created_date: timestamp_now(),
        content,
        compatible_runtimes: prepared.compatible_runtimes,
        compatible_architectures: prepared.compatible_architectures,
        license_info: prepared.license_info,
        policy: None,
    };
    let out = render(&scope, &name, &lv, code_base);
    layer.versions.insert(number, lv);
    Ok(out)
}

/// PublishLayerVersion (SPEC §12) in one call, for callers that already hold the state.
pub fn publish_layer_version(
    state: &mut State,
    caller: &Scope,
    layer_name: &str,
    input: PublishLayerVersionInput,
    code_base: &str,
) -> Result<GetLayerVersionOutput, Error> {
    let prepared = prepare_publish_layer_version(caller, layer_name, input)?;
    apply_publish_layer_version(state, prepared, code_base)
}

/// The layer version GetLayerVersion and DeleteLayerVersion address: `LayerName` and `VersionNumber` validated (one
/// ValidationException), a version below 1 refused, and the namespace the name points to.
fn addressed_version(caller: &Scope, layer_name: &str, version_number: &str) -> Result<(Scope, String, u64), Error> {
    let mut v = Violations::new();
    check_layer_name(&mut v, layer_name);
    let n = check_version_number(&mut v, version_number);
    v.finish()?;
    let n = n.expect("validated");
    if n < 1 {
        return Err(Error::invalid(VERSION_BELOW_ONE));
    }
    let (scope, name) = parse_layer_name(caller, layer_name);
    Ok((scope, name, n as u64))
}

/// GetLayerVersion (SPEC §12).
pub fn get_layer_version(
    state: &State,
    caller: &Scope,
    layer_name: &str,
    version_number: &str,
    code_base: &str,
) -> Result<GetLayerVersionOutput, Error> {
    let (scope, name, n) = addressed_version(caller, layer_name, version_number)?;
    super::enforce::authorize_layer_version(state, caller, &scope, &name, n)?;
    let lv = find_version(state, &scope, &name, n).ok_or_else(|| Error::not_found(RESOURCE_NOT_FOUND))?;
    Ok(render(&scope, &name, lv, code_base))
}

/// GetLayerVersionByArn (SPEC §12): `GET /2018-10-31/layers?find=LayerVersion&Arn=<arn>`. The ARN's account and
/// region address the layer, so a layer shared from another account can be read when its policy allows the caller.
pub fn get_layer_version_by_arn(
    state: &State,
    caller: &Scope,
    arn: Option<&str>,
    code_base: &str,
) -> Result<GetLayerVersionOutput, Error> {
    let mut v = Violations::new();
    if let Some(arn) = v.required("arn", arn) {
        v.string("arn", arn, 1, 140, Some(&patterns::LAYER_VERSION_ARN));
    }
    v.finish()?;
    let not_found = || Error::not_found(RESOURCE_NOT_FOUND);
    // The pattern's second branch (`arn:...:lambda:::awslayer:<name>`) names AWS-owned layers: never found here.
    let LayerVersionArn { scope, name, version } =
        LayerVersionArn::parse(arn.expect("validated")).ok_or_else(not_found)?;
    let n: i64 = version.parse().map_err(|_| not_found())?;
    // [inferred] the same floor as GetLayerVersion, which shares the lookup.
    if n < 1 {
        return Err(Error::invalid(VERSION_BELOW_ONE));
    }
    super::enforce::authorize_layer_version(state, caller, &scope, name, n as u64)?;
    let lv = find_version(state, &scope, name, n as u64).ok_or_else(not_found)?;
    Ok(render(&scope, name, lv, code_base))
}

/// ListLayers (SPEC §12): layers in name order, each with its newest version matching the filters; layers with
/// no matching version are left out.
pub fn list_layers(state: &State, caller: &Scope, q: &ListLayersQuery) -> Result<ListLayersOutput, Error> {
    // Model member order: CompatibleRuntime, Marker, MaxItems, CompatibleArchitecture.
    let mut v = Violations::new();
    check_runtime_filter(&mut v, q.compatible_runtime.as_deref());
    let page = page_size(&mut v, q.max_items.as_deref(), MAX_LAYER_LIST_ITEMS, MAX_LAYER_LIST_ITEMS as usize);
    check_architecture_filter(&mut v, q.compatible_architecture.as_deref());
    v.finish()?;
    let after = q.marker.as_deref().map(decode_marker).transpose()?;
    let (runtime, arch) = (q.compatible_runtime.as_deref(), q.compatible_architecture.as_deref());

    let mut matching = state
        .namespace(caller)
        .into_iter()
        .flat_map(|ns| ns.layers.values())
        .filter(|l| after.as_deref().is_none_or(|a| l.name.as_str() > a))
        .filter_map(|l| l.versions.values().rev().find(|lv| lv.matches(runtime, arch)).map(|lv| (l, lv)));
    let mut layers = Vec::new();
    for (l, lv) in matching.by_ref().take(page) {
        layers.push(LayersListItem {
            layer_name: l.name.clone(),
            layer_arn: caller.layer_arn(&l.name),
            latest_matching_version: list_item(caller, &l.name, lv),
        });
    }
    let more = matching.next().is_some();
    let next_marker = (more && !layers.is_empty()).then(|| encode_marker(&layers[layers.len() - 1].layer_name));
    Ok(ListLayersOutput { layers, next_marker })
}

/// ListLayerVersions (SPEC §12): newest first; an unknown layer is an empty list, not a 404.
pub fn list_layer_versions(
    state: &State,
    caller: &Scope,
    layer_name: &str,
    q: &ListLayerVersionsQuery,
) -> Result<ListLayerVersionsOutput, Error> {
    // Model member order: CompatibleRuntime, LayerName, Marker, MaxItems, CompatibleArchitecture.
    let mut v = Violations::new();
    check_runtime_filter(&mut v, q.compatible_runtime.as_deref());
    check_layer_name(&mut v, layer_name);
    let page = page_size(&mut v, q.max_items.as_deref(), MAX_LAYER_LIST_ITEMS, MAX_LAYER_LIST_ITEMS as usize);
    check_architecture_filter(&mut v, q.compatible_architecture.as_deref());
    v.finish()?;
    let before = match q.marker.as_deref() {
        None => None,
        Some(m) => Some(decode_marker(m)?.parse::<u64>().map_err(|_| Error::invalid(format!("Invalid Marker: {m}")))?),
    };
    let (runtime, arch) = (q.compatible_runtime.as_deref(), q.compatible_architecture.as_deref());
    let (scope, name) = parse_layer_name(caller, layer_name);

    let mut matching = state
        .namespace(&scope)
        .and_then(|ns| ns.layers.get(&name))
        .into_iter()
        .flat_map(|l| l.versions.values().rev())
        .filter(|lv| before.is_none_or(|b| lv.version < b))
        .filter(|lv| lv.matches(runtime, arch));
    let layer_versions: Vec<_> = matching.by_ref().take(page).map(|lv| list_item(&scope, &name, lv)).collect();
    let more = matching.next().is_some();
    let next_marker = (more && !layer_versions.is_empty())
        .then(|| encode_marker(&layer_versions[layer_versions.len() - 1].version.to_string()));
    Ok(ListLayerVersionsOutput { layer_versions, next_marker })
}

/// DeleteLayerVersion (SPEC §12): idempotent; the version's policy goes with it. The layer itself stays, so the
/// next publish still gets a fresh number.
pub fn delete_layer_version(
    state: &mut State,
    caller: &Scope,
    layer_name: &str,
    version_number: &str,
) -> Result<(), Error> {
    let (scope, name, n) = addressed_version(caller, layer_name, version_number)?;
    deny_foreign(caller, &scope, "DeleteLayerVersion", &scope.layer_version_arn(&name, n))?;
    if let Some(layer) = state.layer_mut(&scope, &name) {
        layer.versions.remove(&n);
    }
    Ok(())
}

/// The stored zip of a layer version, for `Content.Location` downloads.
pub fn layer_code_bytes(state: &State, scope: &Scope, name: &str, version: &str) -> Option<Arc<[u8]>> {
    find_version(state, scope, name, version.parse().ok()?)?.content.zip.clone()
}

/// The model's `LayerVersionArn` pattern, as a function's `Layers` items use it. (GetLayerVersionByArn's `Arn`
/// quotes AWS's longer server-side pattern, `patterns::LAYER_VERSION_ARN`.)
static LAYER_VERSION_ARN_MODEL: Pattern =
    Pattern::new(r"arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+", || {
        anchored(r"arn:[a-zA-Z0-9\-]+:lambda:[a-zA-Z0-9\-]+:[0-9]{12}:layer:[a-zA-Z0-9_\-]+:[0-9]+")
    });

/// The model constraint on a function's `Layers` items (`LayerVersionArn`: 1–140, the model pattern), for
/// CreateFunction's and UpdateFunctionConfiguration's validation pass. Like `architectures`, the whole list is echoed
/// and the item constraints are listed together [inferred text, by analogy with the recorded `architectures`
/// message]. Not called yet: it belongs in the function operations' single ValidationException.
pub fn check_layer_arns(v: &mut Violations, layers: Option<&[String]>) {
    let Some(list) = layers else { return };
    let item_ok = |arn: &String| (1..=140).contains(&arn.chars().count()) && LAYER_VERSION_ARN_MODEL.is_match(arn);
    if !list.iter().all(item_ok) {
        v.push(
            "layers",
            &format!("[{}]", list.join(", ")),
            &format!(
                "Member must satisfy constraint: [Member must have length less than or equal to 140, Member must have \
                 length greater than or equal to 1, Member must satisfy regular expression pattern: {}, Member must \
                 not be null]",
                LAYER_VERSION_ARN_MODEL.text
            ),
        );
    }
}

/// Resolves a function's `Layers` against the real layer versions (SPEC §10.1): at most 5, each existing, no two
/// versions of one layer. A layer ARN of another account or region addresses that namespace; another account's
/// version must be shared with the caller (its policy allows `lambda:GetLayerVersion`), or the request is denied
/// with AWS's AccessDeniedException, before its existence is checked.
pub fn resolve_function_layers(state: &State, caller: &Scope, arns: &[String]) -> Result<Vec<LayerRef>, Error> {
    if arns.len() > 5 {
        return Err(Error::invalid("Cannot reference more than 5 layers."));
    }
    let mut out: Vec<LayerRef> = Vec::with_capacity(arns.len());
    let mut seen: Vec<(Scope, &str, &str)> = Vec::with_capacity(arns.len());
    for arn in arns {
        let missing = || Error::invalid(format!("Layer version {arn} does not exist."));
        let LayerVersionArn { scope, name, version } = LayerVersionArn::parse(arn).ok_or_else(missing)?;
        if let Some((_, _, other)) = seen.iter().find(|(s, n, _)| *s == scope && *n == name) {
            return Err(Error::invalid(format!(
                "Two different versions of the same layer are not allowed to be referenced in the same function. \
                 {other} and {arn} are versions of the same layer."
            )));
        }
        let n = version.parse::<u64>().map_err(|_| missing())?;
        super::enforce::authorize_layer_version(state, caller, &scope, name, n)?;
        let lv = find_version(state, &scope, name, n).ok_or_else(missing)?;
        out.push(LayerRef { arn: arn.clone(), code_size: lv.content.size });
        seen.push((scope, name, arn));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zip_b64() -> String {
        use base64::Engine;
        use std::io::Write;
        let mut buf = Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut buf);
            w.start_file("python/x.py", zip::write::SimpleFileOptions::default()).unwrap();
            w.write_all(b"X = 1").unwrap();
            w.finish().unwrap();
        }
        base64::engine::general_purpose::STANDARD.encode(buf.into_inner())
    }

    fn publish(state: &mut State, scope: &Scope, name: &str) -> u64 {
        let input = PublishLayerVersionInput {
            content: Some(LayerVersionContentInput { zip_file: Some(zip_b64()), ..Default::default() }),
            ..Default::default()
        };
        publish_layer_version(state, scope, name, input, "http://h").unwrap().version
    }

    #[test]
    fn validation_echoes_whole_lists() {
        let mut v = Violations::new();
        check_runtimes(&mut v, Some(&vec!["python3.12".into(), "python9".into()]));
        check_architectures(&mut v, Some(&vec!["x86".into()]));
        let msg = v.finish().unwrap_err().message().to_owned();
        assert!(msg.starts_with(
            "2 validation errors detected: Value '[python3.12, python9]' at 'compatibleRuntimes' failed to satisfy constraint: Member must satisfy enum value set: [nodejs, nodejs4.3,"
        ), "{msg}");
        assert!(msg.ends_with(
            "; Value '[x86]' at 'compatibleArchitectures' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]"
        ), "{msg}");
    }

    #[test]
    fn function_layer_arns_are_checked_against_the_model_pattern() {
        let good = "arn:aws:lambda:us-east-1:123456789012:layer:l:1".to_string();
        let mut v = Violations::new();
        check_layer_arns(&mut v, Some(std::slice::from_ref(&good)));
        check_layer_arns(&mut v, None);
        assert!(v.is_empty());
        check_layer_arns(&mut v, Some(&[good, "my-layer".into()]));
        assert_eq!(
            v.message().unwrap(),
            "1 validation error detected: Value '[arn:aws:lambda:us-east-1:123456789012:layer:l:1, my-layer]' at 'layers' \
             failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to \
             140, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: \
             arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+, Member must not be null]"
        );
    }

    #[test]
    fn function_layers_resolve() {
        let mut state = State::default();
        let me = Scope::new("123456789012", "us-east-1");
        assert_eq!(publish(&mut state, &me, "a"), 1);
        assert_eq!(publish(&mut state, &me, "a"), 2);
        publish(&mut state, &me, "b");
        let a1 = me.layer_version_arn("a", 1);
        let a2 = me.layer_version_arn("a", 2);
        let b1 = me.layer_version_arn("b", 1);
        let refs = resolve_function_layers(&state, &me, &[a2.clone(), b1.clone()]).unwrap();
        assert_eq!(refs.iter().map(|r| r.arn.as_str()).collect::<Vec<_>>(), [a2.as_str(), b1.as_str()]);
        let err = resolve_function_layers(&state, &me, &[a1.clone(), b1, a2.clone()]).unwrap_err();
        assert_eq!(
            err.message(),
            format!("Two different versions of the same layer are not allowed to be referenced in the same function. {a1} and {a2} are versions of the same layer.")
        );
        let missing = me.layer_version_arn("a", 9);
        let err = resolve_function_layers(&state, &me, std::slice::from_ref(&missing)).unwrap_err();
        assert_eq!(err.message(), format!("Layer version {missing} does not exist."));
        let six = vec![a1; 6];
        assert_eq!(
            resolve_function_layers(&state, &me, &six).unwrap_err().message(),
            "Cannot reference more than 5 layers."
        );
    }
}
