//! Array constructor and Array.prototype.
//!
//! Every method is generic over array-likes and follows the spec step by step.
//! Loops that test `HasProperty` skip runs of absent indices (see
//! [`next_present`]): without proxies `HasProperty` never runs JS, so skipping
//! is unobservable and lengths up to 2^53-1 stay cheap. With a proxy on the
//! prototype chain every index is asked ([`next_present_js`]).

use std::cell::RefCell;

use crate::vm::JsResult;
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::CallArgs;
use crate::vm::object::IterationKind;
use crate::vm::object::{Elements, JsObject, JsString, ObjectKind, PropertyKey, attrs};
use crate::vm::runtime::describe::{describe, require_callable};
use crate::vm::runtime::iteration::close_after_error;
use crate::vm::runtime::iteration::create_array_iterator;
use crate::vm::runtime::list::{
    IDX_LIMIT, MAX_SAFE, create_idx, get_idx, idx_key, list_get, list_len, list_push, merge_sort_indices, new_list, relative_index, set_length,
};
use crate::vm::runtime::realm::{Intrinsic, Realm, function_realm};
use crate::vm::runtime::typed_array::typed_array_length;
use crate::vm::value::Value;

pub fn install(vm: &mut Vm, realm: Gc<Realm>) {
    let c = crate::vm::runtime::define::make_constructor(vm, realm, "Array", array_ctor, 1, Intrinsic::ArrayPrototype, Intrinsic::Array);
    vm.define_method(c, "isArray", is_array, 1);
    vm.define_method(c, "from", from, 1);
    vm.define_method(c, "of", of, 0);
    let species = PropertyKey::Symbol(vm.symbols.species);
    vm.define_accessor(c, species, Some(species_getter), None, "[Symbol.species]");
    let p = realm.proto(Intrinsic::ArrayPrototype);
    let methods: &[(&str, crate::vm::object::NativeFn, u32)] = &[
        ("at", at, 1),
        ("concat", concat, 1),
        ("copyWithin", copy_within, 2),
        ("fill", fill, 1),
        ("find", find, 1),
        ("findIndex", find_index, 1),
        ("findLast", find_last, 1),
        ("findLastIndex", find_last_index, 1),
        ("lastIndexOf", last_index_of, 1),
        ("pop", pop, 0),
        ("push", push, 1),
        ("reverse", reverse, 0),
        ("shift", shift, 0),
        ("unshift", unshift, 1),
        ("slice", slice, 2),
        ("sort", sort, 1),
        ("splice", splice, 2),
        ("includes", includes, 1),
        ("indexOf", index_of, 1),
        ("join", join, 1),
        ("keys", keys, 0),
        ("entries", entries, 0),
        ("forEach", for_each, 1),
        ("filter", filter, 1),
        ("flat", flat, 0),
        ("flatMap", flat_map, 1),
        ("map", map, 1),
        ("every", every, 1),
        ("some", some, 1),
        ("reduce", reduce, 1),
        ("reduceRight", reduce_right, 1),
        ("toLocaleString", to_locale_string, 0),
        ("toString", to_string, 0),
        ("toReversed", to_reversed, 0),
        ("toSorted", to_sorted, 1),
        ("toSpliced", to_spliced, 2),
        ("with", with, 2),
    ];
    for &(name, f, len) in methods {
        vm.define_method(p, name, f, len);
    }
    let values_fn = vm.define_method(p, "values", values, 0);
    let it = vm.symbols.iterator;
    p.put_named(&mut vm.heap, PropertyKey::Symbol(it), values_fn.value(), attrs::HIDDEN);
    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
    (unsafe { realm.m() }).intrinsics[Intrinsic::ArrayProtoValues as usize] = values_fn.value();

    let unscopables = vm.new_object_with_proto(Value::NULL, ObjectKind::Ordinary);
    for name in [
        "at",
        "copyWithin",
        "entries",
        "fill",
        "find",
        "findIndex",
        "findLast",
        "findLastIndex",
        "flat",
        "flatMap",
        "includes",
        "keys",
        "toReversed",
        "toSorted",
        "toSpliced",
        "values",
    ] {
        vm.define_value(unscopables, name, Value::TRUE, attrs::DEFAULT);
    }
    let uk = PropertyKey::Symbol(vm.symbols.unscopables);
    p.put_named(&mut vm.heap, uk, unscopables.value(), attrs::CONFIGURABLE);
}

// ----- shared helpers (also used by other builtin files) -----

fn has_idx(vm: &mut Vm, o: Gc<JsObject>, i: u64) -> JsResult<bool> {
    let k = idx_key(vm, i);
    vm.has_property(o, k)
}

/// Set(O, ToString(i), v, true).
fn set_idx(vm: &mut Vm, o: Gc<JsObject>, i: u64, v: Value) -> JsResult<()> {
    let k = idx_key(vm, i);
    vm.put_v(o.value(), k, v, true)
}

/// DeletePropertyOrThrow(O, ToString(i)).
fn delete_idx(vm: &mut Vm, o: Gc<JsObject>, i: u64) -> JsResult<()> {
    let k = idx_key(vm, i);
    if !vm.delete_property(o, k)? {
        let d = vm.key_display(k);
        let what = describe(vm, o.value());
        return Err(vm.type_error(&format!("Cannot delete property '{d}' of {what}")));
    }
    Ok(())
}

/// Parses an atom that names an integer index at or above 2^32 - 1.
fn parse_big_index(s: &JsString) -> Option<u64> {
    let len = s.len();
    if !(10..=16).contains(&len) || s.unit_at_any(0) == b'0' as u16 {
        return None;
    }
    let mut n: u64 = 0;
    for i in 0..len {
        let c = s.unit_at_any(i);
        if !(b'0' as u16..=b'9' as u16).contains(&c) {
            return None;
        }
        n = n * 10 + (c - b'0' as u16) as u64;
    }
    (IDX_LIMIT..=MAX_SAFE).contains(&n).then_some(n)
}

