//! The declarative command table: one [`CommandSpec`] per leaf. Both the clap tree ([`crate::cli`]) and
//! `dws schema` are generated from it.

use serde_json::{Map, Value, json};

/// What a command does to the organisation's data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Effect {
    Read,
    Write,
    Destructive,
}

impl Effect {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Effect::Read => "read",
            Effect::Write => "write",
            Effect::Destructive => "destructive",
        }
    }
}

/// A parameter's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ty {
    Str,
    Int,
    Bool,
    /// Comma-separated list of strings.
    List,
    /// JSON text (accepts `@file` and `-`).
    Json,
    /// Free text (accepts `@file` and `-`).
    Text,
    Date,
    Enum,
}

impl Ty {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Ty::Str | Ty::Text => "string",
            Ty::Int => "integer",
            Ty::Bool => "boolean",
            Ty::List => "array",
            Ty::Json => "json",
            Ty::Date => "date-time",
            Ty::Enum => "enum",
        }
    }
}

/// One flag of a leaf command.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Param {
    pub(crate) name: &'static str,
    pub(crate) ty: Ty,
    pub(crate) required: bool,
    pub(crate) wire: &'static str,
    pub(crate) place: &'static str,
    pub(crate) help: &'static str,
    pub(crate) values: &'static [&'static str],
    pub(crate) default: Option<&'static str>,
    pub(crate) secret: bool,
    /// A one-letter alias (`-c`).
    pub(crate) short: Option<char>,
}

/// A parameter named `name` of type `ty`, optional, sent in the body under the same name.
pub(crate) const fn p(name: &'static str, ty: Ty, help: &'static str) -> Param {
    Param {
        name,
        ty,
        required: false,
        wire: name,
        place: "body",
        help,
        values: &[],
        default: None,
        secret: false,
        short: None,
    }
}

impl Param {
    pub(crate) const fn req(mut self) -> Self {
        self.required = true;
        self
    }
    pub(crate) const fn wire(mut self, wire: &'static str, place: &'static str) -> Self {
        self.wire = wire;
        self.place = place;
        self
    }
    pub(crate) const fn values(mut self, values: &'static [&'static str]) -> Self {
        self.values = values;
        self
    }
    pub(crate) const fn default(mut self, default: &'static str) -> Self {
        self.default = Some(default);
        self
    }
    pub(crate) const fn short(mut self, c: char) -> Self {
        self.short = Some(c);
        self
    }
    pub(crate) const fn secret(mut self) -> Self {
        self.secret = true;
        self
    }
}

/// One request a command makes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ep {
    pub(crate) method: &'static str,
    pub(crate) host: &'static str,
    pub(crate) path: &'static str,
}

const fn ep(method: &'static str, host: &'static str, path: &'static str) -> Ep {
    Ep { method, host, path }
}

/// One leaf command.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CommandSpec {
    pub(crate) path: &'static str,
    pub(crate) id: &'static str,
    pub(crate) summary: &'static str,
    pub(crate) effect: Effect,
    pub(crate) risk: &'static str,
    pub(crate) confirm: bool,
    pub(crate) token: &'static str,
    pub(crate) self_id: Option<&'static str>,
    pub(crate) params: &'static [Param],
    pub(crate) endpoints: &'static [Ep],
    pub(crate) available: bool,
    /// Sent by the declarative executor (no typed request in `dingtalk-openapi`): the last endpoint is called with
    /// params placed by their `place`/`wire`, plus these fixed `(place, wire, value)` entries, where a value of
    /// `@self.userId` or `@self.unionId` is the operator.
    pub(crate) generic: Option<&'static [(&'static str, &'static str, &'static str)]>,
    /// Runs on this machine (upgrade, skills, event stream, bot, demo) instead of building OpenAPI requests.
    pub(crate) local: bool,
}

const fn cmd(path: &'static str, id: &'static str, summary: &'static str) -> CommandSpec {
    CommandSpec {
        path,
        id,
        summary,
        effect: Effect::Read,
        risk: "low",
        confirm: false,
        token: "app",
        self_id: None,
        params: &[],
        endpoints: &[],
        available: true,
        generic: None,
        local: false,
    }
}

impl CommandSpec {
    const fn write(mut self) -> Self {
        self.effect = Effect::Write;
        self.risk = "medium";
        self
    }
    /// A write that needs confirmation (W! in the reference).
    const fn write_confirm(mut self) -> Self {
        self.effect = Effect::Write;
        self.risk = "high";
        self.confirm = true;
        self
    }
    const fn destructive(mut self) -> Self {
        self.effect = Effect::Destructive;
        self.risk = "high";
        self.confirm = true;
        self
    }
    const fn params(mut self, params: &'static [Param]) -> Self {
        self.params = params;
        self
    }
    const fn eps(mut self, endpoints: &'static [Ep]) -> Self {
        self.endpoints = endpoints;
        self
    }
    const fn me(mut self, kind: &'static str) -> Self {
        self.self_id = Some(kind);
        self
    }
    const fn token(mut self, token: &'static str) -> Self {
        self.token = token;
        self
    }
    /// Runs through the declarative executor with `fixed` extra wire values.
    const fn generic(mut self, fixed: &'static [(&'static str, &'static str, &'static str)]) -> Self {
        self.generic = Some(fixed);
        self
    }
    /// A command that runs locally; `token` is what it needs (`none` or `app`).
    const fn local(mut self, token: &'static str) -> Self {
        self.local = true;
        self.token = token;
        self
    }
    const fn unavailable(mut self) -> Self {
        self.available = false;
        self.token = "none";
        self
    }

    /// The words of the command path.
    pub(crate) fn words(&self) -> impl Iterator<Item = &'static str> {
        self.path.split(' ')
    }

    /// The product (first word).
    pub(crate) fn product(&self) -> &'static str {
        self.path.split(' ').next().unwrap_or(self.path)
    }
}

const LIMIT: Param = p("limit", Ty::Int, "page size (clamped to the endpoint maximum)");
const CURSOR: Param = p("cursor", Ty::Str, "cursor from meta.pagination.next_cursor");
const PAGE_ALL: Param = p(
    "page-all",
    Ty::Bool,
    "follow the cursor through every page (see --page-limit)",
)
.wire("", "cli");
const PAGE_LIMIT: Param = p("page-limit", Ty::Int, "most pages with --page-all (hard cap 500)")
    .wire("", "cli")
    .default("10");
const CAL_ID: Param = p("calendar-id", Ty::Str, "calendar id")
    .wire("calendarId", "path")
    .default("primary");
const TASK_ID: Param = p("task-id", Ty::Str, "todo task id").req().wire("taskId", "path");
const BASE_ID: Param = p("base-id", Ty::Str, "AI table (base) node id")
    .req()
    .wire("baseId", "path");
const TABLE_ID: Param = p("table-id", Ty::Str, "sheet id or name")
    .req()
    .wire("sheetIdOrName", "path");
const EVENT: Param = p("event", Ty::Str, "event id").req().wire("eventId", "path");
/// Sent as `processInstanceId`, in the query or the body: each command says which.
const INSTANCE_ID: Param = p("instance-id", Ty::Str, "process instance id").req();
const ROBOT: Param = p(
    "robot-code",
    Ty::Str,
    "robot code (the app's clientId for app robots)",
)
.req()
.wire("robotCode", "body");
/// `--fields` of `aitable table|field create`: the JSON payload. It shares its name with the global projection
/// flag, so on these commands the global `--fields` value is read as this payload and no projection happens.
const FIELDS_JSON: Param = p(
    "fields",
    Ty::Json,
    "JSON array of {name, type, property} (at most 15; @file, -)",
)
.wire("fields", "body");
/// Flag names owned by the global flags; a leaf param with one of these names reads the global value.
pub(crate) const SHARED_WITH_GLOBAL: &[&str] = &["fields"];
/// `dws skill --target` values.
pub(crate) const SKILL_TARGETS: &[&str] = &["agents", "claude", "cursor", "codex", "project", "all"];
const PRIORITIES: &[&str] = &["low", "normal", "high", "urgent"];
const CAL: &str = "/v1.0/calendar/users/{unionId}/calendars/{calendarId}/events";
const CAL_EVENT: &str = "/v1.0/calendar/users/{unionId}/calendars/{calendarId}/events/{eventId}";
const TODO: &str = "/v1.0/todo/users/{unionId}/tasks";
const NOTABLE: &str = "/v1.0/notable/bases/{baseId}/sheets/{sheetIdOrName}/records";
/// `chat message send`: the reference's route for `im_1_0` `SendPersonalMessageRequest` (unverified; the typed
/// request can be pointed elsewhere with `SendPersonalMessage::path`).
const SEND_AS_USER: &str = dingtalk_openapi::im::SendPersonalMessage::DEFAULT_PATH;

