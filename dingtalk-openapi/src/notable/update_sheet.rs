//! `PUT /v1.0/notable/bases/{baseId}/sheets/{sheetIdOrName}?operatorId=`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, BaseId, Body, Endpoint, Method, UnionId};
use serde::Serialize;

use crate::error::Error;
use crate::notable::Sheet;
use crate::notable::model::{check_ids, operator_query, sheet_path};

/// Renames a sheet: `PUT /v1.0/notable/bases/{baseId}/sheets/{sheetIdOrName}?operatorId= {name}`.
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/api-updatesheet>. Idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{BaseId, UnionId};
/// let sheet = client.notable()
///     .update_sheet(BaseId::new("base1"), "Bugs", "Defects", UnionId::new("union1"))
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
pub struct UpdateSheet {
    #[serde(skip)]
    base_id: BaseId,
    #[serde(skip)]
    sheet: String,
    #[serde(skip)]
    operator_id: UnionId,
    name: String,
}

impl UpdateSheet {
    /// Renames sheet `sheet` (id or name) of `base_id` to `name`.
    pub fn new(
        base_id: BaseId,
        sheet: impl Into<String>,
        name: impl Into<String>,
        operator_id: UnionId,
    ) -> Self {
        Self {
            base_id,
            sheet: sheet.into(),
            operator_id,
            name: name.into(),
        }
    }
}

impl Endpoint for UpdateSheet {
    type Response = Sheet;
    const METHOD: Method = Method::Put;
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

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        check_ids(&self.base_id, Some(&self.sheet), &self.operator_id)?;
        dingtalk_core::endpoint::require("name", &self.name)
    }
}
