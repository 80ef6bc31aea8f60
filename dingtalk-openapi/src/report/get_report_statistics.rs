//! `POST oapi /topapi/report/statistics`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, Endpoint, Method};
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// A report's read, like and comment counts: `POST oapi /topapi/report/statistics {report_id}`.
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/obtain-the-statistics-of-a-log>. Needs the
/// `qyapi_report_statistics` permission. Idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// let stats = client.report().get_report_statistics("report1").await?;
/// println!("read by {}", stats.read_num);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
pub struct GetReportStatistics {
    report_id: String,
}

impl GetReportStatistics {
    /// The counts of report `report_id`.
    pub fn new(report_id: impl Into<String>) -> Self {
        Self {
            report_id: report_id.into(),
        }
    }
}

/// The counts of [`GetReportStatistics`].
#[derive(Clone, Debug, Default, Deserialize)]
#[non_exhaustive]
pub struct ReportStatistics {
    /// Readers.
    #[serde(default)]
    pub read_num: i64,
    /// Likes.
    #[serde(default)]
    pub like_num: i64,
    /// Comments.
    #[serde(default)]
    pub comment_num: i64,
    /// People who commented.
    #[serde(default)]
    pub comment_user_num: i64,
}

impl Endpoint for GetReportStatistics {
    type Response = ReportStatistics;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::Legacy;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/topapi/report/statistics"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/topapi/report/statistics")
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("report_id", &self.report_id)
    }

    fn decode(&self, body: &[u8]) -> Result<ReportStatistics, Error> {
        crate::wire::legacy_result(body)
    }
}
