//! Admin endpoints outside AWS's paths: health, reset and the state export (the state page is in `ui.rs`).

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use crate::service::export;
use crate::AppState;
use crate::Error;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/_lambdalite/health", get(health))
        .route("/_lambdalite/reset", post(reset))
        .route("/_lambdalite/state", get(state))
}

/// `GET /_lambdalite/health`: 200 `{"status":"ok","version":"<crate version>"}`.
async fn health() -> Json<serde_json::Value> {
    Json(json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")}))
}

/// `POST /_lambdalite/reset`: drops all state, for test isolation. 204.
async fn reset(State(app): State<AppState>) -> Result<StatusCode, Error> {
    app.store
        .write(|s| {
            s.reset();
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /_lambdalite/state`: the whole state as JSON (see `service::export` for the shape), pretty-printed because
/// people read it (`lambdalite state`, `curl`) and the members keep their order that way. The snapshot is copied
/// under the read lock and serialized after it is released.
async fn state(State(app): State<AppState>) -> Response {
    let snap = app.store.read(export::snapshot).await;
    match serde_json::to_string_pretty(&snap) {
        Ok(mut body) => {
            body.push('\n');
            ([(CONTENT_TYPE, "application/json"), (CACHE_CONTROL, "no-store")], body).into_response()
        }
        Err(e) => crate::error::Error::ServiceException(format!("cannot serialize the state: {e}")).into_response(),
    }
}
