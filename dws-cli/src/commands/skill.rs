//! `dws skill install|list|show|uninstall`: agent skill Markdown generated from the command table, so it always
//! matches the binary (reference §8.6). Installed files are recorded with their SHA-256 in a manifest, so install
//! and uninstall leave files a person edited alone (backed up or kept, and reported).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::exit::{CliError, Exit};
use crate::output::Outcome;
use crate::settings::Settings;
use crate::spec::{self, COMMANDS, CommandSpec, Ty};

/// The manifest file inside an installed skill directory.
const MANIFEST: &str = ".dws-skill-manifest.json";

/// Every generated file: relative path and contents.
pub(crate) fn files() -> Vec<(String, String)> {
    let mut out = vec![
        ("SKILL.md".to_owned(), skill_md()),
        ("references/global-reference.md".to_owned(), global_reference()),
        ("references/error-codes.md".to_owned(), error_codes()),
        ("references/recipes.md".to_owned(), RECIPES.to_owned()),
    ];
    let mut products: Vec<&str> = Vec::new();
    for c in COMMANDS {
        if !products.contains(&c.product()) {
            products.push(c.product());
        }
    }
    for product in products {
        out.push((format!("references/products/{product}.md"), product_md(product)));
    }
    out
}

fn flag_line(spec: &CommandSpec) -> String {
    let mut parts: Vec<String> = spec
        .params
        .iter()
        .filter(|p| p.required)
        .map(|p| format!("--{} <{}>", p.name, p.name))
        .collect();
    if spec.confirm {
        parts.push("--yes".to_owned());
    }
    if parts.is_empty() {
        return "-".to_owned();
    }
    parts.join(" ")
}

fn skill_md() -> String {
    let mut s = format!(
        "---\nname: dws\ndescription: Use the DingTalk workspace through the `dws` CLI (contacts, chat, calendar, todo, \
         approvals, attendance, DING, reports, AI tables, workbench). Generated from dws {v}; do not edit.\n\
         cli_version: {v}\n---\n\n# dws: DingTalk workspace CLI\n\n",
        v = env!("CARGO_PKG_VERSION")
    );
    s.push_str(RULES);
    s.push_str("\n## Commands\n\nEvery command of this `dws` build (`dws schema \"<path>\"` gives the full contract). ");
    s.push_str("R = reads, W = writes, W! = writes that need `--yes`, D = destructive (needs `--yes`), U = no public API (exits 6).\n\n");
    s.push_str("| Command | Effect | Summary | Required |\n|---|---|---|---|\n");
    for c in COMMANDS {
        let effect = match (c.available, c.effect) {
            (false, _) => "U",
            (true, spec::Effect::Read) => "R",
            (true, spec::Effect::Write) if c.confirm => "W!",
            (true, spec::Effect::Write) => "W",
            (true, spec::Effect::Destructive) => "D",
        };
        let _ = writeln!(
            s,
            "| `dws {}` | {effect} | {} | {} |",
            c.path,
            c.summary.replace('|', "\\|"),
            match flag_line(c).as_str() {
                "-" => "-".to_owned(),
                f => format!("`{f}`"),
            }
        );
    }
    s.push_str(
        "\n## More\n\n- `references/products/<product>.md`: every flag of every command, by product.\n\
         - `references/global-reference.md`: global flags, output formats, auth.\n\
         - `references/error-codes.md`: exit codes and error reasons.\n\
         - `references/recipes.md`: multi-step workflows.\n",
    );
    s
}

const RULES: &str = "## Rules\n\n\
- Use `dws` only; never make HTTP calls to DingTalk yourself.\n\
- Always pass `-f json` and read `response`; lists are in `response.items`, the next cursor in \
`meta.pagination.next_cursor`.\n\
- Never invent ids: look them up first (`contact user search`, `calendar event list`, …).\n\
- Writes marked D need `--yes`. Ask the human before adding `--yes`; when unsure, run with `--dry-run` first and \
show the planned requests.\n\
- Re-read after a write to confirm it (`todo task get`, `calendar event get`, …).\n\
- Write AI-table records in batches of at most 30 from the agent side (`dws` chunks by 100 itself).\n\
- Errors arrive on stderr as JSON `{ok:false, error:{category, reason, message, hint}}`; follow `hint`. Exit 3 is \
your input, 2 auth, 4 permission (an admin must grant a scope), 6 no public API or sandbox down, 7 partial.\n\
- `meta.corrections` lists flags `dws` corrected for you; use the corrected spelling next time.\n";

