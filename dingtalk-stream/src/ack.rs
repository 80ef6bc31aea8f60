//! Every outbound ack is built here (R-ACK-5): [`pong`], [`event`], [`callback`] and [`error`].
//!
//! The shape is fixed by protocol §2.2: `{"code":…,"headers":{"contentType":"application/json","messageId":…},
//! "message":…,"data":"<JSON text>"}`. `data` is always a serialized string, never an object.

use std::borrow::Cow;

use serde::Serialize;

use crate::frame::Frame;

/// The outcome of an EVENT handler, sent as `data.status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventStatus {
    /// `SUCCESS`: consumed.
    Success,
    /// `LATER`: not consumed; DingTalk redelivers.
    Later,
}

impl EventStatus {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "SUCCESS",
            Self::Later => "LATER",
        }
    }
}

/// One ack, ready to be written as a text frame. Borrows what it can: the usual ack allocates only its JSON text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Ack<'a> {
    code: u16,
    message_id: &'a str,
    message: Cow<'a, str>,
    data: Cow<'a, str>,
}

impl Ack<'_> {
    /// The JSON text of the ack frame, written directly into one allocation of the exact size (so the writer turns
    /// it into a WebSocket payload without another allocation).
    pub(crate) fn to_json(&self) -> String {
        const FIXED: &str =
            r#"{"code":,"headers":{"contentType":"application/json","messageId":},"message":,"data":}"#;
        let mut digits = [0; 5];
        let code = itoa_u16(self.code, &mut digits);
        let capacity = FIXED.len()
            + code.len()
            + json_len(self.message_id)
            + json_len(&self.message)
            + json_len(&self.data);
        let mut out = String::with_capacity(capacity);
        out.push_str(r#"{"code":"#);
        out.push_str(code);
        out.push_str(r#","headers":{"contentType":"application/json","messageId":"#);
        push_json_str(&mut out, self.message_id);
        out.push_str(r#"},"message":"#);
        push_json_str(&mut out, &self.message);
        out.push_str(r#","data":"#);
        push_json_str(&mut out, &self.data);
        out.push('}');
        out
    }

    /// The ack `code`.
    pub(crate) fn code(&self) -> u16 {
        self.code
    }

    /// The `messageId` this ack answers.
    pub(crate) fn message_id(&self) -> &str {
        self.message_id
    }
}

/// Length of `s` as a JSON string literal, quotes included (escapes as `serde_json` writes them).
fn json_len(s: &str) -> usize {
    2 + s
        .bytes()
        .map(|b| match b {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 2,
            0..0x20 => 6,
            _ => 1,
        })
        .sum::<usize>()
}

/// Appends `s` as a JSON string literal, escaped as `serde_json` does (`\"`, `\\`, `\n`, `\r`, `\t`, `\b`, `\f`,
/// other control characters as `\u00XX`).
fn push_json_str(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let mut plain = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..0x20 => "",
            _ => continue,
        };
        out.push_str(&s[plain..i]);
        if escape.is_empty() {
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        } else {
            out.push_str(escape);
        }
        plain = i + 1;
    }
    out.push_str(&s[plain..]);
    out.push('"');
}

/// `n` in decimal, without an allocation.
fn itoa_u16(mut n: u16, buf: &mut [u8; 5]) -> &str {
    let mut i = buf.len();
    loop {
        i -= 1;
        // `n % 10` is a single digit.
        buf[i] = b'0' + u8::try_from(n % 10).unwrap_or(0);
        n /= 10;
        if n == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[i..]).unwrap_or("0")
}

/// The ack for a SYSTEM `ping` (or `disconnect`): code 200, `data` echoed verbatim.
pub(crate) fn pong(frame: &Frame) -> Option<Ack<'_>> {
    let message_id = frame.message_id()?;
    Some(Ack {
        code: 200,
        message_id,
        message: Cow::Borrowed("OK"),
        data: Cow::Borrowed(frame.data().unwrap_or("")),
    })
}