/// The legacy `user/get`: the operator's userId → unionId lookup that `.me` commands make first, and `contact user
/// get`'s own request.
const USER_GET: Ep = ep("POST", "oapi", "/topapi/v2/user/get");

/// Every leaf command, in schema order.
pub(crate) static COMMANDS: &[CommandSpec] = &[
    // ---- contact
    cmd(
        "contact user search",
        "contact.search_user_by_key_word",
        "Find members by name or keyword",
    )
    .params(&[
        p("keyword", Ty::Str, "search words")
            .req()
            .wire("queryWord", "body"),
        LIMIT.wire("size", "body"),
        CURSOR.wire("offset", "body"),
        PAGE_ALL,
        PAGE_LIMIT,
    ])
    .eps(&[ep("POST", "api", "/v1.0/contact/users/search")]),
    cmd(
        "contact user search-mobile",
        "contact.search_user_by_mobile",
        "Resolve a mobile number to userId and name",
    )
    .params(&[p("mobile", Ty::Str, "mobile number").req()])
    .eps(&[
        ep("POST", "oapi", "/topapi/v2/user/getbymobile"),
        USER_GET,
    ]),
    cmd(
        "contact user get",
        "contact.get_user_info_by_user_ids",
        "Full profiles of users by userId",
    )
    .params(&[p("ids", Ty::List, "comma list of userIds")
        .req()
        .wire("userid", "body")])
    .eps(&[USER_GET]),
    cmd(
        "contact user get-self",
        "contact.get_current_user_profile",
        "The operator's own profile",
    )
    .params(&[p("refresh", Ty::Bool, "ignore cached identity")])
    .me("userId")
    .eps(&[USER_GET]),
    cmd(
        "contact dept search",
        "contact.search_dept_by_keyword",
        "Departments by name",
    )
    .params(&[
        p("keyword", Ty::Str, "search words")
            .req()
            .wire("queryWord", "body"),
        // DingTalk requires `size` (1..100): always sent, 20 unless --limit says otherwise.
        LIMIT.wire("size", "body").default("20"),
    ])
    .eps(&[ep("POST", "api", "/v1.0/contact/departments/search")])
    .generic(&[("body", "offset", "0")]),
    cmd(
        "contact dept list-members",
        "contact.get_dept_members_by_deptId",
        "Direct members of departments",
    )
    .params(&[
        p("ids", Ty::List, "department ids (root is 1)")
            .req()
            .wire("dept_id", "body"),
        LIMIT.wire("size", "body"),
        CURSOR,
        PAGE_ALL,
        PAGE_LIMIT,
    ])
    .eps(&[ep("POST", "oapi", "/topapi/v2/user/list")]),
    // ---- chat
    cmd(
        "chat message send-by-bot",
        "bot.send_robot_group_message",
        "Robot message to a group or to users",
    )
    .write()
    .params(&[
        ROBOT,
        p("group", Ty::Str, "openConversationId of the group").wire("openConversationId", "body"),
        p("users", Ty::List, "userIds (1:1, at most 20 per call)").wire("userIds", "body"),
        p("title", Ty::Str, "message title").req(),
        p("text", Ty::Text, "markdown text (@file, - for stdin)").req(),
    ])
    .eps(&[
        ep("POST", "api", "/v1.0/robot/groupMessages/send"),
        ep("POST", "api", "/v1.0/robot/oToMessages/batchSend"),
    ]),
    cmd(
        "chat message send",
        "chat.send_message_as_user",
        "Send as myself to a group or a person (user token; route unverified, DWS_SEND_AS_USER_PATH overrides it)",
    )
    .write()
    .token("user")
    .params(&[
        p("group", Ty::Str, "openConversationId of the group (or --user)").wire("openConversationId", "body"),
        p(
            "user",
            Ty::Str,
            "receiver's userId, sent as receiverUid (or --group; whether DingTalk wants the numeric uid is unverified)",
        )
        .wire("receiverUid", "body"),
        p(
            "text",
            Ty::Text,
            "message text (@file, - for stdin): content.content, or content.text with --title",
        )
        .req()
        .wire("content", "content"),
        p("title", Ty::Str, "title: sends msgType markdown {title, text} instead of text").wire("title", "content"),
        p("at-all", Ty::Bool, "@ everyone (text only; unverified)").wire("at.isAtAll", "content"),
        p("at-users", Ty::List, "userIds to @ (text only; unverified)").wire("at.atUserIds", "content"),
    ])
    .eps(&[ep("POST", "api", SEND_AS_USER)]),
    cmd(
        "chat message recall-by-bot",
        "bot.recall_robot_group_message",
        "Recall robot messages",
    )
    .destructive()
    .params(&[
        ROBOT,
        p("keys", Ty::List, "processQueryKeys from the send")
            .req()
            .wire("processQueryKeys", "body"),
        p("group", Ty::Str, "openConversationId (group recall)").wire("openConversationId", "body"),
    ])
    .eps(&[
        ep("POST", "api", "/v1.0/robot/groupMessages/recall"),
        ep("POST", "api", "/v1.0/robot/otoMessages/batchRecall"),
    ]),
    cmd(
        "chat message send-by-webhook",
        "bot.send_message_by_custom_robot",
        "Custom robot (webhook) markdown message",
    )
    .write()
    .token("webhook")
    .params(&[
        p("token", Ty::Str, "webhook access_token")
            .req()
            .wire("access_token", "query")
            .secret(),
        p("title", Ty::Str, "message title").req(),
        p("text", Ty::Text, "markdown text (@file, - for stdin)").req(),
        p("at-all", Ty::Bool, "@ everyone"),
        p("at-mobiles", Ty::List, "mobiles to @").wire("atMobiles", "body"),
        p("at-users", Ty::List, "userIds to @").wire("atUserIds", "body"),
        p("secret", Ty::Str, "signing secret (or DWS_WEBHOOK_SECRET)")
            .wire("sign", "query")
            .secret(),
    ])
    .eps(&[ep("POST", "oapi", "/robot/send")]),
    cmd(
        "chat group members list",
        "chat.get_group_members",
        "Members of a group I am in",
    )
    .me("userId")
    .params(&[
        p("id", Ty::Str, "openConversationId")
            .req()
            .wire("openConversationId", "body"),
        LIMIT.wire("maxResults", "body"),
        CURSOR.wire("nextToken", "body"),
        PAGE_ALL,
        PAGE_LIMIT,
    ])
    .eps(&[ep("POST", "api", "/v1.0/im/innerGroups/members/query")]),
    cmd(
        "chat message list",
        "chat.list_conversation_message_v2",
        "Group history",
    )
    .params(&[
        p("group", Ty::Str, "openConversationId").req(),
        p("time", Ty::Date, "start time"),
        p("forward", Ty::Bool, "read forward in time"),
        LIMIT,
    ])
    .unavailable(),
    cmd(
        "chat message list-direct",
        "chat.list_individual_chat_message",
        "1:1 history",
    )
    .params(&[
        p("user", Ty::Str, "userId").req(),
        p("time", Ty::Date, "start time"),
        p("forward", Ty::Bool, "read forward in time"),
        LIMIT,
    ])
    .unavailable(),
    cmd(
        "chat message list-topic-replies",
        "chat.list_topic_replies",
        "Replies under a topic",
    )
    .params(&[
        p("group", Ty::Str, "openConversationId").req(),
        p("topic-id", Ty::Str, "topic id").req(),
        p("time", Ty::Date, "start time"),
        p("forward", Ty::Bool, "read forward in time"),
        LIMIT,
    ])
    .unavailable(),
    cmd(
        "chat bot create",
        "bot.create_robot",
        "Create an org robot (console only)",
    )
    .write()
    .params(&[
        p("robot-name", Ty::Str, "robot name").req(),
        p("desc", Ty::Text, "description"),
    ])
    .unavailable(),
    cmd(
        "chat group create",
        "chat.create_internal_group",
        "Internal group with me as owner",
    )
    .write()
    .me("userId")
    .params(&[
        p("name", Ty::Str, "group name").req(),
        p("users", Ty::List, "member userIds")
            .req()
            .wire("useridlist", "body"),
    ])
    .eps(&[ep("POST", "api", "/v1.0/im/group/create")]),
    cmd("chat group rename", "chat.update_group_name", "Rename a group")
        .write()
        .params(&[
            p("id", Ty::Str, "legacy chatid (printed by `chat group create`)")
                .req()
                .wire("chatid", "body"),
            p("name", Ty::Str, "new name").req(),
        ])
        .eps(&[ep("POST", "api", "/v1.0/im/group/update")]),
    cmd(
        "chat group members add",
        "chat.add_group_member",
        "Add members to a group",
    )
    .write()
    .params(&[
        p("id", Ty::Str, "legacy chatid").req().wire("chatid", "body"),
        p("users", Ty::List, "userIds")
            .req()
            .wire("add_useridlist", "body"),
    ])
    .eps(&[ep("POST", "api", "/v1.0/im/group/update")]),
    cmd(
        "chat group members remove",
        "chat.remove_group_member",
        "Remove members from a group",
    )
    .destructive()
    .params(&[
        p("id", Ty::Str, "legacy chatid").req().wire("chatid", "body"),
        p("users", Ty::List, "userIds")
            .req()
            .wire("del_useridlist", "body"),
    ])
    .eps(&[ep("POST", "api", "/v1.0/im/group/update")]),
    cmd(
        "chat search",
        "chat.search_groups_by_keyword",
        "My groups whose name matches",
    )
    .me("userId")
    .params(&[
        p("query", Ty::Str, "search words")
            .req()
            .wire("searchKey", "body"),
        LIMIT.wire("maxResults", "body"),
        CURSOR.wire("nextToken", "body"),
    ])
    .eps(&[ep("POST", "api", "/v1.0/im/innerGroups/search")])
    .generic(&[("body", "userId", "@self.userId")]),
    cmd(
        "chat group members add-bot",
        "bot.add_robot_to_group",
        "Add an org robot to a group",
    )
    .write()
    .params(&[
        p("id", Ty::Str, "openConversationId")
            .req()
            .wire("openConversationId", "body"),
        p("robot-code", Ty::Str, "robot code")
            .req()
            .wire("robotCode", "body"),
    ])
    .eps(&[ep("POST", "api", "/v1.0/robot/groups/orgRobots/add")])
    .generic(&[]),
    cmd(
        "chat bot search",
        "bot.search_my_robots",
        "Robots of this org's apps with their robotCode (no public API)",
    )
    .params(&[p("name", Ty::Str, "filter by name (case-insensitive substring)")])
    .unavailable(),
    // ---- calendar
    cmd(
        "calendar event list",
        "calendar.list_calendar_events",
        "My events in a window",
    )
    .me("unionId")
    .params(&[
        p("start", Ty::Date, "window start (ISO 8601)").wire("timeMin", "query"),
        p("end", Ty::Date, "window end (ISO 8601)").wire("timeMax", "query"),
        LIMIT.wire("maxResults", "query"),
        CURSOR.wire("nextToken", "query"),
        PAGE_ALL,
        PAGE_LIMIT,
    ])
    .eps(&[USER_GET, ep("GET", "api", CAL)]),
    cmd("calendar event get", "calendar.get_calendar_detail", "One event")
        .me("unionId")
        .params(&[p("id", Ty::Str, "event id").req().wire("eventId", "path")])
        .eps(&[
            USER_GET,
            ep("GET", "api", CAL_EVENT),
        ]),
    cmd(
        "calendar event create",
        "calendar.create_calendar_event",
        "Create an event",
    )
    .write()
    .me("unionId")
    .params(&[
        p("title", Ty::Str, "summary").req().wire("summary", "body"),
        p("start", Ty::Date, "start (ISO 8601)").req(),
        p("end", Ty::Date, "end (ISO 8601)").req(),
        p("desc", Ty::Text, "description").wire("description", "body"),
        p("location", Ty::Str, "location"),
        p("attendees", Ty::List, "attendee userIds"),
        p("all-day", Ty::Bool, "all-day event (dates only)").wire("isAllDay", "body"),
        p("tz", Ty::Str, "IANA timezone")
            .wire("timeZone", "body")
            .default("Asia/Shanghai"),
        CAL_ID,
    ])
    .eps(&[USER_GET, ep("POST", "api", CAL)]),
    cmd(
        "calendar event update",
        "calendar.update_calendar_event",
        "Change an event",
    )
    .write()
    .me("unionId")
    .params(&[
        p("id", Ty::Str, "event id").req().wire("eventId", "path"),
        p("title", Ty::Str, "summary").wire("summary", "body"),
        p("start", Ty::Date, "start (with --end)"),
        p("end", Ty::Date, "end (with --start)"),
        p("desc", Ty::Text, "description").wire("description", "body"),
        p("location", Ty::Str, "location"),
        p("tz", Ty::Str, "IANA timezone")
            .wire("timeZone", "body")
            .default("Asia/Shanghai"),
    ])
    .eps(&[
        USER_GET,
        ep("PUT", "api", CAL_EVENT),
    ]),
    cmd(
        "calendar event delete",
        "calendar.delete_calendar_event",
        "Delete an event",
    )
    .destructive()
    .me("unionId")
    .params(&[
        p("id", Ty::Str, "event id").req().wire("eventId", "path"),
        p("notify", Ty::Bool, "notify attendees").wire("pushNotification", "query"),
    ])
    .eps(&[
        USER_GET,
        ep("DELETE", "api", CAL_EVENT),
    ]),
    cmd(
        "calendar participant list",
        "calendar.get_calendar_participants",
        "Attendees of an event",
    )
    .me("unionId")
    .params(&[
        EVENT,
        LIMIT.wire("maxResults", "query"),
        CURSOR.wire("nextToken", "query"),
        PAGE_ALL,
        PAGE_LIMIT,
    ])
    .eps(&[
        USER_GET,
        ep(
            "GET",
            "api",
            "/v1.0/calendar/users/{unionId}/calendars/primary/events/{eventId}/attendees",
        ),
    ]),
    cmd(
        "calendar participant add",
        "calendar.add_calendar_participant",
        "Add attendees to an event",
    )
    .write()
    .me("unionId")
    .params(&[
        EVENT,
        p("users", Ty::List, "attendee userIds")
            .req()
            .wire("attendeesToAdd", "body"),
        p("optional", Ty::Bool, "mark them optional").wire("isOptional", "body"),
    ])
    .eps(&[
        USER_GET,
        ep(
            "POST",
            "api",
            "/v1.0/calendar/users/{unionId}/calendars/primary/events/{eventId}/attendees",
        ),
    ]),
    cmd(
        "calendar participant delete",
        "calendar.remove_calendar_participant",
        "Remove attendees from an event",
    )
    .destructive()
    .me("unionId")
    .params(&[
        EVENT,
        p("users", Ty::List, "attendee userIds")
            .req()
            .wire("attendeesToRemove", "body"),
    ])
    .eps(&[
        USER_GET,
        ep(
            "POST",
            "api",
            "/v1.0/calendar/users/{unionId}/calendars/primary/events/{eventId}/attendees/batchRemove",
        ),
    ]),
    cmd(
        "calendar busy search",
        "calendar.query_busy_status",
        "Busy slots of people",
    )
    .me("unionId")
    .params(&[
        p("users", Ty::List, "userIds").req().wire("userIds", "body"),
        p("start", Ty::Date, "window start (ISO 8601)")
            .req()
            .wire("startTime", "body"),
        p("end", Ty::Date, "window end (ISO 8601)")
            .req()
            .wire("endTime", "body"),
    ])
    .eps(&[
        USER_GET,
        ep("POST", "api", "/v1.0/calendar/users/{unionId}/querySchedule"),
    ]),
    cmd(
        "calendar room list-groups",
        "calendar.list_meeting_room_groups",
        "Meeting room groups",
    )
    .me("unionId")
    .params(&[])
    .eps(&[
        USER_GET,
        ep("GET", "api", "/v1.0/rooms/groupLists"),
    ])
    .generic(&[("query", "unionId", "@self.unionId")]),
    cmd(
        "calendar room search",
        "calendar.query_available_meeting_room",
        "Meeting rooms (list)",
    )
    .me("unionId")
    .params(&[p(
        "group-id",
        Ty::Str,
        "only rooms of this room group (filtered here on each room's roomGroup.groupId: DingTalk's list has no group filter)",
    )
    .wire("roomGroup.groupId", "cli")])
    .eps(&[
        USER_GET,
        ep("GET", "api", "/v1.0/rooms/meetingRoomLists"),
    ]),
    cmd(
        "calendar room add",
        "calendar.add_meeting_room",
        "Book rooms on an event",
    )
    .write()
    .me("unionId")
    .params(&[
        EVENT,
        p("rooms", Ty::List, "room ids").req().wire("meetingRoomsToAdd[].roomId", "body"),
    ])
    .eps(&[
        USER_GET,
        ep(
            "POST",
            "api",
            "/v1.0/calendar/users/{unionId}/calendars/primary/events/{eventId}/meetingRooms",
        ),
    ]),
    cmd(
        "calendar room delete",
        "calendar.delete_meeting_room",
        "Release rooms of an event",
    )
    .destructive()
    .me("unionId")
    .params(&[
        EVENT,
        p("rooms", Ty::List, "room ids")
            .req()
            .wire("meetingRoomsToRemove[].roomId", "body"),
    ])
    .eps(&[
        USER_GET,
        ep(
            "POST",
            "api",
            "/v1.0/calendar/users/{unionId}/calendars/primary/events/{eventId}/meetingRooms/batchRemove",
        ),
    ]),
    // ---- todo
    cmd("todo task create", "todo.create_personal_todo", "Create a todo")
        .write()
        .me("unionId")
        .params(&[
            p("title", Ty::Str, "subject").req().wire("subject", "body"),
            p("executors", Ty::List, "executor userIds").wire("executorIds", "body"),
            p("participants", Ty::List, "participant userIds").wire("participantIds", "body"),
            p("due", Ty::Date, "due time (ISO 8601 or epoch ms)").wire("dueTime", "body"),
            p("priority", Ty::Enum, "priority").values(PRIORITIES),
            p("desc", Ty::Text, "description").wire("description", "body"),
        ])
        .eps(&[USER_GET, ep("POST", "api", TODO)]),
    cmd("todo task list", "todo.get_user_todos_in_current_org", "My todos")
        .me("unionId")
        .params(&[
            p("status", Ty::Enum, "done state")
                .values(&["todo", "done", "all"])
                .default("todo")
                .wire("isDone", "body"),
            p("role", Ty::Enum, "my role")
                .values(&["executor", "creator", "participant"])
                .wire("roleTypes", "body"),
            LIMIT,
            CURSOR.wire("nextToken", "body"),
            PAGE_ALL,
            PAGE_LIMIT,
        ])
        .eps(&[
            USER_GET,
            ep(
                "POST",
                "api",
                "/v1.0/todo/users/{unionId}/organizations/tasks/query",
            ),
        ]),
    cmd("todo task get", "todo.query_todo_detail", "One todo")
        .me("unionId")
        .params(&[TASK_ID])
        .eps(&[
            USER_GET,
            ep("GET", "api", "/v1.0/todo/users/{unionId}/tasks/{taskId}"),
        ]),
    cmd("todo task update", "todo.update_todo_task", "Change a todo")
        .write()
        .me("unionId")
        .params(&[
            TASK_ID,
            p("title", Ty::Str, "subject").wire("subject", "body"),
            p("due", Ty::Date, "due time (ISO 8601 or epoch ms)").wire("dueTime", "body"),
            p("done", Ty::Bool, "mark done").wire("done", "body"),
            p("desc", Ty::Text, "description").wire("description", "body"),
        ])
        .eps(&[
            USER_GET,
            ep("PUT", "api", "/v1.0/todo/users/{unionId}/tasks/{taskId}"),
        ]),
    cmd(
        "todo task done",
        "todo.update_todo_done_status",
        "Mark my part done or undone",
    )
    .write()
    .me("unionId")
    .params(&[
        TASK_ID,
        p("status", Ty::Enum, "done state")
            .values(&["true", "false"])
            .default("true")
            .wire("isDone", "body"),
    ])
    .eps(&[
        USER_GET,
        ep(
            "PUT",
            "api",
            "/v1.0/todo/users/{unionId}/tasks/{taskId}/executorStatus",
        ),
    ]),
    cmd(
        "todo task delete",
        "todo.delete_todo",
        "Delete a todo for every executor",
    )
    .destructive()
    .me("unionId")
    .params(&[TASK_ID])
    .eps(&[
        USER_GET,
        ep("DELETE", "api", "/v1.0/todo/users/{unionId}/tasks/{taskId}"),
    ]),
    // ---- oa
    cmd(
        "oa approval detail",
        "oa.get_processInstance_detail",
        "One approval instance",
    )
    .params(&[INSTANCE_ID.wire("processInstanceId", "query")])
    .eps(&[ep("GET", "api", "/v1.0/workflow/processInstances")]),
    cmd(
        "oa approval approve",
        "oa.approve_processInstance",
        "Approve a task",
    )
    .write_confirm()
    .me("userId")
    .params(&[
        INSTANCE_ID.wire("processInstanceId", "body"),
        p("task-id", Ty::Str, "task id").req().wire("taskId", "body"),
        p("remark", Ty::Text, "comment"),
    ])
    .eps(&[ep("POST", "api", "/v1.0/workflow/processInstances/execute")]),
    cmd("oa approval reject", "oa.reject_processInstance", "Reject a task")
        .write_confirm()
        .me("userId")
        .params(&[
            INSTANCE_ID.wire("processInstanceId", "body"),
            p("task-id", Ty::Str, "task id").req().wire("taskId", "body"),
            p("remark", Ty::Text, "comment"),
        ])
        .eps(&[ep("POST", "api", "/v1.0/workflow/processInstances/execute")]),
    cmd(
        "oa approval records",
        "oa.get_processInstance_records",
        "Who did what on an instance",
    )
    .params(&[INSTANCE_ID.wire("processInstanceId", "query")])
    .eps(&[ep("GET", "api", "/v1.0/workflow/processInstances")]),
    cmd(
        "oa approval tasks",
        "oa.list_pending_tasks",
        "My open tasks on an instance",
    )
    .me("userId")
    .params(&[INSTANCE_ID.wire("processInstanceId", "query")])
    .eps(&[ep("GET", "api", "/v1.0/workflow/processInstances")]),
    cmd(
        "oa approval revoke",
        "oa.revoke_processInstance",
        "Withdraw my own instance",
    )
    .destructive()
    .me("userId")
    .params(&[
        INSTANCE_ID.wire("processInstanceId", "body"),
        p("remark", Ty::Text, "comment"),
    ])
    .eps(&[ep("POST", "api", "/v1.0/workflow/processInstances/terminate")]),
    cmd(
        "oa approval list-initiated",
        "oa.list_initiated_instances",
        "Instances I started (with details)",
    )
    .me("userId")
    .params(&[
        p("process-code", Ty::Str, "form processCode (from list-forms)")
            .req()
            .wire("processCode", "body"),
        p("start", Ty::Date, "created after")
            .req()
            .wire("startTime", "body"),
        p("end", Ty::Date, "created before").wire("endTime", "body"),
        p("next-token", Ty::Str, "cursor").wire("nextToken", "body"),
        p("max-results", Ty::Int, "page size (at most 20)").wire("maxResults", "body"),
    ])
    .eps(&[
        ep("POST", "api", "/v1.0/workflow/processes/instanceIds/query"),
        ep("GET", "api", "/v1.0/workflow/processInstances"),
    ]),
    // ---- attendance
    cmd(
        "attendance record get",
        "attendance.get_user_attendance_record",
        "One user's punch results for a day",
    )
    .params(&[
        p("user", Ty::Str, "userId (@self allowed)")
            .req()
            .wire("userIdList", "body"),
        p("date", Ty::Date, "work day (YYYY-MM-DD)")
            .req()
            .wire("workDateFrom", "body"),
    ])
    .eps(&[ep("POST", "oapi", "/attendance/list")]),
    cmd(
        "attendance summary",
        "attendance.get_attendance_summary",
        "Counts of Normal/Late/Early/NotSigned",
    )
    .me("userId")
    .params(&[
        p("user", Ty::Str, "userId (default @self)").wire("userIdList", "body"),
        p("start", Ty::Date, "first day (YYYY-MM-DD)")
            .req()
            .wire("workDateFrom", "body"),
        p("end", Ty::Date, "last day, at most 7 days later")
            .req()
            .wire("workDateTo", "body"),
    ])
    .eps(&[ep("POST", "oapi", "/attendance/list")]),
    cmd(
        "oa approval list-forms",
        "oa.list_user_visible_process",
        "Forms I can start (processCode)",
    )
    .me("userId")
    .params(&[
        CURSOR.wire("nextToken", "query"),
        p("size", Ty::Int, "page size").wire("maxResults", "query"),
    ])
    .eps(&[ep(
        "GET",
        "api",
        "/v1.0/workflow/processes/userVisibilities/templates",
    )])
    .generic(&[("query", "userId", "@self.userId")]),
    cmd(
        "oa approval list-pending",
        "oa.list_pending_approvals",
        "Approvals waiting for me",
    )
    .me("userId")
    .params(&[
        // DingTalk requires userId, status, nextToken and maxResults: all four are always sent.
        CURSOR.wire("nextToken", "query").default("0"),
        p("size", Ty::Int, "page size (1 to 100)")
            .wire("maxResults", "query")
            .default("20"),
    ])
    .eps(&[ep("GET", "api", "/v1.0/workflow/workRecords/todoTasks")]),
    cmd(
        "attendance shift list",
        "attendance.batch_get_employee_shifts",
        "Planned shifts per user per day",
    )
    .me("userId")
    .params(&[
        p("users", Ty::List, "userIds (1 to 50), sent as one comma-separated string")
            .req()
            .wire("userids", "body"),
        p("start", Ty::Date, "first day").req().wire("from_date_time", "body"),
        p("end", Ty::Date, "last day (at most 7 days after --start)")
            .req()
            .wire("to_date_time", "body"),
    ])
    .eps(&[ep("POST", "oapi", "/topapi/attendance/schedule/listbyusers")]),
    cmd(
        "attendance rules",
        "attendance.query_attendance_group_or_rules",
        "My attendance group, classes and punch windows",
    )
    .me("userId")
    .params(&[p("user", Ty::Str, "userId (default @self)").wire("userid", "body")])
    .eps(&[ep("POST", "oapi", "/topapi/attendance/getusergroup")])
    .generic(&[]),
    // ---- ding
    cmd("ding message send", "ding.send_ding_message", "Send a DING")
        .write_confirm()
        .params(&[
            ROBOT,
            p("users", Ty::List, "receiver userIds")
                .req()
                .wire("receiverUserIdList", "body"),
            p("content", Ty::Text, "content").req(),
            p("type", Ty::Enum, "remind type")
                .values(&["app", "sms", "call"])
                .default("app")
                .wire("remindType", "body"),
        ])
        .eps(&[ep("POST", "api", "/v1.0/robot/ding/send")]),
    cmd("ding message recall", "ding.recall_ding_message", "Recall a DING")
        .destructive()
        .params(&[
            ROBOT,
            p("id", Ty::Str, "openDingId").req().wire("openDingId", "body"),
        ])
        .eps(&[ep("POST", "api", "/v1.0/robot/ding/recall")]),
    // ---- aitable
    cmd(
        "aitable record query",
        "aitable.query_records",
        "Query records of an AI table",
    )
    .me("unionId")
    .params(&[
        BASE_ID,
        TABLE_ID,
        p("filters", Ty::Json, "filter object {combination, conditions}").wire("filter", "body"),
        p("field-ids", Ty::List, "fields to return").wire("fieldIdOrNames", "body"),
        LIMIT.wire("maxResults", "body"),
        CURSOR.wire("nextToken", "body"),
        PAGE_ALL,
        PAGE_LIMIT,
    ])
    .eps(&[
        USER_GET,
        ep(
            "POST",
            "api",
            "/v1.0/notable/bases/{baseId}/sheets/{sheetIdOrName}/records/list",
        ),
    ]),
    cmd(
        "aitable record create",
        "aitable.create_records",
        "Insert records",
    )
    .write()
    .me("unionId")
    .params(&[
        BASE_ID,
        TABLE_ID,
        p("records", Ty::Json, "JSON array of {fields} objects (@file, -)").req(),
    ])
    .eps(&[
        USER_GET,
        ep("POST", "api", NOTABLE),
    ]),
    cmd(
        "aitable record update",
        "aitable.update_records",
        "Update records (only given fields change)",
    )
    .write()
    .me("unionId")
    .params(&[
        BASE_ID,
        TABLE_ID,
        p(
            "records",
            Ty::Json,
            "JSON array of {id, fields} objects (@file, -)",
        )
        .req(),
    ])
    .eps(&[
        USER_GET,
        ep("PUT", "api", NOTABLE),
    ]),
    cmd(
        "aitable record delete",
        "aitable.delete_records",
        "Delete records",
    )
    .destructive()
    .me("unionId")
    .params(&[
        BASE_ID,
        TABLE_ID,
        p("record-ids", Ty::List, "record ids (at most 100)")
            .req()
            .wire("recordIds", "body"),
    ])
    .eps(&[
        USER_GET,
        ep(
            "POST",
            "api",
            "/v1.0/notable/bases/{baseId}/sheets/{sheetIdOrName}/records/delete",
        ),
    ]),
    cmd(
        "aitable base get",
        "aitable.get_base",
        "Tables (sheets) of a base",
    )
    .me("unionId")
    .params(&[BASE_ID])
    .eps(&[
        USER_GET,
        ep("GET", "api", "/v1.0/notable/bases/{baseId}/sheets"),
    ]),
    cmd(
        "aitable table get",
        "aitable.get_tables",
        "Tables with their field catalogue",
    )
    .me("unionId")
    .params(&[
        BASE_ID,
        p("table-ids", Ty::List, "sheet ids or names (default: all)"),
    ])
    .eps(&[
        USER_GET,
        ep(
            "GET",
            "api",
            "/v1.0/notable/bases/{baseId}/sheets/{sheetIdOrName}",
        ),
        ep(
            "GET",
            "api",
            "/v1.0/notable/bases/{baseId}/sheets/{sheetIdOrName}/fields",
        ),
    ]),
    cmd("aitable field get", "aitable.get_fields", "Fields of a table")
        .me("unionId")
        .params(&[
            BASE_ID,
            TABLE_ID,
            p("field-ids", Ty::List, "only these field ids or names"),
        ])
        .eps(&[
            USER_GET,
            ep(
                "GET",
                "api",
                "/v1.0/notable/bases/{baseId}/sheets/{sheetIdOrName}/fields",
            ),
        ]),
    cmd("aitable base list", "aitable.list_bases", "List AI tables")
        .params(&[CURSOR, PAGE_ALL, PAGE_LIMIT, LIMIT])
        .unavailable(),
    cmd("aitable base update", "aitable.update_base", "Rename a base")
        .write()
        .params(&[
            BASE_ID,
            p("name", Ty::Str, "new name"),
            p("desc", Ty::Text, "description"),
        ])
        .unavailable(),
    cmd("aitable base delete", "aitable.delete_base", "Delete a base")
        .destructive()
        .params(&[BASE_ID, p("reason", Ty::Text, "reason")])
        .unavailable(),
    cmd(
        "aitable attachment upload",
        "aitable.prepare_attachment_upload",
        "Upload an attachment",
    )
    .write()
    .params(&[
        BASE_ID,
        p("file", Ty::Str, "local file").req(),
        p("file-name", Ty::Str, "file name"),
        p("mime-type", Ty::Str, "MIME type"),
    ])
    .unavailable(),
    cmd(
        "aitable template search",
        "aitable.search_templates",
        "Search AI table templates",
    )
    .params(&[
        p("query", Ty::Str, "search words").req(),
        CURSOR,
        PAGE_ALL,
        PAGE_LIMIT,
        LIMIT,
    ])
    .unavailable(),
    cmd("aitable table update", "aitable.update_table", "Rename a table")
        .write()
        .me("unionId")
        .params(&[BASE_ID, TABLE_ID, p("name", Ty::Str, "new name").req()])
        .eps(&[
            USER_GET,
            ep(
                "PUT",
                "api",
                "/v1.0/notable/bases/{baseId}/sheets/{sheetIdOrName}",
            ),
        ])
        .generic(&[("query", "operatorId", "@self.unionId")]),
    cmd("aitable table delete", "aitable.delete_table", "Delete a table")
        .destructive()
        .me("unionId")
        .params(&[BASE_ID, TABLE_ID])
        .eps(&[
            USER_GET,
            ep(
                "DELETE",
                "api",
                "/v1.0/notable/bases/{baseId}/sheets/{sheetIdOrName}",
            ),
        ])
        .generic(&[("query", "operatorId", "@self.unionId")]),
    cmd(
        "aitable field update",
        "aitable.update_field",
        "Rename or reconfigure a field (type is immutable)",
    )
    .write()
    .me("unionId")
    .params(&[
        BASE_ID,
        TABLE_ID,
        p("field-id", Ty::Str, "field id or name")
            .req()
            .wire("fieldIdOrName", "path"),
        p("name", Ty::Str, "new name"),
        p("config", Ty::Json, "property object").wire("property", "body"),
    ])
    .eps(&[
        USER_GET,
        ep(
            "PUT",
            "api",
            "/v1.0/notable/bases/{baseId}/sheets/{sheetIdOrName}/fields/{fieldIdOrName}",
        ),
    ])
    .generic(&[("query", "operatorId", "@self.unionId")]),
    cmd("aitable field delete", "aitable.delete_field", "Delete a field")
        .destructive()
        .me("unionId")
        .params(&[
            BASE_ID,
            TABLE_ID,
            p("field-id", Ty::Str, "field id or name")
                .req()
                .wire("fieldIdOrName", "path"),
        ])
        .eps(&[
            USER_GET,
            ep(
                "DELETE",
                "api",
                "/v1.0/notable/bases/{baseId}/sheets/{sheetIdOrName}/fields/{fieldIdOrName}",
            ),
        ])
        .generic(&[("query", "operatorId", "@self.unionId")]),
    cmd(
        "aitable base search",
        "aitable.search_bases",
        "AI tables by keyword (endpoint unverified)",
    )
    .me("unionId")
    .params(&[
        p("query", Ty::Str, "search words").req().wire("keyword", "query"),
        CURSOR.wire("nextToken", "query"),
        LIMIT.wire("maxResults", "query"),
    ])
    .eps(&[
        USER_GET,
        ep("GET", "api", "/v1.0/doc/docs"),
    ])
    .generic(&[("query", "operatorId", "@self.unionId")]),
    cmd(
        "aitable base create",
        "aitable.create_base",
        "Create an AI table document (docType unverified)",
    )
    .write()
    .me("unionId")
    .params(&[
        p("name", Ty::Str, "base name").req(),
        p("workspace-id", Ty::Str, "workspace id")
            .req()
            .wire("workspaceId", "path"),
        p("template-id", Ty::Str, "template id").wire("templateId", "body"),
    ])
    .eps(&[
        USER_GET,
        ep("POST", "api", "/v1.0/doc/workspaces/{workspaceId}/docs"),
    ])
    .generic(&[
        ("body", "docType", "notable"),
        ("body", "operatorId", "@self.unionId"),
    ]),
    cmd(
        "aitable table create",
        "aitable.create_table",
        "Create a table, optionally with fields",
    )
    .write()
    .me("unionId")
    .params(&[BASE_ID, p("name", Ty::Str, "table name").req(), FIELDS_JSON])
    .eps(&[
        USER_GET,
        ep("POST", "api", "/v1.0/notable/bases/{baseId}/sheets"),
    ]),
    cmd(
        "aitable field create",
        "aitable.create_fields",
        "Create fields, one call each; per-field outcome",
    )
    .write()
    .me("unionId")
    .params(&[BASE_ID, TABLE_ID, FIELDS_JSON])
    .eps(&[
        USER_GET,
        ep(
            "POST",
            "api",
            "/v1.0/notable/bases/{baseId}/sheets/{sheetIdOrName}/fields",
        ),
    ]),
    // ---- report
    cmd(
        "report list",
        "report.get_received_report_list",
        "Reports I received (semantics unverified)",
    )
    .me("userId")
    .params(&[
        p("start", Ty::Date, "window start")
            .req()
            .wire("startTime", "query"),
        p("end", Ty::Date, "window end").req().wire("endTime", "query"),
        // DingTalk requires both: the first page is nextToken 0, pages hold at most 20.
        CURSOR.wire("nextToken", "query").default("0"),
        p("size", Ty::Int, "page size (1 to 20)")
            .wire("maxResults", "query")
            .default("20"),
    ])
    .eps(&[ep("GET", "api", "/v1.0/report/users/sendAndReceiveLists")])
    .generic(&[("query", "operationUserId", "@self.userId")]),
    cmd(
        "report detail",
        "report.get_report_entry_details",
        "One report's contents",
    )
    .params(&[p("report-id", Ty::Str, "report id")
        .req()
        .wire("reportId", "query")])
    .eps(&[ep("GET", "api", "/v1.0/report/details")])
    .generic(&[]),
    cmd(
        "report stats",
        "report.get_report_statistics_by_id",
        "Read, like and comment counts",
    )
    .params(&[p("report-id", Ty::Str, "report id")
        .req()
        .wire("report_id", "body")])
    .eps(&[ep("POST", "oapi", "/topapi/report/statistics")])
    .generic(&[]),
    cmd(
        "report template detail",
        "report.get_template_details_by_name",
        "Template id and fields by name",
    )
    .me("userId")
    .params(&[p("name", Ty::Str, "template name")
        .req()
        .wire("template_name", "body")])
    .eps(&[ep("POST", "oapi", "/topapi/report/template/getbyname")])
    .generic(&[("body", "userid", "@self.userId")]),
    cmd(
        "report create",
        "report.create_report",
        "Write a report (daily/weekly log)",
    )
    .write()
    .me("userId")
    .params(&[
        p("template-id", Ty::Str, "template id (report_code)")
            .req()
            .wire("template_id", "body"),
        p(
            "contents",
            Ty::Json,
            "JSON object {field: text} or array of {key, content}",
        )
        .req(),
        p("to-user-ids", Ty::List, "recipients").wire("to_userids", "body"),
        p("to-chat", Ty::Bool, "also post to the template's chat").wire("to_chat", "body"),
    ])
    .eps(&[ep("POST", "oapi", "/topapi/report/create")]),
    cmd("report sent", "report.get_send_report_list", "Reports I wrote")
        .me("userId")
        .params(&[
            p("start", Ty::Date, "window start")
                .req()
                .wire("start_time", "body"),
            p("end", Ty::Date, "window end").req().wire("end_time", "body"),
            p("template-name", Ty::Str, "template name"),
            CURSOR,
            PAGE_ALL,
            PAGE_LIMIT,
            p("size", Ty::Int, "page size (max 20)"),
        ])
        .eps(&[ep("POST", "oapi", "/topapi/report/list")]),
    cmd(
        "report template list",
        "report.get_available_report_templates",
        "Report templates I can use",
    )
    .me("userId")
    .params(&[LIMIT.wire("size", "body")])
    .eps(&[ep("POST", "oapi", "/topapi/report/template/listbyuserid")]),
    // ---- workbench
    cmd(
        "workbench app get",
        "workbench.batch_get_app_details",
        "Details of internal apps",
    )
    .params(&[p("ids", Ty::List, "agentIds or appIds").req()])
    .eps(&[ep("GET", "api", "/v1.0/microApp/allInnerApps")]),
    cmd(
        "workbench app list",
        "workbench.get_user_workspace_apps",
        "Apps visible to a user",
    )
    .me("userId")
    .params(&[p("user", Ty::Str, "userId (default @self)").wire("userId", "path")])
    .eps(&[ep("GET", "api", "/v1.0/microApp/users/{userId}/apps")]),
    // ---- devdoc
    cmd(
        "devdoc article search",
        "devdoc.search_open_platform_docs",
        "Search platform docs and error codes",
    )
    .params(&[p("keyword", Ty::Str, "search words").req()])
    .unavailable(),
    // ---- local commands: no OpenAPI request of their own
    cmd(
        "upgrade",
        "dws.upgrade",
        "Replace this binary from a release directory or URL (SHA-256 checked, backup kept)",
    )
    .write_confirm()
    .params(&[
        p(
            "from",
            Ty::Str,
            "release source: a directory or an https:// URL (DWS_UPGRADE_URL)",
        )
        .wire("", "cli"),
        p("check", Ty::Bool, "only report whether a newer version exists").wire("", "cli"),
        p("list", Ty::Bool, "list the versions the source offers").wire("", "cli"),
        p("version", Ty::Str, "install this version instead of the newest").wire("", "cli"),
        p("force", Ty::Bool, "reinstall the same or an older version").wire("", "cli"),
        p(
            "rollback",
            Ty::Bool,
            "restore the newest backup (its hash is checked)",
        )
        .wire("", "cli"),
        p(
            "skip-skills",
            Ty::Bool,
            "do not refresh installed agent skills after upgrading",
        )
        .wire("", "cli"),
    ])
    .local("none"),
    cmd(
        "skill install",
        "dws.skill_install",
        "Install the agent skill generated from this binary's command table",
    )
    .write()
    .params(&[
        p("target", Ty::Enum, "agent skill directory")
            .values(SKILL_TARGETS)
            .default("claude")
            .wire("", "cli"),
        p(
            "dir",
            Ty::Str,
            "install into this directory instead (the skill goes into DIR/dws)",
        )
        .wire("", "cli"),
    ])
    .local("none"),
    cmd(
        "skill list",
        "dws.skill_list",
        "Where the skill is installed, its version and edited files",
    )
    .params(&[p("dir", Ty::Str, "also look in this directory").wire("", "cli")])
    .local("none"),
    cmd(
        "skill show",
        "dws.skill_show",
        "Print the generated skill (SKILL.md or one reference file)",
    )
    .params(&[p(
        "file",
        Ty::Str,
        "relative file name, e.g. references/products/todo.md",
    )
    .wire("", "cli")])
    .local("none"),
    cmd(
        "skill uninstall",
        "dws.skill_uninstall",
        "Remove the installed skill; files edited since install are kept",
    )
    .destructive()
    .params(&[
        p("target", Ty::Enum, "agent skill directory")
            .values(SKILL_TARGETS)
            .default("claude")
            .wire("", "cli"),
        p("dir", Ty::Str, "the directory given to install --dir").wire("", "cli"),
    ])
    .local("none"),
    cmd(
        "event listen",
        "dws.event_listen",
        "Print every Stream event and callback as NDJSON (acked) until Ctrl-C, --max-events or --duration",
    )
    .params(&[
        p(
            "topics",
            Ty::List,
            "extra CALLBACK topics (bot messages and card callbacks are always on)",
        )
        .wire("", "cli"),
        p("max-events", Ty::Int, "stop after this many pushes").wire("", "cli"),
        p("duration", Ty::Int, "stop after this many seconds").wire("", "cli"),
    ])
    .eps(&[ep("POST", "api", "/v1.0/gateway/connections/open")])
    .local("app"),
    cmd(
        "bot run",
        "dws.bot_run",
        "Run the DingTalk bot (dingtalk_bot::app) in the foreground until Ctrl-C or --duration",
    )
    .params(&[
        p(
            "config",
            Ty::Str,
            "bot config file (TOML); with --sandbox and no file: the echo agent",
        )
        .short('c')
        .default("dingtalk-bot.toml")
        .wire("", "cli"),
        p(
            "account",
            Ty::Str,
            "only this account (default: every enabled account)",
        )
        .wire("", "cli"),
        p("duration", Ty::Int, "stop after this many seconds").wire("", "cli"),
    ])
    .local("app"),
    cmd(
        "msg send",
        "dws.msg_send",
        "Send markdown (or --plain text) as the bot to a conversation it has seen (dingtalk_bot::app, bridge parity)",
    )
    .write()
    .params(&[
        p("config", Ty::Str, "bot config file (TOML); with --sandbox and no file: the sandbox's demo app")
            .short('c')
            .default("dingtalk-bot.toml")
            .wire("", "cli"),
        p("account", Ty::Str, "the account (default: default_account)").wire("", "cli"),
        p(
            "to",
            Ty::Str,
            "a group's openConversationId or user:<userId>; default: the most recent group the bot has seen",
        )
        .wire("", "cli"),
        p("title", Ty::Str, "markdown title (a `## title` line above the text)").wire("", "cli"),
        p("plain", Ty::Bool, "send plain text instead of markdown").wire("", "cli"),
        p("text", Ty::Text, "the message (@file, - for stdin)").req().wire("", "cli"),
    ])
    .local("app"),
    cmd(
        "demo",
        "dws.demo",
        "Embedded sandbox, the bot with the echo agent, a live AI card, then contact/calendar/todo commands",
    )
    .params(&[
        p("message", Ty::Str, "what the demo user says to the bot")
            .default("What is on my calendar this week, and which of my todo tasks are due before the demo day on Wednesday?")
            .wire("", "cli"),
        p("user", Ty::Str, "the demo user's userId")
            .default("user001")
            .wire("", "cli"),
    ])
    .local("none"),
    cmd(
        "auth login",
        "dws.auth_login",
        "Log in: browser (loopback), --paste, device flow (headless default), --token, or --app-only",
    )
    .params(&[
        p("browser", Ty::Bool, "loopback browser flow: open the authorize page, receive the code on 127.0.0.1")
            .wire("", "cli"),
        p("paste", Ty::Bool, "print the authorize URL; paste the redirected URL (state checked) or the code on stdin")
            .wire("", "cli"),
        p("device", Ty::Bool, "device flow (a code typed on another device; the default when headless)")
            .wire("", "cli"),
        p("port", Ty::Int, "fixed loopback port for --browser (for SSH port forwarding)").wire("", "cli"),
        p("token", Ty::Text, "store this user access token (@file or - for stdin) as a profile")
            .secret()
            .wire("", "cli"),
        p("refresh-token", Ty::Text, "refresh token for --token (@file or -)")
            .secret()
            .wire("", "cli"),
        p("expires-in", Ty::Int, "seconds --token stays valid")
            .default("7200")
            .wire("", "cli"),
        p("app-only", Ty::Bool, "store app credentials' operator without a user login").wire("", "cli"),
        p("operator", Ty::Str, "operator userId for --app-only").wire("", "cli"),
        p("corp-id", Ty::Str, "corpId of the profile (preselects the organisation on the authorize page)")
            .wire("", "cli"),
        p("name", Ty::Str, "profile name").wire("", "cli"),
        p(
            "no-store-secret",
            Ty::Bool,
            "keep --client-secret in memory only (default: sealed in the encrypted token store)",
        )
        .wire("", "cli"),
    ])
    .local("none"),
    cmd(
        "audit verify",
        "dws.audit_verify",
        "Check the hash chain of the local audit log (--audit); the first bad line is the error",
    )
    .params(&[p(
        "file",
        Ty::Str,
        "log to check (default: audit.jsonl in the config directory)",
    )
    .wire("", "cli")])
    .local("none"),
    cmd(
        "profile rename",
        "dws.profile_rename",
        "Rename a profile (its id corpId:userId stays)",
    )
    .params(&[
        p("selector", Ty::Str, "the profile: corpId:userId, corpId or name")
            .req()
            .wire("", "cli"),
        p("name", Ty::Str, "the new name").req().wire("", "cli"),
    ])
    .local("none"),
    cmd(
        "auth export",
        "dws.auth_export",
        "Seal stored sessions into a passphrase-protected file (DWS_EXPORT_PASSPHRASE)",
    )
    .params(&[
        p("file", Ty::Str, "bundle to write (mode 0600, inside the working directory or DWS_INPUT_ROOTS)")
            .req()
            .wire("", "cli"),
        p("profiles", Ty::List, "only these identities (corpId:userId; default: all)").wire("", "cli"),
        p("passphrase-file", Ty::Str, "read the passphrase from this file instead of DWS_EXPORT_PASSPHRASE")
            .wire("", "cli"),
    ])
    .local("none"),
    cmd(
        "auth import",
        "dws.auth_import",
        "Restore sessions from an export and add their profiles",
    )
    .write()
    .params(&[
        p("file", Ty::Str, "bundle made by auth export").req().wire("", "cli"),
        p("force", Ty::Bool, "replace sessions that already exist").wire("", "cli"),
        p("passphrase-file", Ty::Str, "read the passphrase from this file instead of DWS_EXPORT_PASSPHRASE")
            .wire("", "cli"),
    ])
    .local("none"),
];

