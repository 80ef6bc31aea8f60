#![doc = include_str!("../README.md")]

mod app_token;
pub mod browser;
pub mod device;
mod error;
pub mod login;
pub mod oauth;
pub mod profile;
pub mod store;
mod token_cache;
mod user_token;

pub use app_token::AppTokenProvider;
pub use browser::{BrowserLogin, BrowserOptions};
pub use device::{DeviceAuthorization, DeviceFlowOptions};
pub use error::{Error, ErrorKind};
pub use login::{
    CredentialInputs, CredentialSource, Environment, LoginMethod, choose_method, complete_login,
};
pub use oauth::{CurrentUser, UserTokens};
pub use profile::{Profile, Profiles};
pub use store::{FileKey, KeyStore, Session, TokenStore, default_key_store};
pub use user_token::UserTokenProvider;
