//! The command line: global flags by clap derive, the command tree generated from [`crate::spec::COMMANDS`].

use clap::{Arg, ArgAction, Args, Command, FromArgMatches, ValueEnum};

use crate::env;
use crate::spec::{COMMANDS, CommandSpec, Ty};

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Human columns.
    Table,
    /// One JSON document.
    Json,
    /// Upstream bodies as received.
    Raw,
    /// One JSON line per item.
    Ndjson,
    /// RFC 4180 CSV.
    Csv,
}

/// Global flags, valid before or after the command path.
#[derive(Args, Debug, Clone)]
#[expect(clippy::struct_excessive_bools, reason = "independent global switches")]
pub(crate) struct Globals {
    /// Output format (default: table on a terminal, json otherwise)
    #[arg(short = 'f', long, global = true, value_enum, env = env::FORMAT)]
    pub(crate) format: Option<Format>,
    /// jq program applied to the JSON document (jaq)
    #[arg(long, global = true)]
    pub(crate) jq: Option<String>,
    /// Projection: envelope keys, or item fields (comma list)
    #[arg(long = "fields", global = true, value_name = "A,B", id = "global_fields")]
    pub(crate) fields: Option<String>,
    /// Print the exact requests; send nothing
    #[arg(long, global = true)]
    pub(crate) dry_run: bool,
    /// Answer yes to confirmation gates
    #[arg(short = 'y', long, global = true)]
    pub(crate) yes: bool,
    /// Per-request timeout in seconds (0 = none)
    #[arg(long, global = true, default_value_t = 30)]
    pub(crate) timeout: u64,
    /// Profile selector (corpId:userId, corpId or name)
    #[arg(long, global = true, env = env::PROFILE)]
    pub(crate) profile: Option<String>,
    /// Use the local emulator (URL, else `DWS_SANDBOX_URL`, else the address `dws sandbox serve` recorded)
    #[arg(long, global = true, num_args = 0..=1, require_equals = true, default_missing_value = "", value_name = "URL")]
    pub(crate) sandbox: Option<String>,
    /// App client id (AppKey)
    #[arg(long, global = true, env = env::CLIENT_ID, hide_env_values = true)]
    pub(crate) client_id: Option<String>,
    /// App client secret (prefer the env var or @file)
    #[arg(long, global = true, env = env::CLIENT_SECRET, hide_env_values = true)]
    pub(crate) client_secret: Option<String>,
    /// Operator userId in sandbox mode (default user001)
    #[arg(long, global = true, env = env::AS_USER)]
    pub(crate) as_user: Option<String>,
    /// More stderr logging (repeatable)
    #[arg(short = 'v', long, global = true, action = ArgAction::Count)]
    pub(crate) verbose: u8,
    /// Like -vv: each request (token and secrets redacted) and each response body on stderr
    #[arg(long, global = true)]
    pub(crate) debug: bool,
    /// Tables: do not truncate long cells
    #[arg(long, global = true)]
    pub(crate) wide: bool,
    /// Drop stderr notes
    #[arg(short = 'q', long, global = true)]
    pub(crate) quiet: bool,
    /// `-o`: the output file.
    #[arg(
        short = 'o',
        long,
        global = true,
        value_name = "FILE",
        help = "Write the output to FILE (atomic, mode 0600, inside the working directory or DWS_INPUT_ROOTS)"
    )]
    pub(crate) output: Option<String>,
    /// No colour in tables and human messages (also `NO_COLOR`)
    #[arg(long, global = true)]
    pub(crate) no_color: bool,
    /// Timezone for times without an offset: UTC, ±HH:MM or a fixed-offset IANA name (`DWS_TZ`; default +08:00)
    #[arg(long, global = true, env = env::TZ, value_name = "TZ")]
    pub(crate) tz: Option<String>,
    /// Append a hash-chained line per write command to the local audit log (`DWS_AUDIT=1`; see `dws audit verify`)
    #[arg(long, global = true, env = env::AUDIT, value_parser = clap::builder::BoolishValueParser::new())]
    pub(crate) audit: bool,
    /// Turn off input correction (`DWS_STRICT=1|true|yes|on`)
    #[arg(long, global = true, env = env::STRICT, value_parser = clap::builder::BoolishValueParser::new())]
    pub(crate) strict: bool,
}

