//! `GET /v1.0/doc/docs?operatorId=&keyword=&workspaceId=&maxResults=&nextToken=`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Cursor, Endpoint, Method, Paginated, UnionId};
use serde::Deserialize;

use crate::error::Error;
use crate::macros::call_setters;
use crate::notable::FoundDoc;

/// The most hits one page may ask for (unverified; the twin pages at this size).
pub const MAX_SEARCH_RESULTS: u32 = 100;

/// Finds AI tables (and other documents) by keyword: DingTalk's `SearchWorkspaceDocs`,
/// `GET /v1.0/doc/docs?operatorId=<unionId>&keyword=…` (one page).
///
/// There is no notable API that lists bases; this search is how bases are listed. It answers every document type
/// the operator can see, so keep the hits whose [`DocNode::is_base`](crate::notable::DocNode::is_base) is true.
/// DingTalk API explorer: <https://open-dev.dingtalk.com/apiExplorer#/?devType=org&api=doc_1.0%23SearchWorkspaceDocs>.
/// Idempotent; `.into_stream()` yields [`FoundDoc`]s across `nextToken` pages.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::UnionId;
/// let page = client.notable().search_bases(UnionId::new("union1")).keyword("Projects").await?;
/// let bases: Vec<_> = page.docs.iter().filter(|d| d.node.is_base()).collect();
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct SearchBases {
    operator_id: UnionId,
    keyword: Option<String>,
    workspace_id: Option<String>,
    max_results: u32,
    next_token: Option<String>,
}

impl SearchBases {
    /// Documents visible to `operator_id` (20 per page).
    pub fn new(operator_id: UnionId) -> Self {
        Self {
            operator_id,
            keyword: None,
            workspace_id: None,
            max_results: 20,
            next_token: None,
        }
    }

    /// Only documents whose name contains `keyword`.
    #[must_use]
    pub fn keyword(mut self, keyword: impl Into<String>) -> Self {
        self.keyword = Some(keyword.into());
        self
    }

    /// Only documents of one workspace.
    #[must_use]
    pub fn workspace_id(mut self, workspace_id: impl Into<String>) -> Self {
        self.workspace_id = Some(workspace_id.into());
        self
    }

    /// Hits per page, 1..=[`MAX_SEARCH_RESULTS`].
    #[must_use]
    pub fn max_results(mut self, max_results: u32) -> Self {
        self.max_results = max_results;
        self
    }
}

/// One page of [`SearchBases`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SearchBasesResponse {
    /// The hits.
    #[serde(default)]
    pub docs: Vec<FoundDoc>,
    /// Whether more pages follow.
    pub has_more: Option<bool>,
    /// The next page's token.
    pub next_token: Option<String>,
}

impl Endpoint for SearchBases {
    type Response = SearchBasesResponse;
    const METHOD: Method = Method::Get;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/doc/docs"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1.0/doc/docs")
    }

    fn query(&self) -> Vec<(&'static str, String)> {
        let mut query = vec![("operatorId", self.operator_id.to_string())];
        if let Some(keyword) = &self.keyword {
            query.push(("keyword", keyword.clone()));
        }
        if let Some(workspace) = &self.workspace_id {
            query.push(("workspaceId", workspace.clone()));
        }
        query.push(("maxResults", self.max_results.to_string()));
        if let Some(token) = &self.next_token {
            query.push(("nextToken", token.clone()));
        }
        query
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("operatorId", self.operator_id.as_str())?;
        if !(1..=MAX_SEARCH_RESULTS).contains(&self.max_results) {
            return Err(Error::validation(format!(
                "maxResults must be 1 to {MAX_SEARCH_RESULTS}, got {}",
                self.max_results
            )));
        }
        Ok(())
    }
}

impl Paginated for SearchBases {
    type Item = FoundDoc;

    crate::macros::next_token_cursor!();

    fn split(&self, response: Self::Response) -> (Vec<FoundDoc>, Option<Cursor>) {
        (
            response.docs,
            Cursor::next_token(response.next_token, response.has_more),
        )
    }
}

call_setters!(SearchBases {
    keyword(keyword: impl Into<String>),
    workspace_id(workspace_id: impl Into<String>),
    max_results(max_results: u32),
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_carries_only_what_is_set() {
        let search = SearchBases::new(UnionId::new("u1")).keyword("plan");
        assert_eq!(
            search.query(),
            vec![
                ("operatorId", "u1".to_owned()),
                ("keyword", "plan".to_owned()),
                ("maxResults", "20".to_owned()),
            ]
        );
        assert!(
            SearchBases::new(UnionId::new("u1"))
                .max_results(0)
                .validate()
                .is_err()
        );
        assert!(SearchBases::new(UnionId::new("")).validate().is_err());
    }
}
