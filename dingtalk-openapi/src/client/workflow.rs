//! The `client.workflow()` namespace.

use dingtalk_core::{ApprovalTaskId, ProcessCode, ProcessInstanceId, UserId};

use crate::client::{Call, Client};
use crate::workflow::{
    ApprovalDecision, CreateProcessInstance, ExecuteProcessTask, FormValue, GetProcessFormSchema,
    GetProcessInstance, ListProcessInstanceIds, ListTodoTasks, RedirectProcessTask, TerminateProcessInstance,
};

/// OA approval operations; from [`Client::workflow`].
#[derive(Clone, Copy, Debug)]
pub struct Workflow<'c> {
    pub(crate) client: &'c Client,
}

impl<'c> Workflow<'c> {
    /// [`GetProcessFormSchema`]: a form's components.
    pub fn get_process_form_schema(self, process_code: ProcessCode) -> Call<'c, GetProcessFormSchema> {
        self.client.call(GetProcessFormSchema::new(process_code))
    }

    /// [`CreateProcessInstance`]: starts an approval.
    pub fn create_process_instance(
        self,
        process_code: ProcessCode,
        originator_user_id: UserId,
        values: Vec<FormValue>,
    ) -> Call<'c, CreateProcessInstance> {
        self.client.call(CreateProcessInstance::new(
            process_code,
            originator_user_id,
            values,
        ))
    }

    /// [`GetProcessInstance`]: reads an approval.
    pub fn get_process_instance(
        self,
        process_instance_id: ProcessInstanceId,
    ) -> Call<'c, GetProcessInstance> {
        self.client.call(GetProcessInstance::new(process_instance_id))
    }

    /// [`ListProcessInstanceIds`]: instance ids of a process.
    pub fn list_process_instance_ids(
        self,
        process_code: ProcessCode,
        start_time_ms: i64,
    ) -> Call<'c, ListProcessInstanceIds> {
        self.client
            .call(ListProcessInstanceIds::new(process_code, start_time_ms))
    }

    /// [`ExecuteProcessTask`]: approves or rejects a task.
    pub fn execute_process_task(
        self,
        process_instance_id: ProcessInstanceId,
        task_id: ApprovalTaskId,
        actioner_user_id: UserId,
        decision: ApprovalDecision,
    ) -> Call<'c, ExecuteProcessTask> {
        self.client.call(ExecuteProcessTask::new(
            process_instance_id,
            task_id,
            actioner_user_id,
            decision,
        ))
    }

    /// [`RedirectProcessTask`]: transfers a task.
    pub fn redirect_process_task(
        self,
        task_id: ApprovalTaskId,
        operate_user_id: UserId,
        to_user_id: UserId,
    ) -> Call<'c, RedirectProcessTask> {
        self.client
            .call(RedirectProcessTask::new(task_id, operate_user_id, to_user_id))
    }

    /// [`TerminateProcessInstance`]: revokes an approval as its originator.
    pub fn terminate_process_instance(
        self,
        process_instance_id: ProcessInstanceId,
        operating_user_id: UserId,
    ) -> Call<'c, TerminateProcessInstance> {
        self.client.call(TerminateProcessInstance::new(
            process_instance_id,
            operating_user_id,
        ))
    }

    /// [`ListTodoTasks`]: the approval tasks waiting for a user.
    pub fn list_todo_tasks(self, user: UserId) -> Call<'c, ListTodoTasks> {
        self.client.call(ListTodoTasks::new(user))
    }
}
