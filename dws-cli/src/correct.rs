//! Input correction (reference §4.3–4.4): a pure pipeline over argv that runs before clap.
//!
//! Stages: (1) command-path aliases, (2) case/separator of flag names, (3) per-concept synonyms, (4) sticky values
//! (`--limit100`), (5) a unique fuzzy flag match, (6) detached bool values, (7) value normalisation (bool, number,
//! date, enum). The flags each command knows come from the clap tree, with value types from [`crate::spec`]. Every
//! rewrite is a [`Correction`]. With `--strict` nothing is rewritten: a would-be correction is an error (exit 3).

use std::sync::OnceLock;

use clap::{ArgAction, Command};
use serde_json::{Value, json};

use crate::exit::CliError;
use crate::spec::{self, Ty};

/// One rewrite of the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Correction {
    /// Pipeline stage (1–7).
    pub(crate) stage: u8,
    /// What kind of correction (`case`, `sticky`, `fuzzy`, `enum`, …).
    pub(crate) kind: &'static str,
    /// The canonical flag (or command path) it concerns.
    pub(crate) flag: String,
    /// The text as typed.
    pub(crate) from: String,
    /// The text used instead.
    pub(crate) to: String,
}

impl Correction {
    /// The `meta.corrections` entry.
    pub(crate) fn json(&self) -> Value {
        json!({"stage": self.stage, "kind": self.kind, "flag": self.flag, "from": self.from, "to": self.to})
    }
    /// The stderr note.
    pub(crate) fn note(&self) -> String {
        format!("note: corrected {} → {} ({})", self.from, self.to, self.kind)
    }
}

/// The corrected argv and what was changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Corrected {
    pub(crate) argv: Vec<String>,
    pub(crate) corrections: Vec<Correction>,
}

static RECORDED: OnceLock<Vec<Value>> = OnceLock::new();

/// Records this run's corrections for `meta.corrections` and `error.corrections` (first call wins).
pub(crate) fn record(corrections: &[Correction]) {
    let _ = RECORDED.set(corrections.iter().map(Correction::json).collect());
}

/// This run's corrections as JSON.
pub(crate) fn recorded() -> Vec<Value> {
    RECORDED.get().cloned().unwrap_or_default()
}

/// Reviewed old or common command paths → current paths (stage 1). An existing exact path always wins.
const PATH_ALIASES: &[(&[&str], &[&str])] = &[
    (
        &["bot", "message", "send-by-bot"],
        &["chat", "message", "send-by-bot"],
    ),
    (
        &["bot", "message", "recall-by-bot"],
        &["chat", "message", "recall-by-bot"],
    ),
    (
        &["bot", "message", "send-by-webhook"],
        &["chat", "message", "send-by-webhook"],
    ),
    (
        &["calendar", "attendee", "add"],
        &["calendar", "participant", "add"],
    ),
    (
        &["calendar", "attendee", "list"],
        &["calendar", "participant", "list"],
    ),
    (
        &["calendar", "attendee", "delete"],
        &["calendar", "participant", "delete"],
    ),
    (&["report", "inbox", "list"], &["report", "list"]),
    (&["todo", "list"], &["todo", "task", "list"]),
    (&["approval", "detail"], &["oa", "approval", "detail"]),
];

/// Per-concept synonyms (stage 3): `(typed, canonical)`. Applied only when the command has the canonical flag and
/// not the typed one.
const SYNONYMS: &[(&str, &str)] = &[
    ("query", "keyword"),
    ("keywords", "keyword"),
    ("search", "keyword"),
    ("page-size", "limit"),
    ("size", "limit"),
    ("max-results", "limit"),
    ("start-time", "start"),
    ("begin", "start"),
    ("end-time", "end"),
];

/// Flags a fuzzy or sticky match never produces: they confirm or widen what a command does.
const NEVER_GUESSED: &[&str] = &["yes", "force", "page-all", "all", "rollback", "sandbox"];

/// How a flag takes its value.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    /// A switch (`--x`); `--x=false` and `--x no` turn it off.
    Bool,
    /// A counted switch (`-v`).
    Count,
    Int,
    Date,
    Enum(Vec<String>),
    Str,
    /// Value only with `=` (`--sandbox[=URL]`).
    OptionalEq,
}

#[derive(Clone, Debug)]
struct Flag {
    name: String,
    short: Option<char>,
    kind: Kind,
}

