//! Every outbound ack is built here (R-ACK-5): [`pong`], [`event`], [`callback`] and [`error`].
//!
//! The shape is fixed by protocol §2.2: `{"code":…,"headers":{"contentType":"application/json","messageId":…},
//! "message":…,"data":"<JSON text>"}`. `data` is always a serialized string, never an object.

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

/// One ack, ready to be written as a text frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Ack {
    code: u16,
    message_id: String,
    message: String,
    data: String,
}

impl Ack {
    /// The JSON text of the ack frame.
    pub(crate) fn to_json(&self) -> String {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct WireHeaders<'a> {
            content_type: &'a str,
            message_id: &'a str,
        }
        #[derive(Serialize)]
        struct Wire<'a> {
            code: u16,
            headers: WireHeaders<'a>,
            message: &'a str,
            data: &'a str,
        }
        let wire = Wire {
            code: self.code,
            headers: WireHeaders {
                content_type: "application/json",
                message_id: &self.message_id,
            },
            message: &self.message,
            data: &self.data,
        };
        // Serializing plain strings and integers cannot fail; fall back to a minimal ack rather than panic.
        serde_json::to_string(&wire).unwrap_or_default()
    }

    /// The ack `code`.
    pub(crate) fn code(&self) -> u16 {
        self.code
    }

    /// The `messageId` this ack answers.
    pub(crate) fn message_id(&self) -> &str {
        &self.message_id
    }
}

/// The ack for a SYSTEM `ping` (or `disconnect`): code 200, `data` echoed verbatim.
pub(crate) fn pong(frame: &Frame) -> Option<Ack> {
    let message_id = frame.message_id()?;
    Some(Ack {
        code: 200,
        message_id: message_id.into(),
        message: "OK".into(),
        data: frame.data().unwrap_or("").into(),
    })
}

/// The ack for an EVENT: code 200 with `{"status":…,"message":…}`.
pub(crate) fn event(message_id: &str, status: EventStatus, message: &str) -> Ack {
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
        message_id: message_id.into(),
        message: "OK".into(),
        data,
    }
}

/// The ack for a CALLBACK: code 200 with `{"response": <response or null>}`.
///
/// `response` is the already serialized JSON text of the response, so field order is the caller's.
pub(crate) fn callback(message_id: &str, response: Option<&str>) -> Ack {
    let data = format!(r#"{{"response":{}}}"#, response.unwrap_or("null"));
    Ack {
        code: 200,
        message_id: message_id.into(),
        message: "OK".into(),
        data,
    }
}

/// An error ack: `code` (400, 404, 500) with a short reason and `{"response":null}`.
pub(crate) fn error(message_id: &str, code: u16, message: &str) -> Ack {
    Ack {
        code,
        message_id: message_id.into(),
        message: message.into(),
        data: r#"{"response":null}"#.into(),
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
    }
}
