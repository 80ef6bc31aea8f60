//! Test helpers shared by the engine and dispatcher tests: a tiny WebSocket server and a fake ticket source.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use futures_util::{SinkExt, StreamExt};
use secrecy::SecretString;
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::time::timeout;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::{self, Message};

use crate::backoff::BackoffConfig;
use crate::client::{Client, ClientBuilder};
use crate::connection::Connection;
use crate::error::{Error, ErrorKind};
use crate::frame::topic;
use crate::inbound::Inbound;
use crate::open::{Subscription, Ticket, TicketSource};

pub(crate) type ServerWs = WebSocketStream<TcpStream>;
pub(crate) const WAIT: Duration = Duration::from_secs(5);

pub(crate) struct FakeSource {
    pub(crate) endpoint: String,
    pub(crate) calls: AtomicUsize,
    pub(crate) script: Mutex<VecDeque<ErrorKind>>,
    /// This many tickets are issued 61 s old before fresh ones.
    pub(crate) stale: AtomicUsize,
}

#[async_trait]
impl TicketSource for FakeSource {
    async fn open(&self, subscriptions: &[Subscription]) -> Result<Ticket, Error> {
        assert!(!subscriptions.is_empty());
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        if let Some(kind) = self.script.lock().unwrap().pop_front() {
            return Err(Error::new(kind));
        }
        let ticket = Ticket::new(&self.endpoint, SecretString::from(format!("ticket-{n}")))?;
        let stale = self
            .stale
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |s| s.checked_sub(1))
            .is_ok();
        Ok(if stale {
            ticket.issued_ago(Duration::from_secs(61))
        } else {
            ticket
        })
    }
}

pub(crate) struct Harness {
    pub(crate) source: Arc<FakeSource>,
    pub(crate) accepted: mpsc::Receiver<(ServerWs, String)>,
}

pub(crate) async fn harness(script: &[ErrorKind]) -> Harness {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, accepted) = mpsc::channel(16);
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let mut uri = String::new();
                #[expect(clippy::result_large_err, reason = "tungstenite's callback signature")]
                let callback =
                    |req: &tungstenite::handshake::server::Request,
                     resp: tungstenite::handshake::server::Response| {
                        uri = req.uri().to_string();
                        Ok(resp)
                    };
                if let Ok(ws) = tokio_tungstenite::accept_hdr_async(tcp, callback).await {
                    let _ = tx.send((ws, uri)).await;
                }
            });
        }
    });
    let source = Arc::new(FakeSource {
        endpoint: format!("ws://{addr}/connect"),
        calls: AtomicUsize::new(0),
        script: Mutex::new(script.iter().copied().collect()),
        stale: AtomicUsize::new(0),
    });
    Harness { source, accepted }
}

impl Harness {
    pub(crate) fn client(&self) -> ClientBuilder {
        Client::builder("dingapp", SecretString::from("secret"))
            .subscribe_bot_messages()
            .subscribe_card_callbacks()
            .subscribe_events()
            .ticket_source(Arc::clone(&self.source) as Arc<dyn TicketSource>)
            .backoff(
                BackoffConfig::default()
                    .initial(Duration::from_millis(100))
                    .cap(Duration::from_millis(300)),
            )
            .backoff_seed(1)
    }

    pub(crate) async fn accept(&mut self) -> ServerWs {
        self.accept_with_uri().await.0
    }

    /// The next accepted socket and its request URI.
    pub(crate) async fn accept_with_uri(&mut self) -> (ServerWs, String) {
        let (ws, uri) = timeout(WAIT, self.accepted.recv())
            .await
            .expect("no connection")
            .unwrap();
        assert!(uri.starts_with("/connect?ticket=ticket-"), "{uri}");
        (ws, uri)
    }
}

pub(crate) async fn send(ws: &mut ServerWs, frame: &Value) {
    ws.send(Message::Text(frame.to_string().into())).await.unwrap();
}

pub(crate) async fn send_raw(ws: &mut ServerWs, text: &str) {
    ws.send(Message::Text(text.to_owned().into())).await.unwrap();
}

/// The next text frame from the client, skipping control frames.
pub(crate) async fn next_text(ws: &mut ServerWs) -> String {
    timeout(WAIT, async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(t))) => return t.to_string(),
                Some(Ok(Message::Close(_)) | Err(_)) | None => panic!("socket closed"),
                Some(Ok(_)) => {}
            }
        }
    })
    .await
    .expect("no text frame")
}

pub(crate) async fn next_json(ws: &mut ServerWs) -> Value {
    serde_json::from_str(&next_text(ws).await).unwrap()
}

/// Waits until the client closes this socket (close frame or EOF).
pub(crate) async fn closed(ws: &mut ServerWs) -> bool {
    timeout(WAIT, async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Close(_)) | Err(_)) | None => return true,
                Some(Ok(_)) => {}
            }
        }
    })
    .await
    .unwrap_or(false)
}

pub(crate) fn business(kind: &str, topic_name: &str, message_id: &str, data: &Value) -> Value {
    let mut headers = json!({"contentType":"application/json","messageId":message_id,"topic":topic_name,"time":"1774080001000"});
    if kind == "EVENT" {
        headers["eventType"] = json!("user_add_org");
        headers["eventId"] = json!(format!("ev-{message_id}"));
        headers["eventBornTime"] = json!(1_774_080_000_950_i64);
    }
    json!({"specVersion":"1.0","type":kind,"headers":headers,"data":data.to_string()})
}

pub(crate) fn bot(message_id: &str, msg_id: &str, text: &str) -> Value {
    bot_in(message_id, msg_id, "cid1", text)
}

/// A bot message frame in a given conversation.
pub(crate) fn bot_in(message_id: &str, msg_id: &str, conversation: &str, text: &str) -> Value {
    business(
        "CALLBACK",
        topic::BOT_MESSAGE,
        message_id,
        &json!({"msgId":msg_id,"msgtype":"text","text":{"content":text},"conversationId":conversation,"conversationType":"1",
                "senderId":"$:s","robotCode":"dingabc","sessionWebhook":"http://127.0.0.1/x"}),
    )
}

pub(crate) async fn next_item(conn: &mut Connection) -> Inbound {
    timeout(WAIT, conn.next())
        .await
        .expect("no item")
        .expect("stream ended")
        .expect("error item")
}
