//! Robot messaging: group, one-to-one and private-chat sends, recalls, emotions, message files, read status, and
//! the session and custom webhooks.

mod batch_recall_oto_message;
mod batch_send_oto_message;
mod checks;
mod download_message_file;
mod message;
mod query_group_message_read_status;
mod recall_emotion;
mod recall_group_message;
mod reply_emotion;
mod send_by_session;
mod send_custom_webhook;
mod send_group_message;
mod send_private_chat_message;
mod webhook_message;

pub use batch_recall_oto_message::BatchRecallOtoMessage;
pub use batch_send_oto_message::{BatchSendOtoMessage, BatchSendOtoMessageResponse, MAX_OTO_RECIPIENTS};
pub use download_message_file::{DownloadMessageFile, DownloadMessageFileResponse};
pub use message::{ActionButton, MAX_MSG_PARAM_BYTES, RobotMessage};
pub use query_group_message_read_status::{
    MAX_READ_STATUS_PAGE, QueryGroupMessageReadStatus, QueryGroupMessageReadStatusResponse,
};
pub use recall_emotion::RecallEmotion;
pub use recall_group_message::{RecallGroupMessage, RecallResponse};
pub use reply_emotion::{EmotionResponse, ReplyEmotion};
pub use send_by_session::SendBySession;
pub use send_custom_webhook::{SendCustomWebhook, webhook_signature};
pub use send_group_message::{SendGroupMessage, SendGroupMessageResponse};
pub use send_private_chat_message::SendPrivateChatMessage;
pub use webhook_message::{
    FeedLink, MAX_WEBHOOK_BODY_BYTES, MAX_WEBHOOK_MENTIONS, WebhookMessage, WebhookResponse,
};
