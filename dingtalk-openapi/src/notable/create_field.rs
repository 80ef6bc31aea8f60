//! `POST /v1.0/notable/bases/{baseId}/sheets/{sheetIdOrName}/fields?operatorId=`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, BaseId, Body, Endpoint, Method, UnionId};
use serde::Serialize;

use crate::error::Error;
use crate::notable::model::{check_ids, operator_query, sheet_path};
use crate::notable::{Field, RecordFields};

/// A field to create: name, type and type-specific settings.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldSpec {
    name: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(skip_serializing_if = "RecordFields::is_empty")]
    property: RecordFields,
}

impl FieldSpec {
    /// A field `name` of type `kind` (`text`, `number`, `singleSelect`, `date`, `user`, …).
    pub fn new(name: impl Into<String>, kind: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            kind: kind.into(),
            property: RecordFields::new(),
        }
    }

    /// Type-specific settings (e.g. select options).
    #[must_use]
    pub fn property(mut self, property: RecordFields) -> Self {
        self.property = property;
        self
    }
}

/// Adds a field to a sheet: `POST /v1.0/notable/bases/{baseId}/sheets/{sheetIdOrName}/fields?operatorId=`.
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/api-createfield>. Not idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{BaseId, UnionId};
/// use dingtalk_openapi::notable::FieldSpec;
/// client.notable()
///     .create_field(BaseId::new("base1"), "Tasks", FieldSpec::new("Points", "number"), UnionId::new("union1"))
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
pub struct CreateField {
    #[serde(skip)]
    base_id: BaseId,
    #[serde(skip)]
    sheet: String,
    #[serde(skip)]
    operator_id: UnionId,
    #[serde(flatten)]
    spec: FieldSpec,
}

impl CreateField {
    /// Adds `spec` to sheet `sheet`.
    pub fn new(base_id: BaseId, sheet: impl Into<String>, spec: FieldSpec, operator_id: UnionId) -> Self {
        Self {
            base_id,
            sheet: sheet.into(),
            operator_id,
            spec,
        }
    }
}

impl Endpoint for CreateField {
    type Response = Field;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = false;

    fn route(&self) -> &'static str {
        "/v1.0/notable/bases/{baseId}/sheets/{sheetIdOrName}/fields"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Owned(format!("{}/fields", sheet_path(&self.base_id, &self.sheet)))
    }

    fn query(&self) -> Vec<(&'static str, String)> {
        operator_query(&self.operator_id)
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        check_ids(&self.base_id, Some(&self.sheet), &self.operator_id)?;
        dingtalk_core::endpoint::require("name", &self.spec.name)?;
        dingtalk_core::endpoint::require("type", &self.spec.kind)
    }
}
