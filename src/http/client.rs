//! Who is at the other end: the client's IP address, for the limits kept per address (sign-in
//! attempts, concurrent streams).

use super::AppContext;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use std::net::SocketAddr;

/// The client's IP address: the peer's, or with `KHEO_TRUST_PROXY` the last address of
/// `X-Forwarded-For` (the one the proxy in front of kheo appended); "unknown" when the server
/// was not started with connect info.
pub struct ClientAddress(pub String);

impl FromRequestParts<AppContext> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, ctx: &AppContext) -> Result<ClientAddress, Self::Rejection> {
        if ctx.policy.trust_proxy
            && let Some(forwarded) = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .rfind(|v| !v.is_empty())
        {
            // Bounded: the address is a key of the limits' tables and maps.
            return Ok(ClientAddress(forwarded.chars().take(64).collect()));
        }
        let address = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string());
        Ok(ClientAddress(address.unwrap_or_else(|| "unknown".into())))
    }
}
