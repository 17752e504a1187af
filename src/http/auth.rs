//! Strict authentication (`--auth sigv4`): every AWS request must carry a valid AWS Signature Version 4 made with a
//! secret from the credentials file, and the admin endpoints (`/_lambdalite/*`) need the admin token.
//!
//! The signature is recomputed exactly as AWS does for non-S3 services: the canonical URI is the path as sent,
//! dot-segments removed, percent-encoded once more ("double encoding"); the query is decoded, re-encoded with only
//! `A-Za-z0-9-_.~` bare and sorted; the signed headers are trimmed with inner whitespace runs collapsed; the payload
//! hash is SHA-256 of the body (or `UNSIGNED-PAYLOAD` when `x-amz-content-sha256` says so). Both the Authorization
//! header form and the presigned query form (`X-Amz-Signature=`) are accepted. The HMACs are RustCrypto's.
//!
//! A verified request gets an [`AuthenticatedIdentity`] extension; `extract::Caller` takes the account and region
//! from it. With `--auth none` (the default) this layer is not installed at all.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use hmac::{Hmac, Mac};
use percent_encoding::{percent_decode_str, percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::body::{self, MAX_BODY_BYTES};
use super::routes;
use crate::config::{Config, Credentials};
use crate::domain::arn::Scope;
use crate::error::Error;
use crate::wire::error::ErrorCode;
use crate::AppState;

type HmacSha256 = Hmac<Sha256>;

/// The identity a request was verified as, from the credentials file and the signature's credential scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticatedIdentity {
    pub access_key_id: String,
    pub account_id: String,
    pub region: String,
    pub principal_arn: String,
}

/// How far a request's signing time may be from the server's clock (AWS's window).
const MAX_SKEW: TimeDelta = TimeDelta::minutes(15);

const SIGNATURE_MISMATCH: &str =
    "The request signature we calculated does not match the signature you provided. Check \
                                  your AWS Secret Access Key and signing method. Consult the service documentation for \
                                  details.";

/// Why a request was refused. These codes are not in Lambda's model; the SDKs surface them as generic service
/// errors, exactly as with AWS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    /// 403 `MissingAuthenticationTokenException`: no Authorization header and no presigned query.
    Missing,
    /// 403 `IncompleteSignatureException`: an Authorization header that is not a complete SigV4 header.
    Incomplete(String),
    /// 403 `UnrecognizedClientException`: the access key id is not in the credentials file.
    UnknownKey,
    /// 403 `InvalidSignatureException`: wrong signature, or a signing time outside the skew window.
    InvalidSignature(String),
}

impl AuthError {
    fn code(&self) -> &'static str {
        match self {
            AuthError::Missing => "MissingAuthenticationTokenException",
            AuthError::Incomplete(_) => "IncompleteSignatureException",
            AuthError::UnknownKey => "UnrecognizedClientException",
            AuthError::InvalidSignature(_) => "InvalidSignatureException",
        }
    }

    pub fn message(&self) -> &str {
        match self {
            AuthError::Missing => "Missing Authentication Token",
            AuthError::UnknownKey => "The security token included in the request is invalid.",
            AuthError::Incomplete(m) | AuthError::InvalidSignature(m) => m,
        }
    }
}

