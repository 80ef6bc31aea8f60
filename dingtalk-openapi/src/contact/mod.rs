//! Contact: users (by id, mobile, union id, search, department listing, current user) and departments.

mod department;
mod get_current_user;
mod get_department;
mod get_user;
mod get_user_by_mobile;
mod get_user_by_union_id;
mod list_department_users;
mod list_sub_department_ids;
mod list_sub_departments;
mod search_users;
mod user;

pub use department::Department;
pub use get_current_user::{CurrentUser, GetCurrentUser};
pub use get_department::GetDepartment;
pub use get_user::GetUser;
pub use get_user_by_mobile::{GetUserByMobile, UserIdLookup};
pub use get_user_by_union_id::GetUserByUnionId;
pub use list_department_users::{ListDepartmentUsers, ListDepartmentUsersResponse};
pub use list_sub_department_ids::{ListSubDepartmentIds, ListSubDepartmentIdsResponse};
pub use list_sub_departments::ListSubDepartments;
pub use search_users::{SearchUsers, SearchUsersResponse};
pub use user::User;
