//! `POST oapi /topapi/v2/user/get`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, Endpoint, Method, UserId};
use serde::Serialize;

use crate::contact::User;
use crate::error::Error;
use crate::macros::call_setters;

/// Reads one user: `POST https://oapi.dingtalk.com/topapi/v2/user/get`.
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/query-user-details>. Idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::UserId;
/// let user = client.contact().get_user(UserId::new("manager432")).await?;
/// println!("{:?}", user.name);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
pub struct GetUser {
    userid: UserId,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<String>,
}

impl GetUser {
    /// Reads user `userid`.
    pub fn new(userid: UserId) -> Self {
        Self {
            userid,
            language: None,
        }
    }

    /// The language of department names (`zh_CN`, `en_US`).
    #[must_use]
    pub fn language(mut self, language: impl Into<String>) -> Self {
        self.language = Some(language.into());
        self
    }
}

impl Endpoint for GetUser {
    type Response = User;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::Legacy;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/topapi/v2/user/get"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/topapi/v2/user/get")
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("userid", self.userid.as_str())
    }

    fn decode(&self, body: &[u8]) -> Result<User, Error> {
        crate::wire::legacy_result(body)
    }
}

call_setters!(GetUser { language(language: impl Into<String>) });
