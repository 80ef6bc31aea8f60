//! Command execution: the shared [`Ctx`] (transport, tokens, dry-run plan) and dispatch.

pub(crate) mod auth;
pub(crate) mod bot;
pub(crate) mod builtin;
pub(crate) mod events;
pub(crate) mod products;
pub(crate) mod raw;
pub(crate) mod skill;
pub(crate) mod upgrade;

use std::borrow::Cow;
use std::io::{IsTerminal, Read, Write};
use std::sync::Arc;

use dingtalk_core::{
    ApiHost, AppCredentials, Auth, BaseUrls, Body, ClientId, Endpoint, Method, SecretString, TokenProvider,
    Transport, TrustedHosts,
};
use serde_json::{Map, Value, json};

use crate::exit::{CliError, Exit};
use crate::output::Outcome;
use crate::settings::Settings;
use crate::spec::{CommandSpec, Ty};

/// Wraps a typed `dingtalk-openapi` request so its answer is kept as JSON (the CLI prints upstream shapes).
pub(crate) struct AsJson<E>(pub(crate) E);

impl<E: Endpoint> Endpoint for AsJson<E> {
    type Response = Value;
    const METHOD: Method = E::METHOD;
    const HOST: ApiHost = E::HOST;
    const IDEMPOTENT: bool = E::IDEMPOTENT;
    const AUTH: Auth = E::AUTH;

    fn route(&self) -> &'static str {
        self.0.route()
    }
    fn path(&self) -> Cow<'_, str> {
        self.0.path()
    }
    fn query(&self) -> Vec<(&'static str, String)> {
        self.0.query()
    }
    fn headers(&self) -> Vec<(&'static str, String)> {
        self.0.headers()
    }
    fn body(&self) -> Result<Body, dingtalk_core::Error> {
        self.0.body()
    }
    fn validate(&self) -> Result<(), dingtalk_core::Error> {
        self.0.validate()
    }
    fn decode(&self, body: &[u8]) -> Result<Value, dingtalk_core::Error> {
        dingtalk_core::endpoint::decode_json(body)
    }
}

/// Strips the legacy envelope: `{errcode:0, errmsg, result}` → `result` (or the body without the envelope keys).
pub(crate) fn unwrap_legacy(mut body: Value) -> Value {
    if let Some(obj) = body.as_object_mut()
        && obj.contains_key("errcode")
    {
        if let Some(result) = obj.remove("result") {
            return result;
        }
        for k in ["errcode", "errmsg", "request_id"] {
            obj.remove(k);
        }
    }
    body
}

/// Unwraps the new host's `{result, success}` wrapper when nothing else is in the body.
pub(crate) fn unwrap_result(mut body: Value) -> Value {
    if let Some(obj) = body.as_object_mut()
        && obj.contains_key("result")
        && obj
            .keys()
            .all(|k| matches!(k.as_str(), "result" | "success" | "requestId"))
        && let Some(result) = obj.remove("result")
    {
        return result;
    }
    body
}

fn pair_error() -> CliError {
    CliError::new(
        Exit::Auth,
        "invalid_credentials",
        "--client-id and --client-secret go together",
    )
    .hint("set both DWS_CLIENT_ID and DWS_CLIENT_SECRET, or store the secret once with `dws auth login --client-id ID --client-secret S`")
}

/// App credentials whose secret `dws auth login` sealed into the token store: for `--client-id` when given, else
/// for the selected profile's app. `None` when nothing is stored (no store file is created to find out).
pub(crate) fn stored_credentials(settings: &Settings) -> Result<Option<AppCredentials>, CliError> {
    if !settings.config_dir.join("tokens").join("tokens.json").exists() {
        return Ok(None);
    }
    let client_id = if let Some(id) = &settings.client_id {
        id.clone()
    } else {
        let Ok(profiles) = dingtalk_auth::Profiles::load(settings.config_dir.join("profiles.json")) else {
            return Ok(None);
        };
        match profiles.resolve(settings.profile.as_deref()) {
            Ok(p) if !p.client_id.is_empty() => p.client_id.clone(),
            _ => return Ok(None),
        }
    };
    let store = crate::commands::auth::token_store(settings)?;
    let secret = store.client_secret(&client_id).map_err(|e| {
        CliError::new(Exit::Auth, "store_unreadable", e.to_string())
            .hint("log in again with --client-id and --client-secret")
    })?;
    Ok(secret.map(|s| AppCredentials::new(ClientId::new(client_id), s)))
}