fn flag_of(arg: &clap::Arg) -> Option<Flag> {
    let name = arg.get_long()?.to_owned();
    let values: Vec<String> = arg
        .get_possible_values()
        .iter()
        .map(|v| v.get_name().to_owned())
        .collect();
    let kind = match arg.get_action() {
        ArgAction::SetTrue
        | ArgAction::SetFalse
        | ArgAction::Help
        | ArgAction::Version
        | ArgAction::HelpShort
        | ArgAction::HelpLong => Kind::Bool,
        ArgAction::Count => Kind::Count,
        _ if arg.is_require_equals_set() => Kind::OptionalEq,
        _ if !values.is_empty() => Kind::Enum(values),
        _ if matches!(
            name.as_str(),
            "timeout" | "page-limit" | "max-events" | "duration"
        ) =>
        {
            Kind::Int
        }
        _ => Kind::Str,
    };
    Some(Flag {
        name,
        short: arg.get_short(),
        kind,
    })
}

fn globals(root: &Command) -> Vec<Flag> {
    let mut out: Vec<Flag> = root.get_arguments().filter_map(flag_of).collect();
    for (name, short) in [("help", Some('h')), ("version", Some('V'))] {
        out.push(Flag {
            name: name.to_owned(),
            short,
            kind: Kind::Bool,
        });
    }
    out
}

/// The leaf's own flags, typed by the spec where it has one.
fn leaf_flags(cmd: &Command, path: &str) -> Vec<Flag> {
    let spec = spec::find(path);
    let mut out: Vec<Flag> = cmd
        .get_arguments()
        .filter(|a| !a.is_global_set())
        .filter_map(flag_of)
        .collect();
    if let Some(spec) = spec {
        for f in &mut out {
            if let Some(p) = spec.params.iter().find(|p| p.name == f.name) {
                match p.ty {
                    Ty::Int => f.kind = Kind::Int,
                    Ty::Date => f.kind = Kind::Date,
                    _ => {}
                }
            }
        }
    }
    out.push(Flag {
        name: "help".to_owned(),
        short: Some('h'),
        kind: Kind::Bool,
    });
    out
}

const TRUE_WORDS: &[&str] = &["true", "yes", "y", "on", "1"];
const FALSE_WORDS: &[&str] = &["false", "no", "n", "off", "0"];

fn bool_literal(s: &str) -> Option<bool> {
    let l = s.to_ascii_lowercase();
    if TRUE_WORDS.contains(&l.as_str()) {
        Some(true)
    } else if FALSE_WORDS.contains(&l.as_str()) {
        Some(false)
    } else {
        None
    }
}

/// A detached bool word after a switch (stage 6); digits are left alone (they may be positionals).
fn detached_bool(s: &str) -> Option<bool> {
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    bool_literal(s)
}

/// `camelCase` / `snake_case` / dotted / upper-case → kebab-case.
fn kebab(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if matches!(c, '_' | '.' | ' ' | '-') {
            if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
            continue;
        }
        if c.is_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            // `userId` → user-id; `HTTPServer` → http-server; `USER` stays one word.
            if (prev.is_lowercase() || prev.is_ascii_digit() || (prev.is_uppercase() && next_lower))
                && !out.ends_with('-')
            {
                out.push('-');
            }
        }
        out.extend(c.to_lowercase());
    }
    out.trim_end_matches('-').to_owned()
}

fn levenshtein(a: &str, b: &str) -> usize {
    strsim::levenshtein(a, b)
}

/// Normalises a value of `kind` (stage 7). `Ok(None)`: nothing to change.
fn normalize_value(
    kind: &Kind,
    flag: &str,
    value: &str,
    offset_min: i64,
) -> Result<Option<(String, &'static str)>, CliError> {
    Ok(match kind {
        Kind::Int => number(value).map(|n| (n, "number")),
        Kind::Enum(values) => {
            if values.iter().any(|v| v == value) {
                None
            } else {
                let hits: Vec<&String> = values
                    .iter()
                    .filter(|v| v.eq_ignore_ascii_case(value) || **v == kebab(value))
                    .collect();
                match hits.as_slice() {
                    [one] => Some(((*one).clone(), "enum")),
                    _ => None,
                }
            }
        }
        Kind::Date => date(flag, value, offset_min)?.map(|d| (d, "date")),
        _ => None,
    })
}

/// `1,000` / `1_000` → `1000`; anything else is left alone.
fn number(value: &str) -> Option<String> {
    let body = value.strip_prefix('-').unwrap_or(value);
    if !body.contains([',', '_']) || !body.bytes().all(|b| b.is_ascii_digit() || b == b',' || b == b'_') {
        return None;
    }
    if body.contains(',') {
        // Thousands groups only: 1,000 and 12,345,678 (never 1,0 which might mean a list).
        let groups: Vec<&str> = body.split(',').collect();
        let first_ok = (1..=3).contains(&groups[0].len()) && !groups[0].contains('_');
        if !first_ok || groups[1..].iter().any(|g| g.len() != 3 || g.contains('_')) {
            return None;
        }
    } else if body.starts_with('_') || body.ends_with('_') || body.contains("__") {
        return None;
    }
    let digits: String = body.chars().filter(char::is_ascii_digit).collect();
    Some(if value.starts_with('-') {
        format!("-{digits}")
    } else {
        digits
    })
}

