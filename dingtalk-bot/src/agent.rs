//! The agent bridge: runs the configured agent and turns its output into events (BOT-60..66).
//!
//! Processes are started from an argv vector, never through a shell, in a clean environment (only
//! `env_passthrough`), in their own process group, with stdin closed. A run can be stopped or time out: the whole
//! process group gets SIGTERM, then SIGKILL after the grace period. stderr is kept (last 2 KiB) for logs only.
//!
//! Agents:
//! * `claude`: `claude -p <prompt> --output-format stream-json --verbose --include-partial-messages
//!   [--resume <id>] …`; text deltas stream, tool uses become progress, the `result` event ends the run;
//! * `command`: any argv template with `{prompt}` and `{session_id}`, reading plain text or claude stream-json;
//! * `echo`: built in, streams the prompt back word by word (demos);
//! * scripted: built in, plays a list of [`ScriptStep`]s (tests).

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::sync::{mpsc, oneshot};

use crate::config::{AgentConfig, AgentKind, AgentOutput};

/// What to run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AgentRequest {
    /// The user's message (attachments already turned into paths in the text).
    pub prompt: String,
    /// The session to resume, if any.
    pub session_id: Option<String>,
    /// An extra system prompt (per group).
    pub system_prompt: Option<String>,
}

/// What an agent reports while it runs.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AgentEvent {
    /// The whole answer so far.
    Text(String),
    /// A tool started (name only, never its arguments).
    Tool(String),
    /// A tool finished: its name (when known) and the start of its output (at most 4 KiB; shown only as a
    /// sanitized summary with `reply.show_tool_result`).
    ToolResult {
        /// The tool's name, or empty when the run did not name it.
        tool: String,
        /// The beginning of the output.
        output: String,
        /// Whether the tool reported an error.
        is_error: bool,
    },
    /// The agent's session id, to resume next time.
    Session(String),
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AgentOutcome {
    /// The final answer.
    Finished(String),
    /// The agent failed; the reason is short and safe to show.
    Failed(String),
    /// The run was stopped on request.
    Stopped,
    /// The run exceeded its time limit.
    TimedOut,
}

/// A running agent: events arrive on [`events`](Self::events); [`stop`](Self::stop) kills it; [`wait`](Self::wait)
/// returns the outcome.
#[derive(Debug)]
pub struct AgentRun {
    /// Progress events, in order.
    pub events: mpsc::Receiver<AgentEvent>,
    stop: Option<oneshot::Sender<()>>,
    done: oneshot::Receiver<AgentOutcome>,
}

impl AgentRun {
    /// Asks the run to stop (kills the process group). Idempotent.
    pub fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    /// A handle that can stop the run from elsewhere.
    pub fn stopper(&mut self) -> Option<oneshot::Sender<()>> {
        self.stop.take()
    }

    /// Waits for the outcome.
    pub async fn wait(self) -> AgentOutcome {
        self.done
            .await
            .unwrap_or_else(|_| AgentOutcome::Failed("agent task ended unexpectedly".to_owned()))
    }
}

/// One step of a scripted agent.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScriptStep {
    /// Append text.
    Text(String),
    /// Report a tool.
    Tool(String),
    /// Wait.
    Sleep(Duration),
    /// Fail with this reason.
    Fail(String),
    /// Append the prompt the agent was given (tests check what reached the agent).
    EchoPrompt,
    /// Report a tool's result: name and output.
    ToolResult(String, String),
    /// Report this agent session id (to be resumed next time).
    Session(String),
    /// Append the session id the run was asked to resume (`-` for none).
    EchoSession,
}

/// Which agent to run, with everything it needs.
#[derive(Clone, Debug)]
pub struct AgentSpec {
    config: AgentConfig,
    /// Environment values for `env_passthrough` (read by [`crate::app`]).
    env: Vec<(String, String)>,
    script: Option<Vec<ScriptStep>>,
}

impl AgentSpec {
    /// The configured agent; `env` holds the values of the pass-through variables (this type reads no environment).
    pub fn new(config: AgentConfig, env: Vec<(String, String)>) -> Self {
        Self {
            config,
            env,
            script: None,
        }
    }

    /// The built-in echo agent (demos): answers `echo: <prompt>`, streamed a few words at a time.
    pub fn echo() -> Self {
        Self::new(
            AgentConfig {
                kind: AgentKind::Echo,
                ..AgentConfig::default()
            },
            Vec::new(),
        )
    }

    /// A scripted agent for tests and demos.
    pub fn scripted(steps: Vec<ScriptStep>) -> Self {
        Self {
            config: AgentConfig::default(),
            env: Vec::new(),
            script: Some(steps),
        }
    }

