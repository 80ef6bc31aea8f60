//! `PUT /v1.0/card/streaming`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, Endpoint, Method, OutTrackId};
use serde::Serialize;

use crate::cards::UpdateCardResponse;
use crate::error::Error;
use crate::macros::call_setters;

/// Streams text into one card variable: `PUT /v1.0/card/streaming`.
///
/// `guid` is unique per call and makes a repeat harmless (idempotent). By default `content` is appended; for a
/// variable bound to markdown send the full text with [`full`](Self::full). Finish with
/// [`finalize`](Self::finalize). DingTalk docs: <https://open.dingtalk.com/document/orgapp/api-streamingupdate>.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::OutTrackId;
/// client.cards()
///     .update_card_streaming(OutTrackId::new("card-1"), "guid-42", "content", "Hello, world")
///     .full()
///     .finalize()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateCardStreaming {
    out_track_id: OutTrackId,
    guid: String,
    key: String,
    content: String,
    is_full: bool,
    is_finalize: bool,
    is_error: bool,
}

impl UpdateCardStreaming {
    /// Appends `content` to variable `key` of card `out_track_id`; `guid` identifies this frame.
    pub fn new(
        out_track_id: OutTrackId,
        guid: impl Into<String>,
        key: impl Into<String>,
        content: impl Into<String>,
    ) -> Self {
        Self {
            out_track_id,
            guid: guid.into(),
            key: key.into(),
            content: content.into(),
            is_full: false,
            is_finalize: false,
            is_error: false,
        }
    }

    /// `content` is the full text, not a delta (`isFull`).
    #[must_use]
    pub fn full(mut self) -> Self {
        self.is_full = true;
        self
    }

    /// This is the last frame (`isFinalize`).
    #[must_use]
    pub fn finalize(mut self) -> Self {
        self.is_finalize = true;
        self
    }

    /// The answer failed; the card shows an error state (`isError`).
    #[must_use]
    pub fn error(mut self) -> Self {
        self.is_error = true;
        self
    }
}

impl Endpoint for UpdateCardStreaming {
    type Response = UpdateCardResponse;
    const METHOD: Method = Method::Put;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/card/streaming"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1.0/card/streaming")
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        super::checks::out_track(&self.out_track_id)?;
        dingtalk_core::endpoint::require("guid", &self.guid)?;
        dingtalk_core::endpoint::require("key", &self.key)
    }
}

call_setters!(UpdateCardStreaming { full(), finalize(), error() });
