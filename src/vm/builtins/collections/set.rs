//! Set (including the ES2025 set-algebra methods), WeakSet and
//! %SetIteratorPrototype%.

use super::map::{Coll, can_be_held_weakly, collection_iterator_next, create_collection, link_constructor, set_tag, species_getter, this_weak, with_table};
use super::table::{self, Cursor};
use crate::vm::JsResult;
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::CallArgs;
use crate::vm::object::{CollectionKind, IterationKind};
use crate::vm::object::{JsObject, NativeFn, ObjectKind, PropertyKey, attrs};
use crate::vm::runtime::describe::{describe, require_callable};
use crate::vm::runtime::iteration::close_after_error;
use crate::vm::runtime::iteration::{get_iterator, iterator_close, iterator_step};
use crate::vm::runtime::realm::{Intrinsic, Realm};
use crate::vm::value::Value;

pub fn install(vm: &mut Vm, realm: Gc<Realm>) {
    let c = crate::vm::runtime::define::make_constructor(vm, realm, "Set", set_ctor, 0, Intrinsic::SetPrototype, Intrinsic::Set);
    let species = PropertyKey::Symbol(vm.symbols.species);
    vm.define_accessor(c, species, Some(species_getter), None, "[Symbol.species]");
    let p = realm.proto(Intrinsic::SetPrototype);
    let methods: &[(&str, NativeFn, u32)] = &[
        ("add", add, 1),
        ("clear", clear, 0),
        ("delete", delete, 1),
        ("difference", difference, 1),
        ("entries", entries, 0),
        ("forEach", for_each, 1),
        ("has", has, 1),
        ("intersection", intersection, 1),
        ("isDisjointFrom", is_disjoint_from, 1),
        ("isSubsetOf", is_subset_of, 1),
        ("isSupersetOf", is_superset_of, 1),
        ("symmetricDifference", symmetric_difference, 1),
        ("union", union, 1),
    ];
    for &(name, f, len) in methods {
        vm.define_method(p, name, f, len);
    }
    let size_key = vm.key_from_str("size");
    vm.define_accessor(p, size_key, Some(size), None, "size");
    let values_fn = vm.define_method(p, "values", values, 0);
    vm.define_value(p, "keys", values_fn.value(), attrs::HIDDEN);
    let it = vm.symbols.iterator;
    p.put_named(&mut vm.heap, PropertyKey::Symbol(it), values_fn.value(), attrs::HIDDEN);
    set_tag(vm, p, "Set");

    let sip = realm.proto(Intrinsic::SetIteratorPrototype);
    vm.define_method(sip, "next", set_iterator_next, 0);
    set_tag(vm, sip, "Set Iterator");

    let wc = vm.new_native_function(realm, weakset_ctor, "WeakSet", 0, true);
    let wp = realm.proto(Intrinsic::WeakSetPrototype);
    link_constructor(vm, realm, wc, wp, "WeakSet");
    vm.define_method(wp, "add", weak_add, 1);
    vm.define_method(wp, "delete", weak_delete, 1);
    vm.define_method(wp, "has", weak_has, 1);
    set_tag(vm, wp, "WeakSet");
}

fn init_from_iterable(vm: &mut Vm, s: Gc<JsObject>, iterable: Value) -> JsResult<Value> {
    if iterable.is_nullish() {
        return Ok(s.value());
    }
    let key = vm.key_from_str("add");
    let adder = vm.get(s, key, s.value())?;
    if !Vm::is_callable(adder) {
        let d = describe(vm, adder);
        return Err(vm.type_error(&format!("'{d}' returned for property 'add' of object '#<Set>' is not a function")));
    }
    let (it, next) = get_iterator(vm, iterable)?;
    while let Some(v) = iterator_step(vm, it, next)? {
        if let Err(e) = vm.call(adder, s.value(), &[v]) {
            return Err(close_after_error(vm, it, e));
        }
    }
    Ok(s.value())
}

fn set_ctor(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let s = create_collection(vm, a, "Set", Intrinsic::SetPrototype, Coll::Set)?;
    init_from_iterable(vm, s, a.arg(0))
}

fn this_set(vm: &mut Vm, v: Value, method: &str, tag: Coll) -> JsResult<(Gc<JsObject>, Gc<JsObject>)> {
    match tag.collection().and_then(|k| table::table_of(v, k)) {
        Some(x) => Ok(x),
        None => {
            let d = describe(vm, v);
            let ty = if tag == Coll::Set { "Set" } else { "WeakSet" };
            Err(vm.type_error(&format!("Method {ty}.prototype.{method} called on incompatible receiver {d}")))
        }
    }
}

fn add(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (coll, store) = this_set(vm, a.this, "add", Coll::Set)?;
    let v = table::canonicalize(a.arg(0));
    if table::find(store, v).is_none() {
        table::put(vm, coll, v, v);
    }
    Ok(a.this)
}

fn has(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (_, store) = this_set(vm, a.this, "has", Coll::Set)?;
    Ok(Value::bool(table::find(store, a.arg(0)).is_some()))
}

