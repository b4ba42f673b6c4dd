//! Security headers on every response: a Content Security Policy that the page passes
//! without allowing inline scripts, `X-Content-Type-Options: nosniff`, `Referrer-Policy`,
//! and who may frame the page.
//!
//! The page's only inline script is its import map (which cannot be a separate file); the
//! policy names it, and any other inline script of `web/index.html`, by the SHA-256 of its
//! text, computed when the server starts from the page it serves. MapLibre draws in Web
//! Workers made from `blob:` URLs and its images may be `data:` or `blob:` URLs; an
//! online basemap (`KHEO_BASEMAP_TILES`) adds its origin to the images and connections.

use super::context::{Policy, WebSettings};
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use base64::Engine;
use sha2::{Digest, Sha256};

/// The headers added to every response.
#[derive(Debug, Clone)]
pub struct SecurityHeaders {
    headers: Vec<(HeaderName, HeaderValue)>,
}

impl SecurityHeaders {
    /// The headers for the page `index_html` under these settings.
    pub fn new(index_html: &str, web: &WebSettings, policy: &Policy) -> SecurityHeaders {
        let csp = content_security_policy(index_html, web.basemap_tiles.as_deref(), &policy.frame_ancestors);
        let mut headers = vec![
            (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
            (header::REFERRER_POLICY, HeaderValue::from_static("same-origin")),
        ];
        match HeaderValue::from_str(&csp) {
            Ok(value) => headers.push((header::CONTENT_SECURITY_POLICY, value)),
            // Settings are checked when read; this would be a bug, and no CSP beats no page.
            Err(error) => tracing::error!(%error, csp, "the Content-Security-Policy is not a valid header"),
        }
        if policy.frame_ancestors == "'none'" {
            // For browsers that predate CSP's frame-ancestors.
            headers.push((header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")));
        }
        SecurityHeaders { headers }
    }

    /// Adds the headers that the response does not set itself.
    pub fn apply(&self, target: &mut HeaderMap) {
        for (name, value) in &self.headers {
            if !target.contains_key(name) {
                target.insert(name.clone(), value.clone());
            }
        }
    }
}

/// The policy: everything from kheo itself, inline scripts only by hash, no plugins, no
/// framing but by `frame_ancestors`.
pub fn content_security_policy(index_html: &str, basemap_tiles: Option<&str>, frame_ancestors: &str) -> String {
    let mut scripts = vec!["'self'".to_string()];
    scripts.extend(inline_scripts(index_html).map(|text| {
        let digest = Sha256::digest(text.as_bytes());
        format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest))
    }));
    let basemap = basemap_tiles.and_then(origin).map(|o| format!(" {o}")).unwrap_or_default();
    format!(
        "default-src 'self'; script-src {scripts}; style-src 'self'; img-src 'self' data: blob:{basemap}; \
         font-src 'self'; connect-src 'self'{basemap}; worker-src 'self' blob:; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors {frame_ancestors}",
        scripts = scripts.join(" ")
    )
}

/// The text of every `<script>` element without a `src` in `html`, exactly as it stands
/// between its tags (what the browser hashes).
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|rest| {
        let (attributes, after) = rest.split_once('>')?;
        if attributes.contains("src=") {
            return None;
        }
        after.split_once("</script>").map(|(text, _)| text)
    })
}

/// `https://tiles.example.vn` of a tile URL template; a `{s}` subdomain becomes `*`.
fn origin(template: &str) -> Option<String> {
    let (scheme, rest) = template.split_once("://")?;
    let host = rest.split('/').next()?.replace("{s}", "*");
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '*' | '[' | ']');
    if !matches!(scheme, "http" | "https") || host.is_empty() || !host.chars().all(allowed) {
        return None;
    }
    Some(format!("{scheme}://{host}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_allowed_by_their_hash_and_nothing_else_inline() {
        let html = "<script src=\"a.js\"></script>\n<script type=\"importmap\">\n  {\"imports\": {}}\n</script>";
        let csp = content_security_policy(html, None, "'none'");
        // echo -n '\n  {"imports": {}}\n' | openssl dgst -sha256 -binary | base64
        let expected = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(b"\n  {\"imports\": {}}\n"));
        assert!(csp.contains(&format!("script-src 'self' 'sha256-{expected}';")), "{csp}");
        assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{csp}");
        assert!(csp.ends_with("frame-ancestors 'none'"), "{csp}");
    }

    #[test]
    fn a_basemap_origin_is_allowed_for_images_and_connections() {
        let csp = content_security_policy("", Some("https://{s}.tile.example.vn/{z}/{x}/{y}.png"), "'self'");
        assert!(csp.contains("img-src 'self' data: blob: https://*.tile.example.vn;"), "{csp}");
        assert!(csp.contains("connect-src 'self' https://*.tile.example.vn;"), "{csp}");
        assert_eq!(origin("javascript:alert(1)"), None);
        assert_eq!(origin("https://a.vn;script-src */x"), None);
        assert_eq!(origin("http://127.0.0.1:8081/{z}/{x}/{y}.png").as_deref(), Some("http://127.0.0.1:8081"));
    }
}
