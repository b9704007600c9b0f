//! The OpenAPI document is a public contract: any change to it must be deliberate.
//! Run with `UPDATE_SNAPSHOTS=1` to accept a change: that run writes the new
//! snapshot and still fails, so a run can never pass by rewriting its own
//! snapshot. Review and commit the file, then run again without it. Under
//! `CI` the snapshot is never written, and a missing snapshot always fails.

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
        assert!(
            std::env::var_os("CI").is_none(),
            "UPDATE_SNAPSHOTS is refused under CI: update the snapshot locally and commit it"
        );
        std::fs::write(&path, &pretty).unwrap();
        panic!(
            "wrote {}: review and commit it, then run again without UPDATE_SNAPSHOTS",
            path.display()
        );
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "the snapshot {} cannot be read ({e}); create it with UPDATE_SNAPSHOTS=1 and commit it",
            path.display()
        )
    });
    assert!(
        expected == pretty,
        "the OpenAPI document changed; if that is intended, run UPDATE_SNAPSHOTS=1 cargo test and commit tests/snapshots/openapi.json"
    );
    // The common error shape is declared.
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());

    let docs = server.get("/api/docs").await;
    assert_eq!(docs.status(), 200);
    assert!(docs.text().await.unwrap().contains("<openapi-explorer"));
}
