//! The running sandbox and its Rust control API.

use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;

use crate::control;
use crate::model::{
    Burst, CardCallbackResult, CardView, FaultRule, InjectCardCallback, InjectEvent, InjectMessage, Injected,
    OutboxEntry, PushRecord, SocketFault, Stats,
};
use crate::org::Org;
use crate::state::Shared;

/// A running sandbox. Dropping it stops the server and every task it started.
pub struct SandboxHandle {
    shared: Arc<Shared>,
    tasks: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for SandboxHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxHandle")
            .field("base_url", &self.shared.base_url)
            .finish_non_exhaustive()
    }
}

/// A control call was refused (unknown ids, bad input).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("sandbox control call refused: {code}")]
pub struct ControlError {
    code: String,
    message: String,
}

impl ControlError {
    pub(crate) fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
        }
    }

    /// A DingTalk-style code, e.g. `invalid.openConversationId`.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// A human-readable explanation.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl SandboxHandle {
    pub(crate) fn new(shared: Arc<Shared>, tasks: Vec<JoinHandle<()>>) -> Self {
        Self { shared, tasks }
    }

    /// `http://127.0.0.1:PORT`: the base of every API, login, control and Stream path.
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// The demo org.
    pub fn org(&self) -> &Org {
        &self.shared.org
    }

    /// Stops the server and waits for its tasks.
    pub async fn shutdown(mut self) {
        self.shared.shutdown.send_replace(true);
        for task in self.tasks.drain(..) {
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
    }

    /// Delivers a user message to the app's Stream connections.
    pub fn inject_message(&self, msg: &InjectMessage) -> Result<Injected, ControlError> {
        crate::stream::delivery::inject_message(&self.shared, msg).map_err(|(c, m)| ControlError::new(c, m))
    }

    /// Injects a card action callback and waits (bounded) for the client's ack.
    pub async fn inject_card_callback(
        &self,
        cb: &InjectCardCallback,
    ) -> Result<CardCallbackResult, ControlError> {
        control::inject_card_callback(&self.shared, cb).await
    }

    /// Injects an EVENT; returns the push's `messageId` (or a `queued-` id).
    pub fn inject_event(&self, ev: &InjectEvent) -> Result<String, ControlError> {
        control::inject_event(&self.shared, ev)
    }

    /// Pushes `count` bot messages as fast as possible.
    pub fn burst(&self, burst: &Burst) -> Result<u64, ControlError> {
        control::burst(&self.shared, burst)
    }

    /// Messages the app sent with `seq > since`, in order.
    pub fn outbox(&self, since: u64) -> Vec<OutboxEntry> {
        control::outbox(&self.shared, since)
    }

    /// Every API request (method, path, status, injected fault, app) with `seq > since`, in arrival order.
    pub fn requests(&self, since: u64) -> Vec<crate::model::RequestRecord> {
        control::requests(&self.shared, since)
    }

    /// Every card.
    pub fn cards(&self) -> Vec<CardView> {
        control::cards(&self.shared)
    }

    /// One card by `outTrackId`.
    pub fn card(&self, out_track_id: &str) -> Option<CardView> {
        control::card(&self.shared, out_track_id)
    }

    /// Every business frame pushed, with its ack, in push order.
    pub fn pushes(&self) -> Vec<PushRecord> {
        control::pushes(&self.shared)
    }

    /// Waits until `pred(stats)` holds, polling every 5 ms, for at most `timeout`. Returns whether it held.
    pub async fn wait_for(&self, timeout: Duration, mut pred: impl FnMut(&Stats) -> bool) -> bool {
        let polls = timeout.as_millis() / 5 + 1;
        for _ in 0..polls {
            if pred(&self.stats()) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        pred(&self.stats())
    }

    /// Waits until at least `n` Stream connections are open (bounded by `timeout`).
    pub async fn wait_for_connections(&self, n: usize, timeout: Duration) -> bool {
        self.wait_for(timeout, |s| s.connections.iter().filter(|c| c.open).count() >= n)
            .await
    }

    /// Waits until the frame with this `headers.messageId` is acked (bounded by `timeout`).
    pub async fn wait_for_ack(&self, message_id: &str, timeout: Duration) -> bool {
        let polls = timeout.as_millis() / 5 + 1;
        for _ in 0..polls {
            if self
                .shared
                .lock()
                .sent
                .get(message_id)
                .is_some_and(|s| s.acked_at.is_some())
            {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        false
    }

    /// Stream statistics.
    pub fn stats(&self) -> Stats {
        control::stats(&self.shared)
    }

    /// Adds an HTTP fault rule.
    pub fn set_fault(&self, rule: FaultRule) {
        crate::faults::add_rule(&mut self.shared.lock(), rule);
    }

    /// Removes every HTTP fault rule.
    pub fn clear_faults(&self) {
        self.shared.lock().faults.clear();
    }

    /// Applies a socket fault to one connection, or to every open connection when `connection_id` is `None`.
    pub fn socket_fault(&self, connection_id: Option<&str>, fault: &SocketFault) -> usize {
        control::socket_fault(&self.shared, connection_id, fault)
    }

    /// Changes the redelivery delay at run time (e.g. to delay redelivery).
    pub fn set_redelivery_after(&self, after: Duration) {
        self.shared.lock().redelivery_after = after;
    }

    /// Moves virtual time forward (tokens, tickets, webhooks and redelivery timers see it).
    pub fn advance(&self, by: Duration) {
        self.shared.clock.advance(by);
        crate::stream::delivery::tick(&self.shared);
    }

    /// Expires every issued token now.
    pub fn expire_tokens(&self) {
        self.shared.lock().tokens.expire_all();
    }

    /// Sets the user the login pages approve as (`POST /_sandbox/login {"loginUser"}`).
    pub fn set_login_user(&self, user_id: &str) -> Result<(), ControlError> {
        let settings = crate::oauth::LoginSettings {
            login_user: Some(user_id.to_owned()),
            ..Default::default()
        };
        crate::oauth::apply_settings(&self.shared, &settings).map_err(|(c, m)| ControlError::new(c, m))
    }

    /// Sets what `GET /oauth2/auth` does: approve, show a form, or deny.
    pub fn set_authorize_mode(&self, mode: crate::AuthorizeMode) {
        self.shared.lock().login.authorize_mode = mode;
    }

    /// Approves device codes on their `n`-th poll; `None`: only [`Self::approve_device`] / [`Self::deny_device`].
    pub fn set_device_auto_approve_after(&self, polls: Option<u32>) {
        self.shared.lock().login.device_auto_approve_after = polls.filter(|n| *n > 0);
    }

    /// Approves a pending device code (by its user code) as the login user.
    pub fn approve_device(&self, user_code: &str) -> Result<(), ControlError> {
        crate::oauth::decide_device(&self.shared, user_code, true, None)
            .map_err(|(c, m)| ControlError::new(c, m))
    }

    /// Approves a pending device code (by its user code) as `user_id`.
    pub fn approve_device_as(&self, user_code: &str, user_id: &str) -> Result<(), ControlError> {
        crate::oauth::decide_device(&self.shared, user_code, true, Some(user_id))
            .map_err(|(c, m)| ControlError::new(c, m))
    }

    /// Denies a pending device code (by its user code): the next poll answers `access_denied`.
    pub fn deny_device(&self, user_code: &str) -> Result<(), ControlError> {
        crate::oauth::decide_device(&self.shared, user_code, false, None)
            .map_err(|(c, m)| ControlError::new(c, m))
    }

    /// Revokes every token of a user (access tokens stop working, refresh tokens and codes are refused);
    /// returns how many were revoked.
    pub fn revoke_user_tokens(&self, user_id: &str) -> usize {
        crate::oauth::revoke_user_tokens(&self.shared, user_id, None)
    }

    /// Removes scopes from an app: its routes needing them answer 403 `…AccessTokenPermissionDenied`.
    pub fn remove_scopes(&self, client_id: &str, scopes: &[&str]) {
        let scopes: Vec<String> = scopes.iter().map(|s| (*s).to_owned()).collect();
        crate::registry::set_scopes(&self.shared, client_id, &scopes, false);
    }

    /// Grants scopes (back) to an app.
    pub fn grant_scopes(&self, client_id: &str, scopes: &[&str]) {
        let scopes: Vec<String> = scopes.iter().map(|s| (*s).to_owned()).collect();
        crate::registry::set_scopes(&self.shared, client_id, &scopes, true);
    }

    /// The scopes an app holds.
    pub fn scopes(&self, client_id: &str) -> Vec<String> {
        crate::registry::granted(&self.shared, client_id)
    }

    /// Registers (or replaces, by token) a custom webhook robot at run time.
    pub fn add_webhook_robot(&self, robot: crate::WebhookRobot) {
        crate::webhook::register(&self.shared, robot);
    }

    /// Registers (or replaces, by id) a card template at run time.
    pub fn add_card_template(&self, template: crate::CardTemplate) {
        crate::cards::register_template(&self.shared, template);
    }

    /// Switches a template between renderable and "accepted but unrenderable"; false when the id is unknown.
    pub fn set_template_renderable(&self, template_id: &str, renderable: bool) -> bool {
        let mut inner = self.shared.lock();
        match inner.templates.get_mut(template_id) {
            Some(t) => {
                t.renderable = renderable;
                true
            }
            None => false,
        }
    }

    /// Marks a robot message (by `processQueryKey`) as read by these users, for the read-status endpoints.
    pub fn mark_read(&self, process_query_key: &str, user_ids: &[&str]) {
        let ids: Vec<String> = user_ids.iter().map(|s| (*s).to_owned()).collect();
        crate::robot::mark_read(&self.shared, process_query_key, &ids);
    }

    /// Clears records, pushes and faults and returns the product twins to their seeds (keeps tokens,
    /// connections and the org).
    pub fn reset(&self) {
        self.shared.reset();
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        self.shared.shutdown.send_replace(true);
        for task in &self.tasks {
            task.abort();
        }
    }
}
