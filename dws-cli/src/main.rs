//! `dws`: the DingTalk workspace CLI. Parse, resolve into [`settings::Settings`], run, report.

mod audit;
mod cli;
mod commands;
mod correct;
mod env;
mod exit;
mod jq;
mod output;
mod paths;
mod progress;
mod settings;
mod spec;
mod when;

use std::io::{IsTerminal as _, Write as _};
use std::process::ExitCode;

use crate::cli::Format;
use crate::commands::{Ctx, Params, builtin};
use crate::exit::{CliError, Exit};
use crate::output::{Invocation, Outcome};
use crate::settings::Settings;

fn main() -> ExitCode {
    let execution_id = uuid::Uuid::new_v4().to_string();
    let argv = cli::normalize_argv(std::env::args());
    let argv = match corrected(&argv, &execution_id) {
        Ok(argv) => argv,
        Err(code) => return code,
    };
    let matches = match cli::command().try_get_matches_from(&argv) {
        Ok(m) => m,
        // Implicit stdin: a missing body flag is filled from a piped stdin (`cat notes.md | dws … send-by-bot …`).
        Err(err) => match cli::implicit_stdin_flag(&err) {
            Some(flag) if !std::io::stdin().is_terminal() => {
                let mut argv = argv.clone();
                argv.extend([flag, "-".to_owned()]);
                match cli::command().try_get_matches_from(argv) {
                    Ok(m) => m,
                    Err(err) => return usage(&err, &execution_id),
                }
            }
            _ => return usage(&err, &execution_id),
        },
    };
    let globals = match cli::globals(&matches) {
        Ok(g) => g,
        Err(err) => return usage(&err, &execution_id),
    };
    let json_errors = !matches!(globals.format, Some(Format::Table) | None);
    warn_secret_on_argv(&matches, &globals);
    let mut settings = match Settings::resolve(globals) {
        Ok(s) => s,
        Err(err) => return report(&err, json_errors, &execution_id),
    };
    let leaf = cli::leaf_path(&matches).0.join(" ");
    let runtime = match runtime_for(&settings, &leaf) {
        Ok(rt) => rt,
        Err(e) => {
            return report(
                &CliError::internal(format!("runtime: {e}")),
                json_errors,
                &execution_id,
            );
        }
    };
    // A bare `--sandbox` with nothing running: serve a throwaway sandbox from this process for this one command.
    let _embedded = if settings.embedded_sandbox && matches.subcommand_name() != Some("sandbox") {
        match runtime.block_on(dingtalk_sandbox::Sandbox::start()) {
            Ok(handle) => {
                if !settings.quiet {
                    let _ = writeln!(
                        std::io::stderr(),
                        "note: no sandbox running; using a throwaway embedded one (its state ends with this \
                         command; `dws sandbox serve` keeps one running)"
                    );
                }
                settings.sandbox = Some(handle.base_url());
                Some(handle)
            }
            Err(e) => {
                let err = CliError::new(
                    Exit::Endpoint,
                    "sandbox_unreachable",
                    format!("embedded sandbox: {e}"),
                )
                .hint("start one with `dws sandbox serve` and pass --sandbox=URL");
                return report(&err, json_errors, &execution_id);
            }
        }
    } else {
        None
    };
    // `sandbox serve` handles Ctrl-C itself (clean shutdown, exit 0); everything else is cut short with 130.
    let serves =
        matches.subcommand_name() == Some("sandbox") || matches!(leaf.as_str(), "bot run" | "event listen");
    // A panic becomes a JSON error with exit 5; the default hook's text (which might quote values) is not printed.
    std::panic::set_hook(Box::new(|_| {}));
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        runtime.block_on(async {
            if serves {
                return run(&settings, &matches).await;
            }
            tokio::select! {
                r = run(&settings, &matches) => r,
                _ = tokio::signal::ctrl_c() => Ok(Exit::Interrupted),
            }
        })
    }));
    let result = caught.unwrap_or_else(|_| {
        let mut err = CliError::internal("dws panicked; this is a bug");
        "panic".clone_into(&mut err.reason);
        Err(err)
    });
    match result {
        Ok(code) => code.into(),
        Err(err) if err.is_broken_pipe() => ExitCode::SUCCESS,
        Err(err) => report(&err, settings.format != Format::Table, &execution_id),
    }
}

