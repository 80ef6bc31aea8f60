#![doc = include_str!("../README.md")]

pub mod config;
pub mod markdown;

pub use config::{AccountConfig, BotConfig, ConfigError};