/// The root command with every global flag, built-in command and generated leaf.
#[expect(
    clippy::too_many_lines,
    reason = "the built-in commands, declared in one place"
)]
pub(crate) fn command() -> Command {
    let root = Command::new("dws")
        .version(env!("CARGO_PKG_VERSION"))
        .about("dws: the DingTalk workspace CLI for people and AI agents")
        .subcommand_required(true)
        .arg_required_else_help(true);
    let mut root = Globals::augment_args(root);
    root = root
        .subcommand(
            Command::new("version")
                .about("Print version information")
                .arg(flag("json", "JSON output")),
        )
        .subcommand(
            Command::new("schema")
                .about("Describe commands: catalogue, product, or one command")
                .arg(
                    Arg::new("path")
                        .num_args(0..)
                        .help("product, schema id or CLI path"),
                )
                .arg(flag("compact", "agent-sized output"))
                .arg(flag("all", "every command in full")),
        )
        .subcommand(
            Command::new("completion")
                .about("Shell completion script on stdout")
                .arg(Arg::new("shell").required(true).value_parser([
                    "bash",
                    "zsh",
                    "fish",
                    "powershell",
                    "elvish",
                ])),
        )
        .subcommand(
            Command::new("auth")
                .about("Log in, check and log out")
                .subcommand_required(true)
                .subcommand(Command::new("status").about("Profile, token state and last refresh"))
                .subcommand(
                    Command::new("logout")
                        .about("Delete local tokens")
                        .arg(flag("all", "every profile")),
                ),
        )
        .subcommand(
            Command::new("profile")
                .about("List and switch profiles")
                .subcommand_required(true)
                .subcommand(Command::new("list").about("All profiles"))
                .subcommand(
                    Command::new("use")
                        .about("Switch profile (- for the previous one)")
                        .arg(Arg::new("selector").required(true).allow_hyphen_values(true)),
                )
                .subcommand(
                    Command::new("remove")
                        .about("Remove a profile and its tokens")
                        .arg(Arg::new("selector").required(true)),
                ),
        )
        .subcommand(
            Command::new("doctor")
                .about("Check configuration, credentials and reachability")
                .arg(flag(
                    "deep",
                    "also read the stored session and refresh the user token for real",
                )),
        )
        .subcommand(
            Command::new("sandbox")
                .subcommand_required(true)
                .about("The local DingTalk emulator")
                .subcommand(
                    Command::new("serve")
                        .about("Run the emulator until Ctrl-C; record its URL for --sandbox")
                        .arg(
                            Arg::new("addr")
                                .long("addr")
                                .default_value("127.0.0.1:0")
                                .help("listen address"),
                        ),
                ),
        )
        .subcommand(
            Command::new("api")
                .about("Raw OpenAPI call: /v1.0/… goes to api, anything else to oapi")
                .arg(
                    Arg::new("method")
                        .required(true)
                        .value_parser(["GET", "POST", "PUT", "PATCH", "DELETE"])
                        .ignore_case(true),
                )
                .arg(Arg::new("path").required(true))
                .arg(
                    Arg::new("params")
                        .long("params")
                        .action(ArgAction::Append)
                        .help("query parameter k=v (repeatable)"),
                )
                .arg(Arg::new("data").long("data").help("JSON body, @file or -"))
                .arg(
                    Arg::new("host")
                        .long("host")
                        .value_parser(["api", "oapi"])
                        .help("override the host"),
                )
                .arg(flag("page-all", "follow pagination"))
                .arg(
                    Arg::new("page-limit")
                        .long("page-limit")
                        .value_parser(clap::value_parser!(u32))
                        .default_value("10"),
                ),
        );
    for spec in COMMANDS {
        root = insert_leaf(root, spec, &spec.words().collect::<Vec<_>>());
    }
    root
}

fn flag(name: &'static str, help: &'static str) -> Arg {
    Arg::new(name).long(name).action(ArgAction::SetTrue).help(help)
}

