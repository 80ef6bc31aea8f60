//! Endpoint tests for the contact product.

mod common;

use common::{TOKEN, client, fixture};
use dingtalk_core::{DeptId, ErrorKind, RetryClass, UnionId, UserId};
use dingtalk_test_support::strict_server;
use futures_util::TryStreamExt;
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

#[tokio::test]
async fn get_user_puts_the_token_in_the_query_and_unwraps_result() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/topapi/v2/user/get"))
        .and(query_param("access_token", TOKEN))
        .and(body_json(json!({"userid": "manager432", "language": "en_US"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("contact/get_user.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let user = client
        .contact()
        .get_user(UserId::new("manager432"))
        .language("en_US")
        .await
        .unwrap();
    assert_eq!(user.unionid.unwrap().as_str(), "gliiW0piiii02zBUjUxxxx");
    assert_eq!(
        user.dept_id_list.iter().map(DeptId::as_str).collect::<Vec<_>>(),
        ["1", "2"]
    );
    assert_eq!(user.admin, Some(true));
    let requests = server.received_requests().await.unwrap();
    assert!(requests[0].headers.get("x-acs-dingtalk-access-token").is_none());
}

#[tokio::test]
async fn get_user_not_found_keeps_the_legacy_code() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/topapi/v2/user/get"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("contact/get_user.not_found.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let error = client.contact().get_user(UserId::new("ghost")).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!(error.api_error().unwrap().code().as_str(), "60121");
    assert_eq!(error.retry_class(), RetryClass::Permanent);
}

#[tokio::test]
async fn wrapped_token_error_is_reported_by_sub_code() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/topapi/v2/user/get"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("contact/get_user.invalid_token.json")),
        )
        .mount(&server)
        .await;
    let client = client(&server);
    let error = client.contact().get_user(UserId::new("u1")).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unauthorized);
    assert_eq!(error.api_error().unwrap().code().as_str(), "40014");
}

#[tokio::test]
async fn lookups_by_mobile_and_union_id() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/topapi/v2/user/getbymobile"))
        .and(query_param("access_token", TOKEN))
        .and(body_json(json!({"mobile": "13800000000"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("contact/get_user_by_mobile.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/topapi/user/getbyunionid"))
        .and(query_param("access_token", TOKEN))
        .and(body_json(json!({"unionid": "gliiW0piiii02zBUjUxxxx"})))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("contact/get_user_by_union_id.ok.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let by_mobile = client.contact().get_user_by_mobile("13800000000").await.unwrap();
    assert_eq!(by_mobile.userid.as_str(), "manager432");
    let by_union = client
        .contact()
        .get_user_by_union_id(UnionId::new("gliiW0piiii02zBUjUxxxx"))
        .await
        .unwrap();
    assert_eq!(by_union.contact_type, Some(0));
}

#[tokio::test]
async fn search_users_walks_offsets() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/contact/users/search"))
        .and(header("x-acs-dingtalk-access-token", TOKEN))
        .and(body_json(json!({"queryWord": "Zhang", "offset": 0, "size": 2})))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("contact/search_users.page1.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1.0/contact/users/search"))
        .and(body_json(json!({"queryWord": "Zhang", "offset": 2, "size": 2})))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("contact/search_users.page2.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let ids: Vec<UserId> = client
        .contact()
        .search_users("Zhang")
        .size(2)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        ids.iter().map(UserId::as_str).collect::<Vec<_>>(),
        ["u1", "u2", "u3"]
    );
}

#[tokio::test]
async fn department_users_walk_topapi_cursors() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/topapi/v2/user/list"))
        .and(query_param("access_token", TOKEN))
        .and(body_json(json!({"dept_id": 1, "cursor": 0, "size": 100})))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("contact/list_department_users.page1.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/topapi/v2/user/list"))
        .and(body_json(json!({"dept_id": 1, "cursor": 1, "size": 100})))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("contact/list_department_users.page2.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let users: Vec<_> = client
        .contact()
        .list_department_users(DeptId::new("1"))
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        users.iter().map(|u| u.userid.as_str()).collect::<Vec<_>>(),
        ["u1", "u2"]
    );
}

#[tokio::test]
async fn departments_get_list_and_ids() {
    let server = strict_server().await;
    for (route, file) in [
        ("/topapi/v2/department/get", "get_department"),
        ("/topapi/v2/department/listsub", "list_sub_departments"),
        ("/topapi/v2/department/listsubid", "list_sub_department_ids"),
    ] {
        Mock::given(method("POST"))
            .and(path(route))
            .and(query_param("access_token", TOKEN))
            .and(body_json(json!({"dept_id": 1})))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(fixture(&format!("contact/{file}.ok.json"))),
            )
            .expect(1)
            .mount(&server)
            .await;
    }
    let client = client(&server);
    let contact = client.contact();
    let dept = contact.get_department(DeptId::new("1")).await.unwrap();
    assert_eq!(dept.parent_id.unwrap().as_str(), "1");
    let children: Vec<_> = contact
        .list_sub_departments(DeptId::new("1"))
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(children.len(), 2);
    let ids = contact.list_sub_department_ids(DeptId::new("1")).await.unwrap();
    assert_eq!(
        ids.dept_id_list.iter().map(DeptId::as_str).collect::<Vec<_>>(),
        ["2", "3"]
    );
}

#[tokio::test]
async fn current_user_uses_the_header_token() {
    let server = strict_server().await;
    Mock::given(method("GET"))
        .and(path("/v1.0/contact/users/me"))
        .and(header("x-acs-dingtalk-access-token", TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("contact/get_current_user.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let me = client.contact().get_current_user().await.unwrap();
    assert_eq!(me.union_id.unwrap().as_str(), "gliiW0piiii02zBUjUxxxx");
}

#[tokio::test]
async fn current_user_with_an_app_token_is_unauthorized() {
    let server = strict_server().await;
    Mock::given(method("GET"))
        .and(path("/v1.0/contact/users/me"))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(fixture("contact/get_current_user.app_token.json")),
        )
        .mount(&server)
        .await;
    let client = client(&server);
    let error = client.contact().get_current_user().await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unauthorized);
    assert_eq!(
        error.api_error().unwrap().code().as_str(),
        "InvalidAuthentication"
    );
}
