//! Property test: random JSON (and random bytes) thrown at every product twin (`src/products/`) never panics the
//! sandbox and always answers a DingTalk-shaped status (2xx, 400 or 404 on the new host; 200 on the legacy one).
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test setup panics on failure"
)]

use std::sync::OnceLock;

use dingtalk_sandbox::{Sandbox, SandboxHandle};
use proptest::prelude::*;
use serde_json::{Value, json};

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
    ]
}

struct Env {
    rt: tokio::runtime::Runtime,
    sandbox: SandboxHandle,
    token: String,
    http: reqwest::Client,
}

fn env() -> &'static Env {
    static ENV: OnceLock<Env> = OnceLock::new();
    ENV.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let http = reqwest::Client::new();
        let (sandbox, token) = rt.block_on(async {
            let sandbox = Sandbox::start().await.unwrap();
            let body: Value = http
                .post(format!("{}/v1.0/oauth2/accessToken", sandbox.base_url()))
                .json(&json!({"appKey": "dingsandboxdemo", "appSecret": "sandbox-secret"}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            (sandbox, body["accessToken"].as_str().unwrap().to_owned())
        });
        Env {
            rt,
            sandbox,
            token,
            http,
        }
    })
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (-3_i64..40).prop_map(|n| json!(n)),
        "[a-zA-Z0-9_:.+ -]{0,12}".prop_map(Value::String),
        prop_oneof![
            Just("user001"),
            Just(U),
            Just("dingsandboxdemo"),
            Just("cidSandboxAll0003+demo/Cc=="),
            Just("chat0000000000000000000000000000e001"),
            Just("PROC-SANDBOX-LEAVE"),
            Just("procInstSandbox0003"),
            Just("Leave type"),
            Just("2026-03-02 00:00:00"),
            Just("2026-03-25T10:00:00+08:00"),
            Just("9999999999-99-99T99:99+99:99"),
            Just("rec0001"),
            Just("Status"),
            Just("equal"),
            Just("tplSandboxDaily001"),
            Just("nt3"),
        ]
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        let keys = prop_oneof![
            Just("mobile"),
            Just("dept_id"),
            Just("cursor"),
            Just("size"),
            Just("offset"),
            Just("limit"),
            Just("queryWord"),
            Just("name"),
            Just("owner"),
            Just("useridlist"),
            Just("chatid"),
            Just("openConversationId"),
            Just("userId"),
            Just("userIds"),
            Just("maxResults"),
            Just("nextToken"),
            Just("summary"),
            Just("start"),
            Just("end"),
            Just("dateTime"),
            Just("attendees"),
            Just("attendeesToAdd"),
            Just("id"),
            Just("subject"),
            Just("executorIds"),
            Just("executorStatusList"),
            Just("roleTypes"),
            Just("processCode"),
            Just("originatorUserId"),
            Just("formComponentValues"),
            Just("value"),
            Just("taskId"),
            Just("processInstanceId"),
            Just("actionerUserId"),
            Just("result"),
            Just("workDateFrom"),
            Just("workDateTo"),
            Just("userIdList"),
            Just("robotCode"),
            Just("receiverUserIdList"),
            Just("remindType"),
            Just("content"),
            Just("start_time"),
            Just("end_time"),
            Just("create_report_param"),
            Just("records"),
            Just("fields"),
            Just("recordIds"),
            Just("filter"),
            Just("conditions"),
            Just("operator"),
            Just("processQueryKey"),
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(keys.prop_map(str::to_owned), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
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
    fn product_twins_survive_random_json(index in 0usize..39, body in json_value()) {
        let paths = paths();
        let (method, path) = &paths[index % paths.len()];
        send(method, path, serde_json::to_vec(&body).unwrap());
    }

    #[test]
    fn product_twins_survive_random_bytes(index in 0usize..39, body in prop::collection::vec(any::<u8>(), 0..64)) {
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
