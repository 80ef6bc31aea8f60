//! Media: upload (`/media/upload`, up to 20 MB) and the chunked upload for larger files (unverified).

mod begin_chunked_upload;
mod commit_chunked_upload;
mod limits;
mod upload_chunk;
mod upload_media;

pub use begin_chunked_upload::{BeginChunkedUpload, BeginChunkedUploadResponse};
pub use commit_chunked_upload::{CommitChunkedUpload, CommitChunkedUploadResponse};
pub use limits::{MAX_CHUNK_BYTES, MAX_CHUNKS};
pub use upload_chunk::{UploadChunk, UploadChunkResponse};
pub use upload_media::{MAX_MEDIA_BYTES, MediaType, UploadMedia, UploadMediaResponse};