/// Everything a command body needs: settings, transport, tokens, and the dry-run plan.
pub(crate) struct Ctx<'a> {
    pub(crate) settings: &'a Settings,
    pub(crate) transport: Transport,
    tokens: Option<Arc<dyn TokenProvider>>,
    credentials: Option<AppCredentials>,
    pub(crate) planned: Vec<Value>,
    pub(crate) request_ids: Vec<String>,
    pub(crate) raw: Vec<Value>,
}

impl<'a> Ctx<'a> {
    /// Builds the transport and (lazily used) token provider for `settings`.
    pub(crate) fn new(settings: &'a Settings) -> Result<Self, CliError> {
        let transport = Self::transport(settings)?;
        let credentials = match (&settings.client_id, &settings.client_secret) {
            (Some(id), Some(secret)) => Some(AppCredentials::new(
                ClientId::new(id.clone()),
                SecretString::from(secret.clone()),
            )),
            (None, Some(_)) => return Err(pair_error()),
            (id, None) => match stored_credentials(settings)? {
                Some(stored) => Some(stored),
                None if id.is_some() => return Err(pair_error()),
                None if settings.sandbox.is_some() => Some(AppCredentials::new(
                    ClientId::new(dingtalk_sandbox::DEMO_CLIENT_ID),
                    SecretString::from(dingtalk_sandbox::DEMO_CLIENT_SECRET),
                )),
                None => None,
            },
        };
        Ok(Self::build(settings, transport, credentials))
    }

    /// The HTTP transport for `settings`: sandbox base URL, trusted hosts, timeouts.
    fn transport(settings: &Settings) -> Result<Transport, CliError> {
        let mut builder = Transport::builder().user_agent(concat!("dws/", env!("CARGO_PKG_VERSION")));
        if let Some(url) = &settings.sandbox {
            builder = builder.base_urls(BaseUrls::single(url)?);
        }
        if let Some(list) = &settings.trusted_domains {
            let trusted = TrustedHosts::parse(list)?;
            if trusted.trusts_everything() {
                crate::output::note(
                    settings,
                    "warning: DWS_TRUSTED_DOMAINS trusts every host; tokens may leave DingTalk",
                );
            }
            builder = builder.trusted_hosts(trusted);
        }
        // `--timeout 0` means no limit: a day stands in for "forever".
        let t = settings.timeout.unwrap_or(std::time::Duration::from_hours(24));
        builder = builder.operation_timeout(t).attempt_timeout(t);
        Ok(builder.build()?)
    }

    /// A context calling with `credentials` (a login's app, whatever the flags say).
    pub(crate) fn with_credentials(
        settings: &'a Settings,
        credentials: AppCredentials,
    ) -> Result<Self, CliError> {
        let transport = Self::transport(settings)?;
        Ok(Self::build(settings, transport, Some(credentials)))
    }

    fn build(settings: &'a Settings, transport: Transport, credentials: Option<AppCredentials>) -> Self {
        let tokens = credentials.clone().map(|c| {
            Arc::new(dingtalk_auth::AppTokenProvider::new(transport.clone(), c)) as Arc<dyn TokenProvider>
        });
        Self {
            settings,
            transport,
            tokens,
            credentials,
            planned: Vec::new(),
            request_ids: Vec::new(),
            raw: Vec::new(),
        }
    }

    /// The app credentials calls are made with, if any.
    pub(crate) fn credentials(&self) -> Option<&AppCredentials> {
        self.credentials.as_ref()
    }

    /// Whether app credentials are configured.
    pub(crate) fn has_credentials(&self) -> bool {
        self.tokens.is_some()
    }