/// A literal `--client-secret` on the command line is kept in shell history: say so.
fn warn_secret_on_argv(matches: &clap::ArgMatches, globals: &cli::Globals) {
    let secret_on_argv = matches.value_source("client_secret")
        == Some(clap::parser::ValueSource::CommandLine)
        && !globals
            .client_secret
            .as_deref()
            .is_some_and(|s| s.starts_with('@'));
    if secret_on_argv && !globals.quiet {
        let _ = writeln!(
            std::io::stderr(),
            "warning: --client-secret on the command line is kept in shell history; prefer DWS_CLIENT_SECRET"
        );
    }
}

/// Input correction (reference §4.3), before clap: notes on stderr (unless `-q`), recorded for the output.
fn corrected(argv: &[String], execution_id: &str) -> Result<Vec<String>, ExitCode> {
    let strict = correct::strict_requested(argv, env::var(env::STRICT).as_deref());
    let end = argv.iter().position(|a| a == "--").unwrap_or(argv.len());
    let flags = &argv[..end];
    output::set_color(!flags.iter().any(|a| a == "--no-color") && env::var(env::NO_COLOR).is_none());
    // `--tz` for date-times completed by the pipeline; a bad value is reported by clap/Settings later.
    let tz = flags
        .iter()
        .position(|a| a == "--tz")
        .and_then(|i| flags.get(i + 1).cloned())
        .or_else(|| {
            flags
                .iter()
                .find_map(|a| a.strip_prefix("--tz=").map(str::to_owned))
        })
        .or_else(|| env::var(env::TZ));
    let offset = tz.and_then(|t| when::tz_offset_min(&t).ok()).unwrap_or(480);
    match correct::correct_tz(&cli::command(), argv, strict, offset) {
        Ok(c) => {
            correct::record(&c.corrections);
            let quiet = c
                .argv
                .iter()
                .take_while(|a| *a != "--")
                .any(|a| a == "-q" || a == "--quiet");
            if !quiet {
                let mut err = std::io::stderr().lock();
                for fix in &c.corrections {
                    let _ = writeln!(err, "{}", output::clean(&fix.note()));
                }
            }
            Ok(c.argv)
        }
        Err(err) => Err(report(&err, false, execution_id)),
    }
}

/// clap errors: help and version exit 0; misuse exits 3 (clap's 2 means auth here).
fn usage(err: &clap::Error, execution_id: &str) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        err.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = err.print();
        return ExitCode::SUCCESS;
    }
    let first = err.to_string();
    let message = first
        .lines()
        .next()
        .unwrap_or("invalid arguments")
        .trim_start_matches("error: ")
        .to_owned();
    let reason = if err.kind() == ErrorKind::UnknownArgument {
        "unknown_flag"
    } else {
        "invalid_argument"
    };
    let e = CliError::validation(reason, message).hint("see --help");
    report(&e, false, execution_id)
}

fn report(err: &CliError, json_wanted: bool, execution_id: &str) -> ExitCode {
    output::print_error(err, json_wanted, execution_id);
    err.exit.into()
}

async fn run(settings: &Settings, matches: &clap::ArgMatches) -> Result<Exit, CliError> {
    let (words, m) = cli::leaf_path(matches);
    let path = words.join(" ");
    match path.as_str() {
        "version" => builtin::version(settings, m.get_flag("json")).map(|()| Exit::Ok),
        "schema" => {
            let words: Vec<String> = m
                .get_many::<String>("path")
                .map(|v| v.cloned().collect())
                .unwrap_or_default();
            builtin::schema(settings, &words, m.get_flag("compact"), m.get_flag("all")).map(|()| Exit::Ok)
        }
        "completion" => builtin::completion(m.get_one::<String>("shell").map_or("bash", String::as_str))
            .map(|()| Exit::Ok),
        "doctor" => builtin::doctor(settings, m.get_flag("deep")).await,
        "auth status" => commands::auth::status(settings),
        "auth logout" => commands::auth::logout(settings, m.get_flag("all")),
        "profile list" | "profile use" | "profile remove" => {
            let action = words.get(1).map_or("list", String::as_str);
            let selector = m.try_get_one::<String>("selector").ok().flatten();
            commands::auth::profile(settings, action, selector.map(String::as_str))
        }
        "sandbox serve" => {
            builtin::sandbox_serve(
                settings,
                m.get_one::<String>("addr").map_or("127.0.0.1:0", String::as_str),
            )
            .await
        }
        "api" => {
            let get = |k: &str| m.get_one::<String>(k).cloned();
            let args = builtin::ApiArgs {
                method: get("method").unwrap_or_default(),
                path: get("path").unwrap_or_default(),
                params: m
                    .get_many::<String>("params")
                    .map(|v| v.cloned().collect())
                    .unwrap_or_default(),
                data: get("data"),
                host: get("host"),
                page_all: m.get_flag("page-all"),
                page_limit: m.get_one::<u32>("page-limit").copied().unwrap_or(10),
            };
            let inv = Invocation {
                command: "api".to_owned(),
                schema_id: None,
                profile: settings.profile.clone(),
                params: serde_json::json!({"method": args.method, "path": args.path, "params": args.params})
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
            };
            execute(settings, &inv, Job::Api(args)).await
        }
        _ => {
            let spec = spec::find(&path).ok_or_else(|| {
                CliError::validation("unknown_command", format!("unknown command `{path}`"))
            })?;
            let params = Params::from_matches(spec, m, settings.tz_offset_min)?;
            if spec.local {
                return run_local(settings, spec, &params).await;
            }
            // On a leaf that owns `--fields` (aitable create), the value is its payload, not a projection.
            let owned;
            let settings = if spec.params.iter().any(|p| p.name == "fields") {
                owned = Settings {
                    fields: None,
                    ..settings.clone()
                };
                &owned
            } else {
                settings
            };
            let inv = Invocation {
                command: spec.path.to_owned(),
                schema_id: Some(spec.id.to_owned()),
                profile: settings.profile.clone(),
                params: params.redacted(spec),
            };
            execute(settings, &inv, Job::Product(spec, &params)).await
        }
    }
}

