//! AI table (notable) twins on `/v1.0/notable/bases/{baseId}/sheets…?operatorId=`: sheets, fields and records
//! with `nextToken` paging and filters. `operatorId` is a required unionId; sheets and fields are found by id or
//! name; `maxResults` is 1..100; a call takes 1..100 records. Bases themselves are documents: [`docs`] serves the
//! document routes that search, read and create them; [`schema`] renames and deletes sheets and fields.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post, put};
use serde_json::{Map, Value, json};

use super::{Obj, Reply, invalid, new_body, not_found, union_user};
use crate::envelope;
use crate::org::Org;
use crate::state::Shared;

mod docs;
mod schema;

const MAX_RECORDS: usize = 100;
const FIELD_TYPES: [&str; 10] = [
    "text",
    "number",
    "singleSelect",
    "multipleSelect",
    "date",
    "user",
    "attachment",
    "checkbox",
    "url",
    "currency",
];
const OPERATORS: [&str; 10] = [
    "equal",
    "notEqual",
    "greater",
    "greaterEqual",
    "less",
    "lessEqual",
    "contain",
    "notContain",
    "empty",
    "notEmpty",
];

/// One field.
#[derive(Debug, Clone)]
struct FieldRec {
    id: String,
    name: String,
    kind: String,
    property: Value,
}

/// One record; cells keyed by field name.
#[derive(Debug, Clone)]
struct RecordRec {
    id: String,
    fields: Map<String, Value>,
    created_ms: i64,
    modified_ms: i64,
    created_by: String,
    modified_by: String,
}

/// One sheet.
#[derive(Debug, Clone)]
struct SheetRec {
    id: String,
    name: String,
    fields: Vec<FieldRec>,
    records: Vec<RecordRec>,
}

/// One base: an AI-table document in a workspace.
#[derive(Debug, Clone)]
struct BaseRec {
    id: String,
    name: String,
    workspace_id: String,
    edited_ms: i64,
    sheets: Vec<SheetRec>,
}

/// The AI-table store, with the other documents of the workspaces (search answers them too).
#[derive(Debug, Default)]
pub(crate) struct Bases {
    bases: Vec<BaseRec>,
    docs: Vec<docs::DocRec>,
}

/// The seeded base id.
pub(crate) const DEMO_BASE_ID: &str = "baseSandboxProjects0001";

impl Bases {
    /// One base with a `Tasks` sheet (4 fields, 30 records) and an empty `Bugs` sheet.
    pub(crate) fn seed(org: &Org) -> Self {
        let field = |id: &str, name: &str, kind: &str, property: Value| FieldRec {
            id: id.into(),
            name: name.into(),
            kind: kind.into(),
            property,
        };
        let statuses = ["Todo", "Doing", "Done"];
        let creator = org.users.first().map(|u| u.union_id.clone()).unwrap_or_default();
        let records = (0..30_usize)
            .map(|i| {
                let owner = org
                    .users
                    .get(i % 6)
                    .map(|u| u.union_id.clone())
                    .unwrap_or_default();
                let mut fields = Map::new();
                fields.insert("Title".into(), json!(format!("Task {}", i + 1)));
                fields.insert("Status".into(), json!(statuses[i % 3]));
                fields.insert("Owner".into(), json!([{"unionId": owner}]));
                fields.insert("Points".into(), json!((i % 5) + 1));
                let t = 1_772_323_200_000 + i64::try_from(i).unwrap_or(0) * 3_600_000;
                RecordRec {
                    id: format!("rec{:04}", i + 1),
                    fields,
                    created_ms: t,
                    modified_ms: t,
                    created_by: creator.clone(),
                    modified_by: creator.clone(),
                }
            })
            .collect();
        let tasks = SheetRec {
            id: "sheetTasks0001".into(),
            name: "Tasks".into(),
            fields: vec![
                field("fldTitle", "Title", "text", json!({})),
                field(
                    "fldStatus",
                    "Status",
                    "singleSelect",
                    json!({"choices": statuses.iter().map(|s| json!({"name": s})).collect::<Vec<_>>()}),
                ),
                field("fldOwner", "Owner", "user", json!({})),
                field("fldPoints", "Points", "number", json!({"formatter": "INT"})),
            ],
            records,
        };
        let bugs = SheetRec {
            id: "sheetBugs0002".into(),
            name: "Bugs".into(),
            fields: vec![field("fldBugTitle", "Title", "text", json!({}))],
            records: Vec::new(),
        };
        Self {
            bases: vec![BaseRec {
                id: DEMO_BASE_ID.into(),
                name: "Projects".into(),
                workspace_id: docs::DEMO_WORKSPACE_ID.into(),
                edited_ms: 1_772_323_200_000,
                sheets: vec![tasks, bugs],
            }],
            docs: docs::seed(),
        }
    }
}

