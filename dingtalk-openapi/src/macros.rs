//! Macros that write the fluent forwarding setters on [`Call`](crate::Call).

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
