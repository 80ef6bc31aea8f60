#![doc = include_str!("../README.md")]

pub mod access;
pub mod agent;
pub mod config;
pub mod markdown;
pub mod pairing;
pub mod tags;

pub use config::{AccountConfig, BotConfig, ConfigError};
