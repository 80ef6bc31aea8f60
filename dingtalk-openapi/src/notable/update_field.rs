//! `PUT /v1.0/notable/bases/{baseId}/sheets/{sheetIdOrName}/fields/{fieldIdOrName}?operatorId=`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, BaseId, Body, Endpoint, Method, UnionId};
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::macros::call_setters;
use crate::notable::RecordFields;
use crate::notable::model::{check_ids, field_path, operator_query};

/// Renames a field or changes its settings (its type cannot change):
/// `PUT …/sheets/{sheetIdOrName}/fields/{fieldIdOrName}?operatorId= {name, property}`.
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/api-updatefield>. Idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{BaseId, UnionId};
/// client.notable()
///     .update_field(BaseId::new("base1"), "Tasks", "Points", UnionId::new("union1"))
///     .name("Effort")
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
pub struct UpdateField {
    #[serde(skip)]
    base_id: BaseId,
    #[serde(skip)]
    sheet: String,
    #[serde(skip)]
    field: String,
    #[serde(skip)]
    operator_id: UnionId,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    property: Option<RecordFields>,
}

impl UpdateField {
    /// Field `field` (id or name) of sheet `sheet`; set a new name, new settings or both.
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
            name: None,
            property: None,
        }
    }

    /// The new name.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The new type-specific settings.
    #[must_use]
    pub fn property(mut self, property: RecordFields) -> Self {
        self.property = Some(property);
        self
    }
}

/// The answer to [`UpdateField`]: the field's id.
#[derive(Clone, Debug, Default, Deserialize)]
#[non_exhaustive]
pub struct UpdateFieldResponse {
    /// The field id.
    pub id: Option<String>,
}

impl Endpoint for UpdateField {
    type Response = UpdateFieldResponse;
    const METHOD: Method = Method::Put;
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

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        check_ids(&self.base_id, Some(&self.sheet), &self.operator_id)?;
        dingtalk_core::endpoint::require("fieldIdOrName", &self.field)?;
        if self.name.as_deref().is_none_or(|n| n.trim().is_empty()) && self.property.is_none() {
            return Err(Error::validation(
                "a field update needs a new name or new settings",
            ));
        }
        Ok(())
    }
}

call_setters!(UpdateField {
    name(name: impl Into<String>),
    property(property: RecordFields),
});
