//! Extractors whose rejections come back in AWS error shape, and the caller's account and region.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{FromRequest, FromRequestParts, MatchedPath, Path, Request};
use axum::http::request::Parts;
use axum::http::Method;
use serde::de::DeserializeOwned;

use super::auth::AuthenticatedIdentity;
use super::{body, routes};
use crate::domain::arn::{AccountId, Region, Scope};
use crate::error::Error;
use crate::AppState;

/// A JSON request body. An empty body counts as `{}`; the content type is not checked (SPEC §1).
pub struct AwsJson<T>(pub T);

impl<T, S> FromRequest<S> for AwsJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Error> {
        // What names the operation in a 413, kept for that case: looking the name up for every body would cost
        // more than reading a small one.
        let (method, matched) = (req.method().clone(), req.extensions().get::<MatchedPath>().cloned());
        let bytes = Bytes::from_request(req, state).await.map_err(|e| body_rejection(e, &method, matched.as_ref()))?;
        let slice: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) { b"{}" } else { &bytes };
        // serde would read a JSON array as a struct's fields in order; Lambda's bodies are objects only.
        if slice.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
            return Err(Error::InvalidRequestContentException(
                "Could not parse request body into json: the request body must be a JSON object".into(),
            ));
        }
        serde_json::from_slice(slice)
            .map(AwsJson)
            .map_err(|e| Error::InvalidRequestContentException(format!("Could not parse request body into json: {e}")))
    }
}

fn body_rejection(rejection: BytesRejection, method: &Method, matched: Option<&MatchedPath>) -> Error {
    if let Some(stalled) = crate::conn::stalled(&rejection) {
        return Error::RequestTimeout(stalled.to_string());
    }
    if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        body::too_large(matched.map_or("this", |p| routes::operation_name(method, p.as_str())))
    } else {
        body::unreadable(rejection.body_text())
    }
}

/// Percent-decoded path parameters. The router splits on `/` before decoding, so an ARN with `%3A` stays one
/// segment.
pub struct AwsPath<T>(pub T);

impl<T, S> FromRequestParts<S> for AwsPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Error> {
        Path::<T>::from_request_parts(parts, state).await.map(|Path(v)| AwsPath(v)).map_err(path_rejection)
    }
}

/// Query-string members. DTO fields are `Option<String>` so that parsing never fails on a value; constraint
/// checks happen in the domain with AWS's messages.
pub struct AwsQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for AwsQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Error> {
        let query = parts.uri.query().unwrap_or("");
        serde_urlencoded::from_str(query).map(AwsQuery).map_err(query_rejection)
    }
}

// The rejections are out of line: each extractor is expanded into every handler that uses it.

#[inline(never)]
fn path_rejection(e: PathRejection) -> Error {
    Error::ValidationException(format!("Invalid request path: {}", e.body_text()))
}

#[inline(never)]
fn query_rejection(e: serde_urlencoded::de::Error) -> Error {
    Error::ValidationException(format!("Invalid query string: {e}"))
}

/// Who is calling, from the SigV4 credential scope (SPEC §3.1): the region is the scope's region, and an access key
/// id of exactly 12 digits is the account id. Anything else falls back to the configured defaults. Signatures are
/// not verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller(pub Scope);

impl FromRequestParts<AppState> for Caller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        // Under --auth sigv4 the verified identity decides: its account from the credentials file, its region from
        // the signed credential scope (which also covers presigned requests, which have no Authorization header).
        if let Some(identity) = parts.extensions.get::<AuthenticatedIdentity>() {
            // A signed scope can name any string as its region; only a region-shaped one may end up in ARNs.
            let region = &identity.region;
            let region = if is_scope_region(region) { region } else { &state.config.region };
            return Ok(Caller(Scope::new(identity.account_id.as_str(), region.as_str())));
        }
        Ok(Caller(caller_scope(&parts.headers, &state.config)))
    }
}

/// The caller's account and region from the request headers, with the configured defaults: what [`Caller`]
/// extracts, and what the request log shows (so the log names the namespace the request really touched).
pub fn caller_scope(headers: &axum::http::HeaderMap, config: &crate::Config) -> Scope {
    // A valid header value holds no control characters, so it reads as a string exactly when it is ASCII (what
    // `HeaderValue::to_str` checks one byte at a time; `from_utf8` checks ASCII a word at a time).
    let scope = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| std::str::from_utf8(v.as_bytes()).ok())
        .filter(|v| v.is_ascii())
        .and_then(parse_credential_scope);
    let (key, region) = scope.unwrap_or(("", ""));
    let account = if AccountId::is_valid(key) { key } else { &config.account_id };
    let region = if region.is_empty() { &config.region } else { region };
    Scope::new(account, region)
}

