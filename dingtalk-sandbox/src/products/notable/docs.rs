//! Document twins for AI-table bases (`doc_1.0`): `GET /v1.0/doc/docs` (`SearchWorkspaceDocs`), `GET
//! /v1.0/doc/workspaces/{workspaceId}/docs/{nodeId}` (`GetWorkspaceNode`) and `POST
//! /v1.0/doc/workspaces/{workspaceId}/docs` (`CreateWorkspaceDoc`). A base is a node whose `docType` is `notable`;
//! its node id is the `baseId` of the sheet routes. Lenient where the real service is unverified: any non-empty
//! `docType` is accepted, a search without `keyword` lists every visible document, and every org member sees the
//! demo workspace.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};

use super::{BaseRec, SheetRec, operator};
use crate::envelope;
use crate::products::{Reply, invalid, new_body, not_found, req_str, union_user};
use crate::state::Shared;

/// The seeded workspace (team space) holding the demo base.
pub(crate) const DEMO_WORKSPACE_ID: &str = "wsSandboxTeam0001";
const WORKSPACES: [(&str, &str); 1] = [(DEMO_WORKSPACE_ID, "Sandbox Team")];
const DEFAULT_PAGE: usize = 20;
const MAX_PAGE: usize = 100;
/// The `docType` of AI tables.
const NOTABLE: &str = "notable";

/// A document that is not an AI table (search answers it; the sheet routes do not know it).
#[derive(Debug, Clone)]
pub(crate) struct DocRec {
    id: String,
    name: String,
    doc_type: String,
    workspace_id: String,
    edited_ms: i64,
}

/// One text document beside the demo base, so searches show mixed types.
pub(crate) fn seed() -> Vec<DocRec> {
    vec![DocRec {
        id: "docSandboxPlan0001".into(),
        name: "Projects plan 2026".into(),
        doc_type: "alidoc".into(),
        workspace_id: DEMO_WORKSPACE_ID.into(),
        edited_ms: 1_772_409_600_000,
    }]
}

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/v1.0/doc/docs", get(search_docs))
        .route(
            "/v1.0/doc/workspaces/{workspace}/docs",
            axum::routing::post(create_doc),
        )
        .route("/v1.0/doc/workspaces/{workspace}/docs/{node}", get(get_node))
}

/// A node as the three routes answer it.
struct Node<'a> {
    id: &'a str,
    name: &'a str,
    doc_type: &'a str,
    workspace_id: &'a str,
    edited_ms: i64,
}

impl Node<'_> {
    fn node_bo(&self) -> Value {
        json!({
            "nodeId": self.id, "name": self.name, "originName": self.name, "docType": self.doc_type,
            "lastEditTime": self.edited_ms, "url": format!("https://alidocs.dingtalk.com/i/nodes/{}", self.id),
        })
    }

    fn workspace_bo(&self) -> Value {
        json!({"workspaceId": self.workspace_id, "name": workspace_name(self.workspace_id).unwrap_or_default()})
    }
}

fn workspace_name(id: &str) -> Option<&'static str> {
    WORKSPACES.iter().find(|(w, _)| *w == id).map(|(_, n)| *n)
}

fn workspace(id: &str) -> Result<&'static str, Response> {
    if id.is_empty() {
        return Err(super::super::missing("workspaceId"));
    }
    workspace_name(id).ok_or_else(|| not_found("workspaceId", &format!("workspace {id} not found")))
}

/// Every document, bases first, in a stable order.
fn nodes(store: &super::Bases) -> Vec<Node<'_>> {
    let bases = store.bases.iter().map(|b| Node {
        id: &b.id,
        name: &b.name,
        doc_type: NOTABLE,
        workspace_id: &b.workspace_id,
        edited_ms: b.edited_ms,
    });
    let docs = store.docs.iter().map(|d| Node {
        id: &d.id,
        name: &d.name,
        doc_type: &d.doc_type,
        workspace_id: &d.workspace_id,
        edited_ms: d.edited_ms,
    });
    bases.chain(docs).collect()
}

