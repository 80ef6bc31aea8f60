//! Every typed endpoint end to end against its `dingtalk-sandbox` twin: the real transport, the real app-token
//! provider, the seeded demo org, the real error bodies, and list calls walked page by page with `into_stream()`.

#![expect(clippy::unwrap_used, reason = "tests: a failure should panic with context")]

mod common;

use common::sandbox::{api_code, start};

use std::sync::Arc;

use dingtalk_core::{
    AgentId, ApprovalTaskId, BaseId, BaseUrls, CalendarEventId, CardTemplateId, ChatId, DeptId, DownloadCode,
    MsgId, OpenConversationId, OutTrackId, ProcessCode, ProcessInstanceId, ProcessQueryKey, RetryPolicy,
    RobotCode, SecretString, TodoTaskId, Transport, UnionId, UserId,
};
use dingtalk_openapi::calendar::{Attendee, EventTime};
use dingtalk_openapi::cards::{CardParamMap, OpenSpaceId};
use dingtalk_openapi::ding::RemindType;
use dingtalk_openapi::media::{BeginChunkedUpload, CommitChunkedUpload, MediaType, UploadChunk};
use dingtalk_openapi::notable::{Condition, FieldSpec, Filter, RecordFields};
use dingtalk_openapi::report::ReportField;
use dingtalk_openapi::robot::{RobotMessage, WebhookMessage};
use dingtalk_openapi::workflow::{ApprovalDecision, FormValue};
use dingtalk_openapi::{Client, ErrorKind};
use dingtalk_sandbox::{DEMO_CLIENT_ID, Fault, FaultRule, SandboxHandle};
use futures_util::TryStreamExt;

/// How many requests the sandbox answered on `path`.
fn calls(sandbox: &SandboxHandle, path: &str) -> usize {
    sandbox.requests(0).iter().filter(|r| r.path == path).count()
}

fn user(n: usize) -> UserId {
    UserId::new(format!("user{n:03}"))
}

fn union(n: usize) -> UnionId {
    UnionId::new(format!("unionSandbox{n:03}iiiiEiE"))
}

// ---------------------------------------------------------------- contact

#[tokio::test]
async fn contact_users_and_departments() {
    let (sandbox, client) = start().await;
    let contact = client.contact();

    let alice = contact.get_user(user(1)).await.unwrap();
    assert_eq!(alice.name.as_deref(), Some("Alice"));
    assert_eq!(alice.unionid.unwrap(), union(1));
    assert_eq!(alice.admin, Some(true));

    let by_mobile = contact.get_user_by_mobile("13800000002").await.unwrap();
    assert_eq!(by_mobile.userid, user(2));
    let by_union = contact.get_user_by_union_id(union(3)).await.unwrap();
    assert_eq!(by_union.userid, user(3));

    let root = contact.get_department(DeptId::new("1")).await.unwrap();
    assert_eq!(root.name.as_deref(), Some("Sandbox Corp"));
    assert!(root.parent_id.is_none());
    let eng = contact.get_department(DeptId::new("100")).await.unwrap();
    assert_eq!(eng.parent_id, Some(DeptId::new("1")));

    let children: Vec<_> = contact
        .list_sub_departments(DeptId::new("1"))
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let names: Vec<_> = children.iter().filter_map(|d| d.name.as_deref()).collect();
    assert_eq!(names, ["Engineering", "Operations", "Sales"]);
    let ids: Vec<_> = contact
        .list_sub_department_ids(DeptId::new("1"))
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, [DeptId::new("100"), DeptId::new("200"), DeptId::new("300")]);

    // Engineering holds every third user: 8 users, 3 per page = 3 pages.
    let users: Vec<_> = contact
        .list_department_users(DeptId::new("100"))
        .size(3)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(users.len(), 8);
    assert_eq!(users[0].userid, user(1));
    assert_eq!(users[1].userid, user(4));
    assert_eq!(calls(&sandbox, "/topapi/v2/user/list"), 3);

    // "e" is in 13 of the 24 names (case-insensitive): 5 per page = 3 pages.
    let hits: Vec<_> = contact
        .search_users("E")
        .size(5)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let expected = sandbox
        .org()
        .users
        .iter()
        .filter(|u| u.name.to_lowercase().contains('e'))
        .count();
    assert_eq!(hits.len(), expected);
    assert!(hits.contains(&user(1)));
    assert!(calls(&sandbox, "/v1.0/contact/users/search") >= 3);
    let page = contact.search_users("zoe").await.unwrap();
    assert_eq!(page.list, [user(23)]);
    assert_eq!(page.has_more, Some(false));
    let exact = contact.search_users("ali").full_match_field(1).await.unwrap();
    assert!(exact.list.is_empty());
    let exact = contact.search_users("alice").full_match_field(1).await.unwrap();
    assert_eq!(exact.list, [user(1)]);
}

#[tokio::test]
async fn contact_errors_are_the_legacy_codes() {
    let (_sandbox, client) = start().await;
    let contact = client.contact();
    let err = contact.get_user(UserId::new("ghost")).await.unwrap_err();
    assert_eq!(api_code(&err), "60121");
    let err = contact.get_user_by_mobile("19999999999").await.unwrap_err();
    assert_eq!(api_code(&err), "60121");
    let err = contact.get_department(DeptId::new("999")).await.unwrap_err();
    assert_eq!(api_code(&err), "60003");
    let err = contact
        .list_department_users(DeptId::new("999"))
        .into_stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "60003");
    let err = contact
        .list_sub_departments(DeptId::new("999"))
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "60003");
    let err = contact
        .list_sub_department_ids(DeptId::new("999"))
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "60003");
}

