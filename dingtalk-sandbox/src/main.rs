//! `dingtalk-sandbox` server binary: `dingtalk-sandbox [--addr 127.0.0.1:PORT] [--state FILE] [--token-ttl SECS]`.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use dingtalk_sandbox::Sandbox;

const USAGE: &str = "usage: dingtalk-sandbox [--addr 127.0.0.1:PORT] [--state FILE] [--token-ttl SECS] \
                     [--redelivery-after-ms MS] [--ping-interval-secs SECS]";

#[expect(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "the binary prints its base URL and usage errors"
)]
fn main() -> ExitCode {
    let mut builder = Sandbox::builder();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next();
        let ok = match arg.as_str() {
            "--addr" => value()
                .and_then(|v| v.parse::<SocketAddr>().ok())
                .map(|a| builder = builder.clone().addr(a)),
            "--state" => value().map(|v| builder = builder.clone().state_file(v)),
            "--token-ttl" => value()
                .and_then(|v| v.parse::<u64>().ok())
                .map(|s| builder = builder.clone().token_ttl(Duration::from_secs(s))),
            "--redelivery-after-ms" => value()
                .and_then(|v| v.parse::<u64>().ok())
                .map(|s| builder = builder.clone().redelivery_after(Duration::from_millis(s))),
            "--ping-interval-secs" => value()
                .and_then(|v| v.parse::<u64>().ok())
                .map(|s| builder = builder.clone().server_ping_interval(Some(Duration::from_secs(s)))),
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            _ => None,
        };
        if ok.is_none() {
            eprintln!("invalid argument {arg}\n{USAGE}");
            return ExitCode::from(3);
        }
    }
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("cannot start the runtime: {err}");
            return ExitCode::from(5);
        }
    };
    runtime.block_on(async move {
        let handle = match builder.start().await {
            Ok(h) => h,
            Err(err) => {
                eprintln!("{err}");
                return ExitCode::from(5);
            }
        };
        println!("{}", handle.base_url());
        let _ = tokio::signal::ctrl_c().await;
        handle.shutdown().await;
        ExitCode::SUCCESS
    })
}
