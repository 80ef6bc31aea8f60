//! Attendance: punch results (`/attendance/list`), raw punch records (`/attendance/listRecord`), shifts, planned
//! schedules (`/topapi/attendance/schedule/listbyusers`).

mod list_attendance_records;
mod list_attendance_results;
mod list_schedules_by_users;
mod list_shifts;
mod span;

pub use list_attendance_records::{AttendanceRecord, ListAttendanceRecords, ListAttendanceRecordsResponse};
pub use list_attendance_results::{AttendanceResult, ListAttendanceResults, ListAttendanceResultsResponse};
pub use list_schedules_by_users::{ListSchedulesByUsers, MAX_SCHEDULE_USERS, Schedule, ScheduleTime};
pub use list_shifts::{ListShifts, ListShiftsResponse, Shift};
pub use span::MAX_SPAN_DAYS;
