//! `POST /v1.0/workflow/processes/instanceIds/query`.

use std::borrow::Cow;

use dingtalk_core::{
    ApiHost, Body, Cursor, Endpoint, Method, Paginated, ProcessCode, ProcessInstanceId, UserId,
};
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::macros::call_setters;

/// Lists approval instance ids of a process: `POST /v1.0/workflow/processes/instanceIds/query` (`nextToken` is an
/// int going in and a string coming out).
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/obtain-an-approval-list-of-instance-ids>. Idempotent;
/// `.into_stream()` yields [`ProcessInstanceId`]s.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::ProcessCode;
/// use futures_util::TryStreamExt;
/// let ids: Vec<_> = client.workflow()
///     .list_process_instance_ids(ProcessCode::new("PROC-1"), 1_774_000_000_000)
///     .into_stream().try_collect().await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListProcessInstanceIds {
    process_code: ProcessCode,
    start_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_time: Option<i64>,
    next_token: i64,
    max_results: u32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    user_ids: Vec<UserId>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    statuses: Vec<String>,
}

impl ListProcessInstanceIds {
    /// The largest page.
    pub const MAX_RESULTS: u32 = 20;

    /// The widest `startTime`..`endTime` window DingTalk answers: 120 days, in milliseconds.
    pub const MAX_WINDOW_MS: i64 = 120 * 24 * 60 * 60 * 1000;

    /// Instances of `process_code` started since `start_time_ms` (Unix milliseconds).
    pub fn new(process_code: ProcessCode, start_time_ms: i64) -> Self {
        Self {
            process_code,
            start_time: start_time_ms,
            end_time: None,
            next_token: 0,
            max_results: Self::MAX_RESULTS,
            user_ids: Vec::new(),
            statuses: Vec::new(),
        }
    }

    /// Instances started before this time (Unix milliseconds; at most 120 days after the start, DingTalk's window).
    #[must_use]
    pub fn end_time(mut self, end_time_ms: i64) -> Self {
        self.end_time = Some(end_time_ms);
        self
    }

    /// Only instances started by these users (at most 10).
    #[must_use]
    pub fn user_ids(mut self, user_ids: Vec<UserId>) -> Self {
        self.user_ids = user_ids;
        self
    }

    /// Only instances in these states (`NEW`, `RUNNING`, `TERMINATED`, `COMPLETED`, `CANCELED`; none means all).
    #[must_use]
    pub fn statuses(mut self, statuses: Vec<String>) -> Self {
        self.statuses = statuses;
        self
    }

    /// Page size (1 to 20).
    #[must_use]
    pub fn max_results(mut self, max_results: u32) -> Self {
        self.max_results = max_results;
        self
    }
}

/// One page of [`ListProcessInstanceIds`].
#[derive(Clone, Debug, Default, Deserialize)]
#[non_exhaustive]
pub struct ListProcessInstanceIdsResponse {
    /// Whether the call succeeded.
    #[serde(default, deserialize_with = "crate::wire::lenient_bool::deserialize")]
    pub success: Option<bool>,
    /// The page.
    #[serde(default)]
    pub result: InstanceIdPage,
}

/// The `result` of [`ListProcessInstanceIdsResponse`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct InstanceIdPage {
    /// Instance ids.
    #[serde(default)]
    pub list: Vec<ProcessInstanceId>,
    /// The next page's token (absent on the last page).
    pub next_token: Option<String>,
}

impl Endpoint for ListProcessInstanceIds {
    type Response = ListProcessInstanceIdsResponse;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/workflow/processes/instanceIds/query"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1.0/workflow/processes/instanceIds/query")
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("processCode", self.process_code.as_str())?;
        if !(1..=Self::MAX_RESULTS).contains(&self.max_results) {
            return Err(Error::validation("maxResults is 1 to 20"));
        }
        if self.user_ids.len() > 10 {
            return Err(Error::validation("userIds holds at most 10 users"));
        }
        if self.start_time < 0 {
            return Err(Error::validation("startTime is Unix milliseconds, not negative"));
        }
        if let Some(end) = self.end_time {
            if end < self.start_time {
                return Err(Error::validation("endTime is before startTime"));
            }
            if end - self.start_time > Self::MAX_WINDOW_MS {
                return Err(Error::validation(
                    "startTime..endTime spans more than 120 days (DingTalk's limit); split the window",
                ));
            }
        }
        Ok(())
    }
}

impl Paginated for ListProcessInstanceIds {
    type Item = ProcessInstanceId;

    fn with_cursor(&self, cursor: Option<&Cursor>) -> Self {
        let mut next = self.clone();
        next.next_token = match cursor {
            Some(Cursor::Number(n)) => *n,
            Some(other) => other.to_text().parse().unwrap_or(0),
            None => 0,
        };
        next
    }

    fn cursor(&self) -> Option<Cursor> {
        (self.next_token > 0).then_some(Cursor::Number(self.next_token))
    }

    fn split(&self, response: Self::Response) -> (Vec<ProcessInstanceId>, Option<Cursor>) {
        let next = response
            .result
            .next_token
            .as_deref()
            .and_then(|t| t.trim().parse::<i64>().ok())
            .map(Cursor::Number);
        (response.result.list, next)
    }
}

call_setters!(ListProcessInstanceIds {
    end_time(end_time_ms: i64),
    user_ids(user_ids: Vec<UserId>),
    statuses(statuses: Vec<String>),
    max_results(max_results: u32),
});
