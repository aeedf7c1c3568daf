//! The ordered hash table behind Map and Set. A collection object is
//! `ObjectKind::Collection { table }`; the table is a cell of its own
//! (`ObjectKind::OrderedTable`) holding the entries in insertion order.
//! Entries are append-only, so iteration by index sees additions made during
//! iteration. Compaction (and `clear`) moves the data to a fresh table and
//! links the old one to it with the removed indices, so live iterators and
//! cursors can translate their position (V8's scheme).

use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::{CollectionKind, JsObject, JsString, ObjectKind, Removed, TableData, TableEntry};
use crate::vm::value::Value;

/// Runs `f` on a table cell's data (never across JS calls or allocation).
fn with<R>(table: Gc<JsObject>, f: impl FnOnce(&mut TableData) -> R) -> R {
    // SAFETY: the borrow lasts for `f`, which only touches this table's data.
    match &mut unsafe { table.m() }.kind {
        ObjectKind::OrderedTable(t) => f(t),
        _ => unreachable!("not an ordered table"),
    }
}

fn new_table(vm: &mut Vm, nbuckets: usize) -> Gc<JsObject> {
    vm.new_object_with_proto(Value::NULL, ObjectKind::OrderedTable(Box::new(TableData::new(nbuckets))))
}

/// The collection and its current table, if `v` is a collection of `kind`.
pub fn table_of(v: Value, kind: CollectionKind) -> Option<(Gc<JsObject>, Gc<JsObject>)> {
    let o = JsObject::from_value(v)?;
    match o.kind {
        ObjectKind::Collection { collection, table } if collection == kind => Some((o, Gc::from_value(table))),
        _ => None,
    }
}

/// The internal state of a new, empty collection object.
pub fn new_collection_kind(vm: &mut Vm, kind: CollectionKind) -> ObjectKind {
    let table = new_table(vm, 8);
    ObjectKind::Collection { collection: kind, table: table.value() }
}

/// -0 becomes +0 (CanonicalizeKeyedCollectionKey).
pub fn canonicalize(v: Value) -> Value {
    if v.is_number() && v.as_number() == 0.0 { Value::int(0) } else { v }
}

fn hash(v: Value) -> u64 {
    let raw = if v.is_number() {
        let d = v.as_number();
        if d.is_nan() {
            0x7FF8_0000_0000_0000
        } else if d == 0.0 {
            0
        } else {
            d.to_bits()
        }
    } else if let Some(s) = Gc::<JsString>::try_from_value(v) {
        s.hash_code() as u64 ^ 0x5bd1_e995
    } else if let Some(b) = crate::vm::runtime::bigint::as_bigint(v) {
        // Equal BigInts may be distinct cells: hash the low digit and sign.
        crate::vm::runtime::bigint::to_u64_wrapping(&b.value) ^ 0x2545_f491
    } else {
        v.bits() >> 3
    };
    let h = raw.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    h ^ (h >> 29)
}

pub fn live_count(table: Gc<JsObject>) -> usize {
    with(table, |t| t.live)
}

fn find_in(t: &TableData, key: Value) -> Option<usize> {
    let mut i = t.buckets[(hash(key) as usize) & (t.buckets.len() - 1)];
    while i >= 0 {
        let e = &t.entries[i as usize];
        if !e.key.is_hole() && Vm::same_value_zero(e.key, key) {
            return Some(i as usize);
        }
        i = e.chain;
    }
    None
}

pub fn find(table: Gc<JsObject>, key: Value) -> Option<usize> {
    with(table, |t| find_in(t, key))
}

pub fn get(table: Gc<JsObject>, key: Value) -> Option<Value> {
    with(table, |t| find_in(t, key).map(|i| t.entries[i].value))
}

/// Appends an entry known to be absent (the buckets must have room).
fn append(t: &mut TableData, key: Value, value: Value) {
    let slot = (hash(key) as usize) & (t.buckets.len() - 1);
    let index = t.entries.len() as i32;
    let chain = std::mem::replace(&mut t.buckets[slot], index);
    t.entries.push(TableEntry { key, value, chain });
    t.live += 1;
}

/// Inserts or updates `key` in the collection `coll`.
pub fn put(vm: &mut Vm, coll: Gc<JsObject>, key: Value, value: Value) {
    let table = current_table(coll);
    if with(table, |t| match find_in(t, key) {
        Some(i) => {
            t.entries[i].value = value;
            true
        }
        None => false,
    }) {
        return;
    }
    let table = ensure_room(vm, coll, table);
    with(table, |t| append(t, key, value));
    vm.heap.malloced_bytes += std::mem::size_of::<TableEntry>();
}

