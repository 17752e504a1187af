//! Layers: PublishLayerVersion, GetLayerVersion, GetLayerVersionByArn, ListLayers, ListLayerVersions,
//! DeleteLayerVersion, and resolving the `Layers` of a function (SPEC §10.1, §12, §13.3).

use crate::domain::arn::Scope;
use crate::domain::function::LayerRef;
use crate::domain::state::State;
use crate::error::Error;

/// Resolves a function's `Layers` against the real layer versions (SPEC §10.1): at most 5, each existing, no two
/// versions of one layer. A layer ARN of another account addresses that account's layer.
pub fn resolve_function_layers(state: &State, caller: &Scope, arns: &[String]) -> Result<Vec<LayerRef>, Error> {
    if arns.len() > 5 {
        return Err(Error::invalid("Cannot reference more than 5 layers."));
    }
    let mut out: Vec<LayerRef> = Vec::with_capacity(arns.len());
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for arn in arns {
        let missing = || Error::invalid(format!("Layer version {arn} does not exist."));
        let (layer_arn, version) = arn.rsplit_once(':').ok_or_else(missing)?;
        let parts: Vec<&str> = layer_arn.splitn(7, ':').collect();
        let [_, _, "lambda", region, account, "layer", name] = parts.as_slice() else { return Err(missing()) };
        if let Some((_, other)) = seen.iter().find(|(l, _)| *l == layer_arn) {
            return Err(Error::invalid(format!(
                "Two different versions of the same layer are not allowed to be referenced in the same function. {other} and {arn} are versions of the same layer."
            )));
        }
        let scope = Scope::new(*account, *region);
        let _ = caller;
        let lv = version
            .parse::<u64>()
            .ok()
            .and_then(|n| state.namespace(&scope)?.layers.get(*name)?.versions.get(&n))
            .ok_or_else(missing)?;
        seen.push((layer_arn, arn));
        out.push(LayerRef { arn: arn.clone(), code_size: lv.content.size });
    }
    Ok(out)
}