#[tokio::test]
async fn current_user_needs_a_user_token() {
    let (sandbox, client) = start().await;
    let err = client.contact().get_current_user().await.unwrap_err();
    assert!(err.api_error().is_some(), "{err:?}");

    // A user token from the device flow.
    let user_client = common::sandbox::user001_client(&sandbox).await;
    let me = user_client.contact().get_current_user().await.unwrap();
    assert_eq!(me.union_id, Some(union(1)));
}

// ---------------------------------------------------------------- im

#[tokio::test]
async fn im_groups_create_read_update_and_members() {
    let (sandbox, client) = start().await;
    let im = client.im();
    let eng = OpenConversationId::new(sandbox.org().groups[0].open_conversation_id.clone());
    let info = im.get_group(eng.clone()).await.unwrap().result.unwrap();
    assert_eq!(info.title.as_deref(), Some("Engineering"));
    assert_eq!(info.member_count, Some(12));

    // All hands: 24 members, 10 per page = 3 pages.
    let all = OpenConversationId::new(sandbox.org().groups[2].open_conversation_id.clone());
    let members: Vec<_> = im
        .list_group_members(all, user(1))
        .max_results(10)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(members.len(), 24);
    assert_eq!(calls(&sandbox, "/v1.0/im/innerGroups/members/query"), 3);

    let created = im
        .create_group("Launch", user(1), vec![user(2), user(3)])
        .await
        .unwrap();
    let chatid = created.chatid.unwrap();
    let cid = created.open_conversation_id.unwrap();
    assert_eq!(
        im.get_group(cid.clone())
            .await
            .unwrap()
            .result
            .unwrap()
            .member_count,
        Some(3)
    );
    let updated = im.update_group(chatid.clone()).name("Launch v2").await.unwrap();
    assert_eq!(updated.success, Some(true));
    im.add_group_members(chatid.clone(), vec![user(4), user(5)])
        .await
        .unwrap();
    im.remove_group_members(chatid, vec![user(2)]).await.unwrap();
    let info = im.get_group(cid.clone()).await.unwrap().result.unwrap();
    assert_eq!(info.title.as_deref(), Some("Launch v2"));
    assert_eq!(info.member_count, Some(4));
    let members: Vec<_> = im
        .list_group_members(cid, user(1))
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(members, [user(1), user(3), user(4), user(5)]);
}

#[tokio::test]
async fn im_errors() {
    let (sandbox, client) = start().await;
    let im = client.im();
    let err = im
        .get_group(OpenConversationId::new("cidNope=="))
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "invalid.openConversationId");
    let err = im
        .create_group("x", user(1), vec![UserId::new("ghost")])
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "invalidParameter.useridlist");
    let err = im
        .update_group(ChatId::new("chatnope"))
        .name("x")
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "invalidParameter.chatid");
    // user024 is not in the Engineering group.
    let eng = OpenConversationId::new(sandbox.org().groups[0].open_conversation_id.clone());
    let err = im.list_group_members(eng, user(24)).await.unwrap_err();
    assert_eq!(api_code(&err), "invalidParameter.userId");
}

// ---------------------------------------------------------------- calendar

fn at(text: &str) -> EventTime {
    EventTime::at(text, "Asia/Shanghai")
}

#[tokio::test]
async fn calendar_events_round_trip() {
    let (sandbox, client) = start().await;
    let cal = client.calendar();

    // user002 sees the three seeded meetings organised by user001, one per page.
    let seeded: Vec<_> = cal
        .list_events(union(2))
        .max_results(1)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let titles: Vec<_> = seeded.iter().filter_map(|e| e.summary.as_deref()).collect();
    assert_eq!(titles, ["Sprint planning", "Architecture review", "Demo day"]);
    assert_eq!(
        calls(
            &sandbox,
            "/v1.0/calendar/users/unionSandbox002iiiiEiE/calendars/primary/events"
        ),
        3
    );

    let event = cal
        .create_event(
            union(4),
            "1:1",
            at("2026-04-01T10:00:00+08:00"),
            at("2026-04-01T10:30:00+08:00"),
        )
        .description("weekly")
        .location("Room 7")
        .attendees(vec![Attendee::new(union(5))])
        .await
        .unwrap();
    assert_eq!(event.summary.as_deref(), Some("1:1"));
    assert_eq!(event.attendees.len(), 2);
    let id = event.id.clone();

    let got = cal.get_event(union(5), id.clone()).await.unwrap();
    assert_eq!(got.location.unwrap().display_name.as_deref(), Some("Room 7"));

    let updated = cal
        .update_event(union(4), id.clone())
        .summary("1:1 (moved)")
        .time(at("2026-04-01T11:00:00+08:00"), at("2026-04-01T11:30:00+08:00"))
        .await
        .unwrap();
    assert_eq!(updated.summary.as_deref(), Some("1:1 (moved)"));
    assert_eq!(
        updated.start.unwrap().date_time.as_deref(),
        Some("2026-04-01T11:00:00+08:00")
    );

    cal.add_event_attendees(
        union(4),
        id.clone(),
        vec![Attendee::optional(union(6)), Attendee::new(union(7))],
    )
    .await
    .unwrap();
    let attendees: Vec<_> = cal
        .list_event_attendees(union(4), id.clone())
        .max_results(2)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(attendees.len(), 4);
    assert_eq!(attendees[2].is_optional, Some(true));
    assert_eq!(attendees[0].display_name.as_deref(), Some("Dave"));
    // `self` (ListAttendeesResponseBody): only the reader's own row is marked.
    let own: Vec<_> = attendees.iter().filter(|a| a.is_self == Some(true)).collect();
    assert_eq!(own.len(), 1);
    assert_eq!(own[0].id, union(4));
    cal.remove_event_attendees(union(4), id.clone(), vec![union(6)])
        .await
        .unwrap();
    // DingTalk pages attendees up to 500 (the twin capped at 100).
    let attendees: Vec<_> = cal
        .list_event_attendees(union(4), id.clone())
        .max_results(500)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(attendees.len(), 3);

    let busy = cal
        .query_schedule(
            union(4),
            vec![union(5), union(8)],
            "2026-04-01T00:00Z",
            "2026-04-02T00:00Z",
        )
        .await
        .unwrap();
    assert_eq!(busy.schedule_information.len(), 2);
    assert_eq!(busy.schedule_information[0].schedule_items.len(), 1);
    assert_eq!(
        busy.schedule_information[0].schedule_items[0].status.as_deref(),
        Some("BUSY")
    );
    assert!(busy.schedule_information[1].schedule_items.is_empty());

    cal.delete_event(union(4), id.clone()).await.unwrap();
    let err = cal.get_event(union(4), id).await.unwrap_err();
    assert_eq!(api_code(&err), "invalidParameter.eventId.notFound");
}

