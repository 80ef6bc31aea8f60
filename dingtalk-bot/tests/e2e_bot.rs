//! The bot end to end against the sandbox: Stream in, scripted agent, card or markdown out, under each policy.

#![expect(clippy::unwrap_used, reason = "tests: a failure should panic with context")]

use std::sync::Arc;
use std::time::Duration;

use dingtalk_auth::AppTokenProvider;
use dingtalk_bot::agent::{AgentSpec, ScriptStep};
use dingtalk_bot::pairing::MemoryPairingStore;
use dingtalk_bot::registry::Registry;
use dingtalk_bot::{Bot, BotConfig, BotParts};
use dingtalk_cards::{
    CardConfig, CardDriver, DriverConfig, LimiterConfig, MemoryJournal, PriorityLimiter, TemplateSpec,
};
use dingtalk_core::{AppCredentials, BaseUrls, ClientId, RetryPolicy, SecretString, Transport};
use dingtalk_openapi::Client;
use dingtalk_sandbox::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, InjectMessage, Sandbox, SandboxHandle};
use dingtalk_stream::Dispatcher;

struct Harness {
    sandbox: SandboxHandle,
    registry: Arc<Registry>,
    _task: tokio::task::JoinHandle<()>,
}

fn client(sandbox: &SandboxHandle, retries: RetryPolicy) -> Client {
    let transport = Transport::builder()
        .base_urls(BaseUrls::single(&sandbox.base_url()).unwrap())
        .retry_policy(retries)
        .rate_limiter(Some(Arc::new(PriorityLimiter::new(LimiterConfig::default()))))
        .build()
        .unwrap();
    let creds = AppCredentials::new(
        ClientId::new(DEMO_CLIENT_ID),
        SecretString::from(DEMO_CLIENT_SECRET),
    );
    Client::new(
        transport.clone(),
        Arc::new(AppTokenProvider::new(transport, creds)),
    )
}

async fn start(toml: &str, script: Vec<ScriptStep>) -> Harness {
    let sandbox = Sandbox::start().await.unwrap();
    let config = BotConfig::parse(toml, "test.toml").unwrap();
    let account = config.default().unwrap().clone();
    let cards = CardDriver::spawn(
        client(&sandbox, RetryPolicy::none()),
        DriverConfig {
            account: "default".into(),
            robot_code: DEMO_CLIENT_ID.into(),
            card: CardConfig {
                stream_interval: Duration::from_millis(100),
                first_frame_gap: Duration::from_millis(100),
                ..CardConfig::default()
            },
            template: TemplateSpec::stock(),
            stream_callbacks: true,
        },
        Arc::new(MemoryJournal::default()),
    );
    let registry = Arc::new(Registry::in_memory());
    let bot = Bot::new(BotParts {
        account_id: "default".into(),
        account,
        client: client(&sandbox, RetryPolicy::default()),
        cards: Some(cards),
        agent: AgentSpec::scripted(script),
        pairing: Arc::new(MemoryPairingStore::default()),
        registry: registry.clone(),
        final_texts: Arc::new(dingtalk_cards::MemoryFinalTexts::default()),
        agent_sessions: Arc::new(dingtalk_bot::sessions::MemoryAgentSessions::default()),
    });
    let stream = dingtalk_stream::Client::builder(DEMO_CLIENT_ID, SecretString::from(DEMO_CLIENT_SECRET))
        .subscribe_bot_messages()
        .subscribe_card_callbacks()
        .api_base(sandbox.base_url())
        .build()
        .unwrap();
    let conn = stream.connect().await.unwrap();
    let task = tokio::spawn(async move {
        let _ = Dispatcher::new(DEMO_CLIENT_ID, bot.handler()).run(conn).await;
    });
    assert!(sandbox.wait_for_connections(1, Duration::from_secs(5)).await);
    Harness {
        sandbox,
        registry,
        _task: task,
    }
}

fn answer(text: &str) -> Vec<ScriptStep> {
    vec![
        ScriptStep::Text("thinking… ".into()),
        ScriptStep::Sleep(Duration::from_millis(150)),
        ScriptStep::Tool("Read".into()),
        ScriptStep::Text(text.into()),
        ScriptStep::Sleep(Duration::from_millis(150)),
    ]
}

