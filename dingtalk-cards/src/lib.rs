#![doc = include_str!("../README.md")]

mod config;
mod driver;
pub mod journal;
mod limiter;
mod machine;
mod sqlite;
pub mod text;
pub mod texts;

pub use config::{CardConfig, Overflow, TemplateSpec};
pub use driver::{
    CardDriver, CardEvent, CardHandle, CardTarget, DriverConfig, RecoveryReport, classify, recover,
};
pub use journal::{CardJournal, JournalRow, MemoryJournal, SqliteJournal};
pub use limiter::{LimiterConfig, PriorityLimiter};
pub use machine::{
    Call, CallKind, Card, CardSpec, CardStats, Closing, Command, Event, Fallback, FallbackReason, Input,
    JournalEntry, JournalOp, Outcome, Phase, Vars, step,
};
pub use texts::{FinalTexts, MemoryFinalTexts, SqliteFinalTexts};
