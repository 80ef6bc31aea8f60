//! Endpoint tests for the AI table (notable) product.

mod common;

use common::{TOKEN, client, fixture, timing_out_post};
use dingtalk_core::{BaseId, ErrorKind, UnionId};
use dingtalk_openapi::notable::{Condition, FieldSpec, Filter, RecordFields};
use dingtalk_test_support::strict_server;
use futures_util::TryStreamExt;
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, ResponseTemplate};

const SHEETS: &str = "/v1.0/notable/bases/base1/sheets";

fn base() -> BaseId {
    BaseId::new("base1")
}

fn op() -> UnionId {
    UnionId::new("union1")
}

#[tokio::test]
async fn sheets_list_get_create() {
    let server = strict_server().await;
    Mock::given(method("GET"))
        .and(path(SHEETS))
        .and(query_param("operatorId", "union1"))
        .and(header("x-acs-dingtalk-access-token", TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("notable/list_sheets.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{SHEETS}/%E4%BB%BB%E5%8A%A1")))
        .and(query_param("operatorId", "union1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("notable/get_sheet.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{SHEETS}/missing")))
        .respond_with(ResponseTemplate::new(404).set_body_json(fixture("notable/get_sheet.not_found.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(SHEETS))
        .and(query_param("operatorId", "union1"))
        .and(body_json(
            json!({"name": "Tasks", "fields": [{"name": "Title", "type": "text"}]}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("notable/get_sheet.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let notable = client.notable();
    let sheets: Vec<_> = notable
        .list_sheets(base(), op())
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(sheets.len(), 2);
    let sheet = notable.get_sheet(base(), "任务", op()).await.unwrap();
    assert_eq!(sheet.id, "sheet1");
    let error = notable.get_sheet(base(), "missing", op()).await.unwrap_err();
    assert_eq!(
        error.api_error().unwrap().code().as_str(),
        "invalidParameter.sheet.notFound"
    );
    notable
        .create_sheet(base(), "Tasks", op())
        .fields(vec![FieldSpec::new("Title", "text")])
        .await
        .unwrap();
}

#[tokio::test]
async fn fields_list_and_create() {
    let server = strict_server().await;
    Mock::given(method("GET"))
        .and(path(format!("{SHEETS}/sheet1/fields")))
        .and(query_param("operatorId", "union1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("notable/list_fields.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{SHEETS}/sheet1/fields")))
        .and(body_json(
            json!({"name": "Points", "type": "number", "property": {"formatter": "INT"}}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("notable/create_field.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let fields = client
        .notable()
        .list_fields(base(), "sheet1", op())
        .await
        .unwrap();
    assert_eq!(fields.value[1].kind.as_deref(), Some("singleSelect"));
    let mut property = RecordFields::new();
    property.insert("formatter", "INT").unwrap();
    let field = client
        .notable()
        .create_field(
            base(),
            "sheet1",
            FieldSpec::new("Points", "number").property(property),
            op(),
        )
        .await
        .unwrap();
    assert_eq!(field.id, "fld3");
}

#[tokio::test]
async fn records_crud() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path(format!("{SHEETS}/sheet1/records")))
        .and(query_param("operatorId", "union1"))
        .and(body_json(
            json!({"records": [{"fields": {"Title": "Ship v1", "Points": 3}}, {"fields": {"Title": "B"}}]}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("notable/create_records.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{SHEETS}/sheet1/records/rec1")))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("notable/get_record.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("{SHEETS}/sheet1/records")))
        .and(body_json(
            json!({"records": [{"id": "rec1", "fields": {"Points": 5}}]}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": [{"id": "rec1"}]})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{SHEETS}/sheet1/records/delete")))
        .and(body_json(json!({"recordIds": ["rec1", "rec2"]})))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("notable/delete_records.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let notable = client.notable();
    let mut first = RecordFields::new();
    first
        .insert("Title", "Ship v1")
        .unwrap()
        .insert("Points", 3)
        .unwrap();
    let mut second = RecordFields::new();
    second.insert("Title", "B").unwrap();
    let ids = notable
        .create_records(base(), "sheet1", vec![first, second], op())
        .await
        .unwrap();
    assert_eq!(ids.value.len(), 2);
    let record = notable.get_record(base(), "sheet1", "rec1", op()).await.unwrap();
    assert_eq!(record.fields.get::<u32>("Points"), Some(3));
    let mut change = RecordFields::new();
    change.insert("Points", 5).unwrap();
    notable
        .update_records(base(), "sheet1", vec![("rec1".to_owned(), change)], op())
        .await
        .unwrap();
    let deleted = notable
        .delete_records(base(), "sheet1", vec!["rec1".to_owned(), "rec2".to_owned()], op())
        .await
        .unwrap();
    assert_eq!(deleted.success, Some(true));
}

#[tokio::test]
async fn record_writes_are_capped_and_inserts_not_retried() {
    let (_server, client) = timing_out_post(format!("{SHEETS}/sheet1/records")).await;
    let rows = (0..101).map(|_| RecordFields::new()).collect();
    let error = client
        .notable()
        .create_records(base(), "sheet1", rows, op())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Validation);
    let error = client
        .notable()
        .create_records(base(), "sheet1", vec![RecordFields::new()], op())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout);
}

/// DingTalk documents at most 100 `fieldIdOrNames` per query: 101 fails before any request.
#[tokio::test]
async fn query_records_caps_the_field_list() {
    let server = strict_server().await;
    let client = client(&server);
    let fields = (0..101).map(|i| format!("f{i}")).collect();
    let error = client
        .notable()
        .query_records(base(), "sheet1", op())
        .fields(fields)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Validation);
}

#[tokio::test]
async fn query_records_filters_and_pages() {
    let server = strict_server().await;
    let filter = json!({"combination": "and", "conditions": [{"field": "Status", "operator": "equal", "value": ["Open"]}]});
    Mock::given(method("POST"))
        .and(path(format!("{SHEETS}/sheet1/records/list")))
        .and(query_param("operatorId", "union1"))
        .and(body_json(json!({"maxResults": 100, "filter": filter})))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("notable/query_records.page1.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{SHEETS}/sheet1/records/list")))
        .and(body_json(
            json!({"maxResults": 100, "filter": filter, "nextToken": "nx2"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("notable/query_records.page2.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let records: Vec<_> = client
        .notable()
        .query_records(base(), "sheet1", op())
        .filter(Filter::all(vec![Condition::new(
            "Status",
            "equal",
            vec!["Open".to_owned()],
        )]))
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        records.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        ["rec1", "rec3"]
    );
}

// ---------------------------------------------------------------- bases (document APIs)

#[tokio::test]
async fn search_bases_pages_by_next_token_with_header_token() {
    let server = strict_server().await;
    Mock::given(method("GET"))
        .and(path("/v1.0/doc/docs"))
        .and(header("x-acs-dingtalk-access-token", TOKEN))
        .and(query_param("operatorId", "union1"))
        .and(query_param("keyword", "Proj"))
        .and(query_param("workspaceId", "ws1"))
        .and(query_param("maxResults", "2"))
        .and(query_param_is_missing("nextToken"))
        .and(query_param_is_missing("access_token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("notable/search_bases.page1.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1.0/doc/docs"))
        .and(query_param("nextToken", "tok2"))
        .and(query_param("keyword", "Proj"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("notable/search_bases.page2.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let hits: Vec<_> = client
        .notable()
        .search_bases(op())
        .keyword("Proj")
        .workspace_id("ws1")
        .max_results(2)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(hits.len(), 3);
    let bases: Vec<_> = hits.iter().filter(|d| d.node.is_base()).collect();
    assert_eq!(
        bases
            .iter()
            .map(|d| d.node.node_id.as_deref().unwrap())
            .collect::<Vec<_>>(),
        ["base1", "base2"]
    );
    assert_eq!(bases[0].node.origin_name.as_deref(), Some("Projects"));
    assert_eq!(
        bases[1].workspace.as_ref().unwrap().workspace_id.as_deref(),
        Some("ws2")
    );
    assert_eq!(hits[0].node.last_edit_time, Some(1_772_323_200_000));
}

#[tokio::test]
async fn get_base_reads_the_node_and_maps_not_found() {
    let server = strict_server().await;
    Mock::given(method("GET"))
        .and(path("/v1.0/doc/workspaces/ws1/docs/base1"))
        .and(header("x-acs-dingtalk-access-token", TOKEN))
        .and(query_param("operatorId", "union1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("notable/get_base.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1.0/doc/workspaces/ws1/docs/nope"))
        .respond_with(ResponseTemplate::new(404).set_body_json(fixture("notable/get_base.not_found.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let got = client.notable().get_base("ws1", base(), op()).await.unwrap();
    assert_eq!(got.has_permission, Some(true));
    assert!(got.node.is_base());
    assert_eq!(got.node.name.as_deref(), Some("Projects"));
    assert_eq!(got.workspace.unwrap().name.as_deref(), Some("Team"));
    let error = client
        .notable()
        .get_base("ws1", BaseId::new("nope"), op())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!(
        error.api_error().unwrap().code().as_str(),
        "invalidParameter.nodeId.notFound"
    );
    let error = client.notable().get_base("", base(), op()).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Validation);
}

#[tokio::test]
async fn create_base_posts_a_notable_doc() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/doc/workspaces/ws1/docs"))
        .and(header("x-acs-dingtalk-access-token", TOKEN))
        .and(body_json(json!({
            "name": "Roadmap", "docType": "notable", "operatorId": "union1", "parentNodeId": "folder1",
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("notable/create_base.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let created = client
        .notable()
        .create_base("ws1", "Roadmap", op())
        .parent_node_id("folder1")
        .await
        .unwrap();
    assert_eq!(created.node_id.as_deref(), Some("base7"));
    assert_eq!(created.doc_key.as_deref(), Some("key7"));
    let error = client.notable().create_base("ws1", " ", op()).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Validation);
}

#[tokio::test]
async fn create_base_is_not_retried_after_a_timeout() {
    let (_server, client) = timing_out_post("/v1.0/doc/workspaces/ws1/docs").await;
    let error = client
        .notable()
        .create_base("ws1", "Roadmap", op())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout);
}

#[tokio::test]
async fn sheets_and_fields_are_renamed_and_deleted() {
    let server = strict_server().await;
    Mock::given(method("PUT"))
        .and(path(format!("{SHEETS}/Bugs")))
        .and(header("x-acs-dingtalk-access-token", TOKEN))
        .and(query_param("operatorId", "union1"))
        .and(body_json(json!({"name": "Defects"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("notable/update_sheet.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{SHEETS}/sheet2")))
        .and(query_param("operatorId", "union1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("notable/delete.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("{SHEETS}/sheet1/fields/Points")))
        .and(query_param("operatorId", "union1"))
        .and(body_json(
            json!({"name": "Effort", "property": {"formatter": "INT"}}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("notable/update_field.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{SHEETS}/sheet1/fields/fld3")))
        .and(query_param("operatorId", "union1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("notable/delete.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{SHEETS}/missing")))
        .respond_with(ResponseTemplate::new(404).set_body_json(fixture("notable/get_sheet.not_found.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let nt = client.notable();
    let sheet = nt.update_sheet(base(), "Bugs", "Defects", op()).await.unwrap();
    assert_eq!(
        (sheet.id.as_str(), sheet.name.as_deref()),
        ("sheet2", Some("Defects"))
    );
    assert_eq!(
        nt.delete_sheet(base(), "sheet2", op()).await.unwrap().success,
        Some(true)
    );
    let mut property = RecordFields::new();
    property.insert("formatter", "INT").unwrap();
    let field = nt
        .update_field(base(), "sheet1", "Points", op())
        .name("Effort")
        .property(property)
        .await
        .unwrap();
    assert_eq!(field.id.as_deref(), Some("fld3"));
    assert_eq!(
        nt.delete_field(base(), "sheet1", "fld3", op())
            .await
            .unwrap()
            .success,
        Some(true)
    );
    let error = nt.delete_sheet(base(), "missing", op()).await.unwrap_err();
    assert_eq!(
        error.api_error().unwrap().code().as_str(),
        "invalidParameter.sheet.notFound"
    );
    // A field update with nothing to change, or a blank sheet name, fails before any request.
    let error = nt
        .update_field(base(), "sheet1", "Points", op())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Validation);
    let error = nt.update_sheet(base(), "Bugs", " ", op()).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Validation);
}
