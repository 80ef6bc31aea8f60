#![doc = include_str!("../README.md")]

pub mod api_error;
pub mod endpoint;
pub mod error;
pub mod host;
pub mod id;
pub mod pagination;
pub mod rate_limit;
pub mod retry;
pub mod time;
pub mod token;
pub mod transport;
pub mod wire;

pub use api_error::{ApiError, Envelope, ErrorCode};
pub use endpoint::{Auth, Body, BoxFuture, Endpoint, Method, Part};
pub use error::{Error, ErrorKind};
pub use host::{ApiHost, BaseUrls, TrustedHosts};
pub use id::*;
pub use pagination::{BoxStream, Cursor, Paginated, paginate};
pub use rate_limit::{Priority, RateKey, RateLimiter, TokenBucket};
pub use retry::{RetryBudget, RetryClass, RetryPolicy};
pub use secrecy::{ExposeSecret, SecretString};
pub use time::{Clock, SystemClock};
pub use token::{AccessToken, AppCredentials, StaticToken, TokenProvider};
pub use transport::{PreparedRequest, ResponseMeta, Transport, TransportBuilder};
pub use wire::{ConversationType, FlowStatus, FrameType, MsgKey, MsgType};
