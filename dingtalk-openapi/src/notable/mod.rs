//! AI table (notable): bases (through the document APIs), sheets and fields (create, rename, delete), records. Every call carries
//! `operatorId`, a **union id**.

mod base;
mod create_base;
mod create_field;
mod create_records;
mod create_sheet;
mod delete_field;
mod delete_records;
mod delete_sheet;
mod get_base;
mod get_record;
mod get_sheet;
mod limits;
mod list_fields;
mod list_sheets;
mod model;
mod query_records;
mod search_bases;
mod update_field;
mod update_records;
mod update_sheet;

pub use base::{DocNode, DocWorkspace, FoundDoc, NOTABLE_DOC_TYPE};
pub use create_base::{CreateBase, CreateBaseResponse};
pub use create_field::{CreateField, FieldSpec};
pub use create_records::CreateRecords;
pub use create_sheet::CreateSheet;
pub use delete_field::DeleteField;
pub use delete_records::{DeleteRecords, DeleteRecordsResponse};
pub use delete_sheet::DeleteSheet;
pub use get_base::{GetBase, GetBaseResponse};
pub use get_record::GetRecord;
pub use get_sheet::GetSheet;
pub use limits::{MAX_QUERY_FIELDS, MAX_RECORDS};
pub use list_fields::{ListFields, ListFieldsResponse};
pub use list_sheets::{ListSheets, ListSheetsResponse};
pub use model::{Deleted, Field, Record, RecordFields, RecordIds, RecordRef, Sheet};
pub use query_records::{Condition, Filter, QueryRecords, QueryRecordsResponse};
pub use search_bases::{MAX_SEARCH_RESULTS, SearchBases, SearchBasesResponse};
pub use update_field::{UpdateField, UpdateFieldResponse};
pub use update_records::UpdateRecords;
pub use update_sheet::UpdateSheet;
