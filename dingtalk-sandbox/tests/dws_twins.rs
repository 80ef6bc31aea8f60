//! The twins behind `dws` commands that have no typed client: each validates like DingTalk (codes asserted) and
//! serves the seeded demo org. One sandbox per test; requests over plain HTTP with an app token.
#![expect(clippy::unwrap_used, reason = "test setup panics on failure")]

mod common;

use dingtalk_sandbox::{Sandbox, SandboxHandle};
use serde_json::{Value, json};

const ALICE_UNION: &str = "unionSandbox001iiiiEiE";
const EVENTS: &str = "/v1.0/calendar/users/unionSandbox001iiiiEiE/calendars/primary/events";
const SHEETS: &str = "/v1.0/notable/bases/baseSandboxProjects0001/sheets";

struct Env {
    sandbox: SandboxHandle,
    http: reqwest::Client,
    token: String,
}

impl Env {
    async fn start() -> Self {
        let sandbox = Sandbox::start().await.unwrap();
        let http = reqwest::Client::new();
        let token = common::demo_app_token(&http, &sandbox.base_url()).await;
        Self { sandbox, http, token }
    }

    /// `method path` with an optional JSON body; the token goes where the host wants it.
    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let legacy = !path.starts_with("/v1.0/");
        let mut url = format!("{}{path}", self.sandbox.base_url());
        if legacy {
            let sep = if path.contains('?') { '&' } else { '?' };
            url = format!("{url}{sep}access_token={}", self.token);
        }
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self
            .http
            .request(method, url)
            .header("x-acs-dingtalk-access-token", &self.token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// A new-host call expected to fail with `status` and `code`.
    async fn fails(&self, method: &str, path: &str, body: Option<Value>, status: u16, code: &str) {
        let (got, body) = self.call(method, path, body).await;
        assert_eq!(
            (got, body["code"].as_str()),
            (status, Some(code)),
            "{method} {path}: {body}"
        );
    }

    /// A legacy call expected to fail with `errcode`.
    async fn legacy_fails(&self, path: &str, body: Value, errcode: i64) {
        let (got, body) = self.call("POST", path, Some(body)).await;
        assert_eq!(
            (got, body["errcode"].as_i64()),
            (200, Some(errcode)),
            "{path}: {body}"
        );
    }
}

#[tokio::test]
async fn contact_and_im_searches() {
    let env = Env::start().await;
    let (status, body) = env
        .call(
            "POST",
            "/v1.0/contact/departments/search",
            Some(json!({"queryWord": "eng", "offset": 0, "size": 10})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["list"], json!([100]));
    env.fails(
        "POST",
        "/v1.0/contact/departments/search",
        Some(json!({"queryWord": "eng", "offset": 0})),
        400,
        "MissingParameter.size",
    )
    .await;

    let (_, body) = env
        .call(
            "POST",
            "/v1.0/im/innerGroups/search",
            Some(json!({"searchKey": "ENG", "userId": "user001"})),
        )
        .await;
    assert_eq!(body["groupInfos"][0]["title"], "Engineering");
    env.fails(
        "POST",
        "/v1.0/im/innerGroups/search",
        Some(json!({"userId": "user001"})),
        400,
        "MissingParameter.searchKey",
    )
    .await;
    env.fails(
        "POST",
        "/v1.0/im/innerGroups/search",
        Some(json!({"searchKey": "eng", "userId": "ghost"})),
        400,
        "invalidParameter.userId",
    )
    .await;

    let add = |cid: &str, robot: &str| json!({"openConversationId": cid, "robotCode": robot});
    let (status, body) = env
        .call(
            "POST",
            "/v1.0/robot/groups/orgRobots/add",
            Some(add("cidSandboxOps0002+demo/Bb==", "dingsandboxdemo")),
        )
        .await;
    assert_eq!((status, &body["success"]), (200, &json!(true)));
    env.fails(
        "POST",
        "/v1.0/robot/groups/orgRobots/add",
        Some(add("cidSandboxOps0002+demo/Bb==", "dingother")),
        400,
        "invalidParameter.robotCode.auth",
    )
    .await;
    env.fails(
        "POST",
        "/v1.0/robot/groups/orgRobots/add",
        Some(add("cidNope", "dingsandboxdemo")),
        400,
        "invalid.openConversationId",
    )
    .await;
}

#[tokio::test]
async fn meeting_rooms_are_listed_and_booked() {
    let env = Env::start().await;
    let (_, body) = env
        .call(
            "GET",
            &format!("/v1.0/rooms/groupLists?unionId={ALICE_UNION}"),
            None,
        )
        .await;
    assert_eq!(body["result"].as_array().unwrap().len(), 2);
    env.fails(
        "GET",
        "/v1.0/rooms/groupLists?unionId=user001",
        None,
        400,
        "invalidParameter.unionId",
    )
    .await;
    let (_, body) = env
        .call(
            "GET",
            &format!("/v1.0/rooms/meetingRoomLists?unionId={ALICE_UNION}&maxResults=1&nextToken=2"),
            None,
        )
        .await;
    assert_eq!(body["result"][0]["roomName"], "Mars");
    assert_eq!(body["result"][0]["roomGroup"]["groupId"], 6);
    assert_eq!((&body["hasMore"], &body["nextToken"]), (&json!(true), &json!(3)));
    // DingTalk's room list has no group filter: a `groupId` query is ignored, like any unknown parameter.
    let (_, body) = env
        .call(
            "GET",
            &format!("/v1.0/rooms/meetingRoomLists?unionId={ALICE_UNION}&groupId=6"),
            None,
        )
        .await;
    assert_eq!(body["result"].as_array().unwrap().len(), 4);
    env.fails(
        "GET",
        &format!("/v1.0/rooms/meetingRoomLists?unionId={ALICE_UNION}&maxResults=101"),
        None,
        400,
        "invalidParameter.maxResults",
    )
    .await;
}

#[tokio::test]
async fn meeting_rooms_are_booked_only_in_dingtalks_shape() {
    let env = Env::start().await;
    // Only the documented body books; the event then shows its rooms.
    let rooms = format!("{EVENTS}/evtSandbox0001/meetingRooms");
    let (status, _) = env
        .call(
            "POST",
            &rooms,
            Some(json!({"meetingRoomsToAdd": [{"roomId": "roomSandbox0001"}]})),
        )
        .await;
    assert_eq!(status, 200);
    env.call(
        "POST",
        &rooms,
        Some(json!({"meetingRoomsToAdd": [{"roomId": "roomSandbox0003"}]})),
    )
    .await;
    // A plain `roomIds` array (what dws once sent) is not DingTalk's shape: rejected, nothing booked.
    env.fails(
        "POST",
        &rooms,
        Some(json!({"roomIds": ["roomSandbox0002"]})),
        400,
        "MissingParameter.meetingRoomsToAdd",
    )
    .await;
    env.fails(
        "POST",
        &format!("{rooms}/batchRemove"),
        Some(json!({"roomIds": ["roomSandbox0003"]})),
        400,
        "MissingParameter.meetingRoomsToRemove",
    )
    .await;
    env.fails(
        "POST",
        &rooms,
        Some(json!({"meetingRoomsToAdd": ["roomSandbox0002"]})),
        400,
        "invalidParameter.meetingRoomsToAdd",
    )
    .await;
    let (_, event) = env.call("GET", &format!("{EVENTS}/evtSandbox0001"), None).await;
    let booked: Vec<_> = event["meetingRooms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["roomId"].as_str().unwrap())
        .collect();
    assert_eq!(booked, ["roomSandbox0001", "roomSandbox0003"]);
    env.call(
        "POST",
        &format!("{rooms}/batchRemove"),
        Some(json!({"meetingRoomsToRemove": [{"roomId": "roomSandbox0001"}]})),
    )
    .await;
    let (_, event) = env.call("GET", &format!("{EVENTS}/evtSandbox0001"), None).await;
    assert_eq!(event["meetingRooms"].as_array().unwrap().len(), 1);
    env.fails(
        "POST",
        &rooms,
        Some(json!({"meetingRoomsToAdd": [{"roomId": "roomNope"}]})),
        404,
        "invalidParameter.roomId.notFound",
    )
    .await;
    env.fails(
        "POST",
        &rooms,
        Some(json!({})),
        400,
        "MissingParameter.meetingRoomsToAdd",
    )
    .await;
    env.fails(
        "POST",
        &format!("{EVENTS}/evtNope/meetingRooms"),
        Some(json!({"meetingRoomsToAdd": [{"roomId": "roomSandbox0001"}]})),
        404,
        "invalidParameter.eventId.notFound",
    )
    .await;
}

#[tokio::test]
async fn approval_lists() {
    let env = Env::start().await;
    let (_, body) = env
        .call(
            "GET",
            "/v1.0/workflow/processes/userVisibilities/templates?userId=user001&maxResults=1",
            None,
        )
        .await;
    assert_eq!(
        body["result"]["processList"][0]["processCode"],
        "PROC-SANDBOX-LEAVE"
    );
    assert_eq!(body["result"]["nextToken"], 1);
    env.fails(
        "GET",
        "/v1.0/workflow/processes/userVisibilities/templates?maxResults=0",
        None,
        400,
        "invalidParameter.maxResults",
    )
    .await;
    // user001 approves the three running seeded requests.
    let (_, body) = env
        .call(
            "GET",
            "/v1.0/workflow/workRecords/todoTasks?userId=user001&status=0&nextToken=0&maxResults=20",
            None,
        )
        .await;
    let pending = body["result"]["list"].as_array().unwrap();
    assert_eq!(pending.len(), 3);
    assert_eq!(pending[0]["instanceId"], "procInstSandbox0003");
    env.fails(
        "GET",
        "/v1.0/workflow/workRecords/todoTasks",
        None,
        400,
        "MissingParameter.userId",
    )
    .await;
    let (_, body) = env
        .call(
            "GET",
            "/v1.0/workflow/workRecords/todoTasks?userId=user001&status=1&nextToken=0&maxResults=20",
            None,
        )
        .await;
    assert_eq!(body["result"]["list"], json!([]));
    // DingTalk requires nextToken and maxResults: the twin no longer defaults them.
    for query in ["userId=user001&maxResults=20", "userId=user001&nextToken=0"] {
        let key = if query.contains("maxResults") {
            "nextToken"
        } else {
            "maxResults"
        };
        env.fails(
            "GET",
            &format!("/v1.0/workflow/workRecords/todoTasks?{query}"),
            None,
            400,
            &format!("MissingParameter.{key}"),
        )
        .await;
    }
}

#[tokio::test]
async fn report_reads() {
    let env = Env::start().await;
    let (_, body) = env
        .call("GET", "/v1.0/report/details?reportId=reportSandbox0002", None)
        .await;
    assert_eq!(
        (&body["creatorId"], &body["content"][0]["key"]),
        (&json!("user002"), &json!("今日完成"))
    );
    env.fails(
        "GET",
        "/v1.0/report/details?reportId=nope",
        None,
        404,
        "invalidParameter.reportId.notFound",
    )
    .await;
    let (_, body) = env
        .call(
            "POST",
            "/topapi/report/statistics",
            Some(json!({"report_id": "reportSandbox0001"})),
        )
        .await;
    assert_eq!(
        (body["errcode"].as_i64(), body["result"]["read_num"].as_i64()),
        (Some(0), Some(3))
    );
    env.legacy_fails("/topapi/report/statistics", json!({}), 40035)
        .await;
    let (_, body) = env
        .call(
            "POST",
            "/topapi/report/template/getbyname",
            Some(json!({"userid": "user001", "template_name": "周报"})),
        )
        .await;
    assert_eq!(body["result"]["fields"].as_array().unwrap().len(), 3);
    env.legacy_fails(
        "/topapi/report/template/getbyname",
        json!({"userid": "user001", "template_name": "月报"}),
        400_002,
    )
    .await;
    env.legacy_fails(
        "/topapi/report/template/getbyname",
        json!({"userid": "ghost", "template_name": "日报"}),
        60121,
    )
    .await;
    // March 2026: 25 daily reports; 20 per page, the next page starts at 20.
    let list = "/v1.0/report/users/sendAndReceiveLists?operationUserId=user001&startTime=1772323200000&endTime=1775001600000&maxResults=20";
    let (_, body) = env.call("GET", &format!("{list}&nextToken=0"), None).await;
    assert_eq!(
        (
            body["dataList"].as_array().unwrap().len(),
            &body["hasMore"],
            &body["nextToken"]
        ),
        (20, &json!(true), &json!(20))
    );
    let (_, body) = env.call("GET", &format!("{list}&nextToken=20"), None).await;
    assert_eq!(body["dataList"].as_array().unwrap().len(), 5);
    // DingTalk requires nextToken and maxResults and reads no `cursor`/`size` (what dws once sent).
    env.fails("GET", list, None, 400, "MissingParameter.nextToken")
        .await;
    env.fails(
        "GET",
        "/v1.0/report/users/sendAndReceiveLists?operationUserId=user001&startTime=1772323200000&endTime=1775001600000&cursor=0&size=20",
        None,
        400,
        "MissingParameter.nextToken",
    )
    .await;
    env.fails(
        "GET",
        "/v1.0/report/users/sendAndReceiveLists?operationUserId=user001&startTime=1772323200000&endTime=1775001600000&nextToken=0",
        None,
        400,
        "MissingParameter.maxResults",
    )
    .await;
    env.fails(
        "GET",
        "/v1.0/report/users/sendAndReceiveLists?operationUserId=user001&startTime=0&endTime=1775001600000&nextToken=0&maxResults=20",
        None,
        400,
        "invalidParameter.endTime",
    )
    .await;
}

#[tokio::test]
async fn attendance_schedules_and_groups() {
    let env = Env::start().await;
    // Mon 2026-03-02 .. Sun 2026-03-08 (China time): 5 workdays × 2 planned punches + 2 rest days.
    let (_, body) = env
        .call(
            "POST",
            "/topapi/attendance/schedule/listbyusers",
            Some(json!({
                "op_user_id": "user001", "userids": "user002",
                "from_date_time": 1_772_380_800_000_i64, "to_date_time": 1_772_899_200_000_i64,
            })),
        )
        .await;
    let plan = body["result"].as_array().unwrap();
    assert_eq!(plan.iter().filter(|p| p["is_rest"] == "N").count(), 10);
    assert_eq!(plan.iter().filter(|p| p["is_rest"] == "Y").count(), 2);
    env.legacy_fails(
        "/topapi/attendance/schedule/listbyusers",
        json!({"op_user_id": "user001", "userids": "user002", "from_date_time": 0, "to_date_time": 1_772_899_200_000_i64}),
        40035,
    )
    .await;
    // The list is one comma-separated `userids` string: an array under `userid_list` (or `userids`) is refused.
    for body in [
        json!({"op_user_id": "user001", "userid_list": ["user002"], "from_date_time": 1_772_380_800_000_i64, "to_date_time": 1_772_899_200_000_i64}),
        json!({"op_user_id": "user001", "userids": ["user002"], "from_date_time": 1_772_380_800_000_i64, "to_date_time": 1_772_899_200_000_i64}),
    ] {
        env.legacy_fails("/topapi/attendance/schedule/listbyusers", body, 40035)
            .await;
    }
    env.legacy_fails(
        "/topapi/attendance/schedule/listbyusers",
        json!({"op_user_id": "user001", "userids": "ghost", "from_date_time": 1_772_380_800_000_i64, "to_date_time": 1_772_899_200_000_i64}),
        40035,
    )
    .await;
    let (_, body) = env
        .call(
            "POST",
            "/topapi/attendance/getusergroup",
            Some(json!({"userid": "user003"})),
        )
        .await;
    assert_eq!(body["result"]["classes"][0]["class_id"], 1001);
    env.legacy_fails(
        "/topapi/attendance/getusergroup",
        json!({"userid": "ghost"}),
        60121,
    )
    .await;
}

#[tokio::test]
async fn sheets_and_fields_are_renamed_and_deleted() {
    let env = Env::start().await;
    let op = format!("?operatorId={ALICE_UNION}");
    env.fails(
        "PUT",
        &format!("{SHEETS}/Bugs{op}"),
        Some(json!({"name": "Tasks"})),
        400,
        "invalidParameter.name",
    )
    .await;
    env.fails(
        "PUT",
        &format!("{SHEETS}/Tasks/fields/Points{op}"),
        Some(json!({"type": "text"})),
        400,
        "invalidParameter.type",
    )
    .await;
    // A renamed field keeps its cells under the new name.
    let (status, field) = env
        .call(
            "PUT",
            &format!("{SHEETS}/Tasks/fields/Points{op}"),
            Some(json!({"name": "Effort"})),
        )
        .await;
    assert_eq!((status, &field["id"]), (200, &json!("fldPoints")));
    let (_, record) = env
        .call("GET", &format!("{SHEETS}/Tasks/records/rec0001{op}"), None)
        .await;
    assert_eq!(
        (&record["fields"]["Effort"], &record["fields"]["Points"]),
        (&json!(1), &Value::Null)
    );
    // A deleted field takes its cells along.
    env.call("DELETE", &format!("{SHEETS}/Tasks/fields/fldOwner{op}"), None)
        .await;
    let (_, record) = env
        .call("GET", &format!("{SHEETS}/Tasks/records/rec0001{op}"), None)
        .await;
    assert_eq!(record["fields"]["Owner"], Value::Null);
    let (_, sheet) = env
        .call(
            "PUT",
            &format!("{SHEETS}/Bugs{op}"),
            Some(json!({"name": "Defects"})),
        )
        .await;
    assert_eq!(sheet, json!({"id": "sheetBugs0002", "name": "Defects"}));
    let (status, _) = env.call("DELETE", &format!("{SHEETS}/Defects{op}"), None).await;
    assert_eq!(status, 200);
    env.fails(
        "GET",
        &format!("{SHEETS}/Defects{op}"),
        None,
        404,
        "invalidParameter.sheetIdOrName.notFound",
    )
    .await;
    env.fails(
        "DELETE",
        &format!("{SHEETS}/Tasks/fields/Nope{op}"),
        None,
        404,
        "invalidParameter.field.notFound",
    )
    .await;
    env.fails(
        "DELETE",
        &format!("{SHEETS}/Tasks"),
        None,
        400,
        "MissingParameter.operatorId",
    )
    .await;
}
