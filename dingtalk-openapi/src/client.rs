//! [`Client`], its product namespaces and the fluent [`Call`].

mod attendance;
mod calendar;
mod cards;
mod contact;
mod ding;
mod im;
mod media;
mod notable;
mod report;
mod robot;
mod todo;
mod workbench;
mod workflow;

use std::fmt;
use std::future::IntoFuture;
use std::sync::Arc;

use dingtalk_core::{
    BoxFuture, BoxStream, Endpoint, Paginated, Priority, ResponseMeta, TokenProvider, Transport,
};

use crate::error::Error;

pub use attendance::Attendance;
pub use calendar::Calendar;
pub use cards::Cards;
pub use contact::Contact;
pub use ding::Ding;
pub use im::Im;
pub use media::Media;
pub use notable::Notable;
pub use report::Report;
pub use robot::Robot;
pub use todo::Todo;
pub use workbench::Workbench;
pub use workflow::Workflow;

/// A DingTalk OpenAPI client: a [`Transport`] plus the [`TokenProvider`] its calls take tokens from.
///
/// Cheap to clone. Product namespaces (`client.robot()`, …) build a [`Call`] per operation; awaiting the call sends
/// it. Any request type can also be sent directly with [`Client::execute`].
///
/// ```no_run
/// use std::sync::Arc;
/// use dingtalk_core::{OpenConversationId, RobotCode, SecretString, StaticToken, Transport};
/// use dingtalk_openapi::{Client, robot::RobotMessage};
///
/// # async fn run() -> Result<(), dingtalk_openapi::Error> {
/// let tokens = Arc::new(StaticToken::new(SecretString::from("app-token")));
/// let client = Client::new(Transport::builder().build()?, tokens);
/// let sent = client
///     .robot()
///     .send_group_message(RobotCode::new("dingbot"), OpenConversationId::new("cid1=="), RobotMessage::text("hi"))
///     .await?;
/// println!("{:?}", sent.process_query_key);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    transport: Transport,
    tokens: Arc<dyn TokenProvider>,
}

impl Client {
    /// A client sending through `transport` with tokens from `tokens` (for example `dingtalk_auth`'s app-token
    /// provider, or [`StaticToken`](dingtalk_core::StaticToken) for a token obtained elsewhere).
    pub fn new(transport: Transport, tokens: Arc<dyn TokenProvider>) -> Self {
        Self { transport, tokens }
    }

    /// The transport.
    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// Sends any endpoint: the one generic executor.
    pub async fn execute<E: Endpoint>(&self, endpoint: &E) -> Result<E::Response, Error> {
        self.transport.execute(endpoint, Some(&*self.tokens)).await
    }

    /// Wraps `endpoint` in a fluent [`Call`].
    pub fn call<E: Endpoint>(&self, endpoint: E) -> Call<'_, E> {
        Call {
            client: self,
            endpoint,
            priority: Priority::Normal,
            max_pages: None,
        }
    }

    /// Robot messages: group, one-to-one and private-chat sends, recalls, emotions, message files, session and
    /// custom webhooks.
    pub fn robot(&self) -> Robot<'_> {
        Robot { client: self }
    }

    /// AI and interactive cards.
    pub fn cards(&self) -> Cards<'_> {
        Cards { client: self }
    }

    /// Contact: users and departments.
    pub fn contact(&self) -> Contact<'_> {
        Contact { client: self }
    }

    /// Calendar events, attendees and free/busy.
    pub fn calendar(&self) -> Calendar<'_> {
        Calendar { client: self }
    }

    /// Group chats: create, query, update, members, and robot group-message read status.
    pub fn im(&self) -> Im<'_> {
        Im { client: self }
    }

    /// Media uploads.
    pub fn media(&self) -> Media<'_> {
        Media { client: self }
    }

    /// Todo tasks.
    pub fn todo(&self) -> Todo<'_> {
        Todo { client: self }
    }

    /// OA approval.
    pub fn workflow(&self) -> Workflow<'_> {
        Workflow { client: self }
    }

    /// Attendance results, records and shifts.
    pub fn attendance(&self) -> Attendance<'_> {
        Attendance { client: self }
    }

    /// DING urgent reminders.
    pub fn ding(&self) -> Ding<'_> {
        Ding { client: self }
    }

    /// Reports (daily/weekly logs).
    pub fn report(&self) -> Report<'_> {
        Report { client: self }
    }

    /// AI tables (notable): sheets, fields, records.
    pub fn notable(&self) -> Notable<'_> {
        Notable { client: self }
    }

    /// Workbench apps.
    pub fn workbench(&self) -> Workbench<'_> {
        Workbench { client: self }
    }

    pub(crate) fn tokens(&self) -> &dyn TokenProvider {
        &*self.tokens
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("transport", &self.transport)
            .finish_non_exhaustive()
    }
}

