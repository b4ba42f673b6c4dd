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
    /// Computed coverage answers by ETag.
    pub cache: Arc<super::cache::ResponseCache>,
}

impl AppContext {
    /// A context with the default cache size.
    pub fn new(pool: PgPool, web: WebSettings) -> AppContext {
        AppContext {
            pool,
            web: Arc::new(web),
            cache: Arc::new(super::cache::ResponseCache::new(DEFAULT_CACHE_ENTRIES)),
        }
    }
}

/// Coverage answers kept in memory (a commune's JSON is some 20 KB).
pub const DEFAULT_CACHE_ENTRIES: usize = 512;