/// Every card the bot created has ended (no spinner left on anyone's screen), and each ask got exactly one card.
fn assert_cards_ended(sandbox: &SandboxHandle, asks: usize) {
    let cards = sandbox.cards();
    assert_eq!(cards.len(), asks, "one card per ask");
    for card in cards {
        assert!(
            matches!(card.flow_status.as_deref(), Some("3" | "5")),
            "card left spinning: {card:?}"
        );
        assert_ne!(card.render_state, "spinning", "{card:?}");
    }
}

async fn wait_until(mut done: impl FnMut() -> bool) {
    for _ in 0..400 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("condition not reached in 10 s");
}

/// Waits until some card has reached `flowStatus "3"`.
async fn wait_card_finished(sandbox: &SandboxHandle) {
    wait_until(|| {
        sandbox
            .cards()
            .iter()
            .any(|c| c.flow_status.as_deref() == Some("3"))
    })
    .await;
}

/// Starts a bot with `toml` and `script`, has user001 DM it `text`, and returns the harness with the finished card.
async fn answer_one_dm(
    toml: &str,
    script: Vec<ScriptStep>,
    text: &str,
) -> (Harness, dingtalk_sandbox::CardView) {
    let h = start(toml, script).await;
    h.sandbox
        .inject_message(&InjectMessage::direct("user001", text))
        .unwrap();
    wait_card_finished(&h.sandbox).await;
    let card = h.sandbox.cards().remove(0);
    (h, card)
}

/// Starts a bot with `toml` and `script`, then user004 sends "one", "two" and "three" at once: the last two queue.
async fn start_with_three_dms(toml: &str, script: Vec<ScriptStep>) -> Harness {
    let h = start(toml, script).await;
    for text in ["one", "two", "three"] {
        h.sandbox
            .inject_message(&InjectMessage::direct("user004", text))
            .unwrap();
    }
    h
}

/// An agent answering `answer: <prompt>` after `millis` of work.
fn slow_echo(millis: u64) -> Vec<ScriptStep> {
    vec![
        ScriptStep::Text("answer: ".into()),
        ScriptStep::EchoPrompt,
        ScriptStep::Sleep(Duration::from_millis(millis)),
    ]
}

/// Starts a long agent run for user003, sends `stop_msg` once the card shows it working, and checks the card
/// ends stopped.
async fn stop_a_long_run(stop_msg: InjectMessage) {
    let long = vec![
        ScriptStep::Text("working".into()),
        ScriptStep::Sleep(Duration::from_secs(30)),
        ScriptStep::Text("never".into()),
    ];
    let h = start("[dingtalk]\n", long).await;
    h.sandbox
        .inject_message(&InjectMessage::direct("user003", "long task"))
        .unwrap();
    wait_until(|| {
        h.sandbox.cards().iter().any(|c| {
            c.variables
                .get("msgContent")
                .is_some_and(|t| t.contains("working"))
        })
    })
    .await;
    h.sandbox.inject_message(&stop_msg).unwrap();
    wait_card_finished(&h.sandbox).await;
    assert!(h.sandbox.cards()[0].variables["msgContent"].ends_with("⏹️ 已停止"));
    assert_cards_ended(&h.sandbox, 1);
}

#[tokio::test]
async fn dm_in_card_mode_streams_and_finishes_a_card() {
    let (h, card) = answer_one_dm("[dingtalk]\n", answer("the answer"), "hello").await;
    assert_eq!(card.variables["msgContent"], "thinking… the answer");
    assert!(
        card.spaces.iter().any(|s| s.contains("IM_ROBOT")),
        "{:?}",
        card.spaces
    );
    assert_eq!(h.registry.list("default").len(), 1);
}

#[tokio::test]
async fn group_in_markdown_mode_answers_through_the_session_webhook() {
    let h = start(
        "[dingtalk.reply]\nmode = \"markdown\"\n",
        answer("**bold** answer"),
    )
    .await;
    let cid = h.sandbox.org().groups[0].open_conversation_id.clone();
    h.sandbox
        .inject_message(&InjectMessage::group(&cid, "user002", " deploy?"))
        .unwrap();
    wait_until(|| {
        h.sandbox
            .outbox(0)
            .iter()
            .any(|e| e.text.as_deref().is_some_and(|t| t.contains("answer")))
    })
    .await;
    let sent = h.sandbox.outbox(0);
    let reply = sent
        .iter()
        .find(|e| e.text.as_deref().is_some_and(|t| t.contains("answer")))
        .unwrap();
    assert_eq!(reply.route, "webhook");
    assert_eq!(reply.msgtype, "markdown");
    assert!(h.sandbox.cards().is_empty());
    assert_eq!(h.registry.latest_group("default").unwrap().conversation_id, cid);
}

