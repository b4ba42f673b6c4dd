//! The HTML encoding of `/ogc`, for people who open it in a browser: plain pages with one
//! linked style sheet (`web/ogc.css`; no inline script or style, so a strict
//! Content-Security-Policy holds). Every value from the data is escaped.

use super::format::Format;
use super::links::{Collection, Collections, Conformance, LandingPage, Link};
use crate::layers::Layer;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;

/// The document as JSON (of media type `json_type`) or as the page `html` draws.
pub fn respond<T: Serialize>(
    format: Format,
    doc: &T,
    json_type: &'static str,
    html: impl FnOnce() -> String,
) -> Response {
    match format {
        Format::Html => html_response(html()),
        Format::Json => {
            let body = match serde_json::to_vec(doc) {
                Ok(body) => body,
                Err(e) => return super::super::error::ApiError::Internal(e.into()).into_response(),
            };
            let mut response = (StatusCode::OK, body).into_response();
            response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(json_type));
            response
        }
    }
}

pub fn html_response(page: String) -> Response {
    let mut response = (StatusCode::OK, page).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    response
}

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · kheo OGC API</title><link rel=\"stylesheet\" href=\"/ogc.css\"></head>\
         <body><nav><a href=\"/ogc?f=html\">kheo OGC API</a> · <a href=\"/ogc/collections?f=html\">collections</a> · \
         <a href=\"/ogc/api?f=html\">API</a> · <a href=\"/\">bản đồ</a></nav><main><h1>{title}</h1>\n{body}</main></body></html>\n",
        title = escape(title)
    )
}

fn link_list(all: &[Link]) -> String {
    let items: String = all
        .iter()
        .map(|l| {
            format!(
                "<li><a href=\"{}\">{}</a> <small>{} · {}</small></li>",
                escape(&l.href),
                escape(l.title.as_deref().unwrap_or(&l.href)),
                escape(&l.rel),
                escape(l.media_type.as_deref().unwrap_or(""))
            )
        })
        .collect();
    format!("<ul class=\"links\">{items}</ul>")
}

pub fn landing(doc: &LandingPage) -> String {
    page(&doc.title, &format!("<p>{}</p>{}", escape(&doc.description), link_list(&doc.links)))
}

pub fn conformance(doc: &Conformance) -> String {
    let items: String = doc.conforms_to.iter().map(|c| format!("<li><code>{}</code></li>", escape(c))).collect();
    page("Conformance", &format!("<ul>{items}</ul>"))
}

pub fn collections(doc: &Collections) -> String {
    let rows: String = doc.collections.iter().map(collection_row).collect();
    page(
        "Collections",
        &format!(
            "<table><thead><tr><th>id</th><th>title</th><th>extent</th></tr></thead><tbody>{rows}</tbody></table>"
        ),
    )
}

fn collection_row(c: &Collection) -> String {
    format!(
        "<tr><td><a href=\"/ogc/collections/{id}?f=html\">{id}</a></td><td>{}</td><td>{}</td></tr>",
        escape(&c.title),
        escape(&extent_text(c)),
        id = escape(&c.id)
    )
}

fn extent_text(c: &Collection) -> String {
    let mut parts = Vec::new();
    if let Some(spatial) = &c.extent.spatial {
        let b = spatial.bbox[0];
        parts.push(format!("{:.5}, {:.5} – {:.5}, {:.5}", b[0], b[1], b[2], b[3]));
    }
    if let Some(temporal) = &c.extent.temporal {
        let [first, last] = &temporal.interval[0];
        // The date part of an RFC 3339 instant.
        let day = |d: &Option<String>| {
            d.as_deref().map(|d| d.split('T').next().unwrap_or(d).to_string()).unwrap_or_else(|| "..".into())
        };
        parts.push(format!("{} / {}", day(first), day(last)));
    }
    parts.join(" · ")
}

pub fn collection(doc: &Collection) -> String {
    let crs: String = doc.crs.iter().map(|c| format!("<li><code>{}</code></li>", escape(c))).collect();
    page(
        &doc.title,
        &format!(
            "<p>{}</p><p>Extent: {}</p>{}<details><summary>CRS ({})</summary><ul>{crs}</ul></details>",
            escape(&doc.description),
            escape(&extent_text(doc)),
            link_list(&doc.links),
            doc.crs.len()
        ),
    )
}

