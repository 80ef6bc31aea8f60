//! Endpoint tests for the AI table (notable) product.

mod common;

use common::{TOKEN, client, fixture, timing_out_post};
use dingtalk_core::{BaseId, ErrorKind, UnionId};
use dingtalk_openapi::notable::{Condition, FieldSpec, Filter, RecordFields};
use dingtalk_test_support::strict_server;
use futures_util::TryStreamExt;
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param};
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
