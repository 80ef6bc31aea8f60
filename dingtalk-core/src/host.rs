//! The three DingTalk hosts, their base URLs, and the trusted-host policy for bearer tokens.

use std::fmt;

use url::{Host, Url};

use crate::error::Error;

/// Which DingTalk host an endpoint lives on. The host decides token placement and the error envelope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApiHost {
    /// `https://api.dingtalk.com`: token in header `x-acs-dingtalk-access-token`, non-2xx errors.
    V1,
    /// `https://oapi.dingtalk.com`: token in query `access_token`, HTTP 200 with `errcode`.
    Legacy,
    /// `https://login.dingtalk.com`: OAuth pages and the device flow; no token.
    Login,
}

/// Base URLs of the three hosts. Pointing all three at `http://127.0.0.1:PORT` is how every crate talks to the
/// sandbox.
#[derive(Clone, PartialEq, Eq)]
pub struct BaseUrls {
    api: Url,
    oapi: Url,
    login: Url,
}

impl BaseUrls {
    /// DingTalk's mainland hosts.
    pub const DINGTALK_API: &'static str = "https://api.dingtalk.com";
    /// The legacy host.
    pub const DINGTALK_OAPI: &'static str = "https://oapi.dingtalk.com";
    /// The login host.
    pub const DINGTALK_LOGIN: &'static str = "https://login.dingtalk.com";

    /// The production DingTalk hosts.
    ///
    /// # Panics
    ///
    /// Never: the URLs are constants.
    #[expect(
        clippy::expect_used,
        reason = "compile-time constant URLs, covered by a unit test"
    )]
    pub fn dingtalk() -> Self {
        Self::parse(Self::DINGTALK_API, Self::DINGTALK_OAPI, Self::DINGTALK_LOGIN)
            .expect("valid constant URLs")
    }

    /// The international region (`*.dingtalk.io`), same paths.
    ///
    /// # Panics
    ///
    /// Never: the URLs are constants.
    #[expect(
        clippy::expect_used,
        reason = "compile-time constant URLs, covered by a unit test"
    )]
    pub fn dingtalk_intl() -> Self {
        Self::parse(
            "https://api.dingtalk.io",
            "https://oapi.dingtalk.io",
            "https://login.dingtalk.io",
        )
        .expect("valid constant URLs")
    }

    /// One base URL for all three hosts (the sandbox serves every path on one address).
    pub fn single(base: &str) -> Result<Self, Error> {
        Self::parse(base, base, base)
    }

    /// Three explicit base URLs.
    pub fn parse(api: &str, oapi: &str, login: &str) -> Result<Self, Error> {
        Ok(Self {
            api: parse_base(api)?,
            oapi: parse_base(oapi)?,
            login: parse_base(login)?,
        })
    }

    /// The base URL of `host`.
    pub fn base(&self, host: ApiHost) -> &Url {
        match host {
            ApiHost::V1 => &self.api,
            ApiHost::Legacy => &self.oapi,
            ApiHost::Login => &self.login,
        }
    }

    /// A copy with a different base for `host`.
    pub fn with(mut self, host: ApiHost, base: &str) -> Result<Self, Error> {
        let url = parse_base(base)?;
        match host {
            ApiHost::V1 => self.api = url,
            ApiHost::Legacy => self.oapi = url,
            ApiHost::Login => self.login = url,
        }
        Ok(self)
    }

    /// Joins an absolute path (`/v1.0/...`) onto the base of `host`, keeping any base path prefix.
    pub fn join(&self, host: ApiHost, path: &str) -> Result<Url, Error> {
        let base = self.base(host);
        let mut url = base.clone();
        let prefix = base.path().trim_end_matches('/');
        if !path.starts_with('/') {
            return Err(Error::validation("endpoint path must start with '/'"));
        }
        let wanted = format!("{prefix}{path}");
        url.set_path(&wanted);
        // URL parsing resolves `.`/`..` segments (also percent-encoded ones); an id must never move the path.
        if url.path() != wanted {
            return Err(Error::validation("path contains dot segments"));
        }
        Ok(url)
    }
}

impl Default for BaseUrls {
    fn default() -> Self {
        Self::dingtalk()
    }
}

impl fmt::Debug for BaseUrls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BaseUrls")
            .field("api", &self.api.as_str())
            .field("oapi", &self.oapi.as_str())
            .field("login", &self.login.as_str())
            .finish()
    }
}