fn param_type(ty: Ty, values: &[&str]) -> String {
    match ty {
        Ty::Enum => values.join("\\|"),
        Ty::List => "comma list".to_owned(),
        Ty::Json => "JSON (@file, -)".to_owned(),
        Ty::Text => "text (@file, -)".to_owned(),
        other => other.as_str().to_owned(),
    }
}

fn product_md(product: &str) -> String {
    let mut s = format!(
        "# dws {product}\n\nGenerated from dws {}.\n",
        env!("CARGO_PKG_VERSION")
    );
    for c in COMMANDS.iter().filter(|c| c.product() == product) {
        let _ = write!(s, "\n## `dws {}`\n\n{}", c.path, c.summary);
        if !c.available {
            s.push_str(" **Unavailable: no public OpenAPI; exits 6.**");
        }
        if c.confirm {
            s.push_str(" Needs `--yes`.");
        }
        let _ = writeln!(s, "\n\nSchema id `{}`, effect {}.\n", c.id, c.effect.as_str());
        if !c.params.is_empty() {
            s.push_str("| Flag | Type | Required | Default | Description |\n|---|---|---|---|---|\n");
            for p in c.params {
                let _ = writeln!(
                    s,
                    "| `--{}` | {} | {} | {} | {} |",
                    p.name,
                    param_type(p.ty, p.values),
                    if p.required { "yes" } else { "" },
                    p.default.unwrap_or(""),
                    p.help.replace('|', "\\|")
                );
            }
        }
        let example = format!("dws {} {}", c.path, flag_line(c));
        let _ = writeln!(s, "\nExample: `{}`", example.trim_end_matches(" -"));
    }
    s
}

fn global_reference() -> String {
    let mut s = String::from("# Global flags and output\n\n");
    s.push_str(
        "| Flag | Meaning |\n|---|---|\n\
         | `-f json\\|table\\|raw\\|ndjson\\|csv` | output format (json when not a terminal) |\n\
         | `--jq EXPR` | jq program over the JSON document |\n\
         | `--fields a,b` | keep envelope keys, or project list items |\n\
         | `--dry-run` | print the exact requests, send nothing |\n\
         | `-y, --yes` | confirm destructive commands |\n\
         | `--timeout SECS` | per request (default 30) |\n\
         | `--profile SEL` | profile `corpId:userId`, corpId or name |\n\
         | `--sandbox[=URL]` | use the local emulator |\n\
         | `--strict` | no input correction |\n\
         | `-q` | no notes on stderr |\n\n",
    );
    s.push_str(
        "Success on stdout: `{ok:true, invocation, response, meta:{count, pagination, corrections, warnings}}`.\n\
         Text flags accept `@file`, `-` (stdin) and `@@literal`.\n\n\
         Auth: app credentials from `DWS_CLIENT_ID`/`DWS_CLIENT_SECRET`; `dws auth login` for a user profile; \
         `dws auth status` shows the state.\n",
    );
    s
}

fn error_codes() -> String {
    let mut s = String::from(
        "# Exit codes and error reasons\n\n| Exit | Meaning |\n|---|---|\n| 0 | ok |\n| 1 | api / network |\n\
         | 2 | auth |\n| 3 | validation (your input), confirmation required |\n| 4 | permission |\n\
         | 5 | internal |\n| 6 | endpoint: no public API, untrusted host, sandbox down |\n| 7 | partial failure |\n\
         | 130 | interrupted |\n\nReasons:\n\n",
    );
    for r in spec::ERROR_REASONS {
        let _ = writeln!(s, "- `{r}`");
    }
    s
}

const RECIPES: &str = "# Recipes\n\n\
## Schedule a meeting\n\n```sh\n\
dws -f json calendar event create --title Sync --start 2026-03-29T14:00:00+08:00 --end 2026-03-29T15:00:00+08:00 \
--attendees user002\n\
dws -f json calendar participant add --event <id> --users user003\n```\n\n\
## Find free slots\n\n```sh\n\
dws -f json calendar busy search --users user002,user003 --start 2026-03-23T00:00:00+08:00 \
--end 2026-03-24T00:00:00+08:00 --jq '.response'\n```\n\n\
## Import records into an AI table\n\n```sh\n\
dws -f json aitable record create --base-id B --table-id T --records @rows.json   # chunked by 100\n```\n\n\
## Daily todo summary\n\n```sh\n\
dws -f json todo task list --page-all --jq '.response.items[] | {subject, dueTime}'\n```\n\n\
## Department members\n\n```sh\n\
dws -f json contact dept search --keyword Eng --jq '.response.items[0].deptId'\n\
dws -f json contact dept list-members --ids <deptId>\n```\n";

