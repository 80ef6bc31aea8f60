//! `GET /v1.0/doc/workspaces/{workspaceId}/docs/{nodeId}?operatorId=`.

use std::borrow::Cow;

use dingtalk_core::endpoint::{encode_segment, require};
use dingtalk_core::{ApiHost, BaseId, Endpoint, Method, UnionId};
use serde::Deserialize;

use crate::error::Error;
use crate::notable::base::workspace_docs_path;
use crate::notable::{DocNode, DocWorkspace};

/// Reads one AI table's document node (name, type, URL, workspace): DingTalk's `GetWorkspaceNode`,
/// `GET /v1.0/doc/workspaces/{workspaceId}/docs/{nodeId}?operatorId=<unionId>`. Its sheets come from
/// [`ListSheets`](crate::notable::ListSheets).
///
/// DingTalk API explorer: <https://open-dev.dingtalk.com/apiExplorer#/?devType=org&api=doc_1.0%23GetWorkspaceNode>.
/// Idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{BaseId, UnionId};
/// let base = client.notable().get_base("ws1", BaseId::new("base1"), UnionId::new("union1")).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct GetBase {
    workspace: String,
    base: BaseId,
    operator: UnionId,
}

impl GetBase {
    /// Base `base_id` (its node id) in workspace `workspace_id`, read as `operator_id`.
    pub fn new(workspace_id: impl Into<String>, base_id: BaseId, operator_id: UnionId) -> Self {
        Self {
            workspace: workspace_id.into(),
            base: base_id,
            operator: operator_id,
        }
    }
}

/// The answer to [`GetBase`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GetBaseResponse {
    /// Whether the operator may open it.
    pub has_permission: Option<bool>,
    /// The node.
    #[serde(rename = "nodeBO", default)]
    pub node: DocNode,
    /// Its workspace.
    #[serde(rename = "workspaceBO")]
    pub workspace: Option<DocWorkspace>,
}

impl Endpoint for GetBase {
    type Response = GetBaseResponse;
    const METHOD: Method = Method::Get;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/doc/workspaces/{workspaceId}/docs/{nodeId}"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Owned(format!(
            "{}/{}",
            workspace_docs_path(&self.workspace),
            encode_segment(self.base.as_str())
        ))
    }

    fn query(&self) -> Vec<(&'static str, String)> {
        vec![("operatorId", self.operator.to_string())]
    }

    fn validate(&self) -> Result<(), Error> {
        require("workspaceId", &self.workspace)?;
        require("nodeId", self.base.as_str())?;
        require("operatorId", self.operator.as_str())
    }
}