    /// The app token provider, or an auth error.
    pub(crate) fn tokens(&self) -> Result<&dyn TokenProvider, CliError> {
        self.tokens.as_deref().ok_or_else(|| {
            CliError::new(Exit::Auth, "not_logged_in", "no app credentials").hint(
                "pass --client-id/--client-secret, set DWS_CLIENT_ID/DWS_CLIENT_SECRET, or use --sandbox",
            )
        })
    }

    /// Sends `ep` (or, with `--dry-run`, records it and returns `null`). Legacy envelopes are unwrapped.
    pub(crate) async fn call<E: Endpoint>(&mut self, ep: E) -> Result<Value, CliError> {
        let ep = AsJson(ep);
        ep.validate()?;
        if self.settings.dry_run {
            let prepared = self.transport.prepare(&ep)?;
            self.planned.push(plan_json(self.planned.len() + 1, &prepared));
            return Ok(Value::Null);
        }
        let tokens = match E::AUTH {
            Auth::Token => Some(self.tokens()?),
            _ => None,
        };
        if self.settings.verbose > 1 {
            // `--debug` / `-vv`: the request as a dry run shows it (token and secrets redacted).
            let prepared = self.transport.prepare(&ep)?;
            crate::output::note(
                self.settings,
                &format!(
                    "debug request {}",
                    plan_json(self.request_ids.len() + 1, &prepared)
                ),
            );
        }
        let started = self.transport.clock().now();
        let (body, meta) = self.transport.execute_with_meta(&ep, tokens).await?;
        if self.settings.verbose > 0 {
            crate::output::note(
                self.settings,
                &format!(
                    "{} {} {} {}ms {}",
                    E::METHOD,
                    ep.route(),
                    meta.http_status,
                    started.elapsed().as_millis(),
                    meta.request_id.as_deref().unwrap_or("-")
                ),
            );
        }
        if self.settings.verbose > 1 {
            let text = body.to_string();
            let shown: String = text.chars().take(4096).collect();
            let more = if shown.len() < text.len() {
                " …(truncated)"
            } else {
                ""
            };
            crate::output::note(self.settings, &format!("debug response {shown}{more}"));
        }
        if let Some(id) = meta.request_id {
            self.request_ids.push(id);
        }
        self.raw.push(body.clone());
        Ok(if E::HOST == ApiHost::Legacy {
            unwrap_legacy(body)
        } else {
            unwrap_result(body)
        })
    }

    /// Like [`call`](Self::call) but with the selected profile's stored **user** token (refreshed as needed)
    /// instead of the app token. A dry run needs no session.
    pub(crate) async fn call_as_user<E: Endpoint>(&mut self, ep: E) -> Result<Value, CliError> {
        if self.settings.dry_run {
            return self.call(ep).await;
        }
        let user = self.user_tokens()?;
        let app = self.tokens.replace(user);
        let result = self.call(ep).await;
        self.tokens = app;
        result
    }

    /// A token provider for the selected profile's stored user session.
    fn user_tokens(&self) -> Result<Arc<dyn TokenProvider>, CliError> {
        let needs_login = |message: String| {
            CliError::new(Exit::Auth, "not_logged_in", message).hint(
                "this command sends as you: run `dws auth login` (an app-only profile has no user token)",
            )
        };
        let Some(profile) = self.profile()? else {
            return Err(needs_login(
                "no profile selected: a user token is needed".to_owned(),
            ));
        };
        let store = Arc::new(crate::commands::auth::token_store(self.settings)?);
        match store.get(&profile.id) {
            Ok(Some(_)) => {}
            Ok(None) => return Err(needs_login(format!("{} has no stored user session", profile.id))),
            Err(e) => {
                return Err(
                    CliError::new(Exit::Auth, "store_unreadable", format!("{}: {e}", profile.id))
                        .hint("log in again with `dws auth login`"),
                );
            }
        }
        let app = self.credentials.clone().ok_or_else(|| {
            CliError::new(
                Exit::Auth,
                "not_logged_in",
                "no app credentials to refresh the user token with",
            )
            .hint("pass --client-id/--client-secret or log in with them once")
        })?;
        Ok(Arc::new(dingtalk_auth::UserTokenProvider::new(
            self.transport.clone(),
            app,
            store,
            profile.id,
        )))
    }

