//! `GET /v1.0/report/details`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Endpoint, Method};
use serde::Deserialize;

use crate::error::Error;

/// One report's contents: `GET /v1.0/report/details?reportId=`.
///
/// DingTalk model: `report_1.0` `QueryReportDetail` (`reportId` required, optional `format`). Needs
/// `qyapi_report_query`. Idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// let report = client.report().get_report_detail("report1").await?;
/// for field in &report.content {
///     println!("{:?}: {:?}", field.key, field.value);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct GetReportDetail {
    report_id: String,
    format: Option<String>,
}

impl GetReportDetail {
    /// The contents of report `report_id`.
    pub fn new(report_id: impl Into<String>) -> Self {
        Self {
            report_id: report_id.into(),
            format: None,
        }
    }

    /// The content format DingTalk renders (e.g. `TEXT`).
    #[must_use]
    pub fn format(mut self, format: impl Into<String>) -> Self {
        self.format = Some(format.into());
        self
    }
}

/// One field of a report.
#[derive(Clone, Debug, Default, Deserialize)]
#[non_exhaustive]
pub struct ReportDetailField {
    /// The field name.
    pub key: Option<String>,
    /// The value.
    pub value: Option<String>,
    /// Position (a number as text).
    pub sort: Option<String>,
    /// Field type (a number as text).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Image URLs of the field.
    #[serde(default)]
    pub images: Vec<String>,
}

/// The answer of [`GetReportDetail`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ReportDetail {
    /// The report id.
    pub report_id: Option<String>,
    /// The template's name.
    pub template_name: Option<String>,
    /// The author's userId.
    pub creator_id: Option<String>,
    /// The author's name.
    pub creator_name: Option<String>,
    /// The author's department.
    pub dept_name: Option<String>,
    /// Creation time (epoch ms).
    pub create_time: Option<i64>,
    /// Last change (epoch ms).
    pub modified_time: Option<i64>,
    /// The remark.
    pub remark: Option<String>,
    /// The fields.
    #[serde(default)]
    pub content: Vec<ReportDetailField>,
}

impl Endpoint for GetReportDetail {
    type Response = ReportDetail;
    const METHOD: Method = Method::Get;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/report/details"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1.0/report/details")
    }

    fn query(&self) -> Vec<(&'static str, String)> {
        let mut query = vec![("reportId", self.report_id.clone())];
        query.extend(self.format.clone().map(|f| ("format", f)));
        query
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("reportId", &self.report_id)
    }
}

crate::macros::call_setters!(GetReportDetail { format(format: String) });
