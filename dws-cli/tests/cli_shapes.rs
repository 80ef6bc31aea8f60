//! The request shapes of four commands that once sent what DingTalk does not read (issue 7 follow-up): each is
//! checked in a dry run (the exact wire shape) and against the sandbox, whose twins reject the old shapes the way
//! DingTalk does.
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

use std::process::Output;

use serde_json::{Value, json};

mod common;

use common::one_json;

fn dws(config: &std::path::Path, args: &[&str]) -> Output {
    common::dws_command(config).args(args).output().unwrap()
}

/// The last planned request of a dry run of `line`.
fn planned(dir: &std::path::Path, line: &str) -> Value {
    let mut args = vec!["--dry-run", "-f", "json"];
    args.extend(line.split(' '));
    let out = dws(dir, &args);
    common::assert_exit_for(&out, 0, line);
    let doc = one_json(&out.stdout);
    doc["response"]["requests"]
        .as_array()
        .unwrap()
        .last()
        .cloned()
        .unwrap()
}

fn run(dir: &std::path::Path, url: &str, line: &str) -> Value {
    let mut args = vec!["--sandbox", url, "-f", "json"];
    args.extend(line.split(' '));
    let out = dws(dir, &args);
    common::assert_exit_for(&out, 0, line);
    one_json(&out.stdout)
}

/// How many `.response.items` `doc` holds (it must be an array).
fn item_count(doc: &Value) -> usize {
    doc["response"]["items"].as_array().unwrap().len()
}

/// [`run`] of `line` again from the cursor `doc` ended on.
fn next_page(dir: &std::path::Path, url: &str, line: &str, doc: &Value) -> Value {
    let next = doc["meta"]["pagination"]["next_cursor"].as_str().unwrap();
    run(dir, url, &format!("{line} --cursor {next}"))
}

