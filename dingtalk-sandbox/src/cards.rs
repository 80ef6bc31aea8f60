//! AI / interactive cards: create, deliver, update, streaming.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use axum::Extension;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::envelope::{self, Host};
use crate::faults::Caller;
use crate::model::{CardCall, CardView, FlowStatusChange, StreamKeyState};
use crate::state::{Card, Inner, Shared, Template};

const RENDER_LIMIT_CHARS: usize = 3000;
const MAX_KEY_BYTES: usize = 100;
const MAX_VALUE_BYTES: usize = 1024;
const STREAM_CONTENT_ADVISED_BYTES: usize = 1024;
const MAX_OUT_TRACK_ID: usize = 64;

/// A card template: its variables, streamable keys, whether it binds `flowStatus`, its owning app and whether
/// clients can render it. The reference §1.8 templates are preloaded; tests add app-owned ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardTemplate {
    pub(crate) id: String,
    pub(crate) variables: Vec<String>,
    pub(crate) stream_keys: Vec<String>,
    pub(crate) flow_status: bool,
    pub(crate) owner: Option<String>,
    pub(crate) renderable: bool,
}

impl CardTemplate {
    /// A renderable template with this `cardTemplateId`, no variables (any key accepted), binding `flowStatus`,
    /// usable by every app.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            variables: Vec::new(),
            stream_keys: Vec::new(),
            flow_status: true,
            owner: None,
            renderable: true,
        }
    }

    /// Its variables (`cardParamMap` keys and streamable keys).
    #[must_use]
    pub fn variables<I: IntoIterator<Item = S>, S: Into<String>>(mut self, vars: I) -> Self {
        self.variables = vars.into_iter().map(Into::into).collect();
        self
    }

    /// Its stream keys (for `PUT /v1.0/card/streaming`).
    #[must_use]
    pub fn stream_keys<I: IntoIterator<Item = S>, S: Into<String>>(mut self, keys: I) -> Self {
        self.stream_keys = keys.into_iter().map(Into::into).collect();
        self
    }

    /// Whether the template switches on `flowStatus` (default true). Without it a card is finished once every
    /// stream key is finalized.
    #[must_use]
    pub fn flow_status(mut self, bound: bool) -> Self {
        self.flow_status = bound;
        self
    }

    /// The app owning it: cards of other apps are accepted but render as `load_failed`.
    #[must_use]
    pub fn owner(mut self, client_id: impl Into<String>) -> Self {
        self.owner = Some(client_id.into());
        self
    }

    /// Whether clients can render it (default true); false: every call succeeds, render state `load_failed`.
    #[must_use]
    pub fn renderable(mut self, renderable: bool) -> Self {
        self.renderable = renderable;
        self
    }

    /// The `cardTemplateId`.
    pub fn id(&self) -> &str {
        &self.id
    }

    fn has_key(&self, key: &str) -> bool {
        self.variables.is_empty()
            || self.variables.iter().any(|v| v == key)
            || self.stream_keys.iter().any(|v| v == key)
    }
}

impl crate::config::SandboxBuilder {
    /// Registers a card template (an existing id is replaced).
    pub fn card_template(mut self, template: CardTemplate) -> Self {
        let list = &mut self.config.registry.card_templates;
        list.retain(|t| t.id != template.id);
        list.push(template);
        self
    }
}

/// The reference §1.8 templates.
pub(crate) fn builtin_templates() -> HashMap<String, Template> {
    let all = [
        CardTemplate::new("382e4302-551d-4880-bf29-a30acfab2e71.schema")
            .variables([
                "flowStatus",
                "msgTitle",
                "logo",
                "staticMsgContent",
                "sys_full_json_obj",
                "msgContent",
                "msgButtons",
                "msgImages",
                "msgTextList",
            ])
            .stream_keys(["msgContent"]),
        CardTemplate::new("02fcf2f4-5e02-4a85-b672-46d1f715543e.schema")
            .variables([
                "flowStatus",
                "msgContent",
                "staticMsgContent",
                "sys_full_json_obj",
                "config",
            ])
            .stream_keys(["msgContent"]),
        CardTemplate::new("675cde2f-f526-40cb-b828-f5b2b57b8b77.schema")
            .variables([
                "content",
                "blockList",
                "copy_content",
                "quoteContent",
                "statusLine",
                "flowStatus",
                "hasAction",
                "stop_action",
                "config",
            ])
            .stream_keys(["content"]),
        CardTemplate::new("c2a6355b-9724-4f7e-9653-d33fcb3311bb.schema").flow_status(false),
        CardTemplate::new("589420e2-c1e2-46ef-a5ed-b8728e654da9.schema")
            .variables(["markdown", "title", "logo"])
            .flow_status(false),
    ];
    all.into_iter().map(|t| (t.id.clone(), t)).collect()
}

