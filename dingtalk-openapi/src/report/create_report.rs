//! `POST oapi /topapi/report/create`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, Endpoint, Method, UserId};
use serde::Serialize;

use crate::error::Error;
use crate::macros::call_setters;

/// Writes a report (daily/weekly log) for a user: `POST https://oapi.dingtalk.com/topapi/report/create`
/// (`create_report_param`). Returns the new report id.
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/create-a-log>. Not idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::UserId;
/// use dingtalk_openapi::report::ReportField;
/// let id = client.report()
///     .create_report("tpl-1", UserId::new("manager432"), vec![ReportField::text(0, "Done", "Shipped v1")])
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
pub struct CreateReport {
    create_report_param: CreateReportParam,
}

#[derive(Clone, Debug, Serialize)]
struct CreateReportParam {
    template_id: String,
    userid: UserId,
    contents: Vec<ReportField>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    to_userids: Vec<UserId>,
    to_chat: bool,
    dd_from: String,
}

/// One field of a new report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReportField {
    sort: u32,
    #[serde(rename = "type")]
    kind: u32,
    content_type: String,
    key: String,
    content: String,
}

impl ReportField {
    /// A text field at position `sort` named `key`.
    pub fn text(sort: u32, key: impl Into<String>, content: impl Into<String>) -> Self {
        Self {
            sort,
            kind: 1,
            content_type: "markdown".to_owned(),
            key: key.into(),
            content: content.into(),
        }
    }
}

impl CreateReport {
    /// A report from template `template_id` written by `userid`.
    pub fn new(template_id: impl Into<String>, userid: UserId, contents: Vec<ReportField>) -> Self {
        Self {
            create_report_param: CreateReportParam {
                template_id: template_id.into(),
                userid,
                contents,
                to_userids: Vec::new(),
                to_chat: false,
                dd_from: "dingtalk-rs".to_owned(),
            },
        }
    }

    /// Sends the report to these users.
    #[must_use]
    pub fn to_userids(mut self, users: Vec<UserId>) -> Self {
        self.create_report_param.to_userids = users;
        self
    }

    /// Also posts it to the template's group chats.
    #[must_use]
    pub fn to_chat(mut self) -> Self {
        self.create_report_param.to_chat = true;
        self
    }
}

impl Endpoint for CreateReport {
    type Response = String;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::Legacy;
    const IDEMPOTENT: bool = false;

    fn route(&self) -> &'static str {
        "/topapi/report/create"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/topapi/report/create")
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        let param = &self.create_report_param;
        dingtalk_core::endpoint::require("template_id", &param.template_id)?;
        dingtalk_core::endpoint::require("userid", param.userid.as_str())?;
        if param.contents.is_empty() {
            return Err(Error::validation("contents is required"));
        }
        Ok(())
    }

    fn decode(&self, body: &[u8]) -> Result<String, Error> {
        crate::wire::legacy_result(body)
    }
}

call_setters!(CreateReport {
    to_userids(users: Vec<UserId>),
    to_chat(),
});