    /// Starts a run.
    pub fn start(&self, request: AgentRequest) -> AgentRun {
        let (events_tx, events) = mpsc::channel(64);
        let (stop_tx, stop_rx) = oneshot::channel();
        let (done_tx, done) = oneshot::channel();
        let timeout = Duration::from_secs(self.config.timeout_s.max(1));
        let max_chars = self.config.max_reply_chars;
        let job: std::pin::Pin<Box<dyn std::future::Future<Output = AgentOutcome> + Send>> =
            match (&self.script, self.config.kind) {
                (Some(steps), _) => Box::pin(run_script(steps.clone(), request, events_tx)),
                (None, AgentKind::Echo) => Box::pin(run_echo(request, events_tx)),
                (None, AgentKind::Claude | AgentKind::Command) => match self.argv(&request) {
                    Ok((argv, output)) => Box::pin(run_process(argv, output, self.clone(), events_tx)),
                    Err(reason) => Box::pin(async move { AgentOutcome::Failed(reason) }),
                },
            };
        tokio::spawn(async move {
            let outcome = supervise(job, stop_rx, timeout).await;
            let outcome = match outcome {
                AgentOutcome::Finished(text) => AgentOutcome::Finished(cap(&text, max_chars)),
                other => other,
            };
            let _ = done_tx.send(outcome);
        });
        AgentRun {
            events,
            stop: Some(stop_tx),
            done,
        }
    }

    /// The argv for a process agent.
    pub fn argv(&self, request: &AgentRequest) -> Result<(Vec<String>, AgentOutput), String> {
        let c = &self.config;
        // A prompt that looks like a flag is passed with a leading space so no CLI reads it as one.
        let prompt = if request.prompt.starts_with('-') {
            format!(" {}", request.prompt)
        } else {
            request.prompt.clone()
        };
        match c.kind {
            AgentKind::Claude => {
                let mut argv = vec![
                    c.claude_bin.clone(),
                    "-p".to_owned(),
                    prompt,
                    "--output-format".to_owned(),
                    "stream-json".to_owned(),
                    "--verbose".to_owned(),
                    "--include-partial-messages".to_owned(),
                ];
                if let (true, Some(session)) = (c.resume_sessions, &request.session_id) {
                    argv.extend(["--resume".to_owned(), session.clone()]);
                }
                if !c.permission_mode.is_empty() {
                    argv.extend(["--permission-mode".to_owned(), c.permission_mode.clone()]);
                }
                if !c.allowed_tools.is_empty() {
                    argv.extend(["--allowedTools".to_owned(), c.allowed_tools.join(",")]);
                }
                if c.dangerously_skip_permissions {
                    argv.push("--dangerously-skip-permissions".to_owned());
                }
                if !c.model.is_empty() {
                    argv.extend(["--model".to_owned(), c.model.clone()]);
                }
                let system = [
                    c.system_prompt.as_str(),
                    request.system_prompt.as_deref().unwrap_or(""),
                ]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join("\n\n");
                if !system.is_empty() {
                    argv.extend(["--append-system-prompt".to_owned(), system]);
                }
                Ok((argv, AgentOutput::ClaudeStreamJson))
            }
            AgentKind::Command => {
                if c.command.is_empty() {
                    return Err("no agent command configured".to_owned());
                }
                let session = request.session_id.clone().unwrap_or_default();
                let argv = c
                    .command
                    .iter()
                    .map(|part| {
                        part.replace("{prompt}", &prompt)
                            .replace("{session_id}", &session)
                    })
                    .collect();
                Ok((argv, c.output))
            }
            AgentKind::Echo => Err("the echo agent runs in process".to_owned()),
        }
    }
}

async fn supervise(
    job: std::pin::Pin<Box<dyn std::future::Future<Output = AgentOutcome> + Send>>,
    stop: oneshot::Receiver<()>,
    timeout: Duration,
) -> AgentOutcome {
    // When stop or timeout wins, the job is dropped and its ProcessGuard kills the process group.
    tokio::select! {
        outcome = job => outcome,
        Ok(()) = stop => AgentOutcome::Stopped,
        () = tokio::time::sleep(timeout) => AgentOutcome::TimedOut,
    }
}

fn cap(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max_chars).collect();
    out.push_str("…（已截断）");
    out
}

