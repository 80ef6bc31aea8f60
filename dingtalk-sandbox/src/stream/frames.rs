//! Server → client frame serialization (stream-protocol §2).

/// Parameters of one frame.
pub(crate) struct FrameSpec<'a> {
    pub(crate) kind: &'a str,
    pub(crate) topic: &'a str,
    pub(crate) message_id: Option<&'a str>,
    pub(crate) app_id: Option<&'a str>,
    pub(crate) connection_id: Option<&'a str>,
    pub(crate) time_ms: u64,
    pub(crate) extra: &'a [(String, String)],
    pub(crate) data: &'a str,
}

fn push_json_str(out: &mut Vec<u8>, s: &str) {
    // Writing a &str into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

fn push_header(out: &mut Vec<u8>, first: &mut bool, key: &str, value: &str) {
    if !*first {
        out.push(b',');
    }
    *first = false;
    push_json_str(out, key);
    out.push(b':');
    push_json_str(out, value);
}

/// Serializes one frame to JSON text (hand-written: this is the hot path of bursts).
pub(crate) fn encode(spec: &FrameSpec<'_>) -> String {
    let mut out = Vec::with_capacity(spec.data.len() + spec.data.len() / 8 + 320);
    out.extend_from_slice(br#"{"specVersion":"1.0","type":"#);
    push_json_str(&mut out, spec.kind);
    out.extend_from_slice(br#","headers":{"#);
    let mut first = true;
    if let Some(v) = spec.app_id {
        push_header(&mut out, &mut first, "appId", v);
    }
    if let Some(v) = spec.connection_id {
        push_header(&mut out, &mut first, "connectionId", v);
    }
    push_header(&mut out, &mut first, "contentType", "application/json");
    if let Some(v) = spec.message_id {
        push_header(&mut out, &mut first, "messageId", v);
    }
    push_header(&mut out, &mut first, "time", itoa_u64(spec.time_ms).as_str());
    push_header(&mut out, &mut first, "topic", spec.topic);
    for (k, v) in spec.extra {
        push_header(&mut out, &mut first, k, v);
    }
    out.extend_from_slice(br#"},"data":"#);
    push_json_str(&mut out, spec.data);
    out.push(b'}');
    String::from_utf8(out).unwrap_or_default()
}

fn itoa_u64(n: u64) -> String {
    n.to_string()
}

/// A client → server frame (an ack), decoded leniently without building a full `Value` tree.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct AckFrame<'a> {
    #[serde(default)]
    code: Option<serde_json::Value>,
    #[serde(default, borrow)]
    headers: Option<AckHeaders<'a>>,
    #[serde(default)]
    data: Option<serde_json::Value>,
}

#[derive(Debug, serde::Deserialize)]
struct AckHeaders<'a> {
    #[serde(default, borrow, rename = "messageId")]
    message_id: Option<std::borrow::Cow<'a, str>>,
}

impl AckFrame<'_> {
    pub(crate) fn message_id(&self) -> Option<&str> {
        self.headers.as_ref().and_then(|h| h.message_id.as_deref())
    }

    pub(crate) fn code(&self) -> Option<i64> {
        self.code.as_ref().and_then(serde_json::Value::as_i64)
    }

    pub(crate) fn data_str(&self) -> Option<&str> {
        self.data.as_ref().and_then(serde_json::Value::as_str)
    }
}

/// A SYSTEM frame.
pub(crate) fn system(topic: &str, message_id: Option<&str>, time_ms: u64, data: &str) -> String {
    encode(&FrameSpec {
        kind: "SYSTEM",
        topic,
        message_id,
        app_id: None,
        connection_id: None,
        time_ms,
        extra: &[],
        data,
    })
}

/// A malformed frame of the named variant; `None` for binary frames or an unknown variant.
pub(crate) fn malformed(variant: &str, message_id: &str, time_ms: u64) -> Option<String> {
    let t = time_ms;
    let text = match variant {
        "non_json" => "this is not json {".to_owned(),
        "empty" => String::new(),
        "missing_type" => format!(
            r#"{{"specVersion":"1.0","headers":{{"messageId":"{message_id}","topic":"/v1.0/im/bot/messages/get","contentType":"application/json","time":"{t}"}},"data":"{{}}"}}"#
        ),
        "missing_headers" => r#"{"specVersion":"1.0","type":"CALLBACK","data":"{}"}"#.to_owned(),
        "missing_data" => format!(
            r#"{{"specVersion":"1.0","type":"CALLBACK","headers":{{"messageId":"{message_id}","topic":"/v1.0/im/bot/messages/get","contentType":"application/json","time":"{t}"}}}}"#
        ),
        "missing_message_id" => format!(
            r#"{{"specVersion":"1.0","type":"CALLBACK","headers":{{"topic":"/v1.0/im/bot/messages/get","contentType":"application/json","time":"{t}"}},"data":"{{}}"}}"#
        ),
        "numeric_headers" => format!(
            r#"{{"specVersion":"1.0","type":"SYSTEM","headers":{{"messageId":"{message_id}","topic":"ping","contentType":"application/json","time":{t}}},"data":"{{\"opaque\":\"numeric\"}}"}}"#
        ),
        "header_misspelled" => format!(
            r#"{{"specVersion":"1.0","type":"SYSTEM","header":{{"messageId":"{message_id}","topic":"ping","contentType":"application/json","time":"{t}"}},"data":"{{\"opaque\":\"misspelled\"}}"}}"#
        ),
        "unknown_type" => format!(
            r#"{{"specVersion":"1.0","type":"NOTICE","headers":{{"messageId":"{message_id}","topic":"x","contentType":"application/json","time":"{t}"}},"data":"{{}}"}}"#
        ),
        "unknown_system_topic" => system("FUTURE_TOPIC", Some(message_id), t, "{}"),
        "unknown_callback_topic" => format!(
            r#"{{"specVersion":"1.0","type":"CALLBACK","headers":{{"messageId":"{message_id}","topic":"/v1.0/unknown/topic","contentType":"application/json","time":"{t}"}},"data":"{{}}"}}"#
        ),
        "data_object" => format!(
            r#"{{"specVersion":"1.0","type":"CALLBACK","headers":{{"messageId":"{message_id}","topic":"/v1.0/im/bot/messages/get","contentType":"application/json","time":"{t}"}},"data":{{"msgId":"x"}}}}"#
        ),
        "huge" => {
            let big = "x".repeat(2 * 1024 * 1024);
            system("FUTURE_TOPIC", Some(message_id), t, &big)
        }
        _ => return None,
    };
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ping_frame_shape() {
        let text = system("ping", Some("m1"), 42, r#"{"opaque":"o"}"#);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["type"], "SYSTEM");
        assert_eq!(v["headers"]["time"], "42");
        assert_eq!(v["headers"]["messageId"], "m1");
        assert!(v["data"].is_string());
    }

    #[test]
    fn malformed_variants_are_text_or_none() {
        for v in [
            "non_json",
            "missing_type",
            "numeric_headers",
            "header_misspelled",
            "data_object",
        ] {
            assert!(malformed(v, "m", 1).is_some(), "{v}");
        }
        assert!(malformed("binary", "m", 1).is_none());
    }
}