const MONTHS: &[&str] = &[
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn ymd(y: &str, m: &str, d: &str) -> Option<String> {
    let (y, m, d): (u32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    ((1000..=9999).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d))
        .then(|| format!("{y:04}-{m:02}-{d:02}"))
}

fn month_number(word: &str) -> Option<u32> {
    let w = word.to_ascii_lowercase();
    if w.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| w.starts_with(m))
        .and_then(|i| u32::try_from(i + 1).ok())
}

/// Date and date-time spellings → ISO 8601. Ambiguous `03/04/2024` is refused; unknown forms are left alone.
fn date(flag: &str, value: &str, offset_min: i64) -> Result<Option<String>, CliError> {
    let v = value.trim();
    // 2024/03/29, 2024.3.9
    let sep: Vec<&str> = v.split(['/', '.']).collect();
    if sep.len() == 3
        && sep
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        if sep[0].len() == 4 {
            return Ok(ymd(sep[0], sep[1], sep[2]));
        }
        if sep[2].len() == 4 {
            return Err(CliError::validation(
                "invalid_argument",
                format!("--{flag}: `{v}` is ambiguous (day/month or month/day)"),
            )
            .param(flag)
            .hint("use ISO 8601: YYYY-MM-DD"));
        }
        return Ok(None);
    }
    // 20240329
    if v.len() == 8 && v.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(ymd(&v[..4], &v[4..6], &v[6..]));
    }
    // Mar 29, 2024 / 29 Mar 2024 / March 29 2024
    let words: Vec<&str> = v.split([' ', ',']).filter(|w| !w.is_empty()).collect();
    if words.len() == 3 {
        if let Some(m) = month_number(words[0]) {
            return Ok(ymd(words[2], &m.to_string(), words[1]));
        }
        if let Some(m) = month_number(words[1]) {
            return Ok(ymd(words[2], &m.to_string(), words[0]));
        }
    }
    // 2024-03-29 14:00[:ss] (no offset) → 2024-03-29T14:00:00+08:00
    if let Some((d, t)) = v.split_once(' ')
        && d.len() == 10
        && ymd(&d[..4], d.get(5..7).unwrap_or(""), d.get(8..).unwrap_or("")).as_deref() == Some(d)
    {
        let parts: Vec<&str> = t.split(':').collect();
        let ok = (2..=3).contains(&parts.len())
            && parts
                .iter()
                .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()));
        if ok {
            let secs = parts.get(2).copied().unwrap_or("00");
            let sign = if offset_min < 0 { '-' } else { '+' };
            let o = offset_min.abs();
            return Ok(Some(format!(
                "{d}T{}:{}:{secs}{sign}{:02}:{:02}",
                parts[0],
                parts[1],
                o / 60,
                o % 60
            )));
        }
    }
    Ok(None)
}

/// Whether `token` is something clap reads as a flag rather than a value.
fn looks_like_flag(token: &str) -> bool {
    token.starts_with('-') && token != "-"
}

/// The command path: indices of the subcommand words in `argv` and the command they lead to.
fn walk<'a>(root: &'a Command, argv: &[String], global: &[Flag]) -> (Vec<usize>, &'a Command) {
    let mut cmd = root;
    let mut words = Vec::new();
    let mut i = 1;
    while i < argv.len() {
        let t = &argv[i];
        if t == "--" {
            break;
        }
        if let Some(long) = t.strip_prefix("--") {
            let takes_value = !long.contains('=')
                && global
                    .iter()
                    .find(|f| f.name == long)
                    .is_some_and(|f| !matches!(f.kind, Kind::Bool | Kind::Count | Kind::OptionalEq));
            i += if takes_value { 2 } else { 1 };
            continue;
        }
        if looks_like_flag(t) {
            let c = t.chars().nth(1);
            let takes_value = t.len() == 2
                && global
                    .iter()
                    .find(|f| f.short == c)
                    .is_some_and(|f| !matches!(f.kind, Kind::Bool | Kind::Count | Kind::OptionalEq));
            i += if takes_value { 2 } else { 1 };
            continue;
        }
        if !cmd.has_subcommands() {
            break;
        }
        match cmd.find_subcommand(t) {
            Some(sub) => {
                words.push(i);
                cmd = sub;
            }
            None => break,
        }
        i += 1;
    }
    (words, cmd)
}