/// The smallest index in `[start, end)` for which HasProperty(o, index) is true.
/// Runs no JS (there are no proxies), so callers may skip absent indices.
pub(super) fn next_present(o: Gc<JsObject>, start: u64, end: u64) -> Option<u64> {
    if start >= end {
        return None;
    }
    let mut best = end;
    let mut cur = Some(o);
    while let Some(obj) = cur {
        if start < IDX_LIMIT && start < best {
            if let ObjectKind::String(s) = &obj.kind
                && start < s.len() as u64
            {
                best = start;
            }
            let hi = best.min(IDX_LIMIT);
            match &obj.elements {
                Elements::Dense(e) => {
                    let lim = (hi as usize).min(e.len());
                    let mut i = start as usize;
                    while i < lim {
                        if !e[i].is_hole() {
                            best = i as u64;
                            break;
                        }
                        i += 1;
                    }
                }
                Elements::Sparse(m) => {
                    if let Some((&k, _)) = m.range(start as u32..).next()
                        && (k as u64) < best
                    {
                        best = k as u64;
                    }
                }
            }
        }
        if let ObjectKind::TypedArray { .. } = obj.kind {
            // Its indices are 0..length, and numeric keys stop at it.
            if start < typed_array_length(obj) as u64 {
                best = best.min(start);
            }
            break;
        }
        if best > IDX_LIMIT && end > IDX_LIMIT {
            for (k, _) in obj.named_keys() {
                if let PropertyKey::Atom(a) = k
                    && let Some(n) = parse_big_index(&a)
                    && n >= start
                    && n < best
                {
                    best = n;
                }
            }
        }
        cur = JsObject::from_value(obj.proto());
    }
    (best < end).then_some(best)
}

/// Whether a proxy is on `o`'s prototype chain (its own included): then
/// HasProperty runs JS and no index may be skipped unasked.
fn proxy_on_chain(o: Gc<JsObject>) -> bool {
    let mut cur = Some(o);
    while let Some(obj) = cur {
        if matches!(obj.kind, ObjectKind::Proxy(_)) {
            return true;
        }
        cur = JsObject::from_value(obj.proto());
    }
    false
}

/// [`next_present`], asking HasProperty index by index when a proxy is on the chain.
pub(super) fn next_present_js(vm: &mut Vm, o: Gc<JsObject>, start: u64, end: u64) -> JsResult<Option<u64>> {
    if !proxy_on_chain(o) {
        return Ok(next_present(o, start, end));
    }
    for i in start..end {
        vm.poll_long_operation()?;
        if has_idx(vm, o, i)? {
            return Ok(Some(i));
        }
    }
    Ok(None)
}

/// The next index from `start` whose Get may run JS or find a value:
/// [`next_present`] without proxies, else `start` itself (a proxy's `get`
/// trap runs even for absent keys).
fn next_gettable(vm: &mut Vm, o: Gc<JsObject>, start: u64, end: u64) -> JsResult<Option<u64>> {
    if proxy_on_chain(o) {
        return Ok((start < end).then_some(start));
    }
    next_present_js(vm, o, start, end)
}

/// [`prev_present`], asking HasProperty index by index when a proxy is on the chain.
pub(super) fn prev_present_js(vm: &mut Vm, o: Gc<JsObject>, hi: u64, lo: u64) -> JsResult<Option<u64>> {
    if !proxy_on_chain(o) {
        return Ok(prev_present(o, hi, lo));
    }
    if lo > hi {
        return Ok(None);
    }
    let mut i = hi;
    loop {
        vm.poll_long_operation()?;
        if has_idx(vm, o, i)? {
            return Ok(Some(i));
        }
        if i == lo {
            return Ok(None);
        }
        i -= 1;
    }
}

/// The largest index in `[lo, hi]` for which HasProperty(o, index) is true.
pub(super) fn prev_present(o: Gc<JsObject>, hi: u64, lo: u64) -> Option<u64> {
    if lo > hi {
        return None;
    }
    let mut best: Option<u64> = None;
    let mut cur = Some(o);
    while let Some(obj) = cur {
        let floor = best.map_or(lo, |b| lo.max(b + 1));
        if let ObjectKind::TypedArray { .. } = obj.kind {
            let n = typed_array_length(obj) as u64;
            if n > floor && floor <= hi {
                let c = hi.min(n - 1);
                if best.is_none_or(|b| c > b) {
                    best = Some(c);
                }
            }
            break;
        }
        if floor < IDX_LIMIT && floor <= hi {
            let top = hi.min(IDX_LIMIT - 1);
            if let ObjectKind::String(s) = &obj.kind {
                let n = s.len() as u64;
                if n > floor {
                    let c = top.min(n - 1);
                    if best.is_none_or(|b| c > b) {
                        best = Some(c);
                    }
                }
            }
            let floor = best.map_or(lo, |b| lo.max(b + 1));
            if floor <= top {
                match &obj.elements {
                    Elements::Dense(e) => {
                        if !e.is_empty() && (floor as usize) < e.len() {
                            let mut i = (top as usize).min(e.len() - 1);
                            loop {
                                if !e[i].is_hole() {
                                    best = Some(i as u64);
                                    break;
                                }
                                if i as u64 <= floor {
                                    break;
                                }
                                i -= 1;
                            }
                        }
                    }
                    Elements::Sparse(m) => {
                        if let Some((&k, _)) = m.range(floor as u32..=top as u32).next_back() {
                            best = Some(k as u64);
                        }
                    }
                }
            }
        }
        if hi >= IDX_LIMIT {
            for (k, _) in obj.named_keys() {
                if let PropertyKey::Atom(a) = k
                    && let Some(n) = parse_big_index(&a)
                    && n >= lo
                    && n <= hi
                    && best.is_none_or(|b| n > b)
                {
                    best = Some(n);
                }
            }
        }
        cur = JsObject::from_value(obj.proto());
    }
    best
}

/// ArrayCreate(len) with %Array.prototype% of the current realm.
pub(super) fn array_create(vm: &mut Vm, len: u64) -> JsResult<Gc<JsObject>> {
    if len > u32::MAX as u64 {
        return Err(vm.range_error("Invalid array length"));
    }
    Ok(vm.new_array(len as u32))
}

/// ArraySpeciesCreate(original, len).
fn array_species_create(vm: &mut Vm, original: Gc<JsObject>, len: u64) -> JsResult<Gc<JsObject>> {
    if !vm.is_array_value(original.value())? {
        return array_create(vm, len);
    }
    let ckey = PropertyKey::Atom(vm.names.constructor);
    let mut c = vm.get(original, ckey, original.value())?;
    if Vm::is_constructor(c) {
        let this_realm = vm.realm();
        if let Some(r) = function_realm(c)
            && r != this_realm
            && c == r.intrinsic(Intrinsic::Array)
        {
            c = Value::UNDEFINED;
        }
    }
    if let Some(co) = JsObject::from_value(c) {
        let skey = PropertyKey::Symbol(vm.symbols.species);
        c = vm.get(co, skey, c)?;
        if c.is_null() {
            c = Value::UNDEFINED;
        }
    }
    if c.is_undefined() {
        return array_create(vm, len);
    }
    if !Vm::is_constructor(c) {
        return Err(vm.type_error("object.constructor[Symbol.species] is not a constructor"));
    }
    let r = vm.construct(c, &[Value::number(len as f64)], c)?;
    JsObject::from_value(r).ok_or_else(|| vm.type_error("species constructor returned a non-object"))
}

fn this_obj_len(vm: &mut Vm, this: Value) -> JsResult<(Gc<JsObject>, u64)> {
    let o = vm.to_object(this)?;
    let len = vm.length_of_array_like(o)?;
    Ok((o, len))
}

