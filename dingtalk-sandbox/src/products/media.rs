//! Chunked upload twins (`/file/upload/transaction` open and commit, `/file/upload/chunk`), after DingTalk's
//! archived documentation: the caller's `agent_id`, `chunk_numbers` 1..10000, chunks 1..8 MB numbered from 1, and a
//! commit that checks every chunk arrived and the sizes add up. The committed file is a regular sandbox media id.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::Extension;
use axum::Router;
use axum::extract::{Multipart, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::json;

use super::Reply;
use crate::envelope;
use crate::faults::Caller;
use crate::state::{Inner, Shared};

const MAX_CHUNKS: u64 = 10_000;
const MAX_CHUNK_BYTES: usize = 8 * 1024 * 1024;

/// One open upload transaction.
#[derive(Debug, Default)]
pub(crate) struct Upload {
    file_size: u64,
    chunk_numbers: u64,
    chunks: BTreeMap<u64, Vec<u8>>,
}

/// Open transactions by `upload_id`.
#[derive(Debug, Default)]
pub(crate) struct Uploads {
    open: HashMap<String, Upload>,
}

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/file/upload/transaction", get(transaction))
        .route("/file/upload/chunk", post(chunk))
}

fn bad(message: &str) -> Response {
    envelope::legacy_error(40035, &format!("不合法的参数: {message}"))
}

fn number(q: &HashMap<String, String>, key: &str) -> Result<u64, Response> {
    q.get(key)
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| bad(&format!("缺少参数 {key}")))
}

fn check_agent(shared: &Shared, caller: &Caller, q: &HashMap<String, String>) -> Result<(), Response> {
    let agent = number(q, "agent_id")?;
    let owns = Inner::app(&shared.cfg, &caller.client_id)
        .is_some_and(|a| u64::try_from(a.agent_id).ok() == Some(agent));
    if owns {
        Ok(())
    } else {
        Err(bad("agent_id 不属于当前应用"))
    }
}

/// `GET /file/upload/transaction?agent_id&file_size&chunk_numbers[&upload_id]`: opens, or commits when
/// `upload_id` is given.
async fn transaction(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<HashMap<String, String>>,
) -> Reply {
    check_agent(&shared, &caller, &q)?;
    let file_size = number(&q, "file_size")?;
    let chunk_numbers = number(&q, "chunk_numbers")?;
    if file_size == 0 || !(1..=MAX_CHUNKS).contains(&chunk_numbers) {
        return Err(bad("file_size > 0, chunk_numbers 1..10000"));
    }
    let Some(upload_id) = q.get("upload_id").filter(|u| !u.is_empty()) else {
        let mut st = shared.products.lock();
        let id = st.next_id("uploadSbx");
        st.media.open.insert(
            id.clone(),
            Upload {
                file_size,
                chunk_numbers,
                chunks: BTreeMap::new(),
            },
        );
        return Ok(envelope::ok(
            &json!({"errcode": 0, "errmsg": "ok", "upload_id": id}),
        ));
    };
    let upload = {
        let mut st = shared.products.lock();
        let upload = st
            .media
            .open
            .get(upload_id.as_str())
            .ok_or_else(|| bad("upload_id 不存在"))?;
        if upload.chunk_numbers != chunk_numbers
            || upload.chunks.len() as u64 != chunk_numbers
            || (1..=chunk_numbers).any(|n| !upload.chunks.contains_key(&n))
        {
            return Err(bad("分块未全部上传"));
        }
        let total: u64 = upload.chunks.values().map(|c| c.len() as u64).sum();
        if total != file_size || upload.file_size != file_size {
            return Err(envelope::legacy_error(40006, "不合法的文件大小"));
        }
        st.media.open.remove(upload_id.as_str()).unwrap_or_default()
    };
    let bytes: Vec<u8> = upload.chunks.into_values().flatten().collect();
    let mut inner = shared.lock();
    let media_id = format!("@lAD{}", inner.new_id("Chunk"));
    inner
        .media
        .insert(media_id.clone(), ("upload.bin".to_owned(), bytes));
    Ok(envelope::ok(
        &json!({"errcode": 0, "errmsg": "ok", "media_id": media_id}),
    ))
}

/// `POST /file/upload/chunk?agent_id&upload_id&chunk_sequence` (multipart part `file`).
async fn chunk(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<HashMap<String, String>>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Reply {
    check_agent(&shared, &caller, &q)?;
    let upload_id = q
        .get("upload_id")
        .filter(|u| !u.is_empty())
        .ok_or_else(|| bad("缺少参数 upload_id"))?
        .clone();
    let sequence = number(&q, "chunk_sequence")?;
    let mut multipart =
        multipart.map_err(|_| envelope::legacy_error(43004, "需要multipart/form-data请求"))?;
    let mut data = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_owned();
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|_| envelope::legacy_error(40006, "不合法的文件大小"))?;
                if name == "file" {
                    data = Some(bytes.to_vec());
                }
            }
            Ok(None) => break,
            Err(_) => return Err(envelope::legacy_error(40006, "不合法的文件大小")),
        }
    }
    let data = data.ok_or_else(|| bad("缺少参数 file"))?;
    if data.is_empty() || data.len() > MAX_CHUNK_BYTES {
        return Err(envelope::legacy_error(40006, "不合法的文件大小"));
    }
    let mut st = shared.products.lock();
    let upload = st
        .media
        .open
        .get_mut(&upload_id)
        .ok_or_else(|| bad("upload_id 不存在"))?;
    if !(1..=upload.chunk_numbers).contains(&sequence) {
        return Err(bad("chunk_sequence 超出范围"));
    }
    upload.chunks.insert(sequence, data);
    Ok(envelope::ok(&json!({"errcode": 0, "errmsg": "ok"})))
}
