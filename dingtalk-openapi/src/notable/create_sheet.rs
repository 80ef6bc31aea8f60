//! `POST /v1.0/notable/bases/{baseId}/sheets?operatorId=`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, BaseId, Body, Endpoint, Method, UnionId};
use serde::Serialize;

use crate::error::Error;
use crate::macros::call_setters;
use crate::notable::model::{check_ids, operator_query, sheets_path};
use crate::notable::{FieldSpec, Sheet};

/// Creates a sheet: `POST /v1.0/notable/bases/{baseId}/sheets?operatorId=`.
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/api-createsheet>. Not idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{BaseId, UnionId};
/// use dingtalk_openapi::notable::FieldSpec;
/// let sheet = client.notable()
///     .create_sheet(BaseId::new("base1"), "Tasks", UnionId::new("union1"))
///     .fields(vec![FieldSpec::new("Title", "text")])
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
pub struct CreateSheet {
    #[serde(skip)]
    base_id: BaseId,
    #[serde(skip)]
    operator_id: UnionId,
    name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fields: Vec<FieldSpec>,
}

impl CreateSheet {
    /// A sheet `name` in `base_id`.
    pub fn new(base_id: BaseId, name: impl Into<String>, operator_id: UnionId) -> Self {
        Self {
            base_id,
            operator_id,
            name: name.into(),
            fields: Vec::new(),
        }
    }

    /// Its initial fields.
    #[must_use]
    pub fn fields(mut self, fields: Vec<FieldSpec>) -> Self {
        self.fields = fields;
        self
    }
}

impl Endpoint for CreateSheet {
    type Response = Sheet;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = false;

    fn route(&self) -> &'static str {
        "/v1.0/notable/bases/{baseId}/sheets"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Owned(sheets_path(&self.base_id))
    }

    fn query(&self) -> Vec<(&'static str, String)> {
        operator_query(&self.operator_id)
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        check_ids(&self.base_id, None, &self.operator_id)?;
        dingtalk_core::endpoint::require("name", &self.name)
    }
}

call_setters!(CreateSheet { fields(fields: Vec<FieldSpec>) });