impl IntoResponse for AuthError {
    fn into_response(self) -> Response {
        // Inferred: `{"message":..}` with no `Type`, the shape public AWS error dumps show for these codes.
        let body = format!(r#"{{"message":{}}}"#, serde_json::Value::from(self.message()));
        let mut response = (StatusCode::FORBIDDEN, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert("x-amzn-errortype", HeaderValue::from_static(self.code()));
        response.extensions_mut().insert(ErrorCode(self.code()));
        response
    }
}

/// The middleware `http::app` installs under `--auth sigv4`.
pub async fn authenticate(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    // Deviation (not an AWS path): in strict mode the health endpoint needs the admin token too, so a health check
    // must send it.
    if path == "/_lambdalite" || path.starts_with("/_lambdalite/") {
        return match check_admin_token(&app.config, request.headers()) {
            Ok(()) => next.run(request).await,
            Err(e) => e.into_response(),
        };
    }
    let (mut parts, body) = request.into_parts();
    // The payload hash needs the whole body; the same limit as the extractors, so nothing larger is buffered.
    let bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(e) => return body_error(&e, routes::request_operation(&parts.method, &parts.extensions)).into_response(),
    };
    let Some(credentials) = app.config.credentials.as_ref() else {
        // clap requires --credentials with --auth sigv4; a Config built in code without it lets nobody in.
        return AuthError::UnknownKey.into_response();
    };
    match verify(&parts, &bytes, credentials, &app.config, Utc::now()) {
        Ok(identity) => {
            parts.extensions.insert(identity);
            next.run(Request::from_parts(parts, Body::from(bytes))).await
        }
        Err(e) => {
            tracing::debug!(code = e.code(), message = e.message(), "request refused by SigV4 authentication");
            e.into_response()
        }
    }
}

fn body_error(e: &axum::Error, op: &str) -> Error {
    if let Some(stalled) = crate::conn::stalled(e) {
        return Error::RequestTimeout(stalled.to_string());
    }
    // http-body's LengthLimitError is only reachable through the error chain's text.
    let mut too_large = false;
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        too_large |= s.to_string().contains("length limit exceeded");
        source = s.source();
    }
    if too_large {
        body::too_large(op)
    } else {
        body::unreadable(e)
    }
}

/// `Authorization: Bearer <token>` or `x-lambdalite-admin-token: <token>`, compared in constant time.
fn check_admin_token(config: &Config, headers: &axum::http::HeaderMap) -> Result<(), Error> {
    let denied = || Error::AccessDeniedException("The lambdalite admin endpoints require the admin token.".into());
    let Some(expected) = config.admin_token.as_deref().filter(|t| !t.is_empty()) else {
        return Err(denied());
    };
    let given = headers
        .get("x-lambdalite-admin-token")
        .and_then(|v| v.to_str().ok())
        .or_else(|| headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()?.strip_prefix("Bearer ")))
        .ok_or_else(denied)?;
    if bool::from(given.trim().as_bytes().ct_eq(expected.as_bytes())) {
        Ok(())
    } else {
        Err(denied())
    }
}

/// The parts of a SigV4 signature, from either the Authorization header or the presigned query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureParts {
    pub access_key_id: String,
    pub date: String,
    pub region: String,
    pub service: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
    /// `X-Amz-Date` (query form) or the `x-amz-date` header.
    pub amz_date: Option<String>,
    /// Presigned: `X-Amz-Expires` seconds.
    pub expires: Option<i64>,
    pub presigned: bool,
}

/// Parses `AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/lambda/aws4_request, SignedHeaders=a;b,
/// Signature=hex`. Any other scheme, or a missing part, is an `IncompleteSignatureException` naming what is
/// missing (AWS's wording, [inferred] for the exact joining).
pub fn parse_authorization(header: &str) -> Result<SignatureParts, AuthError> {
    let rest = header.strip_prefix("AWS4-HMAC-SHA256").unwrap_or("");
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    if header.starts_with("AWS4-HMAC-SHA256") {
        for item in rest.split(',') {
            let item = item.trim();
            if let Some((k, v)) = item.split_once('=') {
                match k.trim() {
                    "Credential" => credential = Some(v.trim()),
                    "SignedHeaders" => signed_headers = Some(v.trim()),
                    "Signature" => signature = Some(v.trim()),
                    _ => {}
                }
            }
        }
    }
    let mut missing = Vec::new();
    if credential.is_none() {
        missing.push("Authorization header requires 'Credential' parameter.");
    }
    if signature.is_none() {
        missing.push("Authorization header requires 'Signature' parameter.");
    }
    if signed_headers.is_none() {
        missing.push("Authorization header requires 'SignedHeaders' parameter.");
    }
    if !missing.is_empty() {
        return Err(AuthError::Incomplete(format!("{} Authorization={header}", missing.join(" "))));
    }
    let (access_key_id, date, region, service) = parse_credential(credential.unwrap_or_default())?;
    Ok(SignatureParts {
        access_key_id,
        date,
        region,
        service,
        signed_headers: signed_headers.unwrap_or_default().split(';').map(str::to_owned).collect(),
        signature: signature.unwrap_or_default().to_owned(),
        amz_date: None,
        expires: None,
        presigned: false,
    })
}

