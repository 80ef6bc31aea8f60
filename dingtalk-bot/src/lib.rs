#![doc = include_str!("../README.md")]

pub mod access;
pub mod agent;
pub mod app;
pub mod config;
mod duration;
pub mod markdown;
pub mod pairing;
pub mod registry;
pub mod reply;
mod runtime;
pub mod sessions;
pub mod tags;

pub use config::{AccountConfig, BotConfig, ConfigError};
pub use runtime::{Bot, BotHandler, BotParts};
