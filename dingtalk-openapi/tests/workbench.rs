//! Endpoint tests for the workbench product.

mod common;

use common::{TOKEN, client, fixture};
use dingtalk_core::UserId;
use dingtalk_test_support::strict_server;
use futures_util::TryStreamExt;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, ResponseTemplate};

#[tokio::test]
async fn inner_and_user_apps() {
    let server = strict_server().await;
    Mock::given(method("GET"))
        .and(path("/v1.0/microApp/allInnerApps"))
        .and(header("x-acs-dingtalk-access-token", TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("workbench/list_inner_apps.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1.0/microApp/users/manager432/apps"))
        .and(header("x-acs-dingtalk-access-token", TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("workbench/list_inner_apps.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let apps: Vec<_> = client
        .workbench()
        .list_inner_apps()
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(apps[0].agent_id.as_ref().unwrap().as_str(), "1234567890");
    let visible = client
        .workbench()
        .list_user_apps(UserId::new("manager432"))
        .await
        .unwrap();
    assert_eq!(visible.app_list[0].name.as_deref(), Some("Ops Bot"));
}
