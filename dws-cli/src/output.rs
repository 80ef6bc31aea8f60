//! stdout data and stderr diagnostics: the success envelope, the error shape, table/csv/ndjson rendering.

use std::io::{IsTerminal, Write};

use serde_json::{Map, Value, json};

use crate::cli::Format;
use crate::exit::CliError;
use crate::settings::Settings;

/// What a finished command hands to the printer.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    pub(crate) response: Value,
    pub(crate) next_cursor: Option<String>,
    pub(crate) warnings: Vec<String>,
    pub(crate) request_ids: Vec<String>,
    pub(crate) raw: Vec<Value>,
    pub(crate) partial: bool,
    /// Pages fetched (0 is shown as 1).
    pub(crate) pages: u32,
}

/// Who ran what: the `invocation` block.
#[derive(Debug, Clone)]
pub(crate) struct Invocation {
    pub(crate) command: String,
    pub(crate) schema_id: Option<String>,
    pub(crate) profile: Option<String>,
    pub(crate) params: Map<String, Value>,
}

/// The main list of a response: `items`, or the response itself when it is an array.
pub(crate) fn items(response: &Value) -> Option<&Vec<Value>> {
    match response {
        Value::Array(a) => Some(a),
        Value::Object(o) => o.get("items").and_then(Value::as_array),
        _ => None,
    }
}

/// The success envelope.
pub(crate) fn envelope(settings: &Settings, inv: &Invocation, out: &Outcome, elapsed_ms: u128) -> Value {
    let count = items(&out.response).map_or(usize::from(!out.response.is_null()), Vec::len);
    json!({
        "ok": true,
        "invocation": {
            "command": inv.command,
            "schema_id": inv.schema_id,
            "profile": inv.profile,
            "params": inv.params,
            "dry_run": settings.dry_run,
            "sandbox": settings.sandbox.is_some(),
        },
        "response": out.response,
        "meta": {
            "count": count,
            "pagination": {"has_more": out.next_cursor.is_some(), "next_cursor": out.next_cursor, "pages": out.pages.max(1)},
            "corrections": crate::correct::recorded(),
            "warnings": out.warnings,
            "request_ids": out.request_ids,
            "elapsed_ms": u64::try_from(elapsed_ms).unwrap_or(u64::MAX),
        }
    })
}

const ENVELOPE_KEYS: &[&str] = &["ok", "invocation", "response", "meta"];

/// Applies `--fields` to the envelope.
pub(crate) fn project(doc: &mut Value, fields: &[String], notes: &mut Vec<String>) {
    if fields.iter().all(|f| ENVELOPE_KEYS.contains(&f.as_str())) {
        if let Some(obj) = doc.as_object_mut() {
            obj.retain(|k, _| fields.iter().any(|f| f == k));
        }
        return;
    }
    let pick = |item: &Value| -> Value {
        let Some(obj) = item.as_object() else {
            return item.clone();
        };
        let mut out = Map::new();
        for f in fields {
            if let Some((k, v)) = obj.iter().find(|(k, _)| k.eq_ignore_ascii_case(f)) {
                out.insert(k.clone(), v.clone());
            }
        }
        Value::Object(out)
    };
    let Some(response) = doc.get_mut("response") else {
        return;
    };
    match response {
        Value::Array(a) => *a = a.iter().map(pick).collect(),
        Value::Object(o) if o.get("items").is_some_and(Value::is_array) => {
            if let Some(Value::Array(a)) = o.get_mut("items") {
                *a = a.iter().map(pick).collect();
            }
        }
        other => *other = pick(other),
    }
    let response = doc.get("response").unwrap_or(&Value::Null);
    if items(response)
        .is_some_and(|a| a.iter().all(|i| i.as_object().is_some_and(Map::is_empty)) && !a.is_empty())
    {
        notes.push(format!("note: none of --fields {} matched", fields.join(",")));
    }
}

/// Removes control, ANSI escape and bidi characters from server text shown on a terminal.
pub(crate) fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // Skip CSI/OSC sequences up to their terminator.
            match chars.peek() {
                Some('[') => {
                    chars.next();
                    for n in chars.by_ref() {
                        if ('@'..='~').contains(&n) {
                            break;
                        }
                    }
                }
                Some(']') => {
                    chars.next();
                    while let Some(n) = chars.next() {
                        if n == '\u{7}' {
                            break;
                        }
                        if n == '\u{1b}' && chars.peek() == Some(&'\\') {
                            chars.next();
                            break;
                        }
                    }
                }
                _ => {}
            }
            continue;
        }
        let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}');
        if (c.is_control() && c != '\t' && c != '\n') || bidi {
            continue;
        }
        out.push(c);
    }
    out
}

