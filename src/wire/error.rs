//! The HTTP shape of an [`Error`]: status, `x-amzn-ErrorType`, and the JSON body whose member casing botocore and
//! the SDKs read (SPEC §2.1). `x-amzn-RequestId` is added to every response by the request-id layer in `http`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::error::{BodyShape, Error};

/// The JSON error body, compact, members in the order AWS sends them.
pub fn error_body(err: &Error) -> String {
    let msg = serde_json::Value::from(err.message()).to_string();
    match err.body_shape() {
        BodyShape::UserCapitalMessage => format!(r#"{{"Type":"User","Message":{msg}}}"#),
        BodyShape::UserMessage => format!(r#"{{"Type":"User","message":{msg}}}"#),
        BodyShape::Message => format!(r#"{{"message":{msg}}}"#),
        BodyShape::CapitalMessage => format!(r#"{{"Message":{msg}}}"#),
        BodyShape::ServiceCapitalMessage => format!(r#"{{"Type":"Service","Message":{msg}}}"#),
    }
}

impl IntoResponse for Error {
    /// Out of line: every handler's `Result` would otherwise carry its own copy of the error response (and of the
    /// internal-error log line), for a path no successful request takes.
    #[inline(never)]
    fn into_response(self) -> Response {
        if let Error::ServiceException(detail) = &self {
            tracing::error!(%detail, "internal error");
        }
        let status = StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, error_body(&self)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert("x-amzn-errortype", HeaderValue::from_static(self.code()));
        // Lets the request log name the error code without parsing the body.
        response.extensions_mut().insert(ErrorCode(self.code()));
        response
    }
}

/// Response extension carrying the AWS error code, for the request log.
#[derive(Debug, Clone, Copy)]
pub struct ErrorCode(pub &'static str);
