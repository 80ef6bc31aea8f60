//! Workbench twins: the org's internal apps and the apps a user can see.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;
use serde_json::{Value, json};

use super::Reply;
use crate::envelope;
use crate::org::DEMO_AGENT_ID;
use crate::state::Shared;

/// `(agentId, name, description, visible to departments; empty = everyone)`.
const APPS: [(i64, &str, &str, &[i64]); 3] = [
    (DEMO_AGENT_ID, "Sandbox Demo", "The demo app of the sandbox", &[]),
    (
        DEMO_AGENT_ID + 1,
        "Approvals helper",
        "Leave and expense shortcuts",
        &[],
    ),
    (
        DEMO_AGENT_ID + 2,
        "Ops dashboard",
        "On-call and incident board",
        &[200],
    ),
];

fn app_json(i: usize, (agent_id, name, desc, _): &(i64, &str, &str, &[i64])) -> Value {
    json!({
        "agentId": agent_id, "appId": 90_000 + i, "name": name, "desc": desc,
        "icon": format!("https://sandbox.invalid/icons/{agent_id}.png"),
        "homepageLink": format!("https://sandbox.invalid/apps/{agent_id}"),
        "pcHomepageLink": format!("https://sandbox.invalid/apps/{agent_id}?pc=1"),
        "ompLink": "", "appStatus": 1, "developType": 0,
    })
}

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/v1.0/microApp/allInnerApps", get(all_inner))
        .route("/v1.0/microApp/users/{user}/apps", get(user_apps))
}

/// `GET /v1.0/microApp/allInnerApps`.
async fn all_inner() -> Reply {
    let apps: Vec<Value> = APPS.iter().enumerate().map(|(i, a)| app_json(i, a)).collect();
    Ok(envelope::ok(&json!({"appList": apps})))
}

/// `GET /v1.0/microApp/users/{userId}/apps`: a userId (a unionId here is an error).
async fn user_apps(State(shared): State<Arc<Shared>>, Path(user): Path<String>) -> Reply {
    let Some(u) = shared.org.user(&user) else {
        if super::by_union(&shared, &user).is_some() {
            return Err(super::invalid("userId", "userId must be a userId, not a unionId"));
        }
        return Err(super::not_found("user", &format!("user {user} not found")));
    };
    let apps: Vec<Value> = APPS
        .iter()
        .enumerate()
        .filter(|(_, a)| a.3.is_empty() || a.3.contains(&u.dept_id))
        .map(|(i, a)| app_json(i, a))
        .collect();
    Ok(envelope::ok(&json!({"appList": apps})))
}