/// `AKID/yyyymmdd/region/service/aws4_request`.
fn parse_credential(credential: &str) -> Result<(String, String, String, String), AuthError> {
    let fields: Vec<&str> = credential.split('/').collect();
    match fields.as_slice() {
        [key, date, region, service, "aws4_request"] if !key.is_empty() => {
            Ok(((*key).to_owned(), (*date).to_owned(), (*region).to_owned(), (*service).to_owned()))
        }
        _ => Err(AuthError::Incomplete(format!(
            "Credential should be scoped to a valid region, not '{}'. ",
            fields.get(2).copied().unwrap_or("")
        ))),
    }
}

/// The presigned form: `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=..&X-Amz-Date=..&X-Amz-SignedHeaders=..
/// &X-Amz-Signature=..` (`X-Amz-Expires` optional). `None` when the query is not presigned.
pub fn parse_presigned(query: &str) -> Option<Result<SignatureParts, AuthError>> {
    let pairs = query_pairs(query);
    let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let algorithm = get("X-Amz-Algorithm")?;
    Some((|| {
        let incomplete =
            |what: &str| AuthError::Incomplete(format!("AWS query-string parameters must include '{what}'."));
        if algorithm != "AWS4-HMAC-SHA256" {
            return Err(AuthError::Incomplete("Unsupported AWS 'algorithm': '".to_owned() + algorithm + "'"));
        }
        let credential = get("X-Amz-Credential").ok_or_else(|| incomplete("X-Amz-Credential"))?;
        let (access_key_id, date, region, service) = parse_credential(credential)?;
        let signed = get("X-Amz-SignedHeaders").ok_or_else(|| incomplete("X-Amz-SignedHeaders"))?;
        let signature = get("X-Amz-Signature").ok_or_else(|| incomplete("X-Amz-Signature"))?;
        let amz_date = get("X-Amz-Date").ok_or_else(|| incomplete("X-Amz-Date"))?;
        let expires = match get("X-Amz-Expires") {
            Some(e) => Some(e.parse::<i64>().map_err(|_| incomplete("X-Amz-Expires"))?),
            None => None,
        };
        Ok(SignatureParts {
            access_key_id,
            date,
            region,
            service,
            signed_headers: signed.split(';').map(str::to_owned).collect(),
            signature: signature.to_owned(),
            amz_date: Some(amz_date.to_owned()),
            expires,
            presigned: true,
        })
    })())
}

/// Verifies one request. `now` is a parameter so the skew rules can be tested.
pub fn verify(
    parts: &Parts,
    body: &Bytes,
    credentials: &Credentials,
    config: &Config,
    now: DateTime<Utc>,
) -> Result<AuthenticatedIdentity, AuthError> {
    let query = parts.uri.query().unwrap_or("");
    let mut sig = match parts.headers.get(header::AUTHORIZATION) {
        Some(value) => parse_authorization(&String::from_utf8_lossy(value.as_bytes()))?,
        None => parse_presigned(query).ok_or(AuthError::Missing)??,
    };
    // Deviation: temporary credentials (x-amz-security-token) are not supported; their keys are simply unknown.
    let identity = credentials.identities.get(&sig.access_key_id).ok_or(AuthError::UnknownKey)?;
    // Deviation: AWS also refuses a scope whose service is not `lambda` or whose date differs from X-Amz-Date, with
    // messages of their own; here such a scope only has to produce the right signature.
    if !sig.presigned {
        sig.amz_date = parts.headers.get("x-amz-date").and_then(|v| v.to_str().ok()).map(str::to_owned);
    }
    let amz_date = sig.amz_date.clone().ok_or_else(|| {
        AuthError::Incomplete(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.".into(),
        )
    })?;
    let signed_at = NaiveDateTime::parse_from_str(&amz_date, "%Y%m%dT%H%M%SZ")
        .map(|t| t.and_utc())
        .map_err(|_| AuthError::InvalidSignature(SIGNATURE_MISMATCH.into()))?;
    check_skew(signed_at, now, sig.expires)?;

    let body_hash = || hex::encode(Sha256::digest(body));
    let declared = header_str(parts, "x-amz-content-sha256");
    // Never trust a declared hash: a body that does not match it fails the signature check. Presigners differ:
    // botocore hashes the (empty) body for non-S3 services, others sign UNSIGNED-PAYLOAD; both are accepted.
    let payload_hashes: Vec<String> = match (declared, sig.presigned) {
        (Some("UNSIGNED-PAYLOAD"), _) => vec!["UNSIGNED-PAYLOAD".into()],
        (_, true) => vec![body_hash(), "UNSIGNED-PAYLOAD".into()],
        (_, false) => vec![body_hash()],
    };
    let given = hex::decode(&sig.signature).map_err(|_| AuthError::InvalidSignature(SIGNATURE_MISMATCH.into()))?;
    let scope = format!("{}/{}/{}/aws4_request", sig.date, sig.region, sig.service);
    let key = signing_key(&identity.secret_access_key, &sig.date, &sig.region, &sig.service);
    let matches = payload_hashes.iter().any(|payload_hash| {
        let canonical = canonical_request(parts, &sig, payload_hash);
        let string_to_sign =
            format!("AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}", hex::encode(Sha256::digest(canonical.as_bytes())));
        let mut mac = HmacSha256::new_from_slice(&key).expect("HMAC takes any key length");
        mac.update(string_to_sign.as_bytes());
        // verify_slice compares in constant time.
        mac.verify_slice(&given).is_ok()
    });
    if !matches {
        return Err(AuthError::InvalidSignature(SIGNATURE_MISMATCH.into()));
    }

    let account_id = identity.account_id.clone().unwrap_or_else(|| config.account_id.clone());
    let principal_arn = identity
        .principal_arn
        .clone()
        .unwrap_or_else(|| Scope::new(account_id.clone(), sig.region.clone()).account_root_arn(&account_id));
    Ok(AuthenticatedIdentity { access_key_id: sig.access_key_id, account_id, region: sig.region, principal_arn })
}