#[tokio::test]
async fn group_messages_without_a_mention_are_ignored() {
    let h = start("[dingtalk.reply]\nmode = \"text\"\n", answer("x")).await;
    let cid = h.sandbox.org().groups[0].open_conversation_id.clone();
    let mut msg = InjectMessage::group(&cid, "user002", "chatter");
    msg.at_bot = Some(false);
    h.sandbox.inject_message(&msg).unwrap();
    let mentioned = InjectMessage::group(&cid, "user002", "now with mention");
    h.sandbox.inject_message(&mentioned).unwrap();
    wait_until(|| !h.sandbox.outbox(0).is_empty()).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        h.sandbox.outbox(0).len(),
        1,
        "only the mentioned message is answered"
    );
}

#[tokio::test]
async fn allowlist_denies_strangers_with_their_id() {
    let toml = "[dingtalk.access]\ndm_policy = \"allowlist\"\nallow_from = [\"user001\"]\n[dingtalk.reply]\nmode = \"text\"\n";
    let h = start(toml, answer("ok")).await;
    h.sandbox
        .inject_message(&InjectMessage::direct("user005", "let me in"))
        .unwrap();
    wait_until(|| !h.sandbox.outbox(0).is_empty()).await;
    let reply = h.sandbox.outbox(0)[0].text.clone().unwrap();
    assert!(reply.contains("user005") && reply.contains("权限"), "{reply}");
}

#[tokio::test]
async fn pairing_sends_a_code_and_processes_nothing() {
    let toml = "[dingtalk.access]\ndm_policy = \"pairing\"\nowners = [\"user001\"]\n[dingtalk.reply]\nmode = \"text\"\n";
    let h = start(toml, answer("secret answer")).await;
    h.sandbox
        .inject_message(&InjectMessage::direct("user007", "hi"))
        .unwrap();
    wait_until(|| !h.sandbox.outbox(0).is_empty()).await;
    let text = h.sandbox.outbox(0)[0].text.clone().unwrap();
    let code: String = text.split("**").nth(1).unwrap().to_owned();
    assert_eq!(code.len(), 8, "{text}");
    // The owner approves by DM; then the user is served.
    h.sandbox
        .inject_message(&InjectMessage::direct("user001", format!("/pair approve {code}")))
        .unwrap();
    wait_until(|| {
        h.sandbox
            .outbox(0)
            .iter()
            .any(|e| e.text.as_deref().is_some_and(|t| t.contains("已批准")))
    })
    .await;
    h.sandbox
        .inject_message(&InjectMessage::direct("user007", "hi again"))
        .unwrap();
    wait_until(|| {
        h.sandbox
            .outbox(0)
            .iter()
            .any(|e| e.text.as_deref().is_some_and(|t| t.contains("secret answer")))
    })
    .await;
}

#[tokio::test]
async fn stop_word_kills_the_run_and_the_card_ends_stopped() {
    stop_a_long_run(InjectMessage::direct("user003", "停止")).await;
}

#[tokio::test]
async fn queued_messages_get_feedback_and_run_in_order() {
    let toml = "[dingtalk.reply]\nmode = \"text\"\n";
    let h = start_with_three_dms(toml, answer("done")).await;
    wait_until(|| {
        h.sandbox
            .outbox(0)
            .iter()
            .filter(|e| e.text.as_deref().is_some_and(|t| t.contains("done")))
            .count()
            == 3
    })
    .await;
    let texts: Vec<String> = h.sandbox.outbox(0).into_iter().filter_map(|e| e.text).collect();
    assert!(texts.iter().any(|t| t.contains("已排队")), "{texts:?}");
}

