//! The OpenAPI document is a public contract: any change to it must be deliberate.
//! Run with `UPDATE_SNAPSHOTS=1` to accept a change, and commit the new snapshot.

use agora_tests::{TestServer, root};

#[tokio::test]
async fn openapi_document_matches_the_snapshot() {
    let server = TestServer::start().await;
    let r = server.get("/api/openapi.json").await;
    assert_eq!(r.status(), 200);
    let doc: serde_json::Value = r.json().await.unwrap();
    let pretty = serde_json::to_string_pretty(&doc).unwrap() + "\n";
    let path = root().join("tests/snapshots/openapi.json");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &pretty).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        expected == pretty,
        "the OpenAPI document changed; if that is intended, run UPDATE_SNAPSHOTS=1 cargo test and commit tests/snapshots/openapi.json"
    );
    // The common error shape is declared.
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());

    let docs = server.get("/api/docs").await;
    assert_eq!(docs.status(), 200);
    assert!(docs.text().await.unwrap().contains("swagger"));
}
