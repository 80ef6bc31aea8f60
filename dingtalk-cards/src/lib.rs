#![doc = include_str!("../README.md")]

mod config;
mod machine;
pub mod text;

pub use config::{CardConfig, Overflow, TemplateSpec};
pub use machine::{
    Call, CallKind, Card, CardSpec, CardStats, Closing, Command, Event, Fallback, FallbackReason, Input,
    JournalEntry, JournalOp, Outcome, Phase, Vars, step,
};
