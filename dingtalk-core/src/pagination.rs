//! Paged list calls as streams of items.
//!
//! DingTalk pages in three styles: `nextToken` (+ `hasMore`), the topapi `cursor`/`next_cursor`/`has_more`, and
//! `offset` + `size`. A [`Paginated`] endpoint maps its style onto [`Cursor`]; [`paginate`] walks the pages.
//! A missing list is an empty page; a cursor that repeats is a `Decode` error (a server loop would never end);
//! `max_pages` caps the walk.

use std::collections::HashSet;
use std::pin::Pin;

use futures_core::Stream;
use futures_util::{StreamExt, TryStreamExt, stream};

use crate::endpoint::Endpoint;
use crate::error::{Error, ErrorKind, Message};
use crate::token::TokenProvider;
use crate::transport::Transport;

/// A boxed, sendable stream.
pub type BoxStream<'a, T> = Pin<Box<dyn Stream<Item = T> + Send + 'a>>;

/// Where the next page starts.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Cursor {
    /// An opaque `nextToken` string.
    Token(String),
    /// A numeric cursor (topapi `next_cursor`, or a numeric `nextToken`).
    Number(i64),
    /// An item offset for `offset` + `size` paging.
    Offset(u64),
}

impl Cursor {
    /// The `nextToken` style: a next page exists when the token is non-empty and `has_more` is not `false`.
    pub fn next_token(token: Option<String>, has_more: Option<bool>) -> Option<Self> {
        match (token, has_more) {
            (_, Some(false)) | (None, _) => None,
            (Some(token), _) if token.trim().is_empty() => None,
            (Some(token), _) => Some(Cursor::Token(token)),
        }
    }

    /// The topapi style: a next page exists when `has_more` is true and a cursor was given.
    pub fn topapi(next_cursor: Option<i64>, has_more: Option<bool>) -> Option<Self> {
        match (next_cursor, has_more) {
            (Some(cursor), Some(true)) => Some(Cursor::Number(cursor)),
            _ => None,
        }
    }

    /// The offset style: the next offset is `offset + page_len` when `has_more` is true and the page was not empty.
    pub fn offset(offset: u64, page_len: usize, has_more: Option<bool>) -> Option<Self> {
        match has_more {
            Some(true) if page_len > 0 => Some(Cursor::Offset(offset + page_len as u64)),
            _ => None,
        }
    }

    /// The cursor as text, for the CLI's `meta.pagination.next_cursor`.
    pub fn to_text(&self) -> String {
        match self {
            Cursor::Token(token) => token.clone(),
            Cursor::Number(n) => n.to_string(),
            Cursor::Offset(n) => n.to_string(),
        }
    }
}

/// A list endpoint that can be walked page by page.
pub trait Paginated: Endpoint + Clone + 'static {
    /// One item of the list.
    type Item: Send + 'static;

    /// A copy of the request that asks for the page starting at `cursor` (`None`: the first page).
    #[must_use]
    fn with_cursor(&self, cursor: Option<&Cursor>) -> Self;

    /// The request's own starting cursor, when the caller set one.
    fn cursor(&self) -> Option<Cursor> {
        None
    }

    /// Splits a page into its items and the cursor of the next page (`None`: this was the last page).
    fn split(&self, response: Self::Response) -> (Vec<Self::Item>, Option<Cursor>);
}

/// Walks every page of `first`, yielding items. Stops after `max_pages` pages when set.
pub fn paginate<'a, E: Paginated>(
    transport: &'a Transport,
    tokens: Option<&'a dyn TokenProvider>,
    first: E,
    max_pages: Option<usize>,
) -> BoxStream<'a, Result<E::Item, Error>> {
    struct State<E> {
        next: Option<E>,
        seen: HashSet<Cursor>,
        pages: usize,
    }
    let mut seen = HashSet::new();
    if let Some(start) = first.cursor() {
        seen.insert(start);
    }
    let state = State {
        next: Some(first),
        seen,
        pages: 0,
    };
    let pages = stream::try_unfold(state, move |mut state| async move {
        let Some(request) = state.next.take() else {
            return Ok(None);
        };
        if max_pages.is_some_and(|max| state.pages >= max) {
            return Ok(None);
        }
        let response = transport.execute(&request, tokens).await?;
        state.pages += 1;
        let (items, next_cursor) = request.split(response);
        if let Some(cursor) = next_cursor {
            if !state.seen.insert(cursor.clone()) {
                return Err(Error::new(ErrorKind::Decode).with_source(Message(format!(
                    "the server repeated cursor {:?}",
                    cursor.to_text()
                ))));
            }
            state.next = Some(request.with_cursor(Some(&cursor)));
        }
        Ok(Some((stream::iter(items.into_iter().map(Ok::<_, Error>)), state)))
    });
    pages.try_flatten().boxed()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_styles() {
        assert_eq!(
            Cursor::next_token(Some("t2".into()), None),
            Some(Cursor::Token("t2".into()))
        );
        assert_eq!(Cursor::next_token(Some("t2".into()), Some(false)), None);
        assert_eq!(Cursor::next_token(Some(String::new()), Some(true)), None);
        assert_eq!(Cursor::next_token(None, Some(true)), None);
        assert_eq!(Cursor::topapi(Some(100), Some(true)), Some(Cursor::Number(100)));
        assert_eq!(Cursor::topapi(Some(100), Some(false)), None);
        assert_eq!(Cursor::offset(20, 10, Some(true)), Some(Cursor::Offset(30)));
        assert_eq!(Cursor::offset(20, 0, Some(true)), None);
        assert_eq!(Cursor::Number(5).to_text(), "5");
    }
}
