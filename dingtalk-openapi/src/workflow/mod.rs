//! OA approval (workflow): form schema, start, read, list instance ids, pending tasks, approve/reject, transfer,
//! revoke.

mod create_process_instance;
mod execute_process_task;
mod get_process_form_schema;
mod get_process_instance;
mod list_process_instance_ids;
mod list_todo_tasks;
mod redirect_process_task;
mod terminate_process_instance;

pub use create_process_instance::{
    CreateProcessInstance, CreateProcessInstanceResponse, FormValue, MAX_FORM_VALUES,
};
pub use execute_process_task::{ApprovalDecision, ExecuteProcessTask, WorkflowResult};
pub use get_process_form_schema::{
    FormComponent, FormComponentProps, FormSchema, GetProcessFormSchema, GetProcessFormSchemaResponse,
    SchemaContent,
};
pub use get_process_instance::{
    GetProcessInstance, GetProcessInstanceResponse, ProcessInstance, ProcessTask,
};
pub use list_process_instance_ids::{InstanceIdPage, ListProcessInstanceIds, ListProcessInstanceIdsResponse};
pub use list_todo_tasks::{
    ListTodoTasks, ListTodoTasksResponse, MAX_TODO_TASKS_PER_PAGE, TodoTask, TodoTaskForm, TodoTaskPage,
};
pub use redirect_process_task::RedirectProcessTask;
pub use terminate_process_instance::TerminateProcessInstance;
