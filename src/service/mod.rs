//! One synchronous function per AWS operation: `fn(&mut State | &State, &Scope, input) -> Result<output>`.
//!
//! The store runs each under its lock; nothing here awaits. Functions take the wire DTOs directly and return wire
//! DTOs: a second set of domain-side input structs would only copy them.

pub mod aliases;
pub mod enforce;
pub mod export;
pub mod functions;
pub mod layer_permissions;
pub mod layers;
pub mod permissions;
pub mod target;

use std::sync::Arc;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::domain::function::Code;
use crate::error::Error;

/// `YYYY-MM-DDThh:mm:ss.SSS+0000`, UTC (SPEC §1).
pub fn timestamp_now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string()
}

/// Base64 (standard, padded) of the SHA-256 of `bytes`: AWS's `CodeSha256`.
pub fn sha256_b64(bytes: &[u8]) -> String {
    STANDARD.encode(Sha256::digest(bytes))
}

/// Decodes a base64 `ZipFile` member.
pub fn decode_blob(member: &str, b64: &str) -> Result<Vec<u8>, Error> {
    STANDARD.decode(b64.trim()).map_err(|e| {
        Error::InvalidRequestContentException(format!(
            "Could not parse request body into json: {member} is not valid base64: {e}"
        ))
    })
}

/// Checks that `bytes` is a readable zip archive and stores it with its hash and size (SPEC §10.1).
pub fn zip_code(bytes: Vec<u8>) -> Result<Code, Error> {
    let readable = zip::ZipArchive::new(std::io::Cursor::new(bytes.as_slice())).is_ok();
    if !readable {
        return Err(Error::invalid("Could not unzip uploaded file. Please check your file, then try to upload again."));
    }
    Ok(Code { sha256: sha256_b64(&bytes), size: bytes.len() as u64, zip: Some(Arc::from(bytes)), image_uri: None })
}

/// S3 code: lambdalite has no S3, so every bucket is missing (SPEC §10.1).
pub fn s3_code_error() -> Error {
    Error::invalid(
        "Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does not exist",
    )
}

/// Parses `MaxItems` (1..=max) and returns how many items a page holds (capped at `page_cap`).
pub fn page_size(
    v: &mut crate::domain::validate::Violations,
    max_items: Option<&str>,
    max: i64,
    page_cap: usize,
) -> usize {
    let Some(raw) = max_items else { return page_cap };
    match raw.parse::<i64>() {
        Ok(n) if v.int_range("maxItems", n, Some(1), Some(max)) => (n as usize).min(page_cap),
        Ok(_) => page_cap,
        Err(_) => {
            v.push("maxItems", raw, "Member must be a valid integer");
            page_cap
        }
    }
}

/// An opaque pagination token for a list position.
pub fn encode_marker(key: &str) -> String {
    STANDARD.encode(key.as_bytes())
}

/// The list position a `Marker` names; an undecodable marker is an IPVE as on AWS.
pub fn decode_marker(marker: &str) -> Result<String, Error> {
    STANDARD
        .decode(marker)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| Error::invalid(format!("Invalid Marker: {marker}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_is_base64_like_aws() {
        // SHA-256 of the empty string.
        assert_eq!(sha256_b64(b""), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
        assert_eq!(sha256_b64(b"").len(), 44);
    }

    #[test]
    fn timestamp_shape() {
        let t = timestamp_now();
        assert_eq!(t.len(), "2020-04-10T19:06:32.563+0000".len(), "{t}");
        assert!(t.ends_with("+0000"));
    }

    #[test]
    fn zip_detection() {
        assert!(zip_code(b"not a zip".to_vec()).is_err());
        // The smallest valid zip: an empty end-of-central-directory record.
        let mut empty = vec![0x50, 0x4b, 0x05, 0x06];
        empty.extend([0u8; 18]);
        let code = zip_code(empty).unwrap();
        assert_eq!(code.size, 22);
    }

    #[test]
    fn markers_round_trip() {
        assert_eq!(decode_marker(&encode_marker("fn-b")).unwrap(), "fn-b");
        assert!(decode_marker("!!").is_err());
    }
}
