#![doc = include_str!("../README.md")]

pub mod config;

pub use config::{AccountConfig, BotConfig, ConfigError};
