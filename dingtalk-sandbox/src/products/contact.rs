//! Contact twins: `getbymobile`, department users (cursor), department get/listsub/listsubid (legacy) and user
//! and department search (new host, offset + size). `user/get` and `getbyunionid` live in `crate::contact`.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use serde_json::{Value, json};

use super::{Obj, Reply, int, legacy_body, legacy_ok, new_body};
use crate::envelope;
use crate::org::{Department, User};
use crate::state::Shared;

const MAX_LIST_SIZE: i64 = 100;
const MAX_SEARCH_SIZE: i64 = 20;

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/topapi/v2/user/getbymobile", post(get_by_mobile))
        .route("/topapi/v2/user/list", post(list_users))
        .route("/topapi/v2/department/get", post(department_get))
        .route("/topapi/v2/department/listsub", post(department_listsub))
        .route("/topapi/v2/department/listsubid", post(department_listsubid))
        .route("/v1.0/contact/users/search", post(search))
        .route("/v1.0/contact/departments/search", post(search_departments))
}

fn user_not_found() -> Response {
    envelope::legacy_error(60121, "找不到该用户")
}

fn dept_not_found() -> Response {
    envelope::legacy_error(60003, "部门不存在")
}

fn bad_legacy(message: &str) -> Response {
    envelope::legacy_error(40035, &format!("不合法的参数: {message}"))
}

/// The department named by `dept_id` (number or numeric string).
fn department<'a>(shared: &'a Shared, map: &Obj) -> Result<&'a Department, Response> {
    let Some(id) = map.get("dept_id") else {
        return Err(bad_legacy("缺少参数 dept_id"));
    };
    let id = int(Some(id)).ok_or_else(|| bad_legacy("dept_id 必须是数字"))?;
    shared
        .org
        .departments
        .iter()
        .find(|d| d.dept_id == id)
        .ok_or_else(dept_not_found)
}

fn user_json(user: &User) -> Value {
    json!({
        "userid": user.user_id, "unionid": user.union_id, "name": user.name, "mobile": user.mobile,
        "state_code": "86", "title": "Engineer", "job_number": user.user_id,
        "dept_id_list": [user.dept_id], "active": true, "admin": user.is_admin, "boss": false,
        "leader": false,
    })
}

fn department_json(dept: &Department, shared: &Shared) -> Value {
    let mut value = json!({"dept_id": dept.dept_id, "name": dept.name, "order": dept.dept_id});
    if dept.parent_id != 0 {
        value["parent_id"] = json!(dept.parent_id);
    }
    let managers: Vec<&str> = shared
        .org
        .users
        .iter()
        .filter(|u| u.dept_id == dept.dept_id)
        .take(1)
        .map(|u| u.user_id.as_str())
        .collect();
    value["dept_manager_userid_list"] = json!(managers);
    value
}

/// `POST /topapi/v2/user/getbymobile {mobile}`.
async fn get_by_mobile(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let map = legacy_body(&body);
    let Some(mobile) = envelope::opt_str(&map, "mobile").filter(|m| !m.is_empty()) else {
        return bad_legacy("缺少参数 mobile");
    };
    match shared.org.users.iter().find(|u| u.mobile == mobile) {
        Some(u) => legacy_ok(json!({"userid": u.user_id})),
        None => user_not_found(),
    }
}

/// `POST /topapi/v2/user/list {dept_id, cursor, size}`: the department's direct members.
async fn list_users(State(shared): State<Arc<Shared>>, body: Bytes) -> Reply {
    let map = legacy_body(&body);
    let dept = department(&shared, &map)?;
    let cursor = int(map.get("cursor")).unwrap_or(0);
    let size = int(map.get("size")).ok_or_else(|| bad_legacy("缺少参数 size"))?;
    if !(1..=MAX_LIST_SIZE).contains(&size) || cursor < 0 {
        return Err(bad_legacy("size 取值 1..100, cursor ≥ 0"));
    }
    let members: Vec<&User> = shared
        .org
        .users
        .iter()
        .filter(|u| u.dept_id == dept.dept_id)
        .collect();
    let (items, next) = super::page(
        &members,
        usize::try_from(cursor).unwrap_or(usize::MAX),
        usize::try_from(size).unwrap_or(1),
    );
    let mut result = json!({
        "has_more": next.is_some(),
        "list": items.iter().map(|u| user_json(u)).collect::<Vec<_>>(),
    });
    if let Some(next) = next {
        result["next_cursor"] = json!(next);
    }
    Ok(legacy_ok(result))
}