/// Error reasons the CLI can report.
pub(crate) const ERROR_REASONS: &[&str] = &[
    "invalid_argument",
    "invalid_request",
    "input_file_not_found",
    "input_unsafe",
    "input_empty",
    "input_too_large",
    "stdin_timeout",
    "confirmation_required",
    "no_public_api",
    "untrusted_host",
    "sandbox_unreachable",
    "invalid_credentials",
    "auth_failed",
    "scope_missing",
    "rate_limited",
    "monthly_quota",
    "timeout",
    "network",
    "api_error",
    "bad_response",
    "partial_failure",
    "unknown_command",
    "unknown_flag",
    "checksum_mismatch",
    "upgrade_failed",
    "internal",
    "panic",
    "not_logged_in",
    "ambiguous_profile",
    "store_unreadable",
    "audit_tampered",
    "audit_failed",
];

/// The spec whose CLI path or schema id is `key`.
pub(crate) fn find(key: &str) -> Option<&'static CommandSpec> {
    COMMANDS.iter().find(|c| c.path == key || c.id == key)
}

fn param_json(p: &Param, compact: bool) -> Value {
    let mut m = Map::new();
    m.insert("type".into(), json!(p.ty.as_str()));
    m.insert("required".into(), json!(p.required));
    if !p.values.is_empty() {
        m.insert("enum".into(), json!(p.values));
    }
    if let Some(d) = p.default {
        m.insert("default".into(), json!(d));
    }
    if let Some(c) = p.short {
        m.insert("short".into(), json!(format!("-{c}")));
    }
    if p.ty == Ty::List {
        m.insert("items".into(), json!("string"));
        m.insert("separator".into(), json!(","));
    }
    if !compact {
        m.insert("in".into(), json!(p.place));
        m.insert("wire".into(), json!(p.wire));
        m.insert("description".into(), json!(p.help));
        if matches!(p.ty, Ty::Json | Ty::Text) {
            m.insert("input".into(), json!(["@file", "-"]));
        }
        if p.secret {
            m.insert("secret".into(), json!(true));
        }
    }
    Value::Object(m)
}