/// A page of features as a table of their properties.
pub fn items(layer: &Layer, collection: &Value) -> String {
    let empty = Vec::new();
    let features = collection["features"].as_array().unwrap_or(&empty);
    let mut names = vec!["commune".to_string()];
    names.extend(layer.fields().map(|f| f.name.to_string()));
    let head: String = names.iter().map(|n| format!("<th>{}</th>", escape(n))).collect();
    let rows: String = features
        .iter()
        .map(|f| {
            let id = value_text(&f["id"]);
            let cells: String =
                names.iter().map(|n| format!("<td>{}</td>", escape(&value_text(&f["properties"][n])))).collect();
            format!(
                "<tr><td><a href=\"/ogc/collections/{}/items/{}?f=html\">{}</a></td>{cells}</tr>",
                escape(layer.id),
                escape(&id),
                escape(&id)
            )
        })
        .collect();
    let pages: Vec<Link> = serde_json::from_value(collection["links"].clone()).unwrap_or_default();
    let pages: Vec<Link> =
        pages.into_iter().filter(|l| l.rel == "next" || l.rel == "prev" || l.rel == "alternate").collect();
    page(
        &format!("{} — {}", layer.title_vi, layer.title_en),
        &format!(
            "<p>{} of {} features.</p>{}<table><thead><tr><th>id</th>{head}</tr></thead><tbody>{rows}</tbody></table>",
            features.len(),
            value_text(&collection["numberMatched"]),
            link_list(&pages)
        ),
    )
}

pub fn item(layer: &Layer, feature: &Value, all: &[Link]) -> String {
    let rows: String = feature["properties"]
        .as_object()
        .map(|props| {
            props
                .iter()
                .map(|(k, v)| {
                    let title = layer.field(k).map(|f| format!("{} ({})", f.vi, f.en)).unwrap_or_else(|| k.clone());
                    format!("<tr><th>{}</th><td>{}</td></tr>", escape(&title), escape(&value_text(v)))
                })
                .collect()
        })
        .unwrap_or_default();
    let kind = feature["geometry"]["type"].as_str().unwrap_or("");
    page(
        &format!("{} {}", layer.title_en, value_text(&feature["id"])),
        &format!(
            "<table><tbody>{rows}<tr><th>geometry</th><td>{}</td></tr></tbody></table>{}",
            escape(kind),
            link_list(all)
        ),
    )
}

pub fn queryables(layer: &Layer, schema: &Value) -> String {
    let rows: String = schema["properties"]
        .as_object()
        .map(|props| {
            props
                .iter()
                .map(|(name, p)| {
                    let ty = p["type"].as_str().or(p["format"].as_str()).unwrap_or("geometry");
                    let values = p["enum"].as_array().map(|v| v.iter().map(value_text).collect::<Vec<_>>().join(", "));
                    format!(
                        "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                        escape(name),
                        escape(ty),
                        escape(&value_text(&p["title"])),
                        escape(&values.unwrap_or_default())
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    page(
        &format!("Queryables of {}", layer.id),
        &format!(
            "<table><thead><tr><th>name</th><th>type</th><th>title</th><th>values</th></tr></thead><tbody>{rows}</tbody></table>"
        ),
    )
}

/// The OpenAPI document as a list of its operations with their parameters.
pub fn api(doc: &Value) -> String {
    let mut body = String::from("<p>The OpenAPI document: <a href=\"/ogc/api?f=json\">/ogc/api</a>.</p>");
    if let Some(paths) = doc["paths"].as_object() {
        for (path, ops) in paths {
            for (method, op) in ops.as_object().into_iter().flatten() {
                let params: String = op["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|p| {
                        format!(
                            "<li><code>{}</code> ({}) {}</li>",
                            escape(&value_text(&p["name"])),
                            escape(&value_text(&p["in"])),
                            escape(&value_text(&p["description"]))
                        )
                    })
                    .collect();
                body.push_str(&format!(
                    "<h2><code>{} {}</code></h2><p>{}</p><ul>{params}</ul>",
                    escape(&method.to_uppercase()),
                    escape(path),
                    escape(&value_text(&op["description"]))
                ));
            }
        }
    }
    page("kheo OGC API - Features", &body)
}

/// A JSON value as plain text (strings without quotes, null as nothing).
fn value_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
