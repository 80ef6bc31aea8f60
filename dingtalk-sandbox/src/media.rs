//! Media upload (`/media/upload`) and message file download.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::envelope::{self, Host};
use crate::faults::Caller;
use crate::state::Shared;

const MB: usize = 1024 * 1024;

fn limits(kind: &str) -> Option<(usize, &'static [&'static str])> {
    Some(match kind {
        "image" => (20 * MB, &["jpg", "jpeg", "gif", "png", "bmp"]),
        "voice" => (2 * MB, &["amr", "mp3", "wav", "ogg"]),
        "video" => (20 * MB, &["mp4"]),
        "file" => (
            20 * MB,
            &["doc", "docx", "xls", "xlsx", "ppt", "pptx", "zip", "pdf", "rar"],
        ),
        _ => return None,
    })
}

/// `POST /media/upload?access_token=&type=` with multipart part `media`.
pub(crate) async fn upload(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let Ok(mut multipart) = multipart else {
        return envelope::legacy_error(43004, "需要multipart/form-data请求");
    };
    let mut kind = q.get("type").cloned();
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_owned();
                let filename = field.file_name().unwrap_or_default().to_owned();
                let Ok(bytes) = field.bytes().await else {
                    return envelope::legacy_error(40006, "不合法的文件大小");
                };
                if name == "media" {
                    file = Some((filename, bytes.to_vec()));
                } else if name == "type" && kind.is_none() {
                    kind = Some(String::from_utf8_lossy(&bytes).into_owned());
                }
            }
            Ok(None) => break,
            Err(_) => return envelope::legacy_error(40006, "不合法的文件大小"),
        }
    }
    let kind = kind.unwrap_or_default();
    let Some((max, exts)) = limits(&kind) else {
        return envelope::legacy_error(40004, "不合法的媒体文件类型");
    };
    let Some((filename, bytes)) = file else {
        return envelope::legacy_error(40035, "缺少参数 media");
    };
    let ext = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if !exts.contains(&ext.as_str()) {
        return envelope::legacy_error(40005, "不合法的文件类型");
    }
    if bytes.is_empty() || bytes.len() > max.min(shared.cfg.max_media_bytes) {
        return envelope::legacy_error(40006, "不合法的文件大小");
    }
    let now = shared.clock.epoch_ms();
    let mut inner = shared.lock();
    let media_id = format!("@lAD{}", inner.new_id("Sbx"));
    inner.media.insert(media_id.clone(), (filename, bytes));
    envelope::ok(
        &json!({"errcode": 0, "errmsg": "ok", "type": kind, "media_id": media_id, "created_at": now}),
    )
}

/// `POST /v1.0/robot/messageFiles/download {downloadCode, robotCode}`.
pub(crate) async fn message_file_download(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Response {
    let map = match envelope::parse_object(Host::New, &body) {
        Ok(m) => m,
        Err(r) => return r,
    };
    let code = match envelope::req_str(&map, "downloadCode") {
        Ok(c) => c.to_owned(),
        Err(r) => return r,
    };
    let robot_code = match envelope::req_str(&map, "robotCode") {
        Ok(c) => c.to_owned(),
        Err(r) => return r,
    };
    if crate::state::Inner::app(&shared.cfg, &caller.client_id).is_none_or(|a| a.robot_code != robot_code) {
        return envelope::bad_param("invalidParameter.robotCode.auth", "robotCode不属于当前应用");
    }
    let mut inner = shared.lock();
    let found = inner
        .download_codes
        .get(&code)
        .map(|(_, b)| ("download.bin".to_owned(), b.clone()))
        .or_else(|| inner.media.get(&code).cloned());
    let Some(file) = found else {
        return envelope::bad_param("invalidParameter.downloadCode", "downloadCode不存在或已过期");
    };
    let token = inner.new_id("f");
    inner.files.insert(token.clone(), file);
    envelope::ok(&json!({"downloadUrl": format!("{}/files/{token}", shared.base_url)}))
}

/// `GET /files/{token}`: the bytes behind a download URL.
pub(crate) async fn serve_file(State(shared): State<Arc<Shared>>, Path(token): Path<String>) -> Response {
    match shared.lock().files.get(&token) {
        Some((_, bytes)) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/octet-stream")],
            bytes.clone(),
        )
            .into_response(),
        None => (StatusCode::FORBIDDEN, "AccessDenied").into_response(),
    }
}