#[tokio::test]
async fn failing_agent_ends_the_card_failed() {
    let script = vec![
        ScriptStep::Text("partial".into()),
        ScriptStep::Sleep(Duration::from_millis(300)),
        ScriptStep::Fail("boom".into()),
    ];
    let h = start("[dingtalk]\n", script).await;
    h.sandbox
        .inject_message(&InjectMessage::direct("user001", "go"))
        .unwrap();
    wait_until(|| {
        h.sandbox
            .cards()
            .iter()
            .any(|c| c.flow_status.as_deref() == Some("5"))
    })
    .await;
    assert!(h.sandbox.cards()[0].variables["msgContent"].contains("boom"));
    assert_cards_ended(&h.sandbox, 1);
}

#[tokio::test]
async fn an_expired_session_webhook_falls_back_to_openapi() {
    let h = start(
        "[dingtalk.reply]\nmode = \"markdown\"\n",
        answer("**fallback** works"),
    )
    .await;
    let cid = h.sandbox.org().groups[0].open_conversation_id.clone();
    h.sandbox
        .inject_message(&InjectMessage::group(&cid, "user002", " hi"))
        .unwrap();
    // The server's clock moves past the webhook's expiry while the bot still believes it valid.
    h.sandbox.advance(Duration::from_hours(2));
    wait_until(|| {
        h.sandbox
            .outbox(0)
            .iter()
            .any(|e| e.text.as_deref().is_some_and(|t| t.contains("works")))
    })
    .await;
    let reply = h
        .sandbox
        .outbox(0)
        .into_iter()
        .find(|e| e.text.as_deref().is_some_and(|t| t.contains("works")))
        .unwrap();
    assert_eq!(reply.route, "openapi", "{reply:?}");
}

#[tokio::test]
async fn media_tags_are_uploaded_and_sent_after_the_text() {
    let dir = dingtalk_test_support::TempDir::new("bot-media");
    let image = dir.path().join("chart.png");
    std::fs::write(&image, [0x89, b'P', b'N', b'G', 13, 10, 26, 10]).unwrap();
    let toml = format!(
        "[dingtalk.reply]\nmode = \"text\"\n[dingtalk.media]\nallowed_roots = [\"{}\"]\n",
        dir.path().display()
    );
    let text = format!(
        "Here is the chart [DING:IMAGE path=\"{}\"] and [DING:FILE path=\"/etc/passwd\"]",
        image.display()
    );
    let h = start(&toml, vec![ScriptStep::Text(text)]).await;
    h.sandbox
        .inject_message(&InjectMessage::direct("user001", "chart please"))
        .unwrap();
    wait_until(|| h.sandbox.outbox(0).len() >= 3).await;
    let out = h.sandbox.outbox(0);
    assert!(
        out[0]
            .text
            .as_deref()
            .is_some_and(|t| t.contains("Here is the chart") && !t.contains("DING")),
        "{out:?}"
    );
    assert!(
        out.iter()
            .any(|e| e.msgtype.contains("Image") || e.msgtype.contains("image")),
        "{out:?}"
    );
    assert!(
        out.iter().any(|e| e
            .text
            .as_deref()
            .is_some_and(|t| t.contains("📎 发送失败：passwd"))),
        "{out:?}"
    );
}

#[tokio::test]
async fn reaction_ack_marks_the_message_while_the_agent_runs() {
    let h = start(
        "[dingtalk.reply]\nmode = \"text\"\nack = \"reaction\"\n",
        answer("reacted"),
    )
    .await;
    h.sandbox
        .inject_message(&InjectMessage::direct("user001", "hi"))
        .unwrap();
    // The reaction is recalled after the reply is sent: wait for both.
    wait_until(|| {
        h.sandbox
            .outbox(0)
            .iter()
            .any(|e| e.text.as_deref().is_some_and(|t| t.contains("reacted")))
            && h.sandbox
                .requests(0)
                .iter()
                .any(|r| r.path == "/v1.0/robot/emotion/recall")
    })
    .await;
    let requests = h.sandbox.requests(0);
    let reply = requests
        .iter()
        .position(|r| r.path == "/v1.0/robot/emotion/reply");
    let recall = requests
        .iter()
        .position(|r| r.path == "/v1.0/robot/emotion/recall");
    assert!(
        reply.is_some() && recall.is_some() && reply < recall,
        "{requests:?}"
    );
}

