//! What wraps every request, whatever its route: the `x-amzn-RequestId` (the client's, or a fresh UUID v4) on the
//! request and echoed on the response, and a handler panic turned into a 500 `ServiceException`.
//!
//! This is what tower-http's `SetRequestId`, `PropagateRequestId` and `CatchPanic` layers did, in one service that
//! wraps the router once. Installed with `Router::layer`, every layer was boxed again around every route and cloned
//! on every request, and the panic layer re-boxed every response body: together about half of GetPolicy's
//! allocations.

use std::convert::Infallible;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::HttpBody;
use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use tower::{Layer, Service};
use tower_http::request_id::RequestId;

use crate::error::Error;

/// The request-id header, in the lower case HTTP/2 needs (`x-amzn-RequestId` on AWS).
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-amzn-requestid");

/// Installs [`Envelope`].
#[derive(Debug, Clone, Copy)]
pub struct EnvelopeLayer {
    /// Also put the id in the request's extensions as a [`RequestId`], for the request log.
    pub request_id_extension: bool,
}

impl<S> Layer<S> for EnvelopeLayer {
    type Service = Envelope<S>;

    fn layer(&self, inner: S) -> Envelope<S> {
        Envelope { inner, request_id_extension: self.request_id_extension }
    }
}

/// See the module documentation.
#[derive(Debug, Clone)]
pub struct Envelope<S> {
    inner: S,
    request_id_extension: bool,
}

impl<S> Service<Request> for Envelope<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
    S::Future: Unpin,
{
    type Response = Response;
    type Error = Infallible;
    type Future = EnvelopeFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        // A request id the client sent is kept, as AWS does.
        let id = match request.headers().get(&REQUEST_ID) {
            Some(id) => id.clone(),
            None => {
                let id = new_request_id();
                request.headers_mut().insert(REQUEST_ID, id.clone());
                id
            }
        };
        if self.request_id_extension && request.extensions().get::<RequestId>().is_none() {
            request.extensions_mut().insert(RequestId::new(id.clone()));
        }
        // A panic while the handler's future is being built counts as the handler's.
        let inner = catch_unwind(AssertUnwindSafe(|| self.inner.call(request))).ok();
        EnvelopeFuture { inner, request_id: Some(id) }
    }
}

/// [`Envelope`]'s response future.
pub struct EnvelopeFuture<F> {
    /// `None` once the handler panicked.
    inner: Option<F>,
    request_id: Option<HeaderValue>,
}

impl<F> Future for EnvelopeFuture<F>
where
    F: Future<Output = Result<Response, Infallible>> + Unpin,
{
    type Output = Result<Response, Infallible>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let mut response = match this.inner.as_mut() {
            Some(inner) => match catch_unwind(AssertUnwindSafe(|| Pin::new(inner).poll(cx))) {
                Ok(Poll::Pending) => return Poll::Pending,
                Ok(Poll::Ready(Ok(response))) => response,
                Err(_) => {
                    this.inner = None;
                    panic_response()
                }
            },
            None => panic_response(),
        };
        // An id the handler set itself wins (none does today).
        if !response.headers().contains_key(&REQUEST_ID) {
            if let Some(id) = this.request_id.take() {
                // The router appended `Allow` and `Content-Length` last; they go back after the id, where they were
                // when the id came from a route layer.
                let taken = take_router_added(&mut response);
                response.headers_mut().insert(REQUEST_ID, id);
                restore_router_added(&mut response, taken);
            }
        }
        Poll::Ready(Ok(response))
    }
}

/// The 500 a panicking handler answers with.
fn panic_response() -> Response {
    Error::ServiceException("a handler panicked".into()).into_response()
}

/// The headers axum's router adds after its route layers have run, in that order: `Allow` (405 fallback) and
/// `Content-Length`.
const ROUTER_ADDED: [HeaderName; 2] = [header::ALLOW, header::CONTENT_LENGTH];

/// Removes the trailing headers the router added (see [`ROUTER_ADDED`]), in the order they were added. Only the
/// last entry is ever removed, which moves no other header.
fn take_router_added(response: &mut Response) -> [Option<HeaderValue>; 2] {
    let mut taken = [None, None];
    for (i, name) in ROUTER_ADDED.iter().enumerate().rev() {
        let headers = response.headers_mut();
        let is_last = headers.iter().last().is_some_and(|(last, _)| last == name);
        if is_last && headers.get_all(name).iter().count() == 1 {
            taken[i] = headers.remove(name);
        }
    }
    taken
}

/// Puts back what [`take_router_added`] took; without a `Content-Length`, sets the body's exact length as axum's
/// router does.
fn restore_router_added(response: &mut Response, taken: [Option<HeaderValue>; 2]) {
    for (name, value) in ROUTER_ADDED.iter().zip(taken) {
        if let Some(value) = value {
            response.headers_mut().insert(name, value);
        }
    }
    if !response.headers().contains_key(header::CONTENT_LENGTH) {
        if let Some(n) = response.body().size_hint().exact() {
            response.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(n));
        }
    }
}

/// A fresh UUID v4 as a header value, formatted without an intermediate `String`.
fn new_request_id() -> HeaderValue {
    let mut buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
    let text = uuid::Uuid::new_v4().hyphenated().encode_lower(&mut buf);
    HeaderValue::from_str(text).expect("a UUID is a valid header value")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_lower_case_uuids() {
        let id = new_request_id();
        let text = id.to_str().unwrap();
        let parsed = uuid::Uuid::parse_str(text).unwrap();
        assert_eq!(parsed.get_version_num(), 4);
        assert_eq!(text, parsed.hyphenated().to_string());
    }
}
