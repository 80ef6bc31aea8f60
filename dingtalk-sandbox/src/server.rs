//! Router assembly, startup and shutdown.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::Request;
use axum::response::Response;
use axum::routing::{get, post, put};
use tokio::sync::watch;

use crate::config::Config;
use crate::error::{Error, ErrorKind};
use crate::handle::SandboxHandle;
use crate::state::{Inner, Shared};
use crate::{cards, contact, control, envelope, faults, media, oauth, robot, stream, tokens, webhook};

pub(crate) async fn start(cfg: Config) -> Result<SandboxHandle, Error> {
    if !cfg.addr.ip().is_loopback() {
        return Err(Error::new(ErrorKind::Config));
    }
    let listener = tokio::net::TcpListener::bind(cfg.addr)
        .await
        .map_err(|e| Error::with_source(ErrorKind::Bind, e))?;
    let local = listener
        .local_addr()
        .map_err(|e| Error::with_source(ErrorKind::Bind, e))?;
    let base_url = format!("http://{local}");
    let (shutdown, _) = watch::channel(false);
    let persist = match &cfg.state_file {
        Some(path) => Some(crate::persist::Store::open(path)?),
        None => None,
    };
    let inner = Inner::new(&cfg);
    let shared = Arc::new(Shared {
        org: crate::org::Org::demo(),
        products: crate::products::state::Products::demo(),
        clock: crate::clock::Clock::new(),
        inner: Mutex::new(inner),
        base_url,
        shutdown,
        cfg,
    });
    if let Some(store) = &persist {
        store.load(&shared)?;
    }
    let app = router(shared.clone());
    let mut rx = shared.shutdown.subscribe();
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = rx.changed().await;
            })
            .await;
    });
    let ticker_shared = shared.clone();
    let mut rx = shared.shutdown.subscribe();
    let ticker = tokio::spawn(async move {
        let mut every =
            tokio::time::interval(stream::delivery::tick_period(ticker_shared.cfg.redelivery_after));
        let mut persist_every = tokio::time::interval(std::time::Duration::from_secs(2));
        loop {
            tokio::select! {
                _ = rx.changed() => break,
                _ = every.tick() => stream::delivery::tick(&ticker_shared),
                _ = persist_every.tick() => {
                    if let Some(store) = &persist
                        && let Err(err) = store.save(&ticker_shared) {
                            tracing::warn!(error = %err, "saving sandbox state failed");
                        }
                }
            }
        }
        if let Some(store) = &persist
            && let Err(err) = store.save(&ticker_shared)
        {
            tracing::warn!(error = %err, "saving sandbox state failed");
        }
    });
    tracing::info!(base_url = %shared.base_url, "dingtalk sandbox started");
    Ok(SandboxHandle::new(shared, vec![server, ticker]))
}

fn router(shared: Arc<Shared>) -> Router {
    let api = Router::new()
        .route("/v1.0/oauth2/accessToken", post(tokens::v1_access_token))
        .route("/v1.0/oauth2/{corp_id}/token", post(tokens::corp_token))
        .route("/gettoken", get(tokens::legacy_gettoken))
        .route("/v1.0/oauth2/userAccessToken", post(oauth::user_access_token))
        .route("/v1.0/contact/users/me", get(oauth::users_me))
        .route("/oauth2/auth", get(oauth::authorize))
        .route("/oauth2/logout", get(oauth::logout))
        .route("/oauth2/device/code.json", post(oauth::device_code))
        .route("/oauth2/device/token.json", post(oauth::device_token))
        .route("/oauth2/device/verify.htm", get(oauth::device_verify))
        .route("/v1.0/gateway/connections/open", post(stream::gateway::open))
        .route("/connect", get(stream::gateway::connect))
        .route("/robot/sendBySession", post(robot::send_by_session))
        .route("/robot/send", post(webhook::send))
        .route("/v1.0/robot/groupMessages/send", post(robot::group_send))
        .route("/v1.0/robot/oToMessages/batchSend", post(robot::oto_batch_send))
        .route("/v1.0/robot/oToMessages/readStatus", get(robot::oto_read_status))
        .route("/v1.0/robot/privateChatMessages/send", post(robot::private_send))
        .route("/v1.0/robot/groupMessages/recall", post(robot::group_recall))
        .route("/v1.0/robot/otoMessages/batchRecall", post(robot::oto_recall))
        .route("/v1.0/robot/emotion/reply", post(robot::emotion))
        .route("/v1.0/robot/emotion/recall", post(robot::emotion))
        .route(
            "/v1.0/robot/messageFiles/download",
            post(media::message_file_download),
        )
        .route("/media/upload", post(media::upload))
        .route("/files/{code}", get(media::serve_file))
        .route("/topapi/v2/user/get", post(contact::user_get))
        .route("/topapi/user/getbyunionid", post(contact::get_by_unionid))
        .route(
            "/v1.0/card/instances/createAndDeliver",
            post(cards::create_and_deliver),
        )
        .route("/v1.0/card/instances", post(cards::create).put(cards::update))
        .route("/v1.0/card/instances/deliver", post(cards::deliver))
        .route("/v1.0/card/streaming", put(cards::streaming))
        .merge(crate::products::routes())
        .route_layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            faults::api_guard,
        ));
    api.merge(control::router())
        .fallback(fallback)
        .method_not_allowed_fallback(wrong_method)
        .layer(axum::middleware::from_fn(faults::request_id_layer))
        .layer(axum::extract::DefaultBodyLimit::max(32 * 1024 * 1024))
        .with_state(shared)
}

async fn wrong_method(req: Request) -> Response {
    let path = req.uri().path();
    if envelope::Host::of(path) == envelope::Host::Legacy && !path.starts_with("/_sandbox") {
        envelope::legacy_error(43002, "需要POST请求")
    } else if path.starts_with("/_sandbox") {
        envelope::api_error(
            axum::http::StatusCode::METHOD_NOT_ALLOWED,
            "sandbox.methodNotAllowed",
            "wrong method",
        )
    } else {
        envelope::new_host_not_found()
    }
}

async fn fallback(req: Request) -> Response {
    let path = req.uri().path();
    if path.starts_with("/topapi/") {
        envelope::topapi_not_found(path)
    } else if path.starts_with("/_sandbox") {
        envelope::api_error(
            axum::http::StatusCode::NOT_FOUND,
            "sandbox.notFound",
            "unknown control endpoint",
        )
    } else {
        envelope::new_host_not_found()
    }
}