fn current_table(coll: Gc<JsObject>) -> Gc<JsObject> {
    match coll.kind {
        ObjectKind::Collection { table, .. } => Gc::from_value(table),
        _ => unreachable!("not a Map or Set"),
    }
}

fn set_current_table(coll: Gc<JsObject>, new: Gc<JsObject>) {
    // SAFETY: a short borrow of the collection object's kind.
    if let ObjectKind::Collection { table, .. } = &mut unsafe { coll.m() }.kind {
        *table = new.value();
    }
}

/// Grows the buckets, or compacts into a new table, before an insertion.
fn ensure_room(vm: &mut Vm, coll: Gc<JsObject>, table: Gc<JsObject>) -> Gc<JsObject> {
    let (total, nb, live) = with(table, |t| (t.entries.len(), t.buckets.len(), t.live));
    if total < 2 * nb {
        return table;
    }
    if total - live > live / 2 {
        return compact(vm, coll, table);
    }
    // Rehash in place with twice the buckets (entry indices are unchanged).
    with(table, |t| {
        let nb = nb * 2;
        t.buckets = vec![-1; nb];
        for i in 0..t.entries.len() {
            let k = t.entries[i].key;
            if k.is_hole() {
                t.entries[i].chain = -1;
                continue;
            }
            let b = (hash(k) as usize) & (nb - 1);
            t.entries[i].chain = t.buckets[b];
            t.buckets[b] = i as i32;
        }
    });
    table
}

/// Moves the live entries to a new table; the old table forwards to it.
fn compact(vm: &mut Vm, coll: Gc<JsObject>, old: Gc<JsObject>) -> Gc<JsObject> {
    let live = live_count(old);
    let nb = (live + 1).next_power_of_two().max(8);
    let new = new_table(vm, nb);
    let (kept, removed): (Vec<TableEntry>, Vec<u32>) = with(old, |t| {
        let mut kept = Vec::with_capacity(t.live);
        let mut removed = Vec::new();
        for (i, e) in t.entries.iter().enumerate() {
            if e.key.is_hole() {
                removed.push(i as u32);
            } else {
                kept.push(*e);
            }
        }
        (kept, removed)
    });
    with(new, |t| {
        for e in kept {
            append(t, e.key, e.value);
        }
    });
    with(old, |t| {
        t.next = new.value();
        t.removed = Removed::Indices(removed);
    });
    set_current_table(coll, new);
    new
}

/// Deletes `key`; returns whether it was present.
pub fn remove(vm: &mut Vm, coll: Gc<JsObject>, key: Value) -> bool {
    let table = current_table(coll);
    let Some((live, total)) = with(table, |t| {
        let i = find_in(t, key)?;
        t.entries[i].key = Value::HOLE;
        t.entries[i].value = Value::UNDEFINED;
        t.live -= 1;
        Some((t.live, t.entries.len()))
    }) else {
        return false;
    };
    if total > 16 && total - live > total / 2 {
        compact(vm, coll, table);
    }
    true
}

/// Removes every entry; iterators continue with entries added later.
pub fn clear(vm: &mut Vm, coll: Gc<JsObject>) {
    let old = current_table(coll);
    let new = new_table(vm, 8);
    with(old, |t| {
        t.next = new.value();
        t.removed = Removed::All;
    });
    set_current_table(coll, new);
}

/// Follows forwarding links from `table`, translating `index`.
pub fn transition(mut table: Gc<JsObject>, mut index: usize) -> (Gc<JsObject>, usize) {
    loop {
        let next = with(table, |t| {
            let next = JsObject::from_value(t.next)?;
            match &t.removed {
                Removed::All => index = 0,
                Removed::Indices(r) => index -= r.iter().filter(|&&x| (x as usize) < index).count(),
                Removed::Nothing => {}
            }
            Some(next)
        });
        match next {
            Some(n) => table = n,
            None => return (table, index),
        }
    }
}

/// A position in a collection that survives compaction and clearing.
pub struct Cursor {
    pub table: Gc<JsObject>,
    pub index: usize,
}

impl Cursor {
    pub fn new(coll: Gc<JsObject>) -> Cursor {
        Cursor { table: current_table(coll), index: 0 }
    }

    /// The next live entry (key, value), advancing past it.
    pub fn next(&mut self) -> Option<(Value, Value)> {
        let (t, i) = transition(self.table, self.index);
        self.table = t;
        self.index = i;
        with(t, |data| {
            while self.index < data.entries.len() {
                let e = data.entries[self.index];
                self.index += 1;
                if !e.key.is_hole() {
                    return Some((e.key, e.value));
                }
            }
            None
        })
    }
}

/// The table currently holding a collection's data.
pub fn table(coll: Gc<JsObject>) -> Gc<JsObject> {
    current_table(coll)
}
