//! The state browser: `GET /_lambdalite/` renders every account and region, function, version, alias, layer and
//! policy as one self-contained HTML page (inline CSS, no script, no external asset), for a person looking at a
//! failing test's server.
//!
//! The page is built from [`export::snapshot`], taken under one read lock and rendered after the lock is released,
//! so a large state never holds writers back for the time HTML formatting takes. Every piece of state that reaches
//! the page goes through [`escape_html`] (by way of [`Esc`]): descriptions, principals and the like are whatever a
//! client sent, and a page that runs a test's `<script>` would be an XSS hole on a developer's machine.

use std::borrow::Cow;
use std::fmt::{self, Display, Write};

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, LOCATION, X_CONTENT_TYPE_OPTIONS};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::on;

use super::routes::Route;
use crate::domain::policy::{Principal, Statement};
use crate::service::export::{self, FunctionExport, LayerExport, NamespaceExport, PolicyExport, Snapshot};
use crate::AppState;

const CSS: &str = include_str!("ui.css");

/// Styles are inline and nothing else is needed: a CSP that forbids everything else means even a rendering bug
/// could not run a script or fetch anything.
const PAGE_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'";

pub const ROUTES: &[Route] = &[
    Route::admin(Method::GET, "/_lambdalite/", "Lambdalite.StatePage", |m| on(m, page)),
    Route::admin(Method::GET, "/_lambdalite", "Lambdalite.StatePage", |m| on(m, to_page)),
];

/// `GET /_lambdalite/`: the state page.
async fn page(State(app): State<AppState>) -> Response {
    let snap = app.store.read(export::snapshot).await;
    let now = chrono::Utc::now().format("%Y-%m-%d %H:%M:%S UTC").to_string();
    let html = render(&snap, &now);
    (
        [
            (CONTENT_TYPE, "text/html; charset=utf-8"),
            (CACHE_CONTROL, "no-store"),
            (CONTENT_SECURITY_POLICY, PAGE_CSP),
            (X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        html,
    )
        .into_response()
}

/// `GET /_lambdalite`: the page's links are relative (`state`, `#ns-..`), so it must be read with the slash. The
/// redirect is relative too, so it also works behind a proxy that mounts the server under a path prefix.
async fn to_page() -> Response {
    (StatusCode::MOVED_PERMANENTLY, [(LOCATION, "_lambdalite/")]).into_response()
}

/// `s` with `& < > " '` replaced by entities: safe in element content and in quoted attribute values. Written here
/// because no crate in the lock file escapes HTML (the template engines that do are not dependencies), and five
/// replacements do not justify adding one.
pub fn escape_html(s: &str) -> Cow<'_, str> {
    if !s.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Formats as [`escape_html`] of the wrapped text, so `write!` can interpolate state safely.
struct Esc<'a>(&'a str);

impl Display for Esc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&escape_html(self.0))
    }
}

/// The whole page. `now` is shown as the time of the snapshot.
pub fn render(snap: &Snapshot, now: &str) -> String {
    let mut out = String::with_capacity(16 * 1024);
    // Writing into a String cannot fail; the fmt::Result only exists for other writers.
    let _ = render_into(&mut out, snap, now);
    out
}

fn render_into(out: &mut String, snap: &Snapshot, now: &str) -> fmt::Result {
    write!(
        out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>lambdalite state</title><style>{CSS}</style></head>\n<body>\n\
         <header><h1>lambdalite</h1><span class=\"muted\">state at {} &middot; v{}</span>\
         <nav><a class=\"button\" href=\"\">Refresh</a><a class=\"button\" href=\"state\">JSON</a></nav></header>\n<main>\n",
        Esc(now),
        Esc(snap.lambdalite_version),
    )?;
    overview(out, snap)?;
    for ns in &snap.namespaces {
        namespace(out, ns)?;
    }
    out.push_str("</main>\n</body></html>\n");
    Ok(())
}

fn ns_anchor(ns: &NamespaceExport) -> String {
    format!("ns-{}-{}", ns.account, ns.region)
}

fn overview(out: &mut String, snap: &Snapshot) -> fmt::Result {
    out.push_str("<section><h2>Accounts and regions</h2>\n");
    if snap.namespaces.is_empty() {
        out.push_str("<p class=\"empty\">No functions or layers yet.</p></section>\n");
        return Ok(());
    }
    out.push_str(
        "<table><thead><tr><th>Account</th><th>Region</th><th>Functions</th><th>Versions</th><th>Aliases</th>\
         <th>Layers</th><th>Layer versions</th><th>Policies</th></tr></thead><tbody>\n",
    );
    for ns in &snap.namespaces {
        let versions: usize = ns.functions.iter().map(|f| f.versions.len()).sum();
        let aliases: usize = ns.functions.iter().map(|f| f.aliases.len()).sum();
        let layer_versions: usize = ns.layers.iter().map(|l| l.versions.len()).sum();
        let policies = ns.functions.iter().map(|f| function_policies(f).len()).sum::<usize>()
            + ns.layers.iter().flat_map(|l| &l.versions).filter(|v| v.policy.is_some()).count();
        writeln!(
            out,
            "<tr><td><a href=\"#{}\"><code>{}</code></a></td><td><code>{}</code></td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            Esc(&ns_anchor(ns)),
            Esc(&ns.account),
            Esc(&ns.region),
            ns.functions.len(),
            versions,
            aliases,
            ns.layers.len(),
            layer_versions,
            policies,
        )?;
    }
    out.push_str("</tbody></table></section>\n");
    Ok(())
}

