//! `POST /v1.0/robot/otoMessages/batchRecall`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, Endpoint, Method, ProcessQueryKey, RobotCode};
use serde::Serialize;

use crate::error::Error;
use crate::robot::RecallResponse;

/// Recalls one-to-one robot messages: `POST /v1.0/robot/otoMessages/batchRecall` (lowercase `oto`).
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/batch-message-recall-chat>. Idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{ProcessQueryKey, RobotCode};
/// client.robot().batch_recall_oto_message(RobotCode::new("dingbot"), vec![ProcessQueryKey::new("pqk1")]).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchRecallOtoMessage {
    robot_code: RobotCode,
    process_query_keys: Vec<ProcessQueryKey>,
}

impl BatchRecallOtoMessage {
    /// Recalls the one-to-one messages `process_query_keys`.
    pub fn new(robot_code: RobotCode, process_query_keys: Vec<ProcessQueryKey>) -> Self {
        Self {
            robot_code,
            process_query_keys,
        }
    }
}

impl Endpoint for BatchRecallOtoMessage {
    type Response = RecallResponse;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/robot/otoMessages/batchRecall"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1.0/robot/otoMessages/batchRecall")
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("robotCode", self.robot_code.as_str())?;
        super::checks::require_keys(&self.process_query_keys)
    }
}
