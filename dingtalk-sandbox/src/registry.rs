//! App scopes (every route declares the scope it needs) and the registries tests extend at start: removed
//! scopes, custom webhook robots and app-owned card templates.

use std::collections::{BTreeSet, HashMap};

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::json;

use crate::config::{Config, SandboxBuilder};
use crate::envelope::{self, Host};
use crate::state::Shared;

/// Every scope a route of the sandbox can require; an app holds all of them unless some are removed.
pub const ALL_SCOPES: [&str; 28] = [
    "Card.Instance.Write",
    "Card.Streaming.Write",
    "qyapi_robot_sendmsg",
    "Contact.User.Read",
    "qyapi_addresslist_search",
    "qyapi_get_member",
    "qyapi_get_member_by_mobile",
    "qyapi_get_department_list",
    "qyapi_chat_manage",
    "Calendar.Event.Read",
    "Calendar.Event.Write",
    "Todo.Todo.Read",
    "Todo.Todo.Write",
    "Workflow.Instance.Read",
    "Workflow.Instance.Write",
    "Workflow.Form.Read",
    "qyapi_get_attendance_data",
    "qyapi_attendance_group_read",
    "Premium.Ding.Write",
    "qyapi_report_query",
    "qyapi_report_manage",
    "qyapi_report_statistics",
    "Rooms.Room.Read",
    "Notable.Base.Read.All",
    "Notable.Base.Write.All",
    "qyapi_get_microapp_list",
    "Document.Workspace.Read",
    "Document.Workspace.Write",
];

/// The scope a route needs (by method and path), per the reference §5–§8; `None`: no scope check.
pub(crate) fn required_scope(method: &Method, path: &str) -> Option<&'static str> {
    let read = method == Method::GET;
    let rw = |r: &'static str, w: &'static str| if read { r } else { w };
    let scope = match path {
        "/v1.0/card/streaming" => "Card.Streaming.Write",
        p if p.starts_with("/v1.0/card/") => "Card.Instance.Write",
        p if p.starts_with("/v1.0/robot/ding/") => "Premium.Ding.Write",
        p if p.starts_with("/v1.0/robot/") => "qyapi_robot_sendmsg",
        "/v1.0/contact/users/me" => "Contact.User.Read",
        p if p.starts_with("/v1.0/contact/") => "qyapi_addresslist_search",
        "/topapi/v2/user/getbymobile" => "qyapi_get_member_by_mobile",
        p if p.starts_with("/topapi/v2/user/") || p.starts_with("/topapi/user/") => "qyapi_get_member",
        p if p.starts_with("/topapi/v2/department/") => "qyapi_get_department_list",
        // Sending as the signed-in user (route unverified): no public page names its permission, so it shares
        // the IM scope (unverified).
        "/v1.0/im/me/messages/send" => "qyapi_chat_manage",
        p if p.starts_with("/v1.0/im/") => "qyapi_chat_manage",
        p if p.starts_with("/v1.0/calendar/") => rw("Calendar.Event.Read", "Calendar.Event.Write"),
        p if p.starts_with("/v1.0/todo/") => {
            if read || p.ends_with("/query") {
                "Todo.Todo.Read"
            } else {
                "Todo.Todo.Write"
            }
        }
        p if p.starts_with("/v1.0/workflow/forms/") => "Workflow.Form.Read",
        p if p.starts_with("/v1.0/workflow/") => rw("Workflow.Instance.Read", "Workflow.Instance.Write"),
        p if p.starts_with("/topapi/attendance/") => "qyapi_attendance_group_read",
        p if p.starts_with("/attendance/") => "qyapi_get_attendance_data",
        "/topapi/report/create" => "qyapi_report_manage",
        "/topapi/report/statistics" => "qyapi_report_statistics",
        p if p.starts_with("/topapi/report/") || p.starts_with("/v1.0/report/") => "qyapi_report_query",
        // Meeting rooms and documents: DingTalk names the permissions (会议室 / 文档 read and write) but no
        // public page gives their codes; these codes are the sandbox's own (unverified).
        p if p.starts_with("/v1.0/rooms/") => "Rooms.Room.Read",
        p if p.starts_with("/v1.0/doc/") => rw("Document.Workspace.Read", "Document.Workspace.Write"),
        p if p.starts_with("/v1.0/notable/") => rw("Notable.Base.Read.All", "Notable.Base.Write.All"),
        p if p.starts_with("/v1.0/microApp/") => "qyapi_get_microapp_list",
        _ => return None,
    };
    Some(scope)
}

/// Registries configured on the builder.
#[derive(Debug, Clone)]
pub(crate) struct RegistryConfig {
    /// `(client_id, scope)` pairs removed at start.
    pub(crate) removed_scopes: Vec<(String, String)>,
    /// Custom webhook robots (the demo robot first).
    pub(crate) webhook_robots: Vec<crate::webhook::WebhookRobot>,
    /// Card templates added to the preloaded ones.
    pub(crate) card_templates: Vec<crate::cards::CardTemplate>,
}

impl Default for RegistryConfig {
    fn default() -> Self {
        Self {
            removed_scopes: Vec::new(),
            webhook_robots: vec![crate::webhook::WebhookRobot::demo()],
            card_templates: Vec::new(),
        }
    }
}

impl SandboxBuilder {
    /// Removes a scope from an app (default: every app holds every scope in [`ALL_SCOPES`]); its routes then
    /// answer 403 `Forbidden.AccessDenied.AccessTokenPermissionDenied` (legacy `88`/`60011`).
    pub fn without_scope(mut self, client_id: impl Into<String>, scope: impl Into<String>) -> Self {
        self.config
            .registry
            .removed_scopes
            .push((client_id.into(), scope.into()));
        self
    }
}