fn namespace(out: &mut String, ns: &NamespaceExport) -> fmt::Result {
    writeln!(
        out,
        "<section id=\"{}\"><h2>Account <code>{}</code> &middot; <code>{}</code></h2>",
        Esc(&ns_anchor(ns)),
        Esc(&ns.account),
        Esc(&ns.region),
    )?;
    writeln!(out, "<h3>Functions ({})</h3>", ns.functions.len())?;
    if ns.functions.is_empty() {
        out.push_str("<p class=\"empty\">None.</p>\n");
    }
    for f in &ns.functions {
        function(out, f)?;
    }
    writeln!(out, "<h3>Layers ({})</h3>", ns.layers.len())?;
    if ns.layers.is_empty() {
        out.push_str("<p class=\"empty\">None.</p>\n");
    }
    for l in &ns.layers {
        layer(out, l)?;
    }
    out.push_str("</section>\n");
    Ok(())
}

/// Every policy of a function with the name it is addressed by: `$LATEST`, each version, each alias.
fn function_policies(f: &FunctionExport) -> Vec<(String, &PolicyExport)> {
    let mut all = Vec::new();
    if let Some(p) = &f.policy {
        all.push((format!("{} ($LATEST)", f.function_name), p));
    }
    for v in &f.versions {
        if let Some(p) = &v.policy {
            all.push((format!("{}:{}", f.function_name, v.version), p));
        }
    }
    for a in &f.aliases {
        if let Some(p) = &a.policy {
            all.push((format!("{}:{} (alias)", f.function_name, a.name), p));
        }
    }
    all
}

fn function(out: &mut String, f: &FunctionExport) -> fmt::Result {
    let c = &f.configuration;
    write!(
        out,
        "<article class=\"card\"><h4><code>{}</code> <span class=\"pill\">{}</span> \
         <span class=\"pill\">{}</span></h4>\n<p class=\"arn\"><code>{}</code></p>\n<dl>",
        Esc(&f.function_name),
        Esc(c.state),
        Esc(c.last_update_status),
        Esc(&f.function_arn),
    )?;
    let runtime = c.runtime.as_deref().unwrap_or(if c.package_type == "Image" { "(image)" } else { "" });
    dl_item(out, "Runtime", runtime)?;
    dl_item(out, "Handler", c.handler.as_deref().unwrap_or(""))?;
    dl_item(out, "Role", &c.role)?;
    dl_item(out, "Description", &c.description)?;
    dl_item(out, "RevisionId", &c.revision_id)?;
    dl_item(out, "Last modified", &c.last_modified)?;
    dl_item(out, "CodeSha256", &format!("{} ({} bytes)", c.code_sha256, c.code_size))?;
    if let Some(image) = &c.image_uri {
        dl_item(out, "ImageUri", image)?;
    }
    if !c.layers.is_empty() {
        dl_item(out, "Layers", &c.layers.join("\n"))?;
    }
    if !f.tags.is_empty() {
        let tags: Vec<String> = f.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
        dl_item(out, "Tags", &tags.join("\n"))?;
    }
    out.push_str("</dl>\n");

    if !f.versions.is_empty() {
        out.push_str(
            "<h5>Versions</h5><table><thead><tr><th>Version</th><th>Description</th><th>CodeSha256</th>\
             <th>Last modified</th><th>RevisionId</th><th>Policy</th></tr></thead><tbody>\n",
        );
        for v in &f.versions {
            writeln!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td><code>{}</code></td><td class=\"nowrap\">{}</td>\
                 <td><code class=\"rev\">{}</code></td><td>{}</td></tr>",
                Esc(&v.version),
                Esc(&v.configuration.description),
                Esc(&v.configuration.code_sha256),
                Esc(&v.configuration.last_modified),
                Esc(&v.configuration.revision_id),
                policy_count(v.policy.as_ref()),
            )?;
        }
        out.push_str("</tbody></table>\n");
    }
    if !f.aliases.is_empty() {
        out.push_str(
            "<h5>Aliases</h5><table><thead><tr><th>Alias</th><th>Version</th><th>Routing</th><th>Description</th>\
             <th>RevisionId</th><th>Policy</th></tr></thead><tbody>\n",
        );
        for a in &f.aliases {
            let routing: Vec<String> =
                a.additional_version_weights.iter().map(|(v, w)| format!("{v}: {}%", percent(*w))).collect();
            writeln!(
                out,
                "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td>\
                 <td><code class=\"rev\">{}</code></td><td>{}</td></tr>",
                Esc(&a.name),
                Esc(&a.function_version),
                Esc(&routing.join(", ")),
                Esc(&a.description),
                Esc(&a.revision_id),
                policy_count(a.policy.as_ref()),
            )?;
        }
        out.push_str("</tbody></table>\n");
    }
    for (owner, p) in function_policies(f) {
        policy(out, &owner, p)?;
    }
    out.push_str("</article>\n");
    Ok(())
}

