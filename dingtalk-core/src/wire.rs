//! Server-defined enums shared by several crates.
//!
//! Every enum here is `#[non_exhaustive]` and has an `Unknown(String)` arm, so a value DingTalk adds tomorrow
//! decodes instead of failing the whole message. The string table of each enum is written once, by
//! [`wire_enum!`](crate::wire_enum).

/// Declares a string wire enum with an `Unknown(String)` fallback.
///
/// Generates `as_str`, `Display`, `From<String>`, `From<&str>`, `From<Enum> for String`, serde through
/// `String`, and `ALL` (every known variant, for round-trip tests).
#[macro_export]
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $($(#[$vmeta:meta])* $variant:ident = $wire:literal),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(from = "String", into = "String")]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value this version does not know; the wire text is kept.
            Unknown(String),
        }

        impl $name {
            /// Every known variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire spelling.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)+
                    $name::Unknown(other) => other,
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::convert::From<String> for $name {
            fn from(value: String) -> Self {
                match value.as_str() {
                    $($wire => $name::$variant,)+
                    _ => $name::Unknown(value),
                }
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::from(value.to_owned())
            }
        }

        impl ::std::convert::From<$name> for String {
            fn from(value: $name) -> Self {
                match value {
                    $name::Unknown(other) => other,
                    known => known.as_str().to_owned(),
                }
            }
        }
    };
}

wire_enum! {
    /// The `msgtype` of an inbound robot message.
    MsgType {
        /// Plain text (`text.content`).
        Text = "text",
        /// Text mixed with pictures and mentions (`content.richText`).
        RichText = "richText",
        /// A picture (`content.downloadCode`).
        Picture = "picture",
        /// A voice message with DingTalk's speech recognition (`content.recognition`).
        Audio = "audio",
        /// A video.
        Video = "video",
        /// A file.
        File = "file",
        /// Markdown (rare inbound).
        Markdown = "markdown",
        /// A document or drive card.
        InteractiveCard = "interactiveCard",
        /// Forwarded chat history.
        ChatRecord = "chatRecord",
    }
}

wire_enum! {
    /// The `conversationType` of an inbound message: a string on the wire.
    ConversationType {
        /// `"1"`: a one-to-one chat with the robot.
        Direct = "1",
        /// `"2"`: a group chat.
        Group = "2",
    }
}

wire_enum! {
    /// The `msgKey` of an OpenAPI robot message (`sampleText`, `sampleMarkdown`, …).
    MsgKey {
        /// `{"content"}`.
        SampleText = "sampleText",
        /// `{"title", "text"}`.
        SampleMarkdown = "sampleMarkdown",
        /// `{"photoURL"}`.
        SampleImageMsg = "sampleImageMsg",
        /// `{"text", "title", "picUrl", "messageUrl"}`.
        SampleLink = "sampleLink",
        /// One full-width button.
        SampleActionCard = "sampleActionCard",
        /// Two vertical buttons.
        SampleActionCard2 = "sampleActionCard2",
        /// Three vertical buttons.
        SampleActionCard3 = "sampleActionCard3",
        /// Four vertical buttons.
        SampleActionCard4 = "sampleActionCard4",
        /// Five vertical buttons.
        SampleActionCard5 = "sampleActionCard5",
        /// Two horizontal buttons.
        SampleActionCard6 = "sampleActionCard6",
        /// `{"mediaId", "duration"}`.
        SampleAudio = "sampleAudio",
        /// `{"mediaId", "fileName", "fileType"}`.
        SampleFile = "sampleFile",
        /// `{"duration", "videoMediaId", "videoType", "picMediaId"}`.
        SampleVideo = "sampleVideo",
    }
}

wire_enum! {
    /// The `type` of a Stream frame and of a subscription entry.
    FrameType {
        /// Connection-level frames (`ping`, `disconnect`, …).
        System = "SYSTEM",
        /// Events; acked with `SUCCESS` or `LATER`.
        Event = "EVENT",
        /// Callbacks (robot messages, card actions); acked with a response.
        Callback = "CALLBACK",
    }
}

wire_enum! {
    /// The `flowStatus` variable of an AI card.
    FlowStatus {
        /// `"1"`: processing ("thinking" placeholder).
        Processing = "1",
        /// `"2"`: typing; streamed text visible.
        Inputing = "2",
        /// `"3"`: finished.
        Finished = "3",
        /// `"4"`: executing an action.
        Executing = "4",
        /// `"5"`: failed.
        Failed = "5",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T>(all: &[T])
    where
        T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
    {
        for value in all {
            let json = serde_json::to_string(value).unwrap();
            let back: T = serde_json::from_str(&json).unwrap();
            assert_eq!(&back, value, "{json}");
        }
    }

    #[test]
    fn every_variant_round_trips() {
        round_trip(MsgType::ALL);
        round_trip(ConversationType::ALL);
        round_trip(MsgKey::ALL);
        round_trip(FrameType::ALL);
        round_trip(FlowStatus::ALL);
    }

    #[test]
    fn unknown_values_decode_and_keep_their_text() {
        let value: MsgType = serde_json::from_str("\"hologram\"").unwrap();
        assert_eq!(value, MsgType::Unknown("hologram".into()));
        assert_eq!(serde_json::to_string(&value).unwrap(), "\"hologram\"");
        assert_eq!(ConversationType::from("2"), ConversationType::Group);
    }
}