fn parse_base(text: &str) -> Result<Url, Error> {
    let url = Url::parse(text.trim()).map_err(|e| Error::config(format!("invalid base URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(Error::config("a base URL must be http(s)://host[:port]"));
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err(Error::config(
            "a base URL must not carry a query, fragment or credentials",
        ));
    }
    Ok(url)
}

/// Decides which hosts may receive a bearer token.
///
/// A token goes only to a host matching a pattern, over HTTPS; or to a loopback host (`127.0.0.1`, `::1`,
/// `localhost`) over HTTP or HTTPS, which is how the sandbox runs. Patterns are exact hosts or `*.domain`, which
/// matches `domain` and its subdomains. The default is `*.dingtalk.com,*.dingtalk.io`, the same syntax as the
/// `DWS_TRUSTED_DOMAINS` variable of the `dws` CLI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustedHosts {
    patterns: Vec<String>,
    allow_loopback: bool,
}

impl TrustedHosts {
    /// The default pattern list.
    pub const DEFAULT: &'static str = "*.dingtalk.com,*.dingtalk.io";

    /// `*.dingtalk.com` and `*.dingtalk.io` over HTTPS, plus loopback.
    pub fn dingtalk() -> Self {
        Self {
            patterns: vec!["*.dingtalk.com".to_owned(), "*.dingtalk.io".to_owned()],
            allow_loopback: true,
        }
    }

    /// Parses a comma-separated pattern list (`*.x` or exact hosts). `*` alone trusts every HTTPS host.
    pub fn parse(list: &str) -> Result<Self, Error> {
        let mut patterns = Vec::new();
        for raw in list.split(',') {
            let pattern = raw.trim().to_ascii_lowercase();
            if pattern.is_empty() {
                continue;
            }
            let body = pattern.strip_prefix("*.").unwrap_or(&pattern);
            let valid = pattern == "*"
                || (!body.is_empty()
                    && body.split('.').all(|label| {
                        !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    }));
            if !valid {
                return Err(Error::config(format!("invalid trusted-host pattern {pattern:?}")));
            }
            patterns.push(pattern);
        }
        Ok(Self {
            patterns,
            allow_loopback: true,
        })
    }

    /// A copy that refuses loopback hosts too (production deployments that never use the sandbox).
    #[must_use]
    pub fn without_loopback(mut self) -> Self {
        self.allow_loopback = false;
        self
    }

    /// Whether the policy trusts every HTTPS host (`*`); callers should warn about it.
    pub fn trusts_everything(&self) -> bool {
        self.patterns.iter().any(|p| p == "*")
    }

    /// Checks that a token may be sent to `url`.
    pub fn check(&self, url: &Url) -> Result<(), Error> {
        let Some(host) = url.host() else {
            return Err(untrusted("URL has no host"));
        };
        if self.allow_loopback && is_loopback(&host) {
            return if matches!(url.scheme(), "http" | "https") {
                Ok(())
            } else {
                Err(untrusted("unsupported scheme"))
            };
        }
        if url.scheme() != "https" {
            return Err(untrusted(
                "tokens are sent over HTTPS only (plain HTTP is allowed to loopback only)",
            ));
        }
        let Host::Domain(domain) = host else {
            return Err(untrusted("IP-address hosts are not trusted"));
        };
        let domain = domain.to_ascii_lowercase();
        if self.patterns.iter().any(|p| host_matches(p, &domain)) {
            Ok(())
        } else {
            Err(untrusted("host is not in the trusted-host list"))
        }
    }
}

impl Default for TrustedHosts {
    fn default() -> Self {
        Self::dingtalk()
    }
}

fn untrusted(why: &str) -> Error {
    Error::new(crate::error::ErrorKind::UntrustedHost).with_source(crate::error::Message(why.to_owned()))
}

/// Whether a URL host is a loopback address or `localhost`.
pub fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
    }
}

fn host_matches(pattern: &str, host: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    match pattern.strip_prefix("*.") {
        Some(domain) => host == domain || host.strip_suffix(domain).is_some_and(|rest| rest.ends_with('.')),
        None => host == pattern,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn default_policy() {
        let policy = TrustedHosts::default();
        for ok in [
            "https://api.dingtalk.com/v1.0/x",
            "https://oapi.dingtalk.com/topapi",
            "https://dingtalk.com/",
            "https://api.dingtalk.io/",
            "http://127.0.0.1:8080/v1.0",
            "http://localhost:1/",
            "http://[::1]:9/",
        ] {
            assert!(policy.check(&url(ok)).is_ok(), "{ok}");
        }
        for bad in [
            "http://api.dingtalk.com/",
            "https://evil.com/",
            "https://dingtalk.com.evil.com/",
            "https://evildingtalk.com/",
            "http://10.0.0.1/",
            "https://10.0.0.1/",
        ] {
            let error = policy.check(&url(bad)).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::UntrustedHost, "{bad}");
        }
    }

    #[test]
    fn custom_list_like_dws_trusted_domains() {
        let policy = TrustedHosts::parse("*.example.org, exact.test").unwrap();
        assert!(policy.check(&url("https://a.b.example.org/")).is_ok());
        assert!(policy.check(&url("https://exact.test/")).is_ok());
        assert!(policy.check(&url("https://sub.exact.test/")).is_err());
        assert!(policy.check(&url("https://api.dingtalk.com/")).is_err());
        assert!(TrustedHosts::parse("bad host").is_err());
        assert!(TrustedHosts::parse("*").unwrap().trusts_everything());
        let strict = TrustedHosts::dingtalk().without_loopback();
        assert!(strict.check(&url("http://127.0.0.1/")).is_err());
    }

    #[test]
    fn join_keeps_prefix_and_rejects_relative() {
        let bases = BaseUrls::single("http://127.0.0.1:9000/prefix/").unwrap();
        assert_eq!(
            bases.join(ApiHost::V1, "/v1.0/robot").unwrap().as_str(),
            "http://127.0.0.1:9000/prefix/v1.0/robot"
        );
        assert_eq!(
            bases.join(ApiHost::Legacy, "x").unwrap_err().kind(),
            ErrorKind::Validation
        );
        let dotted = format!("/v1.0/users/{}/x", crate::endpoint::encode_segment(".."));
        assert_eq!(
            bases.join(ApiHost::V1, &dotted).unwrap_err().kind(),
            ErrorKind::Validation
        );
        assert!(BaseUrls::single("ftp://x").is_err());
        assert!(BaseUrls::single("https://x/?q=1").is_err());
        assert_eq!(
            BaseUrls::dingtalk().base(ApiHost::Legacy).as_str(),
            "https://oapi.dingtalk.com/"
        );
        assert_eq!(
            BaseUrls::dingtalk_intl().base(ApiHost::Login).as_str(),
            "https://login.dingtalk.io/"
        );
        assert_eq!(
            TrustedHosts::dingtalk(),
            TrustedHosts::parse(TrustedHosts::DEFAULT).unwrap()
        );
    }
}