fn layer(out: &mut String, l: &LayerExport) -> fmt::Result {
    writeln!(
        out,
        "<article class=\"card\"><h4><code>{}</code></h4>\n<p class=\"arn\"><code>{}</code></p>\n\
         <table><thead><tr><th>Version</th><th>Description</th><th>Runtimes</th><th>Architectures</th>\
         <th>License</th><th>Created</th><th>CodeSha256</th><th>Policy</th></tr></thead><tbody>",
        Esc(&l.layer_name),
        Esc(&l.layer_arn),
    )?;
    let list = |l: &Option<Vec<String>>| l.as_ref().map(|l| l.join(", ")).unwrap_or_default();
    for v in &l.versions {
        writeln!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"nowrap\">{}</td>\
             <td><code>{}</code></td><td>{}</td></tr>",
            v.version,
            Esc(&v.description),
            Esc(&list(&v.compatible_runtimes)),
            Esc(&list(&v.compatible_architectures)),
            Esc(v.license_info.as_deref().unwrap_or("")),
            Esc(&v.created_date),
            Esc(&v.code_sha256),
            policy_count(v.policy.as_ref()),
        )?;
    }
    out.push_str("</tbody></table>\n");
    for v in &l.versions {
        if let Some(p) = &v.policy {
            policy(out, &format!("{}:{}", l.layer_name, v.version), p)?;
        }
    }
    out.push_str("</article>\n");
    Ok(())
}

/// A policy's statements as a table, its RevisionId, and the document (pretty-printed) one click away.
fn policy(out: &mut String, owner: &str, p: &PolicyExport) -> fmt::Result {
    writeln!(
        out,
        "<div class=\"policy\"><h5>Policy on <code>{}</code> <span class=\"muted\">RevisionId</span> \
         <code class=\"rev\">{}</code></h5>\n<table class=\"statements\"><thead><tr><th>Sid</th><th>Effect</th>\
         <th>Principal</th><th>Action</th><th>Resource</th><th>Conditions</th></tr></thead><tbody>",
        Esc(owner),
        Esc(&p.revision_id),
    )?;
    for s in &p.document.statement {
        statement_row(out, s)?;
    }
    // Pretty-printed from the typed statements; the same document GetPolicy returns compactly.
    let pretty = serde_json::to_string_pretty(&p.document).unwrap_or_default();
    writeln!(out, "</tbody></table>\n<details><summary>Raw JSON</summary><pre>{}</pre></details></div>", Esc(&pretty))
}

fn statement_row(out: &mut String, s: &Statement) -> fmt::Result {
    let principal = match &s.principal {
        Principal::Any => "*".to_owned(),
        Principal::Aws(arn) => format!("AWS: {arn}"),
        Principal::Service(service) => format!("Service: {service}"),
    };
    write!(
        out,
        "<tr><td class=\"nowrap\"><code>{}</code></td><td>{}</td><td><code>{}</code></td>\
         <td class=\"nowrap\"><code>{}</code></td><td><code>{}</code></td><td>",
        Esc(&s.sid),
        Esc(s.effect),
        Esc(&principal),
        Esc(&s.action),
        Esc(&s.resource),
    )?;
    if s.condition.is_empty() {
        out.push_str("<span class=\"muted\">none</span>");
    }
    for (operator, entries) in &s.condition {
        for (key, value) in entries {
            write!(
                out,
                "<div><span class=\"muted\">{}</span> <code>{}</code> = <code>{}</code></div>",
                Esc(operator),
                Esc(key),
                Esc(value),
            )?;
        }
    }
    out.push_str("</td></tr>\n");
    Ok(())
}

/// A definition-list entry; newlines in `value` become separate lines.
fn dl_item(out: &mut String, term: &str, value: &str) -> fmt::Result {
    write!(out, "<dt>{}</dt><dd>", Esc(term))?;
    if value.is_empty() {
        out.push_str("<span class=\"muted\">&mdash;</span>");
    }
    for (i, line) in value.split('\n').enumerate() {
        if i > 0 {
            out.push_str("<br>");
        }
        write!(out, "{}", Esc(line))?;
    }
    out.push_str("</dd>");
    Ok(())
}