/// One operation about to be sent. Setters adjust the request; `.await` sends it.
#[must_use = "a call does nothing until it is awaited"]
pub struct Call<'c, E> {
    client: &'c Client,
    endpoint: E,
    priority: Priority,
    max_pages: Option<usize>,
}

impl<'c, E: Endpoint + 'c> Call<'c, E> {
    /// The request as data (for logs, `--dry-run`, or [`Transport::prepare`]).
    pub fn endpoint(&self) -> &E {
        &self.endpoint
    }

    /// The request, without sending it.
    pub fn into_endpoint(self) -> E {
        self.endpoint
    }

    /// The rate-limiter priority of this call.
    pub fn priority(mut self, priority: Priority) -> Self {
        self.priority = priority;
        self
    }

    /// Also returns [`ResponseMeta`] (request id, HTTP status, attempts).
    pub fn with_meta(self) -> WithMeta<'c, E> {
        WithMeta { call: self }
    }

    pub(crate) fn map(mut self, f: impl FnOnce(E) -> E) -> Self {
        self.endpoint = f(self.endpoint);
        self
    }
}

impl<'c, E: Paginated> Call<'c, E> {
    /// Caps how many pages [`into_stream`](Self::into_stream) fetches.
    pub fn max_pages(mut self, pages: usize) -> Self {
        self.max_pages = Some(pages);
        self
    }

    /// Walks every page, yielding items. A repeated cursor ends the stream with a `Decode` error.
    pub fn into_stream(self) -> BoxStream<'c, Result<E::Item, Error>> {
        dingtalk_core::paginate(
            &self.client.transport,
            Some(self.client.tokens()),
            self.endpoint,
            self.max_pages,
        )
    }
}

impl<'c, E: Endpoint + 'c> IntoFuture for Call<'c, E> {
    type Output = Result<E::Response, Error>;
    type IntoFuture = BoxFuture<'c, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            self.client
                .transport
                .execute_prioritized(&self.endpoint, Some(self.client.tokens()), self.priority)
                .await
                .map(|(response, _)| response)
        })
    }
}

impl<E: fmt::Debug> fmt::Debug for Call<'_, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("endpoint", &self.endpoint)
            .field("priority", &self.priority)
            .finish_non_exhaustive()
    }
}

/// A [`Call`] that also returns [`ResponseMeta`].
#[must_use = "a call does nothing until it is awaited"]
pub struct WithMeta<'c, E> {
    call: Call<'c, E>,
}

impl<E: fmt::Debug> fmt::Debug for WithMeta<'_, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WithMeta").field("call", &self.call).finish()
    }
}

impl<'c, E: Endpoint + 'c> IntoFuture for WithMeta<'c, E> {
    type Output = Result<(E::Response, ResponseMeta), Error>;
    type IntoFuture = BoxFuture<'c, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        let call = self.call;
        Box::pin(async move {
            call.client
                .transport
                .execute_prioritized(&call.endpoint, Some(call.client.tokens()), call.priority)
                .await
        })
    }
}
