//! AI-table data shared by the notable endpoints.

use dingtalk_core::endpoint::encode_segment;
use dingtalk_core::{BaseId, UnionId};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::Error;

/// A sheet: id and name.
#[derive(Clone, Debug, Deserialize)]
#[non_exhaustive]
pub struct Sheet {
    /// The sheet id.
    pub id: String,
    /// The sheet name.
    pub name: Option<String>,
}

/// A field (column).
#[derive(Clone, Debug, Deserialize)]
#[non_exhaustive]
pub struct Field {
    /// The field id.
    pub id: String,
    /// The field name.
    pub name: Option<String>,
    /// The field type (`text`, `number`, `singleSelect`, `date`, `user`, …).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Type-specific settings.
    #[serde(default)]
    pub property: RecordFields,
}

/// A record's cells, keyed by field name: type-dependent JSON values.
///
/// ```
/// use dingtalk_openapi::notable::RecordFields;
/// let mut fields = RecordFields::new();
/// fields.insert("Title", "Ship v1").unwrap();
/// fields.insert("Points", 3).unwrap();
/// assert_eq!(fields.get::<u32>("Points"), Some(3));
/// assert_eq!(fields.get_str("Title"), Some("Ship v1"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RecordFields(Map<String, Value>);

impl RecordFields {
    /// No cells.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets cell `field` to `value` (any serializable value).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`](crate::ErrorKind::Validation) when `value` cannot be serialized.
    pub fn insert(&mut self, field: impl Into<String>, value: impl Serialize) -> Result<&mut Self, Error> {
        let value = serde_json::to_value(value)
            .map_err(|e| Error::validation("a cell value could not be serialized").with_source(e))?;
        self.0.insert(field.into(), value);
        Ok(self)
    }

    /// Cell `field` decoded as `T`, when present and of that shape.
    pub fn get<T: DeserializeOwned>(&self, field: &str) -> Option<T> {
        self.0
            .get(field)
            .and_then(|v| serde_json::from_value(v.clone()).ok())
    }

    /// Cell `field` when it is a string.
    pub fn get_str(&self, field: &str) -> Option<&str> {
        self.0.get(field).and_then(Value::as_str)
    }

    /// The field names present.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// The cells as JSON text.
    pub fn to_json(&self) -> String {
        Value::Object(self.0.clone()).to_string()
    }

    /// The number of cells.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no cells.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A record.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Record {
    /// The record id.
    pub id: String,
    /// The cells.
    #[serde(default)]
    pub fields: RecordFields,
    /// Creation time, Unix milliseconds.
    pub created_time: Option<i64>,
    /// Last change, Unix milliseconds.
    pub last_modified_time: Option<i64>,
}

/// A record id in a write answer.
#[derive(Clone, Debug, Deserialize)]
#[non_exhaustive]
pub struct RecordRef {
    /// The record id.
    pub id: String,
}

/// The answer of record inserts and updates: `{"value":[{"id"}]}`.
#[derive(Clone, Debug, Default, Deserialize)]
#[non_exhaustive]
pub struct RecordIds {
    /// The records written.
    #[serde(default)]
    pub value: Vec<RecordRef>,
}

/// The answer of sheet and field deletes: `{"success": true}`.
#[derive(Clone, Debug, Default, Deserialize)]
#[non_exhaustive]
pub struct Deleted {
    /// Whether DingTalk reports success.
    pub success: Option<bool>,
}

/// `/v1.0/notable/bases/{baseId}/sheets`, encoded.
pub(crate) fn sheets_path(base: &BaseId) -> String {
    format!("/v1.0/notable/bases/{}/sheets", encode_segment(base.as_str()))
}

/// `/v1.0/notable/bases/{baseId}/sheets/{sheetIdOrName}`, encoded.
pub(crate) fn sheet_path(base: &BaseId, sheet: &str) -> String {
    format!("{}/{}", sheets_path(base), encode_segment(sheet))
}

/// The `operatorId` query every notable call carries.
pub(crate) fn operator_query(operator: &UnionId) -> Vec<(&'static str, String)> {
    vec![("operatorId", operator.to_string())]
}

/// Requires the base, the sheet and the operator.
pub(crate) fn check_ids(base: &BaseId, sheet: Option<&str>, operator: &UnionId) -> Result<(), Error> {
    dingtalk_core::endpoint::require("baseId", base.as_str())?;
    if let Some(sheet) = sheet {
        dingtalk_core::endpoint::require("sheetIdOrName", sheet)?;
    }
    dingtalk_core::endpoint::require("operatorId", operator.as_str())
}

/// `/v1.0/notable/bases/{baseId}/sheets/{sheetIdOrName}/fields/{fieldIdOrName}`, encoded.
pub(crate) fn field_path(base: &BaseId, sheet: &str, field: &str) -> String {
    format!("{}/fields/{}", sheet_path(base, sheet), encode_segment(field))
}
