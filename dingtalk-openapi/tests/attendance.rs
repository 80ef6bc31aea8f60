//! Endpoint tests for attendance, DING and report.

mod common;

use std::time::Duration;

use common::{TOKEN, client, client_with, fixture};
use dingtalk_core::{ErrorKind, RobotCode, UserId};
use dingtalk_openapi::ding::RemindType;
use dingtalk_openapi::report::ReportField;
use dingtalk_test_support::strict_server;
use futures_util::TryStreamExt;
use serde_json::json;
use wiremock::matchers::{body_json, body_partial_json, header, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

const FROM: &str = "2026-03-23 00:00:00";
const TO: &str = "2026-03-27 00:00:00";

#[tokio::test]
async fn attendance_results_walk_offsets() {
    let server = strict_server().await;
    for (offset, page) in [(0, "page1"), (1, "page2")] {
        Mock::given(method("POST"))
            .and(path("/attendance/list"))
            .and(query_param("access_token", TOKEN))
            .and(body_json(json!({
                "workDateFrom": FROM, "workDateTo": TO, "userIdList": ["manager432"], "offset": offset, "limit": 50,
            })))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(fixture(&format!("attendance/list_attendance_results.{page}.json"))),
            )
            .expect(1)
            .mount(&server)
            .await;
    }
    let client = client(&server);
    let results: Vec<_> = client
        .attendance()
        .list_attendance_results(vec![UserId::new("manager432")], FROM, TO)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[1].time_result.as_deref(), Some("Early"));
}

#[tokio::test]
async fn attendance_window_is_checked_and_permission_errors_are_forbidden() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/attendance/list"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(fixture("attendance/list_attendance_results.no_permission.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let error = client
        .attendance()
        .list_attendance_results(
            vec![UserId::new("u1")],
            "2026-03-01 00:00:00",
            "2026-03-20 00:00:00",
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Validation);
    let error = client
        .attendance()
        .list_attendance_results(vec![UserId::new("u1")], FROM, TO)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Forbidden);
    assert_eq!(error.api_error().unwrap().code().as_str(), "60011");
}

