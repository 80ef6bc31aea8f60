//! `dws event listen`: one Stream connection (`dingtalk-stream`) with the app's credentials; every pushed event
//! and callback is acked and printed as one NDJSON line on stdout (reference §8.7).

use std::collections::{HashSet, VecDeque};
use std::io::Write as _;
use std::time::Duration;

use dingtalk_core::SecretString;
use dingtalk_stream::{Client, Inbound};
use futures_util::StreamExt as _;
use serde_json::{Value, json};

use crate::exit::{CliError, Exit};
use crate::settings::Settings;

/// How many recent ids are remembered to drop redeliveries.
const DEDUP_WINDOW: usize = 4096;

/// What `dws event listen` was asked for.
#[derive(Debug, Default)]
pub(crate) struct ListenArgs {
    pub(crate) topics: Vec<String>,
    pub(crate) max_events: Option<u64>,
    pub(crate) duration: Option<u64>,
}

/// The app credentials for Stream: flags/env, else the sandbox demo app.
pub(crate) fn app_credentials(settings: &Settings) -> Result<(String, SecretString), CliError> {
    match (&settings.client_id, &settings.client_secret) {
        (Some(id), Some(secret)) => Ok((id.clone(), SecretString::from(secret.clone()))),
        (None, None) if settings.sandbox.is_some() => Ok((
            dingtalk_sandbox::DEMO_CLIENT_ID.to_owned(),
            SecretString::from(dingtalk_sandbox::DEMO_CLIENT_SECRET),
        )),
        _ => Err(
            CliError::new(Exit::Auth, "invalid_credentials", "Stream needs app credentials")
                .hint("set DWS_CLIENT_ID and DWS_CLIENT_SECRET, or use --sandbox"),
        ),
    }
}

fn now_ms() -> u64 {
    dingtalk_core::Clock::epoch_millis(&dingtalk_core::SystemClock)
}

fn parse_data(raw: &str) -> Value {
    serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_owned()))
}

fn stream_err(e: &dingtalk_stream::Error) -> CliError {
    let exit = if e.kind() == dingtalk_stream::ErrorKind::AuthRejected {
        Exit::Auth
    } else {
        Exit::Api
    };
    CliError::new(exit, "network", format!("stream: {e}"))
}

/// Runs until Ctrl-C, `--max-events` or `--duration` (each exits 0 after closing the connection).
pub(crate) async fn listen(settings: &Settings, args: ListenArgs) -> Result<Exit, CliError> {
    let (id, secret) = app_credentials(settings)?;
    let mut builder = Client::builder(id, secret)
        .subscribe_events()
        .subscribe_bot_messages()
        .subscribe_card_callbacks();
    for t in &args.topics {
        builder = builder.subscribe_callback(t.clone());
    }
    if let Some(url) = &settings.sandbox {
        builder = builder.api_base(url.clone());
    }
    let client = builder.build().map_err(|e| stream_err(&e))?;
    // Ctrl-C is caught from here on (before the connection exists), so it always ends the run cleanly.
    let interrupted = interrupt_listener()?;
    tokio::pin!(interrupted);
    let mut conn = client.connect().await.map_err(|e| stream_err(&e))?;
    crate::output::note(settings, "note: listening on DingTalk Stream; Ctrl-C stops");
    let deadline = args
        .duration
        .map(|s| dingtalk_core::Clock::now(&dingtalk_core::SystemClock) + Duration::from_secs(s));
    let mut seen: HashSet<String> = HashSet::new();
    let mut order: VecDeque<String> = VecDeque::new();
    let mut printed = 0u64;
    while args.max_events.is_none_or(|m| printed < m) {
        // Ctrl-C ends the stream cleanly (exit 0), like --max-events and --duration.
        let wait = async {
            match deadline {
                Some(d) => tokio::time::timeout_at(d.into(), conn.next()).await.ok(),
                None => Some(conn.next().await),
            }
        };
        let next = tokio::select! {
            n = wait => match n {
                Some(n) => n,
                None => break,
            },
            () = &mut interrupted => break,
        };
        let Some(item) = next else { break };
        let line = match item.map_err(|e| stream_err(&e))? {
            Inbound::Event(event, responder) => {
                responder.ack().await.map_err(|e| stream_err(&e))?;
                let key = event
                    .event_id()
                    .map_or_else(|| event.message_id().to_owned(), |e| e.to_string());
                if !remember(&mut seen, &mut order, key) {
                    continue;
                }
                json!({
                    "ts": now_ms(), "type": "EVENT", "topic": "*",
                    "event_type": event.event_type(),
                    "event_id": event.event_id().map(|e| e.to_string()),
                    "message_id": event.message_id(),
                    "corp_id": event.corp_id().map(|c| c.to_string()),
                    "data": parse_data(event.raw_data()),
                })
            }
            Inbound::Callback(callback, responder) => {
                responder.ack().await.map_err(|e| stream_err(&e))?;
                let data = parse_data(callback.raw_data());
                let key = data
                    .get("msgId")
                    .and_then(Value::as_str)
                    .map_or_else(|| callback.message_id().to_owned(), str::to_owned);
                if !remember(&mut seen, &mut order, key) {
                    continue;
                }
                json!({
                    "ts": now_ms(), "type": "CALLBACK", "topic": callback.topic(),
                    "event_type": Value::Null, "event_id": Value::Null,
                    "message_id": callback.message_id(), "corp_id": data.get("chatbotCorpId").cloned(),
                    "data": data,
                })
            }
            _ => continue,
        };
        let mut out = std::io::stdout().lock();
        writeln!(out, "{line}")?;
        out.flush()?;
        printed += 1;
    }
    let _ = conn.shutdown().await;
    Ok(Exit::Ok)
}

/// A future that completes on Ctrl-C; the handler is installed when this is called, not when first polled.
pub(crate) fn interrupt_listener() -> Result<impl Future<Output = ()>, CliError> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut sigint = signal(SignalKind::interrupt())
            .map_err(|e| CliError::internal(format!("cannot watch Ctrl-C: {e}")))?;
        Ok(async move {
            let _ = sigint.recv().await;
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}

/// Whether `key` is new; keeps the last [`DEDUP_WINDOW`] keys.
fn remember(seen: &mut HashSet<String>, order: &mut VecDeque<String>, key: String) -> bool {
    if key.is_empty() {
        return true;
    }
    if !seen.insert(key.clone()) {
        return false;
    }
    order.push_back(key);
    if order.len() > DEDUP_WINDOW
        && let Some(old) = order.pop_front()
    {
        seen.remove(&old);
    }
    true
}
