//! Redaction for the request log: no secret, token, code or signature is ever recorded.

use axum::http::HeaderValue;
use serde_json::{Map, Value};

const REDACTED: &str = "<redacted>";
/// Bodies larger than this are recorded by size only.
const MAX_RECORDED_BYTES: usize = 64 * 1024;

/// Whether a field name carries a credential.
pub(crate) fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.contains("secret")
        || k.contains("token")
        || k.contains("password")
        || k.contains("ticket")
        || k == "session"
        || matches!(
            k.as_str(),
            "code"
                | "authcode"
                | "auth_code"
                | "device_code"
                | "devicecode"
                | "sign"
                | "signature"
                | "tmp_auth_code"
        )
}

/// A query string with credential values redacted.
pub(crate) fn query(q: &str) -> String {
    q.split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) if is_secret_key(&percent_encoding::percent_decode_str(k).decode_utf8_lossy()) => {
                format!("{k}={REDACTED}")
            }
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Redacts credential fields at any depth.
pub(crate) fn value(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if is_secret_key(k) && !x.is_null() {
                    *x = Value::String(REDACTED.to_owned());
                } else {
                    value(x);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(value),
        _ => {}
    }
}

/// The recorded form of a body: redacted JSON, form fields as a redacted object, or its size.
pub(crate) fn body(content_type: Option<&HeaderValue>, bytes: &[u8]) -> Option<Value> {
    if bytes.is_empty() {
        return None;
    }
    let ct = content_type
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let size = || Some(serde_json::json!({"bytes": bytes.len()}));
    if bytes.len() > MAX_RECORDED_BYTES || ct.starts_with("multipart/") {
        return size();
    }
    let mut parsed = if ct.starts_with("application/x-www-form-urlencoded") {
        let m: Map<String, Value> = url::form_urlencoded::parse(bytes)
            .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
            .collect();
        Value::Object(m)
    } else if let Ok(v) = serde_json::from_slice::<Value>(bytes) {
        v
    } else if let Ok(text) = std::str::from_utf8(bytes) {
        // Unlabelled form bodies (the device flow is often posted without a content type).
        if text.contains('=') && !text.contains(' ') {
            Value::Object(
                url::form_urlencoded::parse(bytes)
                    .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
                    .collect(),
            )
        } else {
            return size();
        }
    } else {
        return size();
    };
    value(&mut parsed);
    Some(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_survive() {
        assert_eq!(
            query("access_token=abc&timestamp=1&sign=x%2B&type=image"),
            "access_token=<redacted>&timestamp=1&sign=<redacted>&type=image"
        );
        let mut v = serde_json::json!({"appKey": "k", "appSecret": "s", "nested": [{"refreshToken": "r", "code": "c"}], "msg": "hi"});
        value(&mut v);
        assert_eq!(v["appKey"], "k");
        assert_eq!(v["appSecret"], REDACTED);
        assert_eq!(v["nested"][0]["refreshToken"], REDACTED);
        assert_eq!(v["nested"][0]["code"], REDACTED);
        assert_eq!(v["msg"], "hi");
        let form = body(None, b"grant_type=x&device_code=secret&client_id=app").unwrap();
        assert_eq!(form["device_code"], REDACTED);
        assert_eq!(form["client_id"], "app");
        assert_eq!(body(None, &[0xff, 0x00]).unwrap()["bytes"], 2);
    }
}