/// `reply.show_tool_status`: while a tool runs the card shows its name (only) under the answer so far; the final
/// card is the answer alone. Off by default: the same script shows no status line.
#[tokio::test]
async fn tool_status_line_shows_while_a_tool_runs_and_is_gone_at_the_end() {
    let script = vec![
        ScriptStep::Text("looking… ".into()),
        ScriptStep::Sleep(Duration::from_millis(250)),
        ScriptStep::Tool("Bash".into()),
        ScriptStep::Sleep(Duration::from_millis(400)),
        ScriptStep::Text("done".into()),
        ScriptStep::Sleep(Duration::from_millis(150)),
    ];
    for (show, toml) in [
        (true, "[dingtalk.reply]\nshow_tool_status = true\n"),
        (false, "[dingtalk]\n"),
    ] {
        let (_h, card) = answer_one_dm(toml, script.clone(), "run it").await;
        assert_eq!(card.variables["msgContent"], "looking… done");
        let frames: Vec<String> = card
            .calls
            .iter()
            .filter(|c| c.endpoint.contains("streaming"))
            .filter_map(|c| c.body["content"].as_str().map(str::to_owned))
            .collect();
        let with_status = frames.iter().any(|f| f.contains("🔧 Bash"));
        assert_eq!(with_status, show, "show_tool_status = {show}: frames {frames:?}");
        assert!(frames.last().is_some_and(|f| !f.contains("🔧")), "{frames:?}");
    }
}

/// Regression: a stop word sent as a quoted reply (quoting the bot's card) still stops the run; the quote is
/// context for prompts, not part of the command.
#[tokio::test]
async fn a_quoted_stop_word_still_stops_the_run() {
    let mut quoted = InjectMessage::direct("user003", "stop");
    quoted.content = Some(serde_json::json!({
        "isReplyMsg": true,
        "repliedMsg": {"msgType": "text", "msgId": "msgOld", "content": {"text": "working"}},
    }));
    stop_a_long_run(quoted).await;
}

