//! Macros that write the fluent forwarding setters on [`Call`](crate::Call) and the cursor half of
//! [`Paginated`](dingtalk_core::Paginated) for `nextToken` lists.

/// Writes, for one endpoint type, `Call` setters that forward to the request's own setters, so each option is
/// documented once (on the request type) and the call reads fluently.
macro_rules! call_setters {
    ($endpoint:ident { $( $name:ident ( $($arg:ident : $ty:ty),* ) ),* $(,)? }) => {
        impl<'c> $crate::Call<'c, $endpoint> {
            $(
                #[doc = concat!("Forwards to [`", stringify!($endpoint), "::", stringify!($name), "`].")]
                pub fn $name(self, $($arg: $ty),*) -> Self {
                    self.map(|endpoint| endpoint.$name($($arg),*))
                }
            )*
        }
    };
}

pub(crate) use call_setters;

/// Writes `with_cursor` and `cursor` of a [`Paginated`](dingtalk_core::Paginated) impl for a request whose page
/// cursor is an opaque `nextToken` string kept in its `next_token: Option<String>` field. Used inside the impl
/// block; `split` stays hand-written because every list names its items and end-of-list signal differently.
macro_rules! next_token_cursor {
    () => {
        fn with_cursor(&self, cursor: Option<&dingtalk_core::Cursor>) -> Self {
            let mut next = self.clone();
            next.next_token = cursor.map(dingtalk_core::Cursor::to_text);
            next
        }

        fn cursor(&self) -> Option<dingtalk_core::Cursor> {
            self.next_token.clone().map(dingtalk_core::Cursor::Token)
        }
    };
}

pub(crate) use next_token_cursor;
