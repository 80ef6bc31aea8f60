//! The `client.todo()` namespace.

use dingtalk_core::{TodoTaskId, UnionId};

use crate::client::{Call, Client};
use crate::todo::{CreateTodo, DeleteTodo, GetTodo, ListTodos, UpdateTodo, UpdateTodoExecutorStatus};

/// Todo operations (union ids); from [`Client::todo`].
#[derive(Clone, Copy, Debug)]
pub struct Todo<'c> {
    pub(crate) client: &'c Client,
}

impl<'c> Todo<'c> {
    /// [`CreateTodo`]: creates a todo.
    pub fn create_todo(self, user: UnionId, subject: impl Into<String>) -> Call<'c, CreateTodo> {
        self.client.call(CreateTodo::new(user, subject))
    }

    /// [`GetTodo`]: reads a todo.
    pub fn get_todo(self, user: UnionId, task_id: TodoTaskId) -> Call<'c, GetTodo> {
        self.client.call(GetTodo::new(user, task_id))
    }

    /// [`UpdateTodo`]: changes a todo.
    pub fn update_todo(self, user: UnionId, task_id: TodoTaskId) -> Call<'c, UpdateTodo> {
        self.client.call(UpdateTodo::new(user, task_id))
    }

    /// [`UpdateTodoExecutorStatus`]: marks executors done.
    pub fn update_todo_executor_status(
        self,
        user: UnionId,
        task_id: TodoTaskId,
        statuses: Vec<(UnionId, bool)>,
    ) -> Call<'c, UpdateTodoExecutorStatus> {
        self.client
            .call(UpdateTodoExecutorStatus::new(user, task_id, statuses))
    }

    /// [`DeleteTodo`]: deletes a todo.
    pub fn delete_todo(self, user: UnionId, task_id: TodoTaskId) -> Call<'c, DeleteTodo> {
        self.client.call(DeleteTodo::new(user, task_id))
    }

    /// [`ListTodos`]: lists a user's organisation todos.
    pub fn list_todos(self, user: UnionId) -> Call<'c, ListTodos> {
        self.client.call(ListTodos::new(user))
    }
}
