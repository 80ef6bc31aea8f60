//! Outbound routing: session webhook while it is valid, OpenAPI after it expires or fails (BOT-25..28).

use dingtalk_core::{MediaId, OpenConversationId, RobotCode, UserId};
use dingtalk_openapi::Client;
use dingtalk_openapi::media::{MediaType, UploadMedia};
use dingtalk_openapi::robot::{
    BatchSendOtoMessage, RobotMessage, SendBySession, SendGroupMessage, WebhookMessage,
};

use crate::config::{ReplyConfig, ReplyMode};
use crate::markdown::{apply_table_mode, chunk, derive_title, looks_like_markdown, numbered_titles};
use crate::tags::{CheckedMedia, MediaKind};

/// Where a reply goes: the conversation that asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplyTarget {
    /// The robot.
    pub robot_code: RobotCode,
    /// A group (by open conversation id) or a direct chat (by the asker's staff id).
    pub conversation: Conversation,
    /// The inbound message's session webhook and its expiry (epoch ms).
    pub session_webhook: Option<(String, i64)>,
    /// Whom to @-mention in group webhook replies.
    pub at_user: Option<UserId>,
}

/// A conversation kind with the id OpenAPI sends need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Conversation {
    /// A group.
    Group(OpenConversationId),
    /// A one-to-one chat with this user.
    Direct(UserId),
}

/// How a message went out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Route {
    /// The session webhook.
    Webhook,
    /// `groupMessages/send` or `oToMessages/batchSend`.
    OpenApi,
}

/// A send failure, after the fallback was tried.
#[derive(Debug)]
pub struct SendError(dingtalk_core::Error);

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the reply could not be sent")
    }
}

impl std::error::Error for SendError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

/// Sends replies for one account.
#[derive(Clone, Debug)]
pub struct Replier {
    client: Client,
    config: ReplyConfig,
    default_title: String,
}

impl Replier {
    /// A replier over `client` with the account's reply settings; `name` is the bot's name (title fallback).
    pub fn new(client: Client, config: ReplyConfig, name: &str) -> Self {
        let default_title = if config.default_title.is_empty() {
            name.to_owned()
        } else {
            config.default_title.clone()
        };
        Self {
            client,
            config,
            default_title,
        }
    }

    /// Sends `text` in the configured mode (markdown/text), chunked at `max_chars` with derived titles. Returns the
    /// routes used.
    pub async fn send(
        &self,
        target: &ReplyTarget,
        text: &str,
        mode: ReplyMode,
    ) -> Result<Vec<Route>, SendError> {
        let text = if text.trim().is_empty() {
            self.config.empty_reply_text.clone()
        } else {
            text.to_owned()
        };
        let as_markdown = mode != ReplyMode::Text && looks_like_markdown(&text);
        let shaped = if as_markdown {
            apply_table_mode(&text, self.config.table_mode)
        } else {
            text.clone()
        };
        let chunks = chunk(&shaped, self.config.max_chars);
        let title = derive_title(&shaped, self.config.title_max_chars, &self.default_title);
        let titles = numbered_titles(&title, chunks.len());
        let mut routes = Vec::with_capacity(chunks.len());
        let last = chunks.len().saturating_sub(1);
        for (i, (body, title)) in chunks.iter().zip(titles).enumerate() {
            // The @-mention only on the last chunk.
            let at = if i == last { target.at_user.clone() } else { None };
            routes.push(self.send_one(target, &title, body, as_markdown, at).await?);
        }
        Ok(routes)
    }

    /// Uploads a checked media file (`/media/upload`) and sends it through OpenAPI (BOT-23): images as
    /// `sampleImageMsg`, voice as `sampleAudio` (with the duration read from WAV, AMR, MP3 or Ogg headers; 0 when unreadable), files (and
    /// videos without a cover, see [`send_video`](Self::send_video)) as `sampleFile`.
    pub async fn send_media(
        &self,
        target: &ReplyTarget,
        media: &CheckedMedia,
        kind: MediaKind,
    ) -> Result<(), SendError> {
        let data = read(media).await?;
        let media_type = match kind {
            MediaKind::Image => MediaType::Image,
            MediaKind::Audio => MediaType::Voice,
            // A video without a cover goes as a file message, but it is uploaded as a video: `type=file` takes only
            // office documents and archives (doc(x), xls(x), ppt(x), zip, pdf, rar), and refuses an mp4.
            MediaKind::Video => MediaType::Video,
            MediaKind::File => MediaType::File,
        };
        let voice_millis = if kind == MediaKind::Audio {
            crate::duration::voice_millis(&data).unwrap_or(0)
        } else {
            0
        };
        let media_id = self.upload(media_type, media, data).await?;
        let message = match kind {
            MediaKind::Image => RobotMessage::image(media_id.as_str()),
            MediaKind::Audio => RobotMessage::audio(&media_id, voice_millis),
            MediaKind::Video | MediaKind::File => {
                RobotMessage::file(&media_id, &media.name, &media.extension)
            }
        };
        self.send_message(target, message, false).await
    }

