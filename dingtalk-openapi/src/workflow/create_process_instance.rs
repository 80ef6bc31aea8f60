//! `POST /v1.0/workflow/processInstances`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, DeptId, Endpoint, Method, ProcessCode, ProcessInstanceId, UserId};
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::macros::call_setters;

/// The most form values one instance may carry.
pub const MAX_FORM_VALUES: usize = 150;

/// Starts an approval: `POST /v1.0/workflow/processInstances`.
///
/// Values are strings; arrays and tables are JSON-encoded by the caller. `deptId` is required unless approvers are
/// given (root is `-1`). DingTalk docs: <https://open.dingtalk.com/document/orgapp/create-an-approval-instance>.
/// Not idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{DeptId, ProcessCode, UserId};
/// use dingtalk_openapi::workflow::FormValue;
/// let started = client.workflow()
///     .create_process_instance(ProcessCode::new("PROC-1"), UserId::new("manager432"),
///         vec![FormValue::new("Reason", "Conference")])
///     .dept_id(DeptId::new("-1"))
///     .await?;
/// println!("{}", started.instance_id);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateProcessInstance {
    process_code: ProcessCode,
    originator_user_id: UserId,
    form_component_values: Vec<FormValue>,
    #[serde(
        serialize_with = "crate::wire::opt_dept_id::serialize",
        skip_serializing_if = "Option::is_none"
    )]
    dept_id: Option<DeptId>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    cc_list: Vec<UserId>,
}

/// One form value (`name` is the component label).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FormValue {
    name: String,
    value: String,
}

impl FormValue {
    /// The value of the component labelled `name`.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
        }
    }
}

impl CreateProcessInstance {
    /// Starts `process_code` for `originator_user_id` with `values`.
    pub fn new(process_code: ProcessCode, originator_user_id: UserId, values: Vec<FormValue>) -> Self {
        Self {
            process_code,
            originator_user_id,
            form_component_values: values,
            dept_id: None,
            cc_list: Vec::new(),
        }
    }

    /// The originator's department (`-1` for the root).
    #[must_use]
    pub fn dept_id(mut self, dept_id: DeptId) -> Self {
        self.dept_id = Some(dept_id);
        self
    }

    /// Users copied on the approval (at most 50).
    #[must_use]
    pub fn cc_list(mut self, cc_list: Vec<UserId>) -> Self {
        self.cc_list = cc_list;
        self
    }
}

/// The answer to [`CreateProcessInstance`].
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateProcessInstanceResponse {
    /// The new instance.
    pub instance_id: ProcessInstanceId,
}

impl Endpoint for CreateProcessInstance {
    type Response = CreateProcessInstanceResponse;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = false;

    fn route(&self) -> &'static str {
        "/v1.0/workflow/processInstances"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1.0/workflow/processInstances")
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("processCode", self.process_code.as_str())?;
        dingtalk_core::endpoint::require("originatorUserId", self.originator_user_id.as_str())?;
        if self.form_component_values.is_empty() || self.form_component_values.len() > MAX_FORM_VALUES {
            return Err(Error::validation(format!(
                "formComponentValues holds 1 to {MAX_FORM_VALUES} values"
            )));
        }
        if self.cc_list.len() > 50 {
            return Err(Error::validation("ccList holds at most 50 users"));
        }
        Ok(())
    }
}

call_setters!(CreateProcessInstance {
    dept_id(dept_id: DeptId),
    cc_list(cc_list: Vec<UserId>),
});
