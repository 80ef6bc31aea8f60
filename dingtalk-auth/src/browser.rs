//! The loopback browser flow: listen on `127.0.0.1`, send the user to DingTalk's authorize page, and receive the
//! authorization code on `http://127.0.0.1:<port>/callback`.

use std::time::Duration;

use dingtalk_core::{ApiHost, BaseUrls, ClientId, CorpId, SecretString};
use rand::RngCore;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use url::Url;

use crate::error::{Error, ErrorKind};

/// How long [`BrowserLogin::wait`] waits by default.
pub const DEFAULT_LOGIN_TIMEOUT: Duration = Duration::from_mins(5);

/// Options of the browser flow.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BrowserOptions {
    /// A fixed callback port (for SSH port forwarding); `None` picks a free one.
    pub port: Option<u16>,
    /// Preselect the organisation on the authorize page.
    pub corp_id: Option<CorpId>,
}

/// A prepared browser login: the listener is bound, the authorize URL is ready to open.
#[derive(Debug)]
pub struct BrowserLogin {
    listener: TcpListener,
    authorize_url: Url,
    redirect_uri: String,
    state: String,
}

impl BrowserLogin {
    /// Binds `127.0.0.1:<port>` and builds the authorize URL on the login host of `bases`.
    pub async fn prepare(
        bases: &BaseUrls,
        client_id: &ClientId,
        options: &BrowserOptions,
    ) -> Result<Self, Error> {
        if client_id.is_empty() {
            return Err(Error::msg(ErrorKind::Invalid, "client id is empty"));
        }
        let listener = TcpListener::bind(("127.0.0.1", options.port.unwrap_or(0))).await?;
        let port = listener.local_addr()?.port();
        let redirect_uri = format!("http://127.0.0.1:{port}/callback");
        let mut state_bytes = [0u8; 16];
        rand::rng().fill_bytes(&mut state_bytes);
        let state: String = state_bytes.iter().fold(String::new(), |mut s, b| {
            use std::fmt::Write as _;
            let _ = write!(s, "{b:02x}");
            s
        });
        let mut authorize_url = bases
            .join(ApiHost::Login, "/oauth2/auth")
            .map_err(|e| Error::new(ErrorKind::Invalid).with_source(e))?;
        {
            let mut query = authorize_url.query_pairs_mut();
            query
                .append_pair("client_id", client_id.as_str())
                .append_pair("redirect_uri", &redirect_uri)
                .append_pair("response_type", "code")
                .append_pair("scope", "openid corpid")
                .append_pair("prompt", "consent")
                .append_pair("state", &state);
            if let Some(corp_id) = &options.corp_id {
                query.append_pair("corpId", corp_id.as_str());
            }
        }
        Ok(Self {
            listener,
            authorize_url,
            redirect_uri,
            state,
        })
    }

    /// The page to open in the browser.
    pub fn authorize_url(&self) -> &str {
        self.authorize_url.as_str()
    }

    /// The registered redirect URI (`http://127.0.0.1:<port>/callback`).
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Waits for the callback and returns the authorization code (`authCode`, or `code`).
    ///
    /// The `state` is checked before anything else; a mismatch ends the login with
    /// [`ErrorKind::StateMismatch`] and nothing is exchanged. `error=access_denied` ends it with
    /// [`ErrorKind::AccessDenied`]. Requests for other paths (a browser's `/favicon.ico`) get a 404 and are ignored.
    /// The browser always gets a short success or failure page.
    pub async fn wait(self, timeout: Duration) -> Result<SecretString, Error> {
        let outcome = tokio::time::timeout(timeout, async {
            loop {
                let (stream, _) = self.listener.accept().await?;
                if let Some(result) = self.handle(stream).await {
                    return result;
                }
            }
        })
        .await;
        outcome.unwrap_or_else(|_| {
            Err(Error::msg(
                ErrorKind::Timeout,
                "no browser callback arrived in time",
            ))
        })
    }

    /// Handles one connection; `None` when it was not the callback.
    async fn handle(&self, mut stream: TcpStream) -> Option<Result<SecretString, Error>> {
        let Ok(Ok(head)) = tokio::time::timeout(Duration::from_secs(5), read_head(&mut stream)).await else {
            return None;
        };
        let target = head.lines().next().and_then(|line| {
            let mut parts = line.split_whitespace();
            (parts.next() == Some("GET")).then(|| parts.next()).flatten()
        });
        let Some(url) = target.and_then(|t| Url::parse(&format!("http://127.0.0.1{t}")).ok()) else {
            respond(&mut stream, 400, "Bad request").await;
            return None;
        };
        if url.path() != "/callback" {
            respond(&mut stream, 404, "Not found").await;
            return None;
        }
        let result = self.code_from_callback(&url);
        match &result {
            Ok(_) => {
                respond(
                    &mut stream,
                    200,
                    "Login complete. You can close this window and return to the terminal.",
                )
                .await;
            }
            Err(error) => {
                respond(
                    &mut stream,
                    400,
                    &format!("Login failed: {error}. Return to the terminal."),
                )
                .await;
            }
        }
        Some(result)
    }

