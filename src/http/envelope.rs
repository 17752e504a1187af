//! What wraps every request, whatever its route: the `x-amzn-RequestId` (the client's, or a fresh UUID v4) on the
//! request and echoed on the response, a handler panic turned into a 500 `ServiceException`, and the request log
//! line (`lambdalite::request`).
//!
//! This is what tower-http's `SetRequestId`, `PropagateRequestId` and `CatchPanic` layers and a logging middleware
//! did, in one service that wraps the router once. Installed with `Router::layer`, every layer was boxed again
//! around every route and cloned on every request, and the panic layer re-boxed every response body: together about
//! half of GetPolicy's allocations; the logging middleware alone cost about 6,500 instructions per request.

use std::convert::Infallible;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::body::HttpBody;
use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue, Method, Uri};
use axum::response::{IntoResponse, Response};
use tower::{Layer, Service};

use super::{extract, routes};
use crate::domain::arn::Scope;
use crate::error::Error;
use crate::wire::error::ErrorCode;
use crate::Config;

/// The request-id header, in the lower case HTTP/2 needs (`x-amzn-RequestId` on AWS).
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-amzn-requestid");

/// Installs [`Envelope`].
#[derive(Debug, Clone)]
pub struct EnvelopeLayer {
    /// Write the request log line, with the configuration that gives the caller's default account and region;
    /// `None` when `lambdalite::request` lines are filtered out.
    pub log: Option<Arc<Config>>,
}

impl<S> Layer<S> for EnvelopeLayer {
    type Service = Envelope<S>;

    fn layer(&self, inner: S) -> Envelope<S> {
        Envelope { inner, log: self.log.clone() }
    }
}

/// See the module documentation.
#[derive(Debug, Clone)]
pub struct Envelope<S> {
    inner: S,
    log: Option<Arc<Config>>,
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
        let log = match &self.log {
            Some(config) if tracing::enabled!(target: "lambdalite::request", tracing::Level::INFO) => {
                Some(RequestLog::start(&request, config))
            }
            _ => None,
        };
        // A panic while the handler's future is being built counts as the handler's.
        let inner = catch_unwind(AssertUnwindSafe(|| self.inner.call(request))).ok();
        EnvelopeFuture { inner, request_id: Some(id), log }
    }
}

/// What the request log line says about the request, gathered before the router takes it.
struct RequestLog {
    start: Instant,
    operation: &'static str,
    /// The same resolution the handlers' `Caller` does, so the line names the namespace the request touched.
    scope: Scope,
    method: Method,
    /// The path as routed (trailing slash trimmed, see `paths::trim_trailing_slash`); a clone shares its bytes.
    uri: Uri,
}

impl RequestLog {
    fn start(request: &Request, config: &Config) -> RequestLog {
        let method = request.method().clone();
        RequestLog {
            start: Instant::now(),
            operation: routes::logged_operation(&method, request.uri().path()),
            scope: extract::caller_scope(request.headers(), config),
            method,
            uri: request.uri().clone(),
        }
    }

    /// One line per request: operation, caller account and region, status, AWS error code, latency and the request
    /// id the client got.
    fn write(self, response: &Response) {
        let error = response.extensions().get::<ErrorCode>().map_or("", |c| c.0);
        let request_id = response.headers().get(&REQUEST_ID).and_then(|id| id.to_str().ok()).unwrap_or("");
        tracing::info!(
            target: "lambdalite::request",
            operation = self.operation,
            account = %self.scope.account,
            region = %self.scope.region,
            method = %self.method,
            path = %self.uri.path(),
            status = response.status().as_u16(),
            error,
            latency_us = self.start.elapsed().as_micros() as u64,
            request_id = %request_id,
            "request"
        );
    }
}

/// [`Envelope`]'s response future.
pub struct EnvelopeFuture<F> {
    /// `None` once the handler panicked.
    inner: Option<F>,
    request_id: Option<HeaderValue>,
    /// `Some` until the line is written, when the request is logged.
    log: Option<RequestLog>,
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
        if let Some(log) = this.log.take() {
            log.write(&response);
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
