//! Who renders a stale page: one request per key (the others for that key wait for its
//! result), and no more renders at once than the machine has cores.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedMutexGuard, Semaphore, SemaphorePermit};

use crate::error::Error;

pub(crate) struct Renders {
    /// One lock per key being rendered; removed when no request holds or awaits it.
    keys: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// One permit per core: a render is CPU work, and more at once only queue in the kernel.
    cores: Semaphore,
}

impl Default for Renders {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Self { keys: Mutex::default(), cores: Semaphore::new(cores) }
    }
}

impl Renders {
    /// Waits until no other request renders `key`.
    pub(crate) async fn turn(&self, key: &str) -> Turn<'_> {
        let lock = lock(&self.keys).entry(key.to_owned()).or_default().clone();
        let mut turn = Turn { renders: self, key: key.to_owned(), lock: Some(lock), guard: None };
        // Kept in `turn` while waiting, so a request dropped here still tidies up.
        let waiting = turn.lock.as_ref().expect("set above").clone();
        turn.guard = Some(waiting.lock_owned().await);
        turn
    }

    /// Waits for a core to render on.
    pub(crate) async fn core(&self) -> Result<SemaphorePermit<'_>, Error> {
        self.cores.acquire().await.map_err(|e| Error::Internal(e.to_string()))
    }

    /// Waits while every core is taken by a render, so that work nobody waits for yields
    /// to work somebody does.
    pub(crate) async fn wait_for_a_free_core(&self) {
        while self.cores.available_permits() == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    }

    #[cfg(test)]
    fn keys_held(&self) -> usize {
        lock(&self.keys).len()
    }
}

/// A request's turn to render a key; the key's lock goes once nobody holds or awaits it.
pub(crate) struct Turn<'a> {
    renders: &'a Renders,
    key: String,
    lock: Option<Arc<tokio::sync::Mutex<()>>>,
    guard: Option<OwnedMutexGuard<()>>,
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        self.guard.take();
        self.lock.take();
        let mut keys = lock(&self.renders.keys);
        // Counted under the map's lock, where every new holder takes its clone.
        if keys.get(&self.key).is_some_and(|l| Arc::strong_count(l) == 1) {
            keys.remove(&self.key);
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn one_request_per_key_renders_and_other_keys_render_beside_it() {
        let renders = Arc::new(Renders::default());
        let (inside, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let mut tasks = Vec::new();
        for i in 0..8 {
            let (r, inside, most) = (renders.clone(), inside.clone(), most.clone());
            tasks.push(tokio::spawn(async move {
                let key = if i % 2 == 0 { "a" } else { "b" };
                let _turn = r.turn(key).await;
                let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(20)).await;
                inside.fetch_sub(1, Ordering::SeqCst);
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), 2, "two keys at once, never two turns of one key");
        assert_eq!(renders.keys_held(), 0, "no lock is left behind");
    }

    #[tokio::test]
    async fn a_request_dropped_while_waiting_leaves_no_lock_behind() {
        let renders = Renders::default();
        let first = renders.turn("k").await;
        let waiting = tokio::time::timeout(Duration::from_millis(10), renders.turn("k")).await;
        assert!(waiting.is_err(), "the key is taken");
        drop(first);
        assert_eq!(renders.keys_held(), 0);
    }
}
