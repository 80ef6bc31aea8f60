//! `POST /v1.0/notable/bases/{baseId}/sheets/{sheetIdOrName}/records/list?operatorId=`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, BaseId, Body, Cursor, Endpoint, Method, Paginated, UnionId};
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::macros::call_setters;
use crate::notable::model::{check_ids, operator_query, sheet_path};
use crate::notable::{MAX_RECORDS, Record};

/// A record filter: conditions combined with `and` or `or`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Filter {
    combination: &'static str,
    conditions: Vec<Condition>,
}

/// One filter condition: `field` `operator` `value`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Condition {
    field: String,
    operator: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    value: Vec<String>,
}

impl Condition {
    /// `field` (id or name) compared by `operator` (`equal`, `notEqual`, `greater`, `contain`, `empty`, …) with
    /// `value`.
    pub fn new(field: impl Into<String>, operator: impl Into<String>, value: Vec<String>) -> Self {
        Self {
            field: field.into(),
            operator: operator.into(),
            value,
        }
    }
}

impl Filter {
    /// Every condition must hold.
    pub fn all(conditions: Vec<Condition>) -> Self {
        Self {
            combination: "and",
            conditions,
        }
    }

    /// At least one condition must hold.
    pub fn any(conditions: Vec<Condition>) -> Self {
        Self {
            combination: "or",
            conditions,
        }
    }
}

/// Queries records with an optional filter:
/// `POST /v1.0/notable/bases/{baseId}/sheets/{sheetIdOrName}/records/list?operatorId=` (`nextToken` paging).
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/api-listrecords>. Idempotent; `.into_stream()` yields
/// every matching [`Record`].
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{BaseId, UnionId};
/// use dingtalk_openapi::notable::{Condition, Filter};
/// use futures_util::TryStreamExt;
/// let open: Vec<_> = client.notable()
///     .query_records(BaseId::new("base1"), "Tasks", UnionId::new("union1"))
///     .filter(Filter::all(vec![Condition::new("Status", "equal", vec!["Open".into()])]))
///     .into_stream().try_collect().await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryRecords {
    #[serde(skip)]
    base_id: BaseId,
    #[serde(skip)]
    sheet: String,
    #[serde(skip)]
    operator_id: UnionId,
    max_results: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    filter: Option<Filter>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    field_id_or_names: Vec<String>,
}

impl QueryRecords {
    /// Records of sheet `sheet`.
    pub fn new(base_id: BaseId, sheet: impl Into<String>, operator_id: UnionId) -> Self {
        Self {
            base_id,
            sheet: sheet.into(),
            operator_id,
            max_results: MAX_RECORDS,
            next_token: None,
            filter: None,
            field_id_or_names: Vec::new(),
        }
    }

    /// Only records matching `filter`.
    #[must_use]
    pub fn filter(mut self, filter: Filter) -> Self {
        self.filter = Some(filter);
        self
    }

    /// Only these fields (ids or names, at most [`MAX_QUERY_FIELDS`](crate::notable::MAX_QUERY_FIELDS)) in each
    /// record. `fieldIdOrNames` is in DingTalk's current documentation but not in the older SDK model.
    #[must_use]
    pub fn fields(mut self, fields: Vec<String>) -> Self {
        self.field_id_or_names = fields;
        self
    }

    /// Page size (1 to 100).
    #[must_use]
    pub fn max_results(mut self, max_results: usize) -> Self {
        self.max_results = max_results;
        self
    }
}

/// One page of [`QueryRecords`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct QueryRecordsResponse {
    /// The records.
    #[serde(default)]
    pub records: Vec<Record>,
    /// Whether more pages exist.
    pub has_more: Option<bool>,
    /// The next page's token.
    pub next_token: Option<String>,
}

impl Endpoint for QueryRecords {
    type Response = QueryRecordsResponse;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/notable/bases/{baseId}/sheets/{sheetIdOrName}/records/list"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Owned(format!("{}/records/list", sheet_path(&self.base_id, &self.sheet)))
    }

    fn query(&self) -> Vec<(&'static str, String)> {
        operator_query(&self.operator_id)
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        check_ids(&self.base_id, Some(&self.sheet), &self.operator_id)?;
        if self.field_id_or_names.len() > super::limits::MAX_QUERY_FIELDS {
            return Err(Error::validation(format!(
                "fieldIdOrNames takes at most {} fields",
                super::limits::MAX_QUERY_FIELDS
            )));
        }
        super::limits::check_count(self.max_results)
    }
}

impl Paginated for QueryRecords {
    type Item = Record;

    crate::macros::next_token_cursor!();

    fn split(&self, response: Self::Response) -> (Vec<Record>, Option<Cursor>) {
        (
            response.records,
            Cursor::next_token(response.next_token, response.has_more),
        )
    }
}

call_setters!(QueryRecords {
    filter(filter: Filter),
    fields(fields: Vec<String>),
    max_results(max_results: usize),
});
