//! Sable: a JavaScript engine that C and C++ hosts embed like libv8.
//!
//! Module tree only: `capi` (extern "C") -> `api` (safe Rust embedding) -> `vm`.

pub mod api;
pub mod capi;
pub mod host;
pub mod vm;
