//! `POST oapi /topapi/user/getbyunionid`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, Endpoint, Method, UnionId};
use serde::Serialize;

use crate::contact::UserIdLookup;
use crate::error::Error;

/// Finds a user id by union id: `POST https://oapi.dingtalk.com/topapi/user/getbyunionid`.
///
/// The way from a user token's `unionId` (see [`GetCurrentUser`](crate::contact::GetCurrentUser)) to a `userId`.
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/query-a-user-by-the-union-id>. Idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::UnionId;
/// let found = client.contact().get_user_by_union_id(UnionId::new("gliiW0piiii02zBUjUxxxx")).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
pub struct GetUserByUnionId {
    unionid: UnionId,
}

impl GetUserByUnionId {
    /// Looks up `unionid`.
    pub fn new(unionid: UnionId) -> Self {
        Self { unionid }
    }
}

impl Endpoint for GetUserByUnionId {
    type Response = UserIdLookup;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::Legacy;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/topapi/user/getbyunionid"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/topapi/user/getbyunionid")
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("unionid", self.unionid.as_str())
    }

    fn decode(&self, body: &[u8]) -> Result<UserIdLookup, Error> {
        crate::wire::legacy_result(body)
    }
}