fn insert_leaf(mut parent: Command, spec: &CommandSpec, words: &[&'static str]) -> Command {
    let Some((first, rest)) = words.split_first() else {
        return parent;
    };
    if rest.is_empty() {
        return parent.subcommand(leaf(spec, first));
    }
    let existing = parent.find_subcommand_mut(first).is_some();
    if !existing {
        parent = parent.subcommand(
            Command::new(*first)
                .subcommand_required(true)
                .about(group_about(first)),
        );
    }
    parent.mut_subcommand(*first, |sub| insert_leaf(sub, spec, rest))
}

fn group_about(word: &str) -> String {
    format!("{word} commands")
}

fn leaf(spec: &CommandSpec, name: &'static str) -> Command {
    let mut about = spec.summary.to_owned();
    if !spec.available {
        about.push_str(" (no public OpenAPI: unavailable)");
    }
    let mut cmd = Command::new(name).about(about);
    for p in spec
        .params
        .iter()
        .filter(|p| !crate::spec::SHARED_WITH_GLOBAL.contains(&p.name))
    {
        let mut arg = Arg::new(p.name).long(p.name).help(p.help);
        arg = match p.ty {
            Ty::Bool => arg.action(ArgAction::SetTrue),
            Ty::Int => arg.value_parser(clap::value_parser!(i64)),
            Ty::Enum => arg.value_parser(clap::builder::PossibleValuesParser::new(p.values.iter().copied())),
            _ => arg,
        };
        if p.required {
            arg = arg.required(true);
        }
        if let Some(d) = p.default {
            arg = arg.default_value(d);
        }
        if p.secret {
            arg = arg.hide_default_value(true);
        }
        if let Some(c) = p.short {
            arg = arg.short(c);
        }
        cmd = cmd.arg(arg);
    }
    cmd
}

/// Rewrites `--sandbox URL` into `--sandbox=URL` so the optional value never swallows a command word.
pub(crate) fn normalize_argv(args: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut iter = args.into_iter().peekable();
    while let Some(arg) = iter.next() {
        if arg == "--sandbox"
            && let Some(next) = iter.peek()
            && (next.starts_with("http://") || next.starts_with("https://"))
        {
            let url = iter.next().unwrap_or_default();
            out.push(format!("--sandbox={url}"));
            continue;
        }
        out.push(arg);
    }
    out
}

/// Flags that take a body from stdin when missing and stdin is piped (reference §4.1).
const BODY_FLAGS: &[&str] = &["--text", "--content", "--contents", "--records"];

/// The body flag a "missing required argument" error is about, when it is the only one missing.
pub(crate) fn implicit_stdin_flag(err: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if err.kind() != ErrorKind::MissingRequiredArgument {
        return None;
    }
    let Some(ContextValue::Strings(missing)) = err.get(ContextKind::InvalidArg) else {
        return None;
    };
    let [only] = missing.as_slice() else { return None };
    let flag = only.split_whitespace().next()?;
    BODY_FLAGS.contains(&flag).then(|| flag.to_owned())
}

/// Global flags from parsed matches.
pub(crate) fn globals(matches: &clap::ArgMatches) -> Result<Globals, clap::Error> {
    Globals::from_arg_matches(matches)
}

/// The leaf path (words) and its matches.
pub(crate) fn leaf_path(matches: &clap::ArgMatches) -> (Vec<String>, &clap::ArgMatches) {
    let mut words = Vec::new();
    let mut m = matches;
    while let Some((name, sub)) = m.subcommand() {
        words.push(name.to_owned());
        m = sub;
    }
    (words, m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find_leaf<'a>(root: &'a Command, spec: &CommandSpec) -> &'a Command {
        let mut cmd = root;
        for w in spec.words() {
            cmd = cmd
                .find_subcommand(w)
                .unwrap_or_else(|| panic!("missing {w} of {}", spec.path));
        }
        cmd
    }

    #[test]
    fn clap_tree_matches_the_table() {
        let root = command();
        root.clone().debug_assert();
        for spec in COMMANDS {
            let leaf = find_leaf(&root, spec);
            let args: Vec<&Arg> = leaf
                .get_arguments()
                .filter(|a| !a.is_global_set() && a.get_long().is_some())
                .collect();
            let mut names: Vec<&str> = args
                .iter()
                .filter_map(|a| a.get_long())
                .filter(|n| *n != "help")
                .collect();
            names.sort_unstable();
            let shared = |n: &&str| !crate::spec::SHARED_WITH_GLOBAL.contains(n);
            let mut want: Vec<&str> = spec.params.iter().map(|p| p.name).filter(shared).collect();
            want.sort_unstable();
            assert_eq!(names, want, "flag set of {}", spec.path);
            for p in spec.params.iter().filter(|p| shared(&p.name)) {
                let arg = args
                    .iter()
                    .find(|a| a.get_long() == Some(p.name))
                    .expect("flag present");
                assert_eq!(
                    arg.is_required_set(),
                    p.required,
                    "required-ness of --{} in {}",
                    p.name,
                    spec.path
                );
                let values: Vec<String> = arg
                    .get_possible_values()
                    .iter()
                    .map(|v| v.get_name().to_owned())
                    .collect();
                if p.ty == Ty::Enum {
                    assert_eq!(values, p.values, "enum of --{} in {}", p.name, spec.path);
                }
                let default: Vec<String> = arg
                    .get_default_values()
                    .iter()
                    .map(|v| v.to_string_lossy().into_owned())
                    .collect();
                assert_eq!(
                    default.first().map(String::as_str),
                    p.default,
                    "default of --{} in {}",
                    p.name,
                    spec.path
                );
            }
        }
    }

    #[test]
    fn every_generated_leaf_has_a_spec() {
        fn walk(cmd: &Command, prefix: &str, out: &mut Vec<String>) {
            for sub in cmd.get_subcommands() {
                let path = if prefix.is_empty() {
                    sub.get_name().to_owned()
                } else {
                    format!("{prefix} {}", sub.get_name())
                };
                if sub.has_subcommands() {
                    walk(sub, &path, out);
                } else {
                    out.push(path);
                }
            }
        }
        let builtin = [
            "version",
            "schema",
            "completion",
            "doctor",
            "sandbox",
            "api",
            "auth",
            "profile",
            "help",
        ];
        let mut leaves = Vec::new();
        walk(&command(), "", &mut leaves);
        for leaf in leaves {
            let first = leaf.split(' ').next().unwrap_or_default();
            if builtin.contains(&first) || leaf.ends_with(" help") {
                continue;
            }
            assert!(crate::spec::find(&leaf).is_some(), "clap leaf {leaf} has no spec");
        }
    }

    #[test]
    fn sandbox_url_is_joined() {
        let argv = normalize_argv(["dws", "--sandbox", "http://127.0.0.1:1", "version"].map(String::from));
        assert_eq!(argv, ["dws", "--sandbox=http://127.0.0.1:1", "version"]);
    }
}