async fn run_echo(request: AgentRequest, events: mpsc::Sender<AgentEvent>) -> AgentOutcome {
    let answer = format!("echo: {}", request.prompt.trim());
    let mut shown = String::new();
    for (i, word) in answer.split_inclusive(' ').enumerate() {
        shown.push_str(word);
        let _ = events.send(AgentEvent::Text(shown.clone())).await;
        if i % 4 == 3 {
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
    }
    AgentOutcome::Finished(answer)
}

async fn run_script(
    steps: Vec<ScriptStep>,
    request: AgentRequest,
    events: mpsc::Sender<AgentEvent>,
) -> AgentOutcome {
    let mut text = String::new();
    for step in steps {
        match step {
            ScriptStep::Text(chunk) => {
                text.push_str(&chunk);
                let _ = events.send(AgentEvent::Text(text.clone())).await;
            }
            ScriptStep::Tool(name) => {
                let _ = events.send(AgentEvent::Tool(name)).await;
            }
            ScriptStep::Sleep(d) => tokio::time::sleep(d).await,
            ScriptStep::Fail(reason) => return AgentOutcome::Failed(reason),
            ScriptStep::ToolResult(tool, output) => {
                let result = AgentEvent::ToolResult {
                    tool,
                    output,
                    is_error: false,
                };
                let _ = events.send(result).await;
            }
            ScriptStep::Session(id) => {
                let _ = events.send(AgentEvent::Session(id)).await;
            }
            ScriptStep::EchoSession => {
                text.push_str(request.session_id.as_deref().unwrap_or("-"));
                let _ = events.send(AgentEvent::Text(text.clone())).await;
            }
            ScriptStep::EchoPrompt => {
                text.push_str(&request.prompt);
                let _ = events.send(AgentEvent::Text(text.clone())).await;
            }
        }
    }
    AgentOutcome::Finished(text)
}

/// Kills a child's whole process group when dropped: SIGTERM now, SIGKILL after the grace period.
struct ProcessGuard {
    pid: Option<u32>,
    grace: Duration,
}

impl Drop for ProcessGuard {
    fn drop(&mut self) {
        let Some(pid) = self.pid else { return };
        kill_group(pid, false);
        let grace = self.grace;
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            handle.spawn(async move {
                tokio::time::sleep(grace).await;
                kill_group(pid, true);
            });
        } else {
            kill_group(pid, true);
        }
    }
}

#[cfg(unix)]
fn kill_group(pid: u32, force: bool) {
    use nix::sys::signal::{Signal, killpg};
    use nix::unistd::Pid;
    let Ok(raw) = i32::try_from(pid) else { return };
    let _ = killpg(
        Pid::from_raw(raw),
        if force { Signal::SIGKILL } else { Signal::SIGTERM },
    );
}

#[cfg(not(unix))]
fn kill_group(_pid: u32, _force: bool) {}

async fn run_process(
    argv: Vec<String>,
    output: AgentOutput,
    spec: AgentSpec,
    events: mpsc::Sender<AgentEvent>,
) -> AgentOutcome {
    let Some((program, rest)) = argv.split_first() else {
        return AgentOutcome::Failed("empty agent command".to_owned());
    };
    let mut command = tokio::process::Command::new(program);
    command
        .args(rest)
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in spec
        .env
        .iter()
        .filter(|(k, _)| spec.config.env_passthrough.contains(k))
    {
        command.env(key, value);
    }
    if spec.config.workdir != PathBuf::new() {
        command.current_dir(&spec.config.workdir);
    }
    #[cfg(unix)]
    command.process_group(0);
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => {
            tracing::warn!(program = %program, error = %e, "agent failed to start");
            return AgentOutcome::Failed("the agent could not be started".to_owned());
        }
    };
    let _guard = ProcessGuard {
        pid: child.id(),
        grace: Duration::from_secs(spec.config.kill_grace_s),
    };
    let stderr = child.stderr.take();
    let stderr_task = tokio::spawn(async move {
        let mut buf = Vec::new();
        if let Some(mut stderr) = stderr {
            let _ = stderr.read_to_end(&mut buf).await;
        }
        let start = buf.len().saturating_sub(2048);
        String::from_utf8_lossy(&buf[start..]).into_owned()
    });
    let Some(stdout) = child.stdout.take() else {
        return AgentOutcome::Failed("no agent output".to_owned());
    };
    let mut lines = BufReader::new(stdout).lines();
    let mut parser = StreamParser::default();
    let mut plain = String::new();
    while let Ok(Some(line)) = lines.next_line().await {
        match output {
            AgentOutput::Text => {
                if !plain.is_empty() {
                    plain.push('\n');
                }
                plain.push_str(&line);
                let _ = events.send(AgentEvent::Text(plain.clone())).await;
            }
            AgentOutput::ClaudeStreamJson => {
                for event in parser.feed(&line) {
                    let _ = events.send(event).await;
                }
            }
        }
    }
    let status = child.wait().await;
    let stderr_tail = stderr_task.await.unwrap_or_default();
    let success = status.as_ref().is_ok_and(std::process::ExitStatus::success);
    if !success && !stderr_tail.is_empty() {
        tracing::warn!(stderr = %stderr_tail, "agent exited with an error");
    }
    match output {
        AgentOutput::Text if success => AgentOutcome::Finished(plain),
        AgentOutput::ClaudeStreamJson => match parser.result {
            Some((text, false)) if success => AgentOutcome::Finished(text),
            Some((_, true)) => AgentOutcome::Failed("the agent reported an error".to_owned()),
            _ if success => AgentOutcome::Finished(parser.text),
            _ => AgentOutcome::Failed(exit_reason(status.ok())),
        },
        AgentOutput::Text => AgentOutcome::Failed(exit_reason(status.ok())),
    }
}

