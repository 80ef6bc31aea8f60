//! Tolerant decoding of inbound Stream frames (protocol §2.1).
//!
//! Every server→client message is one text frame holding one JSON object. Decoding never panics: header values of
//! any JSON scalar type are coerced to strings, the misspelled `header` key is accepted, unknown keys are kept, and
//! a `data` member that is missing or not a string is reported through [`Frame::data`] returning `None`, so the
//! engine can still answer with a 400 ack.

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
///
/// Stored compactly (one text buffer plus a sorted index), so a frame's headers cost two allocations, not two per
/// header.
#[derive(Clone, Default)]
pub struct Headers {
    /// Keys and values back to back.
    buf: String,
    /// `(key start, key end = value start, value end)` into `buf`, sorted by key, keys unique.
    spans: Vec<(u32, u32, u32)>,
}

impl Headers {
    /// The value of one header, if present.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.find(key).ok().map(|i| self.value_at(i))
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
        (0..self.spans.len()).map(|i| (self.key_at(i), self.value_at(i)))
    }

    /// Number of headers.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether there are no headers.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    fn key_at(&self, i: usize) -> &str {
        let (k, v, _) = self.spans[i];
        &self.buf[k as usize..v as usize]
    }

    fn value_at(&self, i: usize) -> &str {
        let (_, v, end) = self.spans[i];
        &self.buf[v as usize..end as usize]
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        self.spans
            .binary_search_by(|&(k, v, _)| self.buf[k as usize..v as usize].cmp(key))
    }

    /// Sets one header (a later value for the same key replaces the earlier one, as in a JSON object; the old
    /// bytes stay unused). `false` when the headers would pass 4 GiB (never within the transport limit).
    fn insert(&mut self, key: &str, value: &str) -> bool {
        let start = self.buf.len();
        let (Ok(k), Ok(v), Ok(end)) = (
            u32::try_from(start),
            u32::try_from(start + key.len()),
            u32::try_from(start + key.len() + value.len()),
        ) else {
            return false;
        };
        let found = self.find(key);
        self.buf.push_str(key);
        self.buf.push_str(value);
        match found {
            Ok(i) => self.spans[i] = (k, v, end),
            Err(i) => self.spans.insert(i, (k, v, end)),
        }
        true
    }

    fn remove(&mut self, key: &str) {
        if let Ok(i) = self.find(key) {
            self.spans.remove(i);
        }
    }

    fn from_object(object: &Map<String, Value>) -> Self {
        let mut headers = Self::default();
        for (key, value) in object {
            if let Some(text) = coerce_header(value) {
                headers.insert(key, &text);
            }
        }
        headers
    }
}

impl PartialEq for Headers {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for Headers {}

impl<K: AsRef<str>, V: AsRef<str>> FromIterator<(K, V)> for Headers {
    /// Builds headers by hand (tests, replays); a later value for the same key wins.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut headers = Self::default();
        for (k, v) in iter {
            headers.insert(k.as_ref(), v.as_ref());
        }
        headers
    }
}

