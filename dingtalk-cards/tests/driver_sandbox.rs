//! The card driver against the sandbox: a streamed reply, a failure, a QPS storm, a broken template and journal
//! replay after a crash. Every card must end terminal in the sandbox's own view.

#![expect(clippy::unwrap_used, reason = "tests: a failure should panic with context")]

use std::sync::Arc;
use std::time::Duration;

use dingtalk_auth::AppTokenProvider;
use dingtalk_cards::{
    CardConfig, CardDriver, CardEvent, CardJournal, CardTarget, DriverConfig, FallbackReason, JournalRow,
    LimiterConfig, MemoryJournal, PriorityLimiter, TemplateSpec, recover,
};
use dingtalk_core::{
    AppCredentials, BaseUrls, ClientId, OpenConversationId, RetryPolicy, SecretString, Transport,
};
use dingtalk_openapi::Client;
use dingtalk_sandbox::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Fault, FaultRule, Sandbox, SandboxHandle};

fn client(sandbox: &SandboxHandle, limiter: Arc<PriorityLimiter>) -> Client {
    let transport = Transport::builder()
        .base_urls(BaseUrls::single(&sandbox.base_url()).unwrap())
        .retry_policy(RetryPolicy::none())
        .rate_limiter(Some(limiter))
        .build()
        .unwrap();
    let creds = AppCredentials::new(
        ClientId::new(DEMO_CLIENT_ID),
        SecretString::from(DEMO_CLIENT_SECRET),
    );
    let tokens = Arc::new(AppTokenProvider::new(transport.clone(), creds));
    Client::new(transport, tokens)
}

fn fast_config() -> CardConfig {
    CardConfig {
        stream_interval: Duration::from_millis(100),
        first_frame_gap: Duration::from_millis(100),
        normalize_newlines: false,
        ..CardConfig::default()
    }
}

fn driver(sandbox: &SandboxHandle, journal: Arc<dyn CardJournal>, limiter: LimiterConfig) -> CardDriver {
    let config = DriverConfig {
        account: "default".into(),
        robot_code: DEMO_CLIENT_ID.into(),
        card: fast_config(),
        template: TemplateSpec::stock(),
        stream_callbacks: true,
    };
    CardDriver::spawn(
        client(sandbox, Arc::new(PriorityLimiter::new(limiter))),
        config,
        journal,
    )
}

fn group(sandbox: &SandboxHandle) -> CardTarget {
    CardTarget::Group(OpenConversationId::new(
        sandbox.org().groups[0].open_conversation_id.clone(),
    ))
}

