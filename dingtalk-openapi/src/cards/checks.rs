//! Checks shared by the card endpoints.

use dingtalk_core::endpoint::require;
use dingtalk_core::{CardTemplateId, OutTrackId};

use crate::error::Error;

/// The longest `outTrackId`.
pub(crate) const MAX_OUT_TRACK_ID: usize = 64;

/// A present template id and an `outTrackId` of 1 to 64 characters.
pub(crate) fn card_ids(template: &CardTemplateId, out_track_id: &OutTrackId) -> Result<(), Error> {
    require("cardTemplateId", template.as_str())?;
    out_track(out_track_id)
}

/// An `outTrackId` of 1 to 64 characters.
pub(crate) fn out_track(out_track_id: &OutTrackId) -> Result<(), Error> {
    require("outTrackId", out_track_id.as_str())?;
    if out_track_id.as_str().chars().count() > MAX_OUT_TRACK_ID {
        return Err(Error::validation(format!(
            "outTrackId is at most {MAX_OUT_TRACK_ID} characters"
        )));
    }
    Ok(())
}