/// `POST /topapi/v2/department/get {dept_id}`.
async fn department_get(State(shared): State<Arc<Shared>>, body: Bytes) -> Reply {
    let dept = department(&shared, &legacy_body(&body))?;
    Ok(legacy_ok(department_json(dept, &shared)))
}

/// `POST /topapi/v2/department/listsub {dept_id}`: one level of children.
async fn department_listsub(State(shared): State<Arc<Shared>>, body: Bytes) -> Reply {
    let dept = department(&shared, &legacy_body(&body))?;
    let children: Vec<Value> = shared
        .org
        .departments
        .iter()
        .filter(|d| d.parent_id == dept.dept_id)
        .map(|d| json!({"dept_id": d.dept_id, "name": d.name, "parent_id": d.parent_id}))
        .collect();
    Ok(legacy_ok(json!(children)))
}

/// `POST /topapi/v2/department/listsubid {dept_id}`.
async fn department_listsubid(State(shared): State<Arc<Shared>>, body: Bytes) -> Reply {
    let dept = department(&shared, &legacy_body(&body))?;
    let ids: Vec<i64> = shared
        .org
        .departments
        .iter()
        .filter(|d| d.parent_id == dept.dept_id)
        .map(|d| d.dept_id)
        .collect();
    Ok(legacy_ok(json!({"dept_id_list": ids})))
}

/// `POST /v1.0/contact/users/search {queryWord*, offset*, size*, fullMatchField}`: case-insensitive substring of
/// the name (the whole name with `fullMatchField`).
async fn search(State(shared): State<Arc<Shared>>, body: Bytes) -> Reply {
    let map = new_body(&body)?;
    let (word, offset, size) = search_params(&map)?;
    // `fullMatchField` (values undocumented): any value asks for the whole name.
    let exact = super::opt_int(&map, "fullMatchField")?.is_some();
    let hits: Vec<&str> = shared
        .org
        .users
        .iter()
        .filter(|u| {
            let name = u.name.to_lowercase();
            if exact { name == word } else { name.contains(&word) }
        })
        .map(|u| u.user_id.as_str())
        .collect();
    Ok(search_page(&hits, offset, size))
}

/// `queryWord*` (lower-cased), `offset*` ≥ 0 and `size*` 1..20 of a contact search.
fn search_params(map: &Obj) -> Result<(String, i64, i64), Response> {
    let word = super::req_str(map, "queryWord")?.to_lowercase();
    let offset = super::opt_int(map, "offset")?.ok_or_else(|| super::missing("offset"))?;
    let size = super::opt_int(map, "size")?.ok_or_else(|| super::missing("size"))?;
    if offset < 0 {
        return Err(super::invalid("offset", "offset must be ≥ 0"));
    }
    if !(1..=MAX_SEARCH_SIZE).contains(&size) {
        return Err(super::invalid("size", "size is 1 to 20"));
    }
    Ok((word, offset, size))
}

/// One page of search hits: `{hasMore, totalCount, list}`.
fn search_page<T: Clone + serde::Serialize>(hits: &[T], offset: i64, size: i64) -> Response {
    let (items, next) = super::page(
        hits,
        usize::try_from(offset).unwrap_or(usize::MAX),
        usize::try_from(size).unwrap_or(1),
    );
    envelope::ok(&json!({
        "hasMore": next.is_some(), "totalCount": hits.len(), "list": items,
    }))
}

/// `POST /v1.0/contact/departments/search {queryWord*, offset*, size*}`: department ids (numbers) whose name
/// contains the word, case-insensitively.
async fn search_departments(State(shared): State<Arc<Shared>>, body: Bytes) -> Reply {
    let map = new_body(&body)?;
    let (word, offset, size) = search_params(&map)?;
    let hits: Vec<i64> = shared
        .org
        .departments
        .iter()
        .filter(|d| d.name.to_lowercase().contains(&word))
        .map(|d| d.dept_id)
        .collect();
    Ok(search_page(&hits, offset, size))
}