// ----- constructor and statics -----

fn array_ctor(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let nt = if a.is_construct() { a.new_target } else { a.callee.value() };
    let proto = vm.prototype_from_constructor(nt, Intrinsic::ArrayPrototype)?;
    let arr = vm.new_object_with_proto(proto, ObjectKind::Array { length: 0, length_writable: true });
    if a.args.len() == 1 {
        let len = a.arg(0);
        if len.is_number() {
            let n = len.as_number();
            if n < 0.0 || n != (n as u32) as f64 {
                return Err(vm.range_error("Invalid array length"));
            }
            // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
            (unsafe { arr.m() }).set_array_length_raw(n as u32);
        } else {
            vm.create_data_property_or_throw(arr, PropertyKey::Index(0), len)?;
        }
    } else {
        for (i, &v) in a.args.iter().enumerate() {
            vm.create_data_property_or_throw(arr, PropertyKey::Index(i as u32), v)?;
        }
    }
    Ok(arr.value())
}

fn is_array(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(Value::bool(vm.is_array_value(a.arg(0))?))
}

fn species_getter(_vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(a.this)
}

fn from(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let c = a.this;
    let (items, mapfn, this_arg) = (a.arg(0), a.arg(1), a.arg(2));
    let mapping = !mapfn.is_undefined();
    if mapping {
        require_callable(vm, mapfn)?;
    }
    let ikey = PropertyKey::Symbol(vm.symbols.iterator);
    if items.is_nullish() {
        let d = vm.display_string(items);
        return Err(vm.type_error(&format!("{d} is not iterable")));
    }
    let using_iterator = vm.get_method(items, ikey)?;
    if let Some(method) = using_iterator {
        let arr = if Vm::is_constructor(c) {
            let r = vm.construct(c, &[], c)?;
            JsObject::from_value(r).ok_or_else(|| vm.type_error("constructor returned a non-object"))?
        } else {
            vm.new_array(0)
        };
        let it = vm.call(method, items, &[])?;
        if !JsObject::is_object(it) {
            return Err(vm.type_error("Result of the Symbol.iterator method is not an object"));
        }
        let nkey = PropertyKey::Atom(vm.names.next);
        let next = vm.get_v(it, nkey)?;
        let mut k: u64 = 0;
        loop {
            vm.poll_long_operation()?;
            if k >= MAX_SAFE {
                let e = vm.type_error("Too many elements");
                return Err(close_after_error(vm, it, e));
            }
            let Some(v) = crate::vm::runtime::iteration::iterator_step(vm, it, next)? else {
                set_length(vm, arr, k as f64)?;
                return Ok(arr.value());
            };
            let mapped = if mapping {
                match vm.call(mapfn, this_arg, &[v, Value::number(k as f64)]) {
                    Ok(m) => m,
                    Err(e) => return Err(close_after_error(vm, it, e)),
                }
            } else {
                v
            };
            if let Err(e) = create_idx(vm, arr, k, mapped) {
                return Err(close_after_error(vm, it, e));
            }
            k += 1;
        }
    }
    let array_like = vm.to_object(items)?;
    let len = vm.length_of_array_like(array_like)?;
    let arr = if Vm::is_constructor(c) {
        let r = vm.construct(c, &[Value::number(len as f64)], c)?;
        JsObject::from_value(r).ok_or_else(|| vm.type_error("constructor returned a non-object"))?
    } else {
        array_create(vm, len)?
    };
    for k in 0..len {
        vm.poll_long_operation()?;
        let v = get_idx(vm, array_like, k)?;
        let mapped = if mapping { vm.call(mapfn, this_arg, &[v, Value::number(k as f64)])? } else { v };
        create_idx(vm, arr, k, mapped)?;
    }
    set_length(vm, arr, len as f64)?;
    Ok(arr.value())
}

fn of(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let len = a.args.len();
    let c = a.this;
    let arr = if Vm::is_constructor(c) {
        let r = vm.construct(c, &[Value::number(len as f64)], c)?;
        JsObject::from_value(r).ok_or_else(|| vm.type_error("constructor returned a non-object"))?
    } else {
        array_create(vm, len as u64)?
    };
    for (k, &v) in a.args.iter().enumerate() {
        create_idx(vm, arr, k as u64, v)?;
    }
    set_length(vm, arr, len as f64)?;
    Ok(arr.value())
}

// ----- mutators -----

fn push(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, mut len) = this_obj_len(vm, a.this)?;
    if len + a.args.len() as u64 > MAX_SAFE {
        return Err(vm.type_error("Pushing too many elements"));
    }
    for &v in a.args {
        set_idx(vm, o, len, v)?;
        len += 1;
    }
    set_length(vm, o, len as f64)?;
    Ok(Value::number(len as f64))
}

fn pop(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, len) = this_obj_len(vm, a.this)?;
    if len == 0 {
        set_length(vm, o, 0.0)?;
        return Ok(Value::UNDEFINED);
    }
    let v = get_idx(vm, o, len - 1)?;
    delete_idx(vm, o, len - 1)?;
    set_length(vm, o, (len - 1) as f64)?;
    Ok(v)
}

/// Moves elements `from(k)` -> `to(k)` for k ascending in `[start, end)`,
/// deleting `to(k)` where `from(k)` is absent. Iterations where neither
/// index is present do nothing and are skipped.
fn move_ascending(vm: &mut Vm, o: Gc<JsObject>, start: u64, end: u64, from_off: u64, to_off: u64) -> JsResult<()> {
    let mut k = start;
    while k < end {
        vm.poll_long_operation()?;
        // Skipping is unobservable only without a proxy on the chain.
        if !proxy_on_chain(o) {
            let nf = next_present(o, k + from_off, end + from_off).map(|i| i - from_off);
            let nt = next_present(o, k + to_off, end + to_off).map(|i| i - to_off);
            k = match (nf, nt) {
                (Some(a), Some(b)) => a.min(b),
                (Some(a), None) | (None, Some(a)) => a,
                (None, None) => return Ok(()),
            };
        }
        let (from, to) = (k + from_off, k + to_off);
        if has_idx(vm, o, from)? {
            let v = get_idx(vm, o, from)?;
            set_idx(vm, o, to, v)?;
        } else {
            delete_idx(vm, o, to)?;
        }
        k += 1;
    }
    Ok(())
}