/// The preloaded templates plus the builder's.
pub(crate) fn templates(cfg: &crate::config::Config) -> HashMap<String, Template> {
    let mut all = builtin_templates();
    for t in &cfg.registry.card_templates {
        all.insert(t.id.clone(), t.clone());
    }
    all
}

/// Registers or replaces a template at run time.
pub(crate) fn register_template(shared: &Shared, template: CardTemplate) {
    shared.lock().templates.insert(template.id.clone(), template);
}

/// The public view of a card, with the derived render state.
pub(crate) fn view(card: &Card, templates: &HashMap<String, Template>) -> CardView {
    let mut v = card.view.clone();
    let template = templates.get(&v.card_template_id);
    v.render_state = render_state(&v, template).to_owned();
    v
}

fn render_state(v: &CardView, template: Option<&Template>) -> &'static str {
    let loads = template.is_some_and(|t| t.renderable && t.owner.as_ref().is_none_or(|o| *o == v.client_id));
    let binds_flow = template.is_none_or(|t| t.flow_status);
    let too_long = v
        .variables
        .values()
        .any(|s| s.chars().count() > RENDER_LIMIT_CHARS)
        || v.streams
            .values()
            .any(|s| s.content.chars().count() > RENDER_LIMIT_CHARS);
    let streams_done = v.streams.values().all(|s| s.finalized);
    if !loads {
        "load_failed"
    } else if (binds_flow && v.flow_status.as_deref() == Some("5")) || v.streams.values().any(|s| s.error) {
        "failed"
    } else if too_long {
        "blank"
    } else if streams_done && (!binds_flow || v.flow_status.as_deref() == Some("3")) {
        "finished"
    } else {
        "spinning"
    }
}

fn param_error(code: &str, message: &str) -> Response {
    envelope::bad_param(code, message)
}

/// Validates `cardData.cardParamMap`: string → string, key length.
fn param_map(map: &Map<String, Value>, field: &str) -> Result<Option<BTreeMap<String, String>>, Response> {
    let Some(card_data) = map.get(field) else {
        return Ok(None);
    };
    let Some(pm) = card_data.get("cardParamMap") else {
        return Ok(Some(BTreeMap::new()));
    };
    let Value::Object(pm) = pm else {
        return Err(param_error(
            "param.cardParamMap.invalid",
            "cardParamMap must be an object",
        ));
    };
    let mut out = BTreeMap::new();
    for (k, v) in pm {
        if k.len() > MAX_KEY_BYTES {
            return Err(param_error(
                "param.cardParamMap.keyTooLong",
                &format!("key {k} exceeds 100 bytes"),
            ));
        }
        let Value::String(s) = v else {
            return Err(param_error(
                "param.cardParamMap.valueNotString",
                &format!("value of {k} must be a string"),
            ));
        };
        if s.len() > MAX_VALUE_BYTES {
            return Err(param_error(
                "param.cardParamMap.valueTooLong",
                &format!("value of {k} exceeds 1024 bytes"),
            ));
        }
        out.insert(k.clone(), s.clone());
    }
    Ok(Some(out))
}

fn record_call(inner: &mut Inner, id: &str, time: u64, endpoint: &str, body: &Value, status: u16) {
    if let Some(card) = inner.cards.get_mut(id) {
        card.view.calls.push(CardCall {
            time,
            endpoint: endpoint.to_owned(),
            body: body.clone(),
            status,
        });
    }
}

fn set_variables(card: &mut Card, vars: BTreeMap<String, String>, merge: bool, time: u64) {
    if merge {
        card.view.variables.extend(vars);
    } else {
        card.view.variables = vars;
    }
    let flow = card.view.variables.get("flowStatus").cloned();
    if flow.is_some()
        && flow != card.view.flow_status
        && let Some(value) = &flow
    {
        card.view.flow_status_history.push(FlowStatusChange {
            time,
            value: value.clone(),
        });
    }
    card.view.flow_status = flow;
}

/// Parses `openSpaceId` into `(SPACE_TYPE, id)` pairs.
fn spaces(open_space_id: &str) -> Option<Vec<(String, String)>> {
    let rest = open_space_id.strip_prefix("dtv1.card//")?;
    let out: Vec<(String, String)> = rest
        .split(';')
        .filter(|s| !s.is_empty())
        .filter_map(|s| {
            s.split_once('.')
                .map(|(t, id)| (t.to_ascii_uppercase(), id.to_owned()))
        })
        .collect();
    if out.is_empty() { None } else { Some(out) }
}

