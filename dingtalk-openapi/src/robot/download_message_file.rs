//! `POST /v1.0/robot/messageFiles/download`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, DownloadCode, Endpoint, Method, RobotCode};
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// Exchanges an inbound message's `downloadCode` for a short-lived download URL:
/// `POST /v1.0/robot/messageFiles/download`.
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/download-the-file-content-of-the-robot-receiving-message>.
/// [`Robot::download_message_file_bytes`](crate::Robot::download_message_file_bytes) also fetches the
/// bytes (with no token: the URL is pre-signed). Idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{DownloadCode, RobotCode};
/// let url = client.robot().download_message_file(RobotCode::new("dingbot"), DownloadCode::new("dc1")).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DownloadMessageFile {
    download_code: DownloadCode,
    robot_code: RobotCode,
}

impl DownloadMessageFile {
    /// Asks for the download URL of `download_code`, received by `robot_code`.
    pub fn new(robot_code: RobotCode, download_code: DownloadCode) -> Self {
        Self {
            download_code,
            robot_code,
        }
    }
}

/// The answer to [`DownloadMessageFile`].
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DownloadMessageFileResponse {
    /// A short-lived signed URL; fetch it without any token.
    pub download_url: String,
}

impl Endpoint for DownloadMessageFile {
    type Response = DownloadMessageFileResponse;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/robot/messageFiles/download"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1.0/robot/messageFiles/download")
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("downloadCode", self.download_code.as_str())?;
        dingtalk_core::endpoint::require("robotCode", self.robot_code.as_str())
    }
}