/// Like `move_ascending` for k descending from `hi` down to `lo` (inclusive).
fn move_descending(vm: &mut Vm, o: Gc<JsObject>, hi: u64, lo: u64, from_off: u64, to_off: u64) -> JsResult<()> {
    let mut k = hi;
    loop {
        vm.poll_long_operation()?;
        if k < lo {
            return Ok(());
        }
        if !proxy_on_chain(o) {
            let nf = prev_present(o, k + from_off, lo + from_off).map(|i| i - from_off);
            let nt = prev_present(o, k + to_off, lo + to_off).map(|i| i - to_off);
            k = match (nf, nt) {
                (Some(a), Some(b)) => a.max(b),
                (Some(a), None) | (None, Some(a)) => a,
                (None, None) => return Ok(()),
            };
        }
        let (from, to) = (k + from_off, k + to_off);
        if has_idx(vm, o, from)? {
            let v = get_idx(vm, o, from)?;
            set_idx(vm, o, to, v)?;
        } else {
            delete_idx(vm, o, to)?;
        }
        if k == 0 {
            return Ok(());
        }
        k -= 1;
    }
}

/// Deletes every present index in `[lo, hi)`, from the top down.
fn delete_range_descending(vm: &mut Vm, o: Gc<JsObject>, lo: u64, hi: u64) -> JsResult<()> {
    if hi == 0 {
        return Ok(());
    }
    let mut top = hi - 1;
    while let Some(i) = prev_present_js(vm, o, top, lo)? {
        vm.poll_long_operation()?;
        delete_idx(vm, o, i)?;
        if i == 0 {
            break;
        }
        top = i - 1;
    }
    Ok(())
}

/// True when element moves on `o` can be done directly on its dense vector
/// with the same observable result as the spec's Get/Set/Delete loop: an
/// extensible array whose length is `len` and writable, whose dense storage
/// covers (nearly) all of it, and whose prototype chain has no indexed
/// properties (so no getters, setters or inherited values are involved).
fn dense_fast(o: Gc<JsObject>, len: u64) -> bool {
    if !matches!(o.kind, ObjectKind::Array { length_writable: true, .. }) || !o.extensible || o.array_length() as u64 != len {
        return false;
    }
    let Elements::Dense(e) = &o.elements else { return false };
    if len > e.len() as u64 + 64 {
        return false;
    }
    let mut p = JsObject::from_value(o.proto());
    while let Some(obj) = p {
        if let ObjectKind::String(s) = &obj.kind
            && !s.is_empty()
        {
            return false;
        }
        let empty = match &obj.elements {
            Elements::Dense(e) => e.iter().all(|v| v.is_hole()),
            Elements::Sparse(m) => m.is_empty(),
        };
        if !empty {
            return false;
        }
        p = JsObject::from_value(obj.proto());
    }
    true
}

/// Runs `f` on the dense vector of `o` padded with holes to `len` (after
/// `dense_fast`), then drops trailing holes.
fn with_dense<R>(o: Gc<JsObject>, len: u64, f: impl FnOnce(&mut Vec<Value>) -> R) -> Option<R> {
    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
    match &mut unsafe { o.m() }.elements {
        Elements::Dense(e) => {
            if (e.len() as u64) < len {
                e.resize(len as usize, Value::HOLE);
            }
            let r = f(e);
            trim_holes(e);
            Some(r)
        }
        Elements::Sparse(_) => None,
    }
}

/// Drops trailing holes so the dense vector does not exceed the length.
fn trim_holes(e: &mut Vec<Value>) {
    while e.last().is_some_and(|v| v.is_hole()) {
        e.pop();
    }
}

fn shift(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, len) = this_obj_len(vm, a.this)?;
    if len == 0 {
        set_length(vm, o, 0.0)?;
        return Ok(Value::UNDEFINED);
    }
    if dense_fast(o, len)
        && let Some(first) = with_dense(o, len, |e| e.remove(0))
    {
        // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
        (unsafe { o.m() }).set_array_length_raw((len - 1) as u32);
        return Ok(if first.is_hole() { Value::UNDEFINED } else { first });
    }
    let first = get_idx(vm, o, 0)?;
    // k from 1 to len-1: from = k, to = k - 1.
    move_ascending(vm, o, 0, len - 1, 1, 0)?;
    delete_idx(vm, o, len - 1)?;
    set_length(vm, o, (len - 1) as f64)?;
    Ok(first)
}

fn unshift(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, len) = this_obj_len(vm, a.this)?;
    let n = a.args.len() as u64;
    if n > 0 {
        if len + n > MAX_SAFE {
            return Err(vm.type_error("Unshift would exceed the maximum array-like length"));
        }
        if len + n < u32::MAX as u64
            && dense_fast(o, len)
            && with_dense(o, len, |e| {
                e.splice(0..0, a.args.iter().copied());
            })
            .is_some()
        {
            vm.heap.malloced_bytes += 8 * a.args.len();
            // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
            (unsafe { o.m() }).set_array_length_raw((len + n) as u32);
            return Ok(Value::number((len + n) as f64));
        }
        // k from len down to 1: from = k - 1, to = k + n - 1.
        if len > 0 {
            move_descending(vm, o, len - 1, 0, 0, n)?;
        }
        for (j, &v) in a.args.iter().enumerate() {
            set_idx(vm, o, j as u64, v)?;
        }
    }
    set_length(vm, o, (len + n) as f64)?;
    Ok(Value::number((len + n) as f64))
}

fn reverse(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, len) = this_obj_len(vm, a.this)?;
    let middle = len / 2;
    let mut lower = 0;
    while lower < middle {
        vm.poll_long_operation()?;
        // Skip pairs where neither end exists (unobservable without proxies).
        if !proxy_on_chain(o) {
            let nl = next_present(o, lower, middle);
            let nu = prev_present(o, len - 1 - lower, len - middle).map(|u| len - 1 - u);
            lower = match (nl, nu) {
                (Some(x), Some(y)) => x.min(y),
                (Some(x), None) | (None, Some(x)) => x,
                (None, None) => break,
            };
        }
        let upper = len - lower - 1;
        let lower_exists = has_idx(vm, o, lower)?;
        let lower_value = if lower_exists { get_idx(vm, o, lower)? } else { Value::UNDEFINED };
        let upper_exists = has_idx(vm, o, upper)?;
        let upper_value = if upper_exists { get_idx(vm, o, upper)? } else { Value::UNDEFINED };
        match (lower_exists, upper_exists) {
            (true, true) => {
                set_idx(vm, o, lower, upper_value)?;
                set_idx(vm, o, upper, lower_value)?;
            }
            (false, true) => {
                set_idx(vm, o, lower, upper_value)?;
                delete_idx(vm, o, upper)?;
            }
            (true, false) => {
                delete_idx(vm, o, lower)?;
                set_idx(vm, o, upper, lower_value)?;
            }
            (false, false) => {}
        }
        lower += 1;
    }
    Ok(o.value())
}

