//! Search indexing: keeps the search index in line with the catalogue, one
//! course per job. A job fails (and retries with backoff) while the search
//! backend is down, so the index converges once it is back.

use agora_core::search::{self, IndexCourse, SearchIndex};
use sea_orm::DatabaseConnection;

use crate::Registry;

pub fn register(registry: &mut Registry, db: DatabaseConnection, index: SearchIndex) {
    registry.register(move |job: IndexCourse| {
        let (db, index) = (db.clone(), index.clone());
        async move {
            search::index_course(&db, &index, job.course_id)
                .await
                .map_err(|e| e.to_string())
        }
    });
}