fn cell(v: &Value, wide: bool) -> String {
    let s = match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let s = clean(&s).replace('\n', " ");
    if !wide && s.chars().count() > 60 {
        format!("{}…", s.chars().take(59).collect::<String>())
    } else {
        s
    }
}

fn columns(rows: &[Value], fields: Option<&[String]>) -> Vec<String> {
    if let Some(f) = fields {
        return f.to_vec();
    }
    let mut cols: Vec<String> = Vec::new();
    for r in rows {
        if let Some(o) = r.as_object() {
            for k in o.keys() {
                if !cols.contains(k) {
                    cols.push(k.clone());
                }
            }
        }
    }
    cols
}

fn table(rows: &[Value], fields: Option<&[String]>, color: bool, wide: bool) -> String {
    let cols = columns(rows, fields);
    if cols.is_empty() {
        return lines(rows.iter().map(|v| cell(v, wide)));
    }
    let data: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            cols.iter()
                .map(|c| r.get(c).map(|v| cell(v, wide)).unwrap_or_default())
                .collect()
        })
        .collect();
    let widths: Vec<usize> = cols
        .iter()
        .enumerate()
        .map(|(i, c)| {
            data.iter()
                .map(|r| r[i].chars().count())
                .chain([c.len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<String>| -> String {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
            .collect();
        format!("{}\n", parts.join("  ").trim_end())
    };
    let mut out = line(cols.iter().map(|c| c.to_uppercase()).collect());
    if color {
        // Bold header; widths were computed on the plain text.
        out = format!("\x1b[1m{}\x1b[0m\n", out.trim_end_matches('\n'));
    }
    for r in data {
        out.push_str(&line(r));
    }
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn csv(rows: &[Value], fields: Option<&[String]>) -> String {
    let cols = columns(rows, fields);
    let mut out = cols.iter().map(|c| csv_field(c)).collect::<Vec<_>>().join(",") + "\r\n";
    for r in rows {
        let cells: Vec<String> = cols
            .iter()
            .map(|c| match r.get(c) {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => csv_field(s),
                Some(v) => csv_field(&v.to_string()),
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

fn rows_of(response: &Value) -> Vec<Value> {
    match items(response) {
        Some(a) => a.clone(),
        None if response.is_null() => Vec::new(),
        None => vec![response.clone()],
    }
}

fn lines<T: std::fmt::Display>(items: impl Iterator<Item = T>) -> String {
    use std::fmt::Write as _;
    items.fold(String::new(), |mut s, i| {
        let _ = writeln!(s, "{i}");
        s
    })
}

static COLOR: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

/// Colour for tables and human messages on terminals; off with `--no-color` or `NO_COLOR`.
pub(crate) fn set_color(on: bool) {
    COLOR.store(on, std::sync::atomic::Ordering::Relaxed);
}

fn color_on(terminal: bool) -> bool {
    terminal && COLOR.load(std::sync::atomic::Ordering::Relaxed)
}

static TARGET: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();

/// Sends what would go to stdout into `path` instead (`-o`).
pub(crate) fn set_target(path: std::path::PathBuf) {
    let _ = TARGET.set(path);
}

fn write_stdout(text: &str) -> Result<(), CliError> {
    if let Some(path) = TARGET.get() {
        return crate::paths::write_atomic(path, text.as_bytes());
    }
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// Writes a note to stderr unless `-q`.
pub(crate) fn note(settings: &Settings, text: &str) {
    if !settings.quiet {
        let _ = writeln!(std::io::stderr().lock(), "{}", clean(text));
    }
}

/// A line on stderr the user must see to go on (a login URL or code): printed even with `-q`.
pub(crate) fn prompt(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{}", clean(text));
}

/// Prints a finished command's result in the chosen format.
pub(crate) fn print_success(
    settings: &Settings,
    inv: &Invocation,
    out: &Outcome,
    elapsed_ms: u128,
) -> Result<(), CliError> {
    let mut doc = envelope(settings, inv, out, elapsed_ms);
    let mut notes = Vec::new();
    if let Some(fields) = &settings.fields {
        project(&mut doc, fields, &mut notes);
    }
    for w in out.warnings.iter().map(|w| format!("warning: {w}")).chain(notes) {
        note(settings, &w);
    }
    if let Some(program) = &settings.jq {
        let lines = crate::jq::run(program, &doc)?;
        let mut text = String::new();
        for l in lines {
            text.push_str(&l);
            text.push('\n');
        }
        return write_stdout(&text);
    }
    let response = doc.get("response").cloned().unwrap_or(Value::Null);
    let fields = settings
        .fields
        .as_deref()
        .filter(|f| !f.iter().all(|k| ENVELOPE_KEYS.contains(&k.as_str())));
    let text = match settings.format {
        Format::Json => {
            let s = if settings.stdout_tty {
                serde_json::to_string_pretty(&doc)
            } else {
                serde_json::to_string(&doc)
            };
            s.map_err(|e| CliError::internal(e.to_string()))? + "\n"
        }
        Format::Raw => {
            let bodies = if out.raw.is_empty() {
                vec![response]
            } else {
                out.raw.clone()
            };
            lines(bodies.iter())
        }
        Format::Ndjson => lines(rows_of(&response).iter()),
        Format::Csv => csv(&rows_of(&response), fields),
        Format::Table => table(
            &rows_of(&response),
            fields,
            color_on(settings.stdout_tty && settings.output.is_none()),
            settings.wide,
        ),
    };
    write_stdout(&text)
}

/// Prints a non-envelope JSON document (schema, version, doctor), honouring `--jq` and the format.
pub(crate) fn print_doc(settings: &Settings, doc: &Value) -> Result<(), CliError> {
    if let Some(program) = &settings.jq {
        let text: String = crate::jq::run(program, doc)?
            .into_iter()
            .map(|l| l + "\n")
            .collect();
        return write_stdout(&text);
    }
    let s = if settings.stdout_tty {
        serde_json::to_string_pretty(doc)
    } else {
        serde_json::to_string(doc)
    };
    write_stdout(&(s.map_err(|e| CliError::internal(e.to_string()))? + "\n"))
}

/// Prints plain text on stdout (completion scripts, the version line).
pub(crate) fn print_text(text: &str) -> Result<(), CliError> {
    write_stdout(text)
}

/// The error JSON.
pub(crate) fn error_json(err: &CliError, execution_id: &str) -> Value {
    json!({"ok": false, "error": {
        "category": err.exit.category(),
        "reason": err.reason,
        "message": clean(&err.message),
        "hint": err.hint,
        "retryable": err.retryable,
        "retry_after_seconds": err.retry_after_seconds,
        "exit_code": err.exit.code(),
        "http_status": err.http_status,
        "upstream_code": err.upstream_code,
        "param": err.param,
        "trace_id": err.trace_id.clone().unwrap_or_else(|| execution_id.to_owned()),
        "execution_id": execution_id,
        "corrections": crate::correct::recorded(),
    }})
}

/// Reports `err` on stderr: JSON unless stderr is a terminal and the format is table.
pub(crate) fn print_error(err: &CliError, json_wanted: bool, execution_id: &str) {
    let mut stderr = std::io::stderr().lock();
    if json_wanted || !std::io::stderr().is_terminal() {
        let _ = writeln!(stderr, "{}", error_json(err, execution_id));
    } else {
        let (red, dim, reset) = if color_on(true) {
            ("\x1b[1;31m", "\x1b[2m", "\x1b[0m")
        } else {
            ("", "", "")
        };
        let _ = writeln!(
            stderr,
            "{red}error[{}/{}]{reset}: {}",
            err.exit.category(),
            err.reason,
            clean(&err.message)
        );
        if let Some(h) = &err.hint {
            let _ = writeln!(stderr, "{dim}hint: {}{reset}", clean(h));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_strips_escapes_and_bidi() {
        assert_eq!(clean("a\u{1b}[31mred\u{1b}[0m\u{202e}b\u{7}"), "aredb");
        assert_eq!(clean("x\u{1b}]0;title\u{7}y"), "xy");
    }

    #[test]
    fn wide_tables_keep_long_cells() {
        let long = "x".repeat(80);
        let rows = vec![serde_json::json!({"a": long})];
        let narrow = table(&rows, None, false, false);
        assert!(narrow.contains('…') && !narrow.contains(&long), "{narrow}");
        let wide = table(&rows, None, false, true);
        assert!(wide.contains(&long) && !wide.contains('…'), "{wide}");
    }

    #[test]
    fn table_header_is_bold_only_with_color() {
        let rows = vec![json!({"a": "x"})];
        assert_eq!(table(&rows, None, false, false), "A\nx\n");
        assert_eq!(table(&rows, None, true, false), "\x1b[1mA\x1b[0m\nx\n");
    }

    #[test]
    fn csv_quotes() {
        let rows = vec![json!({"a": "x,y", "b": {"c": 1}})];
        assert_eq!(csv(&rows, None), "a,b\r\n\"x,y\",\"{\"\"c\"\":1}\"\r\n");
    }

    #[test]
    fn envelope_projection() {
        let mut doc =
            json!({"ok": true, "invocation": {}, "response": {"items": [{"Name": 1, "x": 2}]}, "meta": {}});
        let mut notes = Vec::new();
        project(&mut doc, &["name".to_owned()], &mut notes);
        assert_eq!(doc["response"]["items"][0], json!({"Name": 1}));
        project(&mut doc, &["response".to_owned()], &mut notes);
        assert!(doc.get("meta").is_none());
    }
}