/// The leaf schema of `spec`.
pub(crate) fn tool_json(spec: &CommandSpec, compact: bool) -> Value {
    let params: Map<String, Value> = spec
        .params
        .iter()
        .map(|p| (p.name.to_owned(), param_json(p, compact)))
        .collect();
    let required: Vec<&str> = spec
        .params
        .iter()
        .filter(|p| p.required)
        .map(|p| p.name)
        .collect();
    let mut tool = json!({
        "id": spec.id,
        "cli_path": spec.path,
        "product": spec.product(),
        "summary": spec.summary,
        "availability": if spec.available { "available" } else { "unavailable" },
        "effect": spec.effect.as_str(),
        "risk": spec.risk,
        "confirmation": if spec.confirm { "required" } else { "none" },
        "auth": {"token": spec.token, "self": spec.self_id},
        "parameters": params,
        "required": required,
    });
    if !compact && let Some(obj) = tool.as_object_mut() {
        let eps: Vec<Value> = spec
            .endpoints
            .iter()
            .enumerate()
            .map(|(i, e)| json!({"step": i + 1, "method": e.method, "host": e.host, "path": e.path}))
            .collect();
        obj.insert("endpoints".into(), Value::Array(eps));
        obj.insert("idempotent".into(), json!(spec.effect == Effect::Read));
        if spec.local {
            obj.insert("runs".into(), json!("local"));
        }
        if spec.generic.is_some() {
            obj.insert(
                "request_builder".into(),
                json!("declarative (no typed request in dingtalk-openapi)"),
            );
        }
        let example: Vec<String> = spec
            .params
            .iter()
            .filter(|p| p.required)
            .map(|p| format!("--{} <{}>", p.name, p.name.to_uppercase()))
            .collect();
        obj.insert(
            "examples".into(),
            json!([format!("dws {} {}", spec.path, example.join(" ")).trim_end()]),
        );
    }
    tool
}

