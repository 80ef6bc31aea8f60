//! The `client.report()` namespace.

use dingtalk_core::UserId;

use crate::client::{Call, Client};
use crate::report::{
    CreateReport, GetReportDetail, GetReportStatistics, ListReportTemplates, ListReports, ReportField,
};

/// Report (daily/weekly log) operations; from [`Client::report`].
#[derive(Clone, Copy, Debug)]
pub struct Report<'c> {
    pub(crate) client: &'c Client,
}

impl<'c> Report<'c> {
    /// [`ListReportTemplates`]: templates visible to a user.
    pub fn list_report_templates(self, userid: Option<UserId>) -> Call<'c, ListReportTemplates> {
        self.client.call(ListReportTemplates::new(userid))
    }

    /// [`ListReports`]: reports in a time window.
    pub fn list_reports(self, start_time_ms: i64, end_time_ms: i64) -> Call<'c, ListReports> {
        self.client.call(ListReports::new(start_time_ms, end_time_ms))
    }

    /// [`CreateReport`]: writes a report.
    pub fn create_report(
        self,
        template_id: impl Into<String>,
        userid: UserId,
        contents: Vec<ReportField>,
    ) -> Call<'c, CreateReport> {
        self.client.call(CreateReport::new(template_id, userid, contents))
    }

    /// [`GetReportStatistics`]: read, like and comment counts of a report.
    pub fn get_report_statistics(self, report_id: impl Into<String>) -> Call<'c, GetReportStatistics> {
        self.client.call(GetReportStatistics::new(report_id))
    }

    /// [`GetReportDetail`]: one report's contents.
    pub fn get_report_detail(self, report_id: impl Into<String>) -> Call<'c, GetReportDetail> {
        self.client.call(GetReportDetail::new(report_id))
    }
}
