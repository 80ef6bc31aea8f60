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
pub mod report;
pub mod robot;
pub mod todo;
pub mod workflow;

pub use client::{Attendance, Calendar, Call, Cards, Client, Contact, Ding, Im, Media, Report, Robot, Todo, WithMeta, Workflow};
pub use error::{Error, ErrorKind};