#[tokio::test]
async fn a_streamed_reply_ends_finished_with_the_final_text() {
    let sandbox = Sandbox::start().await.unwrap();
    let journal = Arc::new(MemoryJournal::default());
    let driver = driver(&sandbox, journal.clone(), LimiterConfig::default());
    let mut reply = driver.start(group(&sandbox));
    let mut text = String::new();
    for i in 0..20 {
        text = format!("{text}word{i} ");
        reply.push(text.clone());
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    reply.finish("the final answer");
    let (fallbacks, stats) = tokio::time::timeout(Duration::from_secs(10), reply.closed())
        .await
        .unwrap();
    assert!(fallbacks.is_empty(), "{fallbacks:?}");
    let stats = stats.unwrap();
    let cards = sandbox.cards();
    assert_eq!(cards.len(), 1);
    let card = serde_json::to_value(&cards[0]).unwrap();
    assert_eq!(card["flowStatus"], "3", "{card:#}");
    assert_eq!(card["variables"]["msgContent"], "the final answer", "{card:#}");
    // ≤ 4 + T / interval calls: T ≈ 0.5 s at 100 ms.
    assert!(stats.api_calls() <= 4 + 6, "{stats:?}");
    assert!(journal.rows().unwrap().is_empty(), "journal row left behind");
}

#[tokio::test]
async fn a_failed_reply_ends_with_flow_status_5() {
    let sandbox = Sandbox::start().await.unwrap();
    let driver = driver(
        &sandbox,
        Arc::new(MemoryJournal::default()),
        LimiterConfig::default(),
    );
    let mut reply = driver.start(group(&sandbox));
    reply.push("partial");
    tokio::time::sleep(Duration::from_millis(400)).await;
    reply.fail("agent timed out");
    tokio::time::timeout(Duration::from_secs(10), reply.closed())
        .await
        .unwrap();
    let card = serde_json::to_value(&sandbox.cards()[0]).unwrap();
    assert_eq!(card["flowStatus"], "5", "{card:#}");
    assert!(
        card["variables"]["msgContent"]
            .as_str()
            .unwrap()
            .contains("agent timed out")
    );
}

#[tokio::test]
async fn a_dropped_handle_still_closes_the_card() {
    let sandbox = Sandbox::start().await.unwrap();
    let driver = driver(
        &sandbox,
        Arc::new(MemoryJournal::default()),
        LimiterConfig::default(),
    );
    {
        let reply = driver.start(group(&sandbox));
        reply.push("half");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    for _ in 0..200 {
        if sandbox
            .cards()
            .first()
            .is_some_and(|c| serde_json::to_value(c).unwrap()["flowStatus"] == "5")
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("card not closed: {:?}", sandbox.cards());
}

#[tokio::test]
async fn template_errors_fall_back_to_markdown() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.set_fault(FaultRule::new(
        "/v1.0/card/instances/createAndDeliver",
        Fault::ServerError { status: None },
    ));
    let driver = driver(
        &sandbox,
        Arc::new(MemoryJournal::default()),
        LimiterConfig::default(),
    );
    assert!(!driver.is_degraded());
    let mut reply = driver.start(group(&sandbox));
    reply.push("thinking");
    reply.finish("the whole answer");
    let (fallbacks, _) = tokio::time::timeout(Duration::from_secs(10), reply.closed())
        .await
        .unwrap();
    assert_eq!(
        fallbacks,
        vec![("the whole answer".to_owned(), FallbackReason::CardUnavailable)]
    );
    // The account is degraded: the next reply goes straight to markdown without a card call.
    assert!(driver.is_degraded());
    let mut next = driver.start(group(&sandbox));
    next.finish("second");
    let (fallbacks, _) = tokio::time::timeout(Duration::from_secs(5), next.closed())
        .await
        .unwrap();
    assert_eq!(fallbacks[0].0, "second");
}

#[tokio::test]
async fn ten_concurrent_replies_under_a_40_qps_limit_see_no_throttling() {
    // CARD-44: default limiter settings (20 QPS) against a sandbox enforcing 40 QPS on card streaming.
    let sandbox = Sandbox::builder()
        .card_streaming_qps(Some(40))
        .start()
        .await
        .unwrap();
    let driver = driver(
        &sandbox,
        Arc::new(MemoryJournal::default()),
        LimiterConfig::default(),
    );
    let mut replies: Vec<_> = (0..10).map(|_| driver.start(group(&sandbox))).collect();
    for step in 0..20 {
        for reply in &replies {
            reply.push(format!("step {step}"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for reply in &mut replies {
        reply.finish("done");
    }
    for reply in &mut replies {
        let (fallbacks, _) = tokio::time::timeout(Duration::from_secs(20), reply.closed())
            .await
            .unwrap();
        assert!(fallbacks.is_empty());
    }
    let cards = sandbox.cards();
    assert_eq!(cards.len(), 10);
    let mut throttled = 0;
    for card in cards {
        throttled += card
            .calls
            .iter()
            .filter(|c| c.status == 403 || c.status == 429)
            .count();
        assert_eq!(card.flow_status.as_deref(), Some("3"));
        assert_eq!(card.variables["msgContent"], "done");
    }
    assert_eq!(throttled, 0);
}

#[tokio::test]
async fn journal_replay_closes_cards_a_crashed_process_left_live() {
    let sandbox = Sandbox::start().await.unwrap();
    let journal = Arc::new(MemoryJournal::default());
    // A process streams into a card and dies without closing it.
    let crashed = driver(&sandbox, journal.clone(), LimiterConfig::default());
    let reply = crashed.start(group(&sandbox));
    reply.push("interrupted answer");
    tokio::time::sleep(Duration::from_millis(600)).await;
    std::mem::forget(reply);
    drop(crashed); // aborts the task: no closing calls
    let rows = journal.rows().unwrap();
    assert_eq!(rows.len(), 1, "the live card is journaled");
    assert_ne!(
        serde_json::to_value(&sandbox.cards()[0]).unwrap()["flowStatus"],
        "5"
    );
    // The next start replays the journal before accepting messages.
    let report = recover(
        &client(&sandbox, Arc::new(PriorityLimiter::new(LimiterConfig::default()))),
        journal.as_ref(),
        "default",
        "\n\n⚠️ 回复在服务重启时中断",
    )
    .await;
    assert_eq!(report.closed, 1, "{report:?}");
    assert!(journal.rows().unwrap().is_empty());
    let card = serde_json::to_value(&sandbox.cards()[0]).unwrap();
    assert_eq!(card["flowStatus"], "5", "{card:#}");
    assert!(
        card["variables"]["msgContent"]
            .as_str()
            .unwrap()
            .contains("服务重启")
    );
    // Unknown cards are dropped from the journal.
    journal
        .upsert(&JournalRow {
            out_track_id: "card_unknown".into(),
            account: "default".into(),
            open_space_id: String::new(),
            template_id: TemplateSpec::stock().id,
            stream_key: "msgContent".into(),
            phase: "streaming".into(),
            stream_opened: true,
            last_content: String::new(),
            created_at_ms: 0,
            updated_at_ms: 0,
            attempts: 0,
        })
        .unwrap();
    let report = recover(
        &client(&sandbox, Arc::new(PriorityLimiter::new(LimiterConfig::default()))),
        journal.as_ref(),
        "default",
        "",
    )
    .await;
    assert_eq!(report.gone + report.dropped, 1, "{report:?}");
    assert!(journal.rows().unwrap().is_empty());
}

#[tokio::test]
async fn stop_ends_the_card_stopped_and_reports_it() {
    let sandbox = Sandbox::start().await.unwrap();
    let driver = driver(
        &sandbox,
        Arc::new(MemoryJournal::default()),
        LimiterConfig::default(),
    );
    let mut reply = driver.start(group(&sandbox));
    reply.push("working on it");
    tokio::time::sleep(Duration::from_millis(400)).await;
    reply.stop("user001");
    let mut saw_stop = false;
    while let Some(event) = tokio::time::timeout(Duration::from_secs(10), reply.next_event())
        .await
        .unwrap()
    {
        match event {
            CardEvent::StopAgent { by } => saw_stop = by == "user001",
            CardEvent::Ended(_) => break,
            CardEvent::Fallback { .. } => panic!("unexpected fallback"),
            _ => {}
        }
    }
    assert!(saw_stop);
    let card = serde_json::to_value(&sandbox.cards()[0]).unwrap();
    assert_eq!(card["flowStatus"], "3");
    assert!(
        card["variables"]["msgContent"]
            .as_str()
            .unwrap()
            .ends_with("⏹️ 已停止")
    );
}

#[tokio::test]
async fn a_qps_limit_storm_on_frames_still_ends_with_the_final_text() {
    let sandbox = Sandbox::start().await.unwrap();
    // Every streaming call is refused with 403 QpsLimit for a while (frames, then the finalize frame).
    // Regression: throttled closing calls used to back off exponentially (1, 2, 4, 8, 16 s) like server errors,
    // leaving the card spinning for half a minute; a QPS limit clears within a second, so closers now wait ≤ 2 s.
    sandbox.set_fault(FaultRule::new("/v1.0/card/streaming", Fault::ThrottleQps { code: None }).times(8));
    let driver = driver(
        &sandbox,
        Arc::new(MemoryJournal::default()),
        LimiterConfig {
            throttle_pause: Duration::from_millis(50),
            ..LimiterConfig::default()
        },
    );
    let mut reply = driver.start(group(&sandbox));
    for i in 0..15 {
        reply.push(format!("part {i}"));
        tokio::time::sleep(Duration::from_millis(60)).await;
    }
    reply.finish("final despite the storm");
    let closed = tokio::time::timeout(Duration::from_secs(15), reply.closed()).await;
    let card = &sandbox.cards()[0];
    let trail: Vec<(u64, String, u16)> = sandbox
        .requests(0)
        .iter()
        .map(|r| (r.time, r.path.clone(), r.status))
        .collect();
    let (fallbacks, _) = closed.unwrap_or_else(|_| panic!("not closed; calls: {trail:?}"));
    if fallbacks.is_empty() {
        assert_eq!(card.flow_status.as_deref(), Some("3"));
        assert_eq!(card.variables["msgContent"], "final despite the storm");
    } else {
        // The closing calls were refused too often: the text went out as markdown instead.
        assert_eq!(fallbacks[0].0, "final despite the storm");
    }
    assert_eq!(
        trail
            .iter()
            .filter(|(_, path, status)| path == "/v1.0/card/streaming" && *status == 403)
            .count(),
        8
    );
}
