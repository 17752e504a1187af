//! Admin endpoints outside AWS's paths: health and reset.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/_lambdalite/health", get(health)).route("/_lambdalite/reset", post(reset))
}

/// `GET /_lambdalite/health`: 200 `{"status":"ok","version":"<crate version>"}`.
async fn health() -> Json<serde_json::Value> {
    Json(json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")}))
}

/// `POST /_lambdalite/reset`: drops all state, for test isolation. 204.
async fn reset(State(app): State<AppState>) -> StatusCode {
    app.store.write(|s| s.reset()).await;
    StatusCode::NO_CONTENT
}