/// The tokio runtime for one command. Work that never touches the network (a dry run, the offline built-ins) runs
/// on one thread: starting the worker threads was a fixed ~1 ms of every such call. Anything that sends, serves or
/// embeds a sandbox gets two workers.
fn runtime_for(settings: &Settings, leaf: &str) -> std::io::Result<tokio::runtime::Runtime> {
    let offline = (settings.dry_run && !settings.embedded_sandbox && leaf != "demo")
        || matches!(
            leaf,
            "version" | "schema" | "completion" | "skill show" | "skill list"
        );
    if offline {
        tokio::runtime::Builder::new_current_thread().enable_all().build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
    }
}

/// Commands of the table that run on this machine (`spec.local`).
async fn run_local(
    settings: &Settings,
    spec: &'static spec::CommandSpec,
    p: &Params,
) -> Result<Exit, CliError> {
    use commands::{events, skill, upgrade};
    let started = dingtalk_core::Clock::now(&dingtalk_core::SystemClock);
    let outcome = match spec.path {
        "skill show" => {
            output::print_text(&skill::show(p.str("file"))?)?;
            return Ok(Exit::Ok);
        }
        "bot run" => {
            let duration = p.int("duration").and_then(|n| u64::try_from(n).ok());
            let config = p.str("config").unwrap_or("dingtalk-bot.toml");
            return commands::bot::run(settings, config, p.str("account"), duration).await;
        }
        "msg send" => commands::bot::send(settings, &commands::bot::SendArgs::from_params(p)?).await?,
        "demo" => {
            let message = p.str("message").unwrap_or_default();
            return commands::bot::demo(settings, message, p.str("user").unwrap_or("user001")).await;
        }
        "event listen" => {
            let args = events::ListenArgs {
                topics: p.list("topics"),
                max_events: p.int("max-events").and_then(|n| u64::try_from(n).ok()),
                duration: p.int("duration").and_then(|n| u64::try_from(n).ok()),
            };
            return events::listen(settings, args).await;
        }
        "auth login" => {
            let get = |k: &str| p.str(k).map(str::to_owned);
            let args = commands::auth::LoginArgs {
                browser: p.flag("browser"),
                paste: p.flag("paste"),
                device: p.flag("device"),
                port: p.int("port"),
                token: get("token"),
                refresh_token: get("refresh-token"),
                expires_in: p.int("expires-in").unwrap_or(7200),
                app_only: p.flag("app-only"),
                operator: get("operator"),
                corp_id: get("corp-id"),
                name: get("name"),
                no_store_secret: p.flag("no-store-secret"),
            };
            return commands::auth::login(settings, args).await;
        }
        "audit verify" => {
            let doc = match p.str("file") {
                Some(f) => {
                    let target = paths::output_target(f).map_err(|e| e.param("file"))?;
                    audit::verify(&target)?
                }
                None => audit::verify(&audit::path(settings))?,
            };
            Outcome {
                response: doc,
                ..Outcome::default()
            }
        }
        "profile rename" => {
            return commands::auth::rename(settings, p.req("selector")?, p.req("name")?);
        }
        "auth export" => commands::auth::export(
            settings,
            p.req("file")?,
            &p.list("profiles"),
            p.str("passphrase-file"),
        )?,
        "auth import" => commands::auth::import(
            settings,
            p.req("file")?,
            p.flag("force"),
            p.str("passphrase-file"),
        )?,
        "skill install" => skill::install(settings, p.str("target").unwrap_or("claude"), p.str("dir"))?,
        "skill list" => skill::list(p.str("dir"))?,
        "skill uninstall" => skill::uninstall(settings, p.str("target").unwrap_or("claude"), p.str("dir"))?,
        "upgrade" => {
            let args = upgrade::UpgradeArgs {
                from: p.str("from").map(str::to_owned),
                check: p.flag("check"),
                list: p.flag("list"),
                version: p.str("version").map(str::to_owned),
                force: p.flag("force"),
                rollback: p.flag("rollback"),
                skip_skills: p.flag("skip-skills"),
            };
            upgrade::run(settings, args).await?
        }
        other => return Err(CliError::internal(format!("no local runner for `{other}`"))),
    };
    let inv = Invocation {
        command: spec.path.to_owned(),
        schema_id: Some(spec.id.to_owned()),
        profile: settings.profile.clone(),
        params: p.redacted(spec),
    };
    output::print_success(settings, &inv, &outcome, started.elapsed().as_millis())?;
    Ok(Exit::Ok)
}

