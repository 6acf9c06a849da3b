//! Accounts, sessions, API tokens and sign-in attempts.

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::auth::Role;
use crate::error::{Error, Result};

#[derive(Debug, Clone, serde::Serialize)]
pub struct Account {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: String,
}

const ACCOUNT_COLS: &str = "a.id, a.name, a.role, a.disabled, a.created_at";

fn account_row(r: &Row) -> rusqlite::Result<Account> {
    let role: String = r.get(2)?;
    Ok(Account {
        id: r.get(0)?,
        name: r.get(1)?,
        role: Role::parse(&role).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, format!("role {role}").into())
        })?,
        disabled: r.get(3)?,
        created_at: r.get(4)?,
    })
}

pub fn create(conn: &Connection, name: &str, role: Role, password_hash: &str) -> Result<Account> {
    let taken: bool = conn.query_row("SELECT count(*) > 0 FROM account WHERE name = ?1", [name], |r| r.get(0))?;
    if taken {
        return Err(Error::Refused(format!("用户名“{name}”已存在")));
    }
    conn.execute(
        "INSERT INTO account (name, role, password_hash) VALUES (?1, ?2, ?3)",
        params![name, role.as_str(), password_hash],
    )?;
    get(conn, conn.last_insert_rowid())
}

pub fn get(conn: &Connection, id: i64) -> Result<Account> {
    let sql = format!("SELECT {ACCOUNT_COLS} FROM account a WHERE a.id = ?1");
    conn.query_row(&sql, [id], account_row)
        .optional()?
        .ok_or_else(|| Error::not_found(format!("没有编号为 {id} 的用户")))
}

/// The account and its password hash, for signing in.
pub fn with_hash_by_name(conn: &Connection, name: &str) -> Result<Option<(Account, String)>> {
    let sql = format!("SELECT {ACCOUNT_COLS}, a.password_hash FROM account a WHERE a.name = ?1");
    Ok(conn.query_row(&sql, [name], |r| Ok((account_row(r)?, r.get(5)?))).optional()?)
}

pub fn by_name(conn: &Connection, name: &str) -> Result<Account> {
    let sql = format!("SELECT {ACCOUNT_COLS} FROM account a WHERE a.name = ?1");
    conn.query_row(&sql, [name], account_row).optional()?.ok_or_else(|| Error::not_found(format!("没有用户“{name}”")))
}

pub fn list(conn: &Connection) -> Result<Vec<Account>> {
    let sql = format!("SELECT {ACCOUNT_COLS} FROM account a ORDER BY a.name");
    let mut stmt = conn.prepare_cached(&sql)?;
    Ok(stmt.query_map([], account_row)?.collect::<Result<_, _>>()?)
}

pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM account", [], |r| r.get(0))?)
}

/// Active administrators other than `except`.
pub fn other_active_admins(conn: &Connection, except: i64) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM account WHERE role = 'admin' AND disabled = 0 AND id != ?1",
        [except],
        |r| r.get(0),
    )?)
}

pub fn set_role(conn: &Connection, id: i64, role: Role) -> Result<()> {
    conn.execute("UPDATE account SET role = ?2 WHERE id = ?1", params![id, role.as_str()])?;
    Ok(())
}

/// Disabling also ends every session of the account.
pub fn set_disabled(conn: &Connection, id: i64, disabled: bool) -> Result<()> {
    conn.execute("UPDATE account SET disabled = ?2 WHERE id = ?1", params![id, disabled])?;
    if disabled {
        end_sessions(conn, id, None)?;
    }
    Ok(())
}

/// Sets a new password and ends the account's sessions, except `keep`.
pub fn set_password_hash(conn: &Connection, id: i64, hash: &str, keep: Option<i64>) -> Result<()> {
    conn.execute("UPDATE account SET password_hash = ?2 WHERE id = ?1", params![id, hash])?;
    end_sessions(conn, id, keep)
}

/// A signed-in session joined with its account.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: i64,
    pub account: Account,
    pub csrf: String,
    pub created_at: i64,
    pub last_seen: i64,
}

pub fn create_session(
    conn: &Connection,
    account_id: i64,
    token_hash: &str,
    csrf: &str,
    now: i64,
    addr: &str,
) -> Result<()> {
    conn.execute(
        "INSERT INTO session (token_hash, account_id, csrf, created_at, last_seen, addr) VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
        params![token_hash, account_id, csrf, now, addr],
    )?;
    Ok(())
}

pub fn session_by_token(conn: &Connection, token_hash: &str) -> Result<Option<Session>> {
    let sql = format!(
        "SELECT {ACCOUNT_COLS}, s.id, s.csrf, s.created_at, s.last_seen FROM session s \
         JOIN account a ON a.id = s.account_id WHERE s.token_hash = ?1"
    );
    Ok(conn
        .query_row(&sql, [token_hash], |r| {
            Ok(Session {
                account: account_row(r)?,
                id: r.get(5)?,
                csrf: r.get(6)?,
                created_at: r.get(7)?,
                last_seen: r.get(8)?,
            })
        })
        .optional()?)
}

