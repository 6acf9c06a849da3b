//! Pages and charts computed from the data, kept until the data they were made from changes.
//!
//! Each entry records the stamps of what it was made from (a plan, or the list of plans:
//! [`crate::store::Scope`]), read before its data was; it is served only while those stamps
//! are current, so a write to one plan leaves every other plan's entries in place. Keys name
//! everything else the output depends on (plan, date, view, and the day, for pages whose
//! default date is today). Nothing per user is cached.
//!
//! The cache holds at most a byte budget; past it, entries not used since the clock hand
//! last passed them are dropped first (the CLOCK approximation of least recently used).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use super::deflate::Deflated;
use crate::store::{Scope, Store};

/// Bytes of rendered pages kept at least, deflated (dashboards, reports, the plans list,
/// metric pages for visitors not signed in): a 50-metric plan's dashboard is 5 KB, its
/// report 22 KB, so a thousand plans' take 27 MB.
pub const PAGE_BUDGET: usize = 40 << 20;
/// What each plan adds to the budget beyond [`PAGE_BUDGET`]: its dashboard and report with
/// room to spare, so that at 3,000 plans every report is still kept (with 40 MiB two in
/// three were rendered afresh, 611 req/s).
pub const PAGE_BUDGET_PER_PLAN: usize = 32 << 10;

/// The most the budget grows to by itself (16,384 plans' worth): past it the operator
/// chooses with `--cache-mb`, not the number of plans a database has gathered over decades.
pub const PAGE_BUDGET_MAX: usize = 512 << 20;

/// The page budget at start when `--cache-mb` does not set one.
pub fn page_budget_for(plans: i64) -> usize {
    let grown = usize::try_from(plans).unwrap_or(0).saturating_mul(PAGE_BUDGET_PER_PLAN);
    grown.clamp(PAGE_BUDGET, PAGE_BUDGET_MAX)
}

/// What an entry was made from: each scope with its stamp at the time.
pub type MadeFrom = Vec<(Scope, u64)>;

/// Anything kept here says how many bytes it holds, roughly, for the budget.
pub trait Weigh {
    fn bytes(&self) -> usize;
}

pub struct PageCache<V> {
    inner: Mutex<Inner<V>>,
    budget: usize,
}

struct Inner<V> {
    entries: HashMap<Arc<str>, Entry<V>>,
    /// Keys in the order the clock hand visits them, with the entry's number when queued
    /// (a key put again is queued again; its older place is skipped).
    clock: VecDeque<(u64, Arc<str>)>,
    bytes: usize,
    next: u64,
}

struct Entry<V> {
    value: V,
    made_from: MadeFrom,
    bytes: usize,
    number: u64,
    /// Served since the hand last passed.
    used: bool,
}

/// A rendered page body (kept deflated), its title and anything it adds to `<head>`.
pub struct Page {
    pub title: String,
    pub head: String,
    pub body: Deflated,
}

impl Page {
    /// Keeps `body` deflated.
    pub fn new(title: String, head: String, body: &str) -> Self {
        Self { title, head, body: Deflated::new(body) }
    }
}

/// A rendered chart (kept deflated) and its `ETag`.
pub struct Svg {
    pub svg: Deflated,
    pub etag: String,
}

impl Weigh for Arc<Page> {
    fn bytes(&self) -> usize {
        self.title.len() + self.head.len() + self.body.bytes()
    }
}

impl Weigh for Arc<Svg> {
    fn bytes(&self) -> usize {
        self.svg.bytes() + self.etag.len()
    }
}

impl Weigh for Arc<str> {
    fn bytes(&self) -> usize {
        self.len()
    }
}

/// What an entry costs beyond its value: key, stamps, bookkeeping.
const OVERHEAD: usize = 128;

impl<V: Clone + Weigh> PageCache<V> {
    /// A cache that keeps at most about `budget` bytes.
    pub fn new(budget: usize) -> Self {
        Self { inner: Mutex::new(Inner { entries: HashMap::new(), clock: VecDeque::new(), bytes: 0, next: 0 }), budget }
    }

    /// The entry for `key` if what it was made from is unchanged in `store`.
    pub fn get(&self, key: &str, store: &Store) -> Option<V> {
        let mut inner = lock(&self.inner);
        let entry = inner.entries.get_mut(key)?;
        if !store.unchanged(&entry.made_from) {
            return None;
        }
        entry.used = true;
        Some(entry.value.clone())
    }