/// AWS's 15-minute window, with its two messages; a presigned URL also expires `X-Amz-Expires` after signing.
fn check_skew(signed_at: DateTime<Utc>, now: DateTime<Utc>, expires: Option<i64>) -> Result<(), AuthError> {
    let fmt = |t: DateTime<Utc>| t.format("%Y%m%dT%H%M%SZ").to_string();
    if signed_at < now - MAX_SKEW {
        return Err(AuthError::InvalidSignature(format!(
            "Signature expired: {} is now earlier than {} ({} - 15 min.)",
            fmt(signed_at),
            fmt(now - MAX_SKEW),
            fmt(now)
        )));
    }
    if signed_at > now + MAX_SKEW {
        return Err(AuthError::InvalidSignature(format!(
            "Signature not yet current: {} is still later than {} ({} + 15 min.)",
            fmt(signed_at),
            fmt(now + MAX_SKEW),
            fmt(now)
        )));
    }
    if let Some(secs) = expires {
        if signed_at + TimeDelta::seconds(secs.clamp(0, 7 * 24 * 3600)) < now {
            // Inferred: no recorded Lambda response for an expired presigned URL; this is the text other AWS
            // query-auth services send.
            return Err(AuthError::InvalidSignature("Request has expired.".into()));
        }
    }
    Ok(())
}

fn header_str<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts.headers.get(name).and_then(|v| v.to_str().ok())
}

/// The canonical request of SigV4 for a non-S3 service.
pub fn canonical_request(parts: &Parts, sig: &SignatureParts, payload_hash: &str) -> String {
    let mut out = String::with_capacity(256);
    out.push_str(parts.method.as_str());
    out.push('\n');
    // The signature covers the path as sent, before routing dropped a trailing slash (see `http::paths`).
    let path = parts.extensions.get::<super::paths::SentPath>().map_or(parts.uri.path(), |sent| sent.0.as_str());
    out.push_str(&canonical_uri(path));
    out.push('\n');
    out.push_str(&canonical_query(parts.uri.query().unwrap_or(""), sig.presigned));
    out.push('\n');
    for name in &sig.signed_headers {
        out.push_str(name);
        out.push(':');
        out.push_str(&canonical_header_value(parts, name));
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&sig.signed_headers.join(";"));
    out.push('\n');
    out.push_str(payload_hash);
    out
}

fn canonical_header_value(parts: &Parts, name: &str) -> String {
    let values: Vec<String> = parts
        .headers
        .get_all(name)
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    if values.is_empty() && name == "host" {
        // HTTP/2 carries the host as :authority, which hyper puts in the URI.
        return parts.uri.authority().map(|a| a.as_str().to_owned()).unwrap_or_default();
    }
    values.join(",")
}