fn delete(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (coll, _) = this_set(vm, a.this, "delete", Coll::Set)?;
    Ok(Value::bool(table::remove(vm, coll, a.arg(0))))
}

fn clear(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (coll, _) = this_set(vm, a.this, "clear", Coll::Set)?;
    table::clear(vm, coll);
    Ok(Value::UNDEFINED)
}

fn size(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (_, store) = this_set(vm, a.this, "size", Coll::Set)?;
    Ok(Value::number(table::live_count(store) as f64))
}

fn for_each(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (coll, _) = this_set(vm, a.this, "forEach", Coll::Set)?;
    let (f, this_arg) = (a.arg(0), a.arg(1));
    require_callable(vm, f)?;
    let mut cur = Cursor::new(coll);
    while let Some((k, _)) = cur.next() {
        vm.call(f, this_arg, &[k, k, a.this])?;
    }
    Ok(Value::UNDEFINED)
}

fn make_iterator(vm: &mut Vm, a: &CallArgs<'_>, kind: IterationKind, method: &str) -> JsResult<Value> {
    let (coll, _) = this_set(vm, a.this, method, Coll::Set)?;
    let store = table::table(coll);
    let proto = vm.realm().intrinsic(Intrinsic::SetIteratorPrototype);
    let it = vm.new_object_with_proto(proto, ObjectKind::CollectionIterator { collection: CollectionKind::Set, table: store.value(), index: 0, kind });
    Ok(it.value())
}

fn values(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    make_iterator(vm, a, IterationKind::Values, "values")
}
fn entries(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    make_iterator(vm, a, IterationKind::Entries, "entries")
}

fn set_iterator_next(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    collection_iterator_next(vm, a.this, CollectionKind::Set, "Set Iterator")
}

// ----- set algebra -----

/// A Set Record: the other object, its size, and its `has` / `keys` methods.
struct SetRecord {
    obj: Value,
    size: f64,
    has: Value,
    keys: Value,
}

fn get_set_record(vm: &mut Vm, v: Value) -> JsResult<SetRecord> {
    let Some(o) = JsObject::from_value(v) else {
        let d = describe(vm, v);
        return Err(vm.type_error(&format!("{d} is not an object")));
    };
    let skey = vm.key_from_str("size");
    let raw = vm.get(o, skey, v)?;
    let num = vm.to_number(raw)?;
    if num.is_nan() {
        return Err(vm.type_error("The 'size' property must be a number"));
    }
    let int = crate::vm::runtime::number::integer_or_infinity(num);
    if int < 0.0 {
        return Err(vm.range_error("The 'size' property must not be negative"));
    }
    let hkey = vm.key_from_str("has");
    let has = vm.get(o, hkey, v)?;
    if !Vm::is_callable(has) {
        return Err(vm.type_error("The 'has' property must be a function"));
    }
    let kkey = vm.key_from_str("keys");
    let keys = vm.get(o, kkey, v)?;
    if !Vm::is_callable(keys) {
        return Err(vm.type_error("The 'keys' property must be a function"));
    }
    Ok(SetRecord { obj: v, size: int, has, keys })
}

/// GetIteratorFromMethod(rec.obj, rec.keys) with a callable `next`.
fn keys_iterator(vm: &mut Vm, rec: &SetRecord) -> JsResult<(Value, Value)> {
    let it = vm.call(rec.keys, rec.obj, &[])?;
    let Some(io) = JsObject::from_value(it) else {
        return Err(vm.type_error("keys() result is not an object"));
    };
    let nkey = PropertyKey::Atom(vm.names.next);
    let next = vm.get(io, nkey, it)?;
    if !Vm::is_callable(next) {
        return Err(vm.type_error("The iterator's 'next' property must be a function"));
    }
    Ok((it, next))
}

fn in_other(vm: &mut Vm, rec: &SetRecord, e: Value) -> JsResult<bool> {
    let r = vm.call(rec.has, rec.obj, &[e])?;
    Ok(Vm::to_boolean(r))
}

/// A new Set (current realm's Set.prototype) with a copy of `src`'s data.
fn new_set(vm: &mut Vm, src: Option<Gc<JsObject>>) -> Gc<JsObject> {
    let proto = vm.realm().intrinsic(Intrinsic::SetPrototype);
    let kind = table::new_collection_kind(vm, CollectionKind::Set);
    let s = vm.new_object_with_proto(proto, kind);
    if let Some(src) = src {
        let mut cur = Cursor::new(src);
        while let Some((k, _)) = cur.next() {
            table::put(vm, s, k, k);
        }
    }
    s
}

fn set_add(vm: &mut Vm, s: Gc<JsObject>, v: Value) {
    if table::find(table::table(s), v).is_none() {
        table::put(vm, s, v, v);
    }
}

fn contains(s: Gc<JsObject>, v: Value) -> bool {
    table::find(table::table(s), v).is_some()
}

fn union(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, _) = this_set(vm, a.this, "union", Coll::Set)?;
    let rec = get_set_record(vm, a.arg(0))?;
    let (it, next) = keys_iterator(vm, &rec)?;
    let result = new_set(vm, Some(o));
    while let Some(v) = iterator_step(vm, it, next)? {
        set_add(vm, result, table::canonicalize(v));
    }
    Ok(result.value())
}