fn digest(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    d.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The skill directories for `--target` (or `DIR/dws` for `--dir`).
fn targets(target: &str, dir: Option<&str>) -> Result<Vec<PathBuf>, CliError> {
    if let Some(d) = dir {
        return Ok(vec![PathBuf::from(d).join("dws")]);
    }
    let home = crate::env::var(crate::env::HOME)
        .map(PathBuf::from)
        .ok_or_else(|| CliError::validation("invalid_argument", "HOME is not set").hint("pass --dir DIR"))?;
    let one = |t: &str| -> PathBuf {
        match t {
            "agents" => home.join(".agents/skills/dws"),
            "cursor" => home.join(".cursor/skills/dws"),
            "codex" => home.join(".codex/skills/dws"),
            "project" => PathBuf::from(".agents/skills/dws"),
            _ => home.join(".claude/skills/dws"),
        }
    };
    Ok(if target == "all" {
        ["agents", "claude", "cursor", "codex"]
            .iter()
            .map(|t| one(t))
            .collect()
    } else {
        vec![one(target)]
    })
}

fn read_manifest(dir: &Path) -> Map<String, Value> {
    std::fs::read_to_string(dir.join(MANIFEST))
        .ok()
        .and_then(|s| serde_json::from_str::<Value>(&s).ok())
        .and_then(|v| v.get("files").and_then(Value::as_object).cloned())
        .unwrap_or_default()
}

fn io_err(path: &Path, e: &std::io::Error) -> CliError {
    CliError::new(Exit::Internal, "internal", format!("{}: {e}", path.display()))
}

fn now_secs() -> u64 {
    dingtalk_core::Clock::epoch_millis(&dingtalk_core::SystemClock) / 1000
}

/// `dws skill install`.
pub(crate) fn install(settings: &Settings, target: &str, dir: Option<&str>) -> Result<Outcome, CliError> {
    let generated = files();
    let mut results = Vec::new();
    for root in targets(target, dir)? {
        let manifest = read_manifest(&root);
        let (mut written, mut unchanged, mut backed_up) = (Vec::new(), Vec::new(), Vec::new());
        let mut recorded = Map::new();
        for (rel, text) in &generated {
            let path = root.join(rel);
            let new_digest = digest(text.as_bytes());
            recorded.insert(rel.clone(), json!(new_digest));
            match std::fs::read(&path) {
                Ok(old) if digest(&old) == new_digest => {
                    unchanged.push(rel.clone());
                    continue;
                }
                Ok(old) => {
                    let ours = manifest.get(rel).and_then(Value::as_str) == Some(digest(&old).as_str());
                    if !ours {
                        let backup = format!("{rel}.user-{}.bak", now_secs());
                        if !settings.dry_run {
                            std::fs::rename(&path, root.join(&backup)).map_err(|e| io_err(&path, &e))?;
                        }
                        backed_up.push(json!({"file": rel, "backup": backup}));
                    }
                }
                Err(_) => {}
            }
            if !settings.dry_run {
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| io_err(parent, &e))?;
                }
                std::fs::write(&path, text).map_err(|e| io_err(&path, &e))?;
            }
            written.push(rel.clone());
        }
        if !settings.dry_run {
            let m = json!({"cli_version": env!("CARGO_PKG_VERSION"), "files": recorded});
            let path = root.join(MANIFEST);
            std::fs::write(&path, serde_json::to_string_pretty(&m).unwrap_or_default())
                .map_err(|e| io_err(&path, &e))?;
        }
        results.push(json!({
            "dir": root.display().to_string(), "written": written, "unchanged": unchanged.len(),
            "backed_up": backed_up, "dry_run": settings.dry_run,
        }));
    }
    Ok(Outcome {
        response: json!({"items": results}),
        ..Outcome::default()
    })
}

/// Installed skill directories (those with a manifest) among the known targets.
pub(crate) fn installed_dirs() -> Vec<PathBuf> {
    let mut dirs = targets("all", None).unwrap_or_default();
    dirs.push(PathBuf::from(".agents/skills/dws"));
    dirs.into_iter().filter(|d| d.join(MANIFEST).exists()).collect()
}