fn deliver_results(
    shared: &Shared,
    caller: &Caller,
    map: &Map<String, Value>,
    card: &mut Card,
    carrier: &mut impl FnMut() -> String,
) -> Result<Vec<Value>, Response> {
    let open_space_id = envelope::req_str(map, "openSpaceId")?;
    let Some(list) = spaces(open_space_id) else {
        return Err(param_error("param.openSpaceId.invalid", "openSpaceId格式不正确"));
    };
    let robot_code = Inner::app(&shared.cfg, &caller.client_id)
        .map(|a| a.robot_code.clone())
        .unwrap_or_default();
    let mut results = Vec::new();
    for (space_type, space_id) in list {
        let model_key = match space_type.as_str() {
            "IM_GROUP" => Some("imGroupOpenDeliverModel"),
            "IM_ROBOT" => Some("imRobotOpenDeliverModel"),
            _ => None,
        };
        if let Some(key) = model_key {
            let Some(model) = map.get(key) else {
                return Err(param_error(
                    "param.deliverModel.missing",
                    &format!("{key} is required for {space_type}"),
                ));
            };
            match model.get("robotCode").and_then(Value::as_str) {
                Some(rc) if rc == robot_code => {}
                Some(_) => {
                    return Err(param_error(
                        "invalidParameter.robotCode.auth",
                        "robotCode不属于当前应用",
                    ));
                }
                None => {
                    return Err(param_error(
                        "param.robotCode.missing",
                        &format!("{key}.robotCode is required"),
                    ));
                }
            }
        }
        let known = match space_type.as_str() {
            "IM_GROUP" | "ONE_BOX" => shared.org.group(&space_id).is_some(),
            "IM_ROBOT" | "CO_FEED" => shared.org.user(&space_id).is_some(),
            _ => true,
        };
        let carrier_id = if known { carrier() } else { String::new() };
        if known {
            card.view.spaces.push(format!("{space_type}.{space_id}"));
        }
        results.push(json!({
            "spaceType": space_type,
            "spaceId": space_id,
            "success": known,
            "errorMsg": if known { "" } else { "spaceId not found" },
            "carrierId": carrier_id,
        }));
    }
    Ok(results)
}

fn new_card(shared: &Shared, caller: &Caller, map: &Map<String, Value>) -> Result<Card, Response> {
    let template_id = envelope::req_str(map, "cardTemplateId")?;
    let out_track_id = envelope::req_str(map, "outTrackId")?;
    if out_track_id.len() > MAX_OUT_TRACK_ID {
        return Err(param_error("param.outTrackId.tooLong", "outTrackId超过64个字符"));
    }
    if let Some(cb) = map.get("callbackType")
        && !matches!(cb.as_str(), Some("STREAM" | "HTTP"))
    {
        return Err(param_error(
            "param.callbackType.invalid",
            "callbackType必须是STREAM或HTTP",
        ));
    }
    let vars = param_map(map, "cardData")?.ok_or_else(|| {
        envelope::bad_param(
            "MissingParameter.cardData",
            "cardData is mandatory for this action.",
        )
    })?;
    let inner = shared.lock();
    if !inner.templates.contains_key(template_id) {
        return Err(param_error("param.templateUnpublished", "卡片模板不存在或未发布"));
    }
    if inner.cards.contains_key(out_track_id) {
        return Err(param_error("param.outTrackId.duplicated", "outTrackId已存在"));
    }
    drop(inner);
    let mut card = Card {
        view: CardView {
            out_track_id: out_track_id.to_owned(),
            card_template_id: template_id.to_owned(),
            client_id: caller.client_id.clone(),
            spaces: Vec::new(),
            variables: BTreeMap::new(),
            flow_status: None,
            flow_status_history: Vec::new(),
            streams: BTreeMap::new(),
            render_state: String::new(),
            warnings: Vec::new(),
            calls: Vec::new(),
        },
        guids: Vec::new(),
        last_frame: HashMap::new(),
    };
    set_variables(&mut card, vars, false, shared.clock.epoch_ms());
    Ok(card)
}

/// Turns delivery results into the HTTP-200 failure DingTalk reports (`success: false`).
fn fail_results(results: &mut [Value], card: &mut Card, before: usize) {
    for r in results.iter_mut() {
        if let Value::Object(m) = r {
            m.insert("success".into(), json!(false));
            m.insert("errorMsg".into(), json!("deliver failed"));
            m.insert("carrierId".into(), json!(""));
        }
    }
    card.view.spaces.truncate(before);
}

