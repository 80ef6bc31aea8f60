//! Limits of the notable record endpoints.

use crate::error::Error;

/// The most records one write or page may hold.
pub const MAX_RECORDS: usize = 100;

/// 1 to [`MAX_RECORDS`] records.
pub(crate) fn check_count(count: usize) -> Result<(), Error> {
    if count == 0 || count > MAX_RECORDS {
        return Err(Error::validation(format!(
            "a call takes 1 to {MAX_RECORDS} records"
        )));
    }
    Ok(())
}

/// The most fields a record query may ask for (`fieldIdOrNames`), per DingTalk's documentation.
pub const MAX_QUERY_FIELDS: usize = 100;
