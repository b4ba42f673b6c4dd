//! Computed answers by ETag. An ETag is made of the data's revisions, the query and the
//! date, so an entry never goes stale: any change to the data makes a new tag, and the old
//! entry simply stops being asked for. Bounded, oldest first out.
//!
//! Written by hand: a bounded map of a few hundred entries does not need a cache crate.

use bytes::Bytes;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

#[derive(Debug, Default)]
pub struct ResponseCache {
    capacity: usize,
    entries: Mutex<(HashMap<String, Bytes>, VecDeque<String>)>,
}

impl ResponseCache {
    /// A cache of at most `capacity` answers; 0 turns it off.
    pub fn new(capacity: usize) -> ResponseCache {
        ResponseCache { capacity, entries: Mutex::default() }
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

    #[test]
    fn a_zero_capacity_cache_keeps_nothing() {
        let cache = ResponseCache::new(0);
        cache.put("a", Bytes::from_static(b"1"));
        assert_eq!(cache.get("a"), None);
    }
}
