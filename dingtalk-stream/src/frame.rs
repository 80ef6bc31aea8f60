//! Tolerant decoding of inbound Stream frames (protocol §2.1).
//!
//! Every server→client message is one text frame holding one JSON object. Decoding never panics: header values of
//! any JSON scalar type are coerced to strings, the misspelled `header` key is accepted, unknown keys are kept, and
//! a `data` member that is missing or not a string is reported through [`Frame::data`] returning `None`, so the
//! engine can still answer with a 400 ack.

use std::collections::BTreeMap;
use std::fmt;

use dingtalk_core::wire::FrameType;
use serde_json::{Map, Value};

/// Well-known system topics (protocol §3).
pub(crate) mod topic {
    /// Application-level health check; acked by echoing `data`.
    pub(crate) const PING: &str = "ping";
    /// Graceful drain: open a new connection, then close this one.
    pub(crate) const DISCONNECT: &str = "disconnect";
    /// Bot message callback.
    pub(crate) const BOT_MESSAGE: &str = "/v1.0/im/bot/messages/get";
    /// Delegate ("hosting") bot message callback.
    pub(crate) const BOT_DELEGATE: &str = "/v1.0/im/bot/messages/delegate";
    /// Card action callback.
    pub(crate) const CARD_CALLBACK: &str = "/v1.0/card/instances/callback";
    /// Graph API invocation callback.
    pub(crate) const GRAPH_API: &str = "/v1.0/graph/api/invoke";
}

/// The headers of an inbound frame, every value coerced to a string.
///
/// Numbers are rendered in plain decimal (`1774080000000`, never `1.77408e12`), booleans as `true`/`false`; JSON
/// `null` values are dropped; nested objects or arrays are kept as compact JSON text.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Headers(BTreeMap<String, String>);

impl Headers {
    /// The value of one header, if present.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// `messageId`: the push id echoed in the ack. `None` when absent or empty.
    pub fn message_id(&self) -> Option<&str> {
        self.get("messageId").filter(|v| !v.is_empty())
    }

    /// `topic`: the business or system topic. `None` when absent.
    pub fn topic(&self) -> Option<&str> {
        self.get("topic")
    }

    /// `contentType`, normally `application/json`.
    pub fn content_type(&self) -> Option<&str> {
        self.get("contentType")
    }

    /// `connectionId`: the server's id of the connection that carried the frame.
    pub fn connection_id(&self) -> Option<&str> {
        self.get("connectionId")
    }

    /// Every header, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Number of headers.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no headers.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn from_object(object: &Map<String, Value>) -> Self {
        let mut map = BTreeMap::new();
        for (key, value) in object {
            if let Some(text) = coerce_header(value) {
                map.insert(key.clone(), text);
            }
        }
        Self(map)
    }
}

impl fmt::Debug for Headers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.0.iter()).finish()
    }
}

/// One decoded inbound frame.
#[derive(Clone, PartialEq)]
pub struct Frame {
    kind: FrameType,
    spec_version: Option<String>,
    headers: Headers,
    data: Option<String>,
    extra: Map<String, Value>,
}

impl Frame {
    /// The frame `type`: `SYSTEM`, `EVENT`, `CALLBACK` or an unknown value.
    pub fn frame_type(&self) -> &FrameType {
        &self.kind
    }

    /// `specVersion`, normally `"1.0"`.
    pub fn spec_version(&self) -> Option<&str> {
        self.spec_version.as_deref()
    }

    /// The frame headers.
    pub fn headers(&self) -> &Headers {
        &self.headers
    }

    /// The `data` string (JSON text), or `None` when it was missing or not a JSON string.
    pub fn data(&self) -> Option<&str> {
        self.data.as_deref()
    }

    /// Top-level keys other than `specVersion`, `type`, `headers`/`header` and `data`.
    pub fn extra(&self) -> &Map<String, Value> {
        &self.extra
    }

    /// Shorthand for `headers().message_id()`.
    pub fn message_id(&self) -> Option<&str> {
        self.headers.message_id()
    }

    /// Shorthand for `headers().topic()`, empty when absent.
    pub fn topic(&self) -> &str {
        self.headers.topic().unwrap_or("")
    }

    /// Builds a frame by hand (tests, replays).
    pub fn new(frame_type: FrameType, headers: Headers, data: impl Into<String>) -> Self {
        Self {
            kind: frame_type,
            spec_version: Some("1.0".into()),
            headers,
            data: Some(data.into()),
            extra: Map::new(),
        }
    }
}

