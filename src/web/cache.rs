//! Pages and charts computed from the data, kept until the data changes.
//!
//! Every write to the store bumps its generation; an entry made at an older generation
//! is never served. Keys name everything else the output depends on (plan, date, view,
//! and the day, for pages whose default date is today). Nothing per user is cached.

use std::collections::HashMap;
use std::sync::Mutex;

/// Entries kept at most; past that the cache starts afresh (pages are cheap to rebuild,
/// and a bounded map needs no eviction bookkeeping).
const MAX_ENTRIES: usize = 512;

pub struct PageCache<V> {
    entries: Mutex<HashMap<String, (u64, V)>>,
}

impl<V> Default for PageCache<V> {
    fn default() -> Self {
        Self { entries: Mutex::new(HashMap::new()) }
    }
}

/// A rendered page body, its title and anything it adds to `<head>`.
pub struct Page {
    pub title: String,
    pub head: String,
    pub body: String,
}

/// A rendered chart and its `ETag`.
pub struct Svg {
    pub svg: String,
    pub etag: String,
}

impl<V: Clone> PageCache<V> {
    /// The entry for `key` if it was made at `generation`.
    pub fn get(&self, key: &str, generation: u64) -> Option<V> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.get(key).filter(|(g, _)| *g == generation).map(|(_, v)| v.clone())
    }

    /// Keeps `value`, made from the data at `generation`.
    pub fn put(&self, key: String, generation: u64, value: V) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(key, (generation, value));
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn an_entry_is_served_only_at_its_generation() {
        let c: PageCache<Arc<str>> = PageCache::default();
        c.put("k".into(), 3, Arc::from("page"));
        assert_eq!(c.get("k", 3).as_deref(), Some("page"));
        assert_eq!(c.get("k", 4), None, "the data changed since");
        assert_eq!(c.get("other", 3), None);
    }

    #[test]
    fn the_cache_stays_bounded() {
        let c: PageCache<Arc<str>> = PageCache::default();
        for i in 0..MAX_ENTRIES + 10 {
            c.put(i.to_string(), 1, Arc::from("x"));
        }
        assert!(c.entries.lock().unwrap().len() <= MAX_ENTRIES);
    }
}
