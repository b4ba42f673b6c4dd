//! kheo's OpenAPI document (`/api/openapi.json`) against the routes the server answers: every
//! documented operation is served (not the router's 404 or 405), every route in the source
//! is documented, every error answer has the error shape, writes need the session and the
//! CSRF header, and `/api/docs` is served with its vendored assets.

use crate::helpers::{Session, TestApp, spawn_app};
use reqwest::Method;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

/// Routes that are not operations of the document, each for a reason: the OGC landing page
/// under a second spelling, the OGC catch-all that answers unknown paths with a JSON 404, and
/// the one `/tiles` catch-all whose two resources the document lists by their own paths.
const UNDOCUMENTED_ROUTES: [&str; 3] = ["/ogc/", "/ogc/{*rest}", "/tiles/{*path}"];

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

async fn document(app: &TestApp) -> Value {
    let response = app.get("/api/openapi.json").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    response.json().await.unwrap()
}

/// `(path, method)` of every operation of the document.
fn operations(document: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for method in METHODS {
            if item.get(method).is_some() {
                out.insert((path.clone(), method.to_string()));
            }
        }
    }
    out
}

/// A concrete URL of a path template, with values of the fixture.
fn concrete(path: &str) -> String {
    path.replace("{layer}", "roads")
        .replace("{collectionId}", "roads")
        .replace("{featureId}", "1")
        .replace("{id}", "1")
        .replace("{code}", "99001")
        .replace("{z}", "0")
        .replace("{x}", "0")
        .replace("{y}", "0")
}

/// Whether an answer is the router's, not a handler's: 405, or a 404 that says no route
/// matched (the `/api`, `/ogc` and `/tiles` fallbacks, or the page's files).
async fn routing_miss(response: reqwest::Response) -> Option<String> {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    let error = serde_json::from_str::<Value>(&text).ok().and_then(|v| v["error"].as_str().map(str::to_string));
    match (status, error) {
        (405, _) => Some(format!("405 {text}")),
        (404, None) => Some(format!("404 without a JSON error: {text}")),
        (404, Some(e))
            if e.starts_with("no API route")
                || e.starts_with("no OGC API route")
                || e.starts_with("no tile resource") =>
        {
            Some(format!("404 {e}"))
        }
        _ => None,
    }
}

async fn admin(app: &TestApp) -> Session {
    app.add_user("an", "admin", &[]).await;
    app.sign_in("an").await
}

#[tokio::test]
async fn every_documented_operation_is_served_and_no_other_method() {
    let app = spawn_app().await;
    app.load_fixture("two_communes.sql").await;
    let session = admin(&app).await;
    let document = document(&app).await;
    assert!(document["openapi"].as_str().unwrap().starts_with("3.1"), "{}", document["openapi"]);
    let operations = operations(&document);
    let mut misses = Vec::new();
    for (path, method) in &operations {
        if path == "/api/session" && method == "delete" {
            continue; // signs out; requested last, below
        }
        let url = concrete(path);
        let request = app.as_user(method.to_uppercase().parse().unwrap(), &url, &session);
        if let Some(miss) = routing_miss(request.send().await.unwrap()).await {
            misses.push(format!("{} {url}: {miss}", method.to_uppercase()));
        }
    }
    // Methods a documented path does not take are the router's 405, never served unseen.
    let paths: BTreeSet<&String> = operations.iter().map(|(p, _)| p).collect();
    let mut served_undocumented = Vec::new();
    for path in paths {
        for method in METHODS {
            if operations.contains(&(path.clone(), method.to_string())) {
                continue;
            }
            let url = concrete(path);
            let response = app.as_user(method.to_uppercase().parse().unwrap(), &url, &session).send().await.unwrap();
            if response.status() != 405 {
                served_undocumented.push(format!("{} {url}: {}", method.to_uppercase(), response.status()));
            }
        }
    }
    let sign_out = app.as_user(Method::DELETE, "/api/session", &session).send().await.unwrap();
    assert_eq!(sign_out.status(), 204);
    assert!(misses.is_empty(), "documented but not served:\n{}", misses.join("\n"));
    assert!(served_undocumented.is_empty(), "served but not documented:\n{}", served_undocumented.join("\n"));
    // The document covers kheo's four parts.
    for prefix in ["/api/", "/ogc", "/tiles/", "/healthz"] {
        assert!(operations.iter().any(|(p, _)| p.starts_with(prefix)), "nothing under {prefix}");
    }
}

