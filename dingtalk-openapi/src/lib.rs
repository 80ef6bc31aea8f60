#![doc = include_str!("../README.md")]

mod client;
mod error;
mod macros;
mod wire;

pub mod calendar;
pub mod cards;
pub mod contact;
pub mod im;
pub mod media;
pub mod robot;
pub mod todo;
pub mod workflow;

pub use client::{Calendar, Call, Cards, Client, Contact, Im, Media, Robot, Todo, WithMeta, Workflow};
pub use error::{Error, ErrorKind};
