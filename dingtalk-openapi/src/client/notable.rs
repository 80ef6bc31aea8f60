//! The `client.notable()` namespace.

use dingtalk_core::{BaseId, UnionId};

use crate::client::{Call, Client};
use crate::notable::{
    CreateBase, CreateField, CreateRecords, CreateSheet, DeleteField, DeleteRecords, DeleteSheet, FieldSpec,
    GetBase, GetRecord, GetSheet, ListFields, ListSheets, QueryRecords, RecordFields, SearchBases,
    UpdateField, UpdateRecords, UpdateSheet,
};

/// AI table operations (operator is a union id); from [`Client::notable`].
#[derive(Clone, Copy, Debug)]
pub struct Notable<'c> {
    pub(crate) client: &'c Client,
}

impl<'c> Notable<'c> {
    /// [`SearchBases`]: AI tables (and other documents) visible to the operator; also how bases are listed.
    pub fn search_bases(self, operator_id: UnionId) -> Call<'c, SearchBases> {
        self.client.call(SearchBases::new(operator_id))
    }

    /// [`GetBase`]: one base's document node.
    pub fn get_base(
        self,
        workspace_id: impl Into<String>,
        base_id: BaseId,
        operator_id: UnionId,
    ) -> Call<'c, GetBase> {
        self.client.call(GetBase::new(workspace_id, base_id, operator_id))
    }

    /// [`CreateBase`]: creates an AI table in a workspace.
    pub fn create_base(
        self,
        workspace_id: impl Into<String>,
        name: impl Into<String>,
        operator_id: UnionId,
    ) -> Call<'c, CreateBase> {
        self.client.call(CreateBase::new(workspace_id, name, operator_id))
    }

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

    /// [`UpdateSheet`]: renames a sheet.
    pub fn update_sheet(
        self,
        base_id: BaseId,
        sheet: impl Into<String>,
        name: impl Into<String>,
        operator_id: UnionId,
    ) -> Call<'c, UpdateSheet> {
        self.client
            .call(UpdateSheet::new(base_id, sheet, name, operator_id))
    }

    /// [`DeleteSheet`]: deletes a sheet.
    pub fn delete_sheet(
        self,
        base_id: BaseId,
        sheet: impl Into<String>,
        operator_id: UnionId,
    ) -> Call<'c, DeleteSheet> {
        self.client.call(DeleteSheet::new(base_id, sheet, operator_id))
    }

    /// [`UpdateField`]: renames a field or changes its settings.
    pub fn update_field(
        self,
        base_id: BaseId,
        sheet: impl Into<String>,
        field: impl Into<String>,
        operator_id: UnionId,
    ) -> Call<'c, UpdateField> {
        self.client
            .call(UpdateField::new(base_id, sheet, field, operator_id))
    }

    /// [`DeleteField`]: deletes a field and its cells.
    pub fn delete_field(
        self,
        base_id: BaseId,
        sheet: impl Into<String>,
        field: impl Into<String>,
        operator_id: UnionId,
    ) -> Call<'c, DeleteField> {
        self.client
            .call(DeleteField::new(base_id, sheet, field, operator_id))
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