/// Runs the pipeline (date-times completed at +08:00). `strict`: nothing is rewritten; a would-be correction is
/// an error (exit 3).
#[cfg(test)]
pub(crate) fn correct(root: &Command, argv: &[String], strict: bool) -> Result<Corrected, CliError> {
    correct_tz(root, argv, strict, 480)
}

/// Runs the pipeline with date-times without an offset completed at `offset_min` minutes east of UTC (`--tz`).
pub(crate) fn correct_tz(
    root: &Command,
    argv: &[String],
    strict: bool,
    offset_min: i64,
) -> Result<Corrected, CliError> {
    let mut fixes = Vec::new();
    // To a fixpoint (bounded): a flag fixed in one round can reveal the command path or a value for the next.
    let mut out = argv.to_vec();
    for _ in 0..4 {
        let before = fixes.len();
        out = pipeline(root, &out, &mut fixes, offset_min)?;
        if fixes.len() == before {
            break;
        }
    }
    if strict {
        if let Some(first) = fixes.first() {
            let mut err = CliError::validation(
                match first.stage {
                    1 => "unknown_command",
                    2..=5 => "unknown_flag",
                    _ => "invalid_argument",
                },
                format!("`{}` is not accepted as typed (--strict)", first.from),
            )
            .hint(format!(
                "did you mean {}? input correction is off with --strict / DWS_STRICT",
                fixes
                    .iter()
                    .map(|f| format!("`{}` for `{}`", f.to, f.from))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            if first.stage > 1 {
                err = err.param(&first.flag);
            }
            return Err(err);
        }
        return Ok(Corrected {
            argv: argv.to_vec(),
            corrections: Vec::new(),
        });
    }
    Ok(Corrected {
        argv: out,
        corrections: fixes,
    })
}

/// Whether `--strict` or `DWS_STRICT` turns correction off (clap's falsey words count as off).
pub(crate) fn strict_requested(argv: &[String], env_value: Option<&str>) -> bool {
    let end = argv.iter().position(|a| a == "--").unwrap_or(argv.len());
    if argv[..end].iter().any(|a| a == "--strict") {
        return true;
    }
    env_value.is_some_and(|v| !v.is_empty() && bool_literal(v) != Some(false))
}

#[expect(clippy::too_many_lines, reason = "one pass over argv, stage by stage")]
fn pipeline(
    root: &Command,
    argv: &[String],
    fixes: &mut Vec<Correction>,
    offset_min: i64,
) -> Result<Vec<String>, CliError> {
    if argv.is_empty() {
        return Ok(Vec::new());
    }
    let global = globals(root);
    let argv = command_path(root, argv, &global, fixes);
    let (words, cmd) = walk(root, &argv, &global);
    let path: Vec<&str> = words.iter().map(|&i| argv[i].as_str()).collect();
    let path = path.join(" ");
    let leaf = if cmd.has_subcommands() {
        Vec::new()
    } else {
        leaf_flags(cmd, &path)
    };
    let known: Vec<&Flag> = leaf.iter().chain(global.iter()).collect();
    let find = |name: &str| known.iter().copied().find(|f| f.name == name);
    let literal: Vec<String> = argv
        .iter()
        .take_while(|a| *a != "--")
        .filter_map(|a| a.strip_prefix("--"))
        .map(|a| a.split('=').next().unwrap_or(a).to_owned())
        .collect();

    let mut out = vec![argv[0].clone()];
    let mut i = 1;
    while i < argv.len() {
        let t = &argv[i];
        if t == "--" {
            out.extend(argv[i..].iter().cloned());
            break;
        }
        if let Some(body) = t.strip_prefix("--").filter(|b| !b.is_empty()) {
            let (name, eq) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (body, None),
            };
            let mut flag = find(name);
            let mut eq = eq.map(str::to_owned);
            let mut sticky_value = None;
            if flag.is_none() {
                (flag, sticky_value) = resolve(name, eq.is_some(), &known, &leaf, &literal, fixes)?;
            }
            let Some(f) = flag else {
                out.push(t.clone());
                i += 1;
                continue;
            };
            if let Some(v) = sticky_value.take() {
                if f.kind == Kind::Bool {
                    eq = Some(v);
                } else {
                    let v = normalize_value(&f.kind, &f.name, &v, offset_min)?.map_or(v, |(n, _)| n);
                    out.push(format!("--{}", f.name));
                    out.push(v);
                    i += 1;
                    continue;
                }
            }
            i += 1;
            match &f.kind {
                Kind::Bool => {
                    // Two bool words in a row are left alone: which one belongs to the flag is a guess.
                    let next = argv
                        .get(i)
                        .filter(|n| detached_bool(n).is_some())
                        .filter(|_| argv.get(i + 1).is_none_or(|n| detached_bool(n).is_none()));
                    let (token, consumed) = switch(f, name, eq.as_deref(), next.map(String::as_str), fixes);
                    out.extend(token);
                    i += usize::from(consumed);
                }
                Kind::Count | Kind::OptionalEq => match &eq {
                    Some(v) => out.push(format!("--{}={v}", f.name)),
                    None => out.push(format!("--{}", f.name)),
                },
                kind => {
                    let (value, detached) = match eq {
                        Some(v) => (Some(v), false),
                        None => match argv.get(i) {
                            Some(n) if !looks_like_flag(n) => {
                                i += 1;
                                (Some(n.clone()), true)
                            }
                            _ => (None, false),
                        },
                    };
                    let Some(value) = value else {
                        out.push(format!("--{}", f.name));
                        continue;
                    };
                    let value = match normalize_value(kind, &f.name, &value, offset_min)? {
                        Some((n, what)) => {
                            fixes.push(fix(7, what, &f.name, &value, &n));
                            n
                        }
                        None => value,
                    };
                    if detached {
                        out.push(format!("--{}", f.name));
                        out.push(value);
                    } else {
                        out.push(format!("--{}={value}", f.name));
                    }
                }
            }
            continue;
        }
        // Short flags with a value: `-f JSON` → `-f json`.
        if t.len() == 2
            && looks_like_flag(t)
            && let Some(f) = global.iter().find(|f| f.short == t.chars().nth(1))
            && let Kind::Enum(_) = f.kind
            && let Some(v) = argv.get(i + 1)
        {
            out.push(t.clone());
            let v = match normalize_value(&f.kind, &f.name, v, offset_min)? {
                Some((n, what)) => {
                    fixes.push(fix(7, what, &f.name, v, &n));
                    n
                }
                None => v.clone(),
            };
            out.push(v);
            i += 2;
            continue;
        }
        out.push(t.clone());
        i += 1;
    }
    Ok(out)
}

/// Stage 4: the longest real flag that prefixes `name`, when the rest fits its type (never a string flag).
fn sticky<'f>(name: &str, known: &[&'f Flag]) -> Option<(&'f Flag, String)> {
    let mut best: Option<(&Flag, String)> = None;
    for f in known {
        if NEVER_GUESSED.contains(&f.name.as_str()) {
            continue;
        }
        let Some(rest) = name.strip_prefix(f.name.as_str()).filter(|r| !r.is_empty()) else {
            continue;
        };
        let fits = match &f.kind {
            Kind::Int => rest.parse::<i64>().is_ok() || number(rest).is_some(),
            Kind::Bool => bool_literal(rest).is_some(),
            Kind::Enum(values) => values.iter().any(|v| v.eq_ignore_ascii_case(rest)),
            _ => false,
        };
        if fits && best.as_ref().is_none_or(|(b, _)| f.name.len() > b.name.len()) {
            best = Some((*f, rest.to_owned()));
        }
    }
    best
}

