//! `/_lambdalite/test/failpoints`: drives the state directory's fail points while the server runs (cargo feature
//! `failpoints` only; see `crate::persist::fault`).
//!
//! - `GET /_lambdalite/test/failpoints`: `{"injected":N,"failpoints":{"persist::write":"return(enospc)",...}}`
//! - `PUT /_lambdalite/test/failpoints/{name}` with the actions as the body (`off` clears): 204, or 400 with the
//!   parse error.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};

use crate::persist::fault;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/_lambdalite/test/failpoints", get(list))
        .route("/_lambdalite/test/failpoints/{name}", put(configure))
}

async fn list() -> Json<serde_json::Value> {
    let failpoints: serde_json::Map<String, serde_json::Value> =
        fault::list().into_iter().map(|(name, actions)| (name, actions.into())).collect();
    Json(serde_json::json!({"injected": fault::injected(), "failpoints": failpoints}))
}

async fn configure(Path(name): Path<String>, body: String) -> Response {
    match fault::configure(&name, &body) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => (StatusCode::BAD_REQUEST, e).into_response(),
    }
}
