//! `POST /v1.0/doc/workspaces/{workspaceId}/docs` with `docType` `notable`.

use std::borrow::Cow;

use dingtalk_core::endpoint::require;
use dingtalk_core::{ApiHost, Body, Endpoint, Method, UnionId};
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::macros::call_setters;
use crate::notable::NOTABLE_DOC_TYPE;
use crate::notable::base::workspace_docs_path;

/// Creates an AI table in a workspace: DingTalk's `CreateWorkspaceDoc`,
/// `POST /v1.0/doc/workspaces/{workspaceId}/docs {docType: "notable", name, operatorId, parentNodeId, templateId}`.
/// The answer's `node_id` is the new base id.
///
/// The `docType` value for AI tables is unverified against the live service (it is what `dws` sends).
/// DingTalk API explorer: <https://open-dev.dingtalk.com/apiExplorer#/?devType=org&api=doc_1.0%23CreateWorkspaceDoc>.
/// Not idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::UnionId;
/// let created = client.notable().create_base("ws1", "Roadmap", UnionId::new("union1")).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateBase {
    #[serde(skip)]
    workspace_id: String,
    name: String,
    doc_type: &'static str,
    operator_id: UnionId,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent_node_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    template_id: Option<String>,
}

impl CreateBase {
    /// An AI table `name` at the root of `workspace_id`, created by `operator_id`.
    pub fn new(workspace_id: impl Into<String>, name: impl Into<String>, operator_id: UnionId) -> Self {
        Self {
            workspace_id: workspace_id.into(),
            name: name.into(),
            doc_type: NOTABLE_DOC_TYPE,
            operator_id,
            parent_node_id: None,
            template_id: None,
        }
    }

    /// Creates it inside this folder node instead of the workspace root.
    #[must_use]
    pub fn parent_node_id(mut self, parent_node_id: impl Into<String>) -> Self {
        self.parent_node_id = Some(parent_node_id.into());
        self
    }

    /// Starts from this template.
    #[must_use]
    pub fn template_id(mut self, template_id: impl Into<String>) -> Self {
        self.template_id = Some(template_id.into());
        self
    }
}

/// The answer to [`CreateBase`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateBaseResponse {
    /// The workspace.
    pub workspace_id: Option<String>,
    /// The new node id: the base id.
    pub node_id: Option<String>,
    /// The document key.
    pub doc_key: Option<String>,
    /// The URL that opens it.
    pub url: Option<String>,
}

impl Endpoint for CreateBase {
    type Response = CreateBaseResponse;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = false;

    fn route(&self) -> &'static str {
        "/v1.0/doc/workspaces/{workspaceId}/docs"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Owned(workspace_docs_path(&self.workspace_id))
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        require("workspaceId", &self.workspace_id)?;
        require("name", &self.name)?;
        require("operatorId", self.operator_id.as_str())
    }
}

call_setters!(CreateBase {
    parent_node_id(parent_node_id: impl Into<String>),
    template_id(template_id: impl Into<String>),
});
