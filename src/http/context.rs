//! The one context every handler shares.

use super::streams::StreamSlots;
use crate::auth::password::PasswordChecks;
use sqlx::PgPool;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

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
    /// Imports (`POST /api/import`) running at once; more get 503 with `Retry-After`
    /// before their upload is read (`KHEO_MAX_IMPORTS`).
    pub max_imports: usize,
    /// Take the client's address from the last `X-Forwarded-For` entry (behind a reverse
    /// proxy, where every peer address is the proxy's) for the sign-in limit per address.
    pub trust_proxy: bool,
    /// The longest a connection may take to send a request's head, and stay idle between
    /// requests (`KHEO_HEADER_TIMEOUT_S`).
    pub header_timeout: Duration,
    /// Client connections served at once; more are refused with 503
    /// (`KHEO_MAX_CLIENT_CONNECTIONS`, kept below the open-file limit).
    pub max_client_connections: usize,
    /// The longest a response may take, from its request to its last byte: a slow download
    /// is cut there (`KHEO_STREAM_TIMEOUT_S`).
    pub stream_timeout: Duration,
    /// Streamed answers (layers, downloads) one client address may have open at once;
    /// more get 429 (`KHEO_MAX_STREAMS_PER_CLIENT`).
    pub max_streams_per_client: usize,
    /// Who may show the page in a frame: the CSP `frame-ancestors` sources
    /// (`KHEO_FRAME_ANCESTORS`; `'none'` by default).
    pub frame_ancestors: String,
}

/// Vietnam with Hoàng Sa and Trường Sa, in degrees.
pub const VIETNAM_EXTENT: [f64; 4] = [102.0, 6.0, 118.0, 24.0];
/// 50 MiB.
pub const DEFAULT_MAX_UPLOAD_BYTES: usize = 50 * 1024 * 1024;
/// Two imports at once: each holds a few batches of features and a database transaction.
pub const DEFAULT_MAX_IMPORTS: usize = 2;
/// Defaults of the connection limits (see [`Policy`]).
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(20);
pub const DEFAULT_MAX_CLIENT_CONNECTIONS: usize = 1024;
pub const DEFAULT_STREAM_TIMEOUT: Duration = Duration::from_secs(600);
pub const DEFAULT_MAX_STREAMS_PER_CLIENT: usize = 8;

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            anonymous_read: true,
            secure_cookies: false,
            extent: VIETNAM_EXTENT,
            max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES,
            max_imports: DEFAULT_MAX_IMPORTS,
            trust_proxy: false,
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            max_client_connections: DEFAULT_MAX_CLIENT_CONNECTIONS,
            stream_timeout: DEFAULT_STREAM_TIMEOUT,
            max_streams_per_client: DEFAULT_MAX_STREAMS_PER_CLIENT,
            frame_ancestors: "'none'".into(),
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
    /// One permit per import allowed to run at once ([`Policy::max_imports`]).
    pub imports: Arc<Semaphore>,
    /// The password checks of sign-ins, bounded in number and memory.
    pub password_checks: Arc<PasswordChecks>,
    /// Streamed answers open per client address.
    pub streams: Arc<StreamSlots>,
}

impl AppContext {
    /// A context with the default cache size.
    pub fn new(pool: PgPool, web: WebSettings) -> AppContext {
        let policy = Policy::default();
        AppContext {
            streams: Arc::new(StreamSlots::new(policy.max_streams_per_client, pool.options().get_max_connections())),
            pool,
            web: Arc::new(web),
            policy: Arc::new(policy),
            cache: Arc::new(super::cache::ResponseCache::new(DEFAULT_CACHE_ENTRIES)),
            imports: Arc::new(Semaphore::new(DEFAULT_MAX_IMPORTS)),
            password_checks: Arc::new(PasswordChecks::per_cpu()),
        }
    }

    /// The same context under another policy.
    pub fn with_policy(mut self, policy: Policy) -> AppContext {
        self.imports = Arc::new(Semaphore::new(policy.max_imports));
        self.streams =
            Arc::new(StreamSlots::new(policy.max_streams_per_client, self.pool.options().get_max_connections()));
        self.policy = Arc::new(policy);
        self
    }

    /// The same context with another cache size.
    pub fn with_cache_entries(mut self, entries: usize) -> AppContext {
        self.cache = Arc::new(super::cache::ResponseCache::new(entries));
        self
    }
}

/// Coverage answers kept in memory (a commune's JSON is some 20 KB).
pub const DEFAULT_CACHE_ENTRIES: usize = 512;