fn intersection(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, store) = this_set(vm, a.this, "intersection", Coll::Set)?;
    let rec = get_set_record(vm, a.arg(0))?;
    let result = new_set(vm, None);
    if table::live_count(store) as f64 <= rec.size {
        let mut cur = Cursor::new(o);
        while let Some((e, _)) = cur.next() {
            if in_other(vm, &rec, e)? {
                set_add(vm, result, e);
            }
        }
    } else {
        let (it, next) = keys_iterator(vm, &rec)?;
        while let Some(v) = iterator_step(vm, it, next)? {
            let v = table::canonicalize(v);
            if contains(o, v) {
                set_add(vm, result, v);
            }
        }
    }
    Ok(result.value())
}

fn difference(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, store) = this_set(vm, a.this, "difference", Coll::Set)?;
    let rec = get_set_record(vm, a.arg(0))?;
    let result = new_set(vm, Some(o));
    if table::live_count(store) as f64 <= rec.size {
        // Visit the copied elements; `result` is not reachable from JS yet.
        let mut cur = Cursor::new(result);
        while let Some((e, _)) = cur.next() {
            if in_other(vm, &rec, e)? {
                table::remove(vm, result, e);
            }
        }
    } else {
        let (it, next) = keys_iterator(vm, &rec)?;
        while let Some(v) = iterator_step(vm, it, next)? {
            let v = table::canonicalize(v);
            table::remove(vm, result, v);
        }
    }
    Ok(result.value())
}

fn symmetric_difference(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, _) = this_set(vm, a.this, "symmetricDifference", Coll::Set)?;
    let rec = get_set_record(vm, a.arg(0))?;
    let (it, next) = keys_iterator(vm, &rec)?;
    let result = new_set(vm, Some(o));
    while let Some(v) = iterator_step(vm, it, next)? {
        let v = table::canonicalize(v);
        let already = contains(result, v);
        if contains(o, v) {
            if already {
                table::remove(vm, result, v);
            }
        } else if !already {
            table::put(vm, result, v, v);
        }
    }
    Ok(result.value())
}

fn is_subset_of(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, store) = this_set(vm, a.this, "isSubsetOf", Coll::Set)?;
    let rec = get_set_record(vm, a.arg(0))?;
    if table::live_count(store) as f64 > rec.size {
        return Ok(Value::FALSE);
    }
    let mut cur = Cursor::new(o);
    while let Some((e, _)) = cur.next() {
        if !in_other(vm, &rec, e)? {
            return Ok(Value::FALSE);
        }
    }
    Ok(Value::TRUE)
}

fn is_superset_of(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, store) = this_set(vm, a.this, "isSupersetOf", Coll::Set)?;
    let rec = get_set_record(vm, a.arg(0))?;
    if (table::live_count(store) as f64) < rec.size {
        return Ok(Value::FALSE);
    }
    let (it, next) = keys_iterator(vm, &rec)?;
    while let Some(v) = iterator_step(vm, it, next)? {
        if !contains(o, v) {
            iterator_close(vm, it)?;
            return Ok(Value::FALSE);
        }
    }
    Ok(Value::TRUE)
}

fn is_disjoint_from(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, store) = this_set(vm, a.this, "isDisjointFrom", Coll::Set)?;
    let rec = get_set_record(vm, a.arg(0))?;
    if table::live_count(store) as f64 <= rec.size {
        let mut cur = Cursor::new(o);
        while let Some((e, _)) = cur.next() {
            if in_other(vm, &rec, e)? {
                return Ok(Value::FALSE);
            }
        }
    } else {
        let (it, next) = keys_iterator(vm, &rec)?;
        while let Some(v) = iterator_step(vm, it, next)? {
            if contains(o, v) {
                iterator_close(vm, it)?;
                return Ok(Value::FALSE);
            }
        }
    }
    Ok(Value::TRUE)
}

// ----- WeakSet -----

fn weakset_ctor(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let s = create_collection(vm, a, "WeakSet", Intrinsic::WeakSetPrototype, Coll::WeakSet)?;
    init_from_iterable(vm, s, a.arg(0))
}

fn weak_add(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let s = this_weak(vm, a.this, Coll::WeakSet, "add")?;
    let v = a.arg(0);
    if !can_be_held_weakly(v) {
        let d = describe(vm, v);
        return Err(vm.type_error(&format!("Invalid value used in weak set: {d}")));
    }
    with_table(s, |t| t.set(v, Value::UNDEFINED));
    Ok(a.this)
}

fn weak_has(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let s = this_weak(vm, a.this, Coll::WeakSet, "has")?;
    if !can_be_held_weakly(a.arg(0)) {
        return Ok(Value::FALSE);
    }
    Ok(Value::bool(with_table(s, |t| t.has(a.arg(0)))))
}

fn weak_delete(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let s = this_weak(vm, a.this, Coll::WeakSet, "delete")?;
    if !can_be_held_weakly(a.arg(0)) {
        return Ok(Value::FALSE);
    }
    Ok(Value::bool(with_table(s, |t| t.remove(a.arg(0)))))
}