    /// The operator's profile, if one is selected (`--profile`, else the current one) and matches the mode.
    fn profile(&self) -> Result<Option<dingtalk_auth::Profile>, CliError> {
        let path = self.settings.config_dir.join("profiles.json");
        let profiles = dingtalk_auth::Profiles::load(path)
            .map_err(|e| CliError::new(Exit::Endpoint, "profile_unreadable", e.to_string()))?;
        match profiles.resolve(self.settings.profile.as_deref()) {
            Ok(p) if p.sandbox == self.settings.sandbox.is_some() => Ok(Some(p.clone())),
            Err(e) if self.settings.profile.is_some() => {
                Err(CliError::new(Exit::Endpoint, "profile_not_found", e.to_string()).param("profile"))
            }
            Ok(_) | Err(_) => Ok(None),
        }
    }

    /// The operator's userId: in sandbox mode `--as-user`, then a sandbox profile, then `user001`; otherwise the
    /// active profile.
    pub(crate) fn self_user_id(&self) -> Result<String, CliError> {
        if self.settings.sandbox.is_some() {
            if let Some(u) = &self.settings.as_user {
                return Ok(u.clone());
            }
            return Ok(self
                .profile()?
                .map_or_else(|| "user001".to_owned(), |p| p.user_id));
        }
        match self.profile()? {
            Some(p) => Ok(p.user_id),
            None if self.settings.dry_run => Ok("<self.userId>".to_owned()),
            None => Err(CliError::new(Exit::Auth, "not_logged_in", "no operator identity (no profile)")
                .hint("run `dws auth login`, or `dws auth login --app-only --operator <userId>`, or use --sandbox")),
        }
    }

    /// Converts an org userId to a unionId through `POST oapi /topapi/v2/user/get`.
    pub(crate) async fn union_id(&mut self, user_id: &str) -> Result<String, CliError> {
        let user = self
            .call(dingtalk_openapi::contact::GetUser::new(
                dingtalk_core::UserId::new(user_id),
            ))
            .await?;
        if self.settings.dry_run {
            return Ok(if user_id == "<self.userId>" {
                "<self.unionId>".to_owned()
            } else {
                format!("<{user_id}.unionId>")
            });
        }
        user.get("unionid")
            .or_else(|| user.get("unionId"))
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| {
                CliError::new(
                    Exit::Api,
                    "bad_response",
                    format!("user {user_id} has no unionid"),
                )
            })
    }

    /// [`Ctx::union_id`] for each of `user_ids`, in order.
    pub(crate) async fn union_ids(
        &mut self,
        user_ids: Vec<String>,
    ) -> Result<Vec<dingtalk_core::UnionId>, CliError> {
        let mut out = Vec::with_capacity(user_ids.len());
        for u in user_ids {
            out.push(dingtalk_core::UnionId::new(self.union_id(&u).await?));
        }
        Ok(out)
    }

    /// The operator's unionId.
    pub(crate) async fn self_union_id(&mut self) -> Result<String, CliError> {
        let user = self.self_user_id()?;
        if self.settings.as_user.is_none()
            && let Some(union) = self.profile()?.and_then(|p| p.union_id).filter(|u| !u.is_empty())
        {
            return Ok(union);
        }
        self.union_id(&user).await
    }
}

fn plan_json(step: usize, prepared: &dingtalk_core::PreparedRequest) -> Value {
    let mut headers: Map<String, Value> = prepared
        .headers
        .iter()
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect();
    if let Some(name) = prepared.token_placement.and_then(|p| p.strip_prefix("header ")) {
        headers.insert(name.to_owned(), json!("<redacted>"));
    }
    let body = match &prepared.body {
        Body::Json(bytes) => serde_json::from_slice(bytes).unwrap_or(Value::Null),
        Body::Form(pairs) => json!(pairs),
        _ => Value::Null,
    };
    let mut url = prepared.url.clone();
    if prepared.token_placement == Some("query access_token") {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str("access_token=%3Credacted%3E");
    }
    json!({"step": step, "method": prepared.method.as_str(), "url": url, "headers": headers, "body": body})
}

