//! Computed answers by ETag. An ETag is made of the data's revisions, the query and the
//! date, so an entry never goes stale: any change to the data makes a new tag, and the old
//! entry simply stops being asked for. Bounded, oldest first out.
//!
//! Written by hand: a bounded map of a few hundred entries does not need a cache crate.
//!
//! Requests for an answer being computed wait for that computation rather than start their
//! own ([`ResponseCache::get_or_compute`]): fifty clients opening a province at once cost
//! one computation and three database connections, not fifty and a hundred and fifty.

use bytes::Bytes;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

#[derive(Debug, Default)]
pub struct ResponseCache {
    capacity: usize,
    entries: Mutex<(HashMap<String, Bytes>, VecDeque<String>)>,
    /// The answers being computed, by tag, each awaited by whoever asks for it meanwhile.
    in_flight: Mutex<HashMap<String, Arc<OnceCell<Bytes>>>>,
}

impl ResponseCache {
    /// A cache of at most `capacity` answers; 0 turns it off.
    pub fn new(capacity: usize) -> ResponseCache {
        ResponseCache { capacity, entries: Mutex::default(), in_flight: Mutex::default() }
    }

    /// The answer of `tag`: from the cache, else from the computation already running for
    /// it, else computed by `compute` (and kept). A computation that fails gives its error
    /// to its own caller; one waiting then computes in its turn. When the request that
    /// computes goes away (its client left), one of those waiting takes over.
    pub async fn get_or_compute<E>(
        &self,
        tag: &str,
        compute: impl AsyncFnOnce() -> Result<Bytes, E>,
    ) -> Result<Bytes, E> {
        if let Some(body) = self.get(tag) {
            return Ok(body);
        }
        let Some(flight) =
            self.in_flight.lock().ok().map(|mut flights| {
                Arc::clone(flights.entry(tag.to_string()).or_insert_with(|| Arc::new(OnceCell::new())))
            })
        else {
            return compute().await;
        };
        let result = flight.get_or_try_init(|| compute()).await.cloned();
        if let Ok(body) = &result {
            self.put(tag, body.clone());
        }
        if let Ok(mut flights) = self.in_flight.lock()
            && flights.get(tag).is_some_and(|running| Arc::ptr_eq(running, &flight))
        {
            flights.remove(tag);
        }
        result
    }

    /// Whether answers are kept at all (`KHEO_CACHE_ENTRIES` above 0).
    pub fn is_on(&self) -> bool {
        self.capacity > 0
    }

    pub fn get(&self, tag: &str) -> Option<Bytes> {
        self.entries.lock().ok()?.0.get(tag).cloned()
    }

    pub fn put(&self, tag: &str, body: Bytes) {
        if self.capacity == 0 {
            return;
        }
        let Ok(mut guard) = self.entries.lock() else { return };
        let (map, order) = &mut *guard;
        if map.insert(tag.to_string(), body).is_none() {
            order.push_back(tag.to_string());
        }
        while order.len() > self.capacity {
            if let Some(oldest) = order.pop_front() {
                map.remove(&oldest);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_answer_goes_first_when_full() {
        let cache = ResponseCache::new(2);
        cache.put("a", Bytes::from_static(b"1"));
        cache.put("b", Bytes::from_static(b"2"));
        cache.put("c", Bytes::from_static(b"3"));

        assert_eq!(cache.get("a"), None);
        assert_eq!(cache.get("b").as_deref(), Some(&b"2"[..]));
        assert_eq!(cache.get("c").as_deref(), Some(&b"3"[..]));
    }

    #[tokio::test]
    async fn requests_for_an_answer_being_computed_wait_for_it_instead_of_computing_it_again() {
        let cache = Arc::new(ResponseCache::new(4));
        let computations = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let requests = (0..20).map(|_| {
            let (cache, computations) = (Arc::clone(&cache), Arc::clone(&computations));
            tokio::spawn(async move {
                cache
                    .get_or_compute::<()>("tag", async || {
                        computations.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        Ok(Bytes::from_static(b"answer"))
                    })
                    .await
            })
        });
        for answer in futures_util::future::join_all(requests).await {
            assert_eq!(answer.unwrap().unwrap(), Bytes::from_static(b"answer"));
        }
        assert_eq!(computations.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert!(cache.in_flight.lock().unwrap().is_empty(), "nothing left in flight");

        // Once done, an error is its caller's alone; the next request computes again.
        let failed = cache.get_or_compute("other", async || Err::<Bytes, &str>("database down")).await;
        assert_eq!(failed, Err("database down"));
        let again = cache.get_or_compute::<&str>("other", async || Ok(Bytes::from_static(b"back"))).await;
        assert_eq!(again, Ok(Bytes::from_static(b"back")));
    }

    #[test]
    fn a_zero_capacity_cache_keeps_nothing() {
        let cache = ResponseCache::new(0);
        cache.put("a", Bytes::from_static(b"1"));
        assert_eq!(cache.get("a"), None);
    }
}
