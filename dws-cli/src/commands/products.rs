//! Product commands: each leaf of [`crate::spec::COMMANDS`] built on `dingtalk-openapi` request types.

use dingtalk_core::{
    BaseId, CalendarEventId, ChatId, DeptId, OpenConversationId, Paginated, ProcessCode, ProcessInstanceId,
    ProcessQueryKey, RobotCode, SecretString, TodoTaskId, UnionId, UserId,
};
use dingtalk_openapi::{
    attendance, calendar, contact, ding, im, notable, report, robot, todo, workbench, workflow,
};
use serde_json::{Value, json};

use crate::commands::{Ctx, Params, confirm, list_outcome, object_outcome, raw, written_outcome};
use crate::exit::{CliError, Exit};
use crate::output::Outcome;
use crate::spec::CommandSpec;

/// Most pages `calendar room search` reads (100 rooms each).
const MAX_ROOM_PAGES: usize = 50;

fn bad(flag: &str, message: impl Into<String>) -> CliError {
    CliError::validation("invalid_argument", message).param(flag)
}

fn limit(p: &Params, max: i64) -> Option<u32> {
    p.int("limit")
        .map(|n| u32::try_from(n.clamp(1, max)).unwrap_or(1))
}

fn priority(name: &str) -> i32 {
    // Numeric scale is unverified; community code uses 20 for normal.
    match name {
        "low" => 10,
        "high" => 30,
        "urgent" => 40,
        _ => 20,
    }
}

fn event_time(p: &Params, flag: &str) -> Result<Option<calendar::EventTime>, CliError> {
    let Some(v) = p.str(flag) else { return Ok(None) };
    if p.flag("all-day") {
        return Ok(Some(calendar::EventTime::all_day(v.get(..10).unwrap_or(v))));
    }
    if v.len() < 10 {
        return Err(bad(
            flag,
            format!("--{flag}: expected ISO 8601 like 2026-03-29T14:00:00+08:00"),
        ));
    }
    Ok(Some(calendar::EventTime::at(
        v,
        p.str("tz").unwrap_or("Asia/Shanghai"),
    )))
}

fn with_cursor<E: Paginated>(ep: E, p: &Params) -> E {
    match p.str("cursor") {
        Some(c) => ep.with_cursor(Some(&dingtalk_core::Cursor::Token(c.to_owned()))),
        None => ep,
    }
}

/// Runs one product leaf; with `--page-all`, runs it once per page and merges `response.items`.
pub(crate) async fn run(spec: &CommandSpec, p: &Params, ctx: &mut Ctx<'_>) -> Result<Outcome, CliError> {
    if !p.flag("page-all") || ctx.settings.dry_run || !spec.available {
        return run_once(spec, p, ctx).await;
    }
    let limit = p.int("page-limit").unwrap_or(10);
    let limit = if limit <= 0 { 500 } else { limit.min(500) };
    let mut params = Params {
        values: p.values.clone(),
    };
    let mut items = Vec::new();
    let mut pages = 0;
    let mut progress = crate::progress::Progress::new(ctx.settings);
    loop {
        progress.update(&format!(
            "{}: page {} ({} items so far)",
            spec.path,
            pages + 1,
            items.len()
        ));
        let mut page = run_once(spec, &params, ctx).await?;
        pages += 1;
        if let Some(Value::Array(a)) = page.response.get_mut("items") {
            items.append(a);
        }
        match page.next_cursor.take() {
            Some(next) if pages < limit => {
                params.values.insert("cursor".to_owned(), json!(next));
            }
            rest => {
                let mut out = object_outcome(json!({ "items": items }), ctx);
                out.next_cursor = rest;
                out.pages = u32::try_from(pages).unwrap_or(u32::MAX);
                return Ok(out);
            }
        }
    }
}