    /// Sends an MP4 video with its cover image as `sampleVideo` (BOT-23): both are uploaded, the duration (whole
    /// seconds, rounded up) is read from the file's `mvhd` box.
    ///
    /// # Errors
    /// A file that cannot be read, an MP4 without a readable duration, a failed upload or send. The caller falls
    /// back to sending the video as a file.
    pub async fn send_video(
        &self,
        target: &ReplyTarget,
        video: &CheckedMedia,
        cover: &CheckedMedia,
    ) -> Result<(), SendError> {
        let data = read(video).await?;
        let millis = crate::duration::mp4_millis(&data).ok_or_else(|| {
            SendError(dingtalk_core::Error::validation(
                "the video's duration could not be read",
            ))
        })?;
        let picture = read(cover).await?;
        let video_id = self.upload(MediaType::Video, video, data).await?;
        let cover_id = self.upload(MediaType::Image, cover, picture).await?;
        let message = RobotMessage::video(&video_id, "mp4", millis.div_ceil(1000).max(1), &cover_id);
        self.send_message(target, message, false).await
    }

    /// Uploads `data` as `media` (`/media/upload`); returns its media id.
    async fn upload(
        &self,
        media_type: MediaType,
        media: &CheckedMedia,
        data: Vec<u8>,
    ) -> Result<MediaId, SendError> {
        let upload = UploadMedia::new(media_type, media.name.clone(), data);
        Ok(self.client.execute(&upload).await.map_err(SendError)?.media_id)
    }

    /// Sends `message` through OpenAPI: `groupMessages/send` to a group, `oToMessages/batchSend` to a user. With
    /// `require_delivery`, a one-to-one send DingTalk flow-controlled or filtered fails (`robot.partialDelivery`).
    async fn send_message(
        &self,
        target: &ReplyTarget,
        message: RobotMessage,
        require_delivery: bool,
    ) -> Result<(), SendError> {
        let result = match &target.conversation {
            Conversation::Group(cid) => self
                .client
                .execute(&SendGroupMessage::new(
                    target.robot_code.clone(),
                    cid.clone(),
                    message,
                ))
                .await
                .map(drop),
            Conversation::Direct(user) => {
                let request =
                    BatchSendOtoMessage::new(target.robot_code.clone(), vec![user.clone()], message);
                match self.client.execute(&request).await {
                    Ok(response) if require_delivery && response.is_partial() => {
                        tracing::warn!(user = %user, "one-to-one send was flow-controlled or filtered");
                        response.into_complete().map(drop)
                    }
                    sent => sent.map(drop),
                }
            }
        };
        result.map_err(SendError)
    }

    async fn send_one(
        &self,
        target: &ReplyTarget,
        title: &str,
        body: &str,
        markdown: bool,
        at: Option<UserId>,
    ) -> Result<Route, SendError> {
        let now_ms = i64::try_from(self.client.transport().clock().epoch_millis()).unwrap_or(i64::MAX);
        let margin_ms = i64::try_from(self.config.webhook_margin_s.saturating_mul(1000)).unwrap_or(i64::MAX);
        if let Some((url, expires_ms)) = &target.session_webhook
            && now_ms < expires_ms.saturating_sub(margin_ms)
        {
            let text = match (&at, self.config.at_sender_in_group, &target.conversation) {
                (Some(user), true, Conversation::Group(_)) => format!("{body}\n\n@{user}"),
                _ => body.to_owned(),
            };
            let mut message = if markdown {
                WebhookMessage::markdown(title, text)
            } else {
                WebhookMessage::text(text)
            };
            if let (Some(user), true, Conversation::Group(_)) =
                (at, self.config.at_sender_in_group, &target.conversation)
            {
                message = message.at_user_ids(vec![user]);
            }
            match SendBySession::new(url, message) {
                Ok(request) => match self.client.execute(&request).await {
                    Ok(_) => return Ok(Route::Webhook),
                    Err(e) => {
                        tracing::info!(kind = ?e.kind(), "session webhook failed; falling back to OpenAPI");
                    }
                },
                Err(e) => tracing::info!(kind = ?e.kind(), "unusable session webhook; using OpenAPI"),
            }
        }
        let message = if markdown {
            RobotMessage::markdown(title, body)
        } else {
            RobotMessage::text(body)
        };
        self.send_message(target, message, true)
            .await
            .map(|()| Route::OpenApi)
    }
}

/// Reads a checked media file.
async fn read(media: &CheckedMedia) -> Result<Vec<u8>, SendError> {
    tokio::fs::read(&media.path).await.map_err(|e| {
        SendError(dingtalk_core::Error::validation("the media file could not be read").with_source(e))
    })
}
