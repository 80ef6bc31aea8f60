//! The `client.robot()` namespace.

use std::time::UNIX_EPOCH;

use dingtalk_core::{
    DownloadCode, MsgId, OpenConversationId, ProcessQueryKey, RobotCode, SecretString, UserId,
};

use crate::client::{Call, Client};
use crate::error::Error;
use crate::robot::{
    BatchRecallOtoMessage, BatchSendOtoMessage, DownloadMessageFile, QueryGroupMessageReadStatus,
    RecallEmotion, RecallGroupMessage, ReplyEmotion, RobotMessage, SendBySession, SendCustomWebhook,
    SendGroupMessage, SendPrivateChatMessage, WebhookMessage,
};

/// Robot messaging operations; from [`Client::robot`].
#[derive(Clone, Copy, Debug)]
pub struct Robot<'c> {
    pub(crate) client: &'c Client,
}

impl<'c> Robot<'c> {
    /// [`SendGroupMessage`]: a robot message into a group chat.
    pub fn send_group_message(
        self,
        robot_code: RobotCode,
        open_conversation_id: OpenConversationId,
        message: RobotMessage,
    ) -> Call<'c, SendGroupMessage> {
        self.client
            .call(SendGroupMessage::new(robot_code, open_conversation_id, message))
    }

    /// [`BatchSendOtoMessage`]: a robot message to up to 20 users one-to-one.
    pub fn batch_send_oto_message(
        self,
        robot_code: RobotCode,
        user_ids: Vec<UserId>,
        message: RobotMessage,
    ) -> Call<'c, BatchSendOtoMessage> {
        self.client
            .call(BatchSendOtoMessage::new(robot_code, user_ids, message))
    }

    /// [`SendPrivateChatMessage`]: a robot message into a person-to-person chat (direct-message cool-app).
    pub fn send_private_chat_message(
        self,
        robot_code: RobotCode,
        open_conversation_id: OpenConversationId,
        cool_app_code: impl Into<String>,
        message: RobotMessage,
    ) -> Call<'c, SendPrivateChatMessage> {
        self.client.call(SendPrivateChatMessage::new(
            robot_code,
            open_conversation_id,
            cool_app_code,
            message,
        ))
    }

    /// [`RecallGroupMessage`]: recalls group messages.
    pub fn recall_group_message(
        self,
        robot_code: RobotCode,
        open_conversation_id: OpenConversationId,
        process_query_keys: Vec<ProcessQueryKey>,
    ) -> Call<'c, RecallGroupMessage> {
        self.client.call(RecallGroupMessage::new(
            robot_code,
            open_conversation_id,
            process_query_keys,
        ))
    }

    /// [`BatchRecallOtoMessage`]: recalls one-to-one messages.
    pub fn batch_recall_oto_message(
        self,
        robot_code: RobotCode,
        process_query_keys: Vec<ProcessQueryKey>,
    ) -> Call<'c, BatchRecallOtoMessage> {
        self.client
            .call(BatchRecallOtoMessage::new(robot_code, process_query_keys))
    }

    /// [`ReplyEmotion`]: adds a text emotion to an inbound message.
    pub fn reply_emotion(
        self,
        robot_code: RobotCode,
        open_msg_id: MsgId,
        open_conversation_id: OpenConversationId,
        name: impl Into<String>,
    ) -> Call<'c, ReplyEmotion> {
        self.client.call(ReplyEmotion::new(
            robot_code,
            open_msg_id,
            open_conversation_id,
            name,
        ))
    }

    /// [`RecallEmotion`]: removes a text emotion the robot added.
    pub fn recall_emotion(
        self,
        robot_code: RobotCode,
        open_msg_id: MsgId,
        open_conversation_id: OpenConversationId,
        name: impl Into<String>,
    ) -> Call<'c, RecallEmotion> {
        self.client.call(RecallEmotion::new(
            robot_code,
            open_msg_id,
            open_conversation_id,
            name,
        ))
    }

    /// [`DownloadMessageFile`]: the download URL of an inbound message's file.
    pub fn download_message_file(
        self,
        robot_code: RobotCode,
        download_code: DownloadCode,
    ) -> Call<'c, DownloadMessageFile> {
        self.client
            .call(DownloadMessageFile::new(robot_code, download_code))
    }

    /// Exchanges `download_code` for its URL, then downloads at most `max_bytes` from it **without any token**
    /// (the URL is pre-signed; see [`Transport::download`](dingtalk_core::Transport::download)).
    pub async fn download_message_file_bytes(
        self,
        robot_code: RobotCode,
        download_code: DownloadCode,
        max_bytes: u64,
    ) -> Result<Vec<u8>, Error> {
        let answer = self.download_message_file(robot_code, download_code).await?;
        self.client
            .transport()
            .download(&answer.download_url, max_bytes)
            .await
    }

    /// [`QueryGroupMessageReadStatus`]: who read a group message (also on [`Client::im`]).
    pub fn query_group_message_read_status(
        self,
        process_query_key: ProcessQueryKey,
    ) -> Call<'c, QueryGroupMessageReadStatus> {
        self.client
            .call(QueryGroupMessageReadStatus::new(process_query_key))
    }

    /// [`SendBySession`]: replies through an inbound message's session webhook. No token is sent.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`](crate::ErrorKind::Validation) when `session_webhook` is not a session webhook URL.
    pub fn send_by_session(
        self,
        session_webhook: &str,
        message: WebhookMessage,
    ) -> Result<Call<'c, SendBySession>, Error> {
        Ok(self.client.call(SendBySession::new(session_webhook, message)?))
    }

    /// [`SendCustomWebhook`]: posts to a custom webhook robot, signed with `secret` at the transport clock's wall
    /// time when a secret is given. The app token is never sent.
    pub fn send_custom_webhook(
        self,
        access_token: SecretString,
        secret: Option<SecretString>,
        message: WebhookMessage,
    ) -> Call<'c, SendCustomWebhook> {
        let mut endpoint = SendCustomWebhook::new(access_token, message);
        if let Some(secret) = secret {
            let now = self.client.transport().clock().wall();
            let millis = now
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
            endpoint = endpoint.signed(secret, millis);
        }
        self.client.call(endpoint)
    }
}
