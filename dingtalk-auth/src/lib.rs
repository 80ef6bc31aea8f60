#![doc = include_str!("../README.md")]

mod app_token;

pub use app_token::AppTokenProvider;
