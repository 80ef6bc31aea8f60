//! `POST /v1.0/robot/ding/send`.

use std::borrow::Cow;
use std::collections::BTreeMap;

use dingtalk_core::{ApiHost, Body, Endpoint, Method, RobotCode, UserId};
use serde::{Deserialize, Serialize};

use crate::error::{Error, business_failure};
use crate::macros::call_setters;

/// How a DING reminds its receivers (`remindType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RemindType {
    /// `1`: in the app.
    App,
    /// `2`: by SMS.
    Sms,
    /// `3`: by phone call.
    Call,
}

impl RemindType {
    fn code(self) -> u8 {
        match self {
            RemindType::App => 1,
            RemindType::Sms => 2,
            RemindType::Call => 3,
        }
    }
}

/// Sends a DING (urgent reminder) from a robot: `POST /v1.0/robot/ding/send`.
///
/// A paid-edition feature (`Premium.Ding.Write`); standard orgs get 403. Receivers that could not be reached are in
/// [`SendDingResponse::failed_list`]. DingTalk docs: <https://open.dingtalk.com/document/orgapp/robot-sends-ding>.
/// Not idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{RobotCode, UserId};
/// use dingtalk_openapi::ding::RemindType;
/// let sent = client.ding()
///     .send_ding(RobotCode::new("dingbot"), vec![UserId::new("manager432")], "Prod is down", RemindType::App)
///     .await?;
/// println!("{}", sent.open_ding_id);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SendDing {
    robot_code: RobotCode,
    receiver_user_id_list: Vec<UserId>,
    content: String,
    remind_type: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    call_voice: Option<String>,
}

impl SendDing {
    /// A DING with `content` to `receivers`.
    pub fn new(
        robot_code: RobotCode,
        receivers: Vec<UserId>,
        content: impl Into<String>,
        remind_type: RemindType,
    ) -> Self {
        Self {
            robot_code,
            receiver_user_id_list: receivers,
            content: content.into(),
            remind_type: remind_type.code(),
            call_voice: None,
        }
    }

    /// The voice of phone-call DINGs (e.g. `Standard_Female_Voice`).
    #[must_use]
    pub fn call_voice(mut self, voice: impl Into<String>) -> Self {
        self.call_voice = Some(voice.into());
        self
    }
}

/// The answer to [`SendDing`].
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SendDingResponse {
    /// The DING's id, needed to recall it.
    pub open_ding_id: String,
    /// Receivers not reached, with DingTalk's reason.
    #[serde(default)]
    pub failed_list: BTreeMap<String, String>,
}

impl SendDingResponse {
    /// Whether some receivers were not reached.
    pub fn is_partial(&self) -> bool {
        !self.failed_list.is_empty()
    }

    /// `Ok(self)` when every receiver was reached, else an error with code `ding.partialDelivery`.
    pub fn into_complete(self) -> Result<Self, Error> {
        if self.is_partial() {
            Err(business_failure(
                "ding.partialDelivery",
                "some receivers were not reached",
            ))
        } else {
            Ok(self)
        }
    }
}

impl Endpoint for SendDing {
    type Response = SendDingResponse;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = false;

    fn route(&self) -> &'static str {
        "/v1.0/robot/ding/send"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1.0/robot/ding/send")
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("robotCode", self.robot_code.as_str())?;
        dingtalk_core::endpoint::require("content", &self.content)?;
        if self.receiver_user_id_list.is_empty() {
            return Err(Error::validation("receiverUserIdList is required"));
        }
        Ok(())
    }
}

call_setters!(SendDing { call_voice(voice: impl Into<String>) });