/// Parsed flag values of a leaf, keyed by flag name.
#[derive(Debug, Default)]
pub(crate) struct Params {
    pub(crate) values: Map<String, Value>,
}

impl Params {
    /// Reads the leaf's flags from clap, resolving `@file`/`-` for text and JSON flags.
    /// Time keywords (`today`, `+2h`, …) of date flags become ISO 8601 at `tz_offset_min`.
    pub(crate) fn from_matches(
        spec: &CommandSpec,
        m: &clap::ArgMatches,
        tz_offset_min: i64,
    ) -> Result<Self, CliError> {
        let now_ms =
            i64::try_from(dingtalk_core::Clock::epoch_millis(&dingtalk_core::SystemClock)).unwrap_or(0);
        let mut values = Map::new();
        let mut stdin_claimed = false;
        for p in spec.params {
            let v = match p.ty {
                Ty::Bool => m.get_flag(p.name).then_some(Value::Bool(true)),
                Ty::Int => m.get_one::<i64>(p.name).map(|n| json!(n)),
                Ty::List => m.get_one::<String>(p.name).map(|s| {
                    Value::Array(
                        s.split(',')
                            .map(str::trim)
                            .filter(|x| !x.is_empty())
                            .map(|x| json!(x))
                            .collect(),
                    )
                }),
                Ty::Text | Ty::Json => match m.get_one::<String>(if p.name == "fields" {
                    "global_fields"
                } else {
                    p.name
                }) {
                    Some(s) => {
                        let text = read_input(p.name, s, &mut stdin_claimed)?;
                        if p.ty == Ty::Json {
                            Some(parse_json(p.name, &text)?)
                        } else {
                            Some(Value::String(text))
                        }
                    }
                    None => None,
                },
                Ty::Date => m.get_one::<String>(p.name).map(|s| {
                    json!(crate::when::keyword(s, tz_offset_min, now_ms).unwrap_or_else(|| s.clone()))
                }),
                _ => m.get_one::<String>(p.name).map(|s| json!(s)),
            };
            if let Some(v) = v {
                match &v {
                    Value::String(s) => check_text(p.name, s, matches!(p.ty, Ty::Text))?,
                    Value::Array(items) => {
                        for s in items.iter().filter_map(Value::as_str) {
                            check_text(p.name, s, false)?;
                        }
                    }
                    _ => {}
                }
                values.insert(p.name.to_owned(), v);
            }
        }
        Ok(Self { values })
    }

    pub(crate) fn str(&self, name: &str) -> Option<&str> {
        self.values.get(name).and_then(Value::as_str)
    }
    pub(crate) fn req(&self, name: &str) -> Result<&str, CliError> {
        self.str(name).ok_or_else(|| {
            CliError::validation("invalid_argument", format!("--{name} is required")).param(name)
        })
    }
    pub(crate) fn flag(&self, name: &str) -> bool {
        self.values.get(name).and_then(Value::as_bool).unwrap_or(false)
    }
    pub(crate) fn int(&self, name: &str) -> Option<i64> {
        self.values.get(name).and_then(Value::as_i64)
    }
    pub(crate) fn list(&self, name: &str) -> Vec<String> {
        self.values
            .get(name)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default()
    }
    pub(crate) fn json(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }

    /// The params for `invocation.params`, secrets redacted.
    pub(crate) fn redacted(&self, spec: &CommandSpec) -> Map<String, Value> {
        let mut out = self.values.clone();
        for p in spec.params.iter().filter(|p| p.secret) {
            if let Some(v) = out.get_mut(p.name) {
                *v = json!("<redacted>");
            }
        }
        out
    }
}

