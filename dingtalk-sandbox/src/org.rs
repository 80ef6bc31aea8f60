//! The deterministic demo organisation every sandbox starts with.

use serde::Serialize;

/// The demo corp id.
pub const DEMO_CORP_ID: &str = "dingsandboxcorp0001";
/// The default app's client id (AppKey), also its robot code.
pub const DEMO_CLIENT_ID: &str = "dingsandboxdemo";
/// The default app's client secret (AppSecret).
pub const DEMO_CLIENT_SECRET: &str = "sandbox-secret";
/// The default app's numeric agent id.
pub const DEMO_AGENT_ID: i64 = 3_000_000_001;

const NAMES: [&str; 24] = [
    "Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy", "Mallory", "Niaj",
    "Olivia", "Peggy", "Rupert", "Sybil", "Trent", "Uma", "Victor", "Walter", "Xena", "Yuri", "Zoe",
    "Quentin",
];

/// A department of the demo org.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Department {
    /// Department id; the root is `1`.
    pub dept_id: i64,
    /// Display name.
    pub name: String,
    /// Parent department id (`0` for the root).
    pub parent_id: i64,
}

/// A user of the demo org.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct User {
    /// The org-scoped user id (also the staff id).
    pub user_id: String,
    /// The developer-scoped union id.
    pub union_id: String,
    /// Display name.
    pub name: String,
    /// Mobile number.
    pub mobile: String,
    /// Department id.
    pub dept_id: i64,
    /// Whether the user is an org admin.
    pub is_admin: bool,
    /// The encrypted sender id seen in inbound robot messages.
    pub sender_id: String,
}

/// A group chat of the demo org.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Group {
    /// The `cid…==` open conversation id.
    pub open_conversation_id: String,
    /// The legacy `chat…` id.
    pub chatid: String,
    /// Group title.
    pub title: String,
    /// Member user ids.
    pub members: Vec<String>,
}

/// The whole demo org.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Org {
    /// Corp id.
    pub corp_id: String,
    /// Departments, root first.
    pub departments: Vec<Department>,
    /// At least 20 users.
    pub users: Vec<User>,
    /// Three groups.
    pub groups: Vec<Group>,
}

impl Org {
    /// Builds the deterministic demo org.
    pub fn demo() -> Self {
        let departments = vec![
            Department {
                dept_id: 1,
                name: "Sandbox Corp".into(),
                parent_id: 0,
            },
            Department {
                dept_id: 100,
                name: "Engineering".into(),
                parent_id: 1,
            },
            Department {
                dept_id: 200,
                name: "Operations".into(),
                parent_id: 1,
            },
            Department {
                dept_id: 300,
                name: "Sales".into(),
                parent_id: 1,
            },
        ];
        let users: Vec<User> = NAMES
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let n = i + 1;
                let dept_id = match i % 3 {
                    0 => 100,
                    1 => 200,
                    _ => 300,
                };
                User {
                    user_id: format!("user{n:03}"),
                    union_id: format!("unionSandbox{n:03}iiiiEiE"),
                    name: (*name).to_owned(),
                    mobile: format!("1380000{n:04}"),
                    dept_id,
                    is_admin: i == 0,
                    sender_id: format!("$:LWCP_v1:$sandboxSender{n:03}=="),
                }
            })
            .collect();
        let ids = |range: std::ops::Range<usize>| {
            users[range].iter().map(|u| u.user_id.clone()).collect::<Vec<_>>()
        };
        let groups = vec![
            Group {
                open_conversation_id: "cidSandboxEng0001+demo/Aa==".into(),
                chatid: "chat0000000000000000000000000000e001".into(),
                title: "Engineering".into(),
                members: ids(0..12),
            },
            Group {
                open_conversation_id: "cidSandboxOps0002+demo/Bb==".into(),
                chatid: "chat0000000000000000000000000000e002".into(),
                title: "Ops team".into(),
                members: ids(6..18),
            },
            Group {
                open_conversation_id: "cidSandboxAll0003+demo/Cc==".into(),
                chatid: "chat0000000000000000000000000000e003".into(),
                title: "All hands".into(),
                members: ids(0..users.len()),
            },
        ];
        Self {
            corp_id: DEMO_CORP_ID.into(),
            departments,
            users,
            groups,
        }
    }

    /// Finds a user by user id (staff id).
    pub fn user(&self, user_id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.user_id == user_id)
    }

    /// Finds a group by open conversation id.
    pub fn group(&self, open_conversation_id: &str) -> Option<&Group> {
        self.groups
            .iter()
            .find(|g| g.open_conversation_id == open_conversation_id)
    }

    /// The 1:1 conversation id between the robot and a user.
    pub fn single_conversation_id(user_id: &str) -> String {
        format!("cidSingle{user_id}Robot==")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_org_is_big_enough_and_stable() {
        let org = Org::demo();
        assert!(org.users.len() >= 20);
        assert_eq!(org.groups.len(), 3);
        assert_eq!(org.users[0].user_id, "user001");
        assert!(org.departments.iter().any(|d| d.dept_id == 1));
        assert!(
            org.groups
                .iter()
                .all(|g| g.open_conversation_id.starts_with("cid"))
        );
    }
}
