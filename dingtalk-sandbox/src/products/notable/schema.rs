//! Sheet and field changes: `PUT|DELETE /v1.0/notable/bases/{baseId}/sheets/{sheetIdOrName}` and `PUT|DELETE
//! …/fields/{fieldIdOrName}`, all with `?operatorId=` (a unionId). A renamed field keeps its cells (cells are keyed
//! by field name, so they move with it); a deleted field takes its cells along; a field's type is immutable.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use serde_json::{Value, json};

use super::{base_mut, operator, sheet_mut};
use crate::envelope;
use crate::products::{Reply, invalid, new_body, not_found, req_str};
use crate::state::Shared;

/// `PUT …/sheets/{sheetIdOrName} {name*}` → `{id, name}`.
pub(super) async fn update_sheet(
    State(shared): State<Arc<Shared>>,
    Path((base, sheet)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> Reply {
    operator(&shared, &q)?;
    let map = new_body(&body)?;
    let name = req_str(&map, "name")?.to_owned();
    let mut st = shared.products.lock();
    let b = base_mut(&mut st.notable, &base)?;
    let id = sheet_mut(b, &sheet)?.id.clone();
    if b.sheets.iter().any(|s| s.name == name && s.id != id) {
        return Err(invalid("name", &format!("sheet {name} already exists")));
    }
    let s = sheet_mut(b, &id)?;
    s.name.clone_from(&name);
    Ok(envelope::ok(&json!({"id": id, "name": name})))
}

/// `DELETE …/sheets/{sheetIdOrName}` → `{success}`.
pub(super) async fn delete_sheet(
    State(shared): State<Arc<Shared>>,
    Path((base, sheet)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Reply {
    operator(&shared, &q)?;
    let mut st = shared.products.lock();
    let b = base_mut(&mut st.notable, &base)?;
    let id = sheet_mut(b, &sheet)?.id.clone();
    b.sheets.retain(|s| s.id != id);
    Ok(envelope::ok(&json!({"success": true})))
}

/// `PUT …/fields/{fieldIdOrName} {name, property}` → `{id}` (the SDK model's answer).
pub(super) async fn update_field(
    State(shared): State<Arc<Shared>>,
    Path((base, sheet, field)): Path<(String, String, String)>,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> Reply {
    operator(&shared, &q)?;
    let map = new_body(&body)?;
    let new_name = envelope::opt_str(&map, "name").filter(|n| !n.is_empty());
    let property = map.get("property").filter(|p| !p.is_null());
    if property.is_some_and(|p| !p.is_object()) {
        return Err(invalid("property", "property is an object"));
    }
    let mut st = shared.products.lock();
    let s = sheet_mut(base_mut(&mut st.notable, &base)?, &sheet)?;
    let idx = s
        .fields
        .iter()
        .position(|f| f.id == field || f.name == field)
        .ok_or_else(|| not_found("field", &format!("field {field} not found")))?;
    if let Some(kind) = envelope::opt_str(&map, "type").filter(|k| *k != s.fields[idx].kind) {
        return Err(invalid(
            "type",
            &format!("a field's type cannot change to {kind}"),
        ));
    }
    if let Some(name) = new_name {
        if s.fields
            .iter()
            .enumerate()
            .any(|(i, f)| i != idx && f.name == name)
        {
            return Err(invalid("name", &format!("field {name} already exists")));
        }
        let old = std::mem::replace(&mut s.fields[idx].name, name.to_owned());
        for r in &mut s.records {
            if let Some(cell) = r.fields.remove(&old) {
                r.fields.insert(name.to_owned(), cell);
            }
        }
    }
    if let Some(Value::Object(p)) = property {
        s.fields[idx].property = Value::Object(p.clone());
    }
    Ok(envelope::ok(&json!({"id": s.fields[idx].id})))
}

/// `DELETE …/fields/{fieldIdOrName}` → `{success}`.
pub(super) async fn delete_field(
    State(shared): State<Arc<Shared>>,
    Path((base, sheet, field)): Path<(String, String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Reply {
    operator(&shared, &q)?;
    let mut st = shared.products.lock();
    let s = sheet_mut(base_mut(&mut st.notable, &base)?, &sheet)?;
    let name = super::field_name(s, &field)?;
    s.fields.retain(|f| f.name != name);
    for r in &mut s.records {
        r.fields.remove(&name);
    }
    Ok(envelope::ok(&json!({"success": true})))
}