fn copy_within(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, len) = this_obj_len(vm, a.this)?;
    let rt = vm.to_integer_or_infinity(a.arg(0))?;
    let to = relative_index(rt, len);
    let rs = vm.to_integer_or_infinity(a.arg(1))?;
    let from = relative_index(rs, len);
    let fin = if a.arg(2).is_undefined() { len } else { relative_index(vm.to_integer_or_infinity(a.arg(2))?, len) };
    let count = fin.saturating_sub(from).min(len - to);
    if count == 0 {
        return Ok(o.value());
    }
    if from < to && to < from + count {
        // Backwards: k from count-1 down to 0 with from+k -> to+k.
        move_descending(vm, o, count - 1, 0, from, to)?;
    } else {
        move_ascending(vm, o, 0, count, from, to)?;
    }
    Ok(o.value())
}

fn fill(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, len) = this_obj_len(vm, a.this)?;
    let value = a.arg(0);
    let rs = vm.to_integer_or_infinity(a.arg(1))?;
    let k = relative_index(rs, len);
    let fin = if a.arg(2).is_undefined() { len } else { relative_index(vm.to_integer_or_infinity(a.arg(2))?, len) };
    for i in k..fin {
        vm.poll_long_operation()?;
        set_idx(vm, o, i, value)?;
    }
    Ok(o.value())
}

/// The (start, delete count, items) of splice/toSpliced(start, deleteCount, ...items):
/// no arguments deletes nothing, a lone start deletes to the end.
fn splice_arguments<'a>(vm: &mut Vm, a: &'a CallArgs<'_>, len: u64) -> JsResult<(u64, u64, &'a [Value])> {
    let start = relative_index(vm.to_integer_or_infinity(a.arg(0))?, len);
    let items: &[Value] = if a.args.len() > 2 { &a.args[2..] } else { &[] };
    let delete = if a.args.is_empty() {
        0
    } else if a.args.len() == 1 {
        len - start
    } else {
        let dc = vm.to_integer_or_infinity(a.arg(1))?;
        if dc <= 0.0 { 0 } else { dc.min((len - start) as f64) as u64 }
    };
    Ok((start, delete, items))
}

fn splice(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, len) = this_obj_len(vm, a.this)?;
    let (start, del, items) = splice_arguments(vm, a, len)?;
    let item_count = items.len() as u64;
    if len + item_count - del > MAX_SAFE {
        return Err(vm.type_error("Splice would exceed the maximum array-like length"));
    }
    let removed = array_species_create(vm, o, del)?;
    let mut k = 0;
    while let Some(i) = next_present_js(vm, o, start + k, start + del)? {
        vm.poll_long_operation()?;
        k = i - start;
        let v = get_idx(vm, o, i)?;
        create_idx(vm, removed, k, v)?;
        k += 1;
    }
    set_length(vm, removed, del as f64)?;
    let new_len = len - del + item_count;
    if new_len < u32::MAX as u64
        && dense_fast(o, len)
        && with_dense(o, len, |e| {
            e.splice(start as usize..(start + del) as usize, items.iter().copied());
        })
        .is_some()
    {
        vm.heap.malloced_bytes += 8 * items.len();
        // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
        (unsafe { o.m() }).set_array_length_raw(new_len as u32);
        return Ok(removed.value());
    }
    if item_count < del {
        // k from start to len-del-1: from = k + del, to = k + item_count.
        move_ascending(vm, o, start, len - del, del, item_count)?;
        delete_range_descending(vm, o, len - del + item_count, len)?;
    } else if item_count > del {
        // k from len-del down to start+1: from = k + del - 1, to = k + item_count - 1.
        if len - del > start {
            move_descending(vm, o, len - del - 1, start, del, item_count)?;
        }
    }
    for (j, &v) in items.iter().enumerate() {
        set_idx(vm, o, start + j as u64, v)?;
    }
    set_length(vm, o, (len - del + item_count) as f64)?;
    Ok(removed.value())
}

// ----- accessors -----

fn at(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, len) = this_obj_len(vm, a.this)?;
    let r = vm.to_integer_or_infinity(a.arg(0))?;
    let k = if r >= 0.0 { r } else { len as f64 + r };
    if k < 0.0 || k >= len as f64 {
        return Ok(Value::UNDEFINED);
    }
    get_idx(vm, o, k as u64)
}

fn is_concat_spreadable(vm: &mut Vm, v: Value) -> JsResult<bool> {
    let Some(o) = JsObject::from_value(v) else { return Ok(false) };
    let key = PropertyKey::Symbol(vm.symbols.is_concat_spreadable);
    let s = vm.get(o, key, v)?;
    if !s.is_undefined() {
        return Ok(Vm::to_boolean(s));
    }
    let _ = o;
    vm.is_array_value(v)
}

fn concat(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let o = vm.to_object(a.this)?;
    let arr = array_species_create(vm, o, 0)?;
    let mut n: u64 = 0;
    let count = a.args.len() + 1;
    for idx in 0..count {
        vm.poll_long_operation()?;
        let e = if idx == 0 { o.value() } else { a.args[idx - 1] };
        if is_concat_spreadable(vm, e)? {
            let eo: Gc<JsObject> = Gc::from_value(e);
            let len = vm.length_of_array_like(eo)?;
            if n + len > MAX_SAFE {
                return Err(vm.type_error("Concatenation would exceed the maximum array-like length"));
            }
            let mut k = 0;
            while let Some(i) = next_present_js(vm, eo, k, len)? {
                vm.poll_long_operation()?;
                let v = get_idx(vm, eo, i)?;
                create_idx(vm, arr, n + i, v)?;
                k = i + 1;
            }
            n += len;
        } else {
            if n >= MAX_SAFE {
                return Err(vm.type_error("Concatenation would exceed the maximum array-like length"));
            }
            create_idx(vm, arr, n, e)?;
            n += 1;
        }
    }
    set_length(vm, arr, n as f64)?;
    Ok(arr.value())
}

fn slice(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, len) = this_obj_len(vm, a.this)?;
    let rs = vm.to_integer_or_infinity(a.arg(0))?;
    let k = relative_index(rs, len);
    let fin = if a.arg(1).is_undefined() { len } else { relative_index(vm.to_integer_or_infinity(a.arg(1))?, len) };
    let count = fin.saturating_sub(k);
    let arr = array_species_create(vm, o, count)?;
    let mut i = k;
    while let Some(p) = next_present_js(vm, o, i, fin)? {
        vm.poll_long_operation()?;
        let v = get_idx(vm, o, p)?;
        create_idx(vm, arr, p - k, v)?;
        i = p + 1;
    }
    set_length(vm, arr, count as f64)?;
    Ok(arr.value())
}

