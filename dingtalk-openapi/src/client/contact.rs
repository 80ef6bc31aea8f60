//! The `client.contact()` namespace.

use dingtalk_core::{DeptId, UnionId, UserId};

use crate::client::{Call, Client};
use crate::contact::{
    GetCurrentUser, GetDepartment, GetUser, GetUserByMobile, GetUserByUnionId, ListDepartmentUsers,
    ListSubDepartmentIds, ListSubDepartments, SearchUsers,
};

/// Contact (address book) operations; from [`Client::contact`].
#[derive(Clone, Copy, Debug)]
pub struct Contact<'c> {
    pub(crate) client: &'c Client,
}

impl<'c> Contact<'c> {
    /// [`GetUser`]: one user's details.
    pub fn get_user(self, userid: UserId) -> Call<'c, GetUser> {
        self.client.call(GetUser::new(userid))
    }

    /// [`GetUserByMobile`]: a user id by mobile number.
    pub fn get_user_by_mobile(self, mobile: impl Into<String>) -> Call<'c, GetUserByMobile> {
        self.client.call(GetUserByMobile::new(mobile))
    }

    /// [`GetUserByUnionId`]: a user id by union id.
    pub fn get_user_by_union_id(self, unionid: UnionId) -> Call<'c, GetUserByUnionId> {
        self.client.call(GetUserByUnionId::new(unionid))
    }

    /// [`SearchUsers`]: user ids by name.
    pub fn search_users(self, query_word: impl Into<String>) -> Call<'c, SearchUsers> {
        self.client.call(SearchUsers::new(query_word))
    }

    /// [`ListDepartmentUsers`]: the users of a department, with details.
    pub fn list_department_users(self, dept_id: DeptId) -> Call<'c, ListDepartmentUsers> {
        self.client.call(ListDepartmentUsers::new(dept_id))
    }

    /// [`GetDepartment`]: one department.
    pub fn get_department(self, dept_id: DeptId) -> Call<'c, GetDepartment> {
        self.client.call(GetDepartment::new(dept_id))
    }

    /// [`ListSubDepartments`]: the direct child departments.
    pub fn list_sub_departments(self, dept_id: DeptId) -> Call<'c, ListSubDepartments> {
        self.client.call(ListSubDepartments::new(dept_id))
    }

    /// [`ListSubDepartmentIds`]: the ids of the direct child departments.
    pub fn list_sub_department_ids(self, dept_id: DeptId) -> Call<'c, ListSubDepartmentIds> {
        self.client.call(ListSubDepartmentIds::new(dept_id))
    }

    /// [`GetCurrentUser`]: the signed-in user (user token only).
    pub fn get_current_user(self) -> Call<'c, GetCurrentUser> {
        self.client.call(GetCurrentUser::new())
    }
}