/// The calls a card received, as JSON text (to look for what was shown on it over time).
fn card_calls(card: &dingtalk_sandbox::CardView) -> String {
    card.calls
        .iter()
        .map(|c| c.body.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn queued_messages_in_card_mode_get_a_queued_card_that_becomes_the_answer() {
    let h = start_with_three_dms("[dingtalk]\n", slow_echo(700)).await;
    wait_until(|| {
        h.sandbox
            .cards()
            .iter()
            .filter(|c| c.flow_status.as_deref() == Some("3"))
            .count()
            == 3
    })
    .await;
    assert_cards_ended(&h.sandbox, 3);
    let cards = h.sandbox.cards();
    let card = |answer: &str| {
        cards
            .iter()
            .find(|c| c.variables["msgContent"] == answer)
            .unwrap_or_else(|| panic!("no card answered {answer:?}: {cards:?}"))
    };
    // The first message ran at once: no queued notice on its card.
    assert!(!card_calls(card("answer: one")).contains("已排队"));
    // The second waited behind one, the third behind two and then one; each notice kept flowStatus "1" until the
    // answer streamed into the same card.
    let two = card_calls(card("answer: two"));
    assert!(two.contains("⏳ 已排队（前面还有 1 条）"), "{two}");
    let three = card_calls(card("answer: three"));
    let (at2, at1) = (
        three.find("前面还有 2 条").unwrap(),
        three.find("前面还有 1 条").unwrap(),
    );
    assert!(at2 < at1, "{three}");
    for answer in ["answer: two", "answer: three"] {
        let history: Vec<&str> = card(answer)
            .flow_status_history
            .iter()
            .map(|h| h.value.as_str())
            .collect();
        assert_eq!(history, ["1", "2", "3"], "{answer}");
    }
    // No text notice in card mode.
    assert!(
        !h.sandbox
            .outbox(0)
            .iter()
            .any(|e| e.text.as_deref().is_some_and(|t| t.contains("已排队")))
    );
}

#[tokio::test]
async fn a_message_that_waited_too_long_is_dropped_and_its_queued_card_says_so() {
    let script = slow_echo(2200);
    let h = start("[dingtalk.queue]\nmax_wait_s = 1\n", script).await;
    for text in ["one", "two"] {
        h.sandbox
            .inject_message(&InjectMessage::direct("user004", text))
            .unwrap();
    }
    wait_until(|| {
        let cards = h.sandbox.cards();
        cards.len() == 2
            && cards
                .iter()
                .all(|c| matches!(c.flow_status.as_deref(), Some("3" | "5")))
    })
    .await;
    let cards = h.sandbox.cards();
    let dropped = cards
        .iter()
        .find(|c| c.flow_status.as_deref() == Some("5"))
        .unwrap();
    assert!(
        dropped.variables["msgContent"].contains("排队超时"),
        "{dropped:?}"
    );
    assert!(!dropped.variables["msgContent"].contains("已排队"), "{dropped:?}");
    assert!(cards.iter().any(|c| c.variables["msgContent"] == "answer: one"));
    assert_cards_ended(&h.sandbox, 2);
}

/// A text message quoting a card: DingTalk names the card by its delivery carrier in `originalProcessQueryKey`.
fn quoting_card(user: &str, text: &str, carrier: &str) -> InjectMessage {
    InjectMessage::direct(user, text).with_content(
        "text",
        serde_json::json!({
            "isReplyMsg": true,
            "repliedMsg": {"msgType": "interactiveCard", "msgId": "msgQuoted==", "content": {}},
            "originalProcessQueryKey": carrier,
        }),
    )
}

#[tokio::test]
async fn quoting_a_finished_card_brings_its_final_text_into_the_prompt() {
    let script = vec![ScriptStep::Text("answer: ".into()), ScriptStep::EchoPrompt];
    let (h, first) = answer_one_dm("[dingtalk]\n", script, "what is the plan?").await;
    assert_eq!(first.variables["msgContent"], "answer: what is the plan?");
    let finished = |n: usize| {
        let sandbox = &h.sandbox;
        move || {
            sandbox
                .cards()
                .iter()
                .filter(|c| c.flow_status.as_deref() == Some("3"))
                .count()
                == n
        }
    };
    // The sandbox names a card's first delivery `carrier1.<outTrackId>`.
    let carrier = format!("carrier1.{}", first.out_track_id);
    h.sandbox
        .inject_message(&quoting_card("user001", "and then?", &carrier))
        .unwrap();
    wait_until(finished(2)).await;
    // A quote of a card nobody knows adds nothing.
    h.sandbox
        .inject_message(&quoting_card("user001", "unknown?", "carrier9.nothing"))
        .unwrap();
    wait_until(finished(3)).await;
    let cards = h.sandbox.cards();
    let answer = |asked: &str| {
        cards
            .iter()
            .map(|c| c.variables["msgContent"].clone())
            .find(|t| t.ends_with(asked))
            .unwrap_or_else(|| panic!("no answer to {asked:?}"))
    };
    let quoted = answer("and then?");
    assert!(quoted.contains("> answer: what is the plan?"), "{quoted}");
    assert_eq!(answer("unknown?"), "answer: unknown?");
}

#[tokio::test]
async fn tool_results_show_as_a_bounded_summary_only_when_enabled() {
    let script = vec![
        ScriptStep::Text("looking… ".into()),
        ScriptStep::Tool("Read".into()),
        ScriptStep::Sleep(Duration::from_millis(250)),
        ScriptStep::ToolResult(
            "Read".into(),
            "fn main() {}\nsecond line with key sk1234567890abcdefghijKLMNOP".into(),
        ),
        ScriptStep::Sleep(Duration::from_millis(450)),
        ScriptStep::Text("done".into()),
        ScriptStep::Sleep(Duration::from_millis(450)),
    ];
    for (show, toml) in [
        (true, "[dingtalk.reply]\nshow_tool_result = true\n"),
        (false, "[dingtalk]\n"),
    ] {
        let (_h, card) = answer_one_dm(toml, script.clone(), "read it").await;
        assert_eq!(
            card.variables["msgContent"], "looking… done",
            "the final answer has no results"
        );
        let calls = card_calls(&card);
        assert_eq!(
            calls.contains("> ✅ Read: fn main() {}…"),
            show,
            "show_tool_result = {show}: {calls}"
        );
        // The summary is the first line only: the rest of the output never reaches the card.
        assert!(
            !calls.contains("second line") && !calls.contains("sk1234567890"),
            "{calls}"
        );
        if show {
            // The result stays under the answer while the agent runs.
            assert!(calls.contains("looking… done\\n\\n> ✅ Read"), "{calls}");
        }
    }
}

/// A minimal MP4 (`ftyp` + `moov/mvhd`, timescale 1000) lasting `millis`.
fn tiny_mp4(millis: u32) -> Vec<u8> {
    let boxed = |kind: &[u8; 4], body: &[u8]| {
        let mut out = u32::try_from(body.len() + 8).unwrap().to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(body);
        out
    };
    let mut mvhd = vec![0u8; 100];
    mvhd[12..16].copy_from_slice(&1000u32.to_be_bytes());
    mvhd[16..20].copy_from_slice(&millis.to_be_bytes());
    let mut file = boxed(b"ftyp", b"isom\0\0\0\0isom");
    file.extend(boxed(b"moov", &boxed(b"mvhd", &mvhd)));
    file
}

#[tokio::test]
async fn a_video_with_a_cover_goes_as_a_video_message_and_without_one_as_a_file() {
    let dir = dingtalk_test_support::TempDir::new("bot-video");
    let clip = dir.path().join("clip.mp4");
    std::fs::write(&clip, tiny_mp4(12_300)).unwrap();
    let cover = dir.path().join("cover.png");
    std::fs::write(&cover, [0x89, b'P', b'N', b'G', 13, 10, 26, 10]).unwrap();
    let broken = dir.path().join("broken.mp4");
    std::fs::write(&broken, b"no boxes here").unwrap();
    let toml = format!(
        "[dingtalk.reply]\nmode = \"text\"\n[dingtalk.media]\nallowed_roots = [\"{}\"]\n",
        dir.path().display()
    );
    let text = format!(
        "with cover [DING:VIDEO path=\"{clip}\" cover=\"{cover}\"] without [DING:VIDEO path=\"{clip}\"] bad cover \
         [DING:VIDEO path=\"{clip}\" cover=\"/etc/passwd\"] no duration [DING:VIDEO path=\"{broken}\" \
         cover=\"{cover}\"]",
        clip = clip.display(),
        cover = cover.display(),
        broken = broken.display()
    );
    let h = start(&toml, vec![ScriptStep::Text(text)]).await;
    h.sandbox
        .inject_message(&InjectMessage::direct("user001", "the clip please"))
        .unwrap();
    wait_until(|| h.sandbox.outbox(0).len() >= 5).await;
    let out = h.sandbox.outbox(0);
    let kinds: Vec<&str> = out.iter().map(|e| e.msgtype.as_str()).collect();
    assert_eq!(
        kinds[1..],
        ["sampleVideo", "sampleFile", "sampleFile", "sampleFile"],
        "{out:?}"
    );
    let param = &out[1].body["msgParam"];
    assert_eq!(param["duration"], "13", "12.3 s rounds up: {param}");
    assert_eq!(param["videoType"], "mp4");
    assert!(
        param["videoMediaId"].as_str().is_some_and(|v| !v.is_empty())
            && param["picMediaId"].as_str().is_some_and(|v| !v.is_empty())
            && param["videoMediaId"] != param["picMediaId"],
        "{param}"
    );
    assert!(
        !out.iter()
            .any(|e| e.text.as_deref().is_some_and(|t| t.contains("发送失败"))),
        "fallbacks are silent: {out:?}"
    );
}

#[tokio::test]
async fn a_wav_voice_message_carries_its_duration() {
    let dir = dingtalk_test_support::TempDir::new("bot-voice");
    let voice = dir.path().join("note.wav");
    // 8000 Hz mono 16-bit: 16000 bytes a second; 24000 bytes of samples = 1.5 s.
    let mut wav = b"RIFF\0\0\0\0WAVEfmt ".to_vec();
    wav.extend_from_slice(&16u32.to_le_bytes());
    wav.extend_from_slice(&[1, 0, 1, 0]);
    wav.extend_from_slice(&8000u32.to_le_bytes());
    wav.extend_from_slice(&16000u32.to_le_bytes());
    wav.extend_from_slice(&[2, 0, 16, 0]);
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&24000u32.to_le_bytes());
    wav.resize(wav.len() + 24000, 0);
    std::fs::write(&voice, wav).unwrap();
    let toml = format!(
        "[dingtalk.reply]\nmode = \"text\"\n[dingtalk.media]\nallowed_roots = [\"{}\"]\n",
        dir.path().display()
    );
    let text = format!("listen [DING:AUDIO path=\"{}\"]", voice.display());
    let h = start(&toml, vec![ScriptStep::Text(text)]).await;
    h.sandbox
        .inject_message(&InjectMessage::direct("user001", "say it"))
        .unwrap();
    wait_until(|| h.sandbox.outbox(0).len() >= 2).await;
    let audio = h.sandbox.outbox(0).remove(1);
    assert_eq!(audio.msgtype, "sampleAudio", "{audio:?}");
    assert_eq!(audio.body["msgParam"]["duration"], "1500", "{audio:?}");
}

#[tokio::test]
async fn the_stop_button_on_a_queued_card_cancels_that_message_only() {
    let h = start_with_three_dms("[dingtalk]\n", slow_echo(900)).await;
    // "two" waits behind one message: its card shows the first place in the queue.
    let second = || {
        h.sandbox.cards().into_iter().find(|c| {
            let calls = card_calls(c);
            calls.contains("前面还有 1 条") && !calls.contains("前面还有 2 条")
        })
    };
    wait_until(|| second().is_some()).await;
    let two = second().unwrap();
    let mut press = dingtalk_sandbox::InjectCardCallback::new(&two.out_track_id, "btn_stop");
    press.user_id = Some("user004".into());
    h.sandbox.inject_card_callback(&press).await.unwrap();
    wait_until(|| {
        let cards = h.sandbox.cards();
        cards.len() == 3 && cards.iter().all(|c| c.flow_status.as_deref() == Some("3"))
    })
    .await;
    assert_cards_ended(&h.sandbox, 3);
    let cards = h.sandbox.cards();
    let content = |id: &str| {
        cards
            .iter()
            .find(|c| c.out_track_id == id)
            .map(|c| c.variables["msgContent"].clone())
            .unwrap()
    };
    let cancelled = content(&two.out_track_id);
    assert!(
        cancelled.ends_with("⏹️ 已停止") && !cancelled.contains("answer"),
        "{cancelled}"
    );
    let answers: Vec<String> = cards.iter().map(|c| c.variables["msgContent"].clone()).collect();
    assert!(
        answers.contains(&"answer: one".to_owned()),
        "the running answer went on: {answers:?}"
    );
    assert!(answers.contains(&"answer: three".to_owned()), "{answers:?}");
    assert!(!answers.iter().any(|a| a.contains("answer: two")), "{answers:?}");
}

#[tokio::test]
async fn while_cards_are_degraded_a_queued_message_gets_the_text_notice() {
    let script = slow_echo(1500);
    let h = start("[dingtalk]\n", script).await;
    h.sandbox.set_fault(dingtalk_sandbox::FaultRule::new(
        "/v1.0/card/instances/createAndDeliver",
        dingtalk_sandbox::Fault::ServerError { status: None },
    ));
    h.sandbox
        .inject_message(&InjectMessage::direct("user004", "one"))
        .unwrap();
    // The first card cannot be created: the account degrades to markdown.
    wait_until(|| {
        h.sandbox
            .requests(0)
            .iter()
            .any(|r| r.path == "/v1.0/card/instances/createAndDeliver" && r.status >= 500)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    h.sandbox
        .inject_message(&InjectMessage::direct("user004", "two"))
        .unwrap();
    let texts = || -> Vec<String> { h.sandbox.outbox(0).into_iter().filter_map(|e| e.text).collect() };
    wait_until(|| {
        let texts = texts();
        ["answer: one", "answer: two"]
            .iter()
            .all(|a| texts.iter().any(|t| t.contains(a)))
    })
    .await;
    let texts = texts();
    assert!(
        texts.iter().any(|t| t.contains("⏳ 已排队（前面还有 1 条）")),
        "{texts:?}"
    );
    let creates = h
        .sandbox
        .requests(0)
        .iter()
        .filter(|r| r.path == "/v1.0/card/instances/createAndDeliver")
        .count();
    assert_eq!(creates, 1, "no card is tried while degraded");
}