fn exit_reason(status: Option<std::process::ExitStatus>) -> String {
    match status.and_then(|s| s.code()) {
        Some(code) => format!("the agent exited with status {code}"),
        None => "the agent was terminated".to_owned(),
    }
}

/// Parses Claude Code's `--output-format stream-json` lines.
#[derive(Debug, Default)]
pub struct StreamParser {
    /// The answer accumulated from text deltas (or assistant text blocks).
    pub text: String,
    /// The `result` event: text and `is_error`.
    pub result: Option<(String, bool)>,
    saw_deltas: bool,
    /// Tool names by `tool_use` id, to name their results.
    tools: std::collections::HashMap<String, String>,
}

/// The most of a tool's output kept in an event.
const TOOL_OUTPUT_MAX: usize = 4096;

/// The text of a `tool_result` block's `content` (a string or text blocks), at most [`TOOL_OUTPUT_MAX`] bytes.
/// The content blocks of a stream-json `assistant` or `user` turn (`message.content`); none when absent.
fn content_blocks(value: &serde_json::Value) -> &[serde_json::Value] {
    value
        .pointer("/message/content")
        .and_then(serde_json::Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn tool_output(content: Option<&serde_json::Value>) -> String {
    let mut text = match content {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Array(blocks)) => blocks
            .iter()
            .filter_map(|b| b.get("text").and_then(|t| t.as_str()))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    };
    if text.len() > TOOL_OUTPUT_MAX {
        let mut end = TOOL_OUTPUT_MAX;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

impl StreamParser {
    /// Feeds one line; returns the events it produced. Lines that are not JSON are ignored.
    pub fn feed(&mut self, line: &str) -> Vec<AgentEvent> {
        let Ok(value) = serde_json::from_str::<serde_json::Value>(line) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let session = value
            .get("session_id")
            .and_then(|s| s.as_str())
            .filter(|s| !s.is_empty());
        match value.get("type").and_then(|t| t.as_str()) {
            Some("system") => {
                if let Some(id) = session {
                    out.push(AgentEvent::Session(id.to_owned()));
                }
            }
            Some("stream_event") => {
                let delta = value.pointer("/event/delta");
                let is_text =
                    delta.and_then(|d| d.get("type")).and_then(|t| t.as_str()) == Some("text_delta");
                if is_text && let Some(text) = delta.and_then(|d| d.get("text")).and_then(|t| t.as_str()) {
                    self.saw_deltas = true;
                    self.text.push_str(text);
                    out.push(AgentEvent::Text(self.text.clone()));
                }
            }
            Some("assistant") => {
                for block in content_blocks(&value) {
                    match block.get("type").and_then(|t| t.as_str()) {
                        Some("tool_use") => {
                            if let Some(name) = block.get("name").and_then(|n| n.as_str()) {
                                if let Some(id) = block.get("id").and_then(|i| i.as_str()) {
                                    self.tools.insert(id.to_owned(), name.to_owned());
                                }
                                out.push(AgentEvent::Tool(name.to_owned()));
                            }
                        }
                        Some("text") if !self.saw_deltas => {
                            if let Some(text) = block.get("text").and_then(|t| t.as_str()) {
                                self.text.push_str(text);
                                out.push(AgentEvent::Text(self.text.clone()));
                            }
                        }
                        _ => {}
                    }
                }
            }
            Some("user") => {
                // Tool results come back as user turns: `{"type":"tool_result","tool_use_id","content","is_error"}`.
                for block in content_blocks(&value) {
                    if block.get("type").and_then(|t| t.as_str()) != Some("tool_result") {
                        continue;
                    }
                    let tool = block
                        .get("tool_use_id")
                        .and_then(|i| i.as_str())
                        .and_then(|id| self.tools.remove(id))
                        .unwrap_or_default();
                    out.push(AgentEvent::ToolResult {
                        tool,
                        output: tool_output(block.get("content")),
                        is_error: block
                            .get("is_error")
                            .and_then(serde_json::Value::as_bool)
                            .unwrap_or(false),
                    });
                }
            }
            Some("result") => {
                let is_error = value
                    .get("is_error")
                    .and_then(serde_json::Value::as_bool)
                    .unwrap_or(false);
                let text = value
                    .get("result")
                    .and_then(|r| r.as_str())
                    .unwrap_or_default()
                    .to_owned();
                if let Some(id) = session {
                    out.push(AgentEvent::Session(id.to_owned()));
                }
                self.result = Some((text, is_error));
            }
            _ => {}
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claude_argv_never_uses_a_shell_and_guards_flag_like_prompts() {
        let config = AgentConfig {
            allowed_tools: vec!["Read".into(), "Grep".into()],
            model: "opus".into(),
            ..AgentConfig::default()
        };
        let spec = AgentSpec::new(config, Vec::new());
        let request = AgentRequest {
            prompt: "--help".into(),
            session_id: Some("s1".into()),
            system_prompt: Some("be brief".into()),
        };
        let (argv, output) = spec.argv(&request).unwrap();
        assert_eq!(output, AgentOutput::ClaudeStreamJson);
        assert_eq!(&argv[..3], ["claude", "-p", " --help"]);
        assert!(argv.windows(2).any(|w| w == ["--resume", "s1"]));
        assert!(argv.windows(2).any(|w| w == ["--allowedTools", "Read,Grep"]));
        assert!(
            argv.windows(2)
                .any(|w| w == ["--append-system-prompt", "be brief"])
        );
        assert!(argv.contains(&"--verbose".to_owned()));
        assert!(!argv.contains(&"--dangerously-skip-permissions".to_owned()));
    }

    #[test]
    fn command_argv_template() {
        let config = AgentConfig {
            kind: AgentKind::Command,
            command: vec![
                "my-agent".into(),
                "--session={session_id}".into(),
                "{prompt}".into(),
            ],
            output: AgentOutput::Text,
            ..AgentConfig::default()
        };
        let spec = AgentSpec::new(config, Vec::new());
        let (argv, _) = spec
            .argv(&AgentRequest {
                prompt: "hi; rm -rf /".into(),
                session_id: None,
                system_prompt: None,
            })
            .unwrap();
        assert_eq!(argv, ["my-agent", "--session=", "hi; rm -rf /"]);
    }

    #[test]
    fn stream_json_parsing() {
        let mut p = StreamParser::default();
        let lines = [
            r#"{"type":"system","subtype":"init","session_id":"abc"}"#,
            r#"{"type":"stream_event","event":{"type":"content_block_delta","delta":{"type":"text_delta","text":"Hel"}}}"#,
            r#"{"type":"stream_event","event":{"type":"content_block_delta","delta":{"type":"text_delta","text":"lo"}}}"#,
            r#"{"type":"assistant","message":{"content":[{"type":"tool_use","id":"t1","name":"Bash","input":{"command":"secret"}},{"type":"text","text":"Hello"}]}}"#,
            r#"{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"t1","content":[{"type":"text","text":"ok"}],"is_error":true}]}}"#,
            r#"{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"t9","content":"x"}]}}"#,
            "not json",
            r#"{"type":"result","subtype":"success","is_error":false,"result":"Hello!","session_id":"abc"}"#,
        ];
        let events: Vec<AgentEvent> = lines.iter().flat_map(|l| p.feed(l)).collect();
        assert_eq!(
            events,
            [
                AgentEvent::Session("abc".into()),
                AgentEvent::Text("Hel".into()),
                AgentEvent::Text("Hello".into()),
                AgentEvent::Tool("Bash".into()),
                AgentEvent::ToolResult {
                    tool: "Bash".into(),
                    output: "ok".into(),
                    is_error: true
                },
                AgentEvent::ToolResult {
                    tool: String::new(),
                    output: "x".into(),
                    is_error: false
                },
                AgentEvent::Session("abc".into()),
            ]
        );
        assert_eq!(p.result, Some(("Hello!".into(), false)));
    }

    #[test]
    fn long_answers_are_capped() {
        assert_eq!(cap("abcdef", 3), "abc…（已截断）");
        assert_eq!(cap("abc", 3), "abc");
    }
}