fn policy_count(p: Option<&PolicyExport>) -> String {
    match p.map(|p| p.document.statement.len()) {
        None => "&mdash;".to_owned(),
        Some(1) => "1 statement".to_owned(),
        Some(n) => format!("{n} statements"),
    }
}

/// A routing weight (0.0..=1.0) as a percentage without float noise: 0.1 → "10", 0.125 → "12.5".
fn percent(weight: f64) -> String {
    let p = (weight * 100_000.0).round() / 1000.0;
    let text = format!("{p:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::export::{ConfigSummary, PolicyDocument, VersionExport};
    use std::collections::BTreeMap;

    #[test]
    fn escape_html_neutralises_markup() {
        let cases = [
            ("plain text", "plain text"),
            ("", ""),
            ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
            ("\"><img src=x onerror=alert(1)>", "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"),
            ("' onmouseover='x", "&#39; onmouseover=&#39;x"),
            ("a & b &amp; c", "a &amp; b &amp;amp; c"),
            ("</textarea></pre><!--", "&lt;/textarea&gt;&lt;/pre&gt;&lt;!--"),
            ("ünïcødé ✓ <b>", "ünïcødé ✓ &lt;b&gt;"),
        ];
        for (input, want) in cases {
            assert_eq!(escape_html(input), want, "{input}");
            // Whatever the input, nothing that opens a tag or ends an attribute survives.
            assert!(!escape_html(input).contains(['<', '>', '"', '\'']), "{input}");
        }
        assert!(matches!(escape_html("safe"), Cow::Borrowed(_)));
    }

    #[test]
    fn percentages_read_cleanly() {
        assert_eq!(percent(0.1), "10");
        assert_eq!(percent(0.125), "12.5");
        assert_eq!(percent(0.33333), "33.333");
        assert_eq!(percent(1.0), "100");
        assert_eq!(percent(0.0), "0");
    }

    fn summary(description: &str) -> ConfigSummary {
        ConfigSummary {
            version: "$LATEST".into(),
            runtime: Some("python3.12".into()),
            handler: Some("index.handler".into()),
            role: "arn:aws:iam::000000000000:role/r".into(),
            description: description.into(),
            package_type: "Zip".into(),
            image_uri: None,
            code_sha256: "abc=".into(),
            code_size: 10,
            memory_size: 128,
            timeout: 3,
            architectures: vec!["x86_64".into()],
            layers: vec![],
            last_modified: "2025-01-01T00:00:00.000+0000".into(),
            state: "Active",
            last_update_status: "Successful",
            revision_id: "rev-1".into(),
        }
    }

    #[test]
    fn hostile_state_is_escaped_everywhere_on_the_page() {
        let evil = "<script>alert('x')</script>";
        let statement = Statement::allow(
            "sid-1".into(),
            Principal::Aws(evil.into()),
            "lambda:InvokeFunction".into(),
            "arn:aws:lambda:us-east-1:000000000000:function:f".into(),
            Default::default(),
        );
        let policy = PolicyExport {
            revision_id: "prev".into(),
            document: PolicyDocument { version: "2012-10-17", id: "default", statement: vec![statement] },
        };
        let snap = Snapshot {
            lambdalite_version: "0.0.0",
            namespaces: vec![NamespaceExport {
                account: "000000000000".into(),
                region: "us-east-1".into(),
                functions: vec![FunctionExport {
                    function_name: "f".into(),
                    function_arn: "arn:aws:lambda:us-east-1:000000000000:function:f".into(),
                    configuration: summary(evil),
                    policy: Some(policy.clone()),
                    versions: vec![VersionExport {
                        version: "1".into(),
                        function_arn: "arn:aws:lambda:us-east-1:000000000000:function:f:1".into(),
                        configuration: summary(evil),
                        policy: None,
                    }],
                    aliases: vec![],
                    tags: BTreeMap::from([(evil.to_owned(), evil.to_owned())]),
                }],
                layers: vec![],
            }],
        };
        let html = render(&snap, evil);
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
        assert!(html.contains("AWS: &lt;script&gt;"));
        // The raw JSON is escaped after JSON encoding: the quotes JSON adds become entities too.
        assert!(html.contains("&quot;Sid&quot;: &quot;sid-1&quot;"));
    }

    #[test]
    fn an_empty_state_says_so() {
        let html = render(&Snapshot { lambdalite_version: "0.0.0", namespaces: vec![] }, "now");
        assert!(html.contains("No functions or layers yet."));
        assert!(html.starts_with("<!doctype html>"));
        assert!(!html.contains("<script"));
    }
}