/// Index search shared by indexOf / lastIndexOf / includes.
fn index_of(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, len) = this_obj_len(vm, a.this)?;
    if len == 0 {
        return Ok(Value::int(-1));
    }
    let n = vm.to_integer_or_infinity(a.arg(1))?;
    if n == f64::INFINITY {
        return Ok(Value::int(-1));
    }
    let mut k = if n >= 0.0 { n as u64 } else { relative_index(n, len) };
    let target = a.arg(0);
    while let Some(i) = next_present_js(vm, o, k, len)? {
        vm.poll_long_operation()?;
        let v = get_idx(vm, o, i)?;
        if Vm::strict_equals(v, target) {
            return Ok(Value::number(i as f64));
        }
        k = i + 1;
    }
    Ok(Value::int(-1))
}

fn last_index_of(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, len) = this_obj_len(vm, a.this)?;
    if len == 0 {
        return Ok(Value::int(-1));
    }
    let n = if a.args.len() > 1 { vm.to_integer_or_infinity(a.arg(1))? } else { (len - 1) as f64 };
    if n == f64::NEG_INFINITY {
        return Ok(Value::int(-1));
    }
    let k = if n >= 0.0 { n.min((len - 1) as f64) } else { len as f64 + n };
    if k < 0.0 {
        return Ok(Value::int(-1));
    }
    let mut k = k as u64;
    let target = a.arg(0);
    while let Some(i) = prev_present_js(vm, o, k, 0)? {
        vm.poll_long_operation()?;
        let v = get_idx(vm, o, i)?;
        if Vm::strict_equals(v, target) {
            return Ok(Value::number(i as f64));
        }
        if i == 0 {
            break;
        }
        k = i - 1;
    }
    Ok(Value::int(-1))
}

fn includes(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, len) = this_obj_len(vm, a.this)?;
    if len == 0 {
        return Ok(Value::FALSE);
    }
    let n = vm.to_integer_or_infinity(a.arg(1))?;
    if n == f64::INFINITY {
        return Ok(Value::FALSE);
    }
    let mut k = if n >= 0.0 { n as u64 } else { relative_index(n, len) };
    let target = a.arg(0);
    while k < len {
        vm.poll_long_operation()?;
        // An absent index reads as undefined without running JS (unless a
        // proxy is on the chain: then every index is read).
        let i = match next_gettable(vm, o, k, len)? {
            Some(i) => i,
            None => return Ok(Value::bool(target.is_undefined())),
        };
        if i > k && target.is_undefined() {
            return Ok(Value::TRUE);
        }
        let v = get_idx(vm, o, i)?;
        if Vm::same_value_zero(v, target) {
            return Ok(Value::TRUE);
        }
        k = i + 1;
    }
    Ok(Value::FALSE)
}

thread_local! {
    /// Objects whose join is in progress (cycle detection, as in V8).
    static JOIN_STACK: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
}

fn join(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, len) = this_obj_len(vm, a.this)?;
    let sep = if a.arg(0).is_undefined() { vec![b',' as u16] } else { vm.to_string(a.arg(0))?.to_units() };
    let addr = o.as_ptr() as usize;
    if JOIN_STACK.with(|s| s.borrow().contains(&addr)) {
        return Ok(vm.names.empty.value());
    }
    JOIN_STACK.with(|s| s.borrow_mut().push(addr));
    let r = join_inner(vm, o, len, &sep);
    JOIN_STACK.with(|s| {
        let mut s = s.borrow_mut();
        if let Some(p) = s.iter().rposition(|&x| x == addr) {
            s.remove(p);
        }
    });
    r
}

fn join_inner(vm: &mut Vm, o: Gc<JsObject>, len: u64, sep: &[u16]) -> JsResult<Value> {
    let mut out: Vec<u16> = Vec::new();
    let max = crate::vm::object::string::MAX_STRING_LENGTH as u64;
    // Absent indices read as undefined (empty) without running JS, so runs of
    // them only contribute separators: element k is preceded by k separators.
    let mut seps_done: u64 = 0;
    let mut k = 0;
    loop {
        vm.poll_long_operation()?;
        let p = next_gettable(vm, o, k, len)?;
        let need = match p {
            Some(i) => i,
            None => len.saturating_sub(1),
        };
        let add = need - seps_done;
        if out.len() as u64 + add.saturating_mul(sep.len() as u64) > max {
            return Err(vm.range_error("Invalid string length"));
        }
        if !sep.is_empty() {
            vm.reserve((out.len() + add as usize * sep.len()) * 2)?;
            for _ in 0..add {
                out.extend_from_slice(sep);
            }
        }
        seps_done = need;
        let Some(i) = p else { break };
        let v = get_idx(vm, o, i)?;
        if !v.is_nullish() {
            out.extend(vm.to_string(v)?.to_units());
        }
        if out.len() as u64 > max {
            return Err(vm.range_error("Invalid string length"));
        }
        // The result must fit in the heap too (2 bytes per unit).
        vm.reserve(out.len() * 2)?;
        k = i + 1;
    }
    Ok(JsString::from_units(&mut vm.heap, &out).value())
}

fn to_string(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let o = vm.to_object(a.this)?;
    let key = PropertyKey::Atom(vm.names.join);
    let f = vm.get(o, key, o.value())?;
    if Vm::is_callable(f) {
        return vm.call(f, o.value(), &[]);
    }
    // %Object.prototype.toString% of the current realm.
    let object_to_string = vm.realm().intrinsic(Intrinsic::ObjectProtoToString);
    vm.call(object_to_string, o.value(), &[])
}

fn to_locale_string(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, len) = this_obj_len(vm, a.this)?;
    let addr = o.as_ptr() as usize;
    if JOIN_STACK.with(|s| s.borrow().contains(&addr)) {
        return Ok(vm.names.empty.value());
    }
    JOIN_STACK.with(|s| s.borrow_mut().push(addr));
    let r = (|| -> JsResult<Value> {
        let mut out: Vec<u16> = Vec::new();
        let key = vm.key_from_str("toLocaleString");
        for i in 0..len {
            vm.poll_long_operation()?;
            if i > 0 {
                out.push(b',' as u16);
            }
            let v = get_idx(vm, o, i)?;
            if !v.is_nullish() {
                let f = vm.get_v(v, key)?;
                let r = vm.call(f, v, &[])?;
                out.extend(vm.to_string(r)?.to_units());
            }
            if out.len() > crate::vm::object::string::MAX_STRING_LENGTH {
                return Err(vm.range_error("Invalid string length"));
            }
        }
        Ok(JsString::from_units(&mut vm.heap, &out).value())
    })();
    JOIN_STACK.with(|s| {
        let mut s = s.borrow_mut();
        if let Some(p) = s.iter().rposition(|&x| x == addr) {
            s.remove(p);
        }
    });
    r
}

// ----- iteration methods -----

#[derive(Clone, Copy, PartialEq)]
enum Iter {
    ForEach,
    Every,
    Some,
}