/// Stage 5: the one flag within edit distance 2 (1 for names of 3 characters or fewer) of `k`; several → error.
fn fuzzy<'f>(name: &str, k: &str, known: &[&'f Flag]) -> Result<Option<&'f Flag>, CliError> {
    let near: Vec<&Flag> = known
        .iter()
        .copied()
        .filter(|f| {
            let limit = if f.name.len() <= 3 || k.len() <= 3 { 1 } else { 2 };
            f.name != "help" && f.name != "version" && levenshtein(k, &f.name) <= limit
        })
        .collect();
    let mut names: Vec<&str> = near.iter().map(|f| f.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    match (near.as_slice(), names.len()) {
        ([f], _) | ([f, ..], 1) if !NEVER_GUESSED.contains(&f.name.as_str()) => Ok(Some(f)),
        (_, n) if n > 1 => {
            let list: Vec<String> = names.iter().map(|n| format!("--{n}")).collect();
            Err(CliError::validation(
                "unknown_flag",
                format!(
                    "unknown flag --{name}; it is as close to {}",
                    list.join(" as to ")
                ),
            )
            .hint(format!("did you mean one of: {}?", list.join(", "))))
        }
        _ => Ok(None),
    }
}

/// Stages 6–7 for a switch: a detached bool word or `=value` turns it on or off.
fn switch(
    f: &Flag,
    name: &str,
    eq: Option<&str>,
    next: Option<&str>,
    fixes: &mut Vec<Correction>,
) -> (Option<String>, bool) {
    let (value, consumed) = match eq {
        Some(v) => (Some(v.to_owned()), false),
        None => (next.map(str::to_owned), next.is_some()),
    };
    let Some(v) = value else {
        return (Some(format!("--{}", f.name)), false);
    };
    let Some(on) = bool_literal(&v) else {
        return (Some(format!("--{}={v}", f.name)), consumed);
    };
    let from = if eq.is_some() {
        format!("--{name}={v}")
    } else {
        format!("--{name} {v}")
    };
    let to = if on {
        format!("--{}", f.name)
    } else {
        format!("(no --{})", f.name)
    };
    if fixes.last().is_none_or(|c| c.stage != 4) {
        fixes.push(fix(if eq.is_some() { 7 } else { 6 }, "bool", &f.name, &from, &to));
    }
    (on.then(|| format!("--{}", f.name)), consumed)
}

