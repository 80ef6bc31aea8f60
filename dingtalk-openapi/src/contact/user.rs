//! The user record returned by the legacy contact endpoints.

use dingtalk_core::{DeptId, UnionId, UserId};
use serde::Deserialize;

/// A user as the legacy contact API (`/topapi/v2/user/*`) returns it.
#[derive(Clone, Debug, Deserialize)]
#[non_exhaustive]
pub struct User {
    /// The user id.
    pub userid: UserId,
    /// The union id.
    pub unionid: Option<UnionId>,
    /// The display name.
    pub name: Option<String>,
    /// The avatar URL.
    pub avatar: Option<String>,
    /// The mobile number (needs the mobile scope).
    pub mobile: Option<String>,
    /// The country code of the mobile number.
    pub state_code: Option<String>,
    /// The e-mail address.
    pub email: Option<String>,
    /// The job title.
    pub title: Option<String>,
    /// The employee number.
    pub job_number: Option<String>,
    /// Departments the user belongs to.
    #[serde(default, deserialize_with = "crate::wire::dept_ids::deserialize")]
    pub dept_id_list: Vec<DeptId>,
    /// The manager's user id.
    pub manager_userid: Option<UserId>,
    /// Whether the account is active.
    #[serde(default, deserialize_with = "crate::wire::lenient_bool::deserialize")]
    pub active: Option<bool>,
    /// Whether the user is an administrator.
    #[serde(default, deserialize_with = "crate::wire::lenient_bool::deserialize")]
    pub admin: Option<bool>,
    /// Whether the user is the organisation's boss.
    #[serde(default, deserialize_with = "crate::wire::lenient_bool::deserialize")]
    pub boss: Option<bool>,
    /// Whether the user leads a department (list responses).
    #[serde(default, deserialize_with = "crate::wire::lenient_bool::deserialize")]
    pub leader: Option<bool>,
}
