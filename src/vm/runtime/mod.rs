//! Abstract operations of the spec, shared by the interpreter and the
//! builtins (which never call each other's internals): conversions,
//! equality, property operations, errors, object creation, promises and jobs,
//! iteration, lists, realms, native stack for recursive Rust code. Each area
//! is a file; the common types are re-exported here.

pub mod async_generator;
pub mod bigint;
pub mod conversions;
pub mod define;
pub mod describe;
pub mod descriptor;
pub mod equality;
pub mod errors;
pub mod flags;
pub mod heap_hooks;
pub mod iteration;
pub mod jobs;
pub mod list;
pub mod names;
pub mod native_stack;
pub mod number;
pub mod objects;
pub mod promise;
pub mod properties;
pub mod proxy;
pub mod realm;
pub mod strings;
pub mod typed_array;

pub use conversions::Hint;
pub use errors::ErrorType;
pub use properties::PropertyDescriptor;
