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

/// Who may do what, and the limits on what is sent.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Whether anonymous visitors may read (`KHEO_ANONYMOUS_READ`); when false every `/api`
    /// read needs a session too.
    pub anonymous_read: bool,
    /// Adds `Secure` to the session cookie (set it when kheo is served over HTTPS).
    pub secure_cookies: bool,
    /// Where coordinates may lie, `[west, south, east, north]` in degrees.
    pub extent: [f64; 4],
    /// The largest request body accepted, in bytes (uploads above it get 413).
    pub max_upload_bytes: usize,
    /// Take the client's address from the last `X-Forwarded-For` entry (behind a reverse
    /// proxy, where every peer address is the proxy's) for the sign-in limit per address.
    pub trust_proxy: bool,
}

/// Vietnam with Hoàng Sa and Trường Sa, in degrees.
pub const VIETNAM_EXTENT: [f64; 4] = [102.0, 6.0, 118.0, 24.0];
/// 50 MiB.
pub const DEFAULT_MAX_UPLOAD_BYTES: usize = 50 * 1024 * 1024;

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            anonymous_read: true,
            secure_cookies: false,
            extent: VIETNAM_EXTENT,
            max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES,
            trust_proxy: false,
        }
    }
}

#[derive(Clone)]
pub struct AppContext {
    pub pool: PgPool,
    pub web: Arc<WebSettings>,
    pub policy: Arc<Policy>,
    /// Computed coverage answers by ETag.
    pub cache: Arc<super::cache::ResponseCache>,
    /// The photo upload limits and the decodes running.
    pub photos: Arc<super::photos::PhotoGate>,
}

impl AppContext {
    /// A context with the default cache size.
    pub fn new(pool: PgPool, web: WebSettings) -> AppContext {
        AppContext {
            pool,
            web: Arc::new(web),
            policy: Arc::new(Policy::default()),
            cache: Arc::new(super::cache::ResponseCache::new(DEFAULT_CACHE_ENTRIES)),
            photos: Arc::new(super::photos::PhotoGate::default()),
        }
    }

    /// The same context with other photo limits.
    pub fn with_photos(mut self, photos: super::photos::PhotoGate) -> AppContext {
        self.photos = Arc::new(photos);
        self
    }

    /// The same context under another policy.
    pub fn with_policy(mut self, policy: Policy) -> AppContext {
        self.policy = Arc::new(policy);
        self
    }
}

/// Coverage answers kept in memory (a commune's JSON is some 20 KB).
pub const DEFAULT_CACHE_ENTRIES: usize = 512;
