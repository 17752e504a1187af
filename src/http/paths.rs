//! Request paths as older clients send them.
//!
//! Older Lambda models (botocore before 2023 among them, which Debian's awscli still ships) name some operations
//! with a trailing slash, e.g. ListFunctions as `GET /2015-03-31/functions/`, and AWS answers both spellings. The
//! routes are the current model's, so a trailing slash is dropped before routing; the path as sent is kept in
//! [`SentPath`], because a SigV4 signature covers that one.

use axum::http::{Request, Uri};

/// The request path as the client sent it, when routing uses another one.
#[derive(Debug, Clone)]
pub struct SentPath(pub String);

/// Drops the trailing slashes of the AWS API's paths (they start with the API version's date, `/2015-03-31/...`),
/// keeping the query. lambdalite's own pages (`/_lambdalite/`) are left as they are.
pub fn trim_trailing_slash<B>(mut request: Request<B>) -> Request<B> {
    let path = request.uri().path();
    let trimmed = path.trim_end_matches('/');
    if trimmed.len() == path.len() || !path.starts_with("/20") {
        return request;
    }
    let path_and_query = match request.uri().query() {
        Some(query) => format!("{trimmed}?{query}"),
        None => trimmed.to_owned(),
    };
    let mut parts = request.uri().clone().into_parts();
    // A prefix of a valid path is a valid path; should parsing ever fail, the request is routed as sent.
    let Ok(new_path) = path_and_query.parse() else { return request };
    parts.path_and_query = Some(new_path);
    let Ok(uri) = Uri::from_parts(parts) else { return request };
    let sent = SentPath(path.to_owned());
    request.extensions_mut().insert(sent);
    *request.uri_mut() = uri;
    request
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(uri: &str) -> (String, Option<String>) {
        let r = trim_trailing_slash(Request::get(uri).body(()).unwrap());
        (r.uri().to_string(), r.extensions().get::<SentPath>().map(|s| s.0.clone()))
    }

    #[test]
    fn trailing_slashes_are_dropped_and_the_sent_path_kept() {
        assert_eq!(
            route("/2015-03-31/functions/"),
            ("/2015-03-31/functions".into(), Some("/2015-03-31/functions/".into()))
        );
        assert_eq!(
            route("/2015-03-31/functions//?MaxItems=5"),
            ("/2015-03-31/functions?MaxItems=5".into(), Some("/2015-03-31/functions//".into()))
        );
        assert_eq!(route("/2015-03-31/functions"), ("/2015-03-31/functions".into(), None));
        assert_eq!(route("/2018-10-31/layers/"), ("/2018-10-31/layers".into(), Some("/2018-10-31/layers/".into())));
        assert_eq!(route("/"), ("/".into(), None));
        assert_eq!(route("//"), ("//".into(), None));
        assert_eq!(route("/_lambdalite/"), ("/_lambdalite/".into(), None));
    }
}
