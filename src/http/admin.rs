//! Admin endpoints outside AWS's paths: health, reset and the state export (the state page is in `ui.rs`).

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::on;
use axum::Json;
use serde_json::json;

use super::routes::Route;
use crate::service::export;
use crate::AppState;
use crate::Error;

pub const ROUTES: &[Route] = &[
    Route::admin(Method::GET, "/_lambdalite/health", "Lambdalite.Health", |m| on(m, health)),
    Route::admin(Method::POST, "/_lambdalite/reset", "Lambdalite.Reset", |m| on(m, reset)),
    Route::admin(Method::GET, "/_lambdalite/state", "Lambdalite.State", |m| on(m, state)),
];

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

/// `GET /_lambdalite/state`: the whole state as an `--init` file (JSON; see `crate::init` for the format and
/// `service::export` for how the state maps to it), so that `lambdalite --init <saved export>` replays it.
/// Pretty-printed because people read and diff it (`lambdalite state`, `curl`). The export is copied under the read
/// lock and serialized (zips base64-encoded) after it is released.
async fn state(State(app): State<AppState>) -> Response {
    let exported = match app.store.read(export::export).await {
        Ok(e) => e,
        Err(e) => {
            tracing::error!(error = %e, "cannot export the state");
            return Error::ServiceException(format!("cannot export the state: {e}")).into_response();
        }
    };
    match serde_json::to_string_pretty(&exported) {
        Ok(mut body) => {
            body.push('\n');
            ([(CONTENT_TYPE, "application/json"), (CACHE_CONTROL, "no-store")], body).into_response()
        }
        Err(e) => Error::ServiceException(format!("cannot serialize the state: {e}")).into_response(),
    }
}
