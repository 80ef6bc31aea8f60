//! `POST oapi /file/upload/chunk` (one chunk of a chunked upload).

use std::borrow::Cow;
use std::fmt;

use dingtalk_core::{AgentId, ApiHost, Body, Endpoint, Method, Part};
use serde::Deserialize;

use crate::error::Error;

/// Sends one chunk of a chunked upload: `POST https://oapi.dingtalk.com/file/upload/chunk` (`agent_id`,
/// `upload_id`, `chunk_sequence` in the query; multipart part `file`). Chunks are larger than 100 KB (except the
/// last) and at most 8 MB.
///
/// **Unverified** (archived documentation, reference §6.3). DingTalk docs:
/// <https://open.dingtalk.com/document/orgapp/upload-file-blocks>. Re-sending a chunk is harmless (idempotent).
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::AgentId;
/// use dingtalk_openapi::media::UploadChunk;
/// client.execute(&UploadChunk::new(AgentId::new("123"), "upload-1", 1, vec![0; 8 << 20])).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct UploadChunk {
    agent_id: AgentId,
    upload_id: String,
    chunk_sequence: u32,
    data: Vec<u8>,
}

impl UploadChunk {
    /// Chunk number `chunk_sequence` (from 1) of upload `upload_id`.
    pub fn new(agent_id: AgentId, upload_id: impl Into<String>, chunk_sequence: u32, data: Vec<u8>) -> Self {
        Self {
            agent_id,
            upload_id: upload_id.into(),
            chunk_sequence,
            data,
        }
    }
}

impl fmt::Debug for UploadChunk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UploadChunk")
            .field("upload_id", &self.upload_id)
            .field("chunk_sequence", &self.chunk_sequence)
            .field("bytes", &self.data.len())
            .finish_non_exhaustive()
    }
}

/// The answer to [`UploadChunk`]: only `errcode` 0.
#[derive(Clone, Debug, Default, Deserialize)]
#[non_exhaustive]
pub struct UploadChunkResponse {
    /// `0` on success.
    pub errcode: Option<i64>,
}

impl Endpoint for UploadChunk {
    type Response = UploadChunkResponse;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::Legacy;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/file/upload/chunk"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/file/upload/chunk")
    }

    fn query(&self) -> Vec<(&'static str, String)> {
        vec![
            ("agent_id", self.agent_id.to_string()),
            ("upload_id", self.upload_id.clone()),
            ("chunk_sequence", self.chunk_sequence.to_string()),
        ]
    }

    fn body(&self) -> Result<Body, Error> {
        Ok(Body::Multipart(vec![Part {
            name: "file".to_owned(),
            file_name: Some(format!("chunk{}", self.chunk_sequence)),
            content_type: Some("application/octet-stream".to_owned()),
            data: self.data.clone(),
        }]))
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("upload_id", &self.upload_id)?;
        if self.chunk_sequence == 0 {
            return Err(Error::validation("chunk_sequence starts at 1"));
        }
        if self.data.is_empty() || self.data.len() > super::limits::MAX_CHUNK_BYTES {
            return Err(Error::validation("a chunk holds 1 byte to 8 MB"));
        }
        Ok(())
    }
}
