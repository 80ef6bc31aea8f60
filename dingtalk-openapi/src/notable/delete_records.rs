//! `POST /v1.0/notable/bases/{baseId}/sheets/{sheetIdOrName}/records/delete?operatorId=`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, BaseId, Body, Endpoint, Method, UnionId};
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::notable::model::{check_ids, operator_query, sheet_path};

/// Deletes records (at most 100): `POST /v1.0/notable/bases/{baseId}/sheets/{sheetIdOrName}/records/delete?operatorId=`.
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/api-deleterecords>. Idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{BaseId, UnionId};
/// client.notable()
///     .delete_records(BaseId::new("base1"), "Tasks", vec!["rec1".to_owned()], UnionId::new("union1"))
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteRecords {
    #[serde(skip)]
    base_id: BaseId,
    #[serde(skip)]
    sheet: String,
    #[serde(skip)]
    operator_id: UnionId,
    record_ids: Vec<String>,
}

impl DeleteRecords {
    /// Deletes `record_ids` from sheet `sheet`.
    pub fn new(
        base_id: BaseId,
        sheet: impl Into<String>,
        record_ids: Vec<String>,
        operator_id: UnionId,
    ) -> Self {
        Self {
            base_id,
            sheet: sheet.into(),
            operator_id,
            record_ids,
        }
    }
}

/// The answer to [`DeleteRecords`].
#[derive(Clone, Debug, Default, Deserialize)]
#[non_exhaustive]
pub struct DeleteRecordsResponse {
    /// Whether the records were deleted.
    pub success: Option<bool>,
}

impl Endpoint for DeleteRecords {
    type Response = DeleteRecordsResponse;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/notable/bases/{baseId}/sheets/{sheetIdOrName}/records/delete"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Owned(format!(
            "{}/records/delete",
            sheet_path(&self.base_id, &self.sheet)
        ))
    }

    fn query(&self) -> Vec<(&'static str, String)> {
        operator_query(&self.operator_id)
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        check_ids(&self.base_id, Some(&self.sheet), &self.operator_id)?;
        super::limits::check_count(self.record_ids.len())
    }
}
