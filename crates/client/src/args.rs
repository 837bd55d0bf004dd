//! The argument slot of signal, query and update calls.
//!
//! A call starts without arguments ([`NoArgs`]) and compiles as it is only when its
//! definition takes none; `.args(tuple)` or `.arg(value)` fill the slot. So
//! `handle.query(GET_VALUE).await` needs no `()`, and a definition that takes
//! arguments cannot be called without them.

/// No arguments were given: the call sends none. Only calls whose definition takes no
/// arguments (`()`) accept it.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoArgs;

/// The arguments given with `.args(...)` or `.arg(...)`.
#[derive(Debug, Clone)]
pub struct WithArgs<A>(pub(crate) A);

/// What a call's argument slot holds, for a definition taking `A`. Implemented by
/// [`NoArgs`] for `A = ()`, and by [`WithArgs<A>`].
pub trait ArgsFor<A>: Send + sealed::Sealed {
    /// The arguments.
    fn into_args(self) -> A;
}

impl ArgsFor<()> for NoArgs {
    fn into_args(self) {}
}

impl<A: Send> ArgsFor<A> for WithArgs<A> {
    fn into_args(self) -> A {
        self.0
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::NoArgs {}
    impl<A> Sealed for super::WithArgs<A> {}
}
