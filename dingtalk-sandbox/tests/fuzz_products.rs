//! Property test: random JSON (and random bytes) thrown at every product twin (`src/products/`) never panics the
//! sandbox and always answers a DingTalk-shaped status (2xx, 400 or 404 on the new host; 200 on the legacy one).
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test setup panics on failure"
)]

mod common;

use common::env;
use proptest::prelude::*;
use serde_json::Value;

const U: &str = "unionSandbox001iiiiEiE";
const CAL: &str = "/v1.0/calendar/users/unionSandbox001iiiiEiE/calendars/primary/events";
const NT: &str = "/v1.0/notable/bases/baseSandboxProjects0001/sheets";

fn paths() -> Vec<(&'static str, String)> {
    vec![
        ("POST", "/topapi/v2/user/getbymobile".into()),
        ("POST", "/topapi/v2/user/list".into()),
        ("POST", "/topapi/v2/department/get".into()),
        ("POST", "/topapi/v2/department/listsub".into()),
        ("POST", "/topapi/v2/department/listsubid".into()),
        ("POST", "/v1.0/contact/users/search".into()),
        ("POST", "/v1.0/im/group/create".into()),
        ("POST", "/v1.0/im/groups/baseInfos/query".into()),
        ("POST", "/v1.0/im/group/update".into()),
        ("POST", "/v1.0/im/innerGroups/members/query".into()),
        ("POST", CAL.into()),
        ("PUT", format!("{CAL}/evtSandbox0001")),
        ("POST", format!("{CAL}/evtSandbox0001/attendees")),
        ("POST", format!("{CAL}/evtSandbox0001/attendees/batchRemove")),
        ("POST", format!("/v1.0/calendar/users/{U}/querySchedule")),
        ("POST", format!("/v1.0/todo/users/{U}/tasks?operatorId={U}")),
        (
            "PUT",
            format!("/v1.0/todo/users/{U}/tasks/taskSandbox0001?operatorId={U}"),
        ),
        (
            "PUT",
            format!("/v1.0/todo/users/{U}/tasks/taskSandbox0001/executorStatus?operatorId={U}"),
        ),
        ("POST", format!("/v1.0/todo/users/{U}/organizations/tasks/query")),
        ("POST", "/v1.0/workflow/processInstances".into()),
        ("POST", "/v1.0/workflow/processes/instanceIds/query".into()),
        ("POST", "/v1.0/workflow/processInstances/execute".into()),
        ("POST", "/v1.0/workflow/tasks/redirect".into()),
        ("POST", "/v1.0/workflow/processInstances/terminate".into()),
        ("POST", "/attendance/list".into()),
        ("POST", "/attendance/listRecord".into()),
        ("POST", "/topapi/attendance/shift/list".into()),
        ("POST", "/v1.0/robot/ding/send".into()),
        ("POST", "/v1.0/robot/ding/recall".into()),
        ("POST", "/topapi/report/template/listbyuserid".into()),
        ("POST", "/topapi/report/list".into()),
        ("POST", "/topapi/report/create".into()),
        ("POST", format!("{NT}?operatorId={U}")),
        ("POST", format!("{NT}/Tasks/fields?operatorId={U}")),
        ("POST", format!("{NT}/Tasks/records?operatorId={U}")),
        ("PUT", format!("{NT}/Tasks/records?operatorId={U}")),
        ("POST", format!("{NT}/Tasks/records/delete?operatorId={U}")),
        ("POST", format!("{NT}/Tasks/records/list?operatorId={U}")),
        ("POST", "/v1.0/robot/groupMessages/query".into()),
        ("POST", "/v1.0/contact/departments/search".into()),
        ("POST", "/v1.0/im/innerGroups/search".into()),
        ("POST", "/v1.0/robot/groups/orgRobots/add".into()),
        ("POST", format!("{CAL}/evtSandbox0001/meetingRooms")),
        ("POST", format!("{CAL}/evtSandbox0001/meetingRooms/batchRemove")),
        ("POST", "/topapi/report/statistics".into()),
        ("POST", "/topapi/report/template/getbyname".into()),
        ("POST", "/topapi/attendance/schedule/listbyusers".into()),
        ("POST", "/topapi/attendance/getusergroup".into()),
        ("PUT", format!("{NT}/Bugs?operatorId={U}")),
        ("PUT", format!("{NT}/Tasks/fields/Title?operatorId={U}")),
        ("POST", "/v1.0/doc/workspaces/wsSandboxTeam0001/docs".into()),
    ]
}