impl fmt::Debug for Frame {
    // `data` is message content: never in Debug output (R-SEC-2); its length is enough to debug.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Frame")
            .field("kind", &self.kind)
            .field("headers", &self.headers)
            .field("data_len", &self.data.as_ref().map(String::len))
            .finish_non_exhaustive()
    }
}

/// Why an inbound text frame could not be decoded into a [`Frame`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FrameError {
    /// The text is not JSON.
    #[error("frame is not JSON")]
    NotJson,
    /// The JSON is not an object.
    #[error("frame is not a JSON object")]
    NotObject,
    /// `type` is missing or not a string.
    #[error("frame has no type")]
    MissingType,
    /// Neither `headers` nor `header` is an object.
    #[error("frame has no headers")]
    MissingHeaders,
}

/// Decodes one text frame. Never panics, whatever the input.
pub fn decode(text: &str) -> Result<Frame, FrameError> {
    let value: Value = serde_json::from_str(text).map_err(|_| FrameError::NotJson)?;
    let Value::Object(mut object) = value else {
        return Err(FrameError::NotObject);
    };
    let frame_type = match object.remove("type") {
        Some(Value::String(t)) if !t.is_empty() => FrameType::from(t),
        _ => return Err(FrameError::MissingType),
    };
    let headers = match (object.remove("headers"), object.remove("header")) {
        (Some(Value::Object(h)), other) | (other @ None, Some(Value::Object(h))) => {
            if let Some(other) = other {
                object.insert("header".into(), other);
            }
            Headers::from_object(&h)
        }
        _ => return Err(FrameError::MissingHeaders),
    };
    let spec_version = match object.remove("specVersion") {
        Some(Value::String(s)) => Some(s),
        Some(other) => coerce_header(&other),
        None => None,
    };
    let data = match object.remove("data") {
        Some(Value::String(s)) => Some(s),
        Some(other) => {
            object.insert("data".into(), other);
            None
        }
        None => None,
    };
    Ok(Frame {
        kind: frame_type,
        spec_version,
        headers,
        data,
        extra: object,
    })
}

/// Renders a header value as a string: numbers in plain decimal, booleans as words.
fn coerce_header(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(plain_decimal(n)),
        Value::Array(_) | Value::Object(_) => Some(value.to_string()),
    }
}

