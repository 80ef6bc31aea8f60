//! The `client.attendance()` namespace.

use dingtalk_core::UserId;

use crate::attendance::{ListAttendanceRecords, ListAttendanceResults, ListSchedulesByUsers, ListShifts};
use crate::client::{Call, Client};

/// Attendance operations; from [`Client::attendance`].
#[derive(Clone, Copy, Debug)]
pub struct Attendance<'c> {
    pub(crate) client: &'c Client,
}

impl<'c> Attendance<'c> {
    /// [`ListAttendanceResults`]: punch results (`/attendance/list`).
    pub fn list_attendance_results(
        self,
        user_ids: Vec<UserId>,
        from: impl Into<String>,
        to: impl Into<String>,
    ) -> Call<'c, ListAttendanceResults> {
        self.client.call(ListAttendanceResults::new(user_ids, from, to))
    }

    /// [`ListAttendanceRecords`]: raw punch records (`/attendance/listRecord`).
    pub fn list_attendance_records(
        self,
        user_ids: Vec<UserId>,
        from: impl Into<String>,
        to: impl Into<String>,
    ) -> Call<'c, ListAttendanceRecords> {
        self.client.call(ListAttendanceRecords::new(user_ids, from, to))
    }

    /// [`ListShifts`]: shifts.
    pub fn list_shifts(self, op_user_id: UserId) -> Call<'c, ListShifts> {
        self.client.call(ListShifts::new(op_user_id))
    }

    /// [`ListSchedulesByUsers`]: planned shifts of up to 50 users over at most 7 days (epoch ms).
    pub fn list_schedules_by_users(
        self,
        op_user_id: UserId,
        users: Vec<UserId>,
        from_ms: i64,
        to_ms: i64,
    ) -> Call<'c, ListSchedulesByUsers> {
        self.client
            .call(ListSchedulesByUsers::new(op_user_id, users, from_ms, to_ms))
    }
}
