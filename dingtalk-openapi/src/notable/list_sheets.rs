//! `GET /v1.0/notable/bases/{baseId}/sheets?operatorId=`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, BaseId, Cursor, Endpoint, Method, Paginated, UnionId};
use serde::Deserialize;

use crate::error::Error;
use crate::notable::Sheet;
use crate::notable::model::{check_ids, operator_query, sheets_path};

/// Lists the sheets of an AI table: `GET /v1.0/notable/bases/{baseId}/sheets?operatorId=<unionId>` (one page).
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/api-getallsheets>. Idempotent; `.into_stream()` yields
/// [`Sheet`]s.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{BaseId, UnionId};
/// let sheets = client.notable().list_sheets(BaseId::new("base1"), UnionId::new("union1")).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct ListSheets {
    base_id: BaseId,
    operator_id: UnionId,
}

impl ListSheets {
    /// The sheets of `base_id`, read as `operator_id`.
    pub fn new(base_id: BaseId, operator_id: UnionId) -> Self {
        Self { base_id, operator_id }
    }
}

/// The answer to [`ListSheets`].
#[derive(Clone, Debug, Default, Deserialize)]
#[non_exhaustive]
pub struct ListSheetsResponse {
    /// The sheets.
    #[serde(default)]
    pub value: Vec<Sheet>,
}

impl Endpoint for ListSheets {
    type Response = ListSheetsResponse;
    const METHOD: Method = Method::Get;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/notable/bases/{baseId}/sheets"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Owned(sheets_path(&self.base_id))
    }

    fn query(&self) -> Vec<(&'static str, String)> {
        operator_query(&self.operator_id)
    }

    fn validate(&self) -> Result<(), Error> {
        check_ids(&self.base_id, None, &self.operator_id)
    }
}

impl Paginated for ListSheets {
    type Item = Sheet;

    fn with_cursor(&self, _cursor: Option<&Cursor>) -> Self {
        self.clone()
    }

    fn split(&self, response: Self::Response) -> (Vec<Sheet>, Option<Cursor>) {
        (response.value, None)
    }
}
