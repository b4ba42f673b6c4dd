//! Accounts: roles, what each may write, password hashing and session tokens. Pure Rust; the
//! SQL is in `store::users` and `store::sessions`, the HTTP side in `http::session`.

pub mod password;

use serde::Serialize;

/// What an account may do. Anonymous visitors have no account: they read, when reads are
/// public (`KHEO_ANONYMOUS_READ`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Writes in every commune, restores earlier versions.
    Admin,
    /// Writes in the communes listed for the account.
    Editor,
}

impl Role {
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Editor => "editor",
        }
    }

    pub fn parse(value: &str) -> Option<Role> {
        match value {
            "admin" => Some(Role::Admin),
            "editor" => Some(Role::Editor),
            _ => None,
        }
    }
}

/// A signed-in account, as handlers and the page see it.
#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The communes an editor writes in (statistics codes); empty for admins, who write in all.
    pub communes: Vec<String>,
}

impl User {
    /// Whether this account may change features of the commune `code`.
    ///
    /// ```
    /// use kheo::auth::{Role, User};
    /// let editor = User { username: "lan".into(), display_name: String::new(), role: Role::Editor, communes: vec!["17131".into()] };
    /// assert!(editor.may_edit("17131"));
    /// assert!(!editor.may_edit("17132"));
    /// ```
    pub fn may_edit(&self, code: &str) -> bool {
        self.role == Role::Admin || self.communes.iter().any(|c| c == code)
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// A user name: 2 to 40 characters, lower-case letters, digits, `.`, `_`, `-`, starting with
/// a letter or digit (the database checks the same).
pub fn valid_username(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    (2..=40).contains(&name.len())
        && first_ok
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
}