#[tokio::test]
async fn calendar_lists_by_time_window() {
    let (_sandbox, client) = start().await;
    let cal = client.calendar();
    let window: Vec<_> = cal
        .list_events(union(2))
        .time_min("2026-03-24T00:00Z")
        .time_max("2026-03-25T00:00Z")
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(window.len(), 1);
    assert_eq!(window[0].summary.as_deref(), Some("Architecture review"));
}

#[tokio::test]
async fn calendar_create_is_idempotent_by_client_token() {
    let (_sandbox, client) = start().await;
    let cal = client.calendar();
    // The idempotency header: a retried create answers the first event.
    let first = cal
        .create_event(
            union(4),
            "retro",
            at("2026-04-03T10:00:00+08:00"),
            at("2026-04-03T11:00:00+08:00"),
        )
        .client_token("retro-1")
        .await
        .unwrap();
    let again = cal
        .create_event(
            union(4),
            "retro",
            at("2026-04-03T10:00:00+08:00"),
            at("2026-04-03T11:00:00+08:00"),
        )
        .client_token("retro-1")
        .await
        .unwrap();
    assert_eq!(first.id, again.id);
    let events: Vec<_> = cal
        .list_events(union(4))
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
}

#[tokio::test]
async fn calendar_validates_like_dingtalk() {
    let (_sandbox, client) = start().await;
    let cal = client.calendar();
    // A userId where a unionId belongs.
    let err = cal.list_events(UnionId::new("user001")).await.unwrap_err();
    assert_eq!(api_code(&err), "invalidParameter.userId");
    let err = cal
        .create_event(
            union(1),
            "x",
            at("2026-04-01T10:00:00+08:00"),
            at("2026-04-01T09:00:00+08:00"),
        )
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "invalidParameter.end");
    let err = cal
        .create_event(
            union(1),
            "x",
            at("2026-04-01T10:00:00+08:00"),
            at("2026-04-01T11:00:00+08:00"),
        )
        .calendar_id("work")
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "invalidParameter.calendarId.notFound");
    let err = cal
        .get_event(union(9), CalendarEventId::new("evtSandbox0001"))
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "invalidParameter.eventId.notFound");
    let err = cal
        .add_event_attendees(
            union(1),
            CalendarEventId::new("evtSandbox0001"),
            vec![Attendee::new(union(99))],
        )
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "invalidParameter.user.notFound");
}

// ---------------------------------------------------------------- todo

#[tokio::test]
async fn todo_tasks_round_trip() {
    let (sandbox, client) = start().await;
    let todo = client.todo();
    let task = todo
        .create_todo(union(1), "Ship the sandbox twins")
        .description("all products")
        .due_time(1_775_000_000_000)
        .executor_ids(vec![union(1), union(2)])
        .participant_ids(vec![union(3)])
        .await
        .unwrap();
    assert_eq!(task.subject.as_deref(), Some("Ship the sandbox twins"));
    assert_eq!(task.creator_id, Some(union(1)));
    let id = task.id.clone();

    let got = todo.get_todo(union(2), id.clone()).await.unwrap();
    assert_eq!(got.executor_ids, [union(1), union(2)]);
    assert_eq!(got.done, Some(false));

    let updated = todo
        .update_todo(union(1), id.clone())
        .subject("Ship every twin")
        .await
        .unwrap();
    assert_eq!(updated.result, Some(true));
    assert_eq!(
        todo.get_todo(union(1), id.clone())
            .await
            .unwrap()
            .subject
            .as_deref(),
        Some("Ship every twin")
    );

    todo.update_todo_executor_status(union(1), id.clone(), vec![(union(1), true)])
        .await
        .unwrap();
    assert_eq!(
        todo.get_todo(union(1), id.clone()).await.unwrap().done,
        Some(false)
    );
    todo.update_todo_executor_status(union(1), id.clone(), vec![(union(2), true)])
        .await
        .unwrap();
    assert_eq!(
        todo.get_todo(union(1), id.clone()).await.unwrap().done,
        Some(true)
    );

    // user001: 3 seeded + 1 + 10 more = 14 tasks; the default page is 10.
    for i in 0..10 {
        todo.create_todo(union(1), format!("chore {i}")).await.unwrap();
    }
    let cards: Vec<_> = todo
        .list_todos(union(1))
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(cards.len(), 14);
    assert_eq!(
        calls(
            &sandbox,
            "/v1.0/todo/users/unionSandbox001iiiiEiE/organizations/tasks/query"
        ),
        2
    );
    let done: Vec<_> = todo
        .list_todos(union(1))
        .is_done(true)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(done.len(), 2);
    let participating: Vec<_> = todo
        .list_todos(union(3))
        .roles(vec!["participant".into()])
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(participating.len(), 4);

    let deleted = todo.delete_todo(union(1), id.clone()).await.unwrap();
    assert_eq!(deleted.result, Some(true));
    let err = todo.get_todo(union(1), id).await.unwrap_err();
    assert_eq!(api_code(&err), "invalidParameter.taskId.notFound");
}

