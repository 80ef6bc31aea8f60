//! Report (daily/weekly logs): templates, list, create.

mod create_report;
mod list_report_templates;
mod list_reports;

pub use create_report::{CreateReport, ReportField};
pub use list_report_templates::{ListReportTemplates, ListReportTemplatesResponse, ReportTemplate};
pub use list_reports::{ListReports, ListReportsResponse, Report, ReportContent};
