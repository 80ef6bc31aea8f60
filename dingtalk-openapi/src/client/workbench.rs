//! The `client.workbench()` namespace.

use dingtalk_core::UserId;

use crate::client::{Call, Client};
use crate::workbench::{ListInnerApps, ListUserApps};

/// Workbench (apps) operations; from [`Client::workbench`].
#[derive(Clone, Copy, Debug)]
pub struct Workbench<'c> {
    pub(crate) client: &'c Client,
}

impl<'c> Workbench<'c> {
    /// [`ListInnerApps`]: the organisation's internal apps.
    pub fn list_inner_apps(self) -> Call<'c, ListInnerApps> {
        self.client.call(ListInnerApps::new())
    }

    /// [`ListUserApps`]: the apps a user can see.
    pub fn list_user_apps(self, user_id: UserId) -> Call<'c, ListUserApps> {
        self.client.call(ListUserApps::new(user_id))
    }
}
