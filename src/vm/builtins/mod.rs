//! The ECMAScript standard library, one file or folder per builtin family.
//! Families call `runtime`, never each other's internals; `vm::bootstrap`
//! installs them all into a realm.

pub(crate) mod array;
pub(crate) mod array_buffer;
pub(crate) mod atomics;
pub(crate) mod base64;
pub(crate) mod bigint;
pub(crate) mod collections;
pub(crate) mod data_view;
pub(crate) mod date;
pub(crate) mod error;
pub(crate) mod function;
pub(crate) mod global;
pub(crate) mod iterator;
pub(crate) mod json;
pub(crate) mod math;
pub(crate) mod number;
pub(crate) mod object;
pub(crate) mod promise;
pub(crate) mod proxy;
pub(crate) mod reflect;
pub(crate) mod regexp;
pub(crate) mod string;
pub(crate) mod symbol;
pub(crate) mod typed_array;
