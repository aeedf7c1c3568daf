//! Keyed collections and weak references: Map, Set (over the ordered table
//! in `table.rs`), WeakMap, WeakSet, WeakRef and FinalizationRegistry.

pub(crate) mod map;
pub(crate) mod set;
mod table;
pub(crate) mod weak;
