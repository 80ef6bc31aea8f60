//! The `client.im()` namespace.

use dingtalk_core::{ChatId, OpenConversationId, ProcessQueryKey, RobotCode, UserId};

use crate::client::{Call, Client};
use crate::im::{CreateGroup, GetGroup, ListGroupMembers, SendPersonalMessage, UpdateGroup};
use crate::robot::{QueryGroupMessageReadStatus, RobotMessage, SendGroupMessage};

/// Group chat operations; from [`Client::im`].
#[derive(Clone, Copy, Debug)]
pub struct Im<'c> {
    pub(crate) client: &'c Client,
}

impl<'c> Im<'c> {
    /// [`CreateGroup`]: creates a group chat.
    pub fn create_group(
        self,
        name: impl Into<String>,
        owner: UserId,
        members: Vec<UserId>,
    ) -> Call<'c, CreateGroup> {
        self.client.call(CreateGroup::new(name, owner, members))
    }

    /// [`GetGroup`]: a group's base information.
    pub fn get_group(self, open_conversation_id: OpenConversationId) -> Call<'c, GetGroup> {
        self.client.call(GetGroup::new(open_conversation_id))
    }

    /// [`UpdateGroup`]: renames, transfers or changes members of a group.
    pub fn update_group(self, chatid: ChatId) -> Call<'c, UpdateGroup> {
        self.client.call(UpdateGroup::new(chatid))
    }

    /// [`UpdateGroup`] adding `members`.
    pub fn add_group_members(self, chatid: ChatId, members: Vec<UserId>) -> Call<'c, UpdateGroup> {
        self.client.call(UpdateGroup::new(chatid).add_members(members))
    }

    /// [`UpdateGroup`] removing `members`.
    pub fn remove_group_members(self, chatid: ChatId, members: Vec<UserId>) -> Call<'c, UpdateGroup> {
        self.client.call(UpdateGroup::new(chatid).remove_members(members))
    }

    /// [`ListGroupMembers`]: the members of an internal group, asked by member `user_id`.
    pub fn list_group_members(
        self,
        open_conversation_id: OpenConversationId,
        user_id: UserId,
    ) -> Call<'c, ListGroupMembers> {
        self.client
            .call(ListGroupMembers::new(open_conversation_id, user_id))
    }

    /// [`SendPersonalMessage`]: a message sent as the signed-in user (the client must hold a **user** token; the
    /// route is unverified, see [`SendPersonalMessage::path`]).
    pub fn send_personal_message(self, message: SendPersonalMessage) -> Call<'c, SendPersonalMessage> {
        self.client.call(message)
    }

    /// [`SendGroupMessage`]: a robot message into a group (same as on [`Client::robot`]).
    pub fn send_group_message(
        self,
        robot_code: RobotCode,
        open_conversation_id: OpenConversationId,
        message: RobotMessage,
    ) -> Call<'c, SendGroupMessage> {
        self.client
            .call(SendGroupMessage::new(robot_code, open_conversation_id, message))
    }

    /// [`QueryGroupMessageReadStatus`]: who read a robot group message (`groupMessages/query`).
    pub fn query_group_message_read_status(
        self,
        process_query_key: ProcessQueryKey,
    ) -> Call<'c, QueryGroupMessageReadStatus> {
        self.client
            .call(QueryGroupMessageReadStatus::new(process_query_key))
    }
}