/// Stages 2–5 for a flag name that is not a real flag: the flag it means, and a sticky value split off its end.
fn resolve<'f>(
    name: &str,
    has_eq: bool,
    known: &[&'f Flag],
    leaf: &'f [Flag],
    literal: &[String],
    fixes: &mut Vec<Correction>,
) -> Result<(Option<&'f Flag>, Option<String>), CliError> {
    let find = |n: &str| known.iter().copied().find(|f| f.name == n);
    let mut flag = None;
    let mut sticky_value = None;
    let k = kebab(name);
    // (2) case and separators
    if let Some(f) = find(&k).filter(|_| k != name) {
        fixes.push(fix(
            2,
            "case",
            &f.name,
            &format!("--{name}"),
            &format!("--{}", f.name),
        ));
        flag = Some(f);
    }
    // (3) synonyms
    if flag.is_none()
        && let Some((_, to)) = SYNONYMS.iter().find(|(from, _)| *from == k)
        && let Some(f) = leaf.iter().find(|f| f.name == *to)
    {
        if literal.iter().any(|l| l == to) {
            return Err(CliError::validation(
                "invalid_argument",
                format!("--{name} and --{to} are two spellings of one flag; give it once"),
            )
            .param(to));
        }
        fixes.push(fix(
            3,
            "synonym",
            &f.name,
            &format!("--{name}"),
            &format!("--{}", f.name),
        ));
        flag = Some(f);
    }
    // (4) sticky value: the longest real flag that prefixes the name, if the rest fits its type
    if flag.is_none()
        && !has_eq
        && let Some((f, rest)) = sticky(name, known)
    {
        let to = if f.kind == Kind::Bool {
            format!("--{}={rest}", f.name)
        } else {
            format!("--{} {rest}", f.name)
        };
        fixes.push(fix(4, "sticky", &f.name, &format!("--{name}"), &to));
        sticky_value = Some(rest);
        flag = Some(f);
    }
    // (5) fuzzy: exactly one flag within distance 2 (1 for short names)
    if flag.is_none()
        && !k.is_empty()
        && let Some(f) = fuzzy(name, &k, known)?
    {
        fixes.push(fix(
            5,
            "fuzzy",
            &f.name,
            &format!("--{name}"),
            &format!("--{}", f.name),
        ));
        flag = Some(f);
    }
    Ok((flag, sticky_value))
}

fn fix(stage: u8, kind: &'static str, flag: &str, from: &str, to: &str) -> Correction {
    Correction {
        stage,
        kind,
        flag: flag.to_owned(),
        from: from.to_owned(),
        to: to.to_owned(),
    }
}

