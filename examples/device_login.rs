//! Headless login with the OAuth device flow, against the embedded sandbox: request a device code, show the user
//! code (and a QR code), poll until approved, exchange the code, store the session encrypted, and call an API as
//! the user through a refreshing token provider.
//!
//! ```sh
//! cargo run -p examples --example device_login
//! ```
//!
//! The sandbox approves the device code on its own after a couple of polls (as the demo user `user001`); against
//! DingTalk a person would open the URL and approve.

#![expect(clippy::print_stdout, reason = "an example prints what it does")]

use std::sync::Arc;

use dingtalk_auth::device::{self, DeviceFlowOptions};
use dingtalk_auth::store::{FileKey, TokenStore};
use dingtalk_auth::{AppTokenProvider, Profile, Profiles, UserTokenProvider, complete_login, oauth};
use dingtalk_core::{AppCredentials, BaseUrls, ClientId, SecretString, Transport};
use dingtalk_sandbox::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Sandbox};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start().await?;
    println!("sandbox   {}", sandbox.base_url());
    let transport = Transport::builder()
        .base_urls(BaseUrls::single(&sandbox.base_url())?)
        .build()?;
    let app = AppCredentials::new(
        ClientId::new(DEMO_CLIENT_ID),
        SecretString::from(DEMO_CLIENT_SECRET),
    );
    let app_tokens = AppTokenProvider::new(transport.clone(), app.clone());

    // 1. Ask for a device code and show it.
    let options = DeviceFlowOptions::default();
    let authorization = device::start(&transport, app.client_id(), &options).await?;
    println!(
        "login     open {} and enter {}",
        authorization.verification_uri(),
        authorization.user_code()
    );
    if let Some(qr) = authorization.qr_code() {
        println!("{qr}");
    }

    // 2. Poll until approved (slow_down, pending, denial and expiry are all handled), then exchange.
    let code = device::poll(&transport, app.client_id(), &authorization, &options).await?;
    let session = complete_login(&transport, &app, &app_tokens, &code).await?;
    println!(
        "login     approved: {} ({})",
        session.identity(),
        session.user_name
    );

    // 3. Store it encrypted (AES-256-GCM; the data key in a 0600 file here) and record the profile.
    let dir = std::env::temp_dir().join(format!("dingtalk-device-login-{}", std::process::id()));
    let store = Arc::new(TokenStore::open(
        dir.join("store"),
        Box::new(FileKey::new(dir.join("keys").join("dek"))),
    )?);
    store.put(&session)?;
    let mut profiles = Profiles::load(dir.join("profiles.json"))?;
    profiles.upsert(Profile::new(
        session.corp_id.as_str(),
        session.user_id.as_str(),
        &session.user_name,
    ));
    profiles.save()?;
    println!(
        "store     {} (key: {})",
        store.dir().display(),
        store.key_backend()
    );

    // 4. Use the stored session: the provider refreshes (with rotation) five minutes before expiry.
    let user_tokens = UserTokenProvider::new(transport.clone(), app, store.clone(), session.identity());
    let me = oauth::current_user(&transport, &user_tokens).await?;
    println!("me        {} unionId {}", me.nick, me.union_id);
    println!(
        "profiles  current = {}",
        profiles.current().map_or("-", |p| p.id.as_str())
    );

    let _ = std::fs::remove_dir_all(&dir);
    sandbox.shutdown().await;
    println!("done");
    Ok(())
}