const STRINGS: &[&str] = &[
    "user001",
    U,
    "dingsandboxdemo",
    "cidSandboxAll0003+demo/Cc==",
    "chat0000000000000000000000000000e001",
    "PROC-SANDBOX-LEAVE",
    "procInstSandbox0003",
    "Leave type",
    "2026-03-02 00:00:00",
    "2026-03-25T10:00:00+08:00",
    "9999999999-99-99T99:99+99:99",
    "rec0001",
    "Status",
    "equal",
    "tplSandboxDaily001",
    "nt3",
];

const KEYS: &[&str] = &[
    "mobile",
    "dept_id",
    "cursor",
    "size",
    "offset",
    "limit",
    "queryWord",
    "name",
    "owner",
    "useridlist",
    "chatid",
    "openConversationId",
    "userId",
    "userIds",
    "maxResults",
    "nextToken",
    "summary",
    "start",
    "end",
    "dateTime",
    "attendees",
    "attendeesToAdd",
    "id",
    "subject",
    "executorIds",
    "executorStatusList",
    "roleTypes",
    "processCode",
    "originatorUserId",
    "formComponentValues",
    "value",
    "taskId",
    "processInstanceId",
    "actionerUserId",
    "result",
    "workDateFrom",
    "workDateTo",
    "userIdList",
    "robotCode",
    "receiverUserIdList",
    "remindType",
    "content",
    "start_time",
    "end_time",
    "create_report_param",
    "records",
    "fields",
    "recordIds",
    "filter",
    "conditions",
    "operator",
    "processQueryKey",
    "searchKey",
    "roomIds",
    "meetingRoomsToAdd",
    "report_id",
    "template_name",
    "userids",
    "from_date_time",
    "to_date_time",
    "docType",
    "property",
];

fn json_value() -> impl Strategy<Value = Value> {
    common::json_value(STRINGS, KEYS)
}

fn send(method: &str, path: &str, body: Vec<u8>) -> (u16, String) {
    let env = env();
    env.rt.block_on(async {
        let base = env.sandbox.base_url();
        let legacy = !path.starts_with("/v1.0/");
        let url = if legacy {
            let sep = if path.contains('?') { '&' } else { '?' };
            format!("{base}{path}{sep}access_token={}", env.token)
        } else {
            format!("{base}{path}")
        };
        let req = if method == "PUT" {
            env.http.put(url)
        } else {
            env.http.post(url)
        };
        let resp = req
            .header("x-acs-dingtalk-access-token", &env.token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("the sandbox answered (no panic, no dropped connection)");
        let status = resp.status().as_u16();
        if legacy {
            assert_eq!(status, 200, "legacy routes always answer HTTP 200: {path}");
        } else {
            assert!(
                matches!(status, 200 | 400 | 403 | 404),
                "{method} {path} answered {status}"
            );
        }
        (status, resp.text().await.unwrap_or_default())
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn product_twins_survive_random_json(index in 0usize..51, body in json_value()) {
        let paths = paths();
        let (method, path) = &paths[index % paths.len()];
        send(method, path, serde_json::to_vec(&body).unwrap());
    }

    #[test]
    fn product_twins_survive_random_bytes(index in 0usize..51, body in prop::collection::vec(any::<u8>(), 0..64)) {
        let paths = paths();
        let (method, path) = &paths[index % paths.len()];
        send(method, path, body);
    }
}

#[test]
fn every_listed_twin_is_routed() {
    for (method, path) in paths() {
        let (status, body) = send(method, &path, b"{}".to_vec());
        assert_ne!(status, 405, "{method} {path}");
        let body: Value = serde_json::from_str(&body).unwrap_or_default();
        let errcode = body.get("errcode").and_then(Value::as_i64);
        assert!(
            !matches!(errcode, Some(404 | 22 | 43002)),
            "{method} {path} is not routed: {body}"
        );
    }
    let h = env().rt.block_on(async {
        env()
            .http
            .get(format!("{}/_sandbox/health", env().sandbox.base_url()))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    });
    assert_eq!(h, 200);
}
