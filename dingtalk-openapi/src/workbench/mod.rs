//! Workbench: the organisation's apps.

mod app;
mod list_inner_apps;
mod list_user_apps;

pub use app::{App, AppList};
pub use list_inner_apps::ListInnerApps;
pub use list_user_apps::ListUserApps;
