//! The `client.notable()` namespace.

use dingtalk_core::{BaseId, UnionId};

use crate::client::{Call, Client};
use crate::notable::{
    CreateField, CreateRecords, CreateSheet, DeleteRecords, FieldSpec, GetRecord, GetSheet, ListFields,
    ListSheets, QueryRecords, RecordFields, UpdateRecords,
};

/// AI table operations (operator is a union id); from [`Client::notable`].
#[derive(Clone, Copy, Debug)]
pub struct Notable<'c> {
    pub(crate) client: &'c Client,
}

impl<'c> Notable<'c> {
    /// [`ListSheets`]: the sheets of a base.
    pub fn list_sheets(self, base_id: BaseId, operator_id: UnionId) -> Call<'c, ListSheets> {
        self.client.call(ListSheets::new(base_id, operator_id))
    }

    /// [`GetSheet`]: one sheet.
    pub fn get_sheet(
        self,
        base_id: BaseId,
        sheet: impl Into<String>,
        operator_id: UnionId,
    ) -> Call<'c, GetSheet> {
        self.client.call(GetSheet::new(base_id, sheet, operator_id))
    }

    /// [`CreateSheet`]: creates a sheet.
    pub fn create_sheet(
        self,
        base_id: BaseId,
        name: impl Into<String>,
        operator_id: UnionId,
    ) -> Call<'c, CreateSheet> {
        self.client.call(CreateSheet::new(base_id, name, operator_id))
    }

    /// [`ListFields`]: the fields of a sheet.
    pub fn list_fields(
        self,
        base_id: BaseId,
        sheet: impl Into<String>,
        operator_id: UnionId,
    ) -> Call<'c, ListFields> {
        self.client.call(ListFields::new(base_id, sheet, operator_id))
    }

    /// [`CreateField`]: adds a field.
    pub fn create_field(
        self,
        base_id: BaseId,
        sheet: impl Into<String>,
        spec: FieldSpec,
        operator_id: UnionId,
    ) -> Call<'c, CreateField> {
        self.client
            .call(CreateField::new(base_id, sheet, spec, operator_id))
    }

    /// [`CreateRecords`]: inserts records.
    pub fn create_records(
        self,
        base_id: BaseId,
        sheet: impl Into<String>,
        rows: Vec<RecordFields>,
        operator_id: UnionId,
    ) -> Call<'c, CreateRecords> {
        self.client
            .call(CreateRecords::new(base_id, sheet, rows, operator_id))
    }

    /// [`GetRecord`]: one record.
    pub fn get_record(
        self,
        base_id: BaseId,
        sheet: impl Into<String>,
        record_id: impl Into<String>,
        operator_id: UnionId,
    ) -> Call<'c, GetRecord> {
        self.client
            .call(GetRecord::new(base_id, sheet, record_id, operator_id))
    }

    /// [`UpdateRecords`]: changes records.
    pub fn update_records(
        self,
        base_id: BaseId,
        sheet: impl Into<String>,
        changes: Vec<(String, RecordFields)>,
        operator_id: UnionId,
    ) -> Call<'c, UpdateRecords> {
        self.client
            .call(UpdateRecords::new(base_id, sheet, changes, operator_id))
    }

    /// [`DeleteRecords`]: deletes records.
    pub fn delete_records(
        self,
        base_id: BaseId,
        sheet: impl Into<String>,
        record_ids: Vec<String>,
        operator_id: UnionId,
    ) -> Call<'c, DeleteRecords> {
        self.client
            .call(DeleteRecords::new(base_id, sheet, record_ids, operator_id))
    }

    /// [`QueryRecords`]: records matching a filter.
    pub fn query_records(
        self,
        base_id: BaseId,
        sheet: impl Into<String>,
        operator_id: UnionId,
    ) -> Call<'c, QueryRecords> {
        self.client.call(QueryRecords::new(base_id, sheet, operator_id))
    }
}