fn plain_decimal(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    match n.as_f64() {
        // Integral floats within the exactly representable range print without a fraction or exponent.
        #[expect(
            clippy::cast_possible_truncation,
            reason = "guarded: integral and within ±2^53"
        )]
        Some(f) if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 => (f as i64).to_string(),
        _ => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const PING: &str = r#"{"specVersion":"1.0","type":"SYSTEM","headers":{"contentType":"application/json","messageId":"0a1b2c3d_4e5_19bfa1a500a_6f7a","time":"1774080000000","topic":"ping"},"data":"{\"opaque\":\"5f0e6a9c-3b1d-4c2e-9a7f-2d4b8c1e0f33\"}"}"#;
    const EVENT: &str = r#"{"specVersion":"1.0","type":"EVENT","headers":{"appId":"3f2b9c1e-6a7d-4e21-9b8a-0c5d7e4f1a23","connectionId":"7c1e2d3f-0a9b-11f1-8c2d-0a1b2c3d4e5f","contentType":"application/json","messageId":"2a4c6e80_9b1_19bfa1a6f00_7c8d","time":"1774080001000","topic":"*","eventType":"user_add_org","eventId":"c7c7120f2c07419b9ebdba0318c8aa01","eventCorpId":"ding0123456789abcdef","eventBornTime":"1774080000950","eventUnifiedAppId":"3f2b9c1e-6a7d-4e21-9b8a-0c5d7e4f1a23"},"data":"{\"timeStamp\":\"1774080000950\",\"userId\":[\"0150001227\"]}"}"#;

    #[test]
    fn decodes_ping_example() {
        let frame = decode(PING).unwrap();
        assert_eq!(frame.frame_type(), &FrameType::System);
        assert_eq!(frame.topic(), "ping");
        assert_eq!(frame.message_id(), Some("0a1b2c3d_4e5_19bfa1a500a_6f7a"));
        assert_eq!(
            frame.data(),
            Some(r#"{"opaque":"5f0e6a9c-3b1d-4c2e-9a7f-2d4b8c1e0f33"}"#)
        );
        assert_eq!(frame.spec_version(), Some("1.0"));
    }

    #[test]
    fn decodes_event_example_headers_as_strings() {
        let frame = decode(EVENT).unwrap();
        assert_eq!(frame.frame_type(), &FrameType::Event);
        assert_eq!(frame.headers().get("eventBornTime"), Some("1774080000950"));
        assert_eq!(frame.headers().get("eventType"), Some("user_add_org"));
        assert_eq!(
            frame.headers().connection_id(),
            Some("7c1e2d3f-0a9b-11f1-8c2d-0a1b2c3d4e5f")
        );
    }

    #[test]
    fn coerces_numeric_and_bool_headers() {
        let frame = decode(
            r#"{"type":"EVENT","headers":{"time":1774080000000,"big":18446744073709551615,"f":1.7e12,"x":1.5,"b":true,"n":null,"o":{"a":1}},"data":""}"#,
        )
        .unwrap();
        let h = frame.headers();
        assert_eq!(h.get("time"), Some("1774080000000"));
        assert_eq!(h.get("big"), Some("18446744073709551615"));
        assert_eq!(h.get("f"), Some("1700000000000"));
        assert_eq!(h.get("x"), Some("1.5"));
        assert_eq!(h.get("b"), Some("true"));
        assert_eq!(h.get("n"), None);
        assert_eq!(h.get("o"), Some(r#"{"a":1}"#));
    }

    #[test]
    fn accepts_misspelled_header_key_and_keeps_unknown_keys() {
        let frame = decode(
            r#"{"type":"CALLBACK","header":{"messageId":"m1","topic":"t"},"data":"{}","time":5,"x":"y"}"#,
        )
        .unwrap();
        assert_eq!(frame.message_id(), Some("m1"));
        assert_eq!(frame.extra().get("x"), Some(&Value::String("y".into())));
        assert_eq!(frame.extra().get("time"), Some(&Value::from(5)));
    }

    #[test]
    fn non_string_or_missing_data_is_none() {
        let frame = decode(r#"{"type":"CALLBACK","headers":{"messageId":"m"},"data":{"a":1}}"#).unwrap();
        assert_eq!(frame.data(), None);
        let frame = decode(r#"{"type":"CALLBACK","headers":{"messageId":"m"}}"#).unwrap();
        assert_eq!(frame.data(), None);
        let frame = decode(r#"{"type":"CALLBACK","headers":{"messageId":"m"},"data":""}"#).unwrap();
        assert_eq!(frame.data(), Some(""));
    }

    #[test]
    fn malformed_frames_are_errors() {
        assert_eq!(decode("not json"), Err(FrameError::NotJson));
        assert_eq!(decode(""), Err(FrameError::NotJson));
        assert_eq!(decode("[1]"), Err(FrameError::NotObject));
        assert_eq!(
            decode(r#"{"headers":{},"data":""}"#),
            Err(FrameError::MissingType)
        );
        assert_eq!(
            decode(r#"{"type":7,"headers":{},"data":""}"#),
            Err(FrameError::MissingType)
        );
        assert_eq!(
            decode(r#"{"type":"EVENT","data":""}"#),
            Err(FrameError::MissingHeaders)
        );
        assert_eq!(
            decode(r#"{"type":"EVENT","headers":[],"data":""}"#),
            Err(FrameError::MissingHeaders)
        );
    }

    #[test]
    fn unknown_type_is_kept() {
        let frame = decode(r#"{"type":"NOTICE","headers":{},"data":""}"#).unwrap();
        assert_eq!(frame.frame_type(), &FrameType::Unknown("NOTICE".into()));
        assert_eq!(frame.message_id(), None);
    }

    #[test]
    fn debug_hides_data() {
        let frame = decode(PING).unwrap();
        assert!(!format!("{frame:?}").contains("opaque"));
    }

    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            ".{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map(
                    prop_oneof![
                        Just("type".to_string()),
                        Just("headers".to_string()),
                        Just("header".to_string()),
                        Just("data".to_string()),
                        Just("messageId".to_string()),
                        ".{0,6}"
                    ],
                    inner,
                    0..5
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in ".{0,200}") {
            let _ = decode(&text);
        }

        #[test]
        fn arbitrary_json_never_panics(value in arb_json()) {
            let _ = decode(&value.to_string());
        }

        #[test]
        fn arbitrary_headers_always_coerce(headers in prop::collection::btree_map(".{0,6}", arb_json(), 0..6)) {
            let object: Map<String, Value> = headers.into_iter().collect();
            let text = serde_json::json!({"type": "EVENT", "headers": object, "data": ""}).to_string();
            let frame = decode(&text).unwrap();
            prop_assert!(frame.headers().len() <= object.len());
        }
    }
}
