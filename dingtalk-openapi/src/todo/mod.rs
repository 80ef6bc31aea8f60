//! Todo: create, get, update, mark executors done, delete, list. Every id is a **union id**.

mod create_todo;
mod delete_todo;
mod get_todo;
mod list_todos;
mod model;
mod update_todo;
mod update_todo_executor_status;

pub use create_todo::{CreateTodo, MAX_SUBJECT_CHARS};
pub use delete_todo::DeleteTodo;
pub use get_todo::GetTodo;
pub use list_todos::{ListTodos, ListTodosResponse, TodoCard};
pub use model::{TodoResult, TodoTask};
pub use update_todo::UpdateTodo;
pub use update_todo_executor_status::UpdateTodoExecutorStatus;
