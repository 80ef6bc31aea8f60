//! The `client.media()` namespace.

use dingtalk_core::{AgentId, MediaId};

use crate::client::{Call, Client};
use crate::error::Error;
use crate::media::{
    BeginChunkedUpload, CommitChunkedUpload, MAX_CHUNK_BYTES, MAX_MEDIA_BYTES, MediaType, UploadChunk,
    UploadMedia,
};

/// Media uploads; from [`Client::media`].
#[derive(Clone, Copy, Debug)]
pub struct Media<'c> {
    pub(crate) client: &'c Client,
}

impl<'c> Media<'c> {
    /// [`UploadMedia`]: uploads a file of at most 20 MB (2 MB for voice).
    pub fn upload_media(
        self,
        media_type: MediaType,
        file_name: impl Into<String>,
        data: Vec<u8>,
    ) -> Call<'c, UploadMedia> {
        self.client.call(UploadMedia::new(media_type, file_name, data))
    }

    /// Uploads `data` of any size: through [`UploadMedia`] up to 20 MB, else through the chunked upload
    /// ([`BeginChunkedUpload`], one [`UploadChunk`] per 8 MB, [`CommitChunkedUpload`]), which is **unverified**
    /// against the live service.
    pub async fn upload_large_file(
        self,
        agent_id: AgentId,
        media_type: MediaType,
        file_name: impl Into<String>,
        data: Vec<u8>,
    ) -> Result<MediaId, Error> {
        if data.len() <= MAX_MEDIA_BYTES {
            return Ok(self.upload_media(media_type, file_name, data).await?.media_id);
        }
        let chunks = u32::try_from(data.len().div_ceil(MAX_CHUNK_BYTES))
            .map_err(|_| Error::validation("the file is too large"))?;
        let size = data.len() as u64;
        let opened = self
            .client
            .execute(&BeginChunkedUpload::new(agent_id.clone(), size, chunks))
            .await?;
        for (index, chunk) in data.chunks(MAX_CHUNK_BYTES).enumerate() {
            let sequence = u32::try_from(index + 1).map_err(|_| Error::validation("too many chunks"))?;
            self.client
                .execute(&UploadChunk::new(
                    agent_id.clone(),
                    opened.upload_id.clone(),
                    sequence,
                    chunk.to_vec(),
                ))
                .await?;
        }
        let done = self
            .client
            .execute(&CommitChunkedUpload::new(
                agent_id,
                size,
                chunks,
                opened.upload_id,
            ))
            .await?;
        Ok(done.media_id)
    }
}
