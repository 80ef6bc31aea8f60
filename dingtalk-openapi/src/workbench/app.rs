//! The app record returned by the workbench endpoints.

use dingtalk_core::AgentId;
use serde::{Deserialize, Deserializer};

/// An app on the organisation's workbench.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct App {
    /// The numeric app id, as text.
    #[serde(default, deserialize_with = "agent_id")]
    pub agent_id: Option<AgentId>,
    /// The app id.
    pub app_id: Option<i64>,
    /// The name.
    pub name: Option<String>,
    /// The description.
    pub desc: Option<String>,
    /// The icon URL.
    pub icon: Option<String>,
    /// The mobile home page.
    pub homepage_link: Option<String>,
    /// The desktop home page.
    pub pc_homepage_link: Option<String>,
    /// `0` disabled, `1` enabled.
    pub app_status: Option<i32>,
    /// `0` internal, `1` third-party, `2` ISV, …
    pub develop_type: Option<i32>,
}

fn agent_id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<AgentId>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Int(i64),
        Text(String),
    }
    Ok(Option::<Raw>::deserialize(deserializer)?.map(|raw| match raw {
        Raw::Int(n) => AgentId::new(n.to_string()),
        Raw::Text(s) => AgentId::new(s),
    }))
}

/// The `{appList}` answer of the app lists.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AppList {
    /// The apps.
    #[serde(default)]
    pub app_list: Vec<App>,
}
