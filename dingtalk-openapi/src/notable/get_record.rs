//! `GET /v1.0/notable/bases/{baseId}/sheets/{sheetIdOrName}/records/{recordId}?operatorId=`.

use std::borrow::Cow;

use dingtalk_core::endpoint::encode_segment;
use dingtalk_core::{ApiHost, BaseId, Endpoint, Method, UnionId};

use crate::error::Error;
use crate::notable::Record;
use crate::notable::model::{check_ids, operator_query, sheet_path};

/// Reads one record: `GET /v1.0/notable/bases/{baseId}/sheets/{sheetIdOrName}/records/{recordId}?operatorId=`.
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/api-getrecord>. Idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{BaseId, UnionId};
/// let record = client.notable().get_record(BaseId::new("base1"), "Tasks", "rec1", UnionId::new("union1")).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct GetRecord {
    base_id: BaseId,
    sheet: String,
    record_id: String,
    operator_id: UnionId,
}

impl GetRecord {
    /// Record `record_id` of sheet `sheet`.
    pub fn new(
        base_id: BaseId,
        sheet: impl Into<String>,
        record_id: impl Into<String>,
        operator_id: UnionId,
    ) -> Self {
        Self {
            base_id,
            sheet: sheet.into(),
            record_id: record_id.into(),
            operator_id,
        }
    }
}

impl Endpoint for GetRecord {
    type Response = Record;
    const METHOD: Method = Method::Get;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/notable/bases/{baseId}/sheets/{sheetIdOrName}/records/{recordId}"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Owned(format!(
            "{}/records/{}",
            sheet_path(&self.base_id, &self.sheet),
            encode_segment(&self.record_id)
        ))
    }

    fn query(&self) -> Vec<(&'static str, String)> {
        operator_query(&self.operator_id)
    }

    fn validate(&self) -> Result<(), Error> {
        check_ids(&self.base_id, Some(&self.sheet), &self.operator_id)?;
        dingtalk_core::endpoint::require("recordId", &self.record_id)
    }
}
