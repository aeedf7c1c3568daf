//! The ordered hash table behind Map, Set, WeakMap and WeakSet, stored in
//! GC-visible `ObjectKind::List` cells (no dedicated object kind needed).
//!
//! A collection object is `List([HOLE, tag, store])`. A store is
//! `List([next_store, removed, live_count, buckets, entries...])` where each
//! entry is a triple `(key, value, next_in_chain)`; deleted entries have a
//! HOLE key. Entries are append-only, so iteration by index sees additions
//! made during iteration. Compaction (and `clear`) moves the data to a fresh
//! store and links the old one to it with the list of removed indices, so
//! live iterators and cursors can translate their position (V8's scheme).

use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::{JsObject, JsString, ObjectKind};
use crate::vm::value::Value;

pub(crate) const TAG_MAP: i32 = 0x4D41;
pub(crate) const TAG_SET: i32 = 0x5345;
pub(crate) const TAG_WEAKMAP: i32 = 0x574D;
pub(crate) const TAG_WEAKSET: i32 = 0x5753;

const NEXT: usize = 0;
const REMOVED: usize = 1;
const LIVE: usize = 2;
const BUCKETS: usize = 3;
const HEADER: usize = 4;

/// Runs `f` on the value vector of a list cell (never across JS calls).
fn with<R>(o: Gc<JsObject>, f: impl FnOnce(&mut Vec<Value>) -> R) -> R {
    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
    match &mut unsafe { o.m() }.kind {
        ObjectKind::List(v) => f(v),
        _ => f(&mut Vec::new()),
    }
}

fn at(o: Gc<JsObject>, i: usize) -> Value {
    with(o, |v| v.get(i).copied().unwrap_or(Value::UNDEFINED))
}

fn put_at(o: Gc<JsObject>, i: usize, x: Value) {
    with(o, |v| {
        if let Some(slot) = v.get_mut(i) {
            *slot = x;
        }
    })
}

fn new_list_obj(vm: &mut Vm, items: Vec<Value>) -> Gc<JsObject> {
    vm.new_object_with_proto(Value::NULL, ObjectKind::List(items))
}

/// The collection and its store, if `v` is a collection with `tag`.
pub fn store_of(v: Value, tag: i32) -> Option<(Gc<JsObject>, Gc<JsObject>)> {
    let o = JsObject::from_value(v)?;
    match &o.kind {
        ObjectKind::List(items) if items.len() == 3 && items[0].is_hole() && items[1] == Value::int(tag) => Some((o, Gc::from_value(items[2]))),
        _ => None,
    }
}

/// Creates the internal state for a new collection object.
pub fn new_collection_kind(vm: &mut Vm, tag: i32) -> ObjectKind {
    let store = new_store(vm, 8);
    ObjectKind::List(vec![Value::HOLE, Value::int(tag), store.value()])
}

fn new_store(vm: &mut Vm, nbuckets: usize) -> Gc<JsObject> {
    let buckets = new_list_obj(vm, vec![Value::int(-1); nbuckets]);
    new_list_obj(vm, vec![Value::UNDEFINED, Value::UNDEFINED, Value::int(0), buckets.value()])
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
    } else {
        v.bits() >> 3
    };
    let h = raw.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    h ^ (h >> 29)
}

pub fn live_count(store: Gc<JsObject>) -> usize {
    at(store, LIVE).as_int() as usize
}

/// Number of entry slots (including deleted ones).
pub fn entry_count(store: Gc<JsObject>) -> usize {
    with(store, |v| v.len().saturating_sub(HEADER) / 3)
}

/// Entry `i` as (key, value); the key is HOLE when deleted.
pub fn entry(store: Gc<JsObject>, i: usize) -> (Value, Value) {
    with(store, |v| (v[HEADER + 3 * i], v[HEADER + 3 * i + 1]))
}

fn buckets_of(store: Gc<JsObject>) -> Gc<JsObject> {
    Gc::from_value(at(store, BUCKETS))
}

pub fn find(store: Gc<JsObject>, key: Value) -> Option<usize> {
    let bobj = buckets_of(store);
    let mut i = with(bobj, |b| {
        let nb = b.len();
        b[(hash(key) as usize) & (nb - 1)].as_int()
    });
    with(store, |v| {
        while i >= 0 {
            let base = HEADER + 3 * i as usize;
            let k = v[base];
            if !k.is_hole() && Vm::same_value_zero(k, key) {
                return Some(i as usize);
            }
            i = v[base + 2].as_int();
        }
        None
    })
}

pub fn get(store: Gc<JsObject>, key: Value) -> Option<Value> {
    find(store, key).map(|i| entry(store, i).1)
}

/// Sets the value of an existing entry.
pub fn set_value(store: Gc<JsObject>, i: usize, value: Value) {
    put_at(store, HEADER + 3 * i + 1, value);
}

/// Appends an entry known to be absent (the buckets must have room).
fn append(vm: &mut Vm, store: Gc<JsObject>, key: Value, value: Value) {
    let bobj = buckets_of(store);
    let idx = entry_count(store);
    let head = with(bobj, |b| {
        let nb = b.len();
        let slot = (hash(key) as usize) & (nb - 1);
        std::mem::replace(&mut b[slot], Value::int(idx as i32))
    });
    with(store, |v| {
        v.push(key);
        v.push(value);
        v.push(head);
        v[LIVE] = Value::int(v[LIVE].as_int() + 1);
    });
    vm.heap.external_bytes += 24;
}

