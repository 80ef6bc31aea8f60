//! `POST oapi /topapi/v2/user/getbymobile`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, Endpoint, Method, UserId};
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// Finds a user id by mobile number: `POST https://oapi.dingtalk.com/topapi/v2/user/getbymobile`.
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/query-users-by-phone-number>. Idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// let found = client.contact().get_user_by_mobile("13800000000").await?;
/// println!("{}", found.userid);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
pub struct GetUserByMobile {
    mobile: String,
}

impl GetUserByMobile {
    /// Looks up `mobile`.
    pub fn new(mobile: impl Into<String>) -> Self {
        Self {
            mobile: mobile.into(),
        }
    }
}

/// A user id found by a lookup.
#[derive(Clone, Debug, Deserialize)]
#[non_exhaustive]
pub struct UserIdLookup {
    /// The user id.
    pub userid: UserId,
    /// `0` staff, `1` external contact (by-unionId lookups only).
    pub contact_type: Option<i32>,
}

impl Endpoint for GetUserByMobile {
    type Response = UserIdLookup;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::Legacy;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/topapi/v2/user/getbymobile"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/topapi/v2/user/getbymobile")
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("mobile", &self.mobile)
    }

    fn decode(&self, body: &[u8]) -> Result<UserIdLookup, Error> {
        crate::wire::legacy_result(body)
    }
}
