//! `POST /v1.0/robot/ding/recall`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, Endpoint, Method, RobotCode};
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// Recalls a DING: `POST /v1.0/robot/ding/recall`.
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/robot-recall-ding>. Idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::RobotCode;
/// client.ding().recall_ding(RobotCode::new("dingbot"), "ding-1").await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecallDing {
    robot_code: RobotCode,
    open_ding_id: String,
}

impl RecallDing {
    /// Recalls DING `open_ding_id` sent by `robot_code`.
    pub fn new(robot_code: RobotCode, open_ding_id: impl Into<String>) -> Self {
        Self {
            robot_code,
            open_ding_id: open_ding_id.into(),
        }
    }
}

/// The answer to [`RecallDing`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RecallDingResponse {
    /// The recalled DING.
    pub open_ding_id: Option<String>,
}

impl Endpoint for RecallDing {
    type Response = RecallDingResponse;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/robot/ding/recall"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1.0/robot/ding/recall")
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("robotCode", self.robot_code.as_str())?;
        dingtalk_core::endpoint::require("openDingId", &self.open_ding_id)
    }
}
