//! `plantrack user …`: accounts from the command line, for the first admin and for scripts.
//! Passwords are read from the terminal without echo, or from stdin; never from argv.

use std::io::{BufRead, IsTerminal};

use plantrack::auth::{self, Role};
use plantrack::store::{self, Store, audit};
use plantrack::{Error, Result};

use super::UserCommand;

/// Who the audit log names for changes made here.
const ACTOR: &str = "命令行";

pub fn run(cmd: UserCommand) -> Result<()> {
    match cmd {
        UserCommand::Add { name, role, db } => {
            let role = Role::parse(&role)
                .ok_or_else(|| Error::BadRequest(format!("未知角色“{role}”:应为 admin、editor、reviewer 或 viewer")))?;
            if let Some(m) = auth::name_problem(&name) {
                return Err(Error::BadRequest(m));
            }
            let password = read_password(&name)?;
            let store = Store::open(&db.db)?;
            store.with_conn(|c| {
                store::in_transaction(c, |tx| {
                    store::accounts::create(tx, &name, role, &auth::hash_password(&password)?)?;
                    audit::record(tx, ACTOR, "user_created", &name, &format!("角色:{}", role.label_zh()), "")
                })
            })?;
            println!("已添加用户 {name}({})。", role.label_zh());
        }
        UserCommand::Passwd { name, db } => {
            let password = read_password(&name)?;
            let store = Store::open(&db.db)?;
            store.with_conn(|c| {
                store::in_transaction(c, |tx| {
                    let account = store::accounts::by_name(tx, &name)?;
                    store::accounts::set_password_hash(tx, account.id, &auth::hash_password(&password)?, None)?;
                    audit::record(tx, ACTOR, "password_reset", &name, "该用户的会话已全部结束", "")
                })
            })?;
            println!("已为 {name} 设置新密码,其登录已全部退出。");
        }
        UserCommand::Token { name, label, db } => {
            let store = Store::open(&db.db)?;
            let token = auth::new_token();
            store.with_conn(|c| {
                store::in_transaction(c, |tx| {
                    let account = store::accounts::by_name(tx, &name)?;
                    store::accounts::create_token(tx, account.id, &auth::token_hash(&token), &label, ACTOR)?;
                    audit::record(tx, ACTOR, "token_issued", &name, &label, "")
                })
            })?;
            println!("{token}");
        }
        UserCommand::List { db } => {
            let store = Store::open(&db.db)?;
            for a in store.with_conn(|c| store::accounts::list(c))? {
                let state = if a.disabled { "已停用" } else { "正常" };
                println!("{}\t{}\t{state}", a.name, a.role.label_zh());
            }
        }
    }
    Ok(())
}

/// From the terminal (asked twice, no echo) or the first line of stdin.
fn read_password(name: &str) -> Result<String> {
    let password = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(format!("{name} 的密码:"))?;
        let again = rpassword::prompt_password("再输入一次:")?;
        if first != again {
            return Err(Error::BadRequest("两次输入的密码不一致".into()));
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    match auth::password_problem(name, &password) {
        Some(m) => Err(Error::BadRequest(m)),
        None => Ok(password),
    }
}
