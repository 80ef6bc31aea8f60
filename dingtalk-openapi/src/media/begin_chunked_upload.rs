//! `GET oapi /file/upload/transaction` (open a chunked upload).

use std::borrow::Cow;

use dingtalk_core::{AgentId, ApiHost, Endpoint, Method};
use serde::Deserialize;

use crate::error::Error;

/// Opens a chunked upload for a file above 20 MB: `GET https://oapi.dingtalk.com/file/upload/transaction`
/// (`agent_id`, `file_size`, `chunk_numbers`).
///
/// **Unverified:** this follows DingTalk's archived drive-upload documentation (see the project's OpenAPI
/// reference §6.3); whether the resulting media id works in robot messages is unconfirmed. DingTalk docs:
/// <https://open.dingtalk.com/document/orgapp/enable-multipart-upload-transactions>. Use
/// [`Media::upload_large_file`](crate::Media::upload_large_file) to run the whole flow.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::AgentId;
/// use dingtalk_openapi::media::BeginChunkedUpload;
/// let opened = client.execute(&BeginChunkedUpload::new(AgentId::new("123"), 30_000_000, 4)).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct BeginChunkedUpload {
    agent_id: AgentId,
    file_size: u64,
    chunk_numbers: u32,
}

impl BeginChunkedUpload {
    /// Opens an upload of `file_size` bytes in `chunk_numbers` chunks for app `agent_id`.
    pub fn new(agent_id: AgentId, file_size: u64, chunk_numbers: u32) -> Self {
        Self {
            agent_id,
            file_size,
            chunk_numbers,
        }
    }
}

/// The answer to [`BeginChunkedUpload`].
#[derive(Clone, Debug, Deserialize)]
#[non_exhaustive]
pub struct BeginChunkedUploadResponse {
    /// The upload id chunks are sent under.
    pub upload_id: String,
}

impl Endpoint for BeginChunkedUpload {
    type Response = BeginChunkedUploadResponse;
    const METHOD: Method = Method::Get;
    const HOST: ApiHost = ApiHost::Legacy;
    const IDEMPOTENT: bool = false;

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
        ]
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("agent_id", self.agent_id.as_str())?;
        if self.file_size == 0 || self.chunk_numbers == 0 || self.chunk_numbers > super::limits::MAX_CHUNKS {
            return Err(Error::validation(
                "file_size must be positive and chunk_numbers 1 to 10000",
            ));
        }
        Ok(())
    }
}
