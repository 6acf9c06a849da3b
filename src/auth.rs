//! Accounts' pure side: roles, password hashing and rules, tokens, throttling policy.

use std::fmt;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Passwords shorter than this are refused.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Failed sign-ins tolerated before delays start: per account, and per address (an office
/// shares one address behind its router, so it gets more).
pub const ACCOUNT_FREE_FAILURES: u32 = 5;
pub const ADDRESS_FREE_FAILURES: u32 = 20;
/// First delay after the free failures; it doubles with each further failure, up to the cap.
pub const FIRST_DELAY_SECS: i64 = 30;
pub const MAX_DELAY_SECS: i64 = 3600;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// 管理员: users, plans and metric definitions.
    Admin,
    /// 填报员: enters quarterly figures.
    Editor,
    /// 审核人: approves or returns figures.
    Reviewer,
    /// 查看者: reads only.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Editor, Role::Reviewer, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Reviewer => "reviewer",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Enters quarterly figures (form, sheet import, API).
    pub fn may_enter(self) -> bool {
        matches!(self, Role::Editor | Role::Admin)
    }

    /// Approves, returns, locks quarters and restores earlier figures.
    pub fn may_review(self) -> bool {
        matches!(self, Role::Reviewer | Role::Admin)
    }

    /// Manages users, tokens, plans and metric definitions.
    pub fn may_administer(self) -> bool {
        self == Role::Admin
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Role::Admin => "管理员",
            Role::Editor => "填报员",
            Role::Reviewer => "审核人",
            Role::Viewer => "查看者",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a user name or password is not acceptable, in Chinese; `None` when it is.
pub fn password_problem(name: &str, password: &str) -> Option<String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Some(format!("密码至少需要 {MIN_PASSWORD_CHARS} 个字符"));
    }
    if password.trim() != password {
        return Some("密码首尾不能有空格".into());
    }
    if password.eq_ignore_ascii_case(name) {
        return Some("密码不能与用户名相同".into());
    }
    None
}

pub fn name_problem(name: &str) -> Option<String> {
    let ok = !name.is_empty()
        && name.chars().count() <= 32
        && name.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    (!ok).then(|| "用户名为 1–32 个字母、数字、汉字或 - _ .".into())
}

/// An argon2id hash in PHC form, with a fresh random salt.
pub fn hash_password(password: &str) -> Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("password hashing failed: {e}")))
}

/// Whether `password` matches `hash`; a malformed hash matches nothing.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash to verify against when the account does not exist, so that a wrong name takes
/// as long as a wrong password and does not reveal which names exist.
pub fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("no such account, no such password").expect("hashing works"))
}

/// 32 random bytes as hex: session ids, CSRF tokens and API tokens.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system provides randomness");
    hex(&bytes)
}

/// A secret meant to be read off a terminal and typed: `groups` groups of four Crockford
/// base32 characters (5 random bits each), such as `7K2M-QX9D-H4TB`. The setup code of a
/// first start and the demo accounts' passwords.
pub fn new_code(groups: usize) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut bytes = vec![0u8; groups * 4];
    getrandom::fill(&mut bytes).expect("the operating system provides randomness");
    // 256 is a multiple of 32, so the low five bits of a random byte are uniform.
    let chars: Vec<char> = bytes.iter().map(|b| char::from(ALPHABET[usize::from(b & 31)])).collect();
    chars.chunks(4).map(|g| g.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// Whether `typed` is the code `code` of [`new_code`], read as people type it: any case,
/// with or without the dashes or spaces, O for 0 and I or L for 1. Compared in constant
/// time, so the time a wrong guess takes tells nothing of the code.
pub fn code_matches(typed: &str, code: &str) -> bool {
    let (typed, code) = (normalize_code(typed), normalize_code(code));
    !code.is_empty()
        && typed.len() == code.len()
        && typed.bytes().zip(code.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn normalize_code(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect()
}

/// How a token is stored: its SHA-256. Tokens carry 256 random bits, so a fast hash is
/// enough, and a stolen database holds nothing that signs anyone in.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Seconds still to wait before another sign-in may be tried, after `failures` failures
/// the last of which was `since_last` seconds ago; `None` when no wait is due.
pub fn throttle_wait(failures: u32, free: u32, since_last: i64) -> Option<i64> {
    if failures < free {
        return None;
    }
    let doublings = (failures - free).min(16);
    let delay = (FIRST_DELAY_SECS << doublings).min(MAX_DELAY_SECS);
    let left = delay - since_last;
    (left > 0).then_some(left)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("correct horse batterY", &h));
        assert!(!verify_password("anything", "not a hash"));
        assert_ne!(h, hash_password("correct horse battery").unwrap(), "salted");
    }

    #[test]
    fn each_role_may_do_its_own_work_and_admins_everything() {
        let may = |r: Role| (r.may_enter(), r.may_review(), r.may_administer());
        assert_eq!(may(Role::Admin), (true, true, true));
        assert_eq!(may(Role::Editor), (true, false, false));
        assert_eq!(may(Role::Reviewer), (false, true, false));
        assert_eq!(may(Role::Viewer), (false, false, false));
    }

    #[test]
    fn password_rules() {
        assert!(password_problem("wang", "short").unwrap().contains("10"));
        assert!(password_problem("wangwangwang", "WANGWANGWANG").is_some());
        assert!(password_problem("wang", " padded password ").is_some());
        assert_eq!(password_problem("wang", "气象局规划处二〇二一年"), None);
    }

    #[test]
    fn names_are_short_and_plain() {
        assert_eq!(name_problem("zhang.san"), None);
        assert_eq!(name_problem("张三"), None);
        assert!(name_problem("").is_some());
        assert!(name_problem("a b").is_some());
        assert!(name_problem("<script>").is_some());
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_ne!(token_hash(&a), a);
    }

    #[test]
    fn codes_are_random_typable_and_read_forgivingly() {
        let code = new_code(4);
        assert_eq!(code.len(), 19);
        assert!(
            code.split('-').all(|g| g.len() == 4 && g.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()))
        );
        assert_ne!(code, new_code(4));
        assert!(code_matches(&code, &code));
        assert!(code_matches(&format!(" {} ", code.to_lowercase().replace('-', " ")), &code));
        assert!(code_matches("0I1L-ABCD", "01-11-ABCD") && code_matches("oil1abcd", "0111-ABCD"));
        assert!(!code_matches("0111-ABCE", "0111-ABCD"));
        assert!(!code_matches("0111-ABC", "0111-ABCD"));
        assert!(!code_matches("", "0111-ABCD"));
        assert_eq!(password_problem("demo-admin", &new_code(3)), None, "a three-group code is a valid password");
    }

    #[test]
    fn throttle_delays_grow_after_the_free_failures() {
        assert_eq!(throttle_wait(4, 5, 0), None);
        assert_eq!(throttle_wait(5, 5, 0), Some(30));
        assert_eq!(throttle_wait(5, 5, 10), Some(20));
        assert_eq!(throttle_wait(5, 5, 30), None);
        assert_eq!(throttle_wait(6, 5, 0), Some(60));
        assert_eq!(throttle_wait(8, 5, 0), Some(240));
        assert_eq!(throttle_wait(40, 5, 0), Some(MAX_DELAY_SECS));
    }
}