/// `dws skill list`: every known target directory (and `--dir`), whether installed, and edited files.
pub(crate) fn list(dir: Option<&str>) -> Result<Outcome, CliError> {
    let mut dirs = targets("all", None)?;
    dirs.push(PathBuf::from(".agents/skills/dws"));
    if let Some(d) = dir {
        dirs.push(PathBuf::from(d).join("dws"));
    }
    let current: Map<String, Value> = files()
        .into_iter()
        .map(|(rel, text)| (rel, json!(digest(text.as_bytes()))))
        .collect();
    let items: Vec<Value> = dirs
        .iter()
        .map(|root| {
            let manifest_text = std::fs::read_to_string(root.join(MANIFEST)).ok();
            let version = manifest_text
                .as_deref()
                .and_then(|s| serde_json::from_str::<Value>(s).ok())
                .and_then(|v| v.get("cli_version").cloned());
            let manifest = read_manifest(root);
            let edited: Vec<&String> = manifest
                .iter()
                .filter(|(rel, d)| {
                    std::fs::read(root.join(rel)).is_ok_and(|b| Some(digest(&b).as_str()) != d.as_str())
                })
                .map(|(rel, _)| rel)
                .collect();
            json!({
                "dir": root.display().to_string(),
                "installed": manifest_text.is_some(),
                "cli_version": version,
                "up_to_date": manifest_text.is_some() && manifest == current,
                "edited": edited,
            })
        })
        .collect();
    Ok(Outcome {
        response: json!({"items": items}),
        ..Outcome::default()
    })
}

/// `dws skill show [--file F]`: the generated Markdown.
pub(crate) fn show(file: Option<&str>) -> Result<String, CliError> {
    let want = file.unwrap_or("SKILL.md");
    let all = files();
    let names: Vec<String> = all.iter().map(|(n, _)| n.clone()).collect();
    all.into_iter()
        .find(|(n, _)| n == want)
        .map(|(_, t)| t)
        .ok_or_else(|| {
            CliError::validation("invalid_argument", format!("--file: no generated file `{want}`"))
                .param("file")
                .hint(format!("one of: {}", names.join(", ")))
        })
}

/// `dws skill uninstall`: removes files that still match the manifest; edited files stay and are reported.
pub(crate) fn uninstall(settings: &Settings, target: &str, dir: Option<&str>) -> Result<Outcome, CliError> {
    crate::commands::confirm(settings, "remove the installed dws skill")?;
    let mut results = Vec::new();
    for root in targets(target, dir)? {
        if !root.join(MANIFEST).exists() {
            results.push(json!({"dir": root.display().to_string(), "installed": false}));
            continue;
        }
        let manifest = read_manifest(&root);
        let (mut removed, mut kept) = (Vec::new(), Vec::new());
        for (rel, d) in &manifest {
            let path = root.join(rel);
            match std::fs::read(&path) {
                Ok(b) if Some(digest(&b).as_str()) == d.as_str() => {
                    if !settings.dry_run {
                        std::fs::remove_file(&path).map_err(|e| io_err(&path, &e))?;
                    }
                    removed.push(rel.clone());
                }
                Ok(_) => kept.push(rel.clone()),
                Err(_) => {}
            }
        }
        if !settings.dry_run {
            let _ = std::fs::remove_file(root.join(MANIFEST));
            // Empty directories go; anything a person added stays.
            for sub in ["references/products", "references", ""] {
                let _ = std::fs::remove_dir(root.join(sub));
            }
        }
        results.push(json!({
            "dir": root.display().to_string(), "installed": true, "removed": removed.len(), "kept_edited": kept,
            "dry_run": settings.dry_run,
        }));
    }
    Ok(Outcome {
        response: json!({"items": results}),
        ..Outcome::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skill_lists_every_command_and_flag() {
        let all = files();
        let skill = &all[0].1;
        for c in COMMANDS {
            assert!(
                skill.contains(&format!("`dws {}`", c.path)),
                "SKILL.md misses {}",
                c.path
            );
            let product = all
                .iter()
                .find(|(n, _)| *n == format!("references/products/{}.md", c.product()))
                .map_or_else(|| panic!("no product file for {}", c.product()), |(_, t)| t);
            for p in c.params {
                assert!(
                    product.contains(&format!("`--{}`", p.name)),
                    "{} misses --{}",
                    c.path,
                    p.name
                );
            }
        }
        assert!(skill.starts_with("---\nname: dws\n"));
    }
}
