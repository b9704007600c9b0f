//! The JSON API under `/api/v1`, one unit struct per resource.

pub mod catalogue;
pub mod error;

use poem_openapi::OpenApiService;

/// Grows into a tuple, one struct per resource, as resources are added.
pub type Apis = catalogue::CatalogueApi;

pub fn service(version: &str) -> OpenApiService<Apis, ()> {
    OpenApiService::new(catalogue::CatalogueApi, "Agora API", version)
        .description(
            "Self-paced courses for local and regional governments. Every error answers \
             the same JSON shape (`code`, `message`, `field`). Public catalogue reads carry \
             `ETag` and `Cache-Control` and answer `304 Not Modified` to a matching `If-None-Match`.",
        )
        .server("/api/v1")
}
