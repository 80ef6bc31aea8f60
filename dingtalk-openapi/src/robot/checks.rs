//! Checks shared by the robot endpoints.

use dingtalk_core::endpoint::require;
use dingtalk_core::{ProcessQueryKey, RobotCode};

use crate::error::Error;
use crate::robot::MAX_MSG_PARAM_BYTES;

/// `robotCode`, `msgKey` and `msgParam` present; `msgParam` JSON within the size cap.
pub(crate) fn validate_send(robot_code: &RobotCode, msg_key: &str, msg_param: &str) -> Result<(), Error> {
    require("robotCode", robot_code.as_str())?;
    require("msgKey", msg_key)?;
    require("msgParam", msg_param)?;
    if msg_param.len() > MAX_MSG_PARAM_BYTES {
        return Err(Error::validation(format!(
            "msgParam is {} bytes; the limit is {MAX_MSG_PARAM_BYTES}",
            msg_param.len()
        )));
    }
    Ok(())
}

/// At least one `processQueryKey`, none empty.
pub(crate) fn require_keys(keys: &[ProcessQueryKey]) -> Result<(), Error> {
    if keys.is_empty() {
        return Err(Error::validation("processQueryKeys is required"));
    }
    for key in keys {
        require("processQueryKeys[]", key.as_str())?;
    }
    Ok(())
}
