//! AI table (notable): sheets, fields and records. Every call carries `operatorId`, a **union id**.

mod create_field;
mod create_records;
mod create_sheet;
mod delete_records;
mod get_record;
mod get_sheet;
mod limits;
mod list_fields;
mod list_sheets;
mod model;
mod query_records;
mod update_records;

pub use create_field::{CreateField, FieldSpec};
pub use create_records::CreateRecords;
pub use create_sheet::CreateSheet;
pub use delete_records::{DeleteRecords, DeleteRecordsResponse};
pub use get_record::GetRecord;
pub use get_sheet::GetSheet;
pub use limits::MAX_RECORDS;
pub use list_fields::{ListFields, ListFieldsResponse};
pub use list_sheets::{ListSheets, ListSheetsResponse};
pub use model::{Field, Record, RecordFields, RecordIds, RecordRef, Sheet};
pub use query_records::{Condition, Filter, QueryRecords, QueryRecordsResponse};
pub use update_records::UpdateRecords;