#[test]
fn the_four_commands_plan_dingtalks_shapes() {
    let dir = common::tempdir("dws-shapes");
    // contact dept search: `size` is required by DingTalk, so it is always sent.
    let step = planned(&dir, "contact dept search --keyword Eng");
    assert_eq!(step["body"], json!({"queryWord": "Eng", "size": 20, "offset": 0}));
    let step = planned(&dir, "contact dept search --keyword Eng --limit 5");
    assert_eq!(step["body"]["size"], 5);

    // calendar room add / delete: `[{roomId}]` under meetingRoomsToAdd / meetingRoomsToRemove.
    let step = planned(&dir, "calendar room add --event ev1 --rooms r1,r2");
    assert!(
        step["url"]
            .as_str()
            .unwrap()
            .ends_with("/events/ev1/meetingRooms"),
        "{step}"
    );
    assert_eq!(
        step["body"],
        json!({"meetingRoomsToAdd": [{"roomId": "r1"}, {"roomId": "r2"}]})
    );
    let step = planned(&dir, "calendar room delete --event ev1 --rooms r2 --yes");
    assert!(
        step["url"]
            .as_str()
            .unwrap()
            .ends_with("/meetingRooms/batchRemove"),
        "{step}"
    );
    assert_eq!(step["body"], json!({"meetingRoomsToRemove": [{"roomId": "r2"}]}));

    // report list: nextToken + maxResults (both required), never cursor/size.
    let step = planned(&dir, "report list --start 2026-03-01 --end 2026-03-07");
    let url = step["url"].as_str().unwrap();
    assert!(
        url.contains("nextToken=0") && url.contains("maxResults=20"),
        "{url}"
    );
    assert!(!url.contains("cursor=") && !url.contains("size="), "{url}");
    let step = planned(
        &dir,
        "report list --start 2026-03-01 --end 2026-03-31 --cursor 20 --size 5",
    );
    let url = step["url"].as_str().unwrap();
    assert!(
        url.contains("nextToken=20") && url.contains("maxResults=5"),
        "{url}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_bot_search_is_declared_without_a_public_api() {
    let sandbox = dingtalk_sandbox::Sandbox::start().await.unwrap();
    let url = sandbox.base_url();
    let dir = common::tempdir("dws-shapes");
    let sandboxed = ["--sandbox", url.as_str()];
    for extra in [&sandboxed[..], &["--dry-run"][..]] {
        let mut args = vec!["-f", "json"];
        args.extend_from_slice(extra);
        args.extend(["chat", "bot", "search", "--name", "demo"]);
        let out = dws(&dir, &args);
        common::assert_exit_for(&out, 6, format_args!("{extra:?}"));
        assert!(out.stdout.is_empty());
        let err = one_json(&out.stderr);
        assert_eq!(err["error"]["reason"], "no_public_api", "{err}");
        assert!(
            err["error"]["hint"].as_str().is_some_and(|h| !h.is_empty()),
            "{err}"
        );
    }
    // Nothing was asked of the (app list) API.
    assert!(!format!("{:?}", sandbox.requests(0)).contains("allInnerApps"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_four_commands_work_on_the_sandbox_twins() {
    let sandbox = dingtalk_sandbox::Sandbox::start().await.unwrap();
    let url = sandbox.base_url();
    let dir = common::tempdir("dws-shapes");

    // No --limit: the default size is sent and the twin (which requires it, as DingTalk does) answers.
    let doc = run(&dir, &url, "contact dept search --keyword Eng");
    assert_eq!(doc["response"]["items"], json!([100]), "{doc}");

    run(
        &dir,
        &url,
        "calendar room add --event evtSandbox0001 --rooms roomSandbox0001,roomSandbox0002",
    );
    let event = run(&dir, &url, "calendar event get --id evtSandbox0001");
    let booked = |event: &Value| -> Vec<String> {
        event["response"]["meetingRooms"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["roomId"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(booked(&event), ["roomSandbox0001", "roomSandbox0002"]);
    run(
        &dir,
        &url,
        "calendar room delete --event evtSandbox0001 --rooms roomSandbox0002 --yes",
    );
    let event = run(&dir, &url, "calendar event get --id evtSandbox0001");
    assert_eq!(booked(&event), ["roomSandbox0001"]);

    // March 2026 holds 25 seeded reports: 20 on the first page, the cursor leads to the other 5.
    let line = "report list --start 2026-03-01 --end 2026-03-31T23:59:59";
    let doc = run(&dir, &url, line);
    assert_eq!(item_count(&doc), 20, "{doc}");
    let doc = next_page(&dir, &url, line, &doc);
    assert_eq!(item_count(&doc), 5, "{doc}");
}

#[test]
fn shift_rooms_and_pending_plan_dingtalks_shapes() {
    let dir = common::tempdir("dws-shapes");
    // attendance shift list: `userids` is ONE comma-separated string, never a `userid_list` array.
    let step = planned(
        &dir,
        "attendance shift list --users user001,user002 --start 2026-03-02 --end 2026-03-06",
    );
    assert_eq!(step["body"]["userids"], "user001,user002", "{step}");
    assert!(step["body"].get("userid_list").is_none(), "{step}");
    assert!(step["body"]["op_user_id"].is_string(), "{step}");
    assert!(step["body"]["from_date_time"].is_i64(), "{step}");

    // calendar room search: no group filter on the wire (DingTalk has none).
    let step = planned(&dir, "calendar room search --group-id 5");
    let url = step["url"].as_str().unwrap();
    assert!(url.contains("/v1.0/rooms/meetingRoomLists"), "{url}");
    assert!(!url.contains("groupId"), "{url}");

    // oa approval list-pending: every required query value is sent.
    let step = planned(&dir, "oa approval list-pending");
    let url = step["url"].as_str().unwrap();
    for part in ["userId=", "status=0", "nextToken=0", "maxResults=20"] {
        assert!(url.contains(part), "{part} missing: {url}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shift_rooms_and_pending_work_on_the_sandbox_twins() {
    let sandbox = dingtalk_sandbox::Sandbox::start().await.unwrap();
    let url = sandbox.base_url();
    let dir = common::tempdir("dws-shapes");

    // Mon 2026-03-02 .. Fri 2026-03-06: two users × five workdays × two planned punches.
    let doc = run(
        &dir,
        &url,
        "attendance shift list --users user001,user002 --start 2026-03-02 --end 2026-03-06",
    );
    let items = doc["response"]["items"].as_array().unwrap();
    assert_eq!(items.iter().filter(|s| s["is_rest"] == "N").count(), 20, "{doc}");

    // Group 5 holds two of the four seeded rooms; the filter is applied on roomGroup.groupId.
    let all = run(&dir, &url, "calendar room search");
    assert_eq!(item_count(&all), 4, "{all}");
    let doc = run(&dir, &url, "calendar room search --group-id 5");
    let rooms = doc["response"]["items"].as_array().unwrap();
    assert_eq!(rooms.len(), 2, "{doc}");
    assert!(rooms.iter().all(|r| r["roomGroup"]["groupId"] == 5), "{doc}");
    let doc = run(&dir, &url, "calendar room search --group-id 999");
    assert_eq!(doc["response"]["items"], json!([]), "{doc}");

    // The twin requires nextToken and maxResults, as DingTalk does; dws sends them.
    let doc = run(&dir, &url, "oa approval list-pending --as-user user001");
    assert_eq!(item_count(&doc), 3, "{doc}");
    let line = "oa approval list-pending --as-user user001 --size 2";
    let doc = run(&dir, &url, line);
    assert_eq!(item_count(&doc), 2, "{doc}");
    let doc = next_page(&dir, &url, line, &doc);
    assert_eq!(item_count(&doc), 1, "{doc}");
}
