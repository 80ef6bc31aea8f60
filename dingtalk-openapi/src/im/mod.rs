//! IM: group chats (create, read, update, members). Robot group messages and their read status are in
//! [`robot`](crate::robot) and reachable from `client.im()` too.

mod create_group;
mod get_group;
mod list_group_members;
mod update_group;

pub use create_group::{CreateGroup, CreateGroupResponse};
pub use get_group::{GetGroup, GetGroupResponse, GroupInfo};
pub use list_group_members::{ListGroupMembers, ListGroupMembersResponse};
pub use update_group::{UpdateGroup, UpdateGroupResponse};
