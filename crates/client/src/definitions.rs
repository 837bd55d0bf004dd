//! Typed names of workflows, signals, queries and updates, as in the TypeScript client's
//! `defineSignal` / `defineQuery` / `defineUpdate`.
//!
//! A definition is a name plus the Rust types of its arguments (a tuple, one payload
//! per element) and of its result. They are `const`-constructible:
//!
//! ```
//! use temporal_client::{QueryDefinition, SignalDefinition, UpdateDefinition, WorkflowDefinition};
//!
//! const COUNTER: WorkflowDefinition<(i64,), i64> = WorkflowDefinition::new("counter");
//! const INCREMENT: SignalDefinition<(i64,)> = SignalDefinition::new("increment");
//! const GET_VALUE: QueryDefinition<i64> = QueryDefinition::new("get_value");
//! const ADD: UpdateDefinition<i64, (i64,)> = UpdateDefinition::new("add");
//! assert_eq!(COUNTER.name(), "counter");
//! assert_eq!(INCREMENT.name(), "increment");
//! ```
//!
//! Every method that takes a definition also takes a plain name (`&'static str` or
//! `String`), for the untyped path: argument and result types then come from the values
//! you pass and the type you ask for, and a workflow started by name has a JSON
//! (`serde_json::Value`) result.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

macro_rules! definition {
    ($(#[$doc:meta])* $name:ident[$($decl:tt)*][$($param:ident),*], $phantom:ty) => {
        $(#[$doc])*
        pub struct $name<$($decl)*> {
            name: Cow<'static, str>,
            _types: PhantomData<$phantom>,
        }

        impl<$($param),*> $name<$($param),*> {
            /// A definition with a static name; usable in `const` items.
            pub const fn new(name: &'static str) -> Self {
                Self { name: Cow::Borrowed(name), _types: PhantomData }
            }

            /// A definition with a name known only at run time.
            pub fn named(name: impl Into<String>) -> Self {
                Self { name: Cow::Owned(name.into()), _types: PhantomData }
            }

            /// The wire name.
            pub fn name(&self) -> &str {
                &self.name
            }
        }

        impl<$($param),*> Clone for $name<$($param),*> {
            fn clone(&self) -> Self {
                Self { name: self.name.clone(), _types: PhantomData }
            }
        }

        impl<$($param),*> fmt::Debug for $name<$($param),*> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($name)).field(&self.name).finish()
            }
        }

        impl<$($param),*> From<&$name<$($param),*>> for $name<$($param),*> {
            fn from(def: &$name<$($param),*>) -> Self {
                def.clone()
            }
        }
    };
}

definition!(
    /// A workflow type: its name, its argument tuple `Args` and its result `Ret`.
    WorkflowDefinition[Args, Ret][Args, Ret], fn(Args) -> Ret
);
/// A workflow by plain name: its result is read as JSON (`serde_json::Value`), as
/// TypeScript's untyped handles return `any`, so no turbofish is needed. For a typed
/// result use a [`WorkflowDefinition`] (or `handle.with_result_type::<T>()`).
impl<A> From<&'static str> for WorkflowDefinition<A, serde_json::Value> {
    fn from(name: &'static str) -> Self {
        Self::new(name)
    }
}

impl<A> From<String> for WorkflowDefinition<A, serde_json::Value> {
    fn from(name: String) -> Self {
        Self::named(name)
    }
}

/// Signals, queries and updates by plain name: the argument and result types come from
/// the call (`.arg(..)`, the binding the result goes to).
macro_rules! by_name {
    ($name:ident[$($param:ident),*]) => {
        impl<$($param),*> From<&'static str> for $name<$($param),*> {
            fn from(name: &'static str) -> Self {
                Self::new(name)
            }
        }

        impl<$($param),*> From<String> for $name<$($param),*> {
            fn from(name: String) -> Self {
                Self::named(name)
            }
        }
    };
}

by_name!(SignalDefinition[Args]);
by_name!(QueryDefinition[Ret, Args]);
by_name!(UpdateDefinition[Ret, Args]);

definition!(
    /// A signal: its name and its argument tuple `Args`.
    SignalDefinition[Args][Args], fn(Args)
);
definition!(
    /// A query: its name, its result `Ret` and its argument tuple `Args` (none by default).
    QueryDefinition[Ret, Args = ()][Ret, Args], fn(Args) -> Ret
);
definition!(
    /// An update: its name, its result `Ret` and its argument tuple `Args` (none by default).
    UpdateDefinition[Ret, Args = ()][Ret, Args], fn(Args) -> Ret
);
