//! The server binary prints its base URL and serves; `--state` style persistence survives a restart; card streaming
//! QPS limits answer 403.
#![expect(clippy::unwrap_used, reason = "test setup panics on failure")]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use dingtalk_sandbox::Sandbox;
use serde_json::{Value, json};

#[tokio::test]
async fn binary_prints_base_url_and_serves() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dingtalk-sandbox"))
        .args(["--addr", "127.0.0.1:0", "--token-ttl", "60"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    });
    let line = tokio::time::timeout(Duration::from_secs(20), line)
        .await
        .expect("base URL in time")
        .unwrap()
        .unwrap();
    let base = line.trim().to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    let health = reqwest::get(format!("{base}/_sandbox/health")).await.unwrap();
    assert_eq!(health.status().as_u16(), 200);
    let tok: Value = reqwest::get(format!(
        "{base}/gettoken?appkey=dingsandboxdemo&appsecret=sandbox-secret"
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(tok["expires_in"], 60);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[tokio::test]
async fn binary_rejects_bad_flags() {
    let out = Command::new(env!("CARGO_BIN_EXE_dingtalk-sandbox"))
        .args(["--addr", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
}

#[tokio::test]
async fn state_file_keeps_outbox_across_restarts() {
    let path = std::env::temp_dir().join(format!("dingtalk-sandbox-state-{}.sqlite", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let http = reqwest::Client::new();
    let sb = Sandbox::builder().state_file(&path).start().await.unwrap();
    let tok = common::demo_app_token(&http, &sb.base_url()).await;
    let r = http
        .post(format!("{}/v1.0/robot/groupMessages/send", sb.base_url()))
        .header("x-acs-dingtalk-access-token", tok)
        .json(
            &json!({"robotCode": "dingsandboxdemo", "openConversationId": "cidSandboxEng0001+demo/Aa==",
                      "msgKey": "sampleText", "msgParam": "{\"content\":\"persist me\"}"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    sb.shutdown().await;
    let sb = Sandbox::builder().state_file(&path).start().await.unwrap();
    let out = sb.outbox(0);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].text.as_deref(), Some("persist me"));
    sb.shutdown().await;
    let _ = std::fs::remove_file(&path);
}

#[tokio::test]
async fn card_streaming_qps_limit_answers_403() {
    let sb = Sandbox::builder()
        .card_streaming_qps(Some(2))
        .start()
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let base = sb.base_url();
    let tok = common::demo_app_token(&http, &base).await;
    let create = json!({"cardTemplateId": "382e4302-551d-4880-bf29-a30acfab2e71.schema", "outTrackId": "q1",
                        "cardData": {"cardParamMap": {"flowStatus": "2"}}});
    let r = http
        .post(format!("{base}/v1.0/card/instances"))
        .header("x-acs-dingtalk-access-token", &tok)
        .json(&create)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let mut statuses = Vec::new();
    for i in 0..3 {
        let frame = json!({"outTrackId": "q1", "guid": format!("g{i}"), "key": "msgContent", "content": "x", "isFull": true});
        let r = http
            .put(format!("{base}/v1.0/card/streaming"))
            .header("x-acs-dingtalk-access-token", &tok)
            .json(&frame)
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
        if r.status().as_u16() == 403 {
            let body: Value = r.json().await.unwrap();
            assert_eq!(body["code"], "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi");
        }
    }
    assert_eq!(statuses, [200, 200, 403]);
    sb.advance(Duration::from_secs(2));
    let frame =
        json!({"outTrackId": "q1", "guid": "g9", "key": "msgContent", "content": "y", "isFull": true});
    let r = http
        .put(format!("{base}/v1.0/card/streaming"))
        .header("x-acs-dingtalk-access-token", &tok)
        .json(&frame)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
}

#[tokio::test]
async fn api_qps_limit_throttles_per_app_and_path() {
    let sb = Sandbox::builder().api_qps(Some(2)).start().await.unwrap();
    let http = reqwest::Client::new();
    let base = sb.base_url();
    let tok = common::demo_app_token(&http, &base).await;
    let mut codes = Vec::new();
    for _ in 0..3 {
        let r = http
            .put(format!("{base}/v1.0/card/instances"))
            .header("x-acs-dingtalk-access-token", &tok)
            .json(&json!({"outTrackId": "none"}))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let body: Value = r.json().await.unwrap();
        codes.push((status, body["code"].as_str().unwrap_or_default().to_owned()));
    }
    assert_eq!(
        codes[2],
        (403, "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi".to_owned())
    );
    let legacy: Value = http
        .post(format!("{base}/topapi/v2/user/get?access_token={tok}"))
        .json(&json!({"userid": "user001"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(legacy["errcode"], 0, "another path has its own budget");
    sb.advance(Duration::from_secs(1));
    let r = http
        .put(format!("{base}/v1.0/card/instances"))
        .header("x-acs-dingtalk-access-token", &tok)
        .json(&json!({"outTrackId": "none"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400, "the window moved on");
}
