//! `POST oapi /topapi/report/template/listbyuserid`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, Cursor, Endpoint, Method, Paginated, UserId};
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// Lists report (daily/weekly log) templates visible to a user:
/// `POST https://oapi.dingtalk.com/topapi/report/template/listbyuserid` (`offset` + `size` paging).
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/obtain-the-log-template-viewable-by-the-user>.
/// Idempotent; `.into_stream()` yields [`ReportTemplate`]s.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::UserId;
/// use futures_util::TryStreamExt;
/// let templates: Vec<_> = client.report().list_report_templates(Some(UserId::new("manager432")))
///     .into_stream().try_collect().await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
pub struct ListReportTemplates {
    #[serde(skip_serializing_if = "Option::is_none")]
    userid: Option<UserId>,
    offset: u64,
    size: u32,
}

impl ListReportTemplates {
    /// The largest page.
    pub const MAX_SIZE: u32 = 100;

    /// Templates visible to `userid` (all templates when `None`).
    pub fn new(userid: Option<UserId>) -> Self {
        Self {
            userid,
            offset: 0,
            size: Self::MAX_SIZE,
        }
    }
}

/// One page of [`ListReportTemplates`].
#[derive(Clone, Debug, Default, Deserialize)]
#[non_exhaustive]
pub struct ListReportTemplatesResponse {
    /// The templates.
    #[serde(default)]
    pub template_list: Vec<ReportTemplate>,
    /// The next offset (absent on the last page).
    pub next_cursor: Option<u64>,
}

/// A report template.
#[derive(Clone, Debug, Deserialize)]
#[non_exhaustive]
pub struct ReportTemplate {
    /// The name.
    pub name: Option<String>,
    /// The template code.
    pub report_code: Option<String>,
    /// The icon URL.
    pub icon_url: Option<String>,
    /// The page URL.
    pub url: Option<String>,
}

impl Endpoint for ListReportTemplates {
    type Response = ListReportTemplatesResponse;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::Legacy;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/topapi/report/template/listbyuserid"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/topapi/report/template/listbyuserid")
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn decode(&self, body: &[u8]) -> Result<Self::Response, Error> {
        crate::wire::legacy_result::<Option<Self::Response>>(body).map(Option::unwrap_or_default)
    }
}

impl Paginated for ListReportTemplates {
    type Item = ReportTemplate;

    fn with_cursor(&self, cursor: Option<&Cursor>) -> Self {
        let mut next = self.clone();
        next.offset = match cursor {
            Some(Cursor::Offset(n)) => *n,
            _ => 0,
        };
        next
    }

    fn cursor(&self) -> Option<Cursor> {
        (self.offset > 0).then_some(Cursor::Offset(self.offset))
    }

    fn split(&self, response: Self::Response) -> (Vec<ReportTemplate>, Option<Cursor>) {
        let next = response
            .next_cursor
            .filter(|next| *next > self.offset && !response.template_list.is_empty())
            .map(Cursor::Offset);
        (response.template_list, next)
    }
}