/// Inserts or updates `key` in the collection `coll`.
pub fn put(vm: &mut Vm, coll: Gc<JsObject>, key: Value, value: Value) {
    let store = current_store(coll);
    if let Some(i) = find(store, key) {
        set_value(store, i, value);
        return;
    }
    let store = ensure_room(vm, coll, store);
    append(vm, store, key, value);
}

fn current_store(coll: Gc<JsObject>) -> Gc<JsObject> {
    Gc::from_value(at(coll, 2))
}

/// Grows the bucket array, or compacts into a new store, before an insertion.
fn ensure_room(vm: &mut Vm, coll: Gc<JsObject>, store: Gc<JsObject>) -> Gc<JsObject> {
    let total = entry_count(store);
    let nb = with(buckets_of(store), |b| b.len());
    if total < 2 * nb {
        return store;
    }
    let live = live_count(store);
    if total - live > live / 2 {
        return compact(vm, coll, store);
    }
    // Rehash in place with twice the buckets (entry indices are unchanged).
    let nb = nb * 2;
    let bobj = new_list_obj(vm, vec![Value::int(-1); nb]);
    with(bobj, |buckets| {
        with(store, |v| {
            for i in 0..total {
                let base = HEADER + 3 * i;
                let k = v[base];
                if k.is_hole() {
                    v[base + 2] = Value::int(-1);
                    continue;
                }
                let b = (hash(k) as usize) & (nb - 1);
                v[base + 2] = buckets[b];
                buckets[b] = Value::int(i as i32);
            }
            v[BUCKETS] = bobj.value();
        })
    });
    store
}

/// Moves the live entries to a new store; the old store forwards to it.
fn compact(vm: &mut Vm, coll: Gc<JsObject>, old: Gc<JsObject>) -> Gc<JsObject> {
    let live = live_count(old);
    let nb = (live + 1).next_power_of_two().max(8);
    let new = new_store(vm, nb);
    let total = entry_count(old);
    let removed = new_list_obj(vm, Vec::new());
    for i in 0..total {
        let (k, v) = entry(old, i);
        if k.is_hole() {
            with(removed, |r| r.push(Value::int(i as i32)));
        } else {
            append(vm, new, k, v);
        }
    }
    with(old, |ov| {
        ov[NEXT] = new.value();
        ov[REMOVED] = removed.value();
    });
    put_at(coll, 2, new.value());
    new
}

/// Deletes `key`; returns whether it was present.
pub fn remove(vm: &mut Vm, coll: Gc<JsObject>, key: Value) -> bool {
    let store = current_store(coll);
    let Some(i) = find(store, key) else { return false };
    let live = with(store, |v| {
        v[HEADER + 3 * i] = Value::HOLE;
        v[HEADER + 3 * i + 1] = Value::UNDEFINED;
        let live = v[LIVE].as_int() - 1;
        v[LIVE] = Value::int(live);
        live as usize
    });
    let total = entry_count(store);
    if total > 16 && total - live > total / 2 {
        compact(vm, coll, store);
    }
    true
}

/// Removes every entry; iterators continue with entries added later.
pub fn clear(vm: &mut Vm, coll: Gc<JsObject>) {
    let old = current_store(coll);
    let new = new_store(vm, 8);
    with(old, |ov| {
        ov[NEXT] = new.value();
        ov[REMOVED] = Value::TRUE;
    });
    put_at(coll, 2, new.value());
}

/// Follows forwarding links from `store`, translating `index`.
pub fn transition(mut store: Gc<JsObject>, mut index: usize) -> (Gc<JsObject>, usize) {
    loop {
        let (next, removed) = with(store, |v| (v[NEXT], v[REMOVED]));
        let Some(n) = JsObject::from_value(next) else { return (store, index) };
        if removed == Value::TRUE {
            index = 0;
        } else if let Some(r) = JsObject::from_value(removed) {
            let before = with(r, |l| l.iter().filter(|x| (x.as_int() as usize) < index).count());
            index -= before;
        }
        store = n;
    }
}

/// A position in a collection that survives compaction and clearing.
pub struct Cursor {
    pub store: Gc<JsObject>,
    pub index: usize,
}

impl Cursor {
    pub fn new(coll: Gc<JsObject>) -> Cursor {
        Cursor { store: current_store(coll), index: 0 }
    }

    /// The next live entry (key, value), advancing past it.
    pub fn next(&mut self) -> Option<(Value, Value)> {
        let (s, i) = transition(self.store, self.index);
        self.store = s;
        self.index = i;
        let n = entry_count(s);
        while self.index < n {
            let (k, v) = entry(s, self.index);
            self.index += 1;
            if !k.is_hole() {
                return Some((k, v));
            }
        }
        None
    }
}

/// The store currently holding a collection's data.
pub fn store(coll: Gc<JsObject>) -> Gc<JsObject> {
    current_store(coll)
}
