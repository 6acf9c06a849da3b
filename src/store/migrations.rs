//! Schema migrations: a static list, applied in order, tracked with `PRAGMA user_version`.
//! Never edit an applied migration; add a new one.

use rusqlite::Connection;

use crate::error::{Error, Result};

/// Migration `i` brings the schema from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 1: plans, chapters, metrics, reported values and their history.
    r#"
CREATE TABLE plan (
    id              INTEGER PRIMARY KEY,
    key             TEXT NOT NULL UNIQUE,
    title           TEXT NOT NULL,
    issuer          TEXT NOT NULL DEFAULT '',
    document_number TEXT NOT NULL DEFAULT '',
    issued_on       TEXT,
    period_start    TEXT NOT NULL,
    period_end      TEXT NOT NULL,
    midterm_on      TEXT,
    source          TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    CHECK (period_start < period_end)
) STRICT;

CREATE TABLE chapter (
    id       INTEGER PRIMARY KEY,
    plan_id  INTEGER NOT NULL REFERENCES plan(id),
    ord      INTEGER NOT NULL,
    title    TEXT NOT NULL,
    title_en TEXT,
    UNIQUE (plan_id, title)
) STRICT;

CREATE TABLE metric (
    id            INTEGER PRIMARY KEY,
    plan_id       INTEGER NOT NULL REFERENCES plan(id),
    chapter_id    INTEGER NOT NULL REFERENCES chapter(id),
    ord           INTEGER NOT NULL,
    key           TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    name_en       TEXT,
    unit          TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('level', 'count', 'milestone', 'context')),
    direction     TEXT NOT NULL CHECK (direction IN ('higher', 'lower')),
    baseline      REAL,
    baseline_date TEXT,
    target_low    REAL,
    target_high   REAL,
    target_date   TEXT,
    source        TEXT NOT NULL,
    notes         TEXT NOT NULL DEFAULT '',
    CHECK ((target_low IS NULL) = (target_high IS NULL) AND (target_low IS NULL OR target_low <= target_high))
) STRICT;
CREATE INDEX metric_by_plan ON metric (plan_id, ord);

-- One figure per metric and quarter. `value`/`done` are the latest entered; until a
-- reviewer approves them (`status`), dashboards show `approved_value`/`approved_done`,
-- the figure last approved. `version` counts writes, so a form saved over someone
-- else's change is caught. `action` names what the last write did, for the history.
CREATE TABLE reported_value (
    id             INTEGER PRIMARY KEY,
    metric_id      INTEGER NOT NULL REFERENCES metric(id),
    quarter        TEXT NOT NULL,
    value          REAL NOT NULL,
    done           INTEGER CHECK (done IN (0, 1)),
    note           TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'returned')),
    approved_value REAL,
    approved_done  INTEGER CHECK (approved_done IN (0, 1)),
    review_note    TEXT NOT NULL DEFAULT '',
    version        INTEGER NOT NULL DEFAULT 1,
    action         TEXT NOT NULL DEFAULT 'create',
    recorded_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    recorded_by    TEXT NOT NULL DEFAULT '',
    UNIQUE (metric_id, quarter)
) STRICT;