fn create_common(shared: &Shared, caller: &Caller, body: &[u8], deliver: bool, fail: bool) -> Response {
    let map = match envelope::parse_object(Host::New, body) {
        Ok(m) => m,
        Err(r) => return r,
    };
    let mut card = match new_card(shared, caller, &map) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let id = card.view.out_track_id.clone();
    let now = shared.clock.epoch_ms();
    let results = if deliver {
        let mut ids = Vec::new();
        // Carrier ids are unique per card, as DingTalk's message ids are (quotes of a card name its carrier).
        let mut carrier = || {
            let carrier = format!("carrier{}.{id}", ids.len() + 1);
            ids.push(carrier.clone());
            carrier
        };
        match deliver_results(shared, caller, &map, &mut card, &mut carrier) {
            Ok(mut r) => {
                if fail {
                    fail_results(&mut r, &mut card, 0);
                }
                Some(r)
            }
            Err(r) => return r,
        }
    } else {
        None
    };
    let mut inner = shared.lock();
    if inner.cards.contains_key(&id) {
        return param_error("param.outTrackId.duplicated", "outTrackId已存在");
    }
    inner.cards.insert(id.clone(), card);
    let (endpoint, body) = match results {
        Some(results) => (
            "POST /v1.0/card/instances/createAndDeliver",
            json!({"success": true, "result": {"outTrackId": id, "deliverResults": results}}),
        ),
        None => (
            "POST /v1.0/card/instances",
            json!({"success": true, "result": id}),
        ),
    };
    record_call(&mut inner, &id, now, endpoint, &Value::Object(map), 200);
    envelope::ok(&body)
}

/// `POST /v1.0/card/instances/createAndDeliver`.
pub(crate) async fn create_and_deliver(
    axum::extract::State(shared): axum::extract::State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    fault: Option<Extension<crate::faults::BusinessFault>>,
    body: Bytes,
) -> Response {
    create_common(&shared, &caller, &body, true, fault.is_some())
}

