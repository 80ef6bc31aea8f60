//! `DELETE /v1.0/notable/bases/{baseId}/sheets/{sheetIdOrName}/fields/{fieldIdOrName}?operatorId=`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, BaseId, Endpoint, Method, UnionId};

use crate::error::Error;
use crate::notable::Deleted;
use crate::notable::model::{check_ids, field_path, operator_query};

/// Deletes a field and its cells: `DELETE …/sheets/{sheetIdOrName}/fields/{fieldIdOrName}?operatorId=`.
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/api-deletefield>. Idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{BaseId, UnionId};
/// client.notable().delete_field(BaseId::new("base1"), "Tasks", "Owner", UnionId::new("union1")).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct DeleteField {
    base_id: BaseId,
    sheet: String,
    field: String,
    operator_id: UnionId,
}

impl DeleteField {
    /// Field `field` (id or name) of sheet `sheet` of `base_id`.
    pub fn new(
        base_id: BaseId,
        sheet: impl Into<String>,
        field: impl Into<String>,
        operator_id: UnionId,
    ) -> Self {
        Self {
            base_id,
            sheet: sheet.into(),
            field: field.into(),
            operator_id,
        }
    }
}

impl Endpoint for DeleteField {
    type Response = Deleted;
    const METHOD: Method = Method::Delete;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/notable/bases/{baseId}/sheets/{sheetIdOrName}/fields/{fieldIdOrName}"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Owned(field_path(&self.base_id, &self.sheet, &self.field))
    }

    fn query(&self) -> Vec<(&'static str, String)> {
        operator_query(&self.operator_id)
    }

    fn validate(&self) -> Result<(), Error> {
        check_ids(&self.base_id, Some(&self.sheet), &self.operator_id)?;
        dingtalk_core::endpoint::require("fieldIdOrName", &self.field)
    }
}
