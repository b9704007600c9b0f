//! Following and notifications, on both databases: a cohort's private
//! space, where mentions reach only its people (naming anyone else is
//! refused), followers of the space and of the thread are notified in the
//! posting transaction, the header counts what is unread, and nothing of
//! the space ever reaches another cohort's member.

use reqwest::Method;
use serde_json::json;

use super::{
    cohorts::{cohorts_world, field_of, ok},
    cohorts_pages::page,
    cohorts_sessions::two_cohorts,
    community::{id, last_post, rename, reply, start},
};

#[tokio::test]
async fn a_cohort_space_notifies_its_people_and_no_one_else() {
    let c = cohorts_world(vec![]).await;
    let (w, s) = (&c.w, &c.w.s);
    two_cohorts(&c).await;
    let (member, other, facilitator) = (&w.lyon_member, &w.nairobi_admin, &c.facilitator);
    rename(s, member, "Amina Diallo").await;
    rename(s, other, "Otieno Kamau").await;
    rename(s, facilitator, "Fatou Sow").await;
    let space = "cohort-vlr-a";

    // The space is the cohort's: another cohort's member cannot see or follow it.
    for (m, path, body) in [
        (
            Method::GET,
            format!("/api/v1/discussions/spaces/{space}/threads"),
            None,
        ),
        (
            Method::PUT,
            format!("/api/v1/discussions/spaces/{space}/following"),
            Some(json!({ "on": true })),
        ),
    ] {
        let (st, _) = s.call(other, m, &path, body).await;
        assert_eq!(st, 404, "{path}");
    }
    let listed = ok(
        s,
        other,
        Method::GET,
        "/api/v1/discussions/spaces",
        None,
        200,
    )
    .await;
    assert!(!listed.to_string().contains(space), "{listed}");
    let listed = ok(
        s,
        member,
        Method::GET,
        "/api/v1/discussions/spaces",
        None,
        200,
    )
    .await;
    assert!(listed.to_string().contains(space), "{listed}");

    // The admin follows the space; the facilitator will be mentioned.
    ok(
        s,
        &w.admin,
        Method::PUT,
        &format!("/api/v1/discussions/spaces/{space}/following"),
        Some(json!({ "on": true })),
        204,
    )
    .await;
    // Mentioning someone outside the space is refused, next to the body.
    let (st, b) = s
        .call(
            member,
            Method::POST,
            &format!("/api/v1/discussions/spaces/{space}/threads"),
            Some(json!({ "title": "Data", "body": "Ask @OtienoKamau?" })),
        )
        .await;
    assert_eq!((st, field_of(&b)), (422, "body"), "{b}");
    assert!(
        b["message"].as_str().unwrap().contains("@OtienoKamau"),
        "{b}"
    );
    let t = start(s, member, space, json!({ "title": "Our data sources", "body": "@FatouSow which census should we use?", "question": true })).await;
    let tid = id(&t);

    // Written with the post: no worker involved.
    let unread = |who| async move {
        ok(
            s,
            who,
            Method::GET,
            "/api/v1/me/notifications/unread",
            None,
            200,
        )
        .await["unread"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(unread(facilitator).await, 1);
    assert_eq!(unread(&w.admin).await, 1);
    assert_eq!(unread(member).await, 0, "never about one's own post");
    let n = ok(
        s,
        facilitator,
        Method::GET,
        "/api/v1/me/notifications",
        None,
        200,
    )
    .await;
    assert_eq!(n[0]["kind"], "mention");
    assert_eq!(n[0]["thread_title"], "Our data sources");
    assert_eq!(n[0]["actor_name"], "Amina Diallo");
    let href = n[0]["href"].as_str().unwrap();
    assert!(
        href.starts_with(&format!("/discussions/{space}/threads/{tid}#post-")),
        "{href}"
    );
    let n = ok(
        s,
        &w.admin,
        Method::GET,
        "/api/v1/me/notifications",
        None,
        200,
    )
    .await;
    assert_eq!(n[0]["kind"], "thread");

    // The facilitator answers; the asker (who follows) is notified, and marks it.
    let after = reply(
        s,
        facilitator,
        &tid,
        json!({ "body": "The 2020 census, table 4." }),
    )
    .await;
    let answer = id(last_post(&after));
    assert_eq!(unread(member).await, 1);
    ok(
        s,
        member,
        Method::PUT,
        &format!("/api/v1/discussions/threads/{tid}/answer"),
        Some(json!({ "post_id": answer })),
        204,
    )
    .await;
    let n = ok(
        s,
        facilitator,
        Method::GET,
        "/api/v1/me/notifications",
        None,
        200,
    )
    .await;
    assert_eq!(n[0]["kind"], "answer", "{n}");
    // The replier now follows the thread, and can stop.
    let t = ok(
        s,
        facilitator,
        Method::GET,
        &format!("/api/v1/discussions/threads/{tid}"),
        None,
        200,
    )
    .await;
    assert_eq!(t["following"], true);
    ok(
        s,
        facilitator,
        Method::PUT,
        &format!("/api/v1/discussions/threads/{tid}/following"),
        Some(json!({ "on": false })),
        204,
    )
    .await;
    reply(s, member, &tid, json!({ "body": "Thank you!" })).await;
    assert_eq!(unread(facilitator).await, 2, "no new one after unfollowing");

    // The header counts what is unread; marking read empties it.
    let (st, html) = page(s, Some(facilitator), "/discussions").await;
    assert_eq!(st, 200);
    assert!(html.contains("Notifications (2)"), "the header count");
    let marked = ok(
        s,
        facilitator,
        Method::POST,
        "/api/v1/me/notifications/read",
        Some(json!({ "all": true })),
        200,
    )
    .await;
    assert_eq!(marked["marked"], 2);
    let (_, html) = page(s, Some(facilitator), "/discussions").await;
    assert!(
        !html.contains("Notifications ("),
        "no count when all is read"
    );

    // Another cohort's member got nothing of it, and cannot read it by id.
    let n = ok(s, other, Method::GET, "/api/v1/me/notifications", None, 200).await;
    assert_eq!(n, json!([]));
    let (st, _) = s
        .call(
            other,
            Method::GET,
            &format!("/api/v1/discussions/threads/{tid}"),
            None,
        )
        .await;
    assert_eq!(st, 404);

    // (An established account: a new one's first post would wait.)
    super::community_moderation::established(s, &[member]).await;
    // A member who follows the community's space hears of a new thread there;
    // a notification of a space one can no longer read is never listed.
    ok(
        s,
        other,
        Method::PUT,
        "/api/v1/discussions/spaces/learning-cities/following",
        Some(json!({ "on": true })),
        204,
    )
    .await;
    start(
        s,
        member,
        "learning-cities",
        json!({ "title": "Lyon's learning festival", "body": "Ideas welcome." }),
    )
    .await;
    let n = ok(s, other, Method::GET, "/api/v1/me/notifications", None, 200).await;
    assert_eq!(n.as_array().unwrap().len(), 1);
    assert_eq!(n[0]["space"], "learning-cities");
    use agora_core::entities::cohort_member;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let conn = s.conn().await;
    let before = ok(
        s,
        member,
        Method::GET,
        "/api/v1/me/notifications",
        None,
        200,
    )
    .await;
    assert!(before.to_string().contains(space));
    cohort_member::Entity::delete_many()
        .filter(
            cohort_member::Column::UserId.is_in(
                agora_core::entities::user::Entity::find()
                    .filter(agora_core::entities::user::Column::Email.eq(member.email.clone()))
                    .all(&conn)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|u| u.id),
            ),
        )
        .exec(&conn)
        .await
        .unwrap();
    let after = ok(
        s,
        member,
        Method::GET,
        "/api/v1/me/notifications",
        None,
        200,
    )
    .await;
    assert!(!after.to_string().contains(space), "{after}");
}
