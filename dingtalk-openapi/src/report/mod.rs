//! Report (daily/weekly logs): templates, list, create, detail, statistics.

mod create_report;
mod get_report_detail;
mod get_report_statistics;
mod list_report_templates;
mod list_reports;

pub use create_report::{CreateReport, ReportField};
pub use get_report_detail::{GetReportDetail, ReportDetail, ReportDetailField};
pub use get_report_statistics::{GetReportStatistics, ReportStatistics};
pub use list_report_templates::{ListReportTemplates, ListReportTemplatesResponse, ReportTemplate};
pub use list_reports::{ListReports, ListReportsResponse, Report, ReportContent};
