//! `DELETE /v1.0/notable/bases/{baseId}/sheets/{sheetIdOrName}?operatorId=`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, BaseId, Endpoint, Method, UnionId};

use crate::error::Error;
use crate::notable::Deleted;
use crate::notable::model::{check_ids, operator_query, sheet_path};

/// Deletes a sheet with its fields and records: `DELETE /v1.0/notable/bases/{baseId}/sheets/{sheetIdOrName}`.
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/api-deletesheet>. Idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{BaseId, UnionId};
/// client.notable().delete_sheet(BaseId::new("base1"), "Bugs", UnionId::new("union1")).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct DeleteSheet {
    base_id: BaseId,
    sheet: String,
    operator_id: UnionId,
}

impl DeleteSheet {
    /// Sheet `sheet` (id or name) of `base_id`.
    pub fn new(base_id: BaseId, sheet: impl Into<String>, operator_id: UnionId) -> Self {
        Self {
            base_id,
            sheet: sheet.into(),
            operator_id,
        }
    }
}

impl Endpoint for DeleteSheet {
    type Response = Deleted;
    const METHOD: Method = Method::Delete;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/notable/bases/{baseId}/sheets/{sheetIdOrName}"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Owned(sheet_path(&self.base_id, &self.sheet))
    }

    fn query(&self) -> Vec<(&'static str, String)> {
        operator_query(&self.operator_id)
    }

    fn validate(&self) -> Result<(), Error> {
        check_ids(&self.base_id, Some(&self.sheet), &self.operator_id)
    }
}