#[tokio::test]
async fn todo_validates_like_dingtalk() {
    let (_sandbox, client) = start().await;
    let todo = client.todo();
    let err = todo.create_todo(UnionId::new("user001"), "x").await.unwrap_err();
    assert_eq!(api_code(&err), "invalidParameter.unionId");
    let err = todo
        .create_todo(union(1), "x")
        .executor_ids(vec![UnionId::new("unionNobody")])
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "invalidParameter.user.notFound");
    let err = todo
        .update_todo_executor_status(
            union(1),
            TodoTaskId::new("taskSandbox0001"),
            vec![(union(9), true)],
        )
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "invalidParameter.executorStatusList");
    let err = todo
        .update_todo(union(1), TodoTaskId::new("taskSandbox0001"))
        .operator_id(UnionId::new("user002"))
        .done(true)
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "invalidParameter.operatorId");
    // Client-side cap, before any I/O.
    let err = todo.create_todo(union(1), "x".repeat(1025)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
}

// ---------------------------------------------------------------- workflow

const LEAVE: &str = "PROC-SANDBOX-LEAVE";

fn leave_values() -> Vec<FormValue> {
    vec![
        FormValue::new("Leave type", "Annual"),
        FormValue::new("Start date", "2026-04-01"),
        FormValue::new("End date", "2026-04-02"),
    ]
}

#[tokio::test]
async fn workflow_instances_run_through_their_states() {
    let (sandbox, client) = start().await;
    let wf = client.workflow();
    let schema = wf
        .get_process_form_schema(ProcessCode::new(LEAVE))
        .await
        .unwrap()
        .result
        .unwrap();
    assert_eq!(schema.name.as_deref(), Some("Leave request"));
    let labels: Vec<_> = schema
        .schema_content
        .unwrap()
        .items
        .iter()
        .filter_map(|c| c.props.as_ref().and_then(|p| p.label.clone()))
        .collect();
    assert_eq!(labels, ["Leave type", "Start date", "End date", "Reason"]);

    let id = wf
        .create_process_instance(ProcessCode::new(LEAVE), user(5), leave_values())
        .dept_id(DeptId::new("200"))
        .cc_list(vec![user(6)])
        .await
        .unwrap()
        .instance_id;
    let inst = wf.get_process_instance(id.clone()).await.unwrap();
    assert_eq!(inst.success, Some(true));
    let inst = inst.result.unwrap();
    assert_eq!(inst.status.as_deref(), Some("RUNNING"));
    assert_eq!(inst.originator_user_id, Some(user(5)));
    let task = inst.tasks[0].clone();
    assert_eq!(task.user_id, Some(user(1)));

    // Redirect to user002, who approves.
    wf.redirect_process_task(task.task_id, user(1), user(2))
        .await
        .unwrap();
    let inst = wf.get_process_instance(id.clone()).await.unwrap().result.unwrap();
    assert_eq!(inst.tasks[0].result.as_deref(), Some("REDIRECTED"));
    let task = inst.tasks[1].clone();
    assert_eq!(task.user_id, Some(user(2)));
    let done = wf
        .execute_process_task(id.clone(), task.task_id, user(2), ApprovalDecision::Agree)
        .remark("ok")
        .await
        .unwrap();
    assert_eq!(done.result, Some(true));
    let inst = wf.get_process_instance(id.clone()).await.unwrap().result.unwrap();
    assert_eq!(inst.status.as_deref(), Some("COMPLETED"));
    assert_eq!(inst.result.as_deref(), Some("agree"));

    // A second one, revoked by its originator.
    let id2 = wf
        .create_process_instance(ProcessCode::new(LEAVE), user(5), leave_values())
        .await
        .unwrap()
        .instance_id;
    wf.terminate_process_instance(id2.clone(), user(5)).await.unwrap();
    let inst = wf.get_process_instance(id2).await.unwrap().result.unwrap();
    assert_eq!(inst.status.as_deref(), Some("TERMINATED"));

    // 5 seeded + 2 created, 2 per page = 4 pages.
    let ids: Vec<_> = wf
        .list_process_instance_ids(ProcessCode::new(LEAVE), 1_772_323_200_000)
        .max_results(2)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids.len(), 7);
    assert_eq!(ids[0], ProcessInstanceId::new("procInstSandbox0001"));
    assert!(ids.contains(&id));
    assert_eq!(calls(&sandbox, "/v1.0/workflow/processes/instanceIds/query"), 4);
    let mine: Vec<_> = wf
        .list_process_instance_ids(ProcessCode::new(LEAVE), 0)
        .user_ids(vec![user(5)])
        .statuses(vec!["COMPLETED".into()])
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(mine, [id]);
}

#[tokio::test]
async fn workflow_validates_like_dingtalk() {
    let (_sandbox, client) = start().await;
    let wf = client.workflow();
    let err = wf
        .get_process_form_schema(ProcessCode::new("PROC-NOPE"))
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "processCodeError");
    let err = wf
        .create_process_instance(ProcessCode::new("PROC-NOPE"), user(5), leave_values())
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "processCodeError");
    let err = wf
        .create_process_instance(
            ProcessCode::new(LEAVE),
            user(5),
            vec![FormValue::new("Holiday kind", "Annual")],
        )
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "formConverterError");
    let err = wf
        .create_process_instance(
            ProcessCode::new(LEAVE),
            user(5),
            vec![FormValue::new("Leave type", "Annual")],
        )
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "formConverterError");
    let err = wf
        .get_process_instance(ProcessInstanceId::new("nope"))
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "processInstanceInvalidParameter");
    // procInstSandbox0003 (running) waits on user001; user009 may not act on it.
    let inst = wf
        .get_process_instance(ProcessInstanceId::new("procInstSandbox0003"))
        .await
        .unwrap()
        .result
        .unwrap();
    let task = inst.tasks[0].task_id;
    let err = wf
        .execute_process_task(
            ProcessInstanceId::new("procInstSandbox0003"),
            task,
            user(9),
            ApprovalDecision::Refuse,
        )
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "invalidParameter.taskId");
    let err = wf
        .execute_process_task(
            ProcessInstanceId::new("procInstSandbox0003"),
            ApprovalTaskId(1),
            user(1),
            ApprovalDecision::Refuse,
        )
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "invalidParameter.taskId");
    // Finished instances cannot be acted on.
    let err = wf
        .terminate_process_instance(ProcessInstanceId::new("procInstSandbox0001"), user(3))
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "aflowProcessInstStatusException");
}

