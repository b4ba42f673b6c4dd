//! Streamed answers (layers and their downloads): the cap on streams per client address,
//! the share of the database pool their queries may take, and the body that starts with the
//! query's first chunk.

use super::error::{ApiError, ApiResult};
use crate::store::stream::Chunks;
use axum::body::Body;
use axum::http::StatusCode;
use futures_util::StreamExt;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How many streams each client address may have open at once, and how many of their
/// queries run at once.
pub struct StreamSlots {
    per_client: usize,
    open: Mutex<HashMap<String, usize>>,
    /// Half the pool: however many big downloads start together, the other requests always
    /// find a connection (a query holds its connection only while PostgreSQL produces the
    /// rows, see `store::stream`).
    queries: Arc<Semaphore>,
}

/// One open stream of a client; dropping it (when the body ends or the client leaves) frees
/// the slot.
pub struct StreamSlot {
    slots: Arc<StreamSlots>,
    address: String,
}

impl StreamSlots {
    pub fn new(per_client: usize, pool_size: u32) -> StreamSlots {
        let queries = Arc::new(Semaphore::new((pool_size as usize / 2).max(1)));
        StreamSlots { per_client: per_client.max(1), open: Mutex::default(), queries }
    }

    /// Waits for a turn to run a stream's query; the query holds it until its last row.
    pub async fn query_turn(&self) -> ApiResult<OwnedSemaphorePermit> {
        self.queries.clone().acquire_owned().await.map_err(|_| ApiError::Unavailable)
    }

    /// A slot for `address`, or 429 with `Retry-After` when it has all of its streams open.
    pub fn acquire(self: &Arc<Self>, address: &str) -> ApiResult<StreamSlot> {
        let mut open = self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let count = open.entry(address.to_string()).or_default();
        if *count >= self.per_client {
            return Err(ApiError::retry_later(
                StatusCode::TOO_MANY_REQUESTS,
                format!("{} downloads are already running from your address; wait for one to finish", self.per_client),
                5,
            ));
        }
        *count += 1;
        Ok(StreamSlot { slots: self.clone(), address: address.to_string() })
    }

    /// Streams open from `address` now.
    pub fn open(&self, address: &str) -> usize {
        self.open.lock().map(|open| open.get(address).copied().unwrap_or(0)).unwrap_or(0)
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = self.slots.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(count) = open.get_mut(&self.address) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.address);
            }
        }
    }
}

/// The body of a streamed answer, holding `slot` until it ends. It waits for the first
/// chunk so that a query that fails is answered with its error status, not a 200 cut short.
pub async fn body(mut chunks: Chunks, slot: StreamSlot) -> ApiResult<Body> {
    let first = match chunks.next().await {
        Some(Ok(bytes)) => bytes,
        Some(Err(error)) => return Err(error.into()),
        None => return Err(ApiError::Internal(anyhow::anyhow!("the stream ended before it began"))),
    };
    let rest = chunks.into_stream().map(move |chunk| {
        let _held_until_the_body_ends = &slot;
        chunk
    });
    Ok(Body::from_stream(futures_util::stream::once(async move { Ok::<_, sqlx::Error>(first) }).chain(rest)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_address_has_its_own_slots_and_a_dropped_slot_is_free_again() {
        let slots = Arc::new(StreamSlots::new(2, 4));
        let a1 = slots.acquire("10.0.0.1").unwrap();
        let _a2 = slots.acquire("10.0.0.1").unwrap();
        assert!(slots.acquire("10.0.0.1").is_err());
        let _b1 = slots.acquire("10.0.0.2").unwrap();
        drop(a1);
        assert_eq!(slots.open("10.0.0.1"), 1);
        assert!(slots.acquire("10.0.0.1").is_ok());
    }
}
