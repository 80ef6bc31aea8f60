//! Limits of the chunked upload.

/// The largest chunk, in bytes (8 MB).
pub const MAX_CHUNK_BYTES: usize = 8 * 1024 * 1024;
/// The most chunks one upload may have.
pub const MAX_CHUNKS: u32 = 10_000;
