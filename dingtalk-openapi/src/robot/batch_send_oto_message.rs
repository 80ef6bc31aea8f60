//! `POST /v1.0/robot/oToMessages/batchSend`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, Endpoint, Method, ProcessQueryKey, RobotCode, UserId};
use serde::{Deserialize, Serialize};

use crate::error::{Error, business_failure};
use crate::robot::RobotMessage;

/// The most recipients one [`BatchSendOtoMessage`] may name.
pub const MAX_OTO_RECIPIENTS: usize = 20;

/// Sends a robot message to up to 20 users one-to-one: `POST /v1.0/robot/oToMessages/batchSend`.
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/chatbots-send-one-on-one-chat-messages-in-batches>.
/// HTTP 200 does not mean everyone received it: see [`BatchSendOtoMessageResponse::is_partial`]. Not idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{RobotCode, UserId};
/// use dingtalk_openapi::robot::RobotMessage;
/// let users = vec![UserId::new("manager432")];
/// let sent = client.robot().batch_send_oto_message(RobotCode::new("dingbot"), users, RobotMessage::text("hi")).await?;
/// for user in sent.failed_recipients() { eprintln!("not delivered to {user}"); }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchSendOtoMessage {
    robot_code: RobotCode,
    user_ids: Vec<UserId>,
    msg_key: String,
    msg_param: String,
}

impl BatchSendOtoMessage {
    /// A one-to-one send of `message` to `user_ids` (1 to 20 user ids).
    pub fn new(robot_code: RobotCode, user_ids: Vec<UserId>, message: RobotMessage) -> Self {
        let (msg_key, msg_param) = message.into_parts();
        Self {
            robot_code,
            user_ids,
            msg_key: msg_key.as_str().to_owned(),
            msg_param,
        }
    }
}

/// The answer to [`BatchSendOtoMessage`], including recipients the message did not reach.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct BatchSendOtoMessageResponse {
    /// The handle needed to recall the message or query its read status.
    pub process_query_key: Option<ProcessQueryKey>,
    /// Ids DingTalk could not resolve in the organisation.
    #[serde(default)]
    pub invalid_staff_id_list: Vec<UserId>,
    /// Recipients throttled by DingTalk; re-send to them later.
    #[serde(default)]
    pub flow_controlled_staff_id_list: Vec<UserId>,
    /// Recipients the platform filtered (reason undocumented).
    #[serde(default)]
    pub filtered_staff_id_list: Vec<UserId>,
}

impl BatchSendOtoMessageResponse {
    /// Whether some recipients did not get the message.
    pub fn is_partial(&self) -> bool {
        !(self.invalid_staff_id_list.is_empty()
            && self.flow_controlled_staff_id_list.is_empty()
            && self.filtered_staff_id_list.is_empty())
    }

    /// Every recipient that did not get the message (invalid, throttled or filtered).
    pub fn failed_recipients(&self) -> impl Iterator<Item = &UserId> {
        self.invalid_staff_id_list
            .iter()
            .chain(&self.flow_controlled_staff_id_list)
            .chain(&self.filtered_staff_id_list)
    }

    /// `Ok(self)` when every recipient got the message, else an [`ErrorKind::Api`](crate::ErrorKind::Api) error
    /// with code `robot.partialDelivery`.
    pub fn into_complete(self) -> Result<Self, Error> {
        if self.is_partial() {
            Err(business_failure(
                "robot.partialDelivery",
                "some recipients did not receive the message",
            ))
        } else {
            Ok(self)
        }
    }
}

impl Endpoint for BatchSendOtoMessage {
    type Response = BatchSendOtoMessageResponse;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = false;

    fn route(&self) -> &'static str {
        "/v1.0/robot/oToMessages/batchSend"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1.0/robot/oToMessages/batchSend")
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        super::checks::validate_send(&self.robot_code, &self.msg_key, &self.msg_param)?;
        if self.user_ids.is_empty() || self.user_ids.len() > MAX_OTO_RECIPIENTS {
            return Err(Error::validation(format!(
                "userIds must hold 1 to {MAX_OTO_RECIPIENTS} ids"
            )));
        }
        Ok(())
    }
}
