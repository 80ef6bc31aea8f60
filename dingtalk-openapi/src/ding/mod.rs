//! DING: urgent reminders sent by a robot (send, recall).

mod recall_ding;
mod send_ding;

pub use recall_ding::{RecallDing, RecallDingResponse};
pub use send_ding::{RemindType, SendDing, SendDingResponse};
