//! Server → client frame serialization (stream-protocol §2).

use serde::Serialize;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Frame<'a> {
    spec_version: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    headers: Headers<'a>,
    data: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Headers<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    app_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    connection_id: Option<&'a str>,
    content_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    message_id: Option<&'a str>,
    time: String,
    topic: &'a str,
    #[serde(flatten)]
    extra: std::collections::BTreeMap<&'a str, &'a str>,
}

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

/// Serializes one frame to JSON text.
pub(crate) fn encode(spec: &FrameSpec<'_>) -> String {
    let frame = Frame {
        spec_version: "1.0",
        kind: spec.kind,
        headers: Headers {
            app_id: spec.app_id,
            connection_id: spec.connection_id,
            content_type: "application/json",
            message_id: spec.message_id,
            time: spec.time_ms.to_string(),
            topic: spec.topic,
            extra: spec.extra.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect(),
        },
        data: spec.data,
    };
    serde_json::to_string(&frame).unwrap_or_default()
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
