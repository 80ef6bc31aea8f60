//! AI-table bases as DingTalk documents: a base is a document node whose `docType` is `notable`, found, read and
//! created through the document (`doc_1.0`) APIs, which answer with these shapes.

use dingtalk_core::endpoint::encode_segment;
use serde::Deserialize;

/// The `docType` DingTalk gives AI-table documents (the value `dws` sends; unverified against the live service).
pub const NOTABLE_DOC_TYPE: &str = "notable";

/// A document node (`nodeBO`): for an AI table, `node_id` is the base id the sheet calls take.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DocNode {
    /// The node id (for an AI table: its `baseId`).
    pub node_id: Option<String>,
    /// The name; in search answers it may carry highlight tags around the keyword.
    pub name: Option<String>,
    /// The name without highlight tags (search answers).
    pub origin_name: Option<String>,
    /// The document type (`notable` for AI tables).
    pub doc_type: Option<String>,
    /// Last edit, Unix milliseconds.
    pub last_edit_time: Option<i64>,
    /// The URL that opens the document.
    pub url: Option<String>,
}

impl DocNode {
    /// Whether this node is an AI table (`docType` = [`NOTABLE_DOC_TYPE`]).
    pub fn is_base(&self) -> bool {
        self.doc_type.as_deref() == Some(NOTABLE_DOC_TYPE)
    }
}

/// The workspace (team space) a node belongs to (`workspaceBO`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DocWorkspace {
    /// The workspace id.
    pub workspace_id: Option<String>,
    /// The workspace name.
    pub name: Option<String>,
}

/// One search hit: the node and its workspace.
#[derive(Clone, Debug, Default, Deserialize)]
#[non_exhaustive]
pub struct FoundDoc {
    /// The document node.
    #[serde(rename = "nodeBO", default)]
    pub node: DocNode,
    /// Its workspace.
    #[serde(rename = "workspaceBO")]
    pub workspace: Option<DocWorkspace>,
}

/// `/v1.0/doc/workspaces/{workspaceId}/docs`, encoded.
pub(crate) fn workspace_docs_path(workspace_id: &str) -> String {
    format!("/v1.0/doc/workspaces/{}/docs", encode_segment(workspace_id))
}
