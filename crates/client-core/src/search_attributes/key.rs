//! [`SearchAttributeKey`]: an attribute name together with its type.

use std::borrow::Cow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;

use super::markers::SearchAttributeType;
use super::value::SearchAttributeKind;

/// The name of a search attribute together with its type, so values read and written
/// through it are typed.
///
/// ```
/// # use temporal_client_core::search_attributes::{Keyword, SearchAttributeKey};
/// const STAGE: SearchAttributeKey<Keyword> = SearchAttributeKey::new("ConformanceStage");
/// assert_eq!(STAGE.name(), "ConformanceStage");
/// ```
pub struct SearchAttributeKey<T> {
    name: Cow<'static, str>,
    _type: PhantomData<fn() -> T>,
}

impl<T> SearchAttributeKey<T> {
    /// A key with a name known at compile time; usable in a `const`.
    pub const fn new(name: &'static str) -> Self {
        Self {
            name: Cow::Borrowed(name),
            _type: PhantomData,
        }
    }

    /// A key with a name known only at run time.
    pub fn from_name(name: impl Into<String>) -> Self {
        Self {
            name: Cow::Owned(name.into()),
            _type: PhantomData,
        }
    }

    /// The attribute name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl<T: SearchAttributeType> SearchAttributeKey<T> {
    /// The Temporal type of the attribute.
    pub fn kind(&self) -> SearchAttributeKind {
        T::KIND
    }
}

impl<T> Clone for SearchAttributeKey<T> {
    fn clone(&self) -> Self {
        Self {
            name: self.name.clone(),
            _type: PhantomData,
        }
    }
}

impl<T: SearchAttributeType> fmt::Debug for SearchAttributeKey<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SearchAttributeKey")
            .field("name", &self.name)
            .field("kind", &T::KIND)
            .finish()
    }
}

impl<T> PartialEq for SearchAttributeKey<T> {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl<T> Eq for SearchAttributeKey<T> {}

impl<T> Hash for SearchAttributeKey<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}
