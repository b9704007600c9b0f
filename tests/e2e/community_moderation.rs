//! Moderation through the API, on both databases: a report reaches the
//! queue of the space's moderators (never another's), who hide, restore
//! or dismiss; a thread moves, its followers kept only where they can
//! read; a suspended person is refused (403, one JSON shape) and told so
//! next to the field; a new account's first posts wait for approval;
//! admins name moderators and edit community spaces; every action is in
//! the space's moderation log and the audit events.

mod approval;

use agora_tests::{Learner, TestServer};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::{Value, json};

use super::{
    authoring::XSS,
    cohorts_pages::page,
    community::{
        COURSE, POSTS, SPACE, THREADS, enrol, get, id, last_post, named, refused, reply, start,
        want,
    },
};

pub const QUEUE: &str = "/api/v1/discussions/moderation/queue";
pub const LC: &str = "learning-cities";
const DRR: &str = "disaster-risk-reduction";

/// Ages accounts past the new-account rule: their posts need no approval.
pub async fn established(s: &TestServer, people: &[&Learner]) {
    use agora_core::entities::user;
    let old = time::OffsetDateTime::now_utc() - time::Duration::days(30);
    let emails: Vec<String> = people.iter().map(|p| p.email.clone()).collect();
    user::Entity::update_many()
        .col_expr(user::Column::CreatedAt, Expr::value(old))
        .filter(user::Column::Email.is_in(emails))
        .exec(&s.conn().await)
        .await
        .unwrap();
}

/// Names `who` moderator of `space` (as an admin).
pub async fn name_moderator(s: &TestServer, admin: &Learner, space: &str, who: &Learner) {
    let path = format!("/api/v1/discussions/spaces/{space}/moderators");
    want(s, admin, "POST", &path, json!({ "email": who.email }), 204).await;
}

pub async fn report(
    s: &TestServer,
    who: &Learner,
    post: &str,
    reason: &str,
    note: &str,
) -> (u16, String) {
    let body = json!({ "reason": reason, "note": note });
    refused(s, who, "POST", &format!("{POSTS}/{post}/reports"), body).await
}

