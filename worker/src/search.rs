//! Search indexing: keeps the search index in line with the catalogue, one
//! course per job, and with the discussions, one thread per job. A job fails (and retries with backoff) while the search
//! backend is down, so the index converges once it is back.

use agora_core::search::{self, IndexCourse, IndexThread, SearchIndex};
use sea_orm::DatabaseConnection;

use crate::Registry;

pub fn register(registry: &mut Registry, db: DatabaseConnection, index: SearchIndex) {
    let (threads_db, threads_index) = (db.clone(), index.clone());
    registry.register(move |job: IndexThread| {
        let (db, index) = (threads_db.clone(), threads_index.clone());
        async move {
            search::index_thread(&db, &index, job.thread_id)
                .await
                .map_err(|e| e.to_string())
        }
    });
    registry.register(move |job: IndexCourse| {
        let (db, index) = (db.clone(), index.clone());
        async move {
            search::index_course(&db, &index, job.course_id)
                .await
                .map_err(|e| e.to_string())
        }
    });
}