#[expect(
    clippy::too_many_lines,
    reason = "one match arm per leaf command, read top to bottom"
)]
async fn run_once(spec: &CommandSpec, p: &Params, ctx: &mut Ctx<'_>) -> Result<Outcome, CliError> {
    if !spec.available {
        return Err(CliError::new(
            Exit::Endpoint,
            "no_public_api",
            format!("`{}` has no public DingTalk OpenAPI", spec.path),
        )
        .hint("see `dws schema` for the commands that are available"));
    }
    if spec.confirm {
        let target = spec
            .params
            .iter()
            .filter(|q| q.required)
            .filter_map(|q| p.str(q.name))
            .collect::<Vec<_>>();
        confirm(ctx.settings, &format!("{} {}", spec.summary, target.join(" ")))?;
    }
    match spec.id {
        "contact.search_user_by_key_word" => {
            let mut ep = contact::SearchUsers::new(p.req("keyword")?);
            if let Some(n) = limit(p, 100) {
                ep = ep.size(n);
            }
            let offset: u64 = match p.str("cursor") {
                Some(c) => c
                    .parse()
                    .map_err(|_| bad("cursor", "--cursor: expected an offset number"))?,
                None => 0,
            };
            ep = ep.offset(offset);
            let body = ctx.call(ep).await?;
            let mut out = list_outcome(&body, ctx);
            let len = out.response["items"].as_array().map_or(0, Vec::len);
            out.next_cursor =
                dingtalk_core::Cursor::offset(offset, len, body["hasMore"].as_bool()).map(|c| c.to_text());
            Ok(out)
        }
        "contact.search_user_by_mobile" => {
            let found = ctx.call(contact::GetUserByMobile::new(p.req("mobile")?)).await?;
            let user_id = found
                .get("userid")
                .and_then(Value::as_str)
                .unwrap_or("<step1.userid>")
                .to_owned();
            let user = ctx.call(contact::GetUser::new(UserId::new(user_id))).await?;
            Ok(object_outcome(user, ctx))
        }
        "contact.get_user_info_by_user_ids" => {
            let mut users = Vec::new();
            for id in p.list("ids") {
                users.push(ctx.call(contact::GetUser::new(UserId::new(id))).await?);
            }
            Ok(object_outcome(json!({ "items": users }), ctx))
        }
        "contact.get_current_user_profile" => {
            let me = ctx.self_user_id()?;
            let user = ctx.call(contact::GetUser::new(UserId::new(me))).await?;
            Ok(object_outcome(user, ctx))
        }
        "contact.get_dept_members_by_deptId" => {
            let mut items = Vec::new();
            let mut next = None;
            for id in p.list("ids") {
                let mut ep = contact::ListDepartmentUsers::new(DeptId::new(id));
                if let Some(n) = limit(p, 100) {
                    ep = ep.size(n);
                }
                if let Some(c) = p.str("cursor") {
                    let n: i64 = c
                        .parse()
                        .map_err(|_| bad("cursor", "--cursor: expected a number"))?;
                    ep = ep.with_cursor(Some(&dingtalk_core::Cursor::Number(n)));
                }
                let page = ctx.call(ep).await?;
                let out = list_outcome(&page, ctx);
                next = next.or(out.next_cursor);
                if let Some(a) = out.response.get("items").and_then(Value::as_array) {
                    items.extend(a.iter().cloned());
                }
            }
            let mut out = object_outcome(json!({ "items": items }), ctx);
            out.next_cursor = next;
            Ok(out)
        }
        "bot.send_robot_group_message" => {
            let code = RobotCode::new(p.req("robot-code")?);
            let msg = || {
                robot::RobotMessage::markdown(
                    p.str("title").unwrap_or_default(),
                    p.str("text").unwrap_or_default(),
                )
            };
            match (p.str("group"), p.list("users")) {
                (Some(group), users) if users.is_empty() => {
                    let body = ctx
                        .call(robot::SendGroupMessage::new(
                            code,
                            OpenConversationId::new(group),
                            msg(),
                        ))
                        .await?;
                    Ok(object_outcome(body, ctx))
                }
                (None, users) if !users.is_empty() => {
                    let mut results = Vec::new();
                    let mut partial = false;
                    for chunk in users.chunks(20) {
                        let ids = chunk.iter().map(|u| UserId::new(u.clone())).collect();
                        let body = ctx
                            .call(robot::BatchSendOtoMessage::new(code.clone(), ids, msg()))
                            .await?;
                        partial |= [
                            "invalidStaffIdList",
                            "flowControlledStaffIdList",
                            "filteredStaffIdList",
                        ]
                        .iter()
                        .any(|k| {
                            body.get(*k)
                                .and_then(Value::as_array)
                                .is_some_and(|a| !a.is_empty())
                        });
                        results.push(body);
                    }
                    let mut out = object_outcome(json!({ "items": results }), ctx);
                    out.partial = partial;
                    Ok(out)
                }
                _ => Err(bad("group", "give exactly one of --group or --users")),
            }
        }
        "chat.send_message_as_user" => {
            let text = p.req("text")?;
            let at_users = p.list("at-users");
            let at_all = p.flag("at-all");
            let mut ep = match p.str("title") {
                Some(_) if at_all || !at_users.is_empty() => {
                    return Err(bad(
                        "title",
                        "--at-all and --at-users go with text messages; drop --title (which sends markdown)",
                    ));
                }
                Some(title) => im::SendPersonalMessage::markdown(title, text),
                None => {
                    let at: Vec<UserId> = at_users.into_iter().map(UserId::new).collect();
                    im::SendPersonalMessage::text(text, at_all, &at)
                }
            };
            ep = match (p.str("group"), p.str("user")) {
                (Some(group), None) => ep.group(OpenConversationId::new(group)),
                (None, Some(user)) => ep.receiver(user),
                _ => return Err(bad("group", "give exactly one of --group or --user")),
            };
            if let Some(path) = crate::env::var(crate::env::SEND_AS_USER_PATH) {
                ep = ep.path(path);
            }
            let body = ctx.call_as_user(ep).await?;
            Ok(object_outcome(body, ctx))
        }
        "bot.recall_robot_group_message" => {
            let code = RobotCode::new(p.req("robot-code")?);
            let keys: Vec<ProcessQueryKey> = p.list("keys").into_iter().map(ProcessQueryKey::new).collect();
            let body = match p.str("group") {
                Some(g) => {
                    ctx.call(robot::RecallGroupMessage::new(
                        code,
                        OpenConversationId::new(g),
                        keys,
                    ))
                    .await?
                }
                None => ctx.call(robot::BatchRecallOtoMessage::new(code, keys)).await?,
            };
            Ok(object_outcome(body, ctx))
        }
        "bot.send_message_by_custom_robot" => {
            let mut msg = robot::WebhookMessage::markdown(p.req("title")?, p.req("text")?);
            if p.flag("at-all") {
                msg = msg.at_all();
            }
            let mobiles = p.list("at-mobiles");
            if !mobiles.is_empty() {
                msg = msg.at_mobiles(mobiles);
            }
            let users = p.list("at-users");
            if !users.is_empty() {
                msg = msg.at_user_ids(users.into_iter().map(UserId::new).collect());
            }
            let mut ep = robot::SendCustomWebhook::new(SecretString::from(p.req("token")?.to_owned()), msg);
            if let Some(secret) = p
                .str("secret")
                .map(str::to_owned)
                .or_else(|| ctx.settings.webhook_secret.clone())
            {
                let now = ctx
                    .transport
                    .clock()
                    .wall()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap_or_default();
                ep = ep.signed(
                    SecretString::from(secret),
                    i64::try_from(now.as_millis()).unwrap_or(0),
                );
            }
            let body = ctx.call(ep).await?;
            Ok(object_outcome(body, ctx))
        }
        "calendar.list_calendar_events" => {
            let me = UnionId::new(ctx.self_union_id().await?);
            let mut ep = calendar::ListEvents::new(me);
            if let Some(s) = p.str("start") {
                ep = ep.time_min(s);
            }
            if let Some(s) = p.str("end") {
                ep = ep.time_max(s);
            }
            if let Some(n) = limit(p, 100) {
                ep = ep.max_results(n);
            }
            let body = ctx.call(with_cursor(ep, p)).await?;
            Ok(list_outcome(&body, ctx))
        }
        "calendar.get_calendar_detail" => {
            let me = UnionId::new(ctx.self_union_id().await?);
            let ep = calendar::GetEvent::new(me, CalendarEventId::new(p.req("id")?));
            let body = ctx.call(ep).await?;
            Ok(object_outcome(body, ctx))
        }
        "calendar.create_calendar_event" => {
            let (Some(start), Some(end)) = (event_time(p, "start")?, event_time(p, "end")?) else {
                return Err(bad("start", "--start and --end are required"));
            };
            let me = UnionId::new(ctx.self_union_id().await?);
            let attendees: Vec<calendar::Attendee> = ctx
                .union_ids(p.list("attendees"))
                .await?
                .into_iter()
                .map(calendar::Attendee::new)
                .collect();
            let mut ep = calendar::CreateEvent::new(me, p.req("title")?, start, end)
                .calendar_id(p.str("calendar-id").unwrap_or("primary"));
            if p.flag("all-day") {
                ep = ep.all_day();
            }
            if let Some(d) = p.str("desc") {
                ep = ep.description(d);
            }
            if let Some(l) = p.str("location") {
                ep = ep.location(l);
            }
            if !attendees.is_empty() {
                ep = ep.attendees(attendees);
            }
            let body = ctx.call(ep).await?;
            Ok(object_outcome(body, ctx))
        }
        "calendar.update_calendar_event" => {
            let me = UnionId::new(ctx.self_union_id().await?);
            let mut ep = calendar::UpdateEvent::new(me, CalendarEventId::new(p.req("id")?));
            if let Some(t) = p.str("title") {
                ep = ep.summary(t);
            }
            if let Some(d) = p.str("desc") {
                ep = ep.description(d);
            }
            if let Some(l) = p.str("location") {
                ep = ep.location(l);
            }
            match (event_time(p, "start")?, event_time(p, "end")?) {
                (Some(s), Some(e)) => ep = ep.time(s, e),
                (None, None) => {}
                _ => return Err(bad("start", "--start and --end go together")),
            }
            let body = ctx.call(ep).await?;
            Ok(object_outcome(body, ctx))
        }
        "calendar.delete_calendar_event" => {
            let me = UnionId::new(ctx.self_union_id().await?);
            let ep = calendar::DeleteEvent::new(me, CalendarEventId::new(p.req("id")?))
                .push_notification(p.flag("notify"));
            let body = ctx.call(ep).await?;
            Ok(written_outcome(body, json!({"deleted": true}), ctx))
        }
        "calendar.get_calendar_participants" => {
            let me = UnionId::new(ctx.self_union_id().await?);
            let mut ep = calendar::ListEventAttendees::new(me, CalendarEventId::new(p.req("event")?));
            if let Some(n) = limit(p, 100) {
                ep = ep.max_results(n);
            }
            let body = ctx.call(with_cursor(ep, p)).await?;
            Ok(list_outcome(&body, ctx))
        }
        "calendar.add_calendar_participant" | "calendar.remove_calendar_participant" => {
            let me = UnionId::new(ctx.self_union_id().await?);
            let ids = ctx.union_ids(p.list("users")).await?;
            let event = CalendarEventId::new(p.req("event")?);
            let body = if spec.id == "calendar.add_calendar_participant" {
                let optional = p.flag("optional");
                let attendees = ids
                    .into_iter()
                    .map(|id| {
                        if optional {
                            calendar::Attendee::optional(id)
                        } else {
                            calendar::Attendee::new(id)
                        }
                    })
                    .collect();
                ctx.call(calendar::AddEventAttendees::new(me, event, attendees))
                    .await?
            } else {
                ctx.call(calendar::RemoveEventAttendees::new(me, event, ids))
                    .await?
            };
            Ok(written_outcome(body, json!({"ok": true}), ctx))
        }
        "calendar.query_busy_status" => {
            let me = UnionId::new(ctx.self_union_id().await?);
            let ids = ctx.union_ids(p.list("users")).await?;
            let body = ctx
                .call(calendar::QuerySchedule::new(
                    me,
                    ids,
                    p.req("start")?,
                    p.req("end")?,
                ))
                .await?;
            Ok(list_outcome(&body, ctx))
        }
        "calendar.add_meeting_room" | "calendar.delete_meeting_room" => {
            // DingTalk reads `meetingRoomsToAdd` / `meetingRoomsToRemove` as `[{roomId}]` (typed requests).
            let me = UnionId::new(ctx.self_union_id().await?);
            let event = CalendarEventId::new(p.req("event")?);
            let rooms = p.list("rooms");
            let body = if spec.id == "calendar.add_meeting_room" {
                ctx.call(calendar::AddMeetingRooms::new(me, event, rooms)).await?
            } else {
                ctx.call(calendar::RemoveMeetingRooms::new(me, event, rooms))
                    .await?
            };
            Ok(written_outcome(body, json!({"result": true}), ctx))
        }
        "chat.get_group_members" => {
            let me = UserId::new(ctx.self_user_id()?);
            let mut ep = im::ListGroupMembers::new(OpenConversationId::new(p.req("id")?), me);
            if let Some(n) = limit(p, 1000) {
                ep = ep.max_results(n);
            }
            let body = ctx.call(with_cursor(ep, p)).await?;
            Ok(list_outcome(&body, ctx))
        }
        "aitable.get_base" => {
            let me = UnionId::new(ctx.self_union_id().await?);
            let body = ctx
                .call(notable::ListSheets::new(BaseId::new(p.req("base-id")?), me))
                .await?;
            Ok(list_outcome(&body, ctx))
        }
        "aitable.get_tables" => {
            let me = UnionId::new(ctx.self_union_id().await?);
            let base = BaseId::new(p.req("base-id")?);
            let mut tables = p.list("table-ids");
            if tables.is_empty() {
                let sheets = ctx
                    .call(notable::ListSheets::new(base.clone(), me.clone()))
                    .await?;
                let listed = list_outcome(&sheets, ctx).response;
                tables = listed["items"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|s| s["id"].as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default();
                if ctx.settings.dry_run {
                    tables.push("{{step2.sheets[].id}}".to_owned());
                }
            }
            let mut items = Vec::new();
            for t in tables {
                let mut sheet = ctx
                    .call(notable::GetSheet::new(base.clone(), t.as_str(), me.clone()))
                    .await?;
                let fields = ctx
                    .call(notable::ListFields::new(base.clone(), t.as_str(), me.clone()))
                    .await?;
                if let Some(obj) = sheet.as_object_mut() {
                    obj.insert(
                        "fields".to_owned(),
                        list_outcome(&fields, ctx).response["items"].clone(),
                    );
                }
                items.push(sheet);
            }
            Ok(object_outcome(json!({ "items": items }), ctx))
        }
        "aitable.get_fields" => {
            let me = UnionId::new(ctx.self_union_id().await?);
            let body = ctx
                .call(notable::ListFields::new(
                    BaseId::new(p.req("base-id")?),
                    p.req("table-id")?,
                    me,
                ))
                .await?;
            let mut out = list_outcome(&body, ctx);
            let wanted = p.list("field-ids");
            if !wanted.is_empty()
                && let Some(Value::Array(items)) = out.response.get_mut("items")
            {
                items.retain(|f| {
                    wanted
                        .iter()
                        .any(|w| f["id"] == w.as_str() || f["name"] == w.as_str())
                });
            }
            Ok(out)
        }
        "report.get_send_report_list" => {
            let start = crate::when::epoch_ms("start", p.req("start")?, ctx.settings.tz_offset_min)?;
            let end = crate::when::epoch_ms("end", p.req("end")?, ctx.settings.tz_offset_min)?;
            if end <= start || end - start > 180 * 86_400_000 {
                return Err(bad(
                    "end",
                    "--start/--end: the window must be positive and at most 180 days",
                ));
            }
            let mut ep = report::ListReports::new(start, end).userid(UserId::new(ctx.self_user_id()?));
            if let Some(t) = p.str("template-name") {
                ep = ep.template_name(t);
            }
            if let Some(c) = p.str("cursor") {
                let n: i64 = c
                    .parse()
                    .map_err(|_| bad("cursor", "--cursor: expected a number"))?;
                ep = ep.with_cursor(Some(&dingtalk_core::Cursor::Number(n)));
            }
            let body = ctx.call(ep).await?;
            Ok(list_outcome(&body, ctx))
        }
        "report.get_available_report_templates" => {
            let me = UserId::new(ctx.self_user_id()?);
            let body = ctx.call(report::ListReportTemplates::new(Some(me))).await?;
            Ok(list_outcome(&body, ctx))
        }
        "workbench.batch_get_app_details" => {
            let body = ctx.call(workbench::ListInnerApps::new()).await?;
            let mut out = list_outcome(&body, ctx);
            let wanted = p.list("ids");
            if let Some(Value::Array(items)) = out.response.get_mut("items") {
                let text = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                items
                    .retain(|a| wanted.contains(&text(&a["agentId"])) || wanted.contains(&text(&a["appId"])));
            }
            Ok(out)
        }
        "chat.create_internal_group" => {
            let me = UserId::new(ctx.self_user_id()?);
            let users = p.list("users").into_iter().map(UserId::new).collect();
            let body = ctx.call(im::CreateGroup::new(p.req("name")?, me, users)).await?;
            Ok(object_outcome(body, ctx))
        }
        "chat.update_group_name" | "chat.add_group_member" | "chat.remove_group_member" => {
            let id = p.req("id")?;
            if id.starts_with("cid") {
                return Err(bad(
                    "id",
                    "--id: an openConversationId cannot be updated; pass the legacy chatid",
                )
                .hint("`chat group create` prints the chatid"));
            }
            let users: Vec<UserId> = p.list("users").into_iter().map(UserId::new).collect();
            let ep = match spec.id {
                "chat.update_group_name" => im::UpdateGroup::new(ChatId::new(id)).name(p.req("name")?),
                "chat.add_group_member" => im::UpdateGroup::new(ChatId::new(id)).add_members(users),
                _ => im::UpdateGroup::new(ChatId::new(id)).remove_members(users),
            };
            let body = ctx.call(ep).await?;
            Ok(written_outcome(body, json!({"ok": true}), ctx))
        }
        "oa.get_processInstance_records" | "oa.list_pending_tasks" => {
            let id = ProcessInstanceId::new(p.req("instance-id")?);
            let me = if spec.id == "oa.list_pending_tasks" {
                Some(ctx.self_user_id()?)
            } else {
                None
            };
            let body = ctx.call(workflow::GetProcessInstance::new(id)).await?;
            let items: Vec<Value> = match &me {
                None => body["operationRecords"].as_array().cloned().unwrap_or_default(),
                Some(me) => body["tasks"]
                    .as_array()
                    .map(|tasks| {
                        tasks
                            .iter()
                            .filter(|t| {
                                t["userId"] == me.as_str()
                                    && matches!(t["status"].as_str(), Some("RUNNING" | "NEW"))
                            })
                            .cloned()
                            .collect()
                    })
                    .unwrap_or_default(),
            };
            Ok(object_outcome(json!({ "items": items }), ctx))
        }
        "oa.revoke_processInstance" => {
            let me = UserId::new(ctx.self_user_id()?);
            let mut ep =
                workflow::TerminateProcessInstance::new(ProcessInstanceId::new(p.req("instance-id")?), me);
            if let Some(r) = p.str("remark") {
                ep = ep.remark(r);
            }
            let body = ctx.call(ep).await?;
            Ok(object_outcome(body, ctx))
        }
        "oa.list_initiated_instances" => {
            let me = UserId::new(ctx.self_user_id()?);
            let start = crate::when::epoch_ms("start", p.req("start")?, ctx.settings.tz_offset_min)?;
            let mut ep =
                workflow::ListProcessInstanceIds::new(ProcessCode::new(p.req("process-code")?), start)
                    .user_ids(vec![me]);
            if let Some(e) = p.str("end") {
                ep = ep.end_time(crate::when::epoch_ms("end", e, ctx.settings.tz_offset_min)?);
            }
            if let Some(n) = p.int("max-results") {
                ep = ep.max_results(u32::try_from(n.clamp(1, 20)).unwrap_or(20));
            }
            if let Some(c) = p.str("next-token") {
                let n: i64 = c
                    .parse()
                    .map_err(|_| bad("next-token", "--next-token: expected a number"))?;
                ep = ep.with_cursor(Some(&dingtalk_core::Cursor::Number(n)));
            }
            let body = ctx.call(ep).await?;
            let page = list_outcome(&body, ctx);
            let mut ids: Vec<String> = page.response["items"]
                .as_array()
                .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
                .unwrap_or_default();
            if ctx.settings.dry_run {
                ids.push("{{step1.list[]}}".to_owned());
            }
            let mut items = Vec::new();
            for id in ids {
                let mut detail = ctx
                    .call(workflow::GetProcessInstance::new(ProcessInstanceId::new(
                        id.as_str(),
                    )))
                    .await?;
                if let Some(obj) = detail.as_object_mut() {
                    obj.insert("processInstanceId".to_owned(), json!(id));
                }
                items.push(detail);
            }
            let mut out = object_outcome(json!({ "items": items }), ctx);
            out.next_cursor = page.next_cursor;
            Ok(out)
        }
        "attendance.get_user_attendance_record" | "attendance.get_attendance_summary" => {
            let user = match p.str("user") {
                Some(u) if u != "@self" => u.to_owned(),
                _ => ctx.self_user_id()?,
            };
            let (from, to) = if spec.id == "attendance.get_user_attendance_record" {
                let day = day_of(p, "date")?;
                (day.clone(), day)
            } else {
                let (from, to) = (day_of(p, "start")?, day_of(p, "end")?);
                let span = crate::when::epoch_ms("end", &to, 0)? - crate::when::epoch_ms("start", &from, 0)?;
                if !(0..=6 * 86_400_000).contains(&span) {
                    return Err(bad("end", "--start/--end: at most 7 days, end not before start"));
                }
                (from, to)
            };
            let ep = attendance::ListAttendanceResults::new(
                vec![UserId::new(user)],
                format!("{from} 00:00:00"),
                format!("{to} 23:59:59"),
            );
            let body = ctx.call(ep).await?;
            let out = list_outcome(&body, ctx);
            if spec.id == "attendance.get_user_attendance_record" || ctx.settings.dry_run {
                return Ok(out);
            }
            let mut counts = serde_json::Map::new();
            for r in out.response["items"].as_array().into_iter().flatten() {
                let key = r["timeResult"].as_str().unwrap_or("Unknown").to_owned();
                let n = counts.get(&key).and_then(Value::as_u64).unwrap_or(0) + 1;
                counts.insert(key, json!(n));
            }
            Ok(object_outcome(
                json!({"from": from, "to": to, "counts": counts, "items": out.response["items"]}),
                ctx,
            ))
        }
        "report.create_report" => {
            let me = UserId::new(ctx.self_user_id()?);
            let contents = p
                .json("contents")
                .ok_or_else(|| bad("contents", "--contents is required"))?;
            let fields: Vec<report::ReportField> = match contents {
                Value::Object(map) => map
                    .iter()
                    .zip(0_u32..)
                    .map(|((k, v), i)| {
                        report::ReportField::text(
                            i,
                            k,
                            v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                        )
                    })
                    .collect(),
                Value::Array(rows) => rows
                    .iter()
                    .zip(0_u32..)
                    .map(|(r, i)| {
                        let key = r["key"].as_str().unwrap_or_default();
                        let content = r["content"]
                            .as_str()
                            .or_else(|| r["value"].as_str())
                            .unwrap_or_default();
                        report::ReportField::text(i, key, content)
                    })
                    .collect(),
                _ => return Err(bad("contents", "--contents: expected a JSON object or array")),
            };
            let mut ep = report::CreateReport::new(p.req("template-id")?, me, fields);
            let to = p.list("to-user-ids");
            if !to.is_empty() {
                ep = ep.to_userids(to.into_iter().map(UserId::new).collect());
            }
            if p.flag("to-chat") {
                ep = ep.to_chat();
            }
            let body = ctx.call(ep).await?;
            Ok(object_outcome(
                if body.is_string() {
                    json!({ "report_id": body })
                } else {
                    body
                },
                ctx,
            ))
        }
        "todo.create_personal_todo" => {
            let me = UnionId::new(ctx.self_union_id().await?);
            let mut ep = todo::CreateTodo::new(me.clone(), p.req("title")?).operator_id(me);
            let executors = ctx.union_ids(p.list("executors")).await?;
            let participants = ctx.union_ids(p.list("participants")).await?;
            if !executors.is_empty() {
                ep = ep.executor_ids(executors);
            }
            if !participants.is_empty() {
                ep = ep.participant_ids(participants);
            }
            if let Some(d) = p.str("due") {
                ep = ep.due_time(crate::when::epoch_ms("due", d, ctx.settings.tz_offset_min)?);
            }
            if let Some(pr) = p.str("priority") {
                ep = ep.priority(priority(pr));
            }
            if let Some(d) = p.str("desc") {
                ep = ep.description(d);
            }
            let body = ctx.call(ep).await?;
            Ok(object_outcome(body, ctx))
        }
        "todo.get_user_todos_in_current_org" => {
            let me = UnionId::new(ctx.self_union_id().await?);
            let mut ep = todo::ListTodos::new(me);
            match p.str("status") {
                Some("done") => ep = ep.is_done(true),
                Some("all") => {}
                _ => ep = ep.is_done(false),
            }
            if let Some(r) = p.str("role") {
                ep = ep.roles(vec![r.to_owned()]);
            }
            let body = ctx.call(with_cursor(ep, p)).await?;
            Ok(list_outcome(&body, ctx))
        }
        "todo.query_todo_detail" => {
            let me = UnionId::new(ctx.self_union_id().await?);
            let body = ctx
                .call(todo::GetTodo::new(me, TodoTaskId::new(p.req("task-id")?)))
                .await?;
            Ok(object_outcome(body, ctx))
        }
        "todo.update_todo_task" => {
            let me = UnionId::new(ctx.self_union_id().await?);
            let mut ep =
                todo::UpdateTodo::new(me.clone(), TodoTaskId::new(p.req("task-id")?)).operator_id(me);
            if let Some(t) = p.str("title") {
                ep = ep.subject(t);
            }
            if let Some(d) = p.str("due") {
                ep = ep.due_time(crate::when::epoch_ms("due", d, ctx.settings.tz_offset_min)?);
            }
            if p.flag("done") {
                ep = ep.done(true);
            }
            if let Some(d) = p.str("desc") {
                ep = ep.description(d);
            }
            let body = ctx.call(ep).await?;
            Ok(object_outcome(body, ctx))
        }
        "todo.update_todo_done_status" => {
            let me = UnionId::new(ctx.self_union_id().await?);
            let done = p.str("status") != Some("false");
            let ep = todo::UpdateTodoExecutorStatus::new(
                me.clone(),
                TodoTaskId::new(p.req("task-id")?),
                vec![(me, done)],
            );
            let body = ctx.call(ep).await?;
            Ok(object_outcome(body, ctx))
        }
        "todo.delete_todo" => {
            let me = UnionId::new(ctx.self_union_id().await?);
            let body = ctx
                .call(todo::DeleteTodo::new(me, TodoTaskId::new(p.req("task-id")?)))
                .await?;
            Ok(object_outcome(body, ctx))
        }
        "oa.get_processInstance_detail" => {
            let body = ctx
                .call(workflow::GetProcessInstance::new(ProcessInstanceId::new(
                    p.req("instance-id")?,
                )))
                .await?;
            Ok(object_outcome(body, ctx))
        }
        "oa.approve_processInstance" | "oa.reject_processInstance" => {
            let decision = if spec.id == "oa.approve_processInstance" {
                workflow::ApprovalDecision::Agree
            } else {
                workflow::ApprovalDecision::Refuse
            };
            let task = p
                .req("task-id")?
                .parse()
                .map_err(|_| bad("task-id", "--task-id: expected a number"))?;
            let me = UserId::new(ctx.self_user_id()?);
            let mut ep = workflow::ExecuteProcessTask::new(
                ProcessInstanceId::new(p.req("instance-id")?),
                task,
                me,
                decision,
            );
            if let Some(r) = p.str("remark") {
                ep = ep.remark(r);
            }
            let body = ctx.call(ep).await?;
            Ok(object_outcome(body, ctx))
        }
        "ding.send_ding_message" => {
            let kind = match p.str("type") {
                Some("sms") => ding::RemindType::Sms,
                Some("call") => ding::RemindType::Call,
                _ => ding::RemindType::App,
            };
            let users = p.list("users").into_iter().map(UserId::new).collect();
            let ep = ding::SendDing::new(
                RobotCode::new(p.req("robot-code")?),
                users,
                p.req("content")?,
                kind,
            );
            let body = ctx.call(ep).await?;
            Ok(object_outcome(body, ctx))
        }
        "ding.recall_ding_message" => {
            let body = ctx
                .call(ding::RecallDing::new(
                    RobotCode::new(p.req("robot-code")?),
                    p.req("id")?,
                ))
                .await?;
            Ok(object_outcome(body, ctx))
        }
        "aitable.query_records" => {
            let me = UnionId::new(ctx.self_union_id().await?);
            let mut ep = notable::QueryRecords::new(BaseId::new(p.req("base-id")?), p.req("table-id")?, me);
            if let Some(f) = p.json("filters") {
                ep = ep.filter(parse_filter(f)?);
            }
            let fields = p.list("field-ids");
            if !fields.is_empty() {
                ep = ep.fields(fields);
            }
            if let Some(n) = limit(p, 100) {
                ep = ep.max_results(n as usize);
            }
            let body = ctx.call(with_cursor(ep, p)).await?;
            Ok(list_outcome(&body, ctx))
        }
        "aitable.create_records" | "aitable.update_records" => {
            let rows = p
                .json("records")
                .and_then(Value::as_array)
                .cloned()
                .ok_or_else(|| bad("records", "--records: expected a JSON array"))?;
            let me = UnionId::new(ctx.self_union_id().await?);
            let base = BaseId::new(p.req("base-id")?);
            let sheet = p.req("table-id")?;
            let mut results = Vec::new();
            for chunk in rows.chunks(notable::MAX_RECORDS) {
                let mut parsed = Vec::new();
                for row in chunk {
                    let cells = row.get("fields").unwrap_or(row);
                    let mut fields = notable::RecordFields::new();
                    for (k, v) in cells
                        .as_object()
                        .ok_or_else(|| bad("records", "--records: each row is an object"))?
                    {
                        fields.insert(k.clone(), v)?;
                    }
                    let id = row.get("id").and_then(Value::as_str).map(str::to_owned);
                    parsed.push((id, fields));
                }
                let body = if spec.id == "aitable.create_records" {
                    let rows = parsed.into_iter().map(|(_, f)| f).collect();
                    ctx.call(notable::CreateRecords::new(base.clone(), sheet, rows, me.clone()))
                        .await?
                } else {
                    let mut changes = Vec::new();
                    for (id, f) in parsed {
                        changes.push((
                            id.ok_or_else(|| bad("records", "--records: every row needs an id"))?,
                            f,
                        ));
                    }
                    ctx.call(notable::UpdateRecords::new(
                        base.clone(),
                        sheet,
                        changes,
                        me.clone(),
                    ))
                    .await?
                };
                results.push(body);
            }
            let body = if results.len() == 1 {
                results.remove(0)
            } else {
                json!({ "items": results })
            };
            Ok(object_outcome(body, ctx))
        }
        "aitable.create_table" | "aitable.create_fields" => {
            let specs = match p.json("fields") {
                None if spec.id == "aitable.create_table" => Vec::new(),
                None => {
                    return Err(bad(
                        "fields",
                        "--fields is required (JSON array of {name, type, property})",
                    ));
                }
                Some(v) => field_specs(v)?,
            };
            let me = UnionId::new(ctx.self_union_id().await?);
            let base = BaseId::new(p.req("base-id")?);
            if spec.id == "aitable.create_table" {
                let ep = notable::CreateSheet::new(base, p.req("name")?, me).fields(specs);
                let body = ctx.call(ep).await?;
                return Ok(object_outcome(body, ctx));
            }
            let sheet = p.req("table-id")?;
            let mut results = Vec::new();
            let mut failed = 0;
            for (i, f) in specs.into_iter().enumerate() {
                match ctx
                    .call(notable::CreateField::new(base.clone(), sheet, f, me.clone()))
                    .await
                {
                    Ok(body) => results.push(json!({"index": i, "ok": true, "field": body})),
                    Err(e) => {
                        failed += 1;
                        results
                            .push(json!({"index": i, "ok": false, "reason": e.reason, "message": e.message}));
                    }
                }
            }
            let mut out = object_outcome(json!({ "items": results }), ctx);
            out.partial = failed > 0;
            Ok(out)
        }
        "aitable.delete_records" => {
            let me = UnionId::new(ctx.self_union_id().await?);
            let ids = p.list("record-ids");
            if ids.len() > 100 {
                return Err(bad("record-ids", "--record-ids: at most 100"));
            }
            let ep = notable::DeleteRecords::new(BaseId::new(p.req("base-id")?), p.req("table-id")?, ids, me);
            let body = ctx.call(ep).await?;
            Ok(object_outcome(body, ctx))
        }
        "workbench.get_user_workspace_apps" => {
            let user = match p.str("user") {
                Some(u) if u != "@self" => u.to_owned(),
                _ => ctx.self_user_id()?,
            };
            let body = ctx.call(workbench::ListUserApps::new(UserId::new(user))).await?;
            Ok(list_outcome(&body, ctx))
        }
        "calendar.query_available_meeting_room" => {
            // DingTalk's room list has no group filter: every page is read and `--group-id` is applied here.
            let me = UnionId::new(ctx.self_union_id().await?);
            let group = p.str("group-id");
            let mut ep = calendar::ListMeetingRooms::new(me).max_results(calendar::MAX_ROOMS_PER_PAGE);
            let mut rooms = Vec::new();
            for _ in 0..MAX_ROOM_PAGES {
                let body = ctx.call(ep.clone()).await?;
                let page = list_outcome(&body, ctx);
                if let Some(Value::Array(items)) = page.response.get("items") {
                    rooms.extend(items.iter().cloned());
                }
                match page.next_cursor.and_then(|c| c.parse::<i64>().ok()) {
                    Some(n) if !ctx.settings.dry_run => {
                        ep = ep.with_cursor(Some(&dingtalk_core::Cursor::Number(n)));
                    }
                    _ => break,
                }
            }
            if let Some(g) = group {
                rooms.retain(|r| {
                    let id = &r["roomGroup"]["groupId"];
                    id.as_str().map_or_else(|| id.to_string(), str::to_owned) == g
                });
            }
            Ok(object_outcome(json!({ "items": rooms }), ctx))
        }
        "oa.list_pending_approvals" => {
            let me = UserId::new(ctx.self_user_id()?);
            let size = p.int("size").unwrap_or(20);
            let max = i64::from(workflow::MAX_TODO_TASKS_PER_PAGE);
            if !(1..=max).contains(&size) {
                return Err(bad("size", format!("--size: 1 to {max}")));
            }
            let mut ep = workflow::ListTodoTasks::new(me).max_results(u32::try_from(size).unwrap_or(20));
            if let Some(c) = p.str("cursor") {
                let n: i64 = c
                    .parse()
                    .ok()
                    .filter(|n| *n >= 0)
                    .ok_or_else(|| bad("cursor", "--cursor: expected a non-negative number"))?;
                ep = ep.with_cursor(Some(&dingtalk_core::Cursor::Number(n)));
            }
            let body = ctx.call(ep).await?;
            Ok(list_outcome(&body, ctx))
        }
        "attendance.batch_get_employee_shifts" => {
            let users = p.list("users");
            if users.is_empty() || users.len() > attendance::MAX_SCHEDULE_USERS {
                return Err(bad(
                    "users",
                    format!("--users: 1 to {} userIds", attendance::MAX_SCHEDULE_USERS),
                ));
            }
            let tz = ctx.settings.tz_offset_min;
            let from = crate::when::epoch_ms("start", p.req("start")?, tz)?;
            let to = crate::when::epoch_ms("end", p.req("end")?, tz)?;
            if !(0..=attendance::MAX_SPAN_DAYS * 86_400_000).contains(&(to - from)) {
                return Err(bad(
                    "end",
                    format!(
                        "--start/--end: at most {} days, end not before start",
                        attendance::MAX_SPAN_DAYS
                    ),
                ));
            }
            let me = UserId::new(ctx.self_user_id()?);
            let ep = attendance::ListSchedulesByUsers::new(
                me,
                users.into_iter().map(UserId::new).collect(),
                from,
                to,
            );
            let body = ctx.call(ep).await?;
            Ok(list_outcome(&body, ctx))
        }
        _ if spec.generic.is_some() => generic(spec, p, ctx).await,
        other => Err(CliError::internal(format!("no handler for {other}"))),
    }
}

/// The declarative executor: calls the spec's last endpoint with params placed by `place`/`wire`.
async fn generic(spec: &CommandSpec, p: &Params, ctx: &mut Ctx<'_>) -> Result<Outcome, CliError> {
    let fixed = spec.generic.unwrap_or(&[]);
    let Some(endpoint) = spec.endpoints.last() else {
        return Err(CliError::internal(format!("{} declares no endpoint", spec.id)));
    };
    let wants =
        |v: &str| endpoint.path.contains(&format!("{{{}}}", &v[6..])) || fixed.iter().any(|f| f.2 == v);
    let union = if wants("@self.unionId") {
        Some(ctx.self_union_id().await?)
    } else {
        None
    };
    let user = if wants("@self.userId") {
        Some(ctx.self_user_id()?)
    } else {
        None
    };
    let resolve = |v: &str| -> String {
        match v {
            "@self.unionId" => union.clone().unwrap_or_default(),
            "@self.userId" => user.clone().unwrap_or_default(),
            other => other.to_owned(),
        }
    };
    let mut path = endpoint.path.to_owned();
    let mut query: Vec<(String, String)> = Vec::new();
    let mut body = serde_json::Map::new();
    for q in spec.params {
        let Some(v) = p.values.get(q.name) else { continue };
        match q.place {
            "path" => {
                let text = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                path = path.replace(
                    &format!("{{{}}}", q.wire),
                    &dingtalk_core::endpoint::encode_segment(&text),
                );
            }
            "query" => {
                let text = match v {
                    Value::String(s) if q.ty == crate::spec::Ty::Date => {
                        crate::when::epoch_ms(q.name, s, ctx.settings.tz_offset_min)?.to_string()
                    }
                    Value::String(s) => s.clone(),
                    Value::Array(a) => a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(","),
                    other => other.to_string(),
                };
                query.push((q.wire.to_owned(), text));
            }
            "body" => {
                let value = match (q.ty, v) {
                    (crate::spec::Ty::Date, Value::String(s)) => {
                        json!(crate::when::epoch_ms(q.name, s, ctx.settings.tz_offset_min)?)
                    }
                    _ => v.clone(),
                };
                body.insert(q.wire.to_owned(), value);
            }
            _ => {}
        }
    }
    // A user flag left out means the operator (e.g. `attendance rules`).
    if let Some(q) = spec.params.iter().find(|q| q.name == "user" && q.place == "body")
        && !p.values.contains_key("user")
    {
        body.insert(q.wire.to_owned(), json!(ctx.self_user_id()?));
    }
    for (place, wire, value) in fixed {
        match *place {
            "query" => query.push(((*wire).to_owned(), resolve(value))),
            "body" => {
                let v = resolve(value);
                let v = v.parse::<i64>().map_or_else(|_| json!(v), |n| json!(n));
                body.insert((*wire).to_owned(), v);
            }
            _ => {}
        }
    }
    for (placeholder, value) in [("{unionId}", &union), ("{userId}", &user)] {
        if let Some(v) = value {
            path = path.replace(placeholder, &dingtalk_core::endpoint::encode_segment(v));
        }
    }
    let body =
        (!body.is_empty() || !matches!(endpoint.method, "GET" | "DELETE")).then_some(Value::Object(body));
    let answer = raw::send(ctx, endpoint.method, endpoint.host == "oapi", &path, &query, body).await?;
    let is_list = spec
        .params
        .iter()
        .any(|q| q.name == "cursor" || q.name == "limit");
    Ok(if is_list {
        list_outcome(&answer, ctx)
    } else {
        object_outcome(answer, ctx)
    })
}

/// `[{name, type, property}]` (at most 15) as field specs.
fn field_specs(v: &Value) -> Result<Vec<notable::FieldSpec>, CliError> {
    let rows = v
        .as_array()
        .ok_or_else(|| bad("fields", "--fields: expected a JSON array"))?;
    if rows.is_empty() || rows.len() > 15 {
        return Err(bad("fields", "--fields: between 1 and 15 fields per call"));
    }
    let mut out = Vec::new();
    for r in rows {
        let (Some(name), Some(kind)) = (r["name"].as_str(), r["type"].as_str()) else {
            return Err(bad("fields", "--fields: every field needs a name and a type"));
        };
        let mut f = notable::FieldSpec::new(name, kind);
        if let Some(props) = r.get("property").and_then(Value::as_object) {
            let mut property = notable::RecordFields::new();
            for (k, v) in props {
                property.insert(k.clone(), v)?;
            }
            f = f.property(property);
        }
        out.push(f);
    }
    Ok(out)
}

/// A `YYYY-MM-DD` day from a date flag.
fn day_of(p: &Params, flag: &str) -> Result<String, CliError> {
    let v = p.req(flag)?;
    crate::when::epoch_ms(flag, v, 480)?;
    Ok(v.get(..10).unwrap_or(v).to_owned())
}

fn parse_filter(v: &Value) -> Result<notable::Filter, CliError> {
    let conditions = v.get("conditions").and_then(Value::as_array).ok_or_else(|| {
        bad(
            "filters",
            "--filters: expected {combination, conditions:[{field, operator, value}]}",
        )
    })?;
    let mut out = Vec::new();
    for c in conditions {
        let field = c
            .get("field")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("filters", "--filters: condition without field"))?;
        let op = c.get("operator").and_then(Value::as_str).unwrap_or("equal");
        let values = match c.get("value") {
            Some(Value::Array(a)) => a
                .iter()
                .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_owned))
                .collect(),
            Some(Value::String(s)) => vec![s.clone()],
            Some(other) => vec![other.to_string()],
            None => Vec::new(),
        };
        out.push(notable::Condition::new(field, op, values));
    }
    Ok(if v.get("combination").and_then(Value::as_str) == Some("or") {
        notable::Filter::any(out)
    } else {
        notable::Filter::all(out)
    })
}
