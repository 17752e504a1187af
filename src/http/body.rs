//! Request bodies: the one size limit every route reads them under, and the errors of reading one.

use crate::error::Error;

/// The largest request body accepted (CreateFunction's limit on AWS). The JSON extractor and the SigV4 check both
/// read bodies under it.
pub const MAX_BODY_BYTES: usize = 70_167_211;

/// The 413 for a body over [`MAX_BODY_BYTES`], naming the operation it was sent to.
pub fn too_large(operation: &str) -> Error {
    Error::RequestEntityTooLargeException(format!(
        "Request must be smaller than {MAX_BODY_BYTES} bytes for the {operation} operation"
    ))
}

/// A body that could not be read for another reason (the connection broke, the framing was bad).
pub fn unreadable(detail: impl std::fmt::Display) -> Error {
    Error::InvalidRequestContentException(format!("Could not read request body: {detail}"))
}