#[tokio::test]
async fn attendance_records_and_shifts() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/attendance/listRecord"))
        .and(query_param("access_token", TOKEN))
        .and(body_json(
            json!({"userIds": ["manager432"], "checkDateFrom": FROM, "checkDateTo": TO}),
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("attendance/list_attendance_records.ok.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/topapi/attendance/shift/list"))
        .and(query_param("access_token", TOKEN))
        .and(body_json(json!({"op_user_id": "manager432"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("attendance/list_shifts.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let records: Vec<_> = client
        .attendance()
        .list_attendance_records(vec![UserId::new("manager432")], FROM, TO)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(records[0].user_address.as_deref(), Some("HQ"));
    let shifts: Vec<_> = client
        .attendance()
        .list_shifts(UserId::new("manager432"))
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(shifts[0].id, 101);
}

#[tokio::test]
async fn ding_send_surfaces_failed_receivers_and_recall() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/robot/ding/send"))
        .and(header("x-acs-dingtalk-access-token", TOKEN))
        .and(body_json(json!({
            "robotCode": "dingbot", "receiverUserIdList": ["manager432", "ghost01"], "content": "Prod is down", "remindType": 1,
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("ding/send_ding.partial.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1.0/robot/ding/recall"))
        .and(body_json(json!({"robotCode": "dingbot", "openDingId": "ding-1"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("ding/recall_ding.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let sent = client
        .ding()
        .send_ding(
            RobotCode::new("dingbot"),
            vec![UserId::new("manager432"), UserId::new("ghost01")],
            "Prod is down",
            RemindType::App,
        )
        .await
        .unwrap();
    assert!(sent.is_partial());
    assert_eq!(
        sent.clone()
            .into_complete()
            .unwrap_err()
            .api_error()
            .unwrap()
            .code()
            .as_str(),
        "ding.partialDelivery"
    );
    client
        .ding()
        .recall_ding(RobotCode::new("dingbot"), sent.open_ding_id)
        .await
        .unwrap();
}

#[tokio::test]
async fn ding_send_is_not_retried_and_permission_is_forbidden() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/robot/ding/send"))
        .and(body_partial_json(json!({"content": "slow"})))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(2)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1.0/robot/ding/send"))
        .and(body_partial_json(json!({"content": "paid"})))
        .respond_with(ResponseTemplate::new(403).set_body_json(fixture("ding/send_ding.not_paid.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client_with(&server, Duration::from_millis(100));
    let error = client
        .ding()
        .send_ding(
            RobotCode::new("dingbot"),
            vec![UserId::new("u1")],
            "slow",
            RemindType::Sms,
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout);
    let error = client
        .ding()
        .send_ding(
            RobotCode::new("dingbot"),
            vec![UserId::new("u1")],
            "paid",
            RemindType::Call,
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Forbidden);
}

#[tokio::test]
async fn report_templates_list_and_create() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/topapi/report/template/listbyuserid"))
        .and(query_param("access_token", TOKEN))
        .and(body_json(
            json!({"userid": "manager432", "offset": 0, "size": 100}),
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("report/list_report_templates.ok.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    for (cursor, page) in [(0, "page1"), (20, "page2")] {
        Mock::given(method("POST"))
            .and(path("/topapi/report/list"))
            .and(body_json(json!({"start_time": 1_774_000_000_000_i64, "end_time": 1_774_600_000_000_i64, "cursor": cursor, "size": 20})))
            .respond_with(ResponseTemplate::new(200).set_body_json(fixture(&format!("report/list_reports.{page}.json"))))
            .expect(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("POST"))
        .and(path("/topapi/report/create"))
        .and(body_partial_json(json!({"create_report_param": {
            "template_id": "tpl-1", "userid": "manager432",
            "contents": [{"sort": 0, "type": 1, "content_type": "markdown", "key": "Done", "content": "Shipped"}],
        }})))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("report/create_report.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let templates: Vec<_> = client
        .report()
        .list_report_templates(Some(UserId::new("manager432")))
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(templates[0].report_code.as_deref(), Some("tpl-1"));
    let reports: Vec<_> = client
        .report()
        .list_reports(1_774_000_000_000, 1_774_600_000_000)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        reports.iter().map(|r| r.report_id.as_str()).collect::<Vec<_>>(),
        ["r1", "r2"]
    );
    let id = client
        .report()
        .create_report(
            "tpl-1",
            UserId::new("manager432"),
            vec![ReportField::text(0, "Done", "Shipped")],
        )
        .await
        .unwrap();
    assert_eq!(id, "17f3c2a1b0e");
}

#[tokio::test]
async fn report_statistics_read_the_legacy_result() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/topapi/report/statistics"))
        .and(query_param("access_token", TOKEN))
        .and(body_json(json!({"report_id": "rep1"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "errcode": 0, "errmsg": "ok",
            "result": {"read_num": 3, "like_num": 1, "comment_num": 2, "comment_user_num": 1},
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/topapi/report/statistics"))
        .and(body_json(json!({"report_id": "nope"})))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"errcode": 400_002, "errmsg": "report_id nope 不存在"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let stats = client.report().get_report_statistics("rep1").await.unwrap();
    assert_eq!(
        (
            stats.read_num,
            stats.like_num,
            stats.comment_num,
            stats.comment_user_num
        ),
        (3, 1, 2, 1)
    );
    let error = client.report().get_report_statistics("nope").await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Api);
    let error = client.report().get_report_statistics(" ").await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Validation);
}

#[tokio::test]
async fn schedules_send_userids_as_one_comma_string() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/topapi/attendance/schedule/listbyusers"))
        .and(query_param("access_token", TOKEN))
        .and(body_json(json!({
            "op_user_id": "admin", "userids": "u1,u2",
            "from_date_time": 1_772_380_800_000_i64, "to_date_time": 1_772_812_800_000_i64,
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "errcode": 0, "errmsg": "ok",
            "result": [
                {"userid": "u1", "work_date": "2026-03-02 00:00:00", "is_rest": "N", "check_type": "OnDuty",
                 "plan_check_time": 1_772_413_200_000_i64, "shift_id": 1, "group_id": 1},
                {"userid": "u2", "work_date": 1_772_380_800_000_i64, "is_rest": "Y"},
            ],
        })))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let users = vec![UserId::new("u1"), UserId::new("u2")];
    let plan = client
        .attendance()
        .list_schedules_by_users(UserId::new("admin"), users, 1_772_380_800_000, 1_772_812_800_000)
        .await
        .unwrap();
    assert_eq!(plan.len(), 2);
    assert_eq!(
        plan[0].work_date,
        Some(dingtalk_openapi::attendance::ScheduleTime::Text(
            "2026-03-02 00:00:00".into()
        ))
    );
    assert_eq!(
        plan[0].plan_check_time,
        Some(dingtalk_openapi::attendance::ScheduleTime::Millis(
            1_772_413_200_000
        ))
    );
    assert_eq!(plan[1].is_rest.as_deref(), Some("Y"));
    // More than 7 days, no user, 51 users: refused before any request.
    let eight_days = 8 * 86_400_000;
    for (users, span) in [
        (vec![UserId::new("u1")], eight_days),
        (vec![], 1),
        ((0..51).map(|i| UserId::new(format!("u{i}"))).collect(), 1),
    ] {
        let error = client
            .attendance()
            .list_schedules_by_users(UserId::new("admin"), users, 0, span)
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Validation);
    }
}

#[tokio::test]
async fn report_detail_reads_the_new_host_model() {
    let server = strict_server().await;
    Mock::given(method("GET"))
        .and(path("/v1.0/report/details"))
        .and(header("x-acs-dingtalk-access-token", TOKEN))
        .and(query_param("reportId", "rep1"))
        .and(query_param("format", "TEXT"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "reportId": "rep1", "templateName": "日报", "creatorId": "u1", "creatorName": "Alice",
            "deptName": "Eng", "createTime": 1_772_413_200_000_i64, "remark": "",
            "content": [{"key": "今日完成", "sort": "0", "type": "1", "value": "a", "images": []}],
        })))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let report = client
        .report()
        .get_report_detail("rep1")
        .format("TEXT".to_owned())
        .await
        .unwrap();
    assert_eq!(report.template_name.as_deref(), Some("日报"));
    assert_eq!(report.content[0].key.as_deref(), Some("今日完成"));
    assert_eq!(report.content[0].kind.as_deref(), Some("1"));
}
