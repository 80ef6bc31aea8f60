//! IM: group chats (create, read, update, members) and messages sent as the signed-in user
//! ([`SendPersonalMessage`], user token, route unverified). Robot group messages and their read status are in
//! [`robot`](crate::robot) and reachable from `client.im()` too.

mod create_group;
mod get_group;
mod list_group_members;
mod send_personal_message;
mod update_group;

pub use create_group::{CreateGroup, CreateGroupResponse};
pub use get_group::{GetGroup, GetGroupResponse, GroupInfo};
pub use list_group_members::{ListGroupMembers, ListGroupMembersResponse};
pub use send_personal_message::{
    PersonalMessageResult, PersonalMsgType, SendPersonalMessage, SendPersonalMessageResponse,
};
pub use update_group::{UpdateGroup, UpdateGroupResponse};
