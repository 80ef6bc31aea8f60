//! `GET /v1.0/workflow/forms/schemas/processCodes?processCode=`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Endpoint, Method, ProcessCode};
use serde::Deserialize;

use crate::error::Error;

/// Reads an approval form's schema: `GET /v1.0/workflow/forms/schemas/processCodes?processCode=`.
///
/// The component labels are the `name`s [`CreateProcessInstance`](crate::workflow::CreateProcessInstance) fills.
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/obtain-the-form-schema>. Idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::ProcessCode;
/// let schema = client.workflow().get_process_form_schema(ProcessCode::new("PROC-1")).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct GetProcessFormSchema {
    process_code: ProcessCode,
}

impl GetProcessFormSchema {
    /// The schema of `process_code`.
    pub fn new(process_code: ProcessCode) -> Self {
        Self { process_code }
    }
}

/// The answer to [`GetProcessFormSchema`].
#[derive(Clone, Debug, Default, Deserialize)]
#[non_exhaustive]
pub struct GetProcessFormSchemaResponse {
    /// The form.
    pub result: Option<FormSchema>,
}

/// An approval form.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FormSchema {
    /// The process name.
    pub name: Option<String>,
    /// The form code.
    pub form_code: Option<String>,
    /// The components.
    pub schema_content: Option<SchemaContent>,
}

/// The `schemaContent` of a form.
#[derive(Clone, Debug, Deserialize)]
#[non_exhaustive]
pub struct SchemaContent {
    /// The form title.
    pub title: Option<String>,
    /// The components, in order.
    #[serde(default)]
    pub items: Vec<FormComponent>,
}

/// One form component.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FormComponent {
    /// The component kind (`TextField`, `DDSelectField`, `TableField`, …).
    pub component_name: Option<String>,
    /// Its properties.
    pub props: Option<FormComponentProps>,
    /// Child components (tables).
    #[serde(default)]
    pub children: Vec<FormComponent>,
}

/// The properties of a form component.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FormComponentProps {
    /// The component id.
    pub id: Option<String>,
    /// The label: the `name` to fill.
    pub label: Option<String>,
    /// Whether a value is required.
    pub required: Option<bool>,
    /// A business alias.
    pub biz_alias: Option<String>,
}

impl Endpoint for GetProcessFormSchema {
    type Response = GetProcessFormSchemaResponse;
    const METHOD: Method = Method::Get;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/workflow/forms/schemas/processCodes"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1.0/workflow/forms/schemas/processCodes")
    }

    fn query(&self) -> Vec<(&'static str, String)> {
        vec![("processCode", self.process_code.to_string())]
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("processCode", self.process_code.as_str())
    }
}