    /// Keeps `value`, made from `made_from`, dropping older entries past the budget.
    pub fn put(&self, key: &str, made_from: MadeFrom, value: V) {
        let bytes = value.bytes() + key.len() + OVERHEAD;
        if bytes > self.budget {
            return;
        }
        let mut inner = lock(&self.inner);
        let number = inner.next;
        inner.next += 1;
        let key: Arc<str> = Arc::from(key);
        // A new entry starts unused: a page asked for once does not outlast the pages in use.
        let old = inner.entries.insert(key.clone(), Entry { value, made_from, bytes, number, used: false });
        inner.bytes = inner.bytes + bytes - old.map_or(0, |e| e.bytes);
        inner.clock.push_back((number, key));
        while inner.bytes > self.budget {
            inner.evict_one();
        }
        // Places left behind by keys put again: keep the queue near the map's size.
        if inner.clock.len() > 2 * inner.entries.len() + 64 {
            let Inner { entries, clock, .. } = &mut *inner;
            clock.retain(|(n, k)| entries.get(k).is_some_and(|e| e.number == *n));
        }
    }

    /// Bytes held now.
    pub fn bytes(&self) -> usize {
        lock(&self.inner).bytes
    }

    /// The most it keeps.
    pub fn budget(&self) -> usize {
        self.budget
    }

    /// Drops every entry.
    pub fn clear(&self) {
        let mut inner = lock(&self.inner);
        inner.entries.clear();
        inner.clock.clear();
        inner.bytes = 0;
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        lock(&self.inner).entries.len()
    }
}

impl<V> Inner<V> {
    /// Moves the clock hand until it drops one entry: a used entry gets a second chance.
    fn evict_one(&mut self) {
        while let Some((number, key)) = self.clock.pop_front() {
            let Some(entry) = self.entries.get_mut(&key) else { continue };
            if entry.number != number {
                continue;
            }
            if entry.used {
                entry.used = false;
                self.clock.push_back((number, key));
                continue;
            }
            let bytes = entry.bytes;
            self.entries.remove(&key);
            self.bytes -= bytes;
            return;
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_budget_holds_every_plans_dashboard_and_report_past_a_thousand_plans() {
        assert_eq!(page_budget_for(0), PAGE_BUDGET);
        assert_eq!(page_budget_for(-1), PAGE_BUDGET, "a count that makes no sense leaves the least");
        assert_eq!(page_budget_for(1_000), PAGE_BUDGET, "1,000 plans' 27 MB fit the least");
        assert_eq!(page_budget_for(1_280), 40 << 20);
        assert_eq!(page_budget_for(3_000), 3_000 * (32 << 10));
        assert_eq!(page_budget_for(16_384), PAGE_BUDGET_MAX);
        assert_eq!(page_budget_for(i64::MAX), PAGE_BUDGET_MAX, "no more than that by itself");
        // A 50-metric plan's pages (5 KB + 22 KB deflated) fit with a fifth to spare.
        assert!(page_budget_for(3_000) > 3_000 * 27 * 1_000 * 6 / 5);
    }

    #[derive(Clone, PartialEq, Debug)]
    struct Text(&'static str);

    impl Weigh for Text {
        fn bytes(&self) -> usize {
            1000
        }
    }

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db")).unwrap();
        (dir, store)
    }

    #[test]
    fn an_entry_is_served_only_while_what_it_was_made_from_is_unchanged() {
        let (_dir, store) = store();
        let c: PageCache<Text> = PageCache::new(1 << 20);
        let a = Scope::Plan(1);
        c.put("k", vec![(a, store.stamp(a))], Text("page"));
        assert_eq!(c.get("k", &store), Some(Text("page")));
        assert_eq!(c.get("other", &store), None);
        store.with_conn(|_| Ok(())).unwrap();
        assert_eq!(c.get("k", &store), None, "anything may have changed since");
    }

    #[test]
    fn the_cache_keeps_to_its_byte_budget_and_keeps_what_is_used() {
        let (_dir, store) = store();
        let c: PageCache<Text> = PageCache::new(10 * (1000 + OVERHEAD + 4));
        c.put("hot", Vec::new(), Text("hot"));
        for i in 0..100 {
            c.put(&format!("k{i}"), Vec::new(), Text("x"));
            assert!(c.get("hot", &store).is_some(), "a page in use stays (round {i})");
            assert!(c.bytes() <= 10 * (1000 + OVERHEAD + 4));
        }
        let len = c.len();
        assert!(len <= 10);
        assert!(c.inner.lock().unwrap().clock.len() <= 2 * len + 64);
    }

    #[test]
    fn a_key_put_again_is_counted_once() {
        let (_dir, store) = store();
        let c: PageCache<Text> = PageCache::new(1 << 20);
        for _ in 0..1000 {
            c.put("k", Vec::new(), Text("x"));
        }
        assert_eq!(c.len(), 1);
        assert_eq!(c.bytes(), 1000 + OVERHEAD + 1);
        assert_eq!(c.get("k", &store), Some(Text("x")));
    }
}
