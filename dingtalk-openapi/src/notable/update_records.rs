//! `PUT /v1.0/notable/bases/{baseId}/sheets/{sheetIdOrName}/records?operatorId=`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, BaseId, Body, Endpoint, Method, UnionId};
use serde::Serialize;

use crate::error::Error;
use crate::notable::model::{check_ids, operator_query, sheet_path};
use crate::notable::{RecordFields, RecordIds};

/// Updates records (at most 100; only the cells given change):
/// `PUT /v1.0/notable/bases/{baseId}/sheets/{sheetIdOrName}/records?operatorId=`.
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/api-updaterecords>. Idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{BaseId, UnionId};
/// use dingtalk_openapi::notable::RecordFields;
/// let mut cells = RecordFields::new();
/// cells.insert("Done", true)?;
/// client.notable()
///     .update_records(BaseId::new("base1"), "Tasks", vec![("rec1".to_owned(), cells)], UnionId::new("union1"))
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
pub struct UpdateRecords {
    #[serde(skip)]
    base_id: BaseId,
    #[serde(skip)]
    sheet: String,
    #[serde(skip)]
    operator_id: UnionId,
    records: Vec<ChangedRecord>,
}

#[derive(Clone, Debug, Serialize)]
struct ChangedRecord {
    id: String,
    fields: RecordFields,
}

impl UpdateRecords {
    /// Applies each `(record id, cells)` in sheet `sheet`.
    pub fn new(
        base_id: BaseId,
        sheet: impl Into<String>,
        changes: Vec<(String, RecordFields)>,
        operator_id: UnionId,
    ) -> Self {
        Self {
            base_id,
            sheet: sheet.into(),
            operator_id,
            records: changes
                .into_iter()
                .map(|(id, fields)| ChangedRecord { id, fields })
                .collect(),
        }
    }
}

impl Endpoint for UpdateRecords {
    type Response = RecordIds;
    const METHOD: Method = Method::Put;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/notable/bases/{baseId}/sheets/{sheetIdOrName}/records"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Owned(format!("{}/records", sheet_path(&self.base_id, &self.sheet)))
    }

    fn query(&self) -> Vec<(&'static str, String)> {
        operator_query(&self.operator_id)
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        check_ids(&self.base_id, Some(&self.sheet), &self.operator_id)?;
        super::limits::check_count(self.records.len())?;
        for record in &self.records {
            dingtalk_core::endpoint::require("records[].id", &record.id)?;
        }
        Ok(())
    }
}