// ---------------------------------------------------------------- attendance

#[tokio::test]
async fn attendance_results_records_and_shifts() {
    let (sandbox, client) = start().await;
    let att = client.attendance();
    // Mon 2026-03-02 .. Fri 2026-03-06: 5 workdays × 2 punches × 3 users = 30 results, 7 per page.
    let users = vec![user(1), user(2), user(3)];
    let results: Vec<_> = att
        .list_attendance_results(users.clone(), "2026-03-02 00:00:00", "2026-03-08 23:59:59")
        .limit(7)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(results.len(), 30);
    assert_eq!(calls(&sandbox, "/attendance/list"), 5);
    assert!(
        results
            .iter()
            .all(|r| matches!(r.check_type.as_deref(), Some("OnDuty" | "OffDuty")))
    );
    assert!(results.iter().any(|r| r.time_result.as_deref() != Some("Normal")));

    let records: Vec<_> = att
        .list_attendance_records(vec![user(4)], "2026-03-02 00:00:00", "2026-03-03 23:59:59")
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(records.len(), 4);
    assert_eq!(records[0].user_id, Some(user(4)));

    let shifts: Vec<_> = att
        .list_shifts(user(1))
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(shifts.len(), 5);
    assert_eq!(shifts[0].name.as_deref(), Some("Standard 09:00-18:00"));
    assert_eq!(calls(&sandbox, "/topapi/attendance/shift/list"), 2);
}

#[tokio::test]
async fn attendance_errors() {
    let (_sandbox, client) = start().await;
    let err = client
        .attendance()
        .list_shifts(UserId::new("ghost"))
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "60121");
    // The span cap is also checked before any I/O.
    let err = client
        .attendance()
        .list_attendance_results(vec![user(1)], "2026-03-01 00:00:00", "2026-03-20 00:00:00")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
}

// ---------------------------------------------------------------- ding

#[tokio::test]
async fn ding_send_and_recall() {
    let (_sandbox, client) = start().await;
    let ding = client.ding();
    let sent = ding
        .send_ding(
            RobotCode::new(DEMO_CLIENT_ID),
            vec![user(1), UserId::new("ghost")],
            "prod is down",
            RemindType::App,
        )
        .await
        .unwrap();
    assert!(sent.is_partial());
    assert!(sent.failed_list.contains_key("ghost"));
    let recalled = ding
        .recall_ding(RobotCode::new(DEMO_CLIENT_ID), sent.open_ding_id.clone())
        .await
        .unwrap();
    assert_eq!(recalled.open_ding_id.as_deref(), Some(sent.open_ding_id.as_str()));
    let err = ding
        .recall_ding(RobotCode::new(DEMO_CLIENT_ID), "openDingNope")
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "invalidParameter.openDingId.notFound");
    let err = ding
        .send_ding(RobotCode::new("someoneElse"), vec![user(1)], "x", RemindType::Sms)
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "invalidParameter.robotCode.auth");
}

// ---------------------------------------------------------------- report

#[tokio::test]
async fn report_templates_list_and_create() {
    let (sandbox, client) = start().await;
    let report = client.report();
    let templates: Vec<_> = report
        .list_report_templates(Some(user(1)))
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(templates.len(), 3);
    assert_eq!(templates[0].name.as_deref(), Some("日报"));
    let daily = templates[0].report_code.clone().unwrap();

    // 25 seeded daily reports in March 2026, 20 per page = 2 pages.
    let march = (1_772_323_200_000, 1_775_001_600_000);
    let reports: Vec<_> = report
        .list_reports(march.0, march.1)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(reports.len(), 25);
    assert_eq!(reports[0].creator_name.as_deref(), Some("Alice"));
    assert_eq!(reports[0].contents[0].key.as_deref(), Some("今日完成"));
    assert_eq!(calls(&sandbox, "/topapi/report/list"), 2);
    let bobs: Vec<_> = report
        .list_reports(march.0, march.1)
        .userid(user(2))
        .template_name("日报")
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(bobs.len(), 5);

    let id = report
        .create_report(
            daily,
            user(3),
            vec![
                ReportField::text(0, "今日完成", "twins"),
                ReportField::text(1, "明日计划", "tests"),
            ],
        )
        .to_userids(vec![user(1)])
        .await
        .unwrap();
    assert!(!id.is_empty());
    // The sandbox's own (virtual) time of the create call.
    let now = i64::try_from(sandbox.requests(0).last().unwrap().time).unwrap();
    let mine: Vec<_> = report
        .list_reports(now - 86_400_000, now + 86_400_000)
        .userid(user(3))
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].report_id, id);
}

#[tokio::test]
async fn report_errors() {
    let (_sandbox, client) = start().await;
    let report = client.report();
    let err = report
        .create_report("tplNope", user(1), vec![ReportField::text(0, "x", "y")])
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "400002");
    let err = report
        .create_report(
            "tplSandboxDaily001",
            user(1),
            vec![ReportField::text(0, "Unknown", "y")],
        )
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "40035");
    let err = report.list_reports(0, 200 * 86_400_000).await.unwrap_err();
    assert_eq!(api_code(&err), "40035");
    let err = report
        .list_reports(1_772_323_200_000, 1_775_001_600_000)
        .template_name("月报")
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "400002");
}

