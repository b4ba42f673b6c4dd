//! The one context every handler shares.

use sqlx::PgPool;
use std::sync::Arc;

/// Settings the page needs from the server.
#[derive(Debug, Clone, Default)]
pub struct WebSettings {
    /// URL template of an optional online raster basemap (`https://.../{z}/{x}/{y}.png`).
    pub basemap_tiles: Option<String>,
    pub basemap_attribution: Option<String>,
    /// The commune the page opens on; the first one when unset.
    pub default_commune: Option<String>,
}

#[derive(Clone)]
pub struct AppContext {
    pub pool: PgPool,
    pub web: Arc<WebSettings>,
}
