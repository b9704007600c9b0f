//! Query parameter types whose form the OpenAPI document states as a
//! pattern, while their own parser checks it (poem-openapi's `pattern`
//! validator compiles its regex on every request, and applies a list
//! parameter's validators to the list rather than to each value).

/// Implements poem-openapi's `Type` for `$ty`, a string of at most
/// `$max_length` characters matching `$pattern`, named `$name`.
macro_rules! pattern_type {
    ($ty:ty, $name:literal, $pattern:expr, $max_length:expr) => {
        impl poem_openapi::types::Type for $ty {
            const IS_REQUIRED: bool = true;
            type RawValueType = Self;
            type RawElementValueType = Self;

            fn name() -> std::borrow::Cow<'static, str> {
                $name.into()
            }

            fn schema_ref() -> poem_openapi::registry::MetaSchemaRef {
                poem_openapi::registry::MetaSchemaRef::Inline(Box::new(
                    poem_openapi::registry::MetaSchema {
                        pattern: Some($pattern.into()),
                        max_length: Some($max_length),
                        ..poem_openapi::registry::MetaSchema::new("string")
                    },
                ))
            }

            fn as_raw_value(&self) -> Option<&Self> {
                Some(self)
            }

            fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
                Box::new(std::iter::once(self))
            }
        }
    };
}

pub(crate) use pattern_type;