// ---------------------------------------------------------------- notable

const BASE: &str = "baseSandboxProjects0001";

fn row(title: &str, status: &str, points: i64) -> RecordFields {
    let mut fields = RecordFields::new();
    fields.insert("Title", title).unwrap();
    fields.insert("Status", status).unwrap();
    fields.insert("Points", points).unwrap();
    fields
}

#[tokio::test]
async fn notable_sheets_fields_and_records() {
    let (sandbox, client) = start().await;
    let nt = client.notable();
    let base = || BaseId::new(BASE);
    let op = union(1);

    let sheets: Vec<_> = nt
        .list_sheets(base(), op.clone())
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        sheets
            .iter()
            .filter_map(|s| s.name.as_deref())
            .collect::<Vec<_>>(),
        ["Tasks", "Bugs"]
    );
    let tasks = nt.get_sheet(base(), "Tasks", op.clone()).await.unwrap();
    assert_eq!(tasks.id, "sheetTasks0001");
    let by_id = nt.get_sheet(base(), "sheetTasks0001", op.clone()).await.unwrap();
    assert_eq!(by_id.name.as_deref(), Some("Tasks"));

    // 30 seeded records, 12 per page = 3 pages.
    let all: Vec<_> = nt
        .query_records(base(), "Tasks", op.clone())
        .max_results(12)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 30);
    assert_eq!(
        calls(
            &sandbox,
            "/v1.0/notable/bases/baseSandboxProjects0001/sheets/Tasks/records/list"
        ),
        3
    );
    let done: Vec<_> = nt
        .query_records(base(), "Tasks", op.clone())
        .filter(Filter::all(vec![
            Condition::new("Status", "equal", vec!["Done".into()]),
            Condition::new("Points", "greater", vec!["3".into()]),
        ]))
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert!(!done.is_empty());
    assert!(done.iter().all(|r| r.fields.get_str("Status") == Some("Done")));
    assert!(done.iter().all(|r| r.fields.get::<i64>("Points").unwrap() > 3));
    let titles: Vec<_> = nt
        .query_records(base(), "sheetTasks0001", op.clone())
        .fields(vec!["fldTitle".into()])
        .max_results(2)
        .await
        .unwrap()
        .records;
    assert_eq!(titles.len(), 2);
    assert_eq!(titles[0].fields.names().collect::<Vec<_>>(), ["Title"]);

    let created = nt
        .create_records(
            base(),
            "Tasks",
            vec![row("New A", "Todo", 1), row("New B", "Doing", 8)],
            op.clone(),
        )
        .await
        .unwrap();
    assert_eq!(created.value.len(), 2);
    let a = created.value[0].id.clone();
    let got = nt
        .get_record(base(), "Tasks", a.clone(), op.clone())
        .await
        .unwrap();
    assert_eq!(got.fields.get_str("Title"), Some("New A"));
    nt.update_records(
        base(),
        "Tasks",
        vec![(a.clone(), row("New A", "Done", 2))],
        op.clone(),
    )
    .await
    .unwrap();
    let got = nt
        .get_record(base(), "Tasks", a.clone(), op.clone())
        .await
        .unwrap();
    assert_eq!(got.fields.get_str("Status"), Some("Done"));
    let deleted = nt
        .delete_records(base(), "Tasks", vec![a.clone()], op.clone())
        .await
        .unwrap();
    assert_eq!(deleted.success, Some(true));
    let err = nt.get_record(base(), "Tasks", a, op).await.unwrap_err();
    assert_eq!(api_code(&err), "invalidParameter.recordId.notFound");
}

#[tokio::test]
async fn notable_creates_sheets_and_fields() {
    let (_sandbox, client) = start().await;
    let nt = client.notable();
    let base = || BaseId::new(BASE);
    let op = union(1);
    let sheet = nt
        .create_sheet(base(), "Releases", op.clone())
        .fields(vec![FieldSpec::new("Version", "text")])
        .await
        .unwrap();
    assert_eq!(sheet.name.as_deref(), Some("Releases"));
    let field = nt
        .create_field(
            base(),
            "Releases",
            FieldSpec::new("Shipped", "checkbox"),
            op.clone(),
        )
        .await
        .unwrap();
    assert_eq!(field.kind.as_deref(), Some("checkbox"));
    let fields: Vec<_> = nt
        .list_fields(base(), sheet.id.clone(), op.clone())
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        fields
            .iter()
            .filter_map(|f| f.name.as_deref())
            .collect::<Vec<_>>(),
        ["Version", "Shipped"]
    );
}

#[tokio::test]
async fn notable_validates_like_dingtalk() {
    let (_sandbox, client) = start().await;
    let nt = client.notable();
    let base = || BaseId::new(BASE);
    let err = nt.list_sheets(base(), UnionId::new("user001")).await.unwrap_err();
    assert_eq!(api_code(&err), "invalidParameter.operatorId");
    let err = nt
        .list_sheets(BaseId::new("baseNope"), union(1))
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "invalidParameter.baseId.notFound");
    let err = nt.get_sheet(base(), "Nope", union(1)).await.unwrap_err();
    assert_eq!(api_code(&err), "invalidParameter.sheetIdOrName.notFound");
    let mut bad = RecordFields::new();
    bad.insert("Colour", "red").unwrap();
    let err = nt
        .create_records(base(), "Tasks", vec![bad], union(1))
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "invalidParameter.field.notFound");
    let err = nt
        .query_records(base(), "Tasks", union(1))
        .filter(Filter::any(vec![Condition::new(
            "Status",
            "like",
            vec!["D".into()],
        )]))
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "invalidParameter.filter.operator");
    let err = nt
        .create_field(base(), "Tasks", FieldSpec::new("Title", "text"), union(1))
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "invalidParameter.name");
}

