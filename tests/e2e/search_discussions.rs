//! The search port's contract for discussions, run against every engine by
//! `search_contract`: posts are found by their words (folded, stemmed,
//! with typos, the last word as a prefix), every word must match, a
//! thread's title counts more than a body, only the spaces asked about
//! are searched, and re-indexing a thread replaces its posts.

use agora_core::search::{PostDocument, PostQuery, PostResults, SearchIndex, query::QueryText};
use uuid::Uuid;

struct Ids {
    public: Uuid,
    private: Uuid,
    census: Uuid,
    census_reply: Uuid,
    budget: Uuid,
    private_post: Uuid,
}

fn post(
    thread: Uuid,
    space: Uuid,
    title: &str,
    body: &str,
    opening: bool,
    ms: i64,
) -> PostDocument {
    PostDocument {
        id: Uuid::new_v4(),
        thread_id: thread,
        space_id: space,
        title: title.into(),
        body: body.into(),
        opening,
        created_ms: ms,
    }
}

async fn find(index: &SearchIndex, q: &str, spaces: &[Uuid]) -> PostResults {
    let text = QueryText::parse(q).expect("words");
    index
        .search_posts(PostQuery {
            query: &text,
            spaces,
            offset: 0,
            limit: 20,
        })
        .await
        .unwrap_or_else(|e| panic!("searching {q:?}: {e}"))
}

pub async fn keeps_the_discussion_contract(index: &SearchIndex) {
    let (public, private) = (Uuid::new_v4(), Uuid::new_v4());
    let (census_thread, budget_thread, private_thread) =
        (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let opening = post(
        census_thread,
        public,
        "Census data for the review",
        "Which tables should we use for the housing indicators?",
        true,
        1_000,
    );
    let answer = post(
        census_thread,
        public,
        "Census data for the review",
        "Use the 2020 census, table 4, and the résilience annex.",
        false,
        2_000,
    );
    let budget = post(
        budget_thread,
        public,
        "Participatory budgeting",
        "Porto Alegre shared its budgeting rules with the network.",
        true,
        3_000,
    );
    let secret = post(
        private_thread,
        private,
        "Census in our cohort",
        "Our zebra crossing census stays in the cohort.",
        true,
        4_000,
    );
    let ids = Ids {
        public,
        private,
        census: opening.id,
        census_reply: answer.id,
        budget: budget.id,
        private_post: secret.id,
    };
    index
        .replace_all_posts(vec![budget.clone(), secret.clone()])
        .await
        .unwrap();
    index
        .index_thread(census_thread, vec![opening.clone(), answer.clone()])
        .await
        .unwrap();
    assert_eq!(index.count_posts().await.unwrap(), 4);

    // A title counts more than a body; only the spaces asked about are searched.
    let found = find(index, "census", &[ids.public]).await;
    assert_eq!(found.hits, vec![ids.census, ids.census_reply]);
    assert_eq!(found.total, 2);
    let found = find(index, "census", &[ids.public, ids.private]).await;
    assert_eq!(found.total, 3);
    assert!(found.hits.contains(&ids.private_post));
    assert_eq!(find(index, "zebra", &[ids.public]).await.total, 0);
    assert_eq!(find(index, "census", &[]).await.total, 0);

    // Every word must match; case, accents, typos and prefixes are forgiven.
    assert_eq!(
        find(index, "census housing", &[ids.public]).await.hits,
        vec![ids.census]
    );
    assert_eq!(
        find(index, "census xylophone", &[ids.public]).await.total,
        0
    );
    assert_eq!(
        find(index, "RESILIENCE", &[ids.public]).await.hits,
        vec![ids.census_reply]
    );
    assert_eq!(find(index, "cenzus", &[ids.public]).await.hits.len(), 2);
    // A typo on the first letter counts as two, as in the catalogue's search.
    assert_eq!(find(index, "xensus", &[ids.public]).await.total, 0);
    assert_eq!(
        find(index, "budg", &[ids.public]).await.hits,
        vec![ids.budget]
    );
    assert_eq!(
        find(index, "porto alegre", &[ids.public]).await.hits,
        vec![ids.budget]
    );

    // Pages.
    let text = QueryText::parse("census").unwrap();
    let second = index
        .search_posts(PostQuery {
            query: &text,
            spaces: &[ids.public],
            offset: 1,
            limit: 1,
        })
        .await
        .unwrap();
    assert_eq!(
        (second.total, second.hits.clone()),
        (2, vec![ids.census_reply])
    );

    // Re-indexing a thread replaces its posts: an answer hidden, then the
    // thread moved to another space, then deleted.
    index
        .index_thread(census_thread, vec![opening.clone()])
        .await
        .unwrap();
    assert_eq!(find(index, "annex", &[ids.public]).await.total, 0);
    let moved = PostDocument {
        space_id: ids.private,
        ..opening.clone()
    };
    index
        .index_thread(census_thread, vec![moved])
        .await
        .unwrap();
    assert_eq!(find(index, "housing", &[ids.public]).await.total, 0);
    assert_eq!(
        find(index, "housing", &[ids.private]).await.hits,
        vec![ids.census]
    );
    index.index_thread(census_thread, vec![]).await.unwrap();
    assert_eq!(
        find(index, "housing", &[ids.public, ids.private])
            .await
            .total,
        0
    );
    assert_eq!(index.count_posts().await.unwrap(), 2);
}
