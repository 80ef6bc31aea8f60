//! The typed requests for what `dws` once reached only through its declarative executor, end to end against the
//! sandbox twins: meeting rooms (groups, rooms, booking on an event), pending approval tasks, report detail and
//! statistics, planned schedules.

mod common;

use common::sandbox::{alice, api_code, start};

use dingtalk_core::{CalendarEventId, UnionId, UserId};
use dingtalk_openapi::ErrorKind;
use futures_util::TryStreamExt;

#[tokio::test]
async fn meeting_rooms_are_listed_booked_and_released() {
    let (_sandbox, client) = start().await;
    let cal = client.calendar();
    let groups = cal.list_meeting_room_groups(alice()).await.unwrap();
    assert_eq!(groups.result.len(), 2);
    // One room per page: the stream follows the numeric nextToken through all four.
    let rooms: Vec<_> = cal
        .list_meeting_rooms(alice())
        .max_results(1)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rooms.len(), 4);
    let in_6f: Vec<_> = rooms
        .iter()
        .filter(|r| r.room_group.as_ref().and_then(|g| g.group_id) == Some(6))
        .map(|r| r.room_id.clone())
        .collect();
    assert_eq!(in_6f, ["roomSandbox0003", "roomSandbox0004"]);

    let event = CalendarEventId::new("evtSandbox0001");
    let added = cal
        .add_meeting_rooms(alice(), event.clone(), in_6f.clone())
        .await
        .unwrap();
    assert!(added.result);
    let booked: Vec<_> = cal
        .get_event(alice(), event.clone())
        .await
        .unwrap()
        .meeting_rooms
        .iter()
        .map(|r| r.room_id.clone())
        .collect();
    assert_eq!(booked, in_6f);
    cal.remove_meeting_rooms(alice(), event.clone(), vec!["roomSandbox0003".into()])
        .await
        .unwrap();
    let left = cal.get_event(alice(), event.clone()).await.unwrap().meeting_rooms;
    assert_eq!(left.len(), 1);

    let error = cal
        .add_meeting_rooms(alice(), event, vec!["roomNope".into()])
        .await
        .unwrap_err();
    assert_eq!(api_code(&error), "invalidParameter.roomId.notFound");
    let error = cal.list_meeting_rooms(UnionId::new("user001")).await.unwrap_err();
    assert_eq!(api_code(&error), "invalidParameter.unionId");
}

#[tokio::test]
async fn pending_tasks_and_report_statistics() {
    let (_sandbox, client) = start().await;
    let tasks: Vec<_> = client
        .workflow()
        .list_todo_tasks(UserId::new("user001"))
        .max_results(1)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert!(!tasks.is_empty());
    assert!(
        tasks
            .iter()
            .all(|t| t.task_id.is_some() && t.instance_id.is_some())
    );
    let error = client
        .workflow()
        .list_todo_tasks(UserId::new("ghost"))
        .await
        .unwrap_err();
    assert_eq!(api_code(&error), "invalidParameter.userId");

    let stats = client
        .report()
        .get_report_statistics("reportSandbox0001")
        .await
        .unwrap();
    assert!(stats.read_num >= 3, "{stats:?}");
    let error = client
        .report()
        .get_report_statistics("reportNope")
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Api);
}

#[tokio::test]
async fn report_detail_and_planned_schedules() {
    let (_sandbox, client) = start().await;
    let report = client
        .report()
        .get_report_detail("reportSandbox0001")
        .await
        .unwrap();
    assert_eq!(report.report_id.as_deref(), Some("reportSandbox0001"));
    assert!(!report.content.is_empty());
    let error = client.report().get_report_detail("reportNope").await.unwrap_err();
    assert_eq!(api_code(&error), "invalidParameter.reportId.notFound");

    // Mon 2026-03-02 00:00 to Sun 2026-03-08 23:59 China time: 5 workdays × 2 punches + 2 rest days per user.
    let from = 1_772_380_800_000;
    let to = from + 7 * 86_400_000 - 1;
    let users = vec![UserId::new("user001"), UserId::new("user002")];
    let plan = client
        .attendance()
        .list_schedules_by_users(UserId::new("user001"), users, from, to)
        .await
        .unwrap();
    assert_eq!(plan.len(), 2 * (5 * 2 + 2), "{plan:?}");
    assert_eq!(
        plan.iter().filter(|s| s.is_rest.as_deref() == Some("Y")).count(),
        4
    );
    let error = client
        .attendance()
        .list_schedules_by_users(UserId::new("user001"), vec![UserId::new("ghost")], from, to)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Api);
}