// ---------------------------------------------------------------- workbench

#[tokio::test]
async fn workbench_apps() {
    let (_sandbox, client) = start().await;
    let wb = client.workbench();
    let apps: Vec<_> = wb.list_inner_apps().into_stream().try_collect().await.unwrap();
    assert_eq!(apps.len(), 3);
    assert_eq!(
        apps[0].agent_id.as_ref().map(|a| a.as_str().to_owned()),
        Some("3000000001".into())
    );
    // Ops dashboard is visible to Operations (user002) only.
    let ops: Vec<_> = wb
        .list_user_apps(user(2))
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ops.len(), 3);
    let eng: Vec<_> = wb
        .list_user_apps(user(1))
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(eng.len(), 2);
    let err = wb.list_user_apps(UserId::new("ghost")).await.unwrap_err();
    assert_eq!(api_code(&err), "invalidParameter.user.notFound");
}

// ---------------------------------------------------------------- robot

fn robot() -> RobotCode {
    RobotCode::new(DEMO_CLIENT_ID)
}

#[tokio::test]
async fn robot_sends_recalls_and_read_status() {
    let (sandbox, client) = start().await;
    let bot = client.robot();
    let all = OpenConversationId::new(sandbox.org().groups[2].open_conversation_id.clone());
    let sent = bot
        .send_group_message(robot(), all.clone(), RobotMessage::markdown("Deploy", "**done**"))
        .await
        .unwrap();
    let key = sent.process_query_key.unwrap();
    assert_eq!(sandbox.outbox(0)[0].title.as_deref(), Some("Deploy"));

    // 24 members, the first two thirds have read it: 16 readers, 5 per page = 4 pages.
    let readers: Vec<_> = bot
        .query_group_message_read_status(key.clone())
        .robot_code(robot())
        .max_results(5)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(readers.len(), 16);
    assert_eq!(readers[0], user(1));
    assert_eq!(calls(&sandbox, "/v1.0/robot/groupMessages/query"), 4);
    // DingTalk's page cap is 200 (the twin used to stop at 100).
    let page = bot
        .query_group_message_read_status(key.clone())
        .max_results(200)
        .await
        .unwrap();
    assert_eq!(page.read_user_ids.len(), 16);

    let recalled = bot
        .recall_group_message(robot(), all, vec![key.clone()])
        .await
        .unwrap();
    assert_eq!(recalled.success_result, std::slice::from_ref(&key));
    let status = bot.query_group_message_read_status(key).await.unwrap();
    assert_eq!(status.send_status.as_deref(), Some("RECALLED"));

    let oto = bot
        .batch_send_oto_message(
            robot(),
            vec![user(1), UserId::new("ghost")],
            RobotMessage::text("hi"),
        )
        .await
        .unwrap();
    assert_eq!(oto.invalid_staff_id_list, [UserId::new("ghost")]);
    let key = oto.process_query_key.unwrap();
    let recalled = bot.batch_recall_oto_message(robot(), vec![key]).await.unwrap();
    assert!(!recalled.is_partial());

    let private = bot
        .send_private_chat_message(
            robot(),
            OpenConversationId::new("cidSinglePrivate=="),
            "coolAppSandbox",
            RobotMessage::text("psst"),
        )
        .await
        .unwrap();
    assert!(private.process_query_key.is_some());

    let err = bot
        .query_group_message_read_status(ProcessQueryKey::new("pqkNope"))
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "invalidParameter.processQueryKey");
    let err = bot
        .send_group_message(
            robot(),
            OpenConversationId::new("cidNope=="),
            RobotMessage::text("x"),
        )
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "invalid.openConversationId");
}

#[tokio::test]
async fn robot_inbound_message_replies() {
    let (sandbox, client) = start().await;
    let bot = client.robot();
    let eng = sandbox.org().groups[0].open_conversation_id.clone();
    let injected = sandbox
        .inject_message(&dingtalk_sandbox::InjectMessage::group(
            eng.clone(),
            "user002",
            "hello bot",
        ))
        .unwrap();
    let msg = MsgId::new(injected.msg_id.clone());
    let cid = OpenConversationId::new(eng);
    let reply = bot
        .reply_emotion(robot(), msg.clone(), cid.clone(), "👍")
        .await
        .unwrap();
    assert_eq!(reply.success, Some(true));
    bot.recall_emotion(robot(), msg, cid.clone(), "👍").await.unwrap();
    let err = bot
        .reply_emotion(robot(), MsgId::new("msgNope"), cid, "👍")
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "invalidParameter.openMsgId");

    bot.send_by_session(&injected.session_webhook, WebhookMessage::text("hi back"))
        .unwrap()
        .await
        .unwrap();
    let last = sandbox.outbox(0).pop().unwrap();
    assert_eq!(last.text.as_deref(), Some("hi back"));
}

// ---------------------------------------------------------------- media

#[tokio::test]
async fn media_uploads_and_downloads() {
    let (_sandbox, client) = start().await;
    let media = client.media();
    let uploaded = media
        .upload_media(MediaType::File, "report.pdf", b"%PDF-1.4 sandbox".to_vec())
        .await
        .unwrap();
    assert!(uploaded.media_id.as_str().starts_with('@'));
    // A media id is also a valid download code on the sandbox.
    let bytes = client
        .robot()
        .download_message_file_bytes(robot(), DownloadCode::new(uploaded.media_id.as_str()), 1024)
        .await
        .unwrap();
    assert_eq!(bytes, b"%PDF-1.4 sandbox");
    let err = media
        .upload_media(MediaType::Image, "notes.txt", b"x".to_vec())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation, "checked before any I/O");
    let err = client
        .robot()
        .download_message_file(robot(), DownloadCode::new("dlcNope"))
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "invalidParameter.downloadCode");
}

