//! Generated discussions for benchmarks and demos: threads and posts in a
//! course's space, written in large batches (no notifications, no mail, no
//! indexing jobs: the search index is rebuilt from the database at start).

use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect, Set,
    sea_query::OnConflict,
};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::{
    Error, Result,
    entities::{course, discussion_post, discussion_space, discussion_thread, enrolment},
};

/// What to generate.
pub struct DiscussionSeed {
    /// The course whose space gets the threads.
    pub course: String,
    pub threads: u64,
    /// Posts in all, opening posts included.
    pub posts: u64,
    /// The posts of the first thread (the one a benchmark reads).
    pub long_thread: u64,
}

/// What was generated.
pub struct SeededDiscussions {
    pub space: String,
    pub threads: u64,
    pub posts: u64,
    pub long_thread: Uuid,
}

const BATCH: usize = 1_000;

const BODIES: [&str; 4] = [
    "Our city tried this in **2023**: we mapped the indicators to the SDG targets first, then asked each department for its data. See [the review](https://example.org/vlr) for the tables.",
    "A question about the *baseline*: do you use the 2011 census or the 2021 estimates? We had gaps in the ward-level figures and filled them with the household survey.",
    "We kept a short list:\n\n- housing (11.1)\n- transport (11.2)\n- green space (11.7)\n\nand reported `n/a` where no data existed, with the reason.",
    "Thank you, this helps. The budget line for the review came from the planning office, and the mayor signed the foreword, which made the departments answer faster.",
];

fn post(
    thread: Uuid,
    author: Uuid,
    n: u64,
    opening: bool,
    at: OffsetDateTime,
) -> discussion_post::ActiveModel {
    discussion_post::ActiveModel {
        id: Set(Uuid::new_v4()),
        thread_id: Set(thread),
        parent_id: Set(None),
        opening: Set(opening),
        author_id: Set(Some(author)),
        body: Set(format!("{} (post {n})", BODIES[(n % 4) as usize])),
        deleted: Set(false),
        hidden: Set(false),
        helpful_count: Set((n % 3) as i32),
        created_at: Set(at),
        edited_at: Set(None),
    }
}

/// Generates threads and posts in the course's space, by the course's
/// learners in turn. The first thread has `long_thread` posts; the others
/// share the rest.
pub async fn seed_discussions(
    db: &DatabaseConnection,
    seed: &DiscussionSeed,
) -> Result<SeededDiscussions> {
    let c = course::Entity::find()
        .filter(course::Column::Slug.eq(&seed.course))
        .one(db)
        .await?
        .ok_or(Error::NotFound { what: "course" })?;
    let authors: Vec<Uuid> = enrolment::Entity::find()
        .select_only()
        .column(enrolment::Column::UserId)
        .filter(enrolment::Column::CourseId.eq(c.id))
        .limit(500)
        .into_tuple()
        .all(db)
        .await?;
    if authors.is_empty() || seed.threads == 0 || seed.posts < seed.threads {
        return Err(Error::invalid(
            "course",
            "seed learners in the course first, and as many posts as threads at least",
        ));
    }
    let slug = format!("course-{}", c.slug);
    discussion_space::Entity::insert(discussion_space::ActiveModel {
        id: Set(Uuid::new_v4()),
        slug: Set(slug.clone()),
        kind: Set("course".into()),
        course_id: Set(Some(c.id)),
        cohort_id: Set(None),
        titles: Set(serde_json::json!({})),
        descriptions: Set(None),
        created_at: Set(OffsetDateTime::now_utc()),
    })
    .on_conflict(
        OnConflict::column(discussion_space::Column::Slug)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    let space = discussion_space::Entity::find()
        .filter(discussion_space::Column::Slug.eq(&slug))
        .one(db)
        .await?
        .ok_or(Error::NotFound { what: "space" })?;

    let long = seed.long_thread.clamp(1, seed.posts - (seed.threads - 1));
    let rest = seed.posts - long;
    let others = seed.threads - 1;
    let start = OffsetDateTime::now_utc() - Duration::days(30);
    let mut threads = Vec::new();
    let mut posts = Vec::new();
    let mut n = 0u64;
    let mut long_id = Uuid::nil();
    for i in 0..seed.threads {
        let count = if i == 0 {
            long
        } else {
            rest / others + u64::from(i - 1 < rest % others)
        };
        let id = Uuid::new_v4();
        if i == 0 {
            long_id = id;
        }
        let began = start + Duration::minutes(i as i64);
        for k in 0..count {
            let author = authors[(n as usize) % authors.len()];
            posts.push(post(
                id,
                author,
                n,
                k == 0,
                began + Duration::seconds(k as i64),
            ));
            n += 1;
        }
        threads.push(discussion_thread::ActiveModel {
            id: Set(id),
            space_id: Set(space.id),
            lesson_key: Set(None),
            author_id: Set(Some(authors[i as usize % authors.len()])),
            title: Set(format!("Indicators for the local review, question {i}")),
            question: Set(i % 2 == 0),
            answer_post_id: Set(None),
            locked: Set(false),
            reply_count: Set(count.saturating_sub(1) as i32),
            helpful_count: Set(0),
            last_activity_at: Set(began + Duration::seconds(count as i64)),
            created_at: Set(began),
        });
    }
    for chunk in threads.chunks(BATCH) {
        let txn = crate::db::begin_write(db).await?;
        discussion_thread::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
        txn.commit().await?;
    }
    for chunk in posts.chunks(BATCH) {
        let txn = crate::db::begin_write(db).await?;
        discussion_post::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
        txn.commit().await?;
    }
    Ok(SeededDiscussions {
        space: slug,
        threads: seed.threads,
        posts: n,
        long_thread: long_id,
    })
}