pub(super) fn routes() -> Router<Arc<Shared>> {
    const BASE: &str = "/v1.0/notable/bases/{base}/sheets";
    Router::new()
        .route(BASE, get(list_sheets).post(create_sheet))
        .route(
            "/v1.0/notable/bases/{base}/sheets/{sheet}",
            get(get_sheet)
                .put(schema::update_sheet)
                .delete(schema::delete_sheet),
        )
        .route(
            "/v1.0/notable/bases/{base}/sheets/{sheet}/fields/{field}",
            put(schema::update_field).delete(schema::delete_field),
        )
        .route(
            "/v1.0/notable/bases/{base}/sheets/{sheet}/fields",
            get(list_fields).post(create_field),
        )
        .route(
            "/v1.0/notable/bases/{base}/sheets/{sheet}/records",
            post(create_records).put(update_records),
        )
        .route(
            "/v1.0/notable/bases/{base}/sheets/{sheet}/records/{record}",
            get(get_record),
        )
        .route(
            "/v1.0/notable/bases/{base}/sheets/{sheet}/records/delete",
            post(delete_records),
        )
        .route(
            "/v1.0/notable/bases/{base}/sheets/{sheet}/records/list",
            post(query_records),
        )
        .merge(docs::routes())
}

/// The `operatorId` query: required, a unionId.
fn operator(shared: &Shared, q: &HashMap<String, String>) -> Result<String, Response> {
    let id = q
        .get("operatorId")
        .filter(|o| !o.is_empty())
        .ok_or_else(|| super::missing("operatorId"))?;
    Ok(union_user(shared, "operatorId", id)?.union_id.clone())
}

fn base_mut<'a>(bases: &'a mut Bases, id: &str) -> Result<&'a mut BaseRec, Response> {
    bases
        .bases
        .iter_mut()
        .find(|b| b.id == id)
        .ok_or_else(|| not_found("baseId", &format!("base {id} not found")))
}

fn sheet_mut<'a>(base: &'a mut BaseRec, key: &str) -> Result<&'a mut SheetRec, Response> {
    base.sheets
        .iter_mut()
        .find(|s| s.id == key || s.name == key)
        .ok_or_else(|| not_found("sheetIdOrName", &format!("sheet {key} not found")))
}

fn field_name(sheet: &SheetRec, key: &str) -> Result<String, Response> {
    sheet
        .fields
        .iter()
        .find(|f| f.id == key || f.name == key)
        .map(|f| f.name.clone())
        .ok_or_else(|| not_found("field", &format!("field {key} not found")))
}

fn field_json(f: &FieldRec) -> Value {
    json!({"id": f.id, "name": f.name, "type": f.kind, "property": f.property})
}

fn record_json(r: &RecordRec, only: Option<&[String]>) -> Value {
    let fields: Map<String, Value> = r
        .fields
        .iter()
        .filter(|(k, _)| only.is_none_or(|o| o.contains(k)))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    json!({
        "id": r.id, "fields": fields, "createdTime": r.created_ms, "lastModifiedTime": r.modified_ms,
        "createdBy": {"unionId": r.created_by}, "lastModifiedBy": {"unionId": r.modified_by},
    })
}

/// Cells keyed by field id or name → keyed by name, checked against the sheet.
fn cells(sheet: &SheetRec, value: Option<&Value>) -> Result<Map<String, Value>, Response> {
    let Some(Value::Object(raw)) = value else {
        return Err(invalid("records.fields", "records[].fields is an object"));
    };
    raw.iter()
        .map(|(k, v)| Ok((field_name(sheet, k)?, v.clone())))
        .collect()
}

fn record_list<'a>(map: &'a Obj, key: &str) -> Result<&'a Vec<Value>, Response> {
    match map.get(key) {
        Some(Value::Array(list)) if !list.is_empty() && list.len() <= MAX_RECORDS => Ok(list),
        Some(Value::Array(_)) => Err(invalid(key, "a call takes 1 to 100 records")),
        _ => Err(super::missing(key)),
    }
}

fn now_ms(shared: &Shared) -> i64 {
    i64::try_from(shared.clock.epoch_ms()).unwrap_or(0)
}

