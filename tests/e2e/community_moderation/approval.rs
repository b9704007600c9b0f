//! A new account's first posts in a community space wait for approval,
//! links are marked `ugc` (and `nofollow` for new accounts), and admins
//! create and edit community spaces.

use agora_tests::TestServer;
use serde_json::{Value, json};

use super::super::community::{
    COURSE, POSTS, SPACE, THREADS, enrol, get, id, last_post, named, refused, reply, start, want,
};
use super::{LC, QUEUE, established, name_moderator};

#[tokio::test]
async fn a_new_accounts_first_posts_wait_for_approval_and_admins_edit_spaces() {
    let s = TestServer::start().await;
    let admin = s.admin("admin@agora.example").await;
    let new = named(&s, "new@lima.example", "Nueva Persona").await;
    let li = named(&s, "li@nairobi.example", "Li Wei").await;
    let mo = named(&s, "mo@quito.example", "Mo Reyes").await;
    established(&s, &[&li, &mo]).await;
    name_moderator(&s, &admin, LC, &mo).await;
    want(
        &s,
        &li,
        "PUT",
        &format!("/api/v1/discussions/spaces/{LC}/following"),
        json!({ "on": true }),
        204,
    )
    .await;

    // A new account's thread waits: its author sees it, nobody else does.
    let t = start(
        &s,
        &new,
        LC,
        json!({ "title": "Hello", "body": "See [us](https://lima.example)." }),
    )
    .await;
    let tid = id(&t);
    assert_eq!(t["posts"][0]["awaiting_approval"], true);
    let html = t["posts"][0]["body_html"].as_str().unwrap();
    assert!(html.contains("nofollow ugc"), "{html}");
    let threads = format!("/api/v1/discussions/spaces/{LC}/threads");
    assert_eq!(get(&s, &li, &threads).await["total"], 0);
    assert_eq!(get(&s, &new, &threads).await["total"], 1);
    assert_eq!(
        refused(&s, &li, "GET", &format!("{THREADS}/{tid}"), Value::Null)
            .await
            .0,
        404
    );
    assert_eq!(get(&s, &li, "/api/v1/me/notifications").await, json!([]));
    let q = get(&s, &mo, QUEUE).await;
    assert_eq!(
        (
            q[0]["awaiting_approval"].clone(),
            q[0]["report_count"].clone()
        ),
        (json!(true), json!(0))
    );

    // Approved: everyone sees it, the followers hear of it, the author too.
    let approval = format!("{POSTS}/{}/approval", id(&t["posts"][0]));
    // Li cannot see it, so cannot decide on it either.
    assert_eq!(
        refused(&s, &li, "PUT", &approval, json!({ "approved": true }))
            .await
            .0,
        404
    );
    want(&s, &mo, "PUT", &approval, json!({ "approved": true }), 204).await;
    assert_eq!(
        refused(&s, &mo, "PUT", &approval, json!({ "approved": true }))
            .await
            .0,
        404
    );
    assert_eq!(get(&s, &li, &threads).await["total"], 1);
    assert_eq!(
        get(&s, &li, "/api/v1/me/notifications").await[0]["kind"],
        "thread"
    );
    assert_eq!(
        get(&s, &new, "/api/v1/me/notifications").await[0]["kind"],
        "approved"
    );

    // A rejected reply stays with its author; an established account's
    // link is the author's own (`ugc`) but followed.
    let r = reply(&s, &new, &tid, json!({ "body": "Buy now" })).await;
    let rid = id(last_post(&r));
    assert_eq!(
        get(&s, &li, &format!("{THREADS}/{tid}")).await["reply_count"],
        0
    );
    want(
        &s,
        &mo,
        "PUT",
        &format!("{POSTS}/{rid}/approval"),
        json!({ "approved": false }),
        204,
    )
    .await;
    let mine = get(&s, &new, &format!("{THREADS}/{tid}")).await;
    assert_eq!(last_post(&mine)["rejected"], true);
    assert_eq!(
        get(&s, &li, &format!("{THREADS}/{tid}")).await["posts"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let lis = reply(
        &s,
        &li,
        &tid,
        json!({ "body": "See [it](https://nairobi.example)." }),
    )
    .await;
    let html = last_post(&lis)["body_html"].as_str().unwrap().to_owned();
    assert!(html.contains("rel=\"noopener noreferrer ugc\""), "{html}");

    // Course spaces never wait; after three approved posts one is trusted.
    enrol(&s, &new, COURSE).await;
    let c = start(
        &s,
        &new,
        SPACE,
        json!({ "title": "Census", "body": "Which?" }),
    )
    .await;
    assert_eq!(c["posts"][0]["awaiting_approval"], false);
    reply(&s, &new, &id(&c), json!({ "body": "Or 2019?" })).await;
    let t = start(&s, &new, LC, json!({ "title": "Trusted", "body": "Now" })).await;
    assert_eq!(
        t["posts"][0]["awaiting_approval"], false,
        "three approved posts"
    );

    // Admins create and edit community spaces, in three languages.
    let spaces = "/api/v1/discussions/spaces";
    let body = json!({ "slug": "urban-heat", "titles": { "en": "Urban heat", "fr": "Chaleur urbaine", "es": "Calor urbano" }, "descriptions": { "en": "Cooling cities." } });
    want(&s, &admin, "POST", spaces, body, 201).await;
    let settings = "/api/v1/discussions/spaces/urban-heat/settings";
    assert_eq!(refused(&s, &li, "GET", settings, Value::Null).await.0, 403);
    let mut form = get(&s, &admin, settings).await;
    assert_eq!(form["descriptions"]["en"], "Cooling cities.");
    form["slug"] = json!("urban-heat-islands");
    form["descriptions"]["fr"] = json!("Rafraîchir les villes.");
    assert_eq!(refused(&s, &li, "PUT", settings, form.clone()).await.0, 403);
    let bad = json!({ "slug": "learning-cities", "titles": { "en": "X" } });
    assert_eq!(
        refused(&s, &admin, "PUT", settings, bad).await,
        (409, "slug".into())
    );
    want(&s, &admin, "PUT", settings, form, 200).await;
    let listed = want(&s, &li, "GET", spaces, Value::Null, 200)
        .await
        .to_string();
    assert!(
        listed.contains("urban-heat-islands") && listed.contains("Cooling cities."),
        "{listed}"
    );
}
