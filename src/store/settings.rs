//! Per-database settings (the `setting` table).

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::Result;

/// Marks a database as holding demonstration figures (示例数据).
pub const DEMO: &str = "demo";
/// The date a demo database is viewed at by default.
pub const DEMO_AS_OF: &str = "demo_as_of";

pub fn get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn.query_row("SELECT value FROM setting WHERE key = ?1", [key], |r| r.get(0)).optional()?)
}

pub fn set(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO setting (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}