/// `GET /v1.0/notable/bases/{baseId}/sheets`.
async fn list_sheets(
    State(shared): State<Arc<Shared>>,
    Path(base): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Reply {
    operator(&shared, &q)?;
    let mut st = shared.products.lock();
    let b = base_mut(&mut st.notable, &base)?;
    let value: Vec<Value> = b
        .sheets
        .iter()
        .map(|s| json!({"id": s.id, "name": s.name}))
        .collect();
    Ok(envelope::ok(&json!({"value": value})))
}

/// `GET /v1.0/notable/bases/{baseId}/sheets/{sheetIdOrName}`.
async fn get_sheet(
    State(shared): State<Arc<Shared>>,
    Path((base, sheet)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Reply {
    operator(&shared, &q)?;
    let mut st = shared.products.lock();
    let s = sheet_mut(base_mut(&mut st.notable, &base)?, &sheet)?;
    Ok(envelope::ok(&json!({"id": s.id, "name": s.name})))
}

fn new_field(sheet: &SheetRec, spec: &Value, id: String) -> Result<FieldRec, Response> {
    let name = spec.get("name").and_then(Value::as_str).unwrap_or_default();
    let kind = spec.get("type").and_then(Value::as_str).unwrap_or_default();
    if name.is_empty() {
        return Err(super::missing("name"));
    }
    if kind.is_empty() {
        return Err(super::missing("type"));
    }
    if !FIELD_TYPES.contains(&kind) {
        return Err(invalid("type", &format!("unknown field type {kind}")));
    }
    if sheet.fields.iter().any(|f| f.name == name) {
        return Err(invalid("name", &format!("field {name} already exists")));
    }
    Ok(FieldRec {
        id,
        name: name.to_owned(),
        kind: kind.to_owned(),
        property: spec.get("property").cloned().unwrap_or_else(|| json!({})),
    })
}

/// `POST /v1.0/notable/bases/{baseId}/sheets {name*, fields[]}`.
async fn create_sheet(
    State(shared): State<Arc<Shared>>,
    Path(base): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> Reply {
    operator(&shared, &q)?;
    let map = new_body(&body)?;
    let name = super::req_str(&map, "name")?.to_owned();
    let mut st = shared.products.lock();
    let id = st.next_id("sheet");
    let field_ids: Vec<String> = (0..map.get("fields").and_then(Value::as_array).map_or(0, Vec::len))
        .map(|_| st.next_id("fld"))
        .collect();
    let b = base_mut(&mut st.notable, &base)?;
    if b.sheets.iter().any(|s| s.name == name) {
        return Err(invalid("name", &format!("sheet {name} already exists")));
    }
    let mut sheet = SheetRec {
        id: id.clone(),
        name: name.clone(),
        fields: Vec::new(),
        records: Vec::new(),
    };
    let specs = map
        .get("fields")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (spec, fid) in specs.iter().zip(field_ids) {
        let f = new_field(&sheet, spec, fid)?;
        sheet.fields.push(f);
    }
    b.sheets.push(sheet);
    Ok(envelope::ok(&json!({"id": id, "name": name})))
}

/// `GET …/sheets/{sheetIdOrName}/fields`.
async fn list_fields(
    State(shared): State<Arc<Shared>>,
    Path((base, sheet)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Reply {
    operator(&shared, &q)?;
    let mut st = shared.products.lock();
    let s = sheet_mut(base_mut(&mut st.notable, &base)?, &sheet)?;
    Ok(envelope::ok(
        &json!({"value": s.fields.iter().map(field_json).collect::<Vec<_>>()}),
    ))
}

/// `POST …/sheets/{sheetIdOrName}/fields {name*, type*, property}`.
async fn create_field(
    State(shared): State<Arc<Shared>>,
    Path((base, sheet)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> Reply {
    operator(&shared, &q)?;
    let map = new_body(&body)?;
    let mut st = shared.products.lock();
    let id = st.next_id("fld");
    let s = sheet_mut(base_mut(&mut st.notable, &base)?, &sheet)?;
    let f = new_field(s, &Value::Object(map), id)?;
    let body = field_json(&f);
    s.fields.push(f);
    Ok(envelope::ok(&body))
}

/// `POST …/records {records*[{fields*}]}`.
async fn create_records(
    State(shared): State<Arc<Shared>>,
    Path((base, sheet)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> Reply {
    let op = operator(&shared, &q)?;
    let map = new_body(&body)?;
    let list = record_list(&map, "records")?;
    let now = now_ms(&shared);
    let mut st = shared.products.lock();
    let ids: Vec<String> = list.iter().map(|_| st.next_id("rec")).collect();
    let s = sheet_mut(base_mut(&mut st.notable, &base)?, &sheet)?;
    let mut new = Vec::new();
    for (item, id) in list.iter().zip(&ids) {
        new.push(RecordRec {
            id: id.clone(),
            fields: cells(s, item.get("fields"))?,
            created_ms: now,
            modified_ms: now,
            created_by: op.clone(),
            modified_by: op.clone(),
        });
    }
    s.records.extend(new);
    Ok(envelope::ok(
        &json!({"value": ids.iter().map(|id| json!({"id": id})).collect::<Vec<_>>()}),
    ))
}

/// `PUT …/records {records*[{id*, fields*}]}`: merges cells.
async fn update_records(
    State(shared): State<Arc<Shared>>,
    Path((base, sheet)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> Reply {
    let op = operator(&shared, &q)?;
    let map = new_body(&body)?;
    let list = record_list(&map, "records")?;
    let now = now_ms(&shared);
    let mut st = shared.products.lock();
    let s = sheet_mut(base_mut(&mut st.notable, &base)?, &sheet)?;
    let mut changes = Vec::new();
    for item in list {
        let id = item.get("id").and_then(Value::as_str).unwrap_or_default();
        if id.is_empty() {
            return Err(super::missing("records.id"));
        }
        if !s.records.iter().any(|r| r.id == id) {
            return Err(not_found("recordId", &format!("record {id} not found")));
        }
        changes.push((id.to_owned(), cells(s, item.get("fields"))?));
    }
    for (id, fields) in &changes {
        if let Some(r) = s.records.iter_mut().find(|r| &r.id == id) {
            r.fields.extend(fields.clone());
            r.modified_ms = now;
            r.modified_by.clone_from(&op);
        }
    }
    Ok(envelope::ok(&json!({
        "value": changes.iter().map(|(id, _)| json!({"id": id})).collect::<Vec<_>>(),
    })))
}

/// `GET …/records/{recordId}`.
async fn get_record(
    State(shared): State<Arc<Shared>>,
    Path((base, sheet, record)): Path<(String, String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Reply {
    operator(&shared, &q)?;
    let mut st = shared.products.lock();
    let s = sheet_mut(base_mut(&mut st.notable, &base)?, &sheet)?;
    let r = s
        .records
        .iter()
        .find(|r| r.id == record)
        .ok_or_else(|| not_found("recordId", &format!("record {record} not found")))?;
    Ok(envelope::ok(&record_json(r, None)))
}

/// `POST …/records/delete {recordIds*}`.
async fn delete_records(
    State(shared): State<Arc<Shared>>,
    Path((base, sheet)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> Reply {
    operator(&shared, &q)?;
    let map = new_body(&body)?;
    let ids = super::str_list(&map, "recordIds")?;
    if ids.is_empty() || ids.len() > MAX_RECORDS {
        return Err(invalid("recordIds", "a call takes 1 to 100 records"));
    }
    let mut st = shared.products.lock();
    let s = sheet_mut(base_mut(&mut st.notable, &base)?, &sheet)?;
    if let Some(id) = ids.iter().find(|id| !s.records.iter().any(|r| &r.id == *id)) {
        return Err(not_found("recordId", &format!("record {id} not found")));
    }
    s.records.retain(|r| !ids.contains(&r.id));
    Ok(envelope::ok(&json!({"success": true})))
}

/// The text forms of a cell, for filter comparisons.
fn cell_texts(cell: Option<&Value>) -> Vec<String> {
    match cell {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items.iter().flat_map(|v| cell_texts(Some(v))).collect(),
        Some(Value::Object(o)) => o
            .get("unionId")
            .or_else(|| o.get("name"))
            .map(|v| cell_texts(Some(v)))
            .unwrap_or_default(),
        Some(other) => vec![other.to_string()],
    }
}

fn matches(cell: Option<&Value>, operator: &str, values: &[String]) -> bool {
    let texts = cell_texts(cell);
    let num = |s: &str| s.parse::<f64>().ok();
    let cmp = |ord: fn(f64, f64) -> bool| {
        texts.iter().any(|t| {
            values
                .first()
                .and_then(|v| Some(ord(num(t)?, num(v)?)))
                .unwrap_or(false)
        })
    };
    match operator {
        "equal" => values.iter().any(|v| texts.contains(v)),
        "notEqual" => !values.iter().any(|v| texts.contains(v)),
        "contain" => values
            .iter()
            .any(|v| texts.iter().any(|t| t.contains(v.as_str()))),
        "notContain" => !values
            .iter()
            .any(|v| texts.iter().any(|t| t.contains(v.as_str()))),
        "empty" => texts.is_empty(),
        "notEmpty" => !texts.is_empty(),
        "greater" => cmp(|a, b| a > b),
        "greaterEqual" => cmp(|a, b| a >= b),
        "less" => cmp(|a, b| a < b),
        _ => cmp(|a, b| a <= b),
    }
}

/// `(field name, operator, values)` of a filter, checked against the sheet.
type Conditions = Vec<(String, String, Vec<String>)>;

fn parse_filter(sheet: &SheetRec, filter: Option<&Value>) -> Result<(bool, Conditions), Response> {
    let Some(filter) = filter.filter(|f| !f.is_null()) else {
        return Ok((true, Vec::new()));
    };
    let all = match filter.get("combination").and_then(Value::as_str) {
        None | Some("and") => true,
        Some("or") => false,
        Some(_) => return Err(invalid("filter.combination", "combination is and or or")),
    };
    let Some(Value::Array(raw)) = filter.get("conditions") else {
        return Err(super::missing("filter.conditions"));
    };
    let mut out = Vec::new();
    for c in raw {
        let field = c.get("field").and_then(Value::as_str).unwrap_or_default();
        let op = c.get("operator").and_then(Value::as_str).unwrap_or_default();
        if !OPERATORS.contains(&op) {
            return Err(invalid("filter.operator", &format!("unknown operator {op}")));
        }
        let values: Vec<String> = c
            .get("value")
            .and_then(Value::as_array)
            .map(|v| v.iter().flat_map(|x| cell_texts(Some(x))).collect())
            .unwrap_or_default();
        out.push((field_name(sheet, field)?, op.to_owned(), values));
    }
    Ok((all, out))
}

/// `POST …/records/list {maxResults 1..100, nextToken, fieldIdOrNames, filter}`.
async fn query_records(
    State(shared): State<Arc<Shared>>,
    Path((base, sheet)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> Reply {
    operator(&shared, &q)?;
    let map = new_body(&body)?;
    let size = match super::opt_int(&map, "maxResults")? {
        None => MAX_RECORDS,
        Some(n) => usize::try_from(n)
            .ok()
            .filter(|n| (1..=MAX_RECORDS).contains(n))
            .ok_or_else(|| invalid("maxResults", "maxResults is 1 to 100"))?,
    };
    let offset = super::token_offset(envelope::opt_str(&map, "nextToken"))?;
    let mut st = shared.products.lock();
    let s = sheet_mut(base_mut(&mut st.notable, &base)?, &sheet)?;
    let (all, conditions) = parse_filter(s, map.get("filter"))?;
    let wanted = super::str_list(&map, "fieldIdOrNames")?;
    if wanted.len() > MAX_RECORDS {
        return Err(invalid(
            "fieldIdOrNames",
            "fieldIdOrNames takes at most 100 fields",
        ));
    }
    let only = wanted
        .iter()
        .map(|f| field_name(s, f))
        .collect::<Result<Vec<_>, _>>()?;
    let hits: Vec<&RecordRec> = s
        .records
        .iter()
        .filter(|r| {
            let mut each = conditions
                .iter()
                .map(|(f, op, v)| matches(r.fields.get(f), op, v));
            if all {
                each.all(|b| b)
            } else {
                conditions.is_empty() || each.any(|b| b)
            }
        })
        .collect();
    let (items, next) = super::page(&hits, offset, size);
    let only = (!only.is_empty()).then_some(only.as_slice());
    Ok(envelope::ok(&json!({
        "records": items.iter().map(|r| record_json(r, only)).collect::<Vec<_>>(),
        "hasMore": next.is_some(), "nextToken": super::next_token(next),
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_operators() {
        let s = |v: &str| vec![v.to_owned()];
        assert!(matches(Some(&json!("Done")), "equal", &s("Done")));
        assert!(matches(Some(&json!("Done")), "notEqual", &s("Todo")));
        assert!(matches(Some(&json!(5)), "greater", &s("3")));
        assert!(!matches(Some(&json!(2)), "greaterEqual", &s("3")));
        assert!(matches(Some(&json!([{"unionId": "u1"}])), "equal", &s("u1")));
        assert!(matches(Some(&json!("Task 12")), "contain", &s("12")));
        assert!(matches(None, "empty", &[]));
        assert!(!matches(Some(&json!("x")), "empty", &[]));
    }
}
