//! A request with a path chosen at run time, for `dws api` and commands without a typed request.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, Endpoint, Method};
use serde_json::Value;

use crate::commands::Ctx;
use crate::exit::CliError;

const fn method_of(m: u8) -> Method {
    match m {
        0 => Method::Get,
        1 => Method::Post,
        2 => Method::Put,
        3 => Method::Patch,
        _ => Method::Delete,
    }
}

const fn host_of(h: u8) -> ApiHost {
    if h == 0 { ApiHost::V1 } else { ApiHost::Legacy }
}

/// A raw request; `M` and `H` pick the method and host at compile time.
pub(crate) struct Raw<const M: u8, const H: u8> {
    path: String,
    query: Vec<(&'static str, String)>,
    body: Option<Value>,
}

impl<const M: u8, const H: u8> Endpoint for Raw<M, H> {
    type Response = Value;
    const METHOD: Method = method_of(M);
    const HOST: ApiHost = host_of(H);
    const IDEMPOTENT: bool = M == 0;

    fn route(&self) -> &'static str {
        "<raw>"
    }
    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.path)
    }
    fn query(&self) -> Vec<(&'static str, String)> {
        self.query.clone()
    }
    fn body(&self) -> Result<Body, dingtalk_core::Error> {
        match &self.body {
            Some(b) => Body::json(b),
            None => Ok(Body::Empty),
        }
    }
}

/// Checks a raw path: absolute, no dot segments or their encodings, no backslashes or control characters.
pub(crate) fn check_path(path: &str) -> Result<(), CliError> {
    let lower = path.to_ascii_lowercase();
    let bad = !path.starts_with('/')
        || path.contains("//")
        || path.contains('\\')
        || path.split('/').any(|s| s == ".." || s == ".")
        || ["%2e", "%2f", "%5c"].iter().any(|p| lower.contains(p))
        || path.chars().any(char::is_control);
    if bad {
        return Err(CliError::validation("input_unsafe", format!("unsafe API path {path:?}")).param("path"));
    }
    Ok(())
}

/// Sends a raw request. Query keys are leaked into `'static` strings (a handful per process).
pub(crate) async fn send(
    ctx: &mut Ctx<'_>,
    method: &str,
    legacy: bool,
    path: &str,
    query: &[(String, String)],
    body: Option<Value>,
) -> Result<Value, CliError> {
    let query: Vec<(&'static str, String)> = query
        .iter()
        .map(|(k, v)| (&*Box::leak(k.clone().into_boxed_str()), v.clone()))
        .collect();
    macro_rules! go {
        ($m:literal) => {
            if legacy {
                ctx.call(Raw::<$m, 1> {
                    path: path.to_owned(),
                    query,
                    body,
                })
                .await
            } else {
                ctx.call(Raw::<$m, 0> {
                    path: path.to_owned(),
                    query,
                    body,
                })
                .await
            }
        };
    }
    match method.to_ascii_uppercase().as_str() {
        "GET" => go!(0),
        "POST" => go!(1),
        "PUT" => go!(2),
        "PATCH" => go!(3),
        "DELETE" => go!(4),
        other => {
            Err(CliError::validation("invalid_argument", format!("unknown method {other}")).param("method"))
        }
    }
}