/// `POST /v1.0/card/instances`.
pub(crate) async fn create(
    axum::extract::State(shared): axum::extract::State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Response {
    create_common(&shared, &caller, &body, false, false)
}

fn card_not_exist() -> Response {
    envelope::api_error(StatusCode::BAD_REQUEST, "cardNotExist", "卡片不存在")
}

/// Takes the card out of the map (owned by the caller's app) for an update.
fn take_card(shared: &Shared, caller: &Caller, map: &Map<String, Value>) -> Result<Card, Response> {
    let id = envelope::req_str(map, "outTrackId")?;
    let inner = shared.lock();
    match inner.cards.get(id) {
        Some(c) if c.view.client_id == caller.client_id => Ok(c.clone()),
        _ => Err(card_not_exist()),
    }
}

fn put_back(shared: &Shared, card: Card, endpoint: &str, body: &Value, status: u16) {
    let id = card.view.out_track_id.clone();
    let mut inner = shared.lock();
    inner.cards.insert(id.clone(), card);
    record_call(&mut inner, &id, shared.clock.epoch_ms(), endpoint, body, status);
}

/// `POST /v1.0/card/instances/deliver`.
pub(crate) async fn deliver(
    axum::extract::State(shared): axum::extract::State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    fault: Option<Extension<crate::faults::BusinessFault>>,
    body: Bytes,
) -> Response {
    let map = match envelope::parse_object(Host::New, &body) {
        Ok(m) => m,
        Err(r) => return r,
    };
    let mut card = match take_card(&shared, &caller, &map) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let base = card.view.spaces.len();
    let out_track_id = card.view.out_track_id.clone();
    let mut n = 0;
    let mut carrier = || {
        n += 1;
        format!("carrier{}.{out_track_id}", base + n)
    };
    let mut results = match deliver_results(&shared, &caller, &map, &mut card, &mut carrier) {
        Ok(r) => r,
        Err(r) => return r,
    };
    if fault.is_some() {
        fail_results(&mut results, &mut card, base);
    }
    put_back(
        &shared,
        card,
        "POST /v1.0/card/instances/deliver",
        &Value::Object(map),
        200,
    );
    envelope::ok(&json!({"success": true, "result": results}))
}

/// `PUT /v1.0/card/instances`.
pub(crate) async fn update(
    axum::extract::State(shared): axum::extract::State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Response {
    let map = match envelope::parse_object(Host::New, &body) {
        Ok(m) => m,
        Err(r) => return r,
    };
    let mut card = match take_card(&shared, &caller, &map) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let vars = match param_map(&map, "cardData") {
        Ok(v) => v,
        Err(r) => return r,
    };
    let merge = map
        .get("cardUpdateOptions")
        .and_then(|o| o.get("updateCardDataByKey"))
        .is_some_and(|v| v.as_bool() == Some(true) || v.as_str() == Some("true"));
    if let Some(vars) = vars {
        set_variables(&mut card, vars, merge, shared.clock.epoch_ms());
    }
    put_back(
        &shared,
        card,
        "PUT /v1.0/card/instances",
        &Value::Object(map),
        200,
    );
    envelope::ok(&json!({"success": true, "result": true}))
}

fn over_qps(shared: &Shared, client_id: &str) -> bool {
    let Some(qps) = shared.cfg.card_streaming_qps else {
        return false;
    };
    let now = shared.clock.now();
    let mut inner = shared.lock();
    let window = inner.streaming_calls.entry(client_id.to_owned()).or_default();
    while window
        .front()
        .is_some_and(|t| now.saturating_duration_since(*t) >= Duration::from_secs(1))
    {
        window.pop_front();
    }
    if window.len() >= qps as usize {
        return true;
    }
    window.push_back(now);
    false
}

/// `PUT /v1.0/card/streaming`.
pub(crate) async fn streaming(
    axum::extract::State(shared): axum::extract::State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Response {
    const ENDPOINT: &str = "PUT /v1.0/card/streaming";
    let map = match envelope::parse_object(Host::New, &body) {
        Ok(m) => m,
        Err(r) => return r,
    };
    let mut card = match take_card(&shared, &caller, &map) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let fields = ["guid", "key"].map(|k| envelope::req_str(&map, k).map(str::to_owned));
    let [guid, key] = fields;
    let (guid, key) = match (guid, key) {
        (Ok(g), Ok(k)) => (g, k),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let content = match map.get("content") {
        Some(Value::String(s)) => s.clone(),
        None | Some(Value::Null) => {
            return envelope::bad_param(
                "MissingParameter.content",
                "content is mandatory for this action.",
            );
        }
        Some(_) => return param_error("param.content.invalid", "content must be a string"),
    };
    if over_qps(&shared, &caller.client_id) {
        put_back(&shared, card, ENDPOINT, &Value::Object(map), 403);
        return envelope::api_error(
            StatusCode::FORBIDDEN,
            "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi",
            "调用频率超过限制",
        );
    }
    let template = shared.lock().templates.get(&card.view.card_template_id).cloned();
    let key_ok = template.is_some_and(|t| t.has_key(&key));
    if !key_ok {
        put_back(&shared, card, ENDPOINT, &Value::Object(map), 400);
        return param_error("param.key.invalid", "key不是模板变量");
    }
    if card.guids.contains(&guid) {
        put_back(&shared, card, ENDPOINT, &Value::Object(map), 200);
        return envelope::ok(&json!({"success": true, "result": true}));
    }
    card.guids.push(guid);
    if content.len() > STREAM_CONTENT_ADVISED_BYTES {
        card.view.warnings.push(format!(
            "streaming frame on {key} carries {} bytes (over the advised 1 KB per call)",
            content.len()
        ));
    }
    let now = shared.clock.now();
    let gap = card
        .last_frame
        .insert(key.clone(), now)
        .map(|prev| now.saturating_duration_since(prev));
    let is_full = envelope::opt_bool(&map, "isFull");
    let finalize = envelope::opt_bool(&map, "isFinalize");
    let is_error = envelope::opt_bool(&map, "isError");
    let state = card
        .view
        .streams
        .entry(key.clone())
        .or_insert_with(StreamKeyState::default);
    if state.finalized {
        state.late_frames += 1;
    } else {
        state.frames += 1;
        if is_full {
            state.content = content;
        } else {
            state.content.push_str(&content);
        }
        state.finalized = finalize;
        state.error |= is_error;
        if let Some(gap) = gap {
            let ms = u64::try_from(gap.as_millis()).unwrap_or(u64::MAX);
            state.min_frame_gap_ms = Some(state.min_frame_gap_ms.map_or(ms, |m| m.min(ms)));
        }
        let text = state.content.clone();
        card.view.variables.insert(key, text);
    }
    put_back(&shared, card, ENDPOINT, &Value::Object(map), 200);
    envelope::ok(&json!({"success": true, "result": true}))
}
