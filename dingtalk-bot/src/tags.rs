//! Media tags in agent replies: `[DING:IMAGE path="…"]`, `[DING:FILE path="…" name="…"]`, `[DING:VIDEO …]`,
//! `[DING:AUDIO …]`, and markdown images with local paths (BOT-20..22).
//!
//! Tags are removed from the visible text and returned in order. Before anything is uploaded, [`check_media`]
//! enforces the safety rules: absolute path, canonicalized (symlinks resolved) inside an allowed root, a regular
//! file, within the size cap of its kind, with an allowed extension, and for images the right magic bytes.

use std::fmt;
use std::path::{Path, PathBuf};

/// The kind of a media tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MediaKind {
    /// An image (`sampleImageMsg`).
    Image,
    /// A file (`sampleFile`).
    File,
    /// A video (`sampleVideo` with a cover, else sent as a file).
    Video,
    /// Voice (`sampleAudio`).
    Audio,
}

impl MediaKind {
    /// The `type` of `/media/upload`.
    pub fn upload_type(self) -> &'static str {
        match self {
            MediaKind::Image => "image",
            MediaKind::File => "file",
            MediaKind::Video => "video",
            MediaKind::Audio => "voice",
        }
    }

    /// Allowed extensions: what DingTalk's `/media/upload` documents for the kind (a `file` is an office document,
    /// a PDF or an archive; plain text such as `.md` or `.txt` is refused there, so it is refused here before any
    /// upload, with a note in the reply).
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            MediaKind::Image => &["jpg", "jpeg", "png", "gif", "bmp"],
            MediaKind::Audio => &["ogg", "amr", "mp3", "wav"],
            MediaKind::Video => &["mp4"],
            MediaKind::File => &["doc", "docx", "xls", "xlsx", "ppt", "pptx", "zip", "pdf", "rar"],
        }
    }
}

/// One media reference found in a reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaTag {
    /// The kind.
    pub kind: MediaKind,
    /// The path as written (after `file://` stripping and percent-decoding).
    pub path: String,
    /// The display name (`name="…"`), if given.
    pub name: Option<String>,
    /// A video's cover image (`cover="…"`), if given: with one the video goes as a video message.
    pub cover: Option<String>,
}

/// Removes media tags from `text`, returning the visible text (runs of 3+ newlines collapsed to 2) and the tags in
/// order. Tag names are case-insensitive; tags without a `path` are left in the text.
pub fn extract(text: &str) -> (String, Vec<MediaTag>) {
    let mut visible = String::with_capacity(text.len());
    let mut tags = Vec::new();
    let mut rest = text;
    loop {
        let ding = find_ci(rest, "[ding:");
        let image = rest.find("![");
        let next = match (ding, image) {
            (Some(d), Some(i)) => Some(d.min(i)),
            (d, i) => d.or(i),
        };
        let Some(start) = next else {
            visible.push_str(rest);
            break;
        };
        visible.push_str(&rest[..start]);
        let candidate = &rest[start..];
        let parsed = if Some(start) == ding {
            parse_ding(candidate)
        } else {
            parse_markdown_image(candidate)
        };
        if let Some((tag, consumed)) = parsed {
            tags.push(tag);
            rest = &candidate[consumed..];
        } else {
            let step = candidate.chars().next().map_or(1, char::len_utf8);
            visible.push_str(&candidate[..step]);
            rest = &candidate[step..];
        }
    }
    (collapse_newlines(&visible), tags)
}

fn find_ci(haystack: &str, needle: &str) -> Option<usize> {
    haystack.to_ascii_lowercase().find(needle)
}

fn parse_ding(text: &str) -> Option<(MediaTag, usize)> {
    let end = text.find(']')?;
    let inner = &text[6..end];
    let (kind_name, attrs) = inner.split_once(char::is_whitespace).unwrap_or((inner, ""));
    let kind = match kind_name.to_ascii_uppercase().as_str() {
        "IMAGE" => MediaKind::Image,
        "FILE" => MediaKind::File,
        "VIDEO" => MediaKind::Video,
        "AUDIO" | "VOICE" => MediaKind::Audio,
        _ => return None,
    };
    let path = attr(attrs, "path")?;
    Some((
        MediaTag {
            kind,
            path: clean_path(&path),
            name: attr(attrs, "name"),
            cover: attr(attrs, "cover").map(|c| clean_path(&c)),
        },
        end + 1,
    ))
}