/// The ack for an EVENT: code 200 with `{"status":…,"message":…}`.
pub(crate) fn event<'a>(message_id: &'a str, status: EventStatus, message: &str) -> Ack<'a> {
    #[derive(Serialize)]
    struct Data<'a> {
        status: &'a str,
        message: &'a str,
    }
    let data = serde_json::to_string(&Data {
        status: status.as_str(),
        message,
    })
    .unwrap_or_default();
    Ack {
        code: 200,
        message_id,
        message: Cow::Borrowed("OK"),
        data: Cow::Owned(data),
    }
}

/// `data` of a callback ack without a response.
const NULL_RESPONSE: &str = r#"{"response":null}"#;

/// The ack for a CALLBACK: code 200 with `{"response": <response or null>}`.
///
/// `response` is the already serialized JSON text of the response, so field order is the caller's.
pub(crate) fn callback<'a>(message_id: &'a str, response: Option<&str>) -> Ack<'a> {
    let data = match response {
        None => Cow::Borrowed(NULL_RESPONSE),
        Some(r) => Cow::Owned(format!(r#"{{"response":{r}}}"#)),
    };
    Ack {
        code: 200,
        message_id,
        message: Cow::Borrowed("OK"),
        data,
    }
}

/// An error ack: `code` (400, 404, 500) with a short reason and `{"response":null}`.
pub(crate) fn error<'a>(message_id: &'a str, code: u16, message: &'a str) -> Ack<'a> {
    Ack {
        code,
        message_id,
        message: Cow::Borrowed(message),
        data: Cow::Borrowed(NULL_RESPONSE),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::decode;

    #[test]
    fn ping_ack_matches_example() {
        let frame = decode(r#"{"specVersion":"1.0","type":"SYSTEM","headers":{"contentType":"application/json","messageId":"0a1b2c3d_4e5_19bfa1a500a_6f7a","time":"1774080000000","topic":"ping"},"data":"{\"opaque\":\"5f0e6a9c-3b1d-4c2e-9a7f-2d4b8c1e0f33\"}"}"#).unwrap();
        assert_eq!(
            pong(&frame).unwrap().to_json(),
            r#"{"code":200,"headers":{"contentType":"application/json","messageId":"0a1b2c3d_4e5_19bfa1a500a_6f7a"},"message":"OK","data":"{\"opaque\":\"5f0e6a9c-3b1d-4c2e-9a7f-2d4b8c1e0f33\"}"}"#
        );
    }

    #[test]
    fn disconnect_ack_matches_example() {
        let frame = decode(r#"{"specVersion":"1.0","type":"SYSTEM","headers":{"contentType":"application/json","messageId":"c0a8000117740800000012345","time":"1774090000000","topic":"disconnect"},"data":"{\"reason\":\"persistent connection is timeout\"}"}"#).unwrap();
        assert_eq!(
            pong(&frame).unwrap().to_json(),
            r#"{"code":200,"headers":{"contentType":"application/json","messageId":"c0a8000117740800000012345"},"message":"OK","data":"{\"reason\":\"persistent connection is timeout\"}"}"#
        );
    }

    #[test]
    fn pong_without_message_id_is_none() {
        let frame = decode(r#"{"type":"SYSTEM","headers":{"topic":"disconnect"},"data":"{}"}"#).unwrap();
        assert!(pong(&frame).is_none());
    }

    #[test]
    fn event_acks_match_examples() {
        assert_eq!(
            event("2a4c6e80_9b1_19bfa1a6f00_7c8d", EventStatus::Success, "success").to_json(),
            r#"{"code":200,"headers":{"contentType":"application/json","messageId":"2a4c6e80_9b1_19bfa1a6f00_7c8d"},"message":"OK","data":"{\"status\":\"SUCCESS\",\"message\":\"success\"}"}"#
        );
        assert_eq!(
            event(
                "2a4c6e80_9b1_19bfa1a6f00_7c8d",
                EventStatus::Later,
                "handler timeout"
            )
            .to_json(),
            r#"{"code":200,"headers":{"contentType":"application/json","messageId":"2a4c6e80_9b1_19bfa1a6f00_7c8d"},"message":"OK","data":"{\"status\":\"LATER\",\"message\":\"handler timeout\"}"}"#
        );
    }

    #[test]
    fn callback_acks_match_examples() {
        assert_eq!(
            callback("21f0e3a2_1a2b_19bfa1c2d3e_4f5a6b", None).to_json(),
            r#"{"code":200,"headers":{"contentType":"application/json","messageId":"21f0e3a2_1a2b_19bfa1c2d3e_4f5a6b"},"message":"OK","data":"{\"response\":null}"}"#
        );
        let response = r#"{"cardUpdateOptions":{"updateCardDataByKey":true,"updatePrivateDataByKey":true},"cardData":{"cardParamMap":{"status":"approved"}}}"#;
        assert_eq!(
            callback("2130aa11_84c_19bfa1b0001_2b3c", Some(response)).to_json(),
            r#"{"code":200,"headers":{"contentType":"application/json","messageId":"2130aa11_84c_19bfa1b0001_2b3c"},"message":"OK","data":"{\"response\":{\"cardUpdateOptions\":{\"updateCardDataByKey\":true,\"updatePrivateDataByKey\":true},\"cardData\":{\"cardParamMap\":{\"status\":\"approved\"}}}}"}"#
        );
    }

    #[test]
    fn error_acks_match_examples() {
        assert_eq!(
            error("2130aa11_84c_19bfa1b0001_2b3d", 404, "topic not supported").to_json(),
            r#"{"code":404,"headers":{"contentType":"application/json","messageId":"2130aa11_84c_19bfa1b0001_2b3d"},"message":"topic not supported","data":"{\"response\":null}"}"#
        );
        assert_eq!(
            error("2130aa11_84c_19bfa1b0001_2b3e", 400, "bad payload").to_json(),
            r#"{"code":400,"headers":{"contentType":"application/json","messageId":"2130aa11_84c_19bfa1b0001_2b3e"},"message":"bad payload","data":"{\"response\":null}"}"#
        );
    }

    #[test]
    fn message_id_is_escaped_not_injected() {
        let ack = error("a\"b", 400, "x\ny");
        let parsed: serde_json::Value = serde_json::from_str(&ack.to_json()).unwrap();
        assert_eq!(parsed["headers"]["messageId"], "a\"b");
        assert_eq!(ack.code(), 400);
        assert_eq!(ack.message_id(), "a\"b");
        assert_eq!(parsed["message"], "x\ny");
    }

    fn push_serde(out: &mut String, s: &str) {
        out.push_str(&serde_json::to_string(s).unwrap());
    }

    #[test]
    fn plain_acks_are_allocated_at_their_exact_size() {
        let json = callback("21f0e3a2_1a2b_19bfa1c2d3e_4f5a6b", None).to_json();
        assert_eq!(json.len(), json.capacity());
        let json = event("e1", EventStatus::Success, "success").to_json();
        assert_eq!(json.len(), json.capacity());
    }

    #[test]
    fn hand_written_json_equals_serde_for_any_text() {
        for (id, message, data, code) in [
            ("m", "OK", "{}", 200),
            ("\u{1}\u{1f}", "tab\there", "\"quoted\" \\ back", 0),
            ("é✓", "", "", 65535),
            ("\u{8}\u{c}\n\r", "\u{7f}\u{0}", "a\\\"b", 7),
        ] {
            let ack = Ack {
                code,
                message_id: id,
                message: Cow::Borrowed(message),
                data: Cow::Borrowed(data),
            };
            let expected = serde_json::json!({"code": code, "headers": {"contentType": "application/json",
                "messageId": id}, "message": message, "data": data});
            let json = ack.to_json();
            let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
            assert_eq!(parsed, expected);
            assert_eq!(json.len(), json.capacity(), "{json}");
            let mut by_serde = String::new();
            push_serde(&mut by_serde, id);
            let mut ours = String::new();
            push_json_str(&mut ours, id);
            assert_eq!(ours, by_serde);
        }
    }

    proptest::proptest! {
        #[test]
        fn escaping_matches_serde_json(text in ".{0,40}", control in proptest::collection::vec(0u8..0x20, 0..4)) {
            let mut s = text;
            s.extend(control.into_iter().map(char::from));
            let mut ours = String::new();
            push_json_str(&mut ours, &s);
            proptest::prop_assert_eq!(&ours, &serde_json::to_string(&s).unwrap());
            proptest::prop_assert_eq!(ours.len(), json_len(&s));
        }
    }
}
