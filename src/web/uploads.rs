//! Checked imports waiting for 确认导入. The rows stay on the server, and the apply form
//! names them by a random token: a large sheet never travels back and forth, and nothing
//! the browser holds is trusted. Bounded in number, tied to the session that uploaded
//! them, and forgotten after [`TTL`] (a restart forgets them too: the file is uploaded
//! again).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a checked import may wait for its confirmation.
pub const TTL: Duration = Duration::from_secs(30 * 60);
/// Checked imports kept at once, for all users: the oldest goes first.
pub const MAX_PENDING: usize = 64;
/// Per session: a user re-uploading a corrected file replaces older checks.
pub const MAX_PER_SESSION: usize = 4;

/// One checked upload.
#[derive(Debug, Clone)]
pub struct Pending<R> {
    pub session: i64,
    pub plan_id: i64,
    pub file: String,
    pub rows: Vec<R>,
    created: Instant,
}

/// The checked uploads, by token.
pub struct Uploads<R> {
    pending: Mutex<HashMap<String, Pending<R>>>,
}

impl<R> Default for Uploads<R> {
    fn default() -> Self {
        Self { pending: Mutex::new(HashMap::new()) }
    }
}

impl<R: Clone> Uploads<R> {
    /// Keeps `rows` and returns the token an apply form sends back.
    pub fn keep(&self, session: i64, plan_id: i64, file: String, rows: Vec<R>) -> String {
        let token = crate::auth::new_token();
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        pending.retain(|_, p| p.created.elapsed() < TTL);
        let mut mine: Vec<(String, Instant)> =
            pending.iter().filter(|(_, p)| p.session == session).map(|(t, p)| (t.clone(), p.created)).collect();
        mine.sort_by_key(|(_, created)| *created);
        for (old, _) in mine.iter().take((mine.len() + 1).saturating_sub(MAX_PER_SESSION)) {
            pending.remove(old);
        }
        while pending.len() >= MAX_PENDING {
            let Some(oldest) = pending.iter().min_by_key(|(_, p)| p.created).map(|(t, _)| t.clone()) else { break };
            pending.remove(&oldest);
        }
        pending.insert(token.clone(), Pending { session, plan_id, file, rows, created: Instant::now() });
        token
    }

    /// The upload `token` names, if it is this session's, for this plan, and not expired.
    pub fn get(&self, token: &str, session: i64, plan_id: i64) -> Option<Pending<R>> {
        let pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        pending
            .get(token)
            .filter(|p| p.session == session && p.plan_id == plan_id && p.created.elapsed() < TTL)
            .cloned()
    }

    /// Forgets `token` once its rows were applied.
    pub fn forget(&self, token: &str) {
        self.pending.lock().unwrap_or_else(|e| e.into_inner()).remove(token);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upload_is_found_only_by_its_session_for_its_plan() {
        let u: Uploads<u8> = Uploads::default();
        let t = u.keep(1, 10, "a.csv".into(), vec![1, 2]);
        assert_eq!(u.get(&t, 1, 10).unwrap().rows, [1, 2]);
        assert!(u.get(&t, 2, 10).is_none(), "another session");
        assert!(u.get(&t, 1, 11).is_none(), "another plan");
        assert!(u.get("guess", 1, 10).is_none());
        u.forget(&t);
        assert!(u.get(&t, 1, 10).is_none());
    }

    #[test]
    fn uploads_are_bounded_per_session_and_in_all() {
        let u: Uploads<u8> = Uploads::default();
        let first = u.keep(1, 10, "a".into(), vec![]);
        let later: Vec<String> = (0..MAX_PER_SESSION).map(|_| u.keep(1, 10, "b".into(), vec![])).collect();
        assert!(u.get(&first, 1, 10).is_none(), "the oldest of a session goes");
        assert!(later.iter().all(|t| u.get(t, 1, 10).is_some()));
        for s in 2..(MAX_PENDING as i64 + 10) {
            u.keep(s, 10, "c".into(), vec![]);
        }
        assert!(u.pending.lock().unwrap().len() <= MAX_PENDING);
    }
}
