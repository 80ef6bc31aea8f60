//! `GET /v1.0/contact/users/me`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Endpoint, Method, UnionId};
use serde::Deserialize;

/// Reads the signed-in user: `GET /v1.0/contact/users/me`. Needs a **user** token (OAuth); an app token fails.
///
/// The answer has no `userId`; resolve it with [`GetUserByUnionId`](crate::contact::GetUserByUnionId) and an app
/// token. DingTalk docs: <https://open.dingtalk.com/document/orgapp/dingtalk-retrieve-user-information>. Idempotent.
///
/// ```no_run
/// # async fn run(user_client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// let me = user_client.contact().get_current_user().await?;
/// println!("{:?}", me.union_id);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default)]
pub struct GetCurrentUser {
    _private: (),
}

impl GetCurrentUser {
    /// Reads the user the token belongs to.
    pub fn new() -> Self {
        Self::default()
    }
}

/// The answer to [`GetCurrentUser`].
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CurrentUser {
    /// The nickname.
    pub nick: Option<String>,
    /// The avatar URL.
    pub avatar_url: Option<String>,
    /// The mobile number (needs the mobile scope).
    pub mobile: Option<String>,
    /// The app-scoped open id.
    pub open_id: Option<String>,
    /// The union id.
    pub union_id: Option<UnionId>,
    /// The e-mail address.
    pub email: Option<String>,
    /// The country code of the mobile number.
    pub state_code: Option<String>,
    /// Whether the user is a visitor.
    pub visitor: Option<bool>,
}

impl Endpoint for GetCurrentUser {
    type Response = CurrentUser;
    const METHOD: Method = Method::Get;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/contact/users/me"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1.0/contact/users/me")
    }
}
