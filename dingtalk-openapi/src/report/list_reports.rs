//! `POST oapi /topapi/report/list`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, Cursor, Endpoint, Method, Paginated, UserId};
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::macros::call_setters;

/// Lists reports (daily/weekly logs) in a time window: `POST https://oapi.dingtalk.com/topapi/report/list` (topapi
/// cursor paging).
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/obtains-the-log-data-of-a-user>. Idempotent;
/// `.into_stream()` yields [`Report`]s.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use futures_util::TryStreamExt;
/// let reports: Vec<_> = client.report().list_reports(1_774_000_000_000, 1_774_600_000_000)
///     .into_stream().try_collect().await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
pub struct ListReports {
    start_time: i64,
    end_time: i64,
    cursor: i64,
    size: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    template_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    userid: Option<UserId>,
}

impl ListReports {
    /// The largest page.
    pub const MAX_SIZE: u32 = 20;

    /// Reports created between `start_time_ms` and `end_time_ms` (Unix milliseconds).
    pub fn new(start_time_ms: i64, end_time_ms: i64) -> Self {
        Self {
            start_time: start_time_ms,
            end_time: end_time_ms,
            cursor: 0,
            size: Self::MAX_SIZE,
            template_name: None,
            userid: None,
        }
    }

    /// Only reports of this template.
    #[must_use]
    pub fn template_name(mut self, name: impl Into<String>) -> Self {
        self.template_name = Some(name.into());
        self
    }

    /// Only reports written by this user.
    #[must_use]
    pub fn userid(mut self, userid: UserId) -> Self {
        self.userid = Some(userid);
        self
    }
}

/// One page of [`ListReports`].
#[derive(Clone, Debug, Default, Deserialize)]
#[non_exhaustive]
pub struct ListReportsResponse {
    /// The reports.
    #[serde(default)]
    pub data_list: Vec<Report>,
    /// Whether more pages exist.
    pub has_more: Option<bool>,
    /// The next page's cursor.
    pub next_cursor: Option<i64>,
}

/// A report.
#[derive(Clone, Debug, Deserialize)]
#[non_exhaustive]
pub struct Report {
    /// The report id.
    pub report_id: String,
    /// The template name.
    pub template_name: Option<String>,
    /// The author.
    pub creator_id: Option<UserId>,
    /// The author's name.
    pub creator_name: Option<String>,
    /// The author's department name.
    pub dept_name: Option<String>,
    /// Creation time, Unix milliseconds.
    pub create_time: Option<i64>,
    /// The remark.
    pub remark: Option<String>,
    /// The filled fields.
    #[serde(default)]
    pub contents: Vec<ReportContent>,
}

/// One filled field of a report.
#[derive(Clone, Debug, Deserialize)]
#[non_exhaustive]
pub struct ReportContent {
    /// The field name.
    pub key: Option<String>,
    /// The field position.
    pub sort: Option<String>,
    /// The field type.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The value.
    pub value: Option<String>,
}

impl Endpoint for ListReports {
    type Response = ListReportsResponse;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::Legacy;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/topapi/report/list"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/topapi/report/list")
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        if self.end_time <= self.start_time {
            return Err(Error::validation("end_time must be after start_time"));
        }
        Ok(())
    }

    fn decode(&self, body: &[u8]) -> Result<Self::Response, Error> {
        crate::wire::legacy_result::<Option<Self::Response>>(body).map(Option::unwrap_or_default)
    }
}

impl Paginated for ListReports {
    type Item = Report;

    fn with_cursor(&self, cursor: Option<&Cursor>) -> Self {
        let mut next = self.clone();
        next.cursor = match cursor {
            Some(Cursor::Number(n)) => *n,
            _ => 0,
        };
        next
    }

    fn cursor(&self) -> Option<Cursor> {
        (self.cursor > 0).then_some(Cursor::Number(self.cursor))
    }

    fn split(&self, response: Self::Response) -> (Vec<Report>, Option<Cursor>) {
        (
            response.data_list,
            Cursor::topapi(response.next_cursor, response.has_more),
        )
    }
}

call_setters!(ListReports {
    template_name(name: impl Into<String>),
    userid(userid: UserId),
});
