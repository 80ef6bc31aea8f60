#![doc = include_str!("../README.md")]

mod client;
mod error;
mod macros;
mod wire;

pub mod attendance;
pub mod calendar;
pub mod cards;
pub mod contact;
pub mod ding;
pub mod im;
pub mod media;
pub mod notable;
pub mod report;
pub mod robot;
pub mod todo;
pub mod workbench;
pub mod workflow;

pub use client::{
    Attendance, Calendar, Call, Cards, Client, Contact, Ding, Im, Media, Notable, Report, Robot, Todo,
    WithMeta, Workbench, Workflow,
};
pub use error::{Error, ErrorKind};