impl fmt::Debug for Headers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
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

    /// Headers and `data`, by value (the engine hands them on without copying).
    pub(crate) fn into_parts(self) -> (Headers, Option<String>) {
        (self.headers, self.data)
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
///
/// A well-formed frame takes a fast path that builds the [`Frame`] straight from the text (no intermediate JSON
/// tree); anything unusual (escaped keys, duplicate or misspelled keys, `data` not a string, nested header values,
/// errors) takes the general path, which gives the same result.
pub fn decode(text: &str) -> Result<Frame, FrameError> {
    match serde_json::from_str::<fast::FastFrame>(text) {
        Ok(fast::FastFrame(frame)) => Ok(frame),
        Err(_) => decode_general(text),
    }
}

/// The general decoder: through a `serde_json::Value`.
fn decode_general(text: &str) -> Result<Frame, FrameError> {
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

/// The fast path of [`decode`]: well-formed frames only; anything else is an error and goes the general way.
mod fast {
    use std::fmt;

    use dingtalk_core::wire::FrameType;
    use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
    use serde_json::{Map, Value};

    use super::{Frame, Headers, plain_decimal};

    pub(super) struct FastFrame(pub(super) Frame);

    /// Any error: the general path decides what it means.
    fn bail<E: de::Error>() -> E {
        E::custom("not on the fast path")
    }

    impl<'de> Deserialize<'de> for FastFrame {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_map(FrameVisitor)
        }
    }

    struct FrameVisitor;

    impl<'de> Visitor<'de> for FrameVisitor {
        type Value = FastFrame;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a frame object")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FastFrame, A::Error> {
            let mut kind = None;
            let mut headers = None;
            let mut spec_version = None;
            let mut data = None;
            let mut extra = Map::new();
            while let Some(key) = map.next_key::<&'de str>()? {
                match key {
                    "type" if kind.is_none() => {
                        let t: &'de str = map.next_value()?;
                        kind = Some(match t {
                            "" => return Err(bail()),
                            "SYSTEM" => FrameType::System,
                            "EVENT" => FrameType::Event,
                            "CALLBACK" => FrameType::Callback,
                            other => FrameType::from(other),
                        });
                    }
                    "headers" if headers.is_none() => headers = Some(map.next_value::<FastHeaders>()?.0),
                    "specVersion" if spec_version.is_none() => {
                        spec_version = Some(map.next_value::<&'de str>()?.to_owned());
                    }
                    "data" if data.is_none() => data = Some(map.next_value::<OwnedStr>()?.0),
                    "type" | "headers" | "header" | "specVersion" | "data" => return Err(bail()),
                    other => {
                        if extra.contains_key(other) {
                            return Err(bail());
                        }
                        let value: Value = map.next_value()?;
                        extra.insert(other.to_owned(), value);
                    }
                }
            }
            let (Some(kind), Some(headers)) = (kind, headers) else {
                return Err(bail());
            };
            Ok(FastFrame(Frame {
                kind,
                spec_version,
                headers,
                data,
                extra,
            }))
        }
    }

    /// A JSON string, unescaped into an owned `String`.
    struct OwnedStr(String);

    impl<'de> Deserialize<'de> for OwnedStr {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_string(OwnedStrVisitor)
        }
    }

    struct OwnedStrVisitor;

    impl Visitor<'_> for OwnedStrVisitor {
        type Value = OwnedStr;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<OwnedStr, E> {
            Ok(OwnedStr(v.to_owned()))
        }

        fn visit_string<E: de::Error>(self, v: String) -> Result<OwnedStr, E> {
            Ok(OwnedStr(v))
        }
    }

    struct FastHeaders(Headers);

    impl<'de> Deserialize<'de> for FastHeaders {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_map(HeadersVisitor)
        }
    }

    struct HeadersVisitor;

    impl<'de> Visitor<'de> for HeadersVisitor {
        type Value = FastHeaders;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a headers object")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FastHeaders, A::Error> {
            let mut headers = Headers {
                buf: String::with_capacity(256),
                spans: Vec::with_capacity(map.size_hint().unwrap_or(8)),
            };
            while let Some(key) = map.next_key::<&'de str>()? {
                let ok = match map.next_value::<Scalar<'de>>()? {
                    Scalar::Str(v) => headers.insert(key, v),
                    Scalar::Owned(v) => headers.insert(key, &v),
                    Scalar::Null => {
                        // A later `null` drops an earlier value, as the general path does.
                        headers.remove(key);
                        true
                    }
                };
                if !ok {
                    return Err(bail());
                }
            }
            Ok(FastHeaders(headers))
        }
    }

    /// A header value: a string, a number or a boolean rendered as text, or `null` (dropped). Objects and arrays
    /// leave the fast path.
    enum Scalar<'de> {
        Str(&'de str),
        Owned(String),
        Null,
    }

    impl<'de> Deserialize<'de> for Scalar<'de> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(ScalarVisitor)
        }
    }

    struct ScalarVisitor;

    impl<'de> Visitor<'de> for ScalarVisitor {
        type Value = Scalar<'de>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a scalar")
        }

        fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Scalar<'de>, E> {
            Ok(Scalar::Str(v))
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar<'de>, E> {
            Ok(Scalar::Owned(v.to_owned()))
        }

        fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar<'de>, E> {
            Ok(Scalar::Owned(v))
        }

        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar<'de>, E> {
            Ok(Scalar::Str(if v { "true" } else { "false" }))
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar<'de>, E> {
            Ok(Scalar::Owned(v.to_string()))
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar<'de>, E> {
            Ok(Scalar::Owned(v.to_string()))
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar<'de>, E> {
            match serde_json::Number::from_f64(v) {
                Some(n) => Ok(Scalar::Owned(plain_decimal(&n))),
                None => Err(bail()),
            }
        }

        fn visit_unit<E: de::Error>(self) -> Result<Scalar<'de>, E> {
            Ok(Scalar::Null)
        }

        fn visit_none<E: de::Error>(self) -> Result<Scalar<'de>, E> {
            Ok(Scalar::Null)
        }

        fn visit_seq<A: de::SeqAccess<'de>>(self, _seq: A) -> Result<Scalar<'de>, A::Error> {
            Err(bail())
        }

        fn visit_map<A: MapAccess<'de>>(self, _map: A) -> Result<Scalar<'de>, A::Error> {
            Err(bail())
        }
    }
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

    /// Both paths on one text: the fast one (when it takes the frame) must equal the general one.
    fn same_on_both_paths(text: &str) -> bool {
        match serde_json::from_str::<fast::FastFrame>(text) {
            Ok(fast::FastFrame(frame)) => Ok(frame) == decode_general(text),
            Err(_) => true,
        }
    }

    fn fast_path_takes(text: &str) -> bool {
        serde_json::from_str::<fast::FastFrame>(text).is_ok()
    }

    #[test]
    fn fast_path_takes_the_protocol_examples_and_matches_the_general_path() {
        for text in [PING, EVENT] {
            assert!(fast_path_takes(text), "{text}");
            assert!(same_on_both_paths(text), "{text}");
        }
    }

    #[test]
    fn unusual_frames_decode_the_same_either_way() {
        for text in [
            r#"{"type":"EVENT","headers":{"k":"v","k":null},"data":""}"#,
            r#"{"type":"EVENT","headers":{"k":null,"k":"v"},"data":""}"#,
            r#"{"type":"EVENT","headers":{"k":"a","k":"b","a":"x"},"data":""}"#,
            r#"{"type":"EVENT","headers":{"t":1.7e12,"u":18446744073709551615,"n":-3,"b":false},"data":"x"}"#,
            r#"{"type":"EVENT","headers":{"k\u0041":"v\n"},"data":"{\"a\":1}"}"#,
            r#"{"type":"EVENT","type":"CALLBACK","headers":{},"data":""}"#,
            r#"{"type":"EVENT","headers":{},"data":"","x":1,"x":2}"#,
            r#"{"type":"EVENT","headers":{},"header":{"a":"b"},"data":""}"#,
            r#"{"type":"EVENT","headers":{},"data":null}"#,
            r#"{"type":"EVENT","headers":{"o":{"a":[1]}},"data":""}"#,
            r#"{"type":"EVENT","headers":{},"specVersion":1}"#,
        ] {
            assert!(same_on_both_paths(text), "{text}");
            assert_eq!(decode(text), decode_general(text), "{text}");
        }
        // The common shape stays on the fast path even with escapes in values and unknown keys.
        assert!(fast_path_takes(
            r#"{"type":"CALLBACK","headers":{"messageId":"m\"1","time":1},"data":"{\"a\":\"\u00e9\"}","x":[1]}"#
        ));
    }

    fn arb_frame() -> impl Strategy<Value = String> {
        use std::fmt::Write as _;

        let scalar = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            ".{0,8}".prop_map(Value::String),
        ];
        let headers = prop::collection::vec(
            (
                prop_oneof![Just("messageId".to_string()), Just("topic".to_string()), ".{0,4}"],
                scalar,
            ),
            0..8,
        );
        let kind = prop_oneof![
            Just("SYSTEM".to_string()),
            Just("EVENT".to_string()),
            Just("CALLBACK".to_string()),
            ".{0,6}"
        ];
        let extra = prop::collection::vec((".{0,4}", arb_json()), 0..3);
        (kind, headers, ".{0,40}", extra, any::<bool>()).prop_map(|(kind, headers, data, extra, spec)| {
            // Written by hand so duplicate keys survive into the text.
            let mut text = format!(r#"{{"type":{}"#, Value::String(kind));
            let h: Vec<String> = headers
                .iter()
                .map(|(k, v)| format!("{}:{v}", Value::String(k.clone())))
                .collect();
            let _ = write!(text, r#","headers":{{{}}}"#, h.join(","));
            let _ = write!(text, r#","data":{}"#, Value::String(data));
            if spec {
                text.push_str(r#","specVersion":"1.0""#);
            }
            for (k, v) in extra {
                let _ = write!(text, ",{}:{v}", Value::String(k));
            }
            text.push('}');
            text
        })
    }

    proptest! {
        #[test]
        fn arbitrary_frames_decode_the_same_on_both_paths(text in arb_frame()) {
            prop_assert!(same_on_both_paths(&text));
            prop_assert_eq!(decode(&text), decode_general(&text));
        }

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
