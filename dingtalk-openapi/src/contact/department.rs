//! The department record returned by the legacy contact endpoints.

use dingtalk_core::{DeptId, UserId};
use serde::Deserialize;

/// A department as `/topapi/v2/department/*` returns it.
#[derive(Clone, Debug, Deserialize)]
#[non_exhaustive]
pub struct Department {
    /// The department id.
    #[serde(with = "crate::wire::dept_id")]
    pub dept_id: DeptId,
    /// The name.
    pub name: Option<String>,
    /// The parent department (absent for the root).
    #[serde(default, deserialize_with = "crate::wire::opt_dept_id::deserialize")]
    pub parent_id: Option<DeptId>,
    /// The sort order.
    pub order: Option<i64>,
    /// Managers (detail responses).
    #[serde(default)]
    pub dept_manager_userid_list: Vec<UserId>,
}