/// The raw path with dot-segments removed, then every byte outside `A-Za-z0-9-_.~/` percent-encoded: a `%` from
/// the client's own encoding becomes `%25` (the double encoding non-S3 services use).
pub fn canonical_uri(raw_path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    let trailing = raw_path.len() > 1 && raw_path.ends_with('/');
    for segment in raw_path.split('/').filter(|s| !s.is_empty()) {
        match segment {
            "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let mut path = String::from("/");
    path.push_str(&segments.join("/"));
    if trailing && path.len() > 1 {
        path.push('/');
    }
    percent_encode(path.as_bytes(), URI_PATH).to_string()
}

/// Query pairs decoded, re-encoded strictly, sorted by key then value; the presigned signature itself excluded.
pub fn canonical_query(raw_query: &str, presigned: bool) -> String {
    let mut pairs: Vec<(String, String)> = query_pairs(raw_query)
        .into_iter()
        .filter(|(k, _)| !(presigned && k == "X-Amz-Signature"))
        .map(|(k, v)| {
            (percent_encode(k.as_bytes(), URI_STRICT).to_string(), percent_encode(v.as_bytes(), URI_STRICT).to_string())
        })
        .collect();
    pairs.sort();
    pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
}

/// `k=v&k2=v2` percent-decoded (a `+` stays a `+`: SigV4 clients encode spaces as `%20`).
fn query_pairs(raw_query: &str) -> Vec<(String, String)> {
    raw_query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |s: &str| percent_decode_str(s).decode_utf8_lossy().into_owned();
            (decode(k), decode(v))
        })
        .collect()
}

/// What SigV4 leaves bare in a query key or value: `A-Za-z0-9-_.~`; every other byte is `%XX` (upper-case hex).
const URI_STRICT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// The same for a path, whose `/` separators stay.
const URI_PATH: &AsciiSet = &URI_STRICT.remove(b'/');

fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> Vec<u8> {
    let mut key = format!("AWS4{secret}").into_bytes();
    for part in [date, region, service, "aws4_request"] {
        let mut mac = HmacSha256::new_from_slice(&key).expect("HMAC takes any key length");
        mac.update(part.as_bytes());
        key = mac.finalize().into_bytes().to_vec();
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_is_double_encoded() {
        assert_eq!(
            canonical_uri("/2015-03-31/functions/arn%3Aaws%3Alambda/policy"),
            "/2015-03-31/functions/arn%253Aaws%253Alambda/policy"
        );
        assert_eq!(canonical_uri("/a/./b/../c"), "/a/c");
        assert_eq!(canonical_uri("/"), "/");
    }

    #[test]
    fn query_is_sorted_and_strictly_encoded() {
        assert_eq!(canonical_query("b=2&a=x%3Ay&a=1", false), "a=1&a=x%3Ay&b=2");
        assert_eq!(canonical_query("X-Amz-Signature=ab&Z=%24LATEST", true), "Z=%24LATEST");
        assert_eq!(canonical_query("", false), "");
    }

    #[test]
    fn skew_messages_name_both_times() {
        let now = DateTime::parse_from_rfc3339("2025-01-01T12:00:00Z").unwrap().with_timezone(&Utc);
        let old = now - TimeDelta::minutes(16);
        let err = check_skew(old, now, None).unwrap_err();
        assert_eq!(
            err.message(),
            "Signature expired: 20250101T114400Z is now earlier than 20250101T114500Z (20250101T120000Z - 15 min.)"
        );
        let future = now + TimeDelta::minutes(16);
        let err = check_skew(future, now, None).unwrap_err();
        assert_eq!(
            err.message(),
            "Signature not yet current: 20250101T121600Z is still later than 20250101T121500Z (20250101T120000Z + 15 min.)"
        );
        assert!(check_skew(now - TimeDelta::minutes(14), now, None).is_ok());
    }

    #[test]
    fn authorization_header_parts() {
        let p = parse_authorization(
            "AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=00ff",
        )
        .unwrap();
        assert_eq!(p.access_key_id, "AKID");
        assert_eq!(p.signed_headers, ["host", "x-amz-date"]);
        assert!(matches!(parse_authorization("Basic abc"), Err(AuthError::Incomplete(_))));
    }
}
