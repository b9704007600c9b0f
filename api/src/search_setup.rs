//! Opening the search index at start-up, and `agora search reindex`.

use std::process::ExitCode;

use agora_core::{config::Config, search::SearchIndex};
use anyhow::Context;
use sea_orm::DatabaseConnection;

/// The configured search index, prepared. When it is empty and the catalogue
/// is not (a newcomer's first start, or a deleted index folder), it is
/// rebuilt from the database at once. A search backend that is down does not
/// stop the server: search answers 503 until it is back.
pub async fn open(config: &Config, db: &DatabaseConnection) -> anyhow::Result<SearchIndex> {
    let index = SearchIndex::from_config(config).context("cannot open the search index")?;
    if let Err(e) = index.prepare().await {
        tracing::warn!(error = %e, "the search backend is not ready; search answers 503 until it is");
        return Ok(index);
    }
    match index.count().await {
        Ok(0) => {
            let started = std::time::Instant::now();
            match agora_core::search::reindex(db, &index, |_, _| {}).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(
                    courses = n,
                    ms = started.elapsed().as_millis() as u64,
                    "the search index was empty: rebuilt it from the database"
                ),
                Err(e) => tracing::warn!(error = %e, "could not build the search index"),
            }
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "could not count the search index"),
    }
    // The discussions' index likewise, when it is empty.
    if let Ok(0) = index.count_posts().await {
        match agora_core::search::reindex_discussions(db, &index).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(posts = n, "the discussion index was empty: rebuilt it"),
            Err(e) => tracing::warn!(error = %e, "could not build the discussion index"),
        }
    }
    Ok(index)
}

/// `agora search reindex`: rebuilds the index from the database, with a progress bar.
pub async fn reindex(config: &Config, db: &DatabaseConnection) -> anyhow::Result<ExitCode> {
    let index = SearchIndex::from_config(config).context("cannot open the search index")?;
    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} courses  {per_sec}  {msg}")
            .expect("a valid template"),
    );
    bar.set_message("reading the catalogue");
    let started = std::time::Instant::now();
    let indexed = agora_core::search::reindex(db, &index, |done, total| {
        bar.set_length(total);
        bar.set_position(done);
        bar.set_message(if done < total { "indexing" } else { "" });
    })
    .await;
    bar.finish_and_clear();
    let indexed = match indexed {
        Ok(n) => agora_core::search::reindex_discussions(db, &index)
            .await
            .map(|posts| (n, posts)),
        Err(e) => Err(e),
    };
    match indexed {
        Ok((n, posts)) => {
            println!(
                "indexed {n} published course(s) and {posts} discussion post(s) in {:.2} s ({})",
                started.elapsed().as_secs_f64(),
                index.engine_name()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e @ agora_core::Error::Unavailable { .. }) => {
            eprintln!("error: {e}");
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e.into()),
    }
}