/// A request-making command.
enum Job<'a> {
    Api(builtin::ApiArgs),
    Product(&'static spec::CommandSpec, &'a Params),
}

/// Runs a request-making command: sandbox check, run, dry-run plan or result, exit code.
async fn execute(settings: &Settings, inv: &Invocation, job: Job<'_>) -> Result<Exit, CliError> {
    let started = dingtalk_core::Clock::now(&dingtalk_core::SystemClock);
    if let Some(url) = &settings.sandbox
        && !settings.dry_run
        && let Err(e) = builtin::reachable(url).await
    {
        return Err(CliError::new(
            Exit::Endpoint,
            "sandbox_unreachable",
            format!("sandbox {url}: {e}"),
        )
        .hint("start one with `dws sandbox serve` or pass --sandbox=URL"));
    }
    let mut ctx = Ctx::new(settings)?;
    let audited = match &job {
        Job::Api(args) => (!args.method.eq_ignore_ascii_case("GET")).then(Vec::new),
        Job::Product(spec, params) => {
            (spec.effect != spec::Effect::Read).then(|| audit::targets(spec, params))
        }
    }
    .filter(|_| settings.audit && !settings.dry_run);
    let result = match job {
        Job::Api(args) => builtin::api(&mut ctx, args).await,
        Job::Product(spec, params) => commands::products::run(spec, params, &mut ctx).await,
    };
    if let Some(targets) = audited {
        let outcome = match &result {
            Ok(o) if o.partial => "partial".to_owned(),
            Ok(_) => "ok".to_owned(),
            Err(e) => format!("error:{}", e.reason),
        };
        let entry = audit::Entry {
            command: &inv.command,
            schema_id: inv.schema_id.as_deref(),
            targets,
            request_ids: ctx.request_ids.clone(),
            outcome,
        };
        // The write has happened (or failed) already: a log that cannot be written is reported, not turned into a
        // failure of the command (which would invite a duplicate retry).
        if let Err(e) = audit::append(settings, &entry).await {
            output::prompt(&format!("warning: the audit log was not written: {}", e.message));
        }
    }
    let mut outcome = result?;
    if settings.dry_run {
        outcome = Outcome {
            response: serde_json::json!({
                "dry_run": true,
                "requests": ctx.planned,
                "note": "nothing was sent; tokens and secrets are shown as <redacted>; ids of earlier steps as placeholders",
            }),
            ..Outcome::default()
        };
    }
    let partial = outcome.partial;
    if partial {
        outcome
            .warnings
            .push("some items failed; see response".to_owned());
    }
    output::print_success(settings, inv, &outcome, started.elapsed().as_millis())?;
    Ok(if partial { Exit::Partial } else { Exit::Ok })
}

#[cfg(test)]
mod tests {
    #[test]
    fn value_is_used() {
        let v = serde_json::json!(1);
        assert!(v.is_number());
    }
}
