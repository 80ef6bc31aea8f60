//! The bot runtime: accepted messages → access checks → per-session queue → agent → card or markdown reply.
//!
//! `dingtalk-stream`'s dispatcher delivers each robot message once (dedup on both ids, ack before processing) and
//! in order per conversation. [`BotHandler::on_bot_message`] returns quickly: it filters, answers stop words and
//! commands at once, and queues prompts per session key (BOT-40..45). One worker per session key runs the agent;
//! at most `agent.max_concurrent` agents run per account.

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dingtalk_cards::{CardDriver, CardHandle, CardTarget, FinalTexts};
use dingtalk_core::{Clock, ConversationType, OpenConversationId, SystemClock, UserId};
use dingtalk_openapi::Client;
use dingtalk_stream::{
    BotMessage, Callback, CallbackPayload, Handler, HandlerError, MessageContent, RichTextItem,
};
use tokio::sync::{Semaphore, oneshot};

use crate::access::{self, DmDecision, GroupDecision, Sender};
use crate::agent::{AgentEvent, AgentOutcome, AgentRequest, AgentSpec};
use crate::config::{AccountConfig, GroupScope, ReplyMode};
use crate::pairing::{ApproveOutcome, Pairing, PairingReply, PairingStore};
use crate::registry::{ConversationEntry, ConversationStore};
use crate::reply::{Conversation, Replier, ReplyTarget};
use crate::sessions::AgentSessions;
use crate::tags;

/// Everything one account's bot needs.
pub struct BotParts {
    /// The account id.
    pub account_id: String,
    /// The account configuration.
    pub account: AccountConfig,
    /// The OpenAPI client (app token, the app's limiter).
    pub client: Client,
    /// The card driver, when replies use cards.
    pub cards: Option<CardDriver>,
    /// The agent.
    pub agent: AgentSpec,
    /// Pairing state.
    pub pairing: Arc<dyn PairingStore>,
    /// Known conversations.
    pub registry: Arc<dyn ConversationStore>,
    /// Final texts of finished answer cards, for quoted replies (`session.journal_ttl_days`).
    pub final_texts: Arc<dyn FinalTexts>,
    /// The agent's session id per session key (`agent.resume_sessions`).
    pub agent_sessions: Arc<dyn AgentSessions>,
}

/// One account's bot. Cheap to clone.
#[derive(Clone)]
pub struct Bot {
    inner: Arc<Inner>,
}

struct Inner {
    account_id: String,
    account: AccountConfig,
    client: Client,
    replier: Replier,
    cards: Option<CardDriver>,
    agent: AgentSpec,
    pairing: Pairing<Arc<dyn PairingStore>>,
    registry: Arc<dyn ConversationStore>,
    final_texts: Arc<dyn FinalTexts>,
    agent_sessions: Arc<dyn AgentSessions>,
    /// Stores since the last prune of expired final texts.
    stores: std::sync::atomic::AtomicU32,
    sessions: Mutex<HashMap<String, Session>>,
    agents: Semaphore,
    denied_notified: Mutex<HashMap<String, u64>>,
    clock: Arc<dyn Clock>,
}

#[derive(Default)]
struct Session {
    queue: VecDeque<Job>,
    running: Option<Running>,
    worker: bool,
    replied_before: bool,
}

struct Running {
    asker: String,
    stop: Option<oneshot::Sender<String>>,
}

struct Job {
    /// The inbound message and its conversation, for the "thinking" reaction.
    origin: (dingtalk_core::MsgId, OpenConversationId, dingtalk_core::RobotCode),
    prompt: String,
    asker: String,
    target: ReplyTarget,
    card_target: CardTarget,
    mode: ReplyMode,
    system_prompt: Option<String>,
    /// The queued card (card mode, when the message had to wait): it becomes the answer card.
    card: Option<CardHandle>,
    /// When the message was queued, epoch ms (`queue.max_wait_s`).
    queued_at_ms: u64,
}