/// Rejects control characters (except TAB/LF in free text) and bidi controls.
pub(crate) fn check_text(flag: &str, s: &str, free_text: bool) -> Result<(), CliError> {
    for c in s.chars() {
        let bad_control = c.is_control() && !(free_text && (c == '\t' || c == '\n'));
        let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}');
        let zero_width = !free_text && matches!(c, '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}');
        if bad_control || bidi || zero_width {
            return Err(CliError::validation(
                "input_unsafe",
                format!("--{flag} contains the unsafe character U+{:04X}", u32::from(c)),
            )
            .param(flag));
        }
    }
    Ok(())
}

/// Reads stdin (at most 8 MiB). If no byte arrives within `DWS_STDIN_WAIT` seconds (default 5), fails with exit 3
/// instead of hanging.
fn read_stdin(flag: &str) -> Result<String, CliError> {
    let wait = crate::env::var(crate::env::STDIN_WAIT)
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(5);
    let (first_tx, first_rx) = std::sync::mpsc::channel::<()>();
    let reader = std::thread::spawn(move || -> std::io::Result<Vec<u8>> {
        let mut stdin = std::io::stdin().lock();
        let mut first = [0_u8; 1];
        let n = stdin.read(&mut first)?;
        let _ = first_tx.send(());
        let mut bytes = first[..n].to_vec();
        if n > 0 {
            stdin.take(8 << 20).read_to_end(&mut bytes)?;
        }
        Ok(bytes)
    });
    if first_rx
        .recv_timeout(std::time::Duration::from_secs(wait))
        .is_err()
        && !reader.is_finished()
    {
        return Err(CliError::validation(
            "stdin_timeout",
            format!("--{flag}: nothing arrived on stdin within {wait} s"),
        )
        .param(flag)
        .hint("pipe the value in, pass it directly, or raise DWS_STDIN_WAIT"));
    }
    let bytes = reader
        .join()
        .map_err(|_| CliError::internal("stdin reader failed"))??;
    if bytes.is_empty() {
        return Err(CliError::validation("input_empty", format!("--{flag}: stdin was empty")).param(flag));
    }
    let text = String::from_utf8(bytes).map_err(|_| {
        CliError::validation("input_unsafe", format!("--{flag}: stdin is not UTF-8")).param(flag)
    })?;
    Ok(text.trim_start_matches('\u{feff}').replace("\r\n", "\n"))
}

/// Resolves `@path`, `@-`/`-` (stdin, once per run) and `@@literal`.
pub(crate) fn read_input(flag: &str, value: &str, stdin_claimed: &mut bool) -> Result<String, CliError> {
    if let Some(rest) = value.strip_prefix("@@") {
        return Ok(format!("@{rest}"));
    }
    if value == "-" || value == "@-" {
        if *stdin_claimed {
            return Err(CliError::validation("invalid_argument", "only one flag may read stdin").param(flag));
        }
        *stdin_claimed = true;
        if std::io::stdin().is_terminal() {
            return Err(
                CliError::validation("invalid_argument", format!("--{flag}: stdin is a terminal"))
                    .param(flag),
            );
        }
        return read_stdin(flag);
    }
    if let Some(path) = value.strip_prefix('@') {
        let path_like = path
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || "._~/-".contains(c))
            && !value.chars().any(char::is_whitespace);
        if path_like {
            return crate::paths::read_input_file(flag, path);
        }
    }
    Ok(value.to_owned())
}

/// The confirmation gate of §3.5.
pub(crate) fn confirm(settings: &Settings, what: &str) -> Result<(), CliError> {
    if settings.yes || settings.dry_run {
        return Ok(());
    }
    let refused = || {
        CliError::validation(
            "confirmation_required",
            format!("{what} needs confirmation; nothing was sent"),
        )
        .hint("re-run with --yes after checking, or preview with --dry-run")
    };
    if !settings.interactive {
        return Err(refused());
    }
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "{what}? [y/N] ");
    let _ = err.flush();
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    if matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        Ok(())
    } else {
        Err(refused())
    }
}

