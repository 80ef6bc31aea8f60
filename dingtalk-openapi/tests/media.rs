//! Endpoint tests for the media product.

mod common;

use common::{TOKEN, client, fixture, timing_out_post};
use dingtalk_core::{AgentId, ErrorKind};
use dingtalk_openapi::media::MediaType;
use dingtalk_test_support::strict_server;
use wiremock::matchers::{body_string_contains, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, ResponseTemplate};

#[tokio::test]
async fn upload_sends_a_media_part_with_the_token_in_the_query() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/media/upload"))
        .and(query_param("access_token", TOKEN))
        .and(query_param("type", "image"))
        .and(body_string_contains("name=\"media\"; filename=\"chart.png\""))
        .and(body_string_contains("Content-Type: image/png"))
        .and(body_string_contains("PNGBYTES"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("media/upload_media.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let uploaded = client
        .media()
        .upload_media(MediaType::Image, "chart.png", b"PNGBYTES".to_vec())
        .await
        .unwrap();
    assert_eq!(uploaded.media_id.as_str(), "@lADOADmaWMzazQKA");
    assert_eq!(uploaded.created_at, Some(1_605_863_153_573));
    let requests = server.received_requests().await.unwrap();
    assert!(requests[0].headers.get("x-acs-dingtalk-access-token").is_none());
}

#[tokio::test]
async fn upload_errors_keep_the_legacy_code() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/media/upload"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("media/upload_media.bad_file_type.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let error = client
        .media()
        .upload_media(MediaType::File, "a.pdf", b"%PDF".to_vec())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!(error.api_error().unwrap().code().as_str(), "40005");
}

#[tokio::test]
async fn upload_checks_extension_before_sending() {
    let server = strict_server().await;
    let client = client(&server);
    let error = client
        .media()
        .upload_media(MediaType::Image, "a.exe", b"MZ".to_vec())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Validation);
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn upload_is_not_retried_after_a_timeout() {
    let (_server, client) = timing_out_post("/media/upload").await;
    let error = client
        .media()
        .upload_media(MediaType::Image, "a.png", b"PNG".to_vec())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout);
}

#[tokio::test]
async fn large_files_go_through_the_chunked_upload() {
    let server = strict_server().await;
    let size = 20 * 1024 * 1024 + 10;
    Mock::given(method("GET"))
        .and(path("/file/upload/transaction"))
        .and(query_param("access_token", TOKEN))
        .and(query_param("agent_id", "123"))
        .and(query_param("file_size", size.to_string()))
        .and(query_param("chunk_numbers", "3"))
        .and(query_param_is_missing("upload_id"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("media/begin_chunked_upload.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/file/upload/chunk"))
        .and(query_param("upload_id", "#dingtalk.upload.1"))
        .and(body_string_contains("name=\"file\""))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("media/upload_chunk.ok.json")))
        .expect(3)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/file/upload/transaction"))
        .and(query_param("upload_id", "#dingtalk.upload.1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("media/commit_chunked_upload.ok.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let media_id = client
        .media()
        .upload_large_file(AgentId::new("123"), MediaType::File, "big.zip", vec![7; size])
        .await
        .unwrap();
    assert_eq!(media_id.as_str(), "#dingtalk.file.1");
}
