//! Discussion search, through the search port: within one space, or
//! across every space the reader can read. The engine is only ever asked
//! about those spaces, and what it finds is checked again against the
//! database (a post hidden or deleted since is not shown), so a private
//! cohort's words never reach anyone outside it.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{Discussions, access::access_of, spaces::space_title};
use crate::{
    Error, Result,
    accounts::{Principal, Role, require_signed_in},
    entities::{
        cohort, cohort_facilitator, cohort_member, course_author, discussion_post,
        discussion_space, discussion_thread, enrolment,
    },
    search::{PostQuery, SearchIndex, query::QueryText},
};

/// Results per page.
pub const SEARCH_PAGE: u64 = 20;

/// One post found.
#[derive(Clone, Debug)]
pub struct SearchHitView {
    pub post_id: Uuid,
    pub thread_id: Uuid,
    pub thread_title: String,
    /// HTML-escaped, with `<mark>` around what matched.
    pub title_html: String,
    pub space: String,
    pub space_title: String,
    /// The post's words around the match, HTML-escaped with `<mark>`.
    pub snippet_html: String,
    pub opening: bool,
}

/// A page of discussion search results.
#[derive(Clone, Debug)]
pub struct SearchResultsView {
    pub query: String,
    /// The space searched, when one was.
    pub space: Option<String>,
    pub page: u64,
    /// Matches in all (the engines count up to 1,000).
    pub total: u64,
    pub has_more: bool,
    pub hits: Vec<SearchHitView>,
}

impl Discussions {
    /// The ids of the spaces `who` can read, by a few queries.
    async fn readable_spaces(&self, who: &Principal) -> Result<Vec<discussion_space::Model>> {
        let spaces = discussion_space::Entity::find().all(&self.db).await?;
        if who.role == Role::Admin {
            return Ok(spaces);
        }
        let uid = who.user_id;
        let mut courses: BTreeSet<Uuid> = enrolment::Entity::find()
            .filter(enrolment::Column::UserId.eq(uid))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|e| e.course_id)
            .collect();
        courses.extend(
            course_author::Entity::find()
                .filter(course_author::Column::UserId.eq(uid))
                .all(&self.db)
                .await?
                .into_iter()
                .map(|a| a.course_id),
        );
        let facilitated: BTreeSet<Uuid> = cohort_facilitator::Entity::find()
            .filter(cohort_facilitator::Column::UserId.eq(uid))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|f| f.cohort_id)
            .collect();
        courses.extend(
            cohort::Entity::find()
                .filter(cohort::Column::Id.is_in(facilitated.clone()))
                .all(&self.db)
                .await?
                .into_iter()
                .map(|c| c.course_id),
        );
        let mut cohorts = facilitated;
        cohorts.extend(
            cohort_member::Entity::find()
                .filter(cohort_member::Column::UserId.eq(uid))
                .all(&self.db)
                .await?
                .into_iter()
                .map(|m| m.cohort_id),
        );
        Ok(spaces
            .into_iter()
            .filter(|s| match s.kind.as_str() {
                super::access::COMMUNITY => true,
                super::access::COURSE => s.course_id.is_some_and(|c| courses.contains(&c)),
                super::access::COHORT => s.cohort_id.is_some_and(|c| cohorts.contains(&c)),
                _ => false,
            })
            .collect())
    }

    /// Searches the discussions the caller can read (or one space of them)
    /// for `q`; `page` from 1.
    pub async fn search(
        &self,
        who: Option<&Principal>,
        index: &SearchIndex,
        q: &str,
        space: Option<&str>,
        page: u64,
    ) -> Result<SearchResultsView> {
        let who = require_signed_in(who)?;
        if page == 0 || page > 50 {
            return Err(Error::BadParameter {
                field: "page".into(),
                reason: "a page number from 1 to 50".into(),
            });
        }
        let text = QueryText::parse(q).ok_or_else(|| Error::BadParameter {
            field: "q".into(),
            reason: "give some words to search for".into(),
        })?;
        let spaces = match space {
            Some(slug) => {
                let s = self.space(slug).await?;
                self.reader(Some(who), &s).await?;
                vec![s]
            }
            None => self.readable_spaces(who).await?,
        };
        let ids: Vec<Uuid> = spaces.iter().map(|s| s.id).collect();
        let found = index
            .search_posts(PostQuery {
                query: &text,
                spaces: &ids,
                offset: (page - 1) * SEARCH_PAGE,
                limit: SEARCH_PAGE,
            })
            .await?;
        let posts: BTreeMap<Uuid, discussion_post::Model> = discussion_post::Entity::find()
            .filter(discussion_post::Column::Id.is_in(found.hits.clone()))
            .filter(discussion_post::Column::Hidden.eq(false))
            .filter(discussion_post::Column::Deleted.eq(false))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        let threads: BTreeMap<Uuid, discussion_thread::Model> = discussion_thread::Entity::find()
            .filter(discussion_thread::Column::Id.is_in(posts.values().map(|p| p.thread_id)))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|t| (t.id, t))
            .collect();
        let by_id: BTreeMap<Uuid, &discussion_space::Model> =
            spaces.iter().map(|s| (s.id, s)).collect();
        let mut titles: BTreeMap<Uuid, String> = BTreeMap::new();
        let highlighter = text.highlighter();
        let mut hits = Vec::new();
        for id in &found.hits {
            let Some(p) = posts.get(id) else { continue };
            let Some(t) = threads.get(&p.thread_id) else {
                continue;
            };
            // The thread may have moved since it was indexed.
            let Some(s) = by_id.get(&t.space_id) else {
                continue;
            };
            if let std::collections::btree_map::Entry::Vacant(e) = titles.entry(s.id) {
                // Checked once more, as the space list was read before the search.
                if !access_of(&self.db, s, who.user_id, who.role).await?.read {
                    continue;
                }
                let (title, _, _) = space_title(&self.db, s, who.locale).await?;
                e.insert(title);
            }
            let body = crate::search::text::strip_markdown(&p.body);
            let (title_html, _) = highlighter.highlight(&t.title, who.locale);
            let snippet_html = highlighter.snippet(&body, who.locale).unwrap_or_else(|| {
                let mut out = String::new();
                crate::search::text::escape_html(
                    crate::search::text::truncate_words(&body, 240),
                    &mut out,
                );
                out
            });
            hits.push(SearchHitView {
                post_id: p.id,
                thread_id: t.id,
                thread_title: t.title.clone(),
                title_html,
                space: s.slug.clone(),
                space_title: titles.get(&s.id).cloned().unwrap_or_default(),
                snippet_html,
                opening: p.opening,
            });
        }
        Ok(SearchResultsView {
            query: text.text,
            space: space.map(str::to_owned),
            page,
            total: found.total,
            has_more: page * SEARCH_PAGE < found.total.min(1_000),
            hits,
        })
    }
}