pub fn touch_session(conn: &Connection, id: i64, now: i64) -> Result<()> {
    conn.execute("UPDATE session SET last_seen = ?2 WHERE id = ?1", params![id, now])?;
    Ok(())
}

pub fn end_session(conn: &Connection, id: i64) -> Result<()> {
    conn.execute("DELETE FROM session WHERE id = ?1", [id])?;
    Ok(())
}

pub fn end_sessions(conn: &Connection, account_id: i64, keep: Option<i64>) -> Result<()> {
    conn.execute("DELETE FROM session WHERE account_id = ?1 AND id IS NOT ?2", params![account_id, keep])?;
    Ok(())
}

/// An API token as the admin pages list it (never the token itself).
#[derive(Debug, Clone)]
pub struct Token {
    pub id: i64,
    pub account_name: String,
    pub label: String,
    pub created_at: String,
    pub created_by: String,
    pub revoked_at: Option<String>,
}

pub fn create_token(conn: &Connection, account_id: i64, token_hash: &str, label: &str, by: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO api_token (token_hash, account_id, label, created_by) VALUES (?1, ?2, ?3, ?4)",
        params![token_hash, account_id, label, by],
    )?;
    Ok(())
}

pub fn tokens(conn: &Connection) -> Result<Vec<Token>> {
    let mut stmt = conn.prepare_cached(
        "SELECT t.id, a.name, t.label, t.created_at, t.created_by, t.revoked_at FROM api_token t \
         JOIN account a ON a.id = t.account_id ORDER BY t.revoked_at IS NOT NULL, t.id DESC",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Token {
            id: r.get(0)?,
            account_name: r.get(1)?,
            label: r.get(2)?,
            created_at: r.get(3)?,
            created_by: r.get(4)?,
            revoked_at: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Revokes token `id`; returns its owner's name and label for the audit log.
pub fn revoke_token(conn: &Connection, id: i64) -> Result<(String, String)> {
    let changed = conn.execute(
        "UPDATE api_token SET revoked_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?1 AND revoked_at IS NULL",
        [id],
    )?;
    if changed == 0 {
        return Err(Error::not_found(format!("没有有效的令牌 {id}")));
    }
    Ok(conn.query_row(
        "SELECT a.name, t.label FROM api_token t JOIN account a ON a.id = t.account_id WHERE t.id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

/// The account a live (not revoked) token acts for.
pub fn account_by_token(conn: &Connection, token_hash: &str) -> Result<Option<Account>> {
    let sql = format!(
        "SELECT {ACCOUNT_COLS} FROM api_token t JOIN account a ON a.id = t.account_id \
         WHERE t.token_hash = ?1 AND t.revoked_at IS NULL"
    );
    Ok(conn.query_row(&sql, [token_hash], account_row).optional()?)
}

pub fn record_attempt(conn: &Connection, name: &str, addr: &str, success: bool, now: i64) -> Result<()> {
    conn.execute(
        "INSERT INTO login_attempt (name, addr, success, at) VALUES (?1, ?2, ?3, ?4)",
        params![name, addr, success, now],
    )?;
    Ok(())
}

/// An account's failed sign-ins (from anywhere) since its last success, within `window`
/// seconds before `now`, and when the last one was.
pub fn failures_of_account(conn: &Connection, name: &str, now: i64, window: i64) -> Result<(u32, i64)> {
    Ok(conn.query_row(
        "SELECT count(*), coalesce(max(at), 0) FROM login_attempt WHERE name = ?1 AND success = 0 AND at > max(?2, \
         coalesce((SELECT max(at) FROM login_attempt WHERE name = ?1 AND success = 1), 0))",
        params![name, now - window],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

/// An address's failed sign-ins within `window` seconds before `now`, and when the last one
/// was. Another account's success does not clear them, so a known account signed in now and
/// then does not reset the count while others are guessed; an account's own later success
/// from the address clears only its own mistypes there, so an office sharing one address is
/// not locked out by typos its users then corrected.
pub fn failures_from_address(conn: &Connection, addr: &str, now: i64, window: i64) -> Result<(u32, i64)> {
    Ok(conn.query_row(
        "SELECT count(*), coalesce(max(f.at), 0) FROM login_attempt f WHERE f.addr = ?1 AND f.success = 0 AND f.at > ?2 \
         AND NOT EXISTS (SELECT 1 FROM login_attempt s WHERE s.addr = f.addr AND s.at >= f.at AND s.id > f.id \
         AND s.success = 1 AND s.name = f.name)",
        params![addr, now - window],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}
