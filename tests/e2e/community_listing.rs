//! A space's threads sorted (latest activity, unanswered, most helpful) and
//! paged, the posting rate limit, and community spaces created by admins,
//! on both databases.

use agora_tests::TestServer;
use serde_json::{Value, json};

use super::community::{THREADS, get, id, named, refused, reply, start, want};

#[tokio::test]
async fn threads_sort_page_and_posting_is_rate_limited() {
    let s = TestServer::start().await;
    let amina = named(&s, "amina@lyon.example", "Amina Diallo").await;
    let li = named(&s, "li@nairobi.example", "Li Wei").await;
    // Established accounts: a new one's first posts would wait for approval.
    super::community_moderation::established(&s, &[&amina, &li]).await;
    let space = "learning-cities";
    let mut ids = Vec::new();
    for n in 0..10 {
        let body = json!({ "title": format!("Thread {n}"), "body": "Hello" });
        ids.push(id(&start(&s, &amina, space, body).await));
    }
    // The eleventh post at once is refused: posting is rate limited.
    let new = format!("/api/v1/discussions/spaces/{space}/threads");
    let more = json!({ "title": "More", "body": "x" });
    assert_eq!(refused(&s, &amina, "POST", &new, more).await.0, 429);

    // Li's reply brings thread 2 first; thread 5 is the most helpful.
    reply(&s, &li, &ids[2], json!({ "body": "Bump" })).await;
    let t5 = get(&s, &li, &format!("{THREADS}/{}", ids[5])).await;
    let opening = id(&t5["posts"][0]);
    let helpful = format!("/api/v1/discussions/posts/{opening}/helpful");
    want(&s, &li, "POST", &helpful, Value::Null, 200).await;
    let list = |sort: &str, page: u64| format!("{new}?sort={sort}&page={page}");
    let latest = get(&s, &li, &list("latest", 1)).await;
    assert_eq!(
        (&latest["threads"][0]["id"], &latest["total"]),
        (&json!(ids[2]), &json!(10))
    );
    let helpful = get(&s, &li, &list("helpful", 1)).await;
    assert_eq!(helpful["threads"][0]["id"], json!(ids[5]));
    let unanswered = get(&s, &li, &list("unanswered", 1)).await;
    assert_eq!(unanswered["total"], 9);
    assert!(!unanswered.to_string().contains(&ids[2]));
    let page2 = get(&s, &li, &list("latest", 2)).await;
    assert_eq!(page2["threads"], json!([]));
    assert_eq!(page2["has_more"], false);
    for bad in ["sort=oldest", "page=0", "page=x"] {
        let path = format!("{new}?{bad}");
        assert_eq!(
            refused(&s, &li, "GET", &path, Value::Null).await.0,
            400,
            "{bad}"
        );
    }

    // Admins create community spaces; the slug is checked.
    let admin = s.admin("admin@agora.example").await;
    let spaces = "/api/v1/discussions/spaces";
    let body = json!({ "slug": "urban-resilience", "titles": { "en": "Urban resilience", "fr": "Résilience urbaine" } });
    assert_eq!(refused(&s, &li, "POST", spaces, body.clone()).await.0, 403);
    want(&s, &admin, "POST", spaces, body.clone(), 201).await;
    assert_eq!(
        refused(&s, &admin, "POST", spaces, body).await,
        (409, "slug".into())
    );
    let bad = json!({ "slug": "course-x", "titles": { "en": "X" } });
    assert_eq!(
        refused(&s, &admin, "POST", spaces, bad).await,
        (422, "slug".into())
    );
    let bad = json!({ "slug": "x-y", "titles": { "xx": "X" } });
    assert_eq!(
        refused(&s, &admin, "POST", spaces, bad).await,
        (422, "titles".into())
    );
    let listed = get(&s, &li, spaces).await.to_string();
    assert!(listed.contains("Urban resilience"), "{listed}");
}
