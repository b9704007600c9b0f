//! A JSON body rendered once and served as stored bytes, with the OpenAPI
//! schema of what it holds: the document stays truthful while a cached
//! answer costs no serialisation.

use std::marker::PhantomData;

use poem_openapi::{
    registry::{MetaSchemaRef, Registry},
    types::{ToJSON, Type},
};

/// The stored JSON of a `T`.
pub struct CachedJson<T>(bytes::Bytes, PhantomData<T>);

impl<T> CachedJson<T> {
    /// Bytes that are the JSON of a `T` (the caller's promise).
    pub fn from_bytes(b: bytes::Bytes) -> Self {
        Self(b, PhantomData)
    }
}

impl<T: ToJSON> CachedJson<T> {
    /// `value` rendered as `poem_openapi::payload::Json` renders it.
    pub fn render(value: &T) -> Self {
        let json = value.to_json().unwrap_or_default();
        Self::from_bytes(serde_json::to_vec(&json).unwrap_or_default().into())
    }

    pub fn bytes(&self) -> &bytes::Bytes {
        &self.0
    }
}

impl<T: Type + Send> poem_openapi::payload::Payload for CachedJson<T> {
    const CONTENT_TYPE: &'static str = "application/json; charset=utf-8";
    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }
    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: Send> poem::IntoResponse for CachedJson<T> {
    fn into_response(self) -> poem::Response {
        poem::Response::builder()
            .content_type("application/json; charset=utf-8")
            .body(self.0)
    }
}
