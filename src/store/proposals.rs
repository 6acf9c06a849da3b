//! What the new-plan pages read: the keys already taken, since plan and metric keys are
//! unique across all plans and a proposal must not reuse one.

use std::collections::HashSet;

use rusqlite::Connection;

use crate::error::Result;

/// Every plan key and metric key in the database.
pub fn taken_keys(conn: &Connection) -> Result<HashSet<String>> {
    let mut s = conn.prepare("SELECT key FROM plan UNION SELECT key FROM metric")?;
    let keys = s.query_map([], |r| r.get::<_, String>(0))?.collect::<std::result::Result<_, _>>()?;
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_and_metric_keys_are_both_taken() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::migrations::migrate(&mut conn).unwrap();
        assert!(taken_keys(&conn).unwrap().is_empty());
        let seeds = super::super::seed::parse_all(&super::super::seed::embedded()).unwrap();
        super::super::seed::load_all(&mut conn, &seeds[..1]).unwrap();
        let taken = taken_keys(&conn).unwrap();
        assert!(taken.contains(&seeds[0].key));
        assert!(taken.contains(&seeds[0].chapters[0].metrics[0].key));
    }
}