fn iterate(vm: &mut Vm, a: &CallArgs<'_>, kind: Iter) -> JsResult<Value> {
    let (o, len) = this_obj_len(vm, a.this)?;
    let (cb, this_arg) = (a.arg(0), a.arg(1));
    require_callable(vm, cb)?;
    let mut k = 0;
    while let Some(i) = next_present_js(vm, o, k, len)? {
        vm.poll_long_operation()?;
        let v = get_idx(vm, o, i)?;
        let r = vm.call(cb, this_arg, &[v, Value::number(i as f64), o.value()])?;
        match kind {
            Iter::Every if !Vm::to_boolean(r) => return Ok(Value::FALSE),
            Iter::Some if Vm::to_boolean(r) => return Ok(Value::TRUE),
            _ => {}
        }
        k = i + 1;
    }
    Ok(match kind {
        Iter::ForEach => Value::UNDEFINED,
        Iter::Every => Value::TRUE,
        Iter::Some => Value::FALSE,
    })
}

fn for_each(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    iterate(vm, a, Iter::ForEach)
}
fn every(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    iterate(vm, a, Iter::Every)
}
fn some(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    iterate(vm, a, Iter::Some)
}

fn map(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, len) = this_obj_len(vm, a.this)?;
    let (cb, this_arg) = (a.arg(0), a.arg(1));
    require_callable(vm, cb)?;
    let arr = array_species_create(vm, o, len)?;
    let mut k = 0;
    while let Some(i) = next_present_js(vm, o, k, len)? {
        vm.poll_long_operation()?;
        let v = get_idx(vm, o, i)?;
        let r = vm.call(cb, this_arg, &[v, Value::number(i as f64), o.value()])?;
        create_idx(vm, arr, i, r)?;
        k = i + 1;
    }
    Ok(arr.value())
}

fn filter(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, len) = this_obj_len(vm, a.this)?;
    let (cb, this_arg) = (a.arg(0), a.arg(1));
    require_callable(vm, cb)?;
    let arr = array_species_create(vm, o, 0)?;
    let mut k = 0;
    let mut to = 0;
    while let Some(i) = next_present_js(vm, o, k, len)? {
        vm.poll_long_operation()?;
        let v = get_idx(vm, o, i)?;
        let r = vm.call(cb, this_arg, &[v, Value::number(i as f64), o.value()])?;
        if Vm::to_boolean(r) {
            create_idx(vm, arr, to, v)?;
            to += 1;
        }
        k = i + 1;
    }
    Ok(arr.value())
}

fn reduce_impl(vm: &mut Vm, a: &CallArgs<'_>, right: bool) -> JsResult<Value> {
    let (o, len) = this_obj_len(vm, a.this)?;
    let cb = a.arg(0);
    require_callable(vm, cb)?;
    if len == 0 && a.args.len() < 2 {
        return Err(vm.type_error("Reduce of empty array with no initial value"));
    }
    // `cursor` is the next index to visit (ascending) or one past it (descending).
    let mut cursor: u64 = if right { len } else { 0 };
    let next = |vm: &mut Vm, o: Gc<JsObject>, cursor: u64| -> JsResult<Option<u64>> {
        if right { if cursor == 0 { Ok(None) } else { prev_present_js(vm, o, cursor - 1, 0) } } else { next_present_js(vm, o, cursor, len) }
    };
    let advance = |i: u64| if right { i } else { i + 1 };
    let mut acc = if a.args.len() >= 2 {
        a.arg(1)
    } else {
        match next(vm, o, cursor)? {
            Some(i) => {
                cursor = advance(i);
                get_idx(vm, o, i)?
            }
            None => return Err(vm.type_error("Reduce of empty array with no initial value")),
        }
    };
    while let Some(i) = next(vm, o, cursor)? {
        vm.poll_long_operation()?;
        let v = get_idx(vm, o, i)?;
        acc = vm.call(cb, Value::UNDEFINED, &[acc, v, Value::number(i as f64), o.value()])?;
        cursor = advance(i);
    }
    Ok(acc)
}

fn reduce(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    reduce_impl(vm, a, false)
}
fn reduce_right(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    reduce_impl(vm, a, true)
}

/// FindViaPredicate: returns (index, value) or (-1, undefined).
fn find_via(vm: &mut Vm, a: &CallArgs<'_>, last: bool) -> JsResult<(f64, Value)> {
    let (o, len) = this_obj_len(vm, a.this)?;
    let (pred, this_arg) = (a.arg(0), a.arg(1));
    require_callable(vm, pred)?;
    for j in 0..len {
        vm.poll_long_operation()?;
        let i = if last { len - 1 - j } else { j };
        let v = get_idx(vm, o, i)?;
        let r = vm.call(pred, this_arg, &[v, Value::number(i as f64), o.value()])?;
        if Vm::to_boolean(r) {
            return Ok((i as f64, v));
        }
    }
    Ok((-1.0, Value::UNDEFINED))
}

fn find(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(find_via(vm, a, false)?.1)
}
fn find_index(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(Value::number(find_via(vm, a, false)?.0))
}
fn find_last(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(find_via(vm, a, true)?.1)
}
fn find_last_index(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(Value::number(find_via(vm, a, true)?.0))
}

/// FlattenIntoArray; returns the next target index.
fn flatten_into(
    vm: &mut Vm,
    target: Gc<JsObject>,
    source: Gc<JsObject>,
    source_len: u64,
    start: u64,
    depth: f64,
    mapper: Option<(Value, Value)>,
) -> JsResult<u64> {
    vm.check_native_stack()?;
    let mut target_index = start;
    let mut k = 0;
    while let Some(i) = next_present_js(vm, source, k, source_len)? {
        vm.poll_long_operation()?;
        let mut element = get_idx(vm, source, i)?;
        if let Some((f, this_arg)) = mapper {
            element = vm.call(f, this_arg, &[element, Value::number(i as f64), source.value()])?;
        }
        let flatten_el = depth > 0.0 && vm.is_array_value(element)?;
        if flatten_el {
            let eo: Gc<JsObject> = Gc::from_value(element);
            let new_depth = if depth == f64::INFINITY { depth } else { depth - 1.0 };
            let elen = vm.length_of_array_like(eo)?;
            target_index = flatten_into(vm, target, eo, elen, target_index, new_depth, None)?;
        } else {
            if target_index >= MAX_SAFE {
                return Err(vm.type_error("Flattened array would exceed the maximum array-like length"));
            }
            create_idx(vm, target, target_index, element)?;
            target_index += 1;
        }
        k = i + 1;
    }
    Ok(target_index)
}

fn flat(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, len) = this_obj_len(vm, a.this)?;
    let mut depth = 1.0;
    if !a.arg(0).is_undefined() {
        depth = vm.to_integer_or_infinity(a.arg(0))?;
        if depth < 0.0 {
            depth = 0.0;
        }
    }
    let arr = array_species_create(vm, o, 0)?;
    flatten_into(vm, arr, o, len, 0, depth, None)?;
    Ok(arr.value())
}

