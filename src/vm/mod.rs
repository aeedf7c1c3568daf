//! The engine proper: values, heap, objects, compiler, interpreter, runtime, builtins.

pub mod bootstrap;
pub mod builtins;
pub mod bytecode;
pub mod compiler;
pub mod heap;
pub mod interp;
pub mod introspect;
pub mod isolate;
pub mod object;
pub mod regexp;
pub mod runtime;
pub mod v8_module;
pub mod value;

use value::Value;

/// Why a computation stopped abnormally.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unwind {
    /// A JS exception (catchable).
    Throw(Value),
    /// `terminate_execution` was requested (not catchable).
    Terminate,
    /// The heap limit was reached (not catchable; the isolate is dead).
    OutOfMemory,
}

pub type JsResult<T> = Result<T, Unwind>;
