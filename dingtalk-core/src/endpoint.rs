//! The [`Endpoint`] trait: a request as plain data that the transport knows how to send.

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::pin::Pin;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::Error;
use crate::host::ApiHost;

/// A boxed, sendable future: the return type of fluent calls.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// An HTTP method. Our own enum, so no `http` type appears in public signatures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a request carries an access token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Auth {
    /// The client's token, placed per host (header on the new host, query on the legacy host).
    Token,
    /// No token (token endpoints, the Stream ticket, session webhooks, the device flow).
    None,
}

/// A request body.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Body {
    /// No body.
    Empty,
    /// `application/json`.
    Json(Vec<u8>),
    /// `application/x-www-form-urlencoded`.
    Form(Vec<(String, String)>),
    /// `multipart/form-data`.
    Multipart(Vec<Part>),
}

impl Body {
    /// Serializes `value` as a JSON body.
    pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<Self, Error> {
        serde_json::to_vec(value)
            .map(Body::Json)
            .map_err(|e| Error::validation("request body could not be serialized").with_source(e))
    }

    /// The JSON text of a JSON body, for dry runs and logs.
    pub fn json_text(&self) -> Option<&str> {
        match self {
            Body::Json(bytes) => std::str::from_utf8(bytes).ok(),
            _ => None,
        }
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Body::Empty => f.write_str("Empty"),
            Body::Json(bytes) => write!(f, "Json({} bytes)", bytes.len()),
            Body::Form(fields) => write!(f, "Form({} fields)", fields.len()),
            Body::Multipart(parts) => write!(f, "Multipart({} parts)", parts.len()),
        }
    }
}

/// One part of a multipart body.
#[derive(Clone, PartialEq, Eq)]
pub struct Part {
    /// The form field name.
    pub name: String,
    /// The file name, for file parts.
    pub file_name: Option<String>,
    /// The content type, for file parts.
    pub content_type: Option<String>,
    /// The bytes.
    pub data: Vec<u8>,
}

/// One DingTalk operation as plain data: method, host, path, query and body, plus the response type.
///
/// Requests are data so they can be validated, logged, replayed and shown by `--dry-run` without a client. The one
/// generic executor, [`Transport::execute`](crate::Transport::execute), picks the envelope, token placement, retry
/// and tracing from the constants.
pub trait Endpoint: Send + Sync {
    /// What a successful call decodes into. Legacy endpoints decode the whole body (`errcode` included).
    type Response: DeserializeOwned + Send + 'static;

    /// The HTTP method.
    const METHOD: Method;
    /// The host, which decides token placement and error envelope.
    const HOST: ApiHost;
    /// Whether sending twice is harmless. Non-idempotent requests are never retried once they may have arrived.
    const IDEMPOTENT: bool;
    /// Whether the request carries a token.
    const AUTH: Auth = Auth::Token;

    /// A route template for logs and metrics, e.g. `/v1.0/calendar/users/{unionId}/calendars`. No ids, no secrets.
    fn route(&self) -> &'static str;

    /// The concrete path, ids percent-encoded (see [`encode_segment`]).
    fn path(&self) -> Cow<'_, str>;

    /// Query parameters (never the token; the transport adds it).
    fn query(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }

    /// Extra headers (for example `x-client-token`). Values are checked for CR/LF before sending.
    fn headers(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }

    /// The body.
    fn body(&self) -> Result<Body, Error> {
        Ok(Body::Empty)
    }

    /// Checks the request before any I/O.
    fn validate(&self) -> Result<(), Error> {
        Ok(())
    }

    /// Decodes a 2xx body. The default parses JSON and treats an empty body as `null`.
    fn decode(&self, body: &[u8]) -> Result<Self::Response, Error> {
        decode_json(body)
    }
}

/// Decodes a JSON body, an empty body as `null`. Errors keep the position and a body truncated to 1 KiB.
pub fn decode_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"null"
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| {
        Error::new(crate::error::ErrorKind::Decode).with_source(crate::error::Message(format!(
            "{e} in body: {}",
            crate::api_error::truncate(&String::from_utf8_lossy(body), 1024)
        )))
    })
}

/// Percent-encodes one path segment (`openConversationId`s contain `+`, `/` and `=`). A segment of only dots is
/// encoded too, so an id can never become a `..` path step.
pub fn encode_segment(segment: &str) -> String {
    const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    if !segment.is_empty() && segment.bytes().all(|b| b == b'.') {
        return "%2E".repeat(segment.len());
    }
    percent_encoding::utf8_percent_encode(segment, SEGMENT).to_string()
}

/// Requires a non-empty field, for `validate()` implementations.
pub fn require(field: &str, value: &str) -> Result<(), Error> {
    if value.trim().is_empty() {
        Err(Error::validation(format!("{field} is required")))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_encoded() {
        assert_eq!(
            encode_segment("cidG+niQ3Ny/NwUc5KE7mANUQ=="),
            "cidG%2BniQ3Ny%2FNwUc5KE7mANUQ%3D%3D"
        );
        assert_eq!(encode_segment("a-b_c.d~e"), "a-b_c.d~e");
        assert_eq!(encode_segment(".."), "%2E%2E");
        assert_eq!(encode_segment("v1.0"), "v1.0");
    }

    #[test]
    fn decode_errors_carry_position_and_body() {
        #[derive(Debug, serde::Deserialize)]
        struct Wanted {
            #[allow(dead_code)]
            count: u32,
        }
        let error = decode_json::<Wanted>(br#"{"count":"many"}"#).unwrap_err();
        assert_eq!(error.kind(), crate::ErrorKind::Decode);
        let text = std::error::Error::source(&error).unwrap().to_string();
        assert!(text.contains("count"), "{text}");
        let empty: Option<u32> = decode_json(b"  ").unwrap();
        assert_eq!(empty, None);
    }

    #[test]
    fn body_debug_is_opaque() {
        let body = Body::json(&serde_json::json!({"appSecret": "hidden"})).unwrap();
        assert!(!format!("{body:?}").contains("hidden"));
        assert!(body.json_text().unwrap().contains("appSecret"));
    }
}
