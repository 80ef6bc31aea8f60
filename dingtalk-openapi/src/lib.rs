#![doc = include_str!("../README.md")]

mod client;
mod error;
mod macros;

pub mod robot;

pub use client::{Call, Client, Im, Robot, WithMeta};
pub use error::{Error, ErrorKind};
