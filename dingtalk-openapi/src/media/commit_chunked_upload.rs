//! `GET oapi /file/upload/transaction` with `upload_id` (finish a chunked upload).

use std::borrow::Cow;

use dingtalk_core::{AgentId, ApiHost, Endpoint, MediaId, Method};
use serde::Deserialize;

use crate::error::Error;

/// Finishes a chunked upload and returns its media id: `GET https://oapi.dingtalk.com/file/upload/transaction`
/// (`agent_id`, `file_size`, `chunk_numbers`, `upload_id`).
///
/// **Unverified** (archived documentation, reference §6.3). DingTalk docs:
/// <https://open.dingtalk.com/document/orgapp/submit-the-file-upload-transaction>.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::AgentId;
/// use dingtalk_openapi::media::CommitChunkedUpload;
/// let done = client.execute(&CommitChunkedUpload::new(AgentId::new("123"), 30_000_000, 4, "upload-1")).await?;
/// println!("{}", done.media_id);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct CommitChunkedUpload {
    agent_id: AgentId,
    file_size: u64,
    chunk_numbers: u32,
    upload_id: String,
}

impl CommitChunkedUpload {
    /// Finishes upload `upload_id` of `file_size` bytes in `chunk_numbers` chunks.
    pub fn new(agent_id: AgentId, file_size: u64, chunk_numbers: u32, upload_id: impl Into<String>) -> Self {
        Self {
            agent_id,
            file_size,
            chunk_numbers,
            upload_id: upload_id.into(),
        }
    }
}

/// The answer to [`CommitChunkedUpload`].
#[derive(Clone, Debug, Deserialize)]
#[non_exhaustive]
pub struct CommitChunkedUploadResponse {
    /// The uploaded file's media id.
    pub media_id: MediaId,
}

impl Endpoint for CommitChunkedUpload {
    type Response = CommitChunkedUploadResponse;
    const METHOD: Method = Method::Get;
    const HOST: ApiHost = ApiHost::Legacy;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/file/upload/transaction"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/file/upload/transaction")
    }

    fn query(&self) -> Vec<(&'static str, String)> {
        vec![
            ("agent_id", self.agent_id.to_string()),
            ("file_size", self.file_size.to_string()),
            ("chunk_numbers", self.chunk_numbers.to_string()),
            ("upload_id", self.upload_id.clone()),
        ]
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("agent_id", self.agent_id.as_str())?;
        dingtalk_core::endpoint::require("upload_id", &self.upload_id)
    }
}