#[tokio::test]
async fn media_chunked_upload_commits_a_media_id() {
    let (_sandbox, client) = start().await;
    let agent = AgentId::new("3000000001");
    let data: Vec<u8> = (0..21 * 1024 * 1024_usize)
        .map(|i| u8::try_from(i % 251).unwrap())
        .collect();
    let media_id = client
        .media()
        .upload_large_file(agent.clone(), MediaType::File, "big.zip", data.clone())
        .await
        .unwrap();
    let bytes = client
        .robot()
        .download_message_file_bytes(robot(), DownloadCode::new(media_id.as_str()), 64 * 1024 * 1024)
        .await
        .unwrap();
    assert_eq!(bytes.len(), data.len());
    assert!(bytes == data);

    // Committing before every chunk arrived, and a foreign agent id, are refused.
    let opened = client
        .execute(&BeginChunkedUpload::new(agent.clone(), 10, 2))
        .await
        .unwrap();
    client
        .execute(&UploadChunk::new(
            agent.clone(),
            opened.upload_id.clone(),
            1,
            vec![0; 5],
        ))
        .await
        .unwrap();
    let err = client
        .execute(&CommitChunkedUpload::new(agent, 10, 2, opened.upload_id))
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "40035");
    let err = client
        .execute(&BeginChunkedUpload::new(AgentId::new("42"), 10, 2))
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "40035");
}

// ---------------------------------------------------------------- cards

const TEMPLATE: &str = "382e4302-551d-4880-bf29-a30acfab2e71.schema";

#[tokio::test]
async fn cards_create_deliver_update_and_stream() {
    let (sandbox, client) = start().await;
    let cards = client.cards();
    let eng = OpenConversationId::new(sandbox.org().groups[0].open_conversation_id.clone());
    let data = || {
        CardParamMap::new()
            .with("msgTitle", "Build")
            .with("msgContent", "")
    };

    let delivered = cards
        .create_and_deliver_card(
            CardTemplateId::new(TEMPLATE),
            OutTrackId::new("card-e2e-1"),
            data(),
            OpenSpaceId::im_group(&eng),
        )
        .robot_code(robot())
        .await
        .unwrap();
    assert!(delivered.into_delivered().is_ok());

    let created = cards
        .create_card(
            CardTemplateId::new(TEMPLATE),
            OutTrackId::new("card-e2e-2"),
            data(),
        )
        .for_spaces(&OpenSpaceId::im_robot(&user(1)))
        .await
        .unwrap();
    assert_eq!(created.success, Some(true));
    let delivered = cards
        .deliver_card(OutTrackId::new("card-e2e-2"), OpenSpaceId::im_robot(&user(1)))
        .robot_code(robot())
        .await
        .unwrap();
    assert!(delivered.into_delivered().is_ok());
    let updated = cards
        .update_card(
            OutTrackId::new("card-e2e-2"),
            CardParamMap::new().with("msgTitle", "Build #2"),
        )
        .await
        .unwrap();
    assert_eq!(updated.success, Some(true));
    cards
        .update_card_streaming(OutTrackId::new("card-e2e-2"), "g1", "msgContent", "step 1")
        .await
        .unwrap();
    let view = sandbox.card("card-e2e-2").unwrap();
    assert_eq!(
        view.variables.get("msgTitle").map(String::as_str),
        Some("Build #2")
    );
    assert_eq!(
        view.variables.get("msgContent").map(String::as_str),
        Some("step 1")
    );

    let err = cards
        .update_card(
            OutTrackId::new("card-nope"),
            CardParamMap::new().with("msgTitle", "x"),
        )
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "cardNotExist");
}

// ---------------------------------------------------------------- shared guard

#[tokio::test]
async fn twins_sit_behind_the_token_check_and_the_fault_layer() {
    let (sandbox, client) = start().await;
    sandbox.set_fault(FaultRule::new("/v1.0/calendar/*", Fault::PermissionDenied).times(1));
    let err = client.calendar().list_events(union(1)).await.unwrap_err();
    assert_eq!(
        err.api_error().unwrap().code().as_str(),
        "Forbidden.AccessDenied.AccessTokenPermissionDenied"
    );
    sandbox.set_fault(FaultRule::new("/topapi/report/*", Fault::PermissionDenied).times(1));
    let err = client.report().list_reports(0, 1000).await.unwrap_err();
    assert_eq!(err.api_error().unwrap().code().as_str(), "60011");
    // A token from nowhere is refused on both hosts.
    let transport = Transport::builder()
        .base_urls(BaseUrls::single(&sandbox.base_url()).unwrap())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let stranger = Client::new(
        transport,
        Arc::new(dingtalk_core::StaticToken::new(SecretString::from("not-a-token"))),
    );
    let err = stranger.todo().list_todos(union(1)).await.unwrap_err();
    assert_eq!(err.api_error().unwrap().code().as_str(), "InvalidAuthentication");
    let err = stranger.attendance().list_shifts(user(1)).await.unwrap_err();
    assert_eq!(err.api_error().unwrap().code().as_str(), "40014");
}

#[tokio::test]
async fn custom_webhook_robot_signs_and_sends() {
    let (sandbox, client) = start().await;
    let bot = client.robot();
    bot.send_custom_webhook(
        SecretString::from(dingtalk_sandbox::DEMO_WEBHOOK_TOKEN),
        Some(SecretString::from(dingtalk_sandbox::DEMO_WEBHOOK_SECRET)),
        WebhookMessage::markdown("Alert", "disk **full**"),
    )
    .await
    .unwrap();
    assert_eq!(sandbox.outbox(0).pop().unwrap().title.as_deref(), Some("Alert"));
    let err = bot
        .send_custom_webhook(SecretString::from("nope"), None, WebhookMessage::text("x"))
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), "300005");
}
