//! Typed string identifiers.
//!
//! DingTalk names one person a `userId` (= staff id), a `unionId` and an encrypted `senderId`, and one chat a
//! `conversationId` and an `openConversationId`. Each kind is its own type here, so passing a union id where a user
//! id is wanted is a compile error. There is deliberately no `From` between kinds and no `Deref` to `str`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Declares string id newtypes. This macro is the only way an id type is made in this workspace.
///
/// Every generated type is a `Box<str>` newtype with `new`, `as_str`, `into_string`, `Debug`, `Display`,
/// `From<String>`, `From<&str>`, `FromStr`, `AsRef<str>` and transparent serde.
#[macro_export]
macro_rules! string_id {
    ($($(#[$meta:meta])* $name:ident),+ $(,)?) => {$(
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(Box<str>);

        impl $name {
            /// Wraps a raw id string. No format check is applied: DingTalk ids are opaque.
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into().into_boxed_str())
            }

            /// The id as sent on the wire.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Consumes the id, returning the wire string.
            pub fn into_string(self) -> String {
                self.0.into_string()
            }

            /// Whether the id is the empty string (never valid on the wire).
            pub fn is_empty(&self) -> bool {
                self.0.is_empty()
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, "{}({:?})", stringify!($name), &*self.0)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl ::std::convert::From<String> for $name {
            fn from(id: String) -> Self {
                Self::new(id)
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(id: &str) -> Self {
                Self::new(id)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(Self::new(s))
            }
        }

        impl ::std::convert::AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    )+};
}

string_id!(
    /// An org-scoped employee id (`userid`); DingTalk also calls it the staff id. Used by legacy contact, robot
    /// `userIds`, approval, attendance, DING and report APIs.
    UserId,
    /// The `senderStaffId` of an inbound robot message: the same value space as [`UserId`], kept distinct because
    /// it arrives from the Stream side and may be empty for external users.
    StaffId,
    /// A user's `unionId`: stable per developer account across orgs. Calendar, todo and AI-table APIs want it.
    UnionId,
    /// An organisation id (`corpId`), e.g. `dingb2ab6077195f415bf40eda33b7ba0`.
    CorpId,
    /// A department id. DingTalk sends it as an int64; it is kept as text so no precision is ever lost.
    DeptId,
    /// The `conversationId` of an inbound message (`cid…`).
    ConversationId,
    /// A group conversation id for OpenAPI calls (`cid…` with base64 characters; percent-encode it in paths).
    OpenConversationId,
    /// A legacy group id (`chat` + 32 hex).
    ChatId,
    /// A robot id. For an internal app's robot it equals the app's AppKey.
    RobotCode,
    /// An app credential id: the AppKey, also called `clientId`.
    ClientId,
    /// A numeric app id (`agentId`).
    AgentId,
    /// The id of an inbound robot message (`msgId`).
    MsgId,
    /// A caller-chosen card instance id (`outTrackId`, at most 64 characters).
    OutTrackId,
    /// The handle of a sent robot message (`processQueryKey`), needed to recall it.
    ProcessQueryKey,
    /// A download code of an inbound media message (`downloadCode`).
    DownloadCode,
    /// An uploaded media id (`media_id`, starts with `@`).
    MediaId,
    /// An approval process code (`PROC-…`).
    ProcessCode,
    /// An approval process instance id.
    ProcessInstanceId,
    /// A card template id (`…​.schema`).
    CardTemplateId,
    /// A Stream frame id (`headers.messageId`).
    MessageId,
    /// A Stream event id (`headers.eventId`).
    EventId,
    /// The encrypted sender id of an inbound message (`$:LWCP_v1:$…`); not a [`UserId`].
    SenderId,
    /// An AI-table (notable) base id: the document's `dentryUuid`.
    BaseId,
    /// A calendar event id.
    CalendarEventId,
    /// A todo task id.
    TodoTaskId,
);

/// A DingTalk numeric task id (`taskId`) of an approval task: int64 on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ApprovalTaskId(pub i64);

impl fmt::Display for ApprovalTaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for ApprovalTaskId {
    type Err = std::num::ParseIntError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim().parse().map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_as_plain_strings() {
        let id = OpenConversationId::new("cidG+niQ3Ny/NwUc5KE7mANUQ==");
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"cidG+niQ3Ny/NwUc5KE7mANUQ==\"");
        let back: OpenConversationId = serde_json::from_str(&json).unwrap();
        assert_eq!(back, id);
        assert_eq!(id.to_string(), "cidG+niQ3Ny/NwUc5KE7mANUQ==");
        assert_eq!(
            format!("{:?}", UserId::new("manager432")),
            "UserId(\"manager432\")"
        );
    }

    #[test]
    fn numeric_task_id_parses() {
        assert_eq!("  42 ".parse::<ApprovalTaskId>().unwrap(), ApprovalTaskId(42));
        assert!("x".parse::<ApprovalTaskId>().is_err());
    }
}