/// The route templates written in src/http/: `.route("...")` and `path = "..."` of the
/// handlers' `#[utoipa::path]`.
fn routes_in_source() -> BTreeSet<String> {
    fn walk(dir: &Path, out: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                // A file's unit tests (its `#[cfg(test)]` module, at its end) build routers of
                // their own.
                let served = text.split("#[cfg(test)]").next().unwrap();
                for marker in [".route(", "path = "] {
                    for piece in served.split(marker).skip(1) {
                        let Some(quoted) = piece.trim_start().strip_prefix('"') else { continue };
                        let route = quoted.split('"').next().unwrap();
                        if route.starts_with('/') {
                            out.insert(route.to_string());
                        }
                    }
                }
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http"), &mut out);
    out
}

/// OpenAPI: "The id MUST be unique among all operations described in the API". Client
/// generators name their functions after it, and links name the operation they lead to.
#[tokio::test]
async fn every_operation_has_its_own_operation_id() {
    let app = spawn_app().await;
    let document = document(&app).await;
    let mut seen: std::collections::BTreeMap<String, String> = Default::default();
    let mut clashes = Vec::new();
    for (path, method) in operations(&document) {
        let id = document["paths"][&path][&method]["operationId"].as_str().unwrap_or_default().to_string();
        assert!(!id.is_empty(), "{method} {path} has no operationId");
        let here = format!("{} {path}", method.to_uppercase());
        if let Some(first) = seen.insert(id.clone(), here.clone()) {
            clashes.push(format!("`{id}`: {first} and {here}"));
        }
    }
    assert!(clashes.is_empty(), "operationIds used twice:\n{}", clashes.join("\n"));
}

/// Every link of `src/http/openapi/links.rs` is in the document, on an answer the operation
/// gives, towards an operation of the document, with values for parameters it has.
#[tokio::test]
async fn every_link_leads_to_an_operation_and_fills_its_parameters() {
    let app = spawn_app().await;
    let document = document(&app).await;
    let mut by_id: std::collections::BTreeMap<String, Value> = Default::default();
    for (path, method) in operations(&document) {
        let operation = &document["paths"][&path][&method];
        by_id.insert(operation["operationId"].as_str().unwrap().to_string(), operation.clone());
    }
    let mut found = 0;
    for (id, operation) in &by_id {
        for (status, answer) in operation["responses"].as_object().unwrap() {
            for (name, link) in answer["links"].as_object().into_iter().flatten() {
                found += 1;
                let to = link["operationId"].as_str().unwrap();
                let target =
                    by_id.get(to).unwrap_or_else(|| panic!("{id} {status} links to `{to}`, which is no operation"));
                assert_eq!(name, to, "a link is named after the operation it leads to");
                for (parameter, expression) in link["parameters"].as_object().unwrap() {
                    let (place, name) = parameter.split_once('.').unwrap_or(("path", parameter));
                    let known = target["parameters"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|p| p["name"] == name && p["in"] == place);
                    assert!(known, "{id} {status} -> {to}: `{to}` has no {place} parameter `{name}`");
                    let expression = expression.as_str().unwrap();
                    assert!(expression.starts_with('$'), "{id} -> {to}: `{expression}` is not a runtime expression");
                    if let Some(pointer) = expression.strip_prefix("$response.body#") {
                        let schema =
                            answer["content"].as_object().and_then(|c| c.values().next()).map(|c| &c["schema"]);
                        assert!(schema.is_some(), "{id} {status} -> {to}: `{pointer}` of an answer without a body");
                    }
                }
            }
        }
    }
    assert_eq!(found, kheo::http::openapi::links::LINKS.len(), "every link of links.rs is in the document, once");
    assert!(found > 0);
}

#[tokio::test]
async fn every_route_in_the_source_is_documented_and_nothing_else() {
    let app = spawn_app().await;
    let document = document(&app).await;
    let documented: BTreeSet<String> = document["paths"].as_object().unwrap().keys().cloned().collect();
    let in_source = routes_in_source();
    let exempt: BTreeSet<String> = UNDOCUMENTED_ROUTES.iter().map(|r| r.to_string()).collect();
    let undocumented: Vec<&String> = in_source.difference(&documented).filter(|r| !exempt.contains(*r)).collect();
    assert!(undocumented.is_empty(), "routes in src/http/ missing from the document: {undocumented:?}");
    let unknown: Vec<&String> = documented.difference(&in_source).collect();
    assert!(unknown.is_empty(), "documented paths written nowhere in src/http/: {unknown:?}");
    for route in UNDOCUMENTED_ROUTES {
        assert!(in_source.contains(route), "{route} is no longer a route: take it out of UNDOCUMENTED_ROUTES");
    }
}

#[tokio::test]
async fn every_error_answer_has_the_error_shape_and_writes_need_the_session() {
    let app = spawn_app().await;
    app.load_fixture("two_communes.sql").await;
    let document = document(&app).await;
    let error = &document["components"]["schemas"]["Error"];
    assert_eq!(error["required"], serde_json::json!(["error", "detail"]), "{error}");
    let mut wrong = Vec::new();
    for (path, method) in operations(&document) {
        let operation = &document["paths"][&path][&method];
        for (status, answer) in operation["responses"].as_object().unwrap() {
            if !(status.starts_with('4') || status.starts_with('5')) {
                continue;
            }
            let schema = answer["content"]["application/json"]["schema"]["$ref"].as_str().unwrap_or("none");
            // An import's 422 is its report with `error` (src/http/import.rs); /healthz says
            // `{"status": "unavailable"}` with its 503 (src/http/health.rs).
            let allowed =
                ["#/components/schemas/Error", "#/components/schemas/ErrorBody", "#/components/schemas/ImportReport"];
            let health = path == "/healthz" && schema == "#/components/schemas/Health";
            if !allowed.contains(&schema) && !health {
                wrong.push(format!("{method} {path} {status}: {schema}"));
            }
        }
        let security = operation["security"].to_string();
        let is_write = method != "get" && !(path == "/api/session" && method == "post");
        if is_write {
            assert_eq!(security, r#"[{"csrf":[],"session":[]}]"#, "{method} {path}");
            // Without a session: 401, before anything is read.
            let url = concrete(&path);
            let response =
                app.client.request(method.to_uppercase().parse().unwrap(), app.url(&url)).send().await.unwrap();
            assert_eq!(response.status(), 401, "{method} {url} without a session");
        } else {
            assert_eq!(security, r#"[{},{"session":[]}]"#, "{method} {path}");
        }
    }
    assert!(wrong.is_empty(), "error answers without the error shape:\n{}", wrong.join("\n"));
}

#[tokio::test]
async fn the_docs_page_is_served_with_its_vendored_assets() {
    let app = spawn_app().await;
    let page = app.get("/api/docs").await;
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = page.text().await.unwrap();
    for asset in ["/vendor/swagger-ui/swagger-ui-bundle.js", "/vendor/swagger-ui/swagger-ui.css", "/api-docs.js"] {
        assert!(html.contains(asset), "{asset} not in the page");
        let response = app.get(asset).await;
        assert_eq!(response.status(), 200, "{asset}");
        assert!(!response.bytes().await.unwrap().is_empty(), "{asset}");
    }
    // No address outside the server in the page.
    assert!(!html.contains("http://") && !html.contains("https://"), "{html}");
}

/// The media types the document lists for an operation's 200 answer.
fn documented_types(document: &Value, path: &str) -> Vec<String> {
    document["paths"][path]["get"]["responses"]["200"]["content"]
        .as_object()
        .map(|content| content.keys().cloned().collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn every_ogc_answer_is_of_a_type_the_document_lists_html_included() {
    let app = spawn_app().await;
    app.load_fixture("two_communes.sql").await;
    let document = document(&app).await;
    let mut checked = 0;
    let mut unlisted = Vec::new();
    for (path, method) in operations(&document) {
        if method != "get" || !path.starts_with("/ogc") {
            continue;
        }
        let listed = documented_types(&document, &path);
        for format in ["json", "html"] {
            let url = format!("{}?f={format}", concrete(&path));
            let response = app.get(&url).await;
            if response.status() != 200 {
                continue; // e.g. no feature 1 in this collection: its 404 is checked elsewhere
            }
            let served = response.headers()["content-type"].to_str().unwrap().to_string();
            let media = served.split(';').next().unwrap_or_default().trim().to_string();
            checked += 1;
            if !listed.iter().any(|l| l.split(';').next().unwrap_or_default() == media) {
                unlisted.push(format!("{url}: {served}, listed {listed:?}"));
            }
        }
    }
    assert!(checked >= 14, "HTML and JSON of the OGC answers were checked: {checked}");
    assert!(unlisted.is_empty(), "served with a type the document does not list:\n{}", unlisted.join("\n"));
}