fn flat_map(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, len) = this_obj_len(vm, a.this)?;
    let f = a.arg(0);
    require_callable(vm, f)?;
    let arr = array_species_create(vm, o, 0)?;
    flatten_into(vm, arr, o, len, 0, 1.0, Some((f, a.arg(1))))?;
    Ok(arr.value())
}

// ----- sorting -----

/// SortIndexedProperties + sorting with CompareArrayElements. Returns a list
/// object holding the sorted values.
fn sort_values(vm: &mut Vm, o: Gc<JsObject>, len: u64, comparefn: Value, skip_holes: bool) -> JsResult<Gc<JsObject>> {
    let items = new_list(vm);
    if skip_holes {
        let mut k = 0;
        while let Some(i) = next_present_js(vm, o, k, len)? {
            vm.poll_long_operation()?;
            let v = get_idx(vm, o, i)?;
            list_push(items, v);
            k = i + 1;
        }
    } else {
        for i in 0..len {
            vm.poll_long_operation()?;
            let v = get_idx(vm, o, i)?;
            list_push(items, v);
        }
    }
    let n = list_len(items);
    if n < 2 {
        return Ok(items);
    }
    let order = if comparefn.is_undefined() {
        // Default order: undefined last, others by ToString code units.
        let mut keys: Vec<Option<Vec<u16>>> = Vec::with_capacity(n);
        for i in 0..n {
            vm.poll_long_operation()?;
            let v = list_get(items, i);
            keys.push(if v.is_undefined() { None } else { Some(vm.to_string(v)?.to_units()) });
        }
        // The merge sort (not slice::sort_by) so termination is noticed mid-way.
        merge_sort_indices(vm, n, &mut |_, x, y| {
            Ok(match (&keys[x], &keys[y]) {
                (None, None) => 0.0,
                (None, Some(_)) => 1.0,
                (Some(_), None) => -1.0,
                (Some(a), Some(b)) => a.cmp(b) as i8 as f64,
            })
        })?
    } else {
        merge_sort_indices(vm, n, &mut |vm, x, y| {
            let (a, b) = (list_get(items, x), list_get(items, y));
            match (a.is_undefined(), b.is_undefined()) {
                (true, true) => return Ok(0.0),
                (true, false) => return Ok(1.0),
                (false, true) => return Ok(-1.0),
                _ => {}
            }
            let r = vm.call(comparefn, Value::UNDEFINED, &[a, b])?;
            let d = vm.to_number(r)?;
            Ok(if d.is_nan() { 0.0 } else { d })
        })?
    };
    let sorted = new_list(vm);
    for i in order {
        list_push(sorted, list_get(items, i));
    }
    Ok(sorted)
}

fn check_comparefn(vm: &mut Vm, f: Value) -> JsResult<()> {
    if !f.is_undefined() && !Vm::is_callable(f) {
        return Err(vm.type_error("The comparison function must be either a function or undefined"));
    }
    Ok(())
}

fn sort(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let comparefn = a.arg(0);
    check_comparefn(vm, comparefn)?;
    let (o, len) = this_obj_len(vm, a.this)?;
    let sorted = sort_values(vm, o, len, comparefn, true)?;
    let count = list_len(sorted) as u64;
    for j in 0..count {
        vm.poll_long_operation()?;
        let v = list_get(sorted, j as usize);
        set_idx(vm, o, j, v)?;
    }
    delete_range_descending_ascending(vm, o, count, len)?;
    Ok(o.value())
}

/// Deletes present indices in `[lo, hi)` in ascending order (sort's hole tail).
fn delete_range_descending_ascending(vm: &mut Vm, o: Gc<JsObject>, lo: u64, hi: u64) -> JsResult<()> {
    let mut k = lo;
    while let Some(i) = next_present_js(vm, o, k, hi)? {
        vm.poll_long_operation()?;
        delete_idx(vm, o, i)?;
        k = i + 1;
    }
    Ok(())
}

fn to_sorted(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let comparefn = a.arg(0);
    check_comparefn(vm, comparefn)?;
    let (o, len) = this_obj_len(vm, a.this)?;
    let arr = array_create(vm, len)?;
    let sorted = sort_values(vm, o, len, comparefn, false)?;
    for j in 0..len {
        vm.poll_long_operation()?;
        let v = list_get(sorted, j as usize);
        create_idx(vm, arr, j, v)?;
    }
    Ok(arr.value())
}

fn to_reversed(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, len) = this_obj_len(vm, a.this)?;
    let arr = array_create(vm, len)?;
    for k in 0..len {
        vm.poll_long_operation()?;
        let v = get_idx(vm, o, len - k - 1)?;
        create_idx(vm, arr, k, v)?;
    }
    Ok(arr.value())
}

fn to_spliced(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, len) = this_obj_len(vm, a.this)?;
    let (start, skip, items) = splice_arguments(vm, a, len)?;
    let insert = items.len() as u64;
    let new_len = len + insert - skip;
    if new_len > MAX_SAFE {
        return Err(vm.type_error("Invalid array length"));
    }
    let arr = array_create(vm, new_len)?;
    let mut i = 0;
    while i < start {
        vm.poll_long_operation()?;
        let v = get_idx(vm, o, i)?;
        create_idx(vm, arr, i, v)?;
        i += 1;
    }
    for &e in items {
        create_idx(vm, arr, i, e)?;
        i += 1;
    }
    let mut r = start + skip;
    while i < new_len {
        vm.poll_long_operation()?;
        let v = get_idx(vm, o, r)?;
        create_idx(vm, arr, i, v)?;
        i += 1;
        r += 1;
    }
    Ok(arr.value())
}

fn with(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, len) = this_obj_len(vm, a.this)?;
    let r = vm.to_integer_or_infinity(a.arg(0))?;
    let idx = if r >= 0.0 { r } else { len as f64 + r };
    if idx >= len as f64 || idx < 0.0 {
        return Err(vm.range_error("Invalid index"));
    }
    let idx = idx as u64;
    let arr = array_create(vm, len)?;
    let value = a.arg(1);
    for k in 0..len {
        vm.poll_long_operation()?;
        let v = if k == idx { value } else { get_idx(vm, o, k)? };
        create_idx(vm, arr, k, v)?;
    }
    Ok(arr.value())
}

fn keys(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let o = vm.to_object(a.this)?;
    Ok(create_array_iterator(vm, o.value(), IterationKind::Keys))
}
fn values(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let o = vm.to_object(a.this)?;
    Ok(create_array_iterator(vm, o.value(), IterationKind::Values))
}
fn entries(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let o = vm.to_object(a.this)?;
    Ok(create_array_iterator(vm, o.value(), IterationKind::Entries))
}
