//! Internal slots of Map and Set: the ordered hash table (a cell of its own,
//! so iterators keep an obsolete one alive and follow its forwarding link
//! after compaction or clear, V8's scheme) and Map/Set iterators.

use crate::vm::heap::{EdgeKind, EdgeName, Visitor};
use crate::vm::value::Value;

/// Which keyed collection an object or iterator belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CollectionKind {
    Map,
    Set,
}

/// What a table that was replaced did to its entries.
pub enum Removed {
    /// Still current.
    Nothing,
    /// Cleared: iterators restart at index 0 of the next table.
    All,
    /// Compacted: these entry indices (ascending) were dropped.
    Indices(Vec<u32>),
}

/// One entry: a HOLE key marks a deleted entry; `chain` is the next entry
/// index in the same bucket (-1 ends the chain).
#[derive(Clone, Copy)]
pub struct TableEntry {
    pub key: Value,
    pub value: Value,
    pub chain: i32,
}

/// [[MapData]] / [[SetData]]: entries in insertion order (append-only until
/// the table is replaced), buckets of entry indices, and after replacement
/// the link to the newer table.
pub struct TableData {
    pub next: Value,
    pub removed: Removed,
    pub live: usize,
    pub buckets: Vec<i32>,
    pub entries: Vec<TableEntry>,
}

impl TableData {
    pub fn new(nbuckets: usize) -> TableData {
        TableData { next: Value::UNDEFINED, removed: Removed::Nothing, live: 0, buckets: vec![-1; nbuckets], entries: Vec::new() }
    }
    pub fn trace(&self, v: &mut dyn Visitor) {
        v.edge(EdgeKind::Internal, EdgeName::Str("next_table"), self.next);
        for e in &self.entries {
            v.edge(EdgeKind::Internal, EdgeName::Str("key"), e.key);
            v.edge(EdgeKind::Internal, EdgeName::Str("value"), e.value);
        }
    }
    /// Malloc'd bytes, counted against the heap limit.
    pub fn external_size(&self) -> usize {
        let removed = match &self.removed {
            Removed::Indices(v) => v.capacity() * 4,
            _ => 0,
        };
        self.entries.capacity() * std::mem::size_of::<TableEntry>() + self.buckets.capacity() * 4 + removed
    }
}
