//! `POST oapi /media/upload?type=…` (multipart).

use std::borrow::Cow;
use std::fmt;

use dingtalk_core::{ApiHost, Body, Endpoint, MediaId, Method, Part};
use serde::Deserialize;

use crate::error::Error;

/// The kind of an uploaded media file, with DingTalk's size and format limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MediaType {
    /// `image`: jpg, gif, png, bmp; at most 20 MB.
    Image,
    /// `voice`: amr, mp3, wav; at most 2 MB.
    Voice,
    /// `video`: mp4; at most 20 MB.
    Video,
    /// `file`: doc, docx, xls, xlsx, ppt, pptx, zip, pdf, rar; at most 20 MB.
    File,
}

impl MediaType {
    /// The wire value of `type`.
    pub fn as_str(self) -> &'static str {
        match self {
            MediaType::Image => "image",
            MediaType::Voice => "voice",
            MediaType::Video => "video",
            MediaType::File => "file",
        }
    }

    /// The size limit in bytes.
    pub fn max_bytes(self) -> usize {
        match self {
            MediaType::Voice => 2 * 1024 * 1024,
            MediaType::Image | MediaType::Video | MediaType::File => MAX_MEDIA_BYTES,
        }
    }

    /// The accepted file extensions (lowercase).
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            MediaType::Image => &["jpg", "jpeg", "gif", "png", "bmp"],
            MediaType::Voice => &["amr", "mp3", "wav"],
            MediaType::Video => &["mp4"],
            MediaType::File => &["doc", "docx", "xls", "xlsx", "ppt", "pptx", "zip", "pdf", "rar"],
        }
    }
}

impl fmt::Display for MediaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The largest file [`UploadMedia`] accepts (20 MB); larger files go through the chunked upload.
pub const MAX_MEDIA_BYTES: usize = 20 * 1024 * 1024;

/// Uploads a media file: `POST https://oapi.dingtalk.com/media/upload?type=<type>` (multipart part `media`).
///
/// The returned `media_id` feeds robot messages (`sampleImageMsg`, `sampleFile`, …). Type, size and extension are
/// checked before sending. DingTalk docs: <https://open.dingtalk.com/document/orgapp/upload-media-files>.
/// Not idempotent (each upload makes a new media id).
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_openapi::media::MediaType;
/// let uploaded = client.media().upload_media(MediaType::Image, "chart.png", std::fs::read("chart.png").unwrap()).await?;
/// println!("{}", uploaded.media_id);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct UploadMedia {
    media_type: MediaType,
    file_name: String,
    content_type: Option<String>,
    data: Vec<u8>,
}

impl UploadMedia {
    /// An upload of `data` named `file_name` (its extension must match `media_type`).
    pub fn new(media_type: MediaType, file_name: impl Into<String>, data: Vec<u8>) -> Self {
        Self {
            media_type,
            file_name: file_name.into(),
            content_type: None,
            data,
        }
    }

    /// The part's content type (default: guessed from the extension).
    #[must_use]
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    fn extension(&self) -> String {
        self.file_name
            .rsplit_once('.')
            .map(|(_, ext)| ext.to_ascii_lowercase())
            .unwrap_or_default()
    }
}

impl fmt::Debug for UploadMedia {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UploadMedia")
            .field("media_type", &self.media_type)
            .field("file_name", &self.file_name)
            .field("bytes", &self.data.len())
            .finish_non_exhaustive()
    }
}

/// The answer to [`UploadMedia`].
#[derive(Clone, Debug, Deserialize)]
#[non_exhaustive]
pub struct UploadMediaResponse {
    /// The media id (starts with `@`), reusable in robot messages.
    pub media_id: MediaId,
    /// The media type echoed back.
    #[serde(rename = "type")]
    pub media_type: Option<String>,
    /// Upload time, Unix milliseconds.
    pub created_at: Option<i64>,
}

impl Endpoint for UploadMedia {
    type Response = UploadMediaResponse;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::Legacy;
    const IDEMPOTENT: bool = false;

    fn route(&self) -> &'static str {
        "/media/upload"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/media/upload")
    }

    fn query(&self) -> Vec<(&'static str, String)> {
        vec![("type", self.media_type.as_str().to_owned())]
    }

    fn body(&self) -> Result<Body, Error> {
        let content_type = self
            .content_type
            .clone()
            .unwrap_or_else(|| guess_content_type(&self.extension()).to_owned());
        Ok(Body::Multipart(vec![
            Part {
                name: "type".to_owned(),
                file_name: None,
                content_type: None,
                data: self.media_type.as_str().as_bytes().to_vec(),
            },
            Part {
                name: "media".to_owned(),
                file_name: Some(self.file_name.clone()),
                content_type: Some(content_type),
                data: self.data.clone(),
            },
        ]))
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("file name", &self.file_name)?;
        if self.data.is_empty() {
            return Err(Error::validation("the media file is empty"));
        }
        if self.data.len() > self.media_type.max_bytes() {
            return Err(Error::validation(format!(
                "a {} upload is at most {} bytes",
                self.media_type,
                self.media_type.max_bytes()
            )));
        }
        let ext = self.extension();
        if !self.media_type.extensions().contains(&ext.as_str()) {
            return Err(Error::validation(format!(
                "a {} upload must be one of {:?}",
                self.media_type,
                self.media_type.extensions()
            )));
        }
        Ok(())
    }
}

fn guess_content_type(ext: &str) -> &'static str {
    match ext {
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "png" => "image/png",
        "bmp" => "image/bmp",
        "amr" => "audio/amr",
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        "mp4" => "video/mp4",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_size_and_extension_are_checked() {
        assert!(
            UploadMedia::new(MediaType::Image, "a.PNG", vec![1])
                .validate()
                .is_ok()
        );
        let cases = [
            UploadMedia::new(MediaType::Image, "a.pdf", vec![1]),
            UploadMedia::new(MediaType::Voice, "a.mp3", vec![0; 2 * 1024 * 1024 + 1]),
            UploadMedia::new(MediaType::File, "noext", vec![1]),
            UploadMedia::new(MediaType::Video, "a.mp4", Vec::new()),
        ];
        for case in cases {
            assert_eq!(
                case.validate().unwrap_err().kind(),
                crate::ErrorKind::Validation,
                "{case:?}"
            );
        }
    }
}
