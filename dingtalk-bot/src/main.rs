//! `dingtalk-bot`: run the bot, send a message as the bot, list conversations, manage pairings.
//!
//! A thin shell over [`dingtalk_bot::app`]: it parses the command line, reads stdin for `send -`, and prints.

#![expect(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line program reports on stdout/stderr"
)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use dingtalk_bot::app::{App, AppError, AppErrorKind, AppOptions, SendRequest};

#[derive(Parser)]
#[command(
    name = "dingtalk-bot",
    version,
    about = "A DingTalk bot that answers with an AI agent"
)]
struct Cli {
    /// The config file.
    #[arg(long, short, default_value = "dingtalk-bot.toml", global = true)]
    config: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Connect and answer messages until Ctrl-C.
    Run {
        /// Only this account (default: every enabled account).
        #[arg(long)]
        account: Option<String>,
    },
    /// Send markdown (default) or text as the bot.
    Send {
        /// The account (default: `default_account`).
        #[arg(long)]
        account: Option<String>,
        /// A group's open conversation id, or `user:<staffId>`; default: the most recent group.
        #[arg(long)]
        to: Option<String>,
        /// The title of a markdown message.
        #[arg(long)]
        title: Option<String>,
        /// Send plain text instead of markdown.
        #[arg(long)]
        text: bool,
        /// The message (`-` reads stdin).
        message: Vec<String>,
    },
    /// Conversations the bot has seen.
    Conversations {
        /// The account (default: `default_account`).
        #[arg(long)]
        account: Option<String>,
    },
    /// Pairing requests and approvals.
    Pairing {
        #[command(subcommand)]
        action: PairingAction,
        /// The account (default: `default_account`).
        #[arg(long, global = true)]
        account: Option<String>,
    },
}

#[derive(Subcommand)]
enum PairingAction {
    /// Pending codes and approved users.
    List,
    /// Approve a code.
    Approve { code: String },
    /// Deny a code.
    Deny { code: String },
    /// Remove an approved user.
    Revoke { user: String },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::from(5);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            let mut source = std::error::Error::source(&e);
            while let Some(cause) = source {
                eprintln!("  caused by: {cause}");
                source = cause.source();
            }
            if let Some(hint) = e.hint() {
                eprintln!("  hint: {hint}");
            }
            ExitCode::from(1)
        }
    }
}

async fn run(cli: Cli) -> Result<(), AppError> {
    let mut options = AppOptions::default();
    if let Some(account) = cli.command.account() {
        options = options.account(account);
    }
    let app = App::load(&cli.config, options)?;
    for warning in app.warnings() {
        eprintln!("warning: {warning}");
    }
    match cli.command {
        Command::Run { .. } => {
            app.run(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
        }
        Command::Send {
            to,
            title,
            text,
            message,
            ..
        } => {
            let mut body = message.join(" ");
            if body == "-" || body.is_empty() {
                body.clear();
                std::io::Read::read_to_string(&mut std::io::stdin(), &mut body).map_err(|e| {
                    AppError::new(AppErrorKind::Usage, "cannot read the message from stdin").with_source(e)
                })?;
            }
            let report = app
                .send(&SendRequest {
                    to,
                    title,
                    text,
                    body,
                })
                .await?;
            println!("{}", serde_json::json!({"ok": true, "messages": report.messages}));
            Ok(())
        }
        Command::Conversations { .. } => {
            for entry in app.conversations()? {
                println!("{}", serde_json::to_string(&entry).unwrap_or_default());
            }
            Ok(())
        }
        Command::Pairing { action, .. } => {
            let admin = app.pairing()?;
            match action {
                PairingAction::List => {
                    for p in admin.pending() {
                        println!(
                            "{}",
                            serde_json::json!({"pending": p.code, "user": p.user, "issued_ms": p.issued_ms})
                        );
                    }
                    for user in admin.approved() {
                        println!("{}", serde_json::json!({"approved": user}));
                    }
                }
                PairingAction::Approve { code } => println!("approved {}", admin.approve(&code)?),
                PairingAction::Deny { code } => {
                    admin.deny(&code)?;
                    println!("denied");
                }
                PairingAction::Revoke { user } => {
                    admin.revoke(&user)?;
                    println!("revoked {user}");
                }
            }
            Ok(())
        }
    }
}

impl Command {
    fn account(&self) -> Option<String> {
        match self {
            Self::Run { account }
            | Self::Send { account, .. }
            | Self::Conversations { account }
            | Self::Pairing { account, .. } => account.clone(),
        }
    }
}