-- The audit history is written by triggers, so no code path can change a value
-- without leaving a row here. Rows are never updated or deleted.
CREATE TABLE value_history (
    id        INTEGER PRIMARY KEY,
    metric_id INTEGER NOT NULL,
    quarter   TEXT NOT NULL,
    action    TEXT NOT NULL CHECK (action IN ('create', 'update', 'import', 'approve', 'return', 'restore', 'delete')),
    old_value REAL,
    new_value REAL,
    old_done  INTEGER,
    new_done  INTEGER,
    status    TEXT NOT NULL DEFAULT '',
    note      TEXT NOT NULL DEFAULT '',
    actor     TEXT NOT NULL DEFAULT '',
    at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
CREATE INDEX value_history_by_metric ON value_history (metric_id, quarter, id);

CREATE TRIGGER value_created AFTER INSERT ON reported_value BEGIN
    INSERT INTO value_history (metric_id, quarter, action, new_value, new_done, status, note, actor)
    VALUES (NEW.metric_id, NEW.quarter, NEW.action, NEW.value, NEW.done, NEW.status, NEW.note, NEW.recorded_by);
END;
-- Approvals and returns leave the value as it is: their note is the review note.
CREATE TRIGGER value_changed AFTER UPDATE ON reported_value BEGIN
    INSERT INTO value_history (metric_id, quarter, action, old_value, new_value, old_done, new_done, status, note, actor)
    VALUES (NEW.metric_id, NEW.quarter, NEW.action, OLD.value, NEW.value, OLD.done, NEW.done, NEW.status,
            CASE WHEN NEW.action IN ('approve', 'return') THEN NEW.review_note ELSE NEW.note END, NEW.recorded_by);
END;
-- The application marks a row 'delete' (with who) before deleting it; a delete made any
-- other way is still recorded.
CREATE TRIGGER value_deleted AFTER DELETE ON reported_value WHEN OLD.action != 'delete' BEGIN
    INSERT INTO value_history (metric_id, quarter, action, old_value, old_done, status, note, actor)
    VALUES (OLD.metric_id, OLD.quarter, 'delete', OLD.value, OLD.done, OLD.status, OLD.note, '');
END;
CREATE TRIGGER value_history_is_append_only BEFORE UPDATE ON value_history BEGIN
    SELECT RAISE(ABORT, 'value_history is append-only');
END;
CREATE TRIGGER value_history_is_never_deleted BEFORE DELETE ON value_history BEGIN
    SELECT RAISE(ABORT, 'value_history is append-only');
END;

-- Quarters a reviewer has locked after review: their figures change only after an unlock.
CREATE TABLE quarter_lock (
    plan_id   INTEGER NOT NULL REFERENCES plan(id),
    quarter   TEXT NOT NULL,
    locked_by TEXT NOT NULL,
    locked_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    PRIMARY KEY (plan_id, quarter)
) STRICT;

-- Per-database settings: whether it is the demo database, and its default date.
CREATE TABLE setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
"#,
    // 2: accounts, sessions, API tokens, sign-in attempts and the audit log.
    r#"
CREATE TABLE account (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'reviewer', 'viewer')),
    password_hash TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;