/// The product catalogue.
pub(crate) fn catalog_json() -> Value {
    let mut products: Vec<(&str, Vec<Value>)> = Vec::new();
    for spec in COMMANDS {
        let tool = json!({
            "id": spec.id, "cli_path": spec.path, "summary": spec.summary,
            "effect": spec.effect.as_str(),
            "availability": if spec.available { "available" } else { "unavailable" },
        });
        match products.iter_mut().find(|(p, _)| *p == spec.product()) {
            Some((_, tools)) => tools.push(tool),
            None => products.push((spec.product(), vec![tool])),
        }
    }
    let products: Vec<Value> = products
        .into_iter()
        .map(|(id, tools)| json!({"id": id, "command": id, "tool_count": tools.len(), "tools": tools}))
        .collect();
    json!({
        "schema_version": "1",
        "kind": "catalog",
        "cli_version": env!("CARGO_PKG_VERSION"),
        "global_flags": {
            "format": {"type": "string", "enum": ["table", "json", "raw", "ndjson", "csv"]},
            "jq": {"type": "string"}, "fields": {"type": "array"}, "dry-run": {"type": "boolean"},
            "yes": {"type": "boolean"}, "timeout": {"type": "integer", "default": 30},
            "profile": {"type": "string"}, "sandbox": {"type": "string"},
            "output": {"type": "string"}, "tz": {"type": "string", "default": "+08:00"},
            "no-color": {"type": "boolean"}, "strict": {"type": "boolean"},
        },
        "error_reasons": ERROR_REASONS,
        "products": products,
    })
}