fn parse_markdown_image(text: &str) -> Option<(MediaTag, usize)> {
    let mid = text.find("](")?;
    let close = text[mid..].find(')')? + mid;
    let target = text[mid + 2..close].trim();
    let path = clean_path(target);
    // Only local absolute paths are media; http(s) images stay in the markdown.
    if !path.starts_with('/') {
        return None;
    }
    Some((
        MediaTag {
            kind: MediaKind::Image,
            path,
            name: None,
            cover: None,
        },
        close + 1,
    ))
}

fn attr(attrs: &str, name: &str) -> Option<String> {
    let needle = format!("{name}=\"");
    let start = attrs.find(&needle)? + needle.len();
    let len = attrs[start..].find('"')?;
    Some(attrs[start..start + len].to_owned())
}

fn clean_path(raw: &str) -> String {
    let stripped = raw.strip_prefix("file://").unwrap_or(raw);
    percent_decode(stripped)
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(byte) = text
                .get(i + 1..i + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn collapse_newlines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut newlines = 0;
    for c in text.chars() {
        if c == '\n' {
            newlines += 1;
            if newlines > 2 {
                continue;
            }
        } else {
            newlines = 0;
        }
        out.push(c);
    }
    out.trim_end().to_owned()
}

/// Size caps in bytes per kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MediaLimits {
    /// Images.
    pub image: u64,
    /// Voice.
    pub audio: u64,
    /// Videos.
    pub video: u64,
    /// Files.
    pub file: u64,
}

impl MediaLimits {
    /// The cap for `kind`.
    pub fn cap(&self, kind: MediaKind) -> u64 {
        match kind {
            MediaKind::Image => self.image,
            MediaKind::Audio => self.audio,
            MediaKind::Video => self.video,
            MediaKind::File => self.file,
        }
    }
}

impl Default for MediaLimits {
    fn default() -> Self {
        const MB: u64 = 1024 * 1024;
        Self {
            image: 20 * MB,
            audio: 2 * MB,
            video: 20 * MB,
            file: 20 * MB,
        }
    }
}

/// Why a media tag was refused. The text is safe to show in chat (no absolute paths).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MediaRefusal {
    /// Not an absolute path.
    NotAbsolute,
    /// Outside every allowed root (after resolving symlinks).
    OutsideRoots,
    /// Missing or unreadable.
    NotFound,
    /// A directory, device or other non-regular file.
    NotRegularFile,
    /// Over the size cap of its kind.
    TooLarge,
    /// An extension the kind does not allow.
    BadExtension,
    /// The bytes are not an image.
    NotAnImage,
}

impl fmt::Display for MediaRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MediaRefusal::NotAbsolute => "路径必须是绝对路径",
            MediaRefusal::OutsideRoots => "路径不在允许的目录内",
            MediaRefusal::NotFound => "文件不存在",
            MediaRefusal::NotRegularFile => "不是普通文件",
            MediaRefusal::TooLarge => "文件过大",
            MediaRefusal::BadExtension => "不支持的文件类型",
            MediaRefusal::NotAnImage => "不是有效的图片",
        })
    }
}

/// A media file that passed every check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedMedia {
    /// The canonical path.
    pub path: PathBuf,
    /// The name to show (the tag's `name`, else the file name).
    pub name: String,
    /// Size in bytes.
    pub size: u64,
    /// The lowercase extension.
    pub extension: String,
}

