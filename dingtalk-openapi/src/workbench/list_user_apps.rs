//! `GET /v1.0/microApp/users/{userId}/apps`.

use std::borrow::Cow;

use dingtalk_core::endpoint::encode_segment;
use dingtalk_core::{ApiHost, Cursor, Endpoint, Method, Paginated, UserId};

use crate::error::Error;
use crate::workbench::{App, AppList};

/// Lists the apps a user can see on the workbench: `GET /v1.0/microApp/users/{userId}/apps` (one page).
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/list-user-visible-applications>. Idempotent;
/// `.into_stream()` yields [`App`]s.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::UserId;
/// let apps = client.workbench().list_user_apps(UserId::new("manager432")).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct ListUserApps {
    user_id: UserId,
}

impl ListUserApps {
    /// The apps visible to `user_id`.
    pub fn new(user_id: UserId) -> Self {
        Self { user_id }
    }
}

impl Endpoint for ListUserApps {
    type Response = AppList;
    const METHOD: Method = Method::Get;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/microApp/users/{userId}/apps"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Owned(format!(
            "/v1.0/microApp/users/{}/apps",
            encode_segment(self.user_id.as_str())
        ))
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("userId", self.user_id.as_str())
    }
}

impl Paginated for ListUserApps {
    type Item = App;

    fn with_cursor(&self, _cursor: Option<&Cursor>) -> Self {
        self.clone()
    }

    fn split(&self, response: AppList) -> (Vec<App>, Option<Cursor>) {
        (response.app_list, None)
    }
}
