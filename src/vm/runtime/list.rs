//! Lists and array-likes for builtins: internal value lists (GC-visible), index keys and element access by integer index, relative indices, the length limit, and the stable merge sort the sort methods share.
use crate::vm::JsResult;
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::{JsObject, ObjectKind, PropertyKey};
use crate::vm::value::Value;

/// 2^53 - 1, the largest length of an array-like.
pub const MAX_SAFE: u64 = 9_007_199_254_740_991;

/// The property key for index `i` (atoms above 2^32 - 2).
pub fn idx_key(vm: &mut Vm, i: u64) -> PropertyKey {
    if i < IDX_LIMIT {
        PropertyKey::Index(i as u32)
    } else {
        let s = vm.number_to_jsstring(i as f64);
        vm.key_from_string(s)
    }
}

/// Get(O, ToString(i)).
pub fn get_idx(vm: &mut Vm, o: Gc<JsObject>, i: u64) -> JsResult<Value> {
    let k = idx_key(vm, i);
    vm.get(o, k, o.value())
}

/// CreateDataPropertyOrThrow(O, ToString(i), v).
pub fn create_idx(vm: &mut Vm, o: Gc<JsObject>, i: u64, v: Value) -> JsResult<()> {
    let k = idx_key(vm, i);
    vm.create_data_property_or_throw(o, k, v)
}

/// Sets `length` on an array-like with Set(O, "length", len, true).
pub fn set_length(vm: &mut Vm, o: Gc<JsObject>, len: f64) -> JsResult<()> {
    let key = PropertyKey::Atom(vm.names.length);
    vm.put_v(o.value(), key, Value::number(len), true)
}

/// Relative index resolution used by slice, fill, copyWithin, ... (`r` is an
/// integer or ±Infinity).
pub fn relative_index(r: f64, len: u64) -> u64 {
    if r < 0.0 {
        let v = len as f64 + r;
        if v <= 0.0 { 0 } else { v as u64 }
    } else if r >= len as f64 {
        len
    } else {
        r as u64
    }
}

/// An internal GC-visible list object (values pushed here stay rooted).
pub fn new_list(vm: &mut Vm) -> Gc<JsObject> {
    vm.new_object_with_proto(Value::NULL, ObjectKind::List(Vec::new()))
}

pub fn list_push(l: Gc<JsObject>, v: Value) {
    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
    if let ObjectKind::List(items) = &mut unsafe { l.m() }.kind {
        items.push(v);
    }
}

pub fn list_get(l: Gc<JsObject>, i: usize) -> Value {
    match &l.kind {
        ObjectKind::List(items) => items.get(i).copied().unwrap_or(Value::UNDEFINED),
        _ => Value::UNDEFINED,
    }
}

pub fn list_len(l: Gc<JsObject>) -> usize {
    match &l.kind {
        ObjectKind::List(items) => items.len(),
        _ => 0,
    }
}

/// Indices below this are `PropertyKey::Index`; larger ones are string atoms.
pub const IDX_LIMIT: u64 = u32::MAX as u64;

/// Stable merge sort of `n` items through a fallible comparator on indices.
pub fn merge_sort_indices(vm: &mut Vm, n: usize, cmp: &mut dyn FnMut(&mut Vm, usize, usize) -> JsResult<f64>) -> JsResult<Vec<usize>> {
    let mut idx: Vec<usize> = (0..n).collect();
    // Insertion sort runs of 8, then merge.
    const RUN: usize = 8;
    let mut lo = 0;
    while lo < n {
        vm.poll_long_operation()?;
        let hi = (lo + RUN).min(n);
        for i in lo + 1..hi {
            let mut j = i;
            while j > lo {
                if cmp(vm, idx[j - 1], idx[j])? > 0.0 {
                    idx.swap(j - 1, j);
                    j -= 1;
                } else {
                    break;
                }
            }
        }
        lo = hi;
    }
    let mut tmp = vec![0usize; n];
    let mut width = RUN;
    while width < n {
        let mut lo = 0;
        while lo < n {
            vm.poll_long_operation()?;
            let mid = (lo + width).min(n);
            let hi = (lo + 2 * width).min(n);
            let (mut i, mut j, mut t) = (lo, mid, lo);
            while i < mid && j < hi {
                vm.poll_long_operation()?;
                if cmp(vm, idx[i], idx[j])? <= 0.0 {
                    tmp[t] = idx[i];
                    i += 1;
                } else {
                    tmp[t] = idx[j];
                    j += 1;
                }
                t += 1;
            }
            tmp[t..t + (mid - i)].copy_from_slice(&idx[i..mid]);
            t += mid - i;
            tmp[t..t + (hi - j)].copy_from_slice(&idx[j..hi]);
            lo = hi;
        }
        std::mem::swap(&mut idx, &mut tmp);
        width *= 2;
    }
    Ok(idx)
}
