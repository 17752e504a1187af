//! Lambda's REST-JSON wire protocol: request and response DTOs (serde only) and the error envelope.
//!
//! Nothing here decides anything: handlers in `http` map DTOs to domain values and back.

pub mod dto;
pub mod error;
pub mod init;

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// A successful JSON response: the status and the compact JSON of `T`.
pub struct JsonResponse<T>(pub StatusCode, pub T);

impl<T: Serialize> IntoResponse for JsonResponse<T> {
    fn into_response(self) -> Response {
        match serde_json::to_vec(&self.1) {
            Ok(body) => {
                let mut response = (self.0, body).into_response();
                response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
                response
            }
            Err(e) => crate::error::Error::ServiceException(format!("serializing response: {e}")).into_response(),
        }
    }
}

/// A successful response whose compact JSON body was assembled by hand (policy and statement bodies).
pub struct JsonBody<B = String>(pub StatusCode, pub B);

impl<B: Into<Body>> IntoResponse for JsonBody<B> {
    fn into_response(self) -> Response {
        // Built directly rather than from `(StatusCode, String)`, which would set a text/plain type first only for
        // it to be replaced. A body whose capacity is its length becomes the response's bytes without a copy.
        let mut response = Response::new(self.1.into());
        *response.status_mut() = self.0;
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        response
    }
}

/// A 204 with an empty body.
pub fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}