-- Times in Unix seconds, so expiry is one comparison.
CREATE TABLE session (
    id         INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    account_id INTEGER NOT NULL REFERENCES account(id),
    csrf       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    addr       TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX session_by_account ON session (account_id);

CREATE TABLE api_token (
    id           INTEGER PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    account_id   INTEGER NOT NULL REFERENCES account(id),
    label        TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    created_by   TEXT NOT NULL DEFAULT '',
    revoked_at   TEXT
) STRICT;

CREATE TABLE login_attempt (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL COLLATE NOCASE,
    addr    TEXT NOT NULL,
    success INTEGER NOT NULL CHECK (success IN (0, 1)),
    at      INTEGER NOT NULL
) STRICT;
CREATE INDEX login_attempt_by_name ON login_attempt (name, at);
CREATE INDEX login_attempt_by_addr ON login_attempt (addr, at);

CREATE TABLE audit (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    detail  TEXT NOT NULL DEFAULT '',
    addr    TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX audit_by_at ON audit (at);
CREATE TRIGGER audit_is_append_only BEFORE UPDATE ON audit BEGIN
    SELECT RAISE(ABORT, 'audit is append-only');
END;
CREATE TRIGGER audit_is_never_deleted BEFORE DELETE ON audit BEGIN
    SELECT RAISE(ABORT, 'audit is append-only');
END;
"#,
    // 3: a metric's history newest first without sorting it (the metric page, the API).
    r#"
CREATE INDEX value_history_by_metric_newest ON value_history (metric_id, id);
"#,
    // 4: a metric's own bounds (seed `min`/`max`); notes loaded from the first seed that
    // spoke of files users never see are reworded, unless an administrator has edited them.
    r#"
ALTER TABLE metric ADD COLUMN min_value REAL;
ALTER TABLE metric ADD COLUMN max_value REAL;
UPDATE metric SET notes = '目标5项=专栏5的3个园区+2个重点水利工程,原文未直接写“5”。第五章正文列举了5个园区及藻渡水库、蟠龙抽水蓄能电站,与专栏5“3个园区”不一致,此处按专栏5计。' WHERE key = 'climate-feasibility-studies' AND notes = '目标5项=专栏5的3个园区+2个重点水利工程,原文未直接写“5”。第五章正文列举了5个园区及藻渡水库、蟠龙抽水蓄能电站,与专栏5“3个园区”不一致,本文件按专栏5计。';
UPDATE metric SET notes = '参考数据:“十三五”末水平,规划未设目标。原文在第一章;按内容归入第七章(第七章二“推进城乡公共气象服务均等化”即公共气象服务)。' WHERE key = 'public-service-satisfaction' AND notes = '参考数据:“十三五”末水平,规划未设目标。原文在第一章;TARGETS.md 归入“第七、八章”,本文件放在第七章(第七章二“推进城乡公共气象服务均等化”即公共气象服务)。';
UPDATE metric SET notes = '参考数据:2020年全年优良天数,规划未设目标。原文在第一章;按内容归入第八章(第八章一提出提升“蓝天行动”人工增雨作业能力)。' WHERE key = 'air-quality-good-days' AND notes = '参考数据:2020年全年优良天数,规划未设目标。原文在第一章;TARGETS.md 归入“第七、八章”,本文件放在第八章(第八章一提出提升“蓝天行动”人工增雨作业能力)。';
"#,
    // 5: each plan's count of changes, kept by triggers on every table its pages are made
    // from, so the server drops one plan's cached pages when that plan's data changes
    // (it watches this table's rows being written), and no write has to say which plan it
    // touched. The plans' list in period order, for paging through it.
    r#"
CREATE TABLE plan_version (
    plan_id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX plan_by_period ON plan (period_start DESC, id);

CREATE TRIGGER plan_version_plan_inserted AFTER INSERT ON plan BEGIN
    INSERT INTO plan_version (plan_id) VALUES (NEW.id) ON CONFLICT (plan_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER plan_version_plan_updated AFTER UPDATE ON plan BEGIN
    INSERT INTO plan_version (plan_id) VALUES (NEW.id) ON CONFLICT (plan_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER plan_version_chapter_inserted AFTER INSERT ON chapter BEGIN
    INSERT INTO plan_version (plan_id) VALUES (NEW.plan_id) ON CONFLICT (plan_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER plan_version_chapter_updated AFTER UPDATE ON chapter BEGIN
    INSERT INTO plan_version (plan_id) VALUES (NEW.plan_id) ON CONFLICT (plan_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER plan_version_chapter_deleted AFTER DELETE ON chapter BEGIN
    INSERT INTO plan_version (plan_id) VALUES (OLD.plan_id) ON CONFLICT (plan_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER plan_version_metric_inserted AFTER INSERT ON metric BEGIN
    INSERT INTO plan_version (plan_id) VALUES (NEW.plan_id) ON CONFLICT (plan_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER plan_version_metric_updated AFTER UPDATE ON metric BEGIN
    INSERT INTO plan_version (plan_id) VALUES (NEW.plan_id) ON CONFLICT (plan_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER plan_version_metric_deleted AFTER DELETE ON metric BEGIN
    INSERT INTO plan_version (plan_id) VALUES (OLD.plan_id) ON CONFLICT (plan_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER plan_version_value_inserted AFTER INSERT ON reported_value BEGIN
    INSERT INTO plan_version (plan_id) SELECT plan_id FROM metric WHERE id = NEW.metric_id
    ON CONFLICT (plan_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER plan_version_value_updated AFTER UPDATE ON reported_value BEGIN
    INSERT INTO plan_version (plan_id) SELECT plan_id FROM metric WHERE id = NEW.metric_id
    ON CONFLICT (plan_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER plan_version_value_deleted AFTER DELETE ON reported_value BEGIN
    INSERT INTO plan_version (plan_id) SELECT plan_id FROM metric WHERE id = OLD.metric_id
    ON CONFLICT (plan_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER plan_version_lock_inserted AFTER INSERT ON quarter_lock BEGIN
    INSERT INTO plan_version (plan_id) VALUES (NEW.plan_id) ON CONFLICT (plan_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER plan_version_lock_updated AFTER UPDATE ON quarter_lock BEGIN
    INSERT INTO plan_version (plan_id) VALUES (NEW.plan_id) ON CONFLICT (plan_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER plan_version_lock_deleted AFTER DELETE ON quarter_lock BEGIN
    INSERT INTO plan_version (plan_id) VALUES (OLD.plan_id) ON CONFLICT (plan_id) DO UPDATE SET version = version + 1;
END;
INSERT INTO plan_version (plan_id) SELECT id FROM plan;
"#,
    // A plan's life (issue 11): a plan is a draft, seen by administrators only, until
    // published (every plan before this, and every one a seed file loads, is published); a
    // metric may carry on an older plan's (`continues`) and may be retired on a date, its
    // figures kept.
    r#"
ALTER TABLE plan ADD COLUMN status TEXT NOT NULL DEFAULT 'published' CHECK (status IN ('draft', 'published'));
ALTER TABLE metric ADD COLUMN continues TEXT;
ALTER TABLE metric ADD COLUMN retired_on TEXT;
ALTER TABLE metric ADD COLUMN retired_reason TEXT NOT NULL DEFAULT '';
-- The title a plan was first loaded or drafted with: a seed file of the same key but
-- another title is a copy whose key was not changed. Unknown for older plans.
ALTER TABLE plan ADD COLUMN seed_title TEXT;
CREATE INDEX metric_by_name ON metric (name);
"#,
    // Issue 15: a metric's reporting frequency (an annual figure is entered with the fourth
    // quarter), kept from the seed unless an administrator set it; and where each imported
    // figure came from (file, sheet, cell), beside the history row its import wrote.
    r#"
ALTER TABLE metric ADD COLUMN frequency TEXT NOT NULL DEFAULT 'quarterly' CHECK (frequency IN ('quarterly', 'annual'));
ALTER TABLE metric ADD COLUMN frequency_edited INTEGER NOT NULL DEFAULT 0;
CREATE TABLE import_source (
    history_id INTEGER PRIMARY KEY REFERENCES value_history (id),
    file       TEXT NOT NULL,
    sheet      TEXT NOT NULL DEFAULT '',
    cell       TEXT NOT NULL DEFAULT ''
) STRICT;
"#,
];

/// The schema version this binary writes.
pub fn latest() -> i64 {
    MIGRATIONS.len() as i64
}

/// Brings `conn` to the latest schema, each step in its own transaction. A database
/// newer than this binary is refused untouched.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > latest() {
        return Err(Error::NewerSchema { found, supported: latest() });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use sha2::{Digest, Sha256};

    use super::*;

    /// The SHA-256 of each migration's SQL, numbered as `PRAGMA user_version` counts them.
    /// A line here, like its migration, never changes once written: a database that has
    /// applied a migration never runs it again, so an edit would reach only new databases.
    /// A new migration adds its line at the end (the failing test prints it).
    const CHECKSUMS: &[(usize, &str)] = &[
        (1, "62957fb70708c21162bea521af7626b7909a94496d841466d1fdb994eb70b222"),
        (2, "404855010116e66d9b3265d8a5f36224eb1eb7f90bc1a38ef107a093b08451f4"),
        (3, "f82b83acf7af5780e37404cc6168cad1897239e21d1f9edffdd5e0002ddeb049"),
        (4, "b55c9d906d39ab032a574f442700899a28c2c2843f26e91352b29f81898db2ba"),
        (5, "ad250de8ba0c5ec0c176cc351789494bd1689d8d852fa86b0734a0fdce5b8185"),
        (6, "dd2f7cad453d8a508fa1ec34122d0261a4b6c6fd6826b202fc55ab39f2018912"),
        (7, "05871713b17a6fe8fc4e31e831170aacfed05ba5897d1674b05bf75daea49317"),
    ];

    /// The checksum of a migration's SQL; line endings are folded, so that a checkout that
    /// turns them into CRLF does not read as an edit.
    fn checksum(sql: &str) -> String {
        Sha256::digest(sql.replace("\r\n", "\n").as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn applied_migrations_are_unchanged_and_each_has_its_checksum_recorded() {
        let mut problems = Vec::new();
        for (i, sql) in MIGRATIONS.iter().enumerate() {
            let n = i + 1;
            let now = checksum(sql);
            match CHECKSUMS.get(i) {
                None => problems.push(format!(
                    "migration {n} has no recorded checksum; add this line at the end of CHECKSUMS in \
                     src/store/migrations.rs:\n        ({n}, \"{now}\"),"
                )),
                Some(&(m, _)) if m != n => problems.push(format!(
                    "CHECKSUMS entry {n} is numbered {m}: one entry per migration, in order, never removed"
                )),
                Some(&(_, recorded)) if recorded != now => problems.push(format!(
                    "migration {n} was edited; add a new migration instead (databases at version {n} or later \
                     never run it again). Recorded sha256 {recorded}, now {now}."
                )),
                Some(_) => {}
            }
        }
        for &(m, _) in CHECKSUMS.iter().skip(MIGRATIONS.len()) {
            problems.push(format!(
                "CHECKSUMS records migration {m}, but there are only {} migrations: an applied migration is never \
                 removed; restore it",
                MIGRATIONS.len()
            ));
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn migrates_a_new_database_to_the_latest_version_and_again_is_a_no_op() {
        let mut c = Connection::open_in_memory().unwrap();
        migrate(&mut c).unwrap();
        migrate(&mut c).unwrap();
        let v: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(v, latest());
    }

    #[test]
    fn refuses_a_newer_database_without_touching_it() {
        let mut c = Connection::open_in_memory().unwrap();
        c.pragma_update(None, "user_version", latest() + 1).unwrap();
        let e = migrate(&mut c).unwrap_err();
        assert!(matches!(e, Error::NewerSchema { .. }));
        assert!(e.to_string().contains("请升级"));
        let tables: i64 = c.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0)).unwrap();
        assert_eq!(tables, 0);
    }

    #[test]
    fn history_records_every_change_and_cannot_be_rewritten() {
        let mut c = Connection::open_in_memory().unwrap();
        migrate(&mut c).unwrap();
        c.execute_batch(
            "INSERT INTO plan (id, key, title, period_start, period_end) VALUES (1, 'p', 'P', '2021-01-01', '2025-12-31');
             INSERT INTO chapter (id, plan_id, ord, title) VALUES (1, 1, 0, 'c');
             INSERT INTO metric (id, plan_id, chapter_id, ord, key, name, unit, kind, direction, source)
                 VALUES (1, 1, 1, 0, 'm', 'M', '个', 'context', 'higher', 's');
             INSERT INTO reported_value (metric_id, quarter, value, recorded_by) VALUES (1, '2022Q1', 1, 'a');
             UPDATE reported_value SET value = 2, recorded_by = 'b', action = 'update';
             DELETE FROM reported_value;",
        )
        .unwrap();
        let rows: Vec<(String, Option<f64>, Option<f64>)> = c
            .prepare("SELECT action, old_value, new_value FROM value_history ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            rows,
            vec![
                ("create".into(), None, Some(1.0)),
                ("update".into(), Some(1.0), Some(2.0)),
                ("delete".into(), Some(2.0), None)
            ]
        );
        assert!(c.execute("DELETE FROM value_history", []).is_err());
        assert!(c.execute("UPDATE value_history SET actor = 'x'", []).is_err());
    }

    /// Applies the first `n` migrations, as an older plantrack left the database.
    fn migrated_to(n: usize) -> Connection {
        let c = Connection::open_in_memory().unwrap();
        for (i, sql) in MIGRATIONS.iter().take(n).enumerate() {
            c.execute_batch(sql).unwrap();
            c.pragma_update(None, "user_version", i as i64 + 1).unwrap();
        }
        c
    }

    #[test]
    fn notes_that_spoke_of_files_are_reworded_unless_an_administrator_edited_them() {
        let mut c = migrated_to(3);
        // The note as the first seed wrote it, taken from the migration that rewords it.
        let old = MIGRATIONS[3].split("AND notes = '").nth(1).unwrap().split("';").next().unwrap().replace("''", "'");
        assert!(old.contains("本文件") || old.contains("TARGETS.md"), "{old}");
        c.execute_batch(
            "INSERT INTO plan (id, key, title, period_start, period_end) VALUES (1, 'p', 'P', '2021-01-01', '2025-12-31');
             INSERT INTO chapter (id, plan_id, ord, title) VALUES (1, 1, 0, 'c');",
        )
        .unwrap();
        let key = MIGRATIONS[3].split("WHERE key = '").nth(1).unwrap().split('\'').next().unwrap().to_owned();
        for (id, k, note) in [(1, key.as_str(), old.as_str()), (2, "edited", "管理员改过的说明")] {
            c.execute(
                "INSERT INTO metric (id, plan_id, chapter_id, ord, key, name, unit, kind, direction, source, notes) \
                 VALUES (?1, 1, 1, ?1, ?2, 'M', '个', 'context', 'higher', 's', ?3)",
                rusqlite::params![id, k, note],
            )
            .unwrap();
        }
        migrate(&mut c).unwrap();
        let notes: Vec<String> = c
            .prepare("SELECT notes FROM metric ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert!(
            !notes[0].contains("本文件") && !notes[0].contains("TARGETS.md") && !notes[0].is_empty(),
            "{}",
            notes[0]
        );
        assert_eq!(notes[1], "管理员改过的说明");
        let bounds: (Option<f64>, Option<f64>) = c
            .query_row("SELECT min_value, max_value FROM metric WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap();
        assert_eq!(bounds, (None, None), "bounds start empty; the seed fills them in");
    }
}
