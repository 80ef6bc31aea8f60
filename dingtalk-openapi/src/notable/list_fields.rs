//! `GET /v1.0/notable/bases/{baseId}/sheets/{sheetIdOrName}/fields?operatorId=`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, BaseId, Cursor, Endpoint, Method, Paginated, UnionId};
use serde::Deserialize;

use crate::error::Error;
use crate::notable::Field;
use crate::notable::model::{check_ids, operator_query, sheet_path};

/// Lists a sheet's fields: `GET /v1.0/notable/bases/{baseId}/sheets/{sheetIdOrName}/fields?operatorId=` (one
/// page).
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/api-getallfields>. Idempotent; `.into_stream()` yields
/// [`Field`]s.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{BaseId, UnionId};
/// let fields = client.notable().list_fields(BaseId::new("base1"), "Tasks", UnionId::new("union1")).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct ListFields {
    base_id: BaseId,
    sheet: String,
    operator_id: UnionId,
}

impl ListFields {
    /// The fields of sheet `sheet` (id or name).
    pub fn new(base_id: BaseId, sheet: impl Into<String>, operator_id: UnionId) -> Self {
        Self {
            base_id,
            sheet: sheet.into(),
            operator_id,
        }
    }
}

/// The answer to [`ListFields`].
#[derive(Clone, Debug, Default, Deserialize)]
#[non_exhaustive]
pub struct ListFieldsResponse {
    /// The fields.
    #[serde(default)]
    pub value: Vec<Field>,
}

impl Endpoint for ListFields {
    type Response = ListFieldsResponse;
    const METHOD: Method = Method::Get;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/notable/bases/{baseId}/sheets/{sheetIdOrName}/fields"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Owned(format!("{}/fields", sheet_path(&self.base_id, &self.sheet)))
    }

    fn query(&self) -> Vec<(&'static str, String)> {
        operator_query(&self.operator_id)
    }

    fn validate(&self) -> Result<(), Error> {
        check_ids(&self.base_id, Some(&self.sheet), &self.operator_id)
    }
}

impl Paginated for ListFields {
    type Item = Field;

    fn with_cursor(&self, _cursor: Option<&Cursor>) -> Self {
        self.clone()
    }

    fn split(&self, response: Self::Response) -> (Vec<Field>, Option<Cursor>) {
        (response.value, None)
    }
}