/// Stage 1: a reviewed alias for an old or common command path, unless the typed path exists.
fn command_path(
    root: &Command,
    argv: &[String],
    global: &[Flag],
    fixes: &mut Vec<Correction>,
) -> Vec<String> {
    let (words, _) = walk(root, argv, global);
    // Positions of the leading non-flag words (the typed path), whether or not clap knows them.
    let mut typed = Vec::new();
    let mut i = 1;
    while i < argv.len() && typed.len() < 4 {
        let t = &argv[i];
        if t == "--" {
            break;
        }
        if looks_like_flag(t) {
            let takes_value = if let Some(long) = t.strip_prefix("--") {
                !long.contains('=')
                    && global
                        .iter()
                        .find(|f| f.name == long)
                        .is_some_and(|f| !matches!(f.kind, Kind::Bool | Kind::Count | Kind::OptionalEq))
            } else {
                t.len() == 2
                    && global
                        .iter()
                        .find(|f| f.short == t.chars().nth(1))
                        .is_some_and(|f| !matches!(f.kind, Kind::Bool | Kind::Count | Kind::OptionalEq))
            };
            if !typed.is_empty() {
                break;
            }
            i += if takes_value { 2 } else { 1 };
            continue;
        }
        typed.push(i);
        i += 1;
    }
    for (from, to) in PATH_ALIASES {
        if typed.len() < from.len() || !typed.iter().zip(from.iter()).all(|(&i, w)| argv[i] == *w) {
            continue;
        }
        // An exact existing path wins.
        if words.len() >= from.len() {
            continue;
        }
        let mut out: Vec<String> = argv[..typed[0]].to_vec();
        out.extend(to.iter().map(|w| (*w).to_owned()));
        out.extend(argv[typed[from.len() - 1] + 1..].iter().cloned());
        fixes.push(fix(
            1,
            "command_path",
            &to.join(" "),
            &from.join(" "),
            &to.join(" "),
        ));
        return out;
    }
    argv.to_vec()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;
    use proptest::prelude::*;

    fn run(line: &str) -> Result<Corrected, CliError> {
        let mut argv = vec!["dws".to_owned()];
        argv.extend(line.split(' ').map(str::to_owned));
        correct(&crate::cli::command(), &argv, false)
    }

    fn fixed(line: &str) -> String {
        run(line).unwrap().argv[1..].join(" ")
    }

    #[test]
    fn kebab_cases() {
        assert_eq!(kebab("baseId"), "base-id");
        assert_eq!(kebab("USER-ID"), "user-id");
        assert_eq!(kebab("user_name"), "user-name");
        assert_eq!(kebab("HTTPServer"), "http-server");
        assert_eq!(kebab("tableId"), "table-id");
    }

    #[test]
    fn reference_examples() {
        let base = "aitable record query";
        assert_eq!(
            fixed(&format!("{base} --baseId B --tableId=T")),
            format!("{base} --base-id B --table-id=T")
        );
        assert_eq!(
            fixed(&format!("{base} --BASE-ID B --table_id T")),
            format!("{base} --base-id B --table-id T")
        );
        assert_eq!(fixed("todo task list --limit100"), "todo task list --limit 100");
        assert_eq!(fixed("todo task list --timeout30"), "todo task list --timeout 30");
        assert_eq!(
            fixed("contact user search --query eng"),
            "contact user search --keyword eng"
        );
        assert_eq!(
            fixed("todo task list --page-size 20"),
            "todo task list --limit 20"
        );
        assert_eq!(
            fixed(&format!("{base} --tabel-id T --base-id B")),
            format!("{base} --table-id T --base-id B")
        );
        assert_eq!(
            fixed("todo task create --titel X --executor u1"),
            "todo task create --title X --executors u1"
        );
        assert_eq!(
            fixed("todo task create --title X --priority High"),
            "todo task create --title X --priority high"
        );
        assert_eq!(
            fixed("todo task list --limit 1,000"),
            "todo task list --limit 1000"
        );
        assert_eq!(
            fixed("todo task list --limit 1_000"),
            "todo task list --limit 1000"
        );
        assert_eq!(
            fixed("--dry-run no contact user get-self"),
            "contact user get-self"
        );
        assert_eq!(
            fixed("--dry-run yes contact user get-self"),
            "--dry-run contact user get-self"
        );
        assert_eq!(
            fixed("contact user get-self --refresh=false"),
            "contact user get-self"
        );
        assert_eq!(
            fixed("-f JSON contact user get-self"),
            "-f json contact user get-self"
        );
        assert_eq!(fixed("--format=JSON schema"), "--format=json schema");
        assert_eq!(
            fixed("bot message send-by-bot --robot-code R --users u --text t"),
            "chat message send-by-bot --robot-code R --users u --text t"
        );
        assert_eq!(
            fixed("report inbox list --start 2024/03/29 --end 20240330"),
            "report list --start 2024-03-29 --end 2024-03-30"
        );
        // The title "Hello" stays an unknown flag: never split into a string flag.
        assert_eq!(
            fixed("todo task create --titleHello"),
            "todo task create --titleHello"
        );
    }

    #[test]
    fn date_time_gets_the_default_offset() {
        let got = run("todo task create --title X --due").map(|c| c.argv).unwrap();
        assert_eq!(got.last().unwrap(), "--due");
        let mut argv: Vec<String> = "dws todo task create --title X --due"
            .split(' ')
            .map(str::to_owned)
            .collect();
        argv.push("2024-03-29 14:00".to_owned());
        let c = correct(&crate::cli::command(), &argv, false).unwrap();
        assert_eq!(c.argv.last().unwrap(), "2024-03-29T14:00:00+08:00");
        assert_eq!(c.corrections[0].kind, "date");
        for typed in ["Mar 29, 2024", "29 March 2024", "2024/3/29", "20240329"] {
            argv.pop();
            argv.push(typed.to_owned());
            let c = correct(&crate::cli::command(), &argv, false).unwrap();
            assert_eq!(c.argv.last().unwrap(), "2024-03-29", "{typed}");
        }
    }

    #[test]
    fn ambiguities_are_errors() {
        let err = run("todo task update --task-id t --dne").unwrap_err();
        assert_eq!(err.reason, "unknown_flag");
        assert!(
            err.message.contains("--due") && err.message.contains("--done"),
            "{}",
            err.message
        );
        let err = run("report list --start 03/04/2024 --end 2024-04-05").unwrap_err();
        assert_eq!(err.reason, "invalid_argument");
        let err = run("contact user search --query a --keyword b").unwrap_err();
        assert_eq!(err.reason, "invalid_argument");
    }

    #[test]
    fn never_guesses_scope_widening_flags() {
        // `--yse` is one edit from `--yes`: left alone for clap to refuse.
        assert_eq!(
            fixed("todo task delete --task-id t --yse"),
            "todo task delete --task-id t --yse"
        );
        assert_eq!(fixed("todo task list --page-al"), "todo task list --page-al");
    }

    #[test]
    fn strict_refuses_what_it_would_correct() {
        let argv: Vec<String> = "dws todo task list --limit100"
            .split(' ')
            .map(str::to_owned)
            .collect();
        let err = correct(&crate::cli::command(), &argv, true).unwrap_err();
        assert_eq!(err.reason, "unknown_flag");
        assert!(err.hint.as_deref().unwrap_or("").contains("--limit 100"));
        let ok: Vec<String> = "dws todo task list --limit 100"
            .split(' ')
            .map(str::to_owned)
            .collect();
        assert_eq!(correct(&crate::cli::command(), &ok, true).unwrap().argv, ok);
    }

    #[test]
    fn strict_from_flag_or_env() {
        let argv = |s: &str| s.split(' ').map(str::to_owned).collect::<Vec<_>>();
        assert!(strict_requested(&argv("dws --strict x"), None));
        assert!(!strict_requested(&argv("dws x -- --strict"), None));
        assert!(strict_requested(&argv("dws x"), Some("1")));
        assert!(!strict_requested(&argv("dws x"), Some("0")));
        assert!(!strict_requested(&argv("dws x"), Some("false")));
    }

    /// A correctly spelled command line for a random leaf of the table.
    fn valid_line() -> impl Strategy<Value = Vec<String>> {
        let n = spec::COMMANDS.len();
        (0..n, proptest::collection::vec(any::<u16>(), 0..6)).prop_map(|(i, picks)| {
            let spec = &spec::COMMANDS[i];
            let mut argv = vec!["dws".to_owned()];
            argv.extend(spec.words().map(str::to_owned));
            for (k, pick) in picks.iter().enumerate() {
                let Some(p) = spec.params.get(usize::from(*pick) % spec.params.len().max(1)) else {
                    continue;
                };
                if argv.iter().any(|a| a == &format!("--{}", p.name)) {
                    continue;
                }
                argv.push(format!("--{}", p.name));
                match p.ty {
                    Ty::Bool => {}
                    Ty::Int => argv.push((k * 7).to_string()),
                    Ty::Enum => argv.push(p.values[usize::from(*pick) % p.values.len()].to_owned()),
                    Ty::Date => argv.push("2026-03-29T14:00:00+08:00".to_owned()),
                    _ => argv.push(format!("v{pick}")),
                }
            }
            argv
        })
    }

    fn token() -> impl Strategy<Value = String> {
        prop_oneof![
            "[-a-zA-Z0-9_=,./ ]{0,12}",
            Just("--".to_owned()),
            Just("-f".to_owned()),
            Just("--limit100".to_owned()),
            Just("--baseId".to_owned()),
            Just("yes".to_owned()),
            Just("--dry-run".to_owned()),
            "--[a-zA-Z_-]{1,12}(=[a-z0-9]{0,4})?",
            Just("todo".to_owned()),
            Just("task".to_owned()),
            Just("list".to_owned()),
            Just("\u{202e}é".to_owned()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn never_panics_and_is_idempotent(tokens in proptest::collection::vec(token(), 0..10)) {
            let root = crate::cli::command();
            let mut argv = vec!["dws".to_owned()];
            argv.extend(tokens);
            if let Ok(once) = correct(&root, &argv, false) {
                let twice = correct(&root, &once.argv, false).unwrap();
                prop_assert_eq!(&twice.argv, &once.argv);
                prop_assert!(twice.corrections.is_empty(), "{:?}", twice.corrections);
            }
            match correct(&root, &argv, true) {
                Ok(strict) => prop_assert_eq!(strict.argv, argv),
                Err(e) => prop_assert_eq!(e.exit, crate::exit::Exit::Validation),
            }
        }

        #[test]
        fn correct_lines_are_left_alone(argv in valid_line()) {
            let root = crate::cli::command();
            let got = correct(&root, &argv, false).unwrap();
            prop_assert!(got.corrections.is_empty(), "{:?}", got.corrections);
            prop_assert_eq!(&got.argv, &argv);
            prop_assert_eq!(correct(&root, &argv, true).unwrap().argv, argv);
        }
    }
}