/// `(access key id, region)` from `AWS4-HMAC-SHA256 Credential=AKID/20250101/us-west-2/lambda/aws4_request, ...`.
pub fn parse_credential_scope(header: &str) -> Option<(&str, &str)> {
    const CREDENTIAL: &str = "Credential=";
    let rest = header.strip_prefix("AWS4-HMAC-SHA256")?;
    // SDKs put the credential first, right after one space; only other layouts need the search.
    let start = if rest.as_bytes().get(1..=CREDENTIAL.len()) == Some(CREDENTIAL.as_bytes()) {
        1 + CREDENTIAL.len()
    } else {
        rest.find(CREDENTIAL)? + CREDENTIAL.len()
    };
    let rest = &rest[start..];
    // `AKID/DATE/REGION/...` up to the first `,` or space; only the first three fields matter, so one pass stops at
    // the third `/`. Every delimiter is ASCII, so each cut is a char boundary.
    let mut slashes = [0usize; 2];
    let mut found = 0;
    let mut end = rest.len();
    for (i, b) in rest.bytes().enumerate() {
        match b {
            b'/' if found == 2 => {
                end = i;
                break;
            }
            b'/' => {
                slashes[found] = i;
                found += 1;
            }
            b',' | b' ' => {
                end = i;
                break;
            }
            _ => {}
        }
    }
    if found < 2 {
        return None;
    }
    let (key, region) = (&rest[..slashes[0]], &rest[slashes[1] + 1..end]);
    is_scope_region(region).then_some((key, region))
}

/// Whether a credential scope's region may name the caller's namespace: a region name ([`Region`]) of at most 64
/// characters [inferred: a bound on what ends up in every ARN of the namespace; no region comes close].
fn is_scope_region(region: &str) -> bool {
    region.len() <= 64 && Region::is_valid(region)
}

#[cfg(test)]
mod tests {
    use super::parse_credential_scope;

    #[test]
    fn credential_scope_parsing() {
        let cases = [
            (
                "AWS4-HMAC-SHA256 Credential=123456789012/20250101/eu-west-1/lambda/aws4_request, SignedHeaders=host, Signature=ab",
                Some(("123456789012", "eu-west-1")),
            ),
            (
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-2/lambda/aws4_request,SignedHeaders=host,Signature=ab",
                Some(("AKIDEXAMPLE", "us-east-2")),
            ),
            ("AWS4-HMAC-SHA256 Credential=AKID/20250101", None),
            ("Basic dXNlcjpwYXNz", None),
            ("AWS4-HMAC-SHA256 Credential=AKID/20250101/US EAST/lambda/aws4_request", None),
            ("", None),
            // The credential elsewhere than first, or glued to the algorithm: the general search finds it.
            ("AWS4-HMAC-SHA256 SignedHeaders=host, Credential=AKID/20250101/us-west-1/lambda/aws4_request", Some(("AKID", "us-west-1"))),
            ("AWS4-HMAC-SHA256Credential=AKID/20250101/us-west-1/x", Some(("AKID", "us-west-1"))),
            ("AWS4-HMAC-SHA256xCredential=AKID/20250101/us-west-1/x", Some(("AKID", "us-west-1"))),
            ("AWS4-HMAC-SHA256  Credential=AKID/20250101/us-west-1/x", Some(("AKID", "us-west-1"))),
        ];
        for (header, want) in cases {
            assert_eq!(parse_credential_scope(header), want, "{header}");
        }
    }

    /// The general form the fast path must agree with: the first `Credential=`, up to the first `,` or space.
    fn reference(header: &str) -> Option<(&str, &str)> {
        let rest = header.strip_prefix("AWS4-HMAC-SHA256")?;
        let start = rest.find("Credential=")? + "Credential=".len();
        let credential = rest[start..].split([',', ' ']).next()?;
        let mut fields = credential.split('/');
        let (key, _date, region) = (fields.next()?, fields.next()?, fields.next()?);
        let valid = !region.is_empty()
            && region.len() <= 64
            && region.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        valid.then_some((key, region))
    }

    proptest::proptest! {
        #[test]
        fn credential_scope_matches_the_general_search(
            sep in "[ ,xC]{0,2}",
            body in "(Credential=)?[A-Za-z0-9/ ,=-]{0,40}(Credential=[A-Za-z0-9/, -]{0,30})?",
        ) {
            let header = format!("AWS4-HMAC-SHA256{sep}{body}");
            proptest::prop_assert_eq!(parse_credential_scope(&header), reference(&header));
        }
    }
}