/// Run-time registry state kept in `Inner`.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    /// Scopes removed per app.
    pub(crate) removed_scopes: HashMap<String, BTreeSet<String>>,
    /// Webhook robots by token, with their send windows.
    pub(crate) webhooks: HashMap<String, crate::webhook::WebhookEntry>,
    /// Users marked as having read a robot message, by `processQueryKey`.
    pub(crate) read_marks: HashMap<String, BTreeSet<String>>,
}

impl Registry {
    pub(crate) fn new(cfg: &Config) -> Self {
        let mut removed_scopes: HashMap<String, BTreeSet<String>> = HashMap::new();
        for (app, scope) in &cfg.registry.removed_scopes {
            removed_scopes
                .entry(app.clone())
                .or_default()
                .insert(scope.clone());
        }
        let webhooks = cfg
            .registry
            .webhook_robots
            .iter()
            .map(|r| (r.token.clone(), crate::webhook::WebhookEntry::new(r.clone())))
            .collect();
        Self {
            removed_scopes,
            webhooks,
            read_marks: HashMap::new(),
        }
    }
}

/// The 403 (legacy: `88`/`60011`) for a missing scope, naming it.
pub(crate) fn permission_denied(path: &str, scope: Option<&str>) -> Response {
    let scopes: Vec<&str> = scope.into_iter().collect();
    let message = match scope {
        Some(s) => format!("应用尚未开通所需的权限：[{s}]"),
        None => "应用尚未开通所需的权限".to_owned(),
    };
    match Host::of(path) {
        Host::New => {
            let rid = envelope::request_id();
            envelope::json_response(
                StatusCode::FORBIDDEN,
                &json!({
                    "requestid": rid,
                    "code": "Forbidden.AccessDenied.AccessTokenPermissionDenied",
                    "message": message,
                    "accessdenieddetail": {"requiredScopes": scopes},
                }),
                &rid,
            )
        }
        Host::Legacy if path.starts_with("/topapi/") => envelope::topapi_error("60011", &message),
        Host::Legacy => envelope::legacy_error(60011, &message),
    }
}

/// The 403 answer when the app lacks the route's scope.
pub(crate) fn check_scope(shared: &Shared, client_id: &str, method: &Method, path: &str) -> Option<Response> {
    let scope = required_scope(method, path)?;
    let missing = shared
        .lock()
        .registry
        .removed_scopes
        .get(client_id)
        .is_some_and(|removed| removed.contains(scope));
    missing.then(|| permission_denied(path, Some(scope)))
}

/// The scopes an app holds.
pub(crate) fn granted(shared: &Shared, client_id: &str) -> Vec<String> {
    let inner = shared.lock();
    let removed = inner.registry.removed_scopes.get(client_id);
    ALL_SCOPES
        .iter()
        .filter(|s| removed.is_none_or(|r| !r.contains(**s)))
        .map(|s| (*s).to_owned())
        .collect()
}

/// Removes (`grant == false`) or grants scopes of an app.
pub(crate) fn set_scopes(shared: &Shared, client_id: &str, scopes: &[String], grant: bool) {
    let mut inner = shared.lock();
    let removed = inner
        .registry
        .removed_scopes
        .entry(client_id.to_owned())
        .or_default();
    for s in scopes {
        if grant {
            removed.remove(s);
        } else {
            removed.insert(s.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_required_scope_is_in_the_catalogue() {
        let paths = [
            (Method::POST, "/v1.0/card/instances"),
            (Method::PUT, "/v1.0/card/streaming"),
            (Method::POST, "/v1.0/robot/groupMessages/send"),
            (Method::POST, "/v1.0/robot/ding/send"),
            (Method::GET, "/v1.0/contact/users/me"),
            (Method::POST, "/topapi/v2/user/get"),
            (Method::POST, "/topapi/v2/user/getbymobile"),
            (Method::GET, "/v1.0/calendar/users/u/calendars/primary/events"),
            (Method::POST, "/v1.0/todo/users/u/tasks"),
            (Method::POST, "/v1.0/todo/users/u/organizations/tasks/query"),
            (Method::GET, "/v1.0/notable/bases/b/sheets"),
            (Method::POST, "/topapi/report/create"),
            (Method::POST, "/topapi/report/statistics"),
            (Method::GET, "/v1.0/report/users/sendAndReceiveLists"),
            (Method::GET, "/v1.0/rooms/meetingRoomLists"),
            (Method::GET, "/v1.0/doc/docs"),
            (Method::POST, "/v1.0/doc/workspaces/w/docs"),
            (
                Method::POST,
                "/v1.0/calendar/users/u/calendars/primary/events/e/meetingRooms",
            ),
            (Method::GET, "/v1.0/workflow/workRecords/todoTasks"),
            (Method::POST, "/topapi/attendance/schedule/listbyusers"),
            (Method::POST, "/v1.0/im/innerGroups/search"),
            (Method::POST, "/v1.0/im/me/messages/send"),
            (Method::POST, "/v1.0/contact/departments/search"),
            (Method::POST, "/v1.0/robot/groups/orgRobots/add"),
        ];
        for (m, p) in &paths {
            let s = required_scope(m, p).unwrap();
            assert!(ALL_SCOPES.contains(&s), "{p} → {s}");
        }
        assert_eq!(required_scope(&Method::POST, "/media/upload"), None);
        // Every route the dws twins added is scope-checked.
        assert_eq!(
            required_scope(&Method::POST, "/v1.0/doc/workspaces/w/docs"),
            Some("Document.Workspace.Write")
        );
        assert_eq!(
            required_scope(&Method::POST, "/topapi/report/statistics"),
            Some("qyapi_report_statistics")
        );
    }
}
