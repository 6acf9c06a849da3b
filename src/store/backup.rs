//! Copies of the database file: the online backup, safe while a server writes, and the WAL
//! checkpoint a clean stop ends with, so that the `.db` file alone holds every write.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use crate::error::{Error, Result};

/// How long a backup waits for the database when SQLite reports it busy.
const BUSY_WAIT: Duration = Duration::from_secs(30);

/// What a finished backup holds, read from the copy itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    pub plans: i64,
    pub figures: i64,
    pub history: i64,
    pub bytes: u64,
}

/// Copies the database at `src` to `dst` with SQLite's online backup API, checks the copy
/// with `PRAGMA integrity_check`, and only then puts it at `dst`.
///
/// The copy is one consistent snapshot taken in a single step: a server writing meanwhile
/// is neither blocked nor half-copied (WAL readers do not block writers), and what is still
/// only in the `-wal` file is copied too. It is written beside `dst` and renamed into place,
/// so a failed backup never leaves a truncated file under that name, nor replaces an older
/// good one. An existing `dst` is kept unless `overwrite`.
pub fn to_file(src: &Path, dst: &Path, overwrite: bool) -> Result<Copied> {
    if !src.is_file() {
        return Err(Error::NotFound(format!("数据库文件 {} 不存在(可用 --db 指定)", src.display())));
    }
    if dst.exists() && !overwrite {
        return Err(Error::Refused(format!("备份文件 {} 已存在:请换一个文件名,或加 --force 覆盖", dst.display())));
    }
    if let Some(dir) = dst.parent().filter(|d| !d.as_os_str().is_empty() && !d.is_dir()) {
        return Err(Error::NotFound(format!("备份目录 {} 不存在", dir.display())));
    }
    if dst.is_dir() {
        return Err(Error::Refused(format!("{} 是目录:请给出备份文件的名字", dst.display())));
    }
    if dst.canonicalize().ok() == Some(src.canonicalize()?) {
        return Err(Error::Refused("备份文件不能是数据库文件本身".into()));
    }
    let part = part_path(dst);
    let out = copy_and_check(src, &part).and_then(|copied| {
        std::fs::rename(&part, dst)?;
        sync_dir(dst);
        Ok(copied)
    });
    if out.is_err() {
        let _ = std::fs::remove_file(&part);
    }
    out
}

/// Checkpoints the write-ahead log into the database file and empties it: after this (and
/// with no writer left) the `.db` file alone holds everything.
pub fn checkpoint(conn: &Connection) -> Result<()> {
    let (busy, _, _): (i64, i64, i64) =
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    if busy != 0 {
        return Err(Error::Internal("WAL 检查点未完成:仍有连接在读写数据库".into()));
    }
    Ok(())
}

/// `backup.db` → `backup.db.part-1234`, in the same directory so the rename is atomic.
fn part_path(dst: &Path) -> PathBuf {
    let mut name = dst.file_name().unwrap_or_default().to_owned();
    name.push(format!(".part-{}", std::process::id()));
    dst.with_file_name(name)
}

fn copy_and_check(src: &Path, part: &Path) -> Result<Copied> {
    // No migration, no creation, and `query_only`: the backup never changes what it copies.
    // Not opened read-only, which would leave an empty `-wal` and `-shm` behind when no
    // server runs: the last connection to close tidies those away.
    let from = Connection::open_with_flags(src, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    from.busy_timeout(Duration::from_secs(5))?;
    from.pragma_update(None, "query_only", true)?;
    let _ = std::fs::remove_file(part);
    let mut to = Connection::open(part)
        .map_err(|e| Error::Refused(format!("无法写入备份文件 {}:{e}(目录是否存在、是否有写权限?)", part.display())))?;
    {
        let backup = Backup::new(&from, &mut to)?;
        let deadline = Instant::now() + BUSY_WAIT;
        // All pages in one step: one snapshot, never restarted by a write in between.
        loop {
            match backup.step(-1)? {
                StepResult::Done => break,
                _ if Instant::now() > deadline => {
                    return Err(Error::Internal("数据库持续繁忙,备份未完成,请稍后重试".into()));
                }
                _ => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }
    // The copy is a single self-contained file, whatever mode the original runs in.
    let _mode: String = to.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))?;
    let problems: Vec<String> = {
        let mut stmt = to.prepare("PRAGMA integrity_check")?;
        stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
    };
    if problems != ["ok"] {
        return Err(Error::Internal(format!("备份文件未通过完整性检查(integrity_check):{}", problems.join(";"))));
    }
    let count =
        |table: &str| -> Result<i64> { Ok(to.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?) };
    let (plans, figures, history) = (count("plan")?, count("reported_value")?, count("value_history")?);
    drop(to);
    let file = std::fs::File::open(part)?;
    file.sync_all()?;
    Ok(Copied { plans, figures, history, bytes: file.metadata()?.len() })
}

/// Makes the rename durable; best effort, as not every file system can sync a directory.
fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
    }
}
