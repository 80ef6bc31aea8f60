//! The `client.im()` namespace.

use dingtalk_core::ProcessQueryKey;

use crate::client::{Call, Client};
use crate::robot::QueryGroupMessageReadStatus;

/// Group chat operations; from [`Client::im`].
#[derive(Clone, Copy, Debug)]
pub struct Im<'c> {
    pub(crate) client: &'c Client,
}

impl<'c> Im<'c> {
    /// [`QueryGroupMessageReadStatus`]: who read a robot group message (`groupMessages/query`).
    pub fn query_group_message_read_status(
        self,
        process_query_key: ProcessQueryKey,
    ) -> Call<'c, QueryGroupMessageReadStatus> {
        self.client
            .call(QueryGroupMessageReadStatus::new(process_query_key))
    }
}