/// Applies the safety rules to a tag.
pub fn check_media(
    tag: &MediaTag,
    roots: &[PathBuf],
    limits: &MediaLimits,
) -> Result<CheckedMedia, MediaRefusal> {
    let raw = Path::new(&tag.path);
    if !raw.is_absolute() {
        return Err(MediaRefusal::NotAbsolute);
    }
    let canonical = raw.canonicalize().map_err(|_| MediaRefusal::NotFound)?;
    let inside = roots
        .iter()
        .filter_map(|r| r.canonicalize().ok())
        .any(|root| canonical.starts_with(&root));
    if !inside {
        return Err(MediaRefusal::OutsideRoots);
    }
    let meta = std::fs::metadata(&canonical).map_err(|_| MediaRefusal::NotFound)?;
    if !meta.is_file() {
        return Err(MediaRefusal::NotRegularFile);
    }
    if meta.len() > limits.cap(tag.kind) {
        return Err(MediaRefusal::TooLarge);
    }
    let extension = canonical
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if !tag.kind.extensions().contains(&extension.as_str()) {
        return Err(MediaRefusal::BadExtension);
    }
    if tag.kind == MediaKind::Image && !has_image_magic(&canonical) {
        return Err(MediaRefusal::NotAnImage);
    }
    let name = tag
        .name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| {
            canonical
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
    Ok(CheckedMedia {
        path: canonical,
        name,
        size: meta.len(),
        extension,
    })
}

fn has_image_magic(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 8];
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    let Ok(n) = file.read(&mut head) else { return false };
    let head = &head[..n];
    head.starts_with(&[0x89, b'P', b'N', b'G'])
        || head.starts_with(&[0xFF, 0xD8, 0xFF])
        || head.starts_with(b"GIF8")
        || head.starts_with(b"BM")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_extracted_in_order_and_removed() {
        let text = "Here:\n[DING:IMAGE path=\"/tmp/a.png\"]\n\n\n\nand [ding:file path=\"file:///tmp/My%20Report.pdf\" name=\"report.pdf\"] done\n![chart](/tmp/c.png) ![web](https://x/y.png)";
        let (visible, tags) = extract(text);
        assert_eq!(tags.len(), 3);
        assert_eq!(
            tags[0],
            MediaTag {
                kind: MediaKind::Image,
                path: "/tmp/a.png".into(),
                name: None,
                cover: None,
            }
        );
        assert_eq!(tags[1].path, "/tmp/My Report.pdf");
        assert_eq!(tags[1].name.as_deref(), Some("report.pdf"));
        assert_eq!(tags[2].path, "/tmp/c.png");
        assert!(
            !visible.contains("DING") && !visible.contains("/tmp/c.png"),
            "{visible}"
        );
        assert!(visible.contains("![web](https://x/y.png)"));
        assert!(!visible.contains("\n\n\n"));
        let (_, video) = extract("[DING:VIDEO path=\"/v/clip.mp4\" cover=\"file:///v/My%20cover.png\"]");
        assert_eq!(video[0].kind, MediaKind::Video);
        assert_eq!(video[0].cover.as_deref(), Some("/v/My cover.png"));
        let (same, none) = extract("[DING:IMAGE nopath] and [DING:WEIRD path=\"/x\"]");
        assert!(none.is_empty());
        assert_eq!(same, "[DING:IMAGE nopath] and [DING:WEIRD path=\"/x\"]");
    }

    #[test]
    fn safety_checks() {
        let dir = std::env::temp_dir().join(format!("dingtalk-bot-tags-{}", std::process::id()));
        let root = dir.join("root");
        let outside = dir.join("outside");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(root.join("ok.png"), [0x89, b'P', b'N', b'G', 0, 0, 0, 0]).unwrap();
        std::fs::write(root.join("fake.png"), b"not an image").unwrap();
        std::fs::write(root.join("big.pdf"), vec![0u8; 2048]).unwrap();
        std::fs::write(root.join("x.exe"), b"MZ").unwrap();
        std::fs::write(root.join("notes.md"), b"# notes").unwrap();
        std::fs::write(outside.join("secret.png"), [0x89, b'P', b'N', b'G']).unwrap();
        let roots = vec![root.clone()];
        let limits = MediaLimits {
            file: 1024,
            ..MediaLimits::default()
        };
        let tag = |kind, p: &Path| MediaTag {
            kind,
            path: p.display().to_string(),
            name: None,
            cover: None,
        };
        let ok = check_media(&tag(MediaKind::Image, &root.join("ok.png")), &roots, &limits).unwrap();
        assert_eq!(ok.name, "ok.png");
        let cases = [
            (
                tag(MediaKind::Image, Path::new("relative.png")),
                MediaRefusal::NotAbsolute,
            ),
            (
                tag(MediaKind::Image, &outside.join("secret.png")),
                MediaRefusal::OutsideRoots,
            ),
            (
                tag(MediaKind::Image, &root.join("../outside/secret.png")),
                MediaRefusal::OutsideRoots,
            ),
            (
                tag(MediaKind::Image, &root.join("missing.png")),
                MediaRefusal::NotFound,
            ),
            (tag(MediaKind::File, &root), MediaRefusal::NotRegularFile),
            (
                tag(MediaKind::File, &root.join("big.pdf")),
                MediaRefusal::TooLarge,
            ),
            (
                tag(MediaKind::File, &root.join("x.exe")),
                MediaRefusal::BadExtension,
            ),
            // Regression: `.md` (like `.txt`, `.csv`, `.json`) was let through and then refused by the upload.
            (
                tag(MediaKind::File, &root.join("notes.md")),
                MediaRefusal::BadExtension,
            ),
            (
                tag(MediaKind::Image, &root.join("fake.png")),
                MediaRefusal::NotAnImage,
            ),
        ];
        for (t, want) in cases {
            assert_eq!(check_media(&t, &roots, &limits), Err(want), "{}", t.path);
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(outside.join("secret.png"), root.join("link.png")).unwrap();
            let linked = tag(MediaKind::Image, &root.join("link.png"));
            assert_eq!(
                check_media(&linked, &roots, &limits),
                Err(MediaRefusal::OutsideRoots)
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