/// `GET /v1.0/doc/docs?operatorId*&keyword&workspaceId&maxResults&nextToken`: a case-insensitive name substring.
async fn search_docs(State(shared): State<Arc<Shared>>, Query(q): Query<HashMap<String, String>>) -> Reply {
    operator(&shared, &q)?;
    if let Some(ws) = q.get("workspaceId").filter(|w| !w.is_empty()) {
        workspace(ws)?;
    }
    let size = match q.get("maxResults").filter(|m| !m.is_empty()) {
        None => DEFAULT_PAGE,
        Some(m) => m
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_PAGE).contains(n))
            .ok_or_else(|| invalid("maxResults", "maxResults is 1 to 100"))?,
    };
    let offset = crate::products::token_offset(q.get("nextToken").map(String::as_str))?;
    let keyword = q.get("keyword").map(|k| k.to_lowercase()).unwrap_or_default();
    let st = shared.products.lock();
    let hits: Vec<Value> = nodes(&st.notable)
        .iter()
        .filter(|n| {
            q.get("workspaceId")
                .is_none_or(|w| w.is_empty() || w == n.workspace_id)
        })
        .filter(|n| n.name.to_lowercase().contains(&keyword))
        .map(|n| json!({"nodeBO": n.node_bo(), "workspaceBO": n.workspace_bo()}))
        .collect();
    let (docs, next) = crate::products::page(&hits, offset, size);
    Ok(envelope::ok(&json!({
        "docs": docs, "hasMore": next.is_some(), "nextToken": crate::products::next_token(next),
    })))
}

/// `GET /v1.0/doc/workspaces/{workspaceId}/docs/{nodeId}?operatorId*`.
async fn get_node(
    State(shared): State<Arc<Shared>>,
    Path((ws, node)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Reply {
    operator(&shared, &q)?;
    workspace(&ws)?;
    let st = shared.products.lock();
    let all = nodes(&st.notable);
    let found = all
        .iter()
        .find(|n| n.id == node && n.workspace_id == ws)
        .ok_or_else(|| not_found("nodeId", &format!("node {node} not found")))?;
    Ok(envelope::ok(&json!({
        "hasPermission": true, "nodeBO": found.node_bo(), "workspaceBO": found.workspace_bo(),
    })))
}

/// `POST /v1.0/doc/workspaces/{workspaceId}/docs {docType*, name*, operatorId*, parentNodeId, templateId}`: a
/// `notable` document becomes a base with one empty sheet, as a new AI table opens.
async fn create_doc(State(shared): State<Arc<Shared>>, Path(ws): Path<String>, body: Bytes) -> Reply {
    let map = new_body(&body)?;
    let op = req_str(&map, "operatorId")?;
    union_user(&shared, "operatorId", op)?;
    let doc_type = req_str(&map, "docType")?.to_owned();
    let name = req_str(&map, "name")?.to_owned();
    workspace(&ws)?;
    let now = i64::try_from(shared.clock.epoch_ms()).unwrap_or(0);
    let mut st = shared.products.lock();
    let id = st.next_id(if doc_type == NOTABLE { "base" } else { "doc" });
    if doc_type == NOTABLE {
        let sheet_id = st.next_id("sheet");
        st.notable.bases.push(BaseRec {
            id: id.clone(),
            name,
            workspace_id: ws.clone(),
            edited_ms: now,
            sheets: vec![SheetRec {
                id: sheet_id,
                name: "Sheet1".into(),
                fields: Vec::new(),
                records: Vec::new(),
            }],
        });
    } else {
        st.notable.docs.push(DocRec {
            id: id.clone(),
            name,
            doc_type,
            workspace_id: ws.clone(),
            edited_ms: now,
        });
    }
    Ok(envelope::ok(&json!({
        "workspaceId": ws, "nodeId": id, "docKey": format!("key{id}"),
        "url": format!("https://alidocs.dingtalk.com/i/nodes/{id}"),
    })))
}