    /// The paste flow: the code from what the user copied out of the browser after authorizing, either the whole
    /// redirect URL (`…/callback?authCode=…&state=…`: the `state` is checked exactly as on the loopback callback) or
    /// the bare code (which carries no `state`; accepted as typed).
    ///
    /// Use it instead of [`wait`](Self::wait) when the browser runs on another machine and cannot reach the
    /// loopback listener.
    pub fn code_from_paste(&self, pasted: &str) -> Result<SecretString, Error> {
        let text = pasted.trim();
        if text.is_empty() {
            return Err(Error::msg(ErrorKind::Invalid, "nothing was pasted"));
        }
        if text.contains("://") || text.contains('?') {
            let url = if text.contains("://") {
                Url::parse(text)
            } else {
                Url::parse("http://127.0.0.1/").and_then(|base| base.join(text))
            }
            .map_err(|_| Error::msg(ErrorKind::Invalid, "the pasted text is not a URL or a code"))?;
            return self.code_from_callback(&url);
        }
        if !text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~'))
        {
            return Err(Error::msg(
                ErrorKind::Invalid,
                "the pasted text is not a URL or a code",
            ));
        }
        Ok(SecretString::from(text.to_owned()))
    }

    /// Checks a callback URL's `state` first, then reads its `error` or `authCode` (or `code`).
    fn code_from_callback(&self, url: &Url) -> Result<SecretString, Error> {
        let param = |name: &str| {
            url.query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        let state_ok = param("state").is_some_and(|s| constant_time_eq(s.as_bytes(), self.state.as_bytes()));
        if !state_ok {
            Err(Error::new(ErrorKind::StateMismatch))
        } else if let Some(error) = param("error") {
            if error == "access_denied" {
                Err(Error::new(ErrorKind::AccessDenied))
            } else {
                Err(Error::msg(
                    ErrorKind::Protocol,
                    format!("authorization failed: {}", sanitize(&error)),
                ))
            }
        } else {
            match param("authCode")
                .or_else(|| param("code"))
                .filter(|c| !c.is_empty())
            {
                Some(code) => Ok(SecretString::from(code)),
                None => Err(Error::msg(
                    ErrorKind::Protocol,
                    "the callback carried no authCode",
                )),
            }
        }
    }
}

async fn read_head(stream: &mut TcpStream) -> std::io::Result<String> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while buf.len() < 8192 {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.windows(4).any(|w| w == b"\r\n\r\n") {
            break;
        }
    }
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

async fn respond(stream: &mut TcpStream, status: u16, message: &str) {
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        _ => "Bad Request",
    };
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>DingTalk login</title></head>\
         <body style=\"font-family:sans-serif;margin:3em\"><h2>{}</h2></body></html>",
        html_escape(message)
    );
    let response = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\n\
         connection: close\r\ncache-control: no-store\r\n\r\n{body}",
        body.len()
    );
    // The browser may already be gone; the outcome does not depend on it.
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn sanitize(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        .take(64)
        .collect()
}

/// Compares two byte strings in time independent of where they differ.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn pasted_redirects_are_state_checked() {
        let bases = BaseUrls::single("http://127.0.0.1:9").unwrap();
        let login = BrowserLogin::prepare(&bases, &ClientId::new("app"), &BrowserOptions::default())
            .await
            .unwrap();
        let state = login.state.clone();
        let code = |text: &str| {
            login
                .code_from_paste(text)
                .map(|c| dingtalk_core::ExposeSecret::expose_secret(&c).to_owned())
        };
        let url = format!("{}?authCode=abc123&state={state}\n", login.redirect_uri());
        assert_eq!(code(&url).unwrap(), "abc123");
        assert_eq!(code(&format!("/callback?code=xyz&state={state}")).unwrap(), "xyz");
        assert_eq!(code("  bare-Code_1 \n").unwrap(), "bare-Code_1");
        // One character changed. Regression: the test always wrote `0`, so a state that began with `0` (one run in
        // a few dozen) was "forged" into itself and accepted.
        let first = if state.starts_with('0') { '1' } else { '0' };
        let forged = format!(
            "{}?authCode=abc123&state={first}{}",
            login.redirect_uri(),
            &state[1..]
        );
        assert_eq!(code(&forged).unwrap_err().kind(), ErrorKind::StateMismatch);
        let stateless = format!("{}?authCode=abc123", login.redirect_uri());
        assert_eq!(code(&stateless).unwrap_err().kind(), ErrorKind::StateMismatch);
        let denied = format!("{}?error=access_denied&state={state}", login.redirect_uri());
        assert_eq!(code(&denied).unwrap_err().kind(), ErrorKind::AccessDenied);
        assert_eq!(code("").unwrap_err().kind(), ErrorKind::Invalid);
        assert_eq!(code("two words").unwrap_err().kind(), ErrorKind::Invalid);
    }

    #[test]
    fn helpers() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert_eq!(html_escape("<b>&\""), "&lt;b&gt;&amp;&quot;");
        assert_eq!(sanitize("access_denied<script>"), "access_deniedscript");
    }
}
