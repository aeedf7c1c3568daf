//! Internal slots of the weak family: WeakMap / WeakSet tables (ephemerons),
//! WeakRef targets and FinalizationRegistry cells, with the edges they report
//! and what they forget after a collection.

use std::collections::HashMap;

use crate::vm::heap::{EdgeKind, EdgeName, Visitor, WeakSweep};
use crate::vm::value::Value;

/// [[WeakMapData]] / [[WeakSetData]]: entries keyed by the key cell's address
/// (cells never move, and keys are always cells: objects or unregistered
/// symbols). An entry lives as long as its key does; the value is reachable
/// through the table only while the key is (an ephemeron).
#[derive(Default)]
pub struct WeakTable {
    entries: HashMap<u64, (Value, Value)>,
}

impl WeakTable {
    pub fn get(&self, key: Value) -> Option<Value> {
        self.entries.get(&key.bits()).map(|&(_, v)| v)
    }
    pub fn has(&self, key: Value) -> bool {
        self.entries.contains_key(&key.bits())
    }
    /// Inserts or replaces; `key` must be a cell that can be held weakly.
    pub fn set(&mut self, key: Value, value: Value) {
        debug_assert!(key.is_cell());
        self.entries.insert(key.bits(), (key, value));
    }
    pub fn remove(&mut self, key: Value) -> bool {
        self.entries.remove(&key.bits()).is_some()
    }
    /// Malloc'd bytes, counted against the heap limit.
    pub fn external_size(&self) -> usize {
        self.entries.capacity() * (8 + 16 + 8)
    }
    pub fn trace(&self, v: &mut dyn Visitor) {
        for &(key, value) in self.entries.values() {
            v.ephemeron(key, value);
        }
    }
    /// Drops the entries whose key died, and gives back memory when most of
    /// the table is gone.
    pub fn clear_dead(&mut self, sweep: &WeakSweep<'_>) {
        self.entries.retain(|_, &mut (key, _)| sweep.is_live(key));
        if self.entries.capacity() > 64 && self.entries.len() < self.entries.capacity() / 4 {
            self.entries.shrink_to_fit();
        }
    }
}

/// One registration of a FinalizationRegistry: [[WeakRefTarget]] (weak),
/// [[HeldValue]] (strong) and [[UnregisterToken]] (weak, EMPTY when absent).
#[derive(Clone, Copy)]
pub struct RegistryCell {
    /// EMPTY once the target has been collected (the cell awaits cleanup).
    pub target: Value,
    pub held: Value,
    pub token: Value,
}

/// [[CleanupCallback]] and [[Cells]] of a FinalizationRegistry.
pub struct RegistryData {
    pub cleanup: Value,
    pub cells: Vec<RegistryCell>,
    /// A cleanup job for this registry is queued and has not run yet.
    pub cleanup_queued: bool,
}

impl RegistryData {
    pub fn new(cleanup: Value) -> RegistryData {
        RegistryData { cleanup, cells: Vec::new(), cleanup_queued: false }
    }
    pub fn trace(&self, v: &mut dyn Visitor) {
        v.edge(EdgeKind::Internal, EdgeName::Str("cleanup"), self.cleanup);
        for c in &self.cells {
            v.edge(EdgeKind::Weak, EdgeName::Str("target"), c.target);
            v.edge(EdgeKind::Internal, EdgeName::Str("held_value"), c.held);
            v.edge(EdgeKind::Weak, EdgeName::Str("unregister_token"), c.token);
        }
    }
    /// Empties the cells whose target died and asks for a cleanup job when
    /// there are some. A dead token only means nobody can unregister the cell.
    pub fn clear_dead(&mut self, sweep: &mut WeakSweep<'_>) {
        let mut newly_dead = false;
        for c in &mut self.cells {
            if c.target.is_cell() && !sweep.is_live(c.target) {
                c.target = Value::EMPTY;
                newly_dead = true;
            }
            if c.token.is_cell() && !sweep.is_live(c.token) {
                c.token = Value::EMPTY;
            }
        }
        if newly_dead && !self.cleanup_queued {
            self.cleanup_queued = true;
            sweep.schedule_cleanup();
        }
    }
    /// Removes and returns the held value of one cell whose target died.
    pub fn take_dead_cell(&mut self) -> Option<Value> {
        let i = self.cells.iter().position(|c| c.target == Value::EMPTY)?;
        Some(self.cells.remove(i).held)
    }
    /// Malloc'd bytes, counted against the heap limit.
    pub fn external_size(&self) -> usize {
        self.cells.capacity() * std::mem::size_of::<RegistryCell>()
    }
}