/// Quotes `text` as a markdown block (every line), at most 4000 characters of it.
fn quote_block(text: &str) -> String {
    const MAX: usize = 4000;
    let text = text.trim();
    let mut cut: String = text.chars().take(MAX).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    cut.lines()
        .map(|l| format!("> {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What a stop press on a card did to the queue.
enum QueuedPress {
    /// No queued message has that card.
    NotQueued,
    /// The presser is neither the asker nor an owner.
    NotAllowed,
    /// The message left the queue; its card is to be ended.
    Cancelled(CardHandle),
}

/// The visible queued notice (BOT-41).
fn queued_notice(ahead: usize) -> String {
    format!("⏳ 已排队（前面还有 {ahead} 条）")
}

impl std::fmt::Debug for Bot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bot")
            .field("account", &self.inner.account_id)
            .finish_non_exhaustive()
    }
}

impl Bot {
    /// Builds the bot.
    pub fn new(parts: BotParts) -> Self {
        let replier = Replier::new(
            parts.client.clone(),
            parts.account.reply.clone(),
            &parts.account.name,
        );
        let pairing = Pairing::new(parts.pairing, &parts.account.access.pairing);
        let agents = Semaphore::new(parts.account.agent.max_concurrent.max(1));
        Self {
            inner: Arc::new(Inner {
                account_id: parts.account_id,
                replier,
                client: parts.client,
                cards: parts.cards,
                agent: parts.agent,
                pairing,
                registry: parts.registry,
                final_texts: parts.final_texts,
                agent_sessions: parts.agent_sessions,
                stores: std::sync::atomic::AtomicU32::new(0),
                sessions: Mutex::new(HashMap::new()),
                agents,
                denied_notified: Mutex::new(HashMap::new()),
                clock: Arc::new(SystemClock),
                account: parts.account,
            }),
        }
    }

    /// The handler to give `dingtalk_stream::Dispatcher`.
    pub fn handler(&self) -> BotHandler {
        BotHandler { bot: self.clone() }
    }

    /// Closes the account's live cards ("service restarting") and waits up to `grace` for the closing calls (for
    /// graceful shutdown, after the connection stopped accepting messages).
    pub async fn close_cards(&self, grace: Duration) {
        if let Some(driver) = &self.inner.cards {
            driver.close_all(grace).await;
        }
    }

    /// Whether any agent run is active or queued (for graceful shutdown).
    pub fn busy(&self) -> bool {
        self.inner
            .lock_sessions()
            .values()
            .any(|s| s.running.is_some() || !s.queue.is_empty())
    }

    /// Handles one accepted robot message.
    pub async fn accept(&self, msg: &BotMessage) {
        let inner = &self.inner;
        let account = &inner.account;
        let sender = Sender {
            staff_id: msg.sender_staff_id.as_ref().map(dingtalk_core::StaffId::as_str),
            sender_id: msg.sender_id.as_str(),
        };
        if access::is_self(account, sender, msg.chatbot_user_id.as_deref().unwrap_or("")) {
            return;
        }
        let group = msg.conversation_type == Some(ConversationType::Group);
        let asker = sender.staff_id.unwrap_or(sender.sender_id).to_owned();
        inner.registry.upsert(&ConversationEntry {
            account: inner.account_id.clone(),
            conversation_id: msg.conversation_id.to_string(),
            group,
            title: msg.conversation_title.clone().unwrap_or_default(),
            robot_code: msg.robot_code.to_string(),
            last_sender_staff_id: asker.clone(),
            last_seen_ms: inner.clock.epoch_millis(),
        });
        let target = Self::reply_target(msg, group, &asker);
        // Access is decided on the typed text alone: nothing is downloaded for senders who are turned away.
        let typed = msg.content.text().unwrap_or_default();
        let gated = if group {
            let at = msg.is_in_at_list.unwrap_or(false);
            match access::check_group(account, msg.conversation_id.as_str(), sender, at, &typed) {
                GroupDecision::Accept { text } => text,
                GroupDecision::Drop(reason) => {
                    tracing::debug!(?reason, "group message dropped");
                    return;
                }
            }
        } else {
            match self.dm_gate(sender, &asker, typed.trim(), &target).await {
                Some(text) => text,
                None => return,
            }
        };
        // Stop words and `/new` are what the user typed: quoting a message while saying "stop" still stops.
        let (text, typed) = if matches!(msg.content, MessageContent::Text(_) | MessageContent::Markdown(_)) {
            (self.with_quote(msg, gated.clone()), gated)
        } else {
            let text = self.prompt_text(msg).await;
            (text.clone(), text)
        };
        let key = self.session_key(msg, group, &asker);
        if access::is_stop_word(&typed, &account.queue.stop_words) {
            self.stop(&key, &asker, &target).await;
            return;
        }
        if typed.trim() == "/new" {
            inner.agent_sessions.set(&key, None);
            self.say(&target, "已开始新的会话。").await;
            return;
        }
        if text.is_empty() {
            return;
        }
        let group_config = if group {
            account.group(msg.conversation_id.as_str())
        } else {
            None
        };
        let mode = group_config
            .as_ref()
            .and_then(|g| g.reply_mode)
            .or(if group { account.reply.group_mode } else { None })
            .unwrap_or(account.reply.mode);
        let card_target = if group {
            CardTarget::Group(OpenConversationId::new(msg.conversation_id.to_string()))
        } else {
            CardTarget::Direct(UserId::new(asker.clone()))
        };
        let job = Job {
            origin: (
                msg.id.clone(),
                OpenConversationId::new(msg.conversation_id.to_string()),
                msg.robot_code.clone(),
            ),
            prompt: text,
            asker,
            target: target.clone(),
            card_target,
            mode,
            system_prompt: group_config.and_then(|g| g.system_prompt),
            card: None,
            queued_at_ms: inner.clock.epoch_millis(),
        };
        self.enqueue(key, job, &target).await;
    }

    /// The DM policy: `Some(text)` to process, `None` when the sender was answered (denied, pairing) or the message
    /// was an owner command.
    async fn dm_gate(
        &self,
        sender: Sender<'_>,
        asker: &str,
        text: &str,
        target: &ReplyTarget,
    ) -> Option<String> {
        let inner = &self.inner;
        if let Some(code) = text.strip_prefix("/pair approve ") {
            self.approve_by_dm(asker, code, target).await;
            return None;
        }
        let approved = inner.pairing.store().approved(&inner.account_id);
        match access::check_dm(&inner.account, sender, &approved) {
            DmDecision::Accept => Some(text.to_owned()),
            DmDecision::Deny { reply } => {
                if reply && self.first_in_hour(asker) {
                    let text = format!("你没有使用此机器人的权限。请把你的 ID `{asker}` 发给管理员开通。");
                    self.say(target, &text).await;
                }
                None
            }
            DmDecision::Pair => {
                let now = inner.clock.epoch_millis();
                let reply = inner
                    .pairing
                    .request(&inner.account_id, asker, now, &mut rand::rng());
                match reply {
                    PairingReply::Code(code) => {
                        let text = format!(
                            "首次使用需要配对。请把配对码 **{code}** 发给管理员批准（1 小时内有效）。"
                        );
                        self.say(target, &text).await;
                    }
                    PairingReply::TryLater => {
                        if self.first_in_hour(asker) {
                            self.say(target, "待批准的配对请求过多，请稍后再试。").await;
                        }
                    }
                    PairingReply::Silent => {}
                }
                None
            }
        }
    }

    /// Prepends the quoted message of a reply (`text.repliedMsg`) as context: a quoted card of this bot by its
    /// final text (looked up by `originalProcessQueryKey`), anything else by its text.
    fn with_quote(&self, msg: &BotMessage, text: String) -> String {
        let MessageContent::Text(t) = &msg.content else {
            return text;
        };
        let Some(replied) = t.replied_msg.as_ref() else {
            return text;
        };
        let quoted = self.quoted_card_text(msg, &replied.content).or_else(|| {
            replied
                .content
                .get("text")
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        });
        match quoted {
            Some(q) if !q.trim().is_empty() => format!("{}\n\n{text}", quote_block(&q)),
            _ => text,
        }
    }

    /// The final text of the bot's own card a message quotes: DingTalk names the card by its delivery carrier in
    /// the message's `originalProcessQueryKey`; `processQueryKey` / `outTrackId` inside the quoted content are
    /// accepted too (shapes seen in other clients; unverified).
    fn quoted_card_text(&self, msg: &BotMessage, replied: &serde_json::Value) -> Option<String> {
        let inner = &self.inner;
        let keys = [
            msg.extra.get("originalProcessQueryKey"),
            replied.get("processQueryKey"),
            replied.get("outTrackId"),
        ];
        let now = inner.clock.epoch_millis();
        keys.into_iter()
            .flatten()
            .filter_map(serde_json::Value::as_str)
            .filter(|k| !k.is_empty())
            .find_map(|key| match inner.final_texts.get(&inner.account_id, key, now) {
                Ok(found) => found,
                Err(e) => {
                    tracing::warn!(error = %e, "final text lookup failed");
                    None
                }
            })
    }

    /// Keeps a finished card answer for quoted replies, `session.journal_ttl_days` long.
    fn remember_final_text(&self, keys: &[String], text: &str) {
        let inner = &self.inner;
        let ttl_days = inner.account.session.journal_ttl_days;
        if keys.is_empty() || ttl_days == 0 {
            return;
        }
        let now = inner.clock.epoch_millis();
        let expires = now.saturating_add(ttl_days.saturating_mul(86_400_000));
        if let Err(e) = inner.final_texts.put(&inner.account_id, keys, text, expires) {
            tracing::warn!(error = %e, "final text not kept");
        }
        // Expired rows are dropped now and then, not on every answer.
        if inner
            .stores
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            .is_multiple_of(64)
            && let Err(e) = inner.final_texts.prune(now)
        {
            tracing::warn!(error = %e, "final text prune failed");
        }
    }

    async fn enqueue(&self, key: String, mut job: Job, target: &ReplyTarget) {
        let inner = &self.inner;
        let feedback = inner.account.queue.queued_feedback;
        let (text_notice, spawn, full) = {
            let mut sessions = inner.lock_sessions();
            let session = sessions.entry(key.clone()).or_default();
            let depth = session.queue.len() + usize::from(session.running.is_some());
            if depth >= inner.account.queue.max_depth {
                (None, false, true)
            } else {
                let mut text_notice = None;
                if depth > 0 && feedback {
                    match (&inner.cards, job.mode) {
                        // Card mode: a queued card right away, which becomes the answer card (BOT-41); while
                        // cards are degraded to markdown, the text notice.
                        (Some(driver), ReplyMode::Card) if !driver.is_degraded() => {
                            let card = driver.start(job.card_target.clone());
                            card.queued(queued_notice(depth));
                            job.card = Some(card);
                        }
                        _ => text_notice = Some(queued_notice(depth)),
                    }
                }
                session.queue.push_back(job);
                let spawn = !session.worker;
                session.worker = true;
                (text_notice, spawn, false)
            }
        };
        if full {
            self.say(target, "当前排队已满，请稍后再试").await;
            return;
        }
        if let Some(notice) = text_notice {
            self.say(target, &notice).await;
        }
        if spawn {
            let bot = self.clone();
            tokio::spawn(async move { bot.worker(key).await });
        }
    }

    async fn worker(self, key: String) {
        loop {
            let job = {
                let mut sessions = self.inner.lock_sessions();
                let Some(session) = sessions.get_mut(&key) else {
                    return;
                };
                let Some(job) = session.queue.pop_front() else {
                    session.worker = false;
                    return;
                };
                // Everyone still waiting moves up one place.
                for (i, waiting) in session.queue.iter().enumerate() {
                    if let Some(card) = &waiting.card {
                        card.queued(queued_notice(i + 1));
                    }
                }
                job
            };
            let max_wait = self.inner.account.queue.max_wait_s;
            let waited_ms = self.inner.clock.epoch_millis().saturating_sub(job.queued_at_ms);
            if max_wait > 0 && waited_ms > max_wait.saturating_mul(1000) {
                self.drop_stale(job).await;
                continue;
            }
            let Ok(_permit) = self.inner.agents.acquire().await else {
                return;
            };
            // Read when the run starts: a `/new` sent while this message waited applies to it.
            let resume = self.inner.agent_sessions.get(&key);
            let (stop_tx, stop_rx) = oneshot::channel();
            if let Some(session) = self.inner.lock_sessions().get_mut(&key) {
                session.running = Some(Running {
                    asker: job.asker.clone(),
                    stop: Some(stop_tx),
                });
            }
            let new_session = self.run_job(&key, job, resume, stop_rx).await;
            if let Some(session) = self.inner.lock_sessions().get_mut(&key) {
                session.running = None;
                session.replied_before = true;
            }
            if let Some(id) = new_session {
                self.inner.agent_sessions.set(&key, Some(&id));
            }
        }
    }

    /// A message that waited longer than `queue.max_wait_s` is not run: its queued card (or a text) says so.
    async fn drop_stale(&self, mut job: Job) {
        let note = "⌛ 排队超时，未处理，请重新发送";
        tracing::info!(asker = %job.asker, "queued message dropped after max_wait_s");
        if let Some(mut card) = job.card.take() {
            card.fail(note);
            let (fallbacks, _) = card.closed().await;
            for (text, _) in fallbacks {
                self.say_mode(&job.target, &text, ReplyMode::Markdown).await;
            }
        } else {
            self.say(&job.target, note).await;
        }
    }

    /// Runs one prompt to its reply; returns the agent's session id.
    async fn run_job(
        &self,
        key: &str,
        job: Job,
        resume: Option<String>,
        mut stop: oneshot::Receiver<String>,
    ) -> Option<String> {
        let mut job = job;
        let queued_card = job.card.take();
        let inner = &self.inner;
        let first_reply = !inner.lock_sessions().get(key).is_some_and(|s| s.replied_before);
        let request = AgentRequest {
            prompt: job.prompt.clone(),
            session_id: resume,
            system_prompt: job.system_prompt.clone(),
        };
        let reaction = inner.account.reply.ack == crate::config::AckMode::Reaction;
        if reaction {
            self.react(&job, false).await;
        }
        let mut run = inner.agent.start(request);
        let mut card = match (queued_card, job.mode, &inner.cards) {
            (Some(card), _, _) => {
                // Its turn: the queued notice goes away.
                card.push(String::new());
                Some(card)
            }
            (None, ReplyMode::Card, Some(driver)) => Some(driver.start(job.card_target.clone())),
            _ => None,
        };
        let mut session_id = None;
        let mut stopped_by = None;
        let mut live = LiveCard {
            card: card.as_ref(),
            show_tools: inner.account.reply.show_tool_status,
            show_results: inner.account.reply.show_tool_result,
            streamed: String::new(),
            results: VecDeque::new(),
        };
        loop {
            tokio::select! {
                event = run.events.recv() => match event {
                    Some(AgentEvent::Session(id)) => session_id = Some(id),
                    Some(event) => live.on_event(event),
                    None => break,
                },
                by = &mut stop, if stopped_by.is_none() => {
                    stopped_by = Some(by.unwrap_or_default());
                    run.stop();
                }
            }
        }
        let outcome = run.wait().await;
        let prefix = if first_reply {
            inner.account.reply.response_prefix.clone()
        } else {
            String::new()
        };
        let (visible, media) = match &outcome {
            AgentOutcome::Finished(text) => {
                let (visible, media) = tags::extract(text);
                (format!("{prefix}{visible}"), media)
            }
            _ => (String::new(), Vec::new()),
        };
        match (&mut card, &outcome) {
            (Some(card), AgentOutcome::Finished(_)) => card.finish(visible.clone()),
            (Some(card), AgentOutcome::Stopped) => card.stop(stopped_by.clone().unwrap_or_default()),
            (Some(card), AgentOutcome::TimedOut) => card.fail("⏱️ 超时"),
            (Some(card), AgentOutcome::Failed(reason)) => card.fail(reason.clone()),
            (None, AgentOutcome::Finished(_)) => self.say_mode(&job.target, &visible, job.mode).await,
            (None, AgentOutcome::Stopped) => self.say(&job.target, "⏹️ 已停止").await,
            (None, AgentOutcome::TimedOut) => self.say(&job.target, "❌ 处理失败：⏱️ 超时").await,
            (None, AgentOutcome::Failed(reason)) => {
                self.say(&job.target, &format!("❌ 处理失败：{reason}")).await;
            }
        }
        if let Some(mut card) = card.take() {
            let (fallbacks, _) = card.closed().await;
            if matches!(outcome, AgentOutcome::Finished(_)) {
                self.remember_final_text(card.keys(), &visible);
            }
            for (text, _reason) in fallbacks {
                self.say_mode(&job.target, &text, ReplyMode::Markdown).await;
            }
        }
        self.send_media_tags(&job.target, media).await;
        if reaction {
            self.react(&job, true).await;
        }
        session_id
    }

    /// Sends the media tags of an answer after its text, in order; a refused or failed one becomes a visible
    /// `📎 发送失败` line (BOT-22..24).
    async fn send_media_tags(&self, target: &ReplyTarget, media: Vec<tags::MediaTag>) {
        for tag in media {
            let name = std::path::Path::new(&tag.path)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let sent = match tags::check_media(&tag, &self.media_roots(), &self.media_limits()) {
                Ok(checked) => {
                    if tag.kind == tags::MediaKind::Video && self.send_video(target, &tag, &checked).await {
                        continue;
                    }
                    self.inner
                        .replier
                        .send_media(target, &checked, tag.kind)
                        .await
                        .map_err(|e| {
                            tracing::warn!(error = %e, "media send failed");
                            "上传失败".to_owned()
                        })
                }
                Err(refusal) => Err(refusal.to_string()),
            };
            if let Err(reason) = sent {
                self.say(target, &format!("📎 发送失败：{name}（{reason}）"))
                    .await;
            }
        }
    }

    /// A video tag with a cover as a video message; `false` (send it as a file instead) without a cover, when the
    /// cover is refused, or when the video message fails.
    async fn send_video(
        &self,
        target: &ReplyTarget,
        tag: &tags::MediaTag,
        video: &tags::CheckedMedia,
    ) -> bool {
        let Some(cover) = &tag.cover else {
            return false;
        };
        let cover_tag = tags::MediaTag {
            kind: tags::MediaKind::Image,
            path: cover.clone(),
            name: None,
            cover: None,
        };
        let cover = match tags::check_media(&cover_tag, &self.media_roots(), &self.media_limits()) {
            Ok(cover) => cover,
            Err(refusal) => {
                tracing::info!(%refusal, "video cover refused; sending the video as a file");
                return false;
            }
        };
        match self.inner.replier.send_video(target, video, &cover).await {
            Ok(()) => true,
            Err(e) => {
                tracing::info!(error = %e, "video message failed; sending the video as a file");
                false
            }
        }
    }

    /// Adds (or recalls) the `🤔思考中` text emotion on the asker's message (BOT-41, `ack = "reaction"`).
    async fn react(&self, job: &Job, recall: bool) {
        let (msg_id, cid, robot) = job.origin.clone();
        let result = if recall {
            let request = dingtalk_openapi::robot::RecallEmotion::new(robot, msg_id, cid, "🤔思考中");
            self.inner.client.execute(&request).await.map(drop)
        } else {
            let request = dingtalk_openapi::robot::ReplyEmotion::new(robot, msg_id, cid, "🤔思考中");
            self.inner.client.execute(&request).await.map(drop)
        };
        if let Err(e) = result {
            tracing::debug!(kind = ?e.kind(), "reaction failed");
        }
    }

    async fn stop(&self, key: &str, asker: &str, target: &ReplyTarget) {
        let owner = access::allowed(
            &self.inner.account.access.owners,
            Sender {
                staff_id: Some(asker),
                sender_id: asker,
            },
        );
        // 0: nothing running, 1: stopped, 2: not allowed.
        let verdict = {
            let mut sessions = self.inner.lock_sessions();
            match sessions.get_mut(key).and_then(|s| s.running.as_mut()) {
                Some(running) if running.asker == asker || owner => {
                    if let Some(tx) = running.stop.take() {
                        let _ = tx.send(asker.to_owned());
                    }
                    1
                }
                Some(_) => 2,
                None => 0,
            }
        };
        match verdict {
            0 => self.say(target, "没有正在进行的任务").await,
            2 => self.say(target, "只有提问者或管理员可以停止。").await,
            _ => {}
        }
    }

    /// A card button press: `btn_stop` on a queued message's card cancels that message (its card ends stopped);
    /// on any other card it stops the run of the session the card belongs to. Only the asker or an owner may.
    pub fn on_card_action(&self, user: &str, space_id: &str, action: &str, out_track_id: &str) {
        if action != "btn_stop" {
            return;
        }
        let owner = access::allowed(
            &self.inner.account.access.owners,
            Sender {
                staff_id: Some(user),
                sender_id: user,
            },
        );
        match self.take_queued(out_track_id, user, owner) {
            QueuedPress::Cancelled(mut card) => {
                card.stop(user);
                return;
            }
            QueuedPress::NotAllowed => return,
            QueuedPress::NotQueued => {}
        }
        let keys: Vec<String> = {
            let sessions = self.inner.lock_sessions();
            sessions
                .keys()
                .filter(|k| k.contains(space_id) || k.ends_with(&format!(":dm:{user}")))
                .cloned()
                .collect()
        };
        let mut sessions = self.inner.lock_sessions();
        for key in keys {
            if let Some(running) = sessions.get_mut(&key).and_then(|s| s.running.as_mut())
                && (running.asker == user || owner)
                && let Some(tx) = running.stop.take()
            {
                let _ = tx.send(user.to_owned());
            }
        }
    }

    /// Removes the queued message whose card is `out_track_id` if the presser may (the rest of its queue moves
    /// up).
    fn take_queued(&self, out_track_id: &str, user: &str, owner: bool) -> QueuedPress {
        let mut sessions = self.inner.lock_sessions();
        for session in sessions.values_mut() {
            let Some(at) = session.queue.iter().position(|job| {
                job.card
                    .as_ref()
                    .is_some_and(|c| c.out_track_id().as_str() == out_track_id)
            }) else {
                continue;
            };
            if session.queue[at].asker != user && !owner {
                return QueuedPress::NotAllowed;
            }
            let Some(mut job) = session.queue.remove(at) else {
                return QueuedPress::NotQueued;
            };
            let running = usize::from(session.running.is_some());
            for (i, waiting) in session.queue.iter().enumerate().skip(at) {
                if let Some(card) = &waiting.card {
                    card.queued(queued_notice(i + running));
                }
            }
            return job
                .card
                .take()
                .map_or(QueuedPress::NotQueued, QueuedPress::Cancelled);
        }
        QueuedPress::NotQueued
    }

    async fn approve_by_dm(&self, approver: &str, code: &str, target: &ReplyTarget) {
        let inner = &self.inner;
        let owner = access::allowed(
            &inner.account.access.owners,
            Sender {
                staff_id: Some(approver),
                sender_id: approver,
            },
        );
        if !owner {
            self.say(target, "只有管理员可以批准配对。").await;
            return;
        }
        let text = match inner
            .pairing
            .approve(&inner.account_id, code, approver, inner.clock.epoch_millis())
        {
            ApproveOutcome::Approved(user) => format!("已批准 {user}。"),
            ApproveOutcome::OwnCode => "不能批准自己的配对码。".to_owned(),
            _ => "没有找到这个配对码（可能已过期）。".to_owned(),
        };
        self.say(target, &text).await;
    }

    fn first_in_hour(&self, user: &str) -> bool {
        let now = self.inner.clock.epoch_millis();
        let mut seen = self
            .inner
            .denied_notified
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let fresh = seen
            .get(user)
            .is_none_or(|&at| now.saturating_sub(at) >= 3_600_000);
        if fresh {
            seen.insert(user.to_owned(), now);
        }
        fresh
    }

    async fn say(&self, target: &ReplyTarget, text: &str) {
        self.say_mode(target, text, ReplyMode::Text).await;
    }

    async fn say_mode(&self, target: &ReplyTarget, text: &str, mode: ReplyMode) {
        if let Err(e) = self.inner.replier.send(target, text, mode).await {
            tracing::warn!(error = %e, "reply failed");
        }
    }

    fn reply_target(msg: &BotMessage, group: bool, asker: &str) -> ReplyTarget {
        let conversation = if group {
            Conversation::Group(OpenConversationId::new(msg.conversation_id.to_string()))
        } else {
            Conversation::Direct(UserId::new(asker))
        };
        ReplyTarget {
            robot_code: msg.robot_code.clone(),
            conversation,
            session_webhook: msg.session_webhook.clone().zip(msg.session_webhook_expired_time),
            at_user: group.then(|| UserId::new(asker)),
        }
    }

    fn session_key(&self, msg: &BotMessage, group: bool, asker: &str) -> String {
        let account = &self.inner.account_id;
        if !group {
            return format!("{account}:dm:{asker}");
        }
        match self.inner.account.session.group_scope {
            GroupScope::GroupSender => format!("{account}:group:{}:user:{asker}", msg.conversation_id),
            _ => format!("{account}:group:{}", msg.conversation_id),
        }
    }

    /// The prompt for a message: text, recognized speech, quoted context, and local paths of downloaded media.
    async fn prompt_text(&self, msg: &BotMessage) -> String {
        let mut parts = Vec::new();
        match &msg.content {
            MessageContent::Text(t) => {
                if let Some(replied) = &t.replied_msg {
                    let quoted = replied
                        .content
                        .get("text")
                        .and_then(|v| v.as_str())
                        .unwrap_or_default();
                    if !quoted.is_empty() {
                        parts.push(format!("> {quoted}"));
                    }
                }
                parts.push(t.content.clone());
            }
            MessageContent::Audio(a) => {
                parts.push(a.recognition.clone().unwrap_or_else(|| "<语音>".to_owned()));
                parts.push(self.download(msg, &a.download_code, "audio", "语音").await);
            }
            MessageContent::Picture(p) => {
                parts.push(self.download(msg, &p.download_code, "picture.png", "图片").await);
            }
            MessageContent::Video(v) => {
                parts.push(self.download(msg, &v.download_code, "video.mp4", "视频").await);
            }
            MessageContent::File(f) => {
                let name = f.file_name.clone().unwrap_or_else(|| "file".to_owned());
                parts.push(self.download(msg, &f.download_code, &name, "文件").await);
            }
            MessageContent::RichText(items) => {
                for item in items {
                    match item {
                        RichTextItem::Text(t) => parts.push(t.clone()),
                        RichTextItem::Picture(p) => {
                            parts.push(self.download(msg, &p.download_code, "picture.png", "图片").await);
                        }
                        _ => {}
                    }
                }
            }
            other => parts.push(other.text().unwrap_or_else(|| format!("[{} 消息]", msg.msg_type))),
        }
        parts.join("\n")
    }

    async fn download(
        &self,
        msg: &BotMessage,
        code: &dingtalk_core::DownloadCode,
        name: &str,
        label: &str,
    ) -> String {
        let media = &self.inner.account.media;
        if !media.inbound {
            return format!("[{label}]");
        }
        let max = media.max_inbound_mb.saturating_mul(1024 * 1024);
        let bytes = tokio::time::timeout(
            Duration::from_secs(media.download_timeout_s.max(1)),
            self.inner
                .client
                .robot()
                .download_message_file_bytes(msg.robot_code.clone(), code.clone(), max),
        )
        .await;
        let Ok(Ok(bytes)) = bytes else {
            return format!("[{label}下载失败]");
        };
        let safe: String = name
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let dir = self
            .data_dir()
            .join("inbox")
            .join(sanitize(msg.conversation_id.as_str()));
        let path = dir.join(format!(
            "{}-{safe}",
            msg.id
                .as_str()
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
        ));
        let write = async {
            tokio::fs::create_dir_all(&dir).await?;
            tokio::fs::write(&path, bytes).await
        };
        match write.await {
            Ok(()) => format!("[{label}] {}", path.display()),
            Err(_) => format!("[{label}下载失败]"),
        }
    }

    fn data_dir(&self) -> PathBuf {
        let dir = &self.inner.account.data_dir;
        if dir.as_os_str().is_empty() {
            std::env::temp_dir().join("dingtalk-bot")
        } else {
            dir.clone()
        }
    }

    fn media_roots(&self) -> Vec<PathBuf> {
        let media = &self.inner.account.media;
        if media.allowed_roots.is_empty() {
            vec![
                self.inner.account.agent.workdir.clone(),
                self.data_dir().join("outbox"),
            ]
        } else {
            media.allowed_roots.clone()
        }
    }

    fn media_limits(&self) -> tags::MediaLimits {
        const MB: u64 = 1024 * 1024;
        let m = &self.inner.account.media;
        tags::MediaLimits {
            image: m.max_image_mb * MB,
            audio: m.max_voice_mb * MB,
            video: m.max_video_mb * MB,
            file: m.max_file_mb * MB,
        }
    }
}

impl Inner {
    fn lock_sessions(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.sessions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn sanitize(id: &str) -> String {
    id.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// The `dingtalk_stream::Handler` of a [`Bot`].
#[derive(Clone, Debug)]
pub struct BotHandler {
    bot: Bot,
}

#[async_trait::async_trait]
impl Handler for BotHandler {
    async fn on_bot_message(&self, callback: Callback) -> Result<(), HandlerError> {
        if let Some(msg) = callback.bot_message() {
            self.bot.accept(msg).await;
        }
        Ok(())
    }

    async fn on_callback(&self, callback: Callback) -> Result<Option<serde_json::Value>, HandlerError> {
        if let CallbackPayload::CardAction(action) = callback.payload() {
            let user = action
                .user_id
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            let space = action.space_id.clone().unwrap_or_default();
            let card = action.out_track_id.as_str();
            for id in action
                .private_data
                .as_ref()
                .map(|p| p.action_ids.clone())
                .unwrap_or_default()
            {
                self.bot.on_card_action(&user, &space, &id, card);
            }
        }
        Ok(None)
    }
}

/// Streams agent events into a reply's card.
struct LiveCard<'a> {
    card: Option<&'a dingtalk_cards::CardHandle>,
    /// `reply.show_tool_status`.
    show_tools: bool,
    /// `reply.show_tool_result`.
    show_results: bool,
    /// The answer streamed so far, without tags: a tool status line is shown under it until more text comes.
    streamed: String,
    /// Summaries of the latest tool results (`reply.show_tool_result`), shown under the answer while it runs.
    results: VecDeque<String>,
}

/// How many tool results stay visible under the answer.
const SHOWN_RESULTS: usize = 3;

impl LiveCard<'_> {
    fn on_event(&mut self, event: AgentEvent) {
        let Some(card) = self.card else { return };
        match event {
            AgentEvent::Text(text) => {
                self.streamed = tags::extract(&text).0;
                card.push(self.render(None));
            }
            AgentEvent::Tool(name) => {
                if self.show_tools {
                    card.push(self.render(Some(&name)));
                }
                card.progress(name);
            }
            AgentEvent::ToolResult {
                tool,
                output,
                is_error,
            } => {
                if self.show_results {
                    if self.results.len() == SHOWN_RESULTS {
                        self.results.pop_front();
                    }
                    self.results.push_back(tool_result_line(&tool, &output, is_error));
                    card.push(self.render(None));
                }
                card.progress(tool);
            }
            _ => {}
        }
    }

    /// The card text while the agent runs: the answer so far, the latest tool results, the running tool.
    fn render(&self, running_tool: Option<&str>) -> String {
        let mut lines: Vec<String> = self.results.iter().cloned().collect();
        if let Some(tool) = running_tool {
            lines.push(tool_status_line(tool));
        }
        match (self.streamed.is_empty(), lines.is_empty()) {
            (_, true) => self.streamed.clone(),
            (true, false) => lines.join("\n"),
            (false, false) => format!("{}\n\n{}", self.streamed, lines.join("\n")),
        }
    }
}

/// The status line while a tool runs (`reply.show_tool_status`): the tool's name only (never its arguments). The
/// next text frame replaces it; the final answer never has it.
fn tool_status_line(tool: &str) -> String {
    let tool: String = tool.chars().filter(|c| !c.is_control()).take(64).collect();
    format!("> 🔧 {tool}…")
}

/// The most characters of a tool result shown.
const RESULT_SUMMARY_CHARS: usize = 120;

/// A tool result as one quoted line (`reply.show_tool_result`): the first non-empty line of its output, control
/// characters and markdown markup removed, token-like runs (24+ letters and digits mixed) masked, at most
/// [`RESULT_SUMMARY_CHARS`] characters. Shown under the answer while the agent runs; never in the final answer.
fn tool_result_line(tool: &str, output: &str, is_error: bool) -> String {
    let tool: String = tool
        .chars()
        .filter(|c| !c.is_control() && !"`*_[]<>|#".contains(*c))
        .take(64)
        .collect();
    let first = output
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let clean: String = first
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .filter(|c| !"`*_[]<>|#".contains(*c))
        .collect();
    let masked: Vec<String> = clean.split_whitespace().map(mask_token).collect();
    let joined = masked.join(" ");
    let mut summary: String = joined.chars().take(RESULT_SUMMARY_CHARS).collect();
    if summary.chars().count() < joined.chars().count()
        || output.lines().filter(|l| !l.trim().is_empty()).count() > 1
    {
        summary.push('…');
    }
    if summary.is_empty() {
        summary.push_str("（无输出）");
    }
    let mark = if is_error { "⚠️" } else { "✅" };
    if tool.is_empty() {
        format!("> {mark} {summary}")
    } else {
        format!("> {mark} {tool}: {summary}")
    }
}

/// A word that looks like a key or token (24+ characters, letters and digits mixed) becomes `[…]`.
fn mask_token(word: &str) -> String {
    let core: Vec<char> = word
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "+/=-".contains(*c))
        .collect();
    let letters = core.iter().any(char::is_ascii_alphabetic);
    let digits = core.iter().any(char::is_ascii_digit);
    if core.len() >= 24 && letters && digits {
        "[…]".to_owned()
    } else {
        word.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_results_are_summarized_bounded_and_masked() {
        assert_eq!(
            tool_result_line("Read", "\n  fn main() {}\n more", false),
            "> ✅ Read: fn main() {}…"
        );
        assert_eq!(tool_result_line("Bash", "", true), "> ⚠️ Bash: （无输出）");
        let secret = "token=ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6 ok";
        let line = tool_result_line("Bash", secret, false);
        assert!(!line.contains("a1B2c3D4") && line.contains("[…] ok"), "{line}");
        let long = "x".repeat(500);
        assert_eq!(
            tool_result_line("", &long, false).chars().count(),
            "> ✅ ".chars().count() + 121
        );
        let markup = tool_result_line("T`x", "**bold** `code` <b>\u{1b}[31mred", false);
        assert!(!markup.contains(['`', '*', '<', '\u{1b}']), "{markup}");
    }
}