fn tomorrow() -> String {
    (time::OffsetDateTime::now_utc() + time::Duration::days(1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

#[tokio::test]
async fn reports_reach_the_queue_and_moderators_hide_dismiss_move_and_suspend() {
    let s = TestServer::start().await;
    let admin = s.admin("admin@agora.example").await;
    let amina = named(&s, "amina@lyon.example", "Amina Diallo").await;
    let li = named(&s, "li@nairobi.example", "Li Wei").await;
    let mo = named(&s, "mo@quito.example", "Mo Reyes").await;
    let other = named(&s, "other@cebu.example", "Other Mod").await;
    established(&s, &[&amina, &li, &mo, &other]).await;

    // Only admins name moderators, by email; a cohort's are its facilitators.
    let mods = format!("/api/v1/discussions/spaces/{LC}/moderators");
    assert_eq!(
        refused(&s, &mo, "POST", &mods, json!({ "email": mo.email }))
            .await
            .0,
        403
    );
    assert_eq!(
        refused(
            &s,
            &admin,
            "POST",
            &mods,
            json!({ "email": "nobody@x.example" })
        )
        .await,
        (422, "email".into())
    );
    name_moderator(&s, &admin, LC, &mo).await;
    name_moderator(&s, &admin, DRR, &other).await;
    let listed = get(&s, &admin, &mods).await;
    assert_eq!(listed[0]["email"], "mo@quito.example");
    assert_eq!(refused(&s, &mo, "GET", &mods, Value::Null).await.0, 403);

    // Li reports Amina's post, with a reason and a hostile note.
    let t = start(
        &s,
        &amina,
        LC,
        json!({ "title": "Festival", "body": "Come!" }),
    )
    .await;
    let tid = id(&t);
    let opening = id(&t["posts"][0]);
    assert_eq!(report(&s, &li, &opening, "spam", XSS[0]).await.0, 201);
    assert_eq!(
        report(&s, &li, &opening, "spam", "again").await,
        (409, "post".into())
    );
    assert_eq!(
        report(&s, &li, &opening, "rude", "").await,
        (422, "reason".into())
    );
    assert_eq!(
        report(&s, &amina, &opening, "spam", "").await,
        (422, "post".into())
    );
    assert_eq!(
        report(&s, &other, &opening, "harassment", XSS[1]).await.0,
        201
    );

    // The queue: the space's moderators and admins, never another space's.
    assert_eq!(refused(&s, &li, "GET", QUEUE, Value::Null).await.0, 403);
    let q = get(&s, &mo, QUEUE).await;
    assert_eq!(q.as_array().unwrap().len(), 1, "{q}");
    assert_eq!(q[0]["post_id"], json!(opening));
    assert_eq!(q[0]["author_name"], "Amina Diallo");
    assert_eq!(q[0]["report_count"], 2);
    assert_eq!(
        q[0]["reasons"][0],
        json!({ "reason": "harassment", "count": 1 })
    );
    assert_eq!(q[0]["reports"][0]["note"], XSS[0]);
    assert_eq!(get(&s, &admin, QUEUE).await.as_array().unwrap().len(), 1);
    assert_eq!(get(&s, &other, QUEUE).await, json!([]));
    let theirs = format!("{QUEUE}?space={LC}");
    assert_eq!(
        refused(&s, &other, "GET", &theirs, Value::Null).await.0,
        403
    );
    let hide = format!("{POSTS}/{opening}/visibility");
    assert_eq!(
        refused(&s, &other, "PUT", &hide, json!({ "hidden": true }))
            .await
            .0,
        403
    );

    // Hiding settles the reports; Li no longer reads the post; restoring.
    want(&s, &mo, "PUT", &hide, json!({ "hidden": true }), 204).await;
    assert_eq!(get(&s, &mo, QUEUE).await, json!([]));
    let seen = get(&s, &li, &format!("{THREADS}/{tid}")).await;
    assert_eq!(
        (
            seen["posts"][0]["hidden"].clone(),
            seen["posts"][0]["body"].clone()
        ),
        (json!(true), json!(""))
    );
    assert_eq!(report(&s, &li, &opening, "spam", "").await.0, 404);
    want(&s, &mo, "PUT", &hide, json!({ "hidden": false }), 204).await;
    assert_eq!(
        get(&s, &li, &format!("{THREADS}/{tid}")).await["posts"][0]["body"],
        "Come!"
    );

    // A report dismissed leaves the post as it is.
    let r = id(last_post(
        &reply(&s, &amina, &tid, json!({ "body": "Bring food" })).await,
    ));
    assert_eq!(report(&s, &li, &r, "off_topic", "").await.0, 201);
    let dismiss = format!("{POSTS}/{r}/dismissal");
    assert_eq!(refused(&s, &li, "POST", &dismiss, Value::Null).await.0, 403);
    want(&s, &mo, "POST", &dismiss, Value::Null, 204).await;
    assert_eq!(refused(&s, &mo, "POST", &dismiss, Value::Null).await.0, 404);
    // One can report again once a report is settled; reports are limited.
    assert_eq!(report(&s, &li, &r, "other", "").await.0, 201);
    let mut codes = Vec::new();
    for n in 0..4 {
        let p = id(last_post(
            &reply(&s, &amina, &tid, json!({ "body": format!("More {n}") })).await,
        ));
        codes.push(report(&s, &li, &p, "spam", "").await.0);
    }
    // Li's fifth report (a refused second one counts) is the last at once.
    assert_eq!(
        codes,
        [201, 429, 429, 429],
        "five at once, then one a minute"
    );

    // Moving: to a space the moderator also moderates; followers stay
    // where they can read. A course's thread widens into the community's
    // only when confirmed.
    let moved = format!("{THREADS}/{tid}/space");
    assert_eq!(
        refused(&s, &mo, "PUT", &moved, json!({ "space": DRR })).await,
        (422, "space".into())
    );
    name_moderator(&s, &admin, DRR, &mo).await;
    let t2 = want(&s, &mo, "PUT", &moved, json!({ "space": DRR }), 200).await;
    assert_eq!(t2["space"]["slug"], DRR);
    enrol(&s, &amina, COURSE).await;
    let c = start(
        &s,
        &amina,
        SPACE,
        json!({ "title": "Wards", "body": "Which?" }),
    )
    .await;
    let out = named(&s, "out@city.example", "Out Sider").await;
    want(
        &s,
        &out,
        "PUT",
        &format!("{THREADS}/{tid}/following"),
        json!({ "on": true }),
        204,
    )
    .await;
    let to_course = json!({ "space": SPACE });
    want(&s, &admin, "PUT", &moved, to_course, 200).await;
    assert_eq!(
        refused(&s, &out, "GET", &format!("{THREADS}/{tid}"), Value::Null)
            .await
            .0,
        404
    );
    let follows = agora_core::entities::discussion_follow::Entity::find()
        .filter(
            agora_core::entities::discussion_follow::Column::TargetId
                .eq(tid.parse::<uuid::Uuid>().unwrap()),
        )
        .all(&s.conn().await)
        .await
        .unwrap();
    assert_eq!(follows.len(), 1, "only Amina still follows: {follows:?}");
    let widen = format!("{THREADS}/{}/space", id(&c));
    assert_eq!(
        refused(&s, &admin, "PUT", &widen, json!({ "space": LC })).await,
        (422, "widen".into())
    );
    want(
        &s,
        &admin,
        "PUT",
        &widen,
        json!({ "space": LC, "widen": true }),
        200,
    )
    .await;

    // Suspension: in one space by its moderator (everywhere: admins only).
    let amina_id = get(&s, &amina, "/api/v1/me").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = json!({ "user_id": amina_id, "space": LC, "until": tomorrow(), "reason": XSS[6] });
    assert_eq!(
        refused(
            &s,
            &other,
            "POST",
            "/api/v1/discussions/suspensions",
            body.clone()
        )
        .await
        .0,
        403
    );
    let everywhere = json!({ "user_id": amina_id, "until": tomorrow(), "reason": "x" });
    assert_eq!(
        refused(
            &s,
            &mo,
            "POST",
            "/api/v1/discussions/suspensions",
            everywhere
        )
        .await
        .0,
        403
    );
    let past =
        json!({ "user_id": amina_id, "space": LC, "until": "2020-01-01T00:00:00Z", "reason": "x" });
    assert_eq!(
        refused(&s, &mo, "POST", "/api/v1/discussions/suspensions", past).await,
        (422, "until".into())
    );
    let sus = want(
        &s,
        &mo,
        "POST",
        "/api/v1/discussions/suspensions",
        body,
        201,
    )
    .await;
    let c2 = id(&c);
    let (st, b) = s
        .call(
            &amina,
            "POST".parse().unwrap(),
            &format!("{THREADS}/{c2}/posts"),
            Some(json!({ "body": "Hi" })),
        )
        .await;
    assert_eq!(st, 403, "{b}");
    assert_eq!(b["code"], "forbidden");
    assert!(b["message"].as_str().unwrap().contains("suspended"), "{b}");
    let space = get(
        &s,
        &amina,
        &format!("/api/v1/discussions/spaces/{LC}/threads"),
    )
    .await;
    assert_eq!(space["space"]["suspension_reason"], XSS[6]);
    start(
        &s,
        &amina,
        DRR,
        json!({ "title": "Elsewhere", "body": "Fine here" }),
    )
    .await;
    let (st, html) = page(&s, Some(&amina), &format!("/discussions/{LC}/threads/{c2}")).await;
    assert_eq!(st, 200);
    assert!(
        html.contains("You are suspended from posting here until"),
        "the message next to the field"
    );
    let (_, html) = page(&s, Some(&amina), &format!("/discussions/{LC}")).await;
    assert!(
        html.contains("You are suspended from posting here until")
            && html.contains("aria-invalid=\"true\""),
        "the new thread form says so too"
    );
    assert!(
        !html.contains("<script>window.__xss"),
        "the reason is escaped"
    );
    let list = get(
        &s,
        &mo,
        &format!("/api/v1/discussions/spaces/{LC}/suspensions"),
    )
    .await;
    assert_eq!(list[0]["user_name"], "Amina Diallo");
    let lift = format!("/api/v1/discussions/suspensions/{}", id(&sus));
    assert_eq!(
        refused(&s, &other, "DELETE", &lift, Value::Null).await.0,
        403
    );
    want(&s, &mo, "DELETE", &lift, Value::Null, 204).await;
    reply(&s, &amina, &c2, json!({ "body": "Back" })).await;

    // Every action is in the space's log (its moderators) and the audit.
    let log = get(
        &s,
        &mo,
        &format!("/api/v1/discussions/spaces/{LC}/moderation-log"),
    )
    .await;
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for a in [
        "hide",
        "restore",
        "dismiss",
        "move",
        "suspend",
        "lift",
        "moderator_add",
    ] {
        assert!(
            actions.contains(&format!("discussion.{a}").as_str()),
            "{a}: {actions:?}"
        );
    }
    let log_path = format!("/api/v1/discussions/spaces/{LC}/moderation-log");
    assert_eq!(refused(&s, &li, "GET", &log_path, Value::Null).await.0, 403);
    use agora_core::entities::audit_event;
    let audited = audit_event::Entity::find()
        .filter(audit_event::Column::Action.starts_with("discussion."))
        .all(&s.conn().await)
        .await
        .unwrap();
    assert!(
        audited.len() >= actions.len(),
        "{} {}",
        audited.len(),
        actions.len()
    );
}
