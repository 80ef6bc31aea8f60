//! `GET /v1.0/microApp/allInnerApps`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Cursor, Endpoint, Method, Paginated};

use crate::workbench::{App, AppList};

/// Lists the organisation's internal apps: `GET /v1.0/microApp/allInnerApps` (one page).
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/obtain-the-application-list-of-enterprise-internal-development>.
/// Idempotent; `.into_stream()` yields [`App`]s.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// let apps = client.workbench().list_inner_apps().await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default)]
pub struct ListInnerApps {
    _private: (),
}

impl ListInnerApps {
    /// Every internal app.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Endpoint for ListInnerApps {
    type Response = AppList;
    const METHOD: Method = Method::Get;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/microApp/allInnerApps"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1.0/microApp/allInnerApps")
    }
}

impl Paginated for ListInnerApps {
    type Item = App;

    fn with_cursor(&self, _cursor: Option<&Cursor>) -> Self {
        self.clone()
    }

    fn split(&self, response: AppList) -> (Vec<App>, Option<Cursor>) {
        (response.app_list, None)
    }
}
