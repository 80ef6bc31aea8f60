//! The `client.ding()` namespace.

use dingtalk_core::{RobotCode, UserId};

use crate::client::{Call, Client};
use crate::ding::{RecallDing, RemindType, SendDing};

/// DING operations; from [`Client::ding`].
#[derive(Clone, Copy, Debug)]
pub struct Ding<'c> {
    pub(crate) client: &'c Client,
}

impl<'c> Ding<'c> {
    /// [`SendDing`]: sends a DING.
    pub fn send_ding(
        self,
        robot_code: RobotCode,
        receivers: Vec<UserId>,
        content: impl Into<String>,
        remind_type: RemindType,
    ) -> Call<'c, SendDing> {
        self.client
            .call(SendDing::new(robot_code, receivers, content, remind_type))
    }

    /// [`RecallDing`]: recalls a DING.
    pub fn recall_ding(self, robot_code: RobotCode, open_ding_id: impl Into<String>) -> Call<'c, RecallDing> {
        self.client.call(RecallDing::new(robot_code, open_ding_id))
    }
}
