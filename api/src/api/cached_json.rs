//! A JSON body rendered once and served as stored bytes, with the OpenAPI
//! schema of what it holds: the document stays truthful while a cached
//! answer costs no serialisation.

use std::marker::PhantomData;

use poem_openapi::{
    ApiResponse,
    payload::Payload,
    registry::{MetaMediaType, MetaResponse, MetaResponses, MetaSchemaRef, Registry},
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

impl<T: serde::Serialize> CachedJson<T> {
    /// `value` serialised straight to bytes: `T`'s serde form must be the
    /// JSON its OpenAPI schema describes (same names, same formats).
    pub fn serialize(value: &T) -> Self {
        let mut out = Vec::with_capacity(8 * 1024);
        if serde_json::to_writer(&mut out, value).is_err() {
            out.clear();
        }
        Self::from_bytes(out.into())
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

impl<T: Type + Send> Payload for CachedJson<T> {
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

/// As an operation's whole answer: a 200 described as `Json<T>` describes it.
impl<T: Type + Send> ApiResponse for CachedJson<T> {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: vec![MetaResponse {
                description: "",
                status: Some(200),
                status_range: None,
                content: vec![MetaMediaType {
                    content_type: Self::CONTENT_TYPE,
                    schema: Self::schema_ref(),
                }],
                headers: vec![],
            }],
        }
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}