/// Picks the main list of an upstream answer: the first array under a known key, with the next cursor.
pub(crate) fn list_outcome(body: &Value, ctx: &Ctx<'_>) -> Outcome {
    let mut out = Outcome {
        request_ids: ctx.request_ids.clone(),
        raw: ctx.raw.clone(),
        ..Outcome::default()
    };
    let next = ["nextToken", "next_cursor", "nextCursor"]
        .iter()
        .find_map(|k| body.get(*k))
        .and_then(|v| match v {
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        });
    let has_more = body
        .get("hasMore")
        .or_else(|| body.get("has_more"))
        .and_then(Value::as_bool);
    out.next_cursor = if has_more == Some(false) { None } else { next };
    let items = match body {
        Value::Array(a) => Some(a.clone()),
        Value::Object(o) => o.values().find_map(|v| v.as_array().cloned()),
        _ => None,
    };
    out.response = json!({"items": items.unwrap_or_default()});
    out
}

/// The outcome of a write DingTalk answers with an empty body: `done` stands in for it (a dry run keeps its plan).
pub(crate) fn written_outcome(body: Value, done: Value, ctx: &Ctx<'_>) -> Outcome {
    object_outcome(
        if body.is_null() && !ctx.settings.dry_run {
            done
        } else {
            body
        },
        ctx,
    )
}

/// A single-object outcome.
pub(crate) fn object_outcome(body: Value, ctx: &Ctx<'_>) -> Outcome {
    // A bare scalar (`true`, an id) is wrapped so `response` is always an object or a list.
    let body = match body {
        Value::Bool(_) | Value::Number(_) | Value::String(_) => json!({ "result": body }),
        other => other,
    };
    Outcome {
        response: body,
        request_ids: ctx.request_ids.clone(),
        raw: ctx.raw.clone(),
        ..Outcome::default()
    }
}

/// Parses a JSON flag strictly: a duplicate object key is an error (reference §4.2), not "last one wins".
pub(crate) fn parse_json(flag: &str, text: &str) -> Result<Value, CliError> {
    use serde::de::{Deserializer as _, Error as _, MapAccess, SeqAccess, Visitor};

    struct Strict;
    impl<'de> Visitor<'de> for Strict {
        type Value = Value;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("JSON")
        }
        fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
            Ok(Value::Bool(v))
        }
        fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
            Ok(json!(v))
        }
        fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
            Ok(json!(v))
        }
        fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
            Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
        }
        fn visit_str<E>(self, v: &str) -> Result<Value, E> {
            Ok(Value::String(v.to_owned()))
        }
        fn visit_string<E>(self, v: String) -> Result<Value, E> {
            Ok(Value::String(v))
        }
        fn visit_unit<E>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
            let mut out = Vec::new();
            while let Some(StrictValue(v)) = seq.next_element()? {
                out.push(v);
            }
            Ok(Value::Array(out))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
            let mut out = Map::new();
            while let Some(key) = map.next_key::<String>()? {
                let StrictValue(v) = map.next_value()?;
                if out.contains_key(&key) {
                    return Err(A::Error::custom(format!("duplicate key `{key}`")));
                }
                out.insert(key, v);
            }
            Ok(Value::Object(out))
        }
    }
    struct StrictValue(Value);
    impl<'de> serde::Deserialize<'de> for StrictValue {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(Strict).map(StrictValue)
        }
    }
    let invalid = |e: &serde_json::Error| {
        CliError::validation("invalid_argument", format!("--{flag}: invalid JSON: {e}")).param(flag)
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let value = (&mut de).deserialize_any(Strict).map_err(|e| invalid(&e))?;
    de.end().map_err(|e| invalid(&e))?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::parse_json;

    #[test]
    fn json_flags_refuse_duplicate_keys() {
        assert_eq!(
            parse_json("data", r#"{"a":[1,{"b":null}],"c":1.5}"#).ok(),
            Some(serde_json::json!({"a":[1,{"b":null}],"c":1.5}))
        );
        let err = parse_json("data", r#"{"a":1,"b":{"x":1,"x":2}}"#)
            .err()
            .map(|e| e.message.clone());
        assert!(err.is_some_and(|m| m.contains("duplicate key `x`")));
        assert!(parse_json("data", "{} trailing").is_err());
        assert!(parse_json("data", "").is_err());
    }
}
