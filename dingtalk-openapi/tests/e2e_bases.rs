//! AI-table bases end to end against the sandbox's document twins: search (paged), read, create, then the new
//! base's sheets through the notable twin; errors by code.

mod common;

use common::sandbox::{alice, api_code, start};

use dingtalk_core::{BaseId, UnionId};
use dingtalk_openapi::ErrorKind;
use futures_util::TryStreamExt;

const WORKSPACE: &str = "wsSandboxTeam0001";
const BASE: &str = "baseSandboxProjects0001";

#[tokio::test]
async fn bases_are_searched_read_and_created() {
    let (sandbox, client) = start().await;
    let nt = client.notable();

    // "proj" matches the seeded base and the seeded text document: one hit per page, two pages.
    let hits: Vec<_> = nt
        .search_bases(alice())
        .keyword("proj")
        .max_results(1)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(hits.len(), 2);
    assert_eq!(
        sandbox
            .requests(0)
            .iter()
            .filter(|r| r.path == "/v1.0/doc/docs")
            .count(),
        2
    );
    let bases: Vec<_> = hits.iter().filter(|d| d.node.is_base()).collect();
    assert_eq!(bases.len(), 1);
    assert_eq!(bases[0].node.node_id.as_deref(), Some(BASE));
    assert_eq!(
        bases[0].workspace.as_ref().unwrap().workspace_id.as_deref(),
        Some(WORKSPACE)
    );

    let got = nt.get_base(WORKSPACE, BaseId::new(BASE), alice()).await.unwrap();
    assert_eq!(got.node.name.as_deref(), Some("Projects"));
    assert!(got.node.is_base());

    let created = nt.create_base(WORKSPACE, "Roadmap 2027", alice()).await.unwrap();
    let id = BaseId::new(created.node_id.unwrap());
    // The new base is a working AI table with one sheet, and search finds it.
    let sheets: Vec<_> = nt
        .list_sheets(id.clone(), alice())
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(sheets.len(), 1);
    let found = nt.search_bases(alice()).keyword("roadmap").await.unwrap();
    assert_eq!(found.docs.len(), 1);
    assert_eq!(found.docs[0].node.node_id.as_deref(), Some(id.as_str()));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn base_calls_validate_like_dingtalk() {
    let (sandbox, client) = start().await;
    let nt = client.notable();
    let err = nt.search_bases(UnionId::new("user001")).await.unwrap_err();
    assert_eq!(api_code(&err), "invalidParameter.operatorId");
    let err = nt.search_bases(alice()).workspace_id("wsNope").await.unwrap_err();
    assert_eq!(api_code(&err), "invalidParameter.workspaceId.notFound");
    let err = nt
        .get_base(WORKSPACE, BaseId::new("baseNope"), alice())
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "invalidParameter.nodeId.notFound");
    let err = nt.create_base("wsNope", "X", alice()).await.unwrap_err();
    assert_eq!(api_code(&err), "invalidParameter.workspaceId.notFound");
    let err = nt
        .create_base(WORKSPACE, "X", UnionId::new("ghost"))
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "invalidParameter.user.notFound");
    // Client-side checks fail before any request.
    let err = nt.search_bases(alice()).max_results(0).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn sheets_and_fields_are_renamed_and_deleted() {
    let (sandbox, client) = start().await;
    let nt = client.notable();
    let base = || BaseId::new(BASE);
    let sheet = nt.update_sheet(base(), "Bugs", "Defects", alice()).await.unwrap();
    assert_eq!(sheet.name.as_deref(), Some("Defects"));
    let err = nt
        .update_sheet(base(), "Defects", "Tasks", alice())
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "invalidParameter.name");

    // A renamed field keeps its cells under the new name.
    let field = nt
        .update_field(base(), "Tasks", "Points", alice())
        .name("Effort")
        .await
        .unwrap();
    assert_eq!(field.id.as_deref(), Some("fldPoints"));
    let record = nt.get_record(base(), "Tasks", "rec0001", alice()).await.unwrap();
    assert_eq!(record.fields.get::<i64>("Effort"), Some(1));
    assert!(
        nt.delete_field(base(), "Tasks", "Effort", alice())
            .await
            .unwrap()
            .success
            == Some(true)
    );
    let record = nt.get_record(base(), "Tasks", "rec0001", alice()).await.unwrap();
    assert_eq!(record.fields.get::<i64>("Effort"), None);
    let err = nt
        .delete_field(base(), "Tasks", "Effort", alice())
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "invalidParameter.field.notFound");

    assert_eq!(
        nt.delete_sheet(base(), "Defects", alice()).await.unwrap().success,
        Some(true)
    );
    let err = nt.get_sheet(base(), "Defects", alice()).await.unwrap_err();
    assert_eq!(api_code(&err), "invalidParameter.sheetIdOrName.notFound");
    sandbox.shutdown().await;
}
