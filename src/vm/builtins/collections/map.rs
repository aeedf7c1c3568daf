//! Map, WeakMap and %MapIteratorPrototype%.
//!
//! WeakMap holds its keys strongly (the collector has no ephemeron support
//! yet); everything observable from JS follows the spec.

use super::table::{self, Cursor};
use crate::vm::JsResult;
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::CallArgs;
use crate::vm::object::{CollectionKind, IterationKind};
use crate::vm::object::{JsObject, NativeFn, ObjectKind, PropertyKey, Symbol, attrs};
use crate::vm::runtime::describe::{describe, require_callable};
use crate::vm::runtime::iteration::close_after_error;
use crate::vm::runtime::iteration::{get_iterator, iterator_step};
use crate::vm::runtime::realm::{Intrinsic, Realm};
use crate::vm::value::Value;

pub fn install(vm: &mut Vm, realm: Gc<Realm>) {
    let c = crate::vm::runtime::define::make_constructor(vm, realm, "Map", map_ctor, 0, Intrinsic::MapPrototype, Intrinsic::Map);
    vm.define_method(c, "groupBy", group_by, 2);
    let species = PropertyKey::Symbol(vm.symbols.species);
    vm.define_accessor(c, species, Some(species_getter), None, "[Symbol.species]");
    let p = realm.proto(Intrinsic::MapPrototype);
    let methods: &[(&str, NativeFn, u32)] = &[
        ("clear", clear, 0),
        ("delete", delete, 1),
        ("forEach", for_each, 1),
        ("get", get, 1),
        ("getOrInsert", get_or_insert, 2),
        ("getOrInsertComputed", get_or_insert_computed, 2),
        ("has", has, 1),
        ("keys", keys, 0),
        ("set", set, 2),
        ("values", values, 0),
    ];
    for &(name, f, len) in methods {
        vm.define_method(p, name, f, len);
    }
    let entries_fn = vm.define_method(p, "entries", entries, 0);
    let it = vm.symbols.iterator;
    p.put_named(&mut vm.heap, PropertyKey::Symbol(it), entries_fn.value(), attrs::HIDDEN);
    let size_key = vm.key_from_str("size");
    vm.define_accessor(p, size_key, Some(size), None, "size");
    set_tag(vm, p, "Map");

    let mip = realm.proto(Intrinsic::MapIteratorPrototype);
    vm.define_method(mip, "next", map_iterator_next, 0);
    set_tag(vm, mip, "Map Iterator");

    // WeakMap (no constructor intrinsic slot: set up by hand).
    let wc = vm.new_native_function(realm, weakmap_ctor, "WeakMap", 0, true);
    let wp = realm.proto(Intrinsic::WeakMapPrototype);
    link_constructor(vm, realm, wc, wp, "WeakMap");
    let wmethods: &[(&str, NativeFn, u32)] = &[
        ("delete", weak_delete, 1),
        ("get", weak_get, 1),
        ("getOrInsert", weak_get_or_insert, 2),
        ("getOrInsertComputed", weak_get_or_insert_computed, 2),
        ("has", weak_has, 1),
        ("set", weak_set, 2),
    ];
    for &(name, f, len) in wmethods {
        vm.define_method(wp, name, f, len);
    }
    set_tag(vm, wp, "WeakMap");
}

/// Links a constructor and its prototype and defines it on the global.
pub(super) fn link_constructor(vm: &mut Vm, realm: Gc<Realm>, c: Gc<JsObject>, p: Gc<JsObject>, name: &str) {
    let pkey = PropertyKey::Atom(vm.names.prototype);
    c.put_named(&mut vm.heap, pkey, p.value(), 0);
    let ckey = PropertyKey::Atom(vm.names.constructor);
    p.put_named(&mut vm.heap, ckey, c.value(), attrs::HIDDEN);
    vm.define_value(realm.global, name, c.value(), attrs::HIDDEN);
}

pub(super) fn set_tag(vm: &mut Vm, o: Gc<JsObject>, tag: &str) {
    let t = vm.symbols.to_string_tag;
    let s = vm.string_value(tag);
    o.put_named(&mut vm.heap, PropertyKey::Symbol(t), s, attrs::CONFIGURABLE);
}

pub(super) fn species_getter(_vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(a.this)
}

/// Which constructor made a collection (selects the internal slots).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Coll {
    Map,
    Set,
    WeakMap,
    WeakSet,
}

impl Coll {
    /// The ordered-table collection kind, for Map and Set.
    pub(super) fn collection(self) -> Option<CollectionKind> {
        match self {
            Coll::Map => Some(CollectionKind::Map),
            Coll::Set => Some(CollectionKind::Set),
            _ => None,
        }
    }
}

/// CanBeHeldWeakly: objects and non-registered symbols.
pub(super) fn can_be_held_weakly(v: Value) -> bool {
    JsObject::is_object(v) || Gc::<Symbol>::try_from_value(v).is_some_and(|s| !s.registered)
}

/// Creates a collection object for `new_target` (OrdinaryCreateFromConstructor).
pub(super) fn create_collection(vm: &mut Vm, a: &CallArgs<'_>, name: &str, proto: Intrinsic, tag: Coll) -> JsResult<Gc<JsObject>> {
    if !a.is_construct() {
        return Err(vm.type_error(&format!("Constructor {name} requires 'new'")));
    }
    let p = vm.prototype_from_constructor(a.new_target, proto)?;
    let kind = match tag {
        Coll::WeakMap => ObjectKind::WeakMap(Box::default()),
        Coll::WeakSet => ObjectKind::WeakSet(Box::default()),
        Coll::Map => table::new_collection_kind(vm, CollectionKind::Map),
        Coll::Set => table::new_collection_kind(vm, CollectionKind::Set),
    };
    Ok(vm.new_object_with_proto(p, kind))
}

/// AddEntriesFromIterable with `adder` called as adder(k, v).
fn add_entries_from_iterable(vm: &mut Vm, target: Gc<JsObject>, iterable: Value, adder: Value) -> JsResult<()> {
    let (it, next) = get_iterator(vm, iterable)?;
    while let Some(item) = iterator_step(vm, it, next)? {
        let Some(io) = JsObject::from_value(item) else {
            let d = describe(vm, item);
            let e = vm.type_error(&format!("Iterator value {d} is not an entry object"));
            return Err(close_after_error(vm, it, e));
        };
        let r = (|| -> JsResult<Value> {
            let k = vm.get(io, PropertyKey::Index(0), item)?;
            let v = vm.get(io, PropertyKey::Index(1), item)?;
            vm.call(adder, target.value(), &[k, v])
        })();
        if let Err(e) = r {
            return Err(close_after_error(vm, it, e));
        }
    }
    Ok(())
}

fn init_from_iterable(vm: &mut Vm, o: Gc<JsObject>, iterable: Value, adder_name: &str) -> JsResult<Value> {
    if iterable.is_nullish() {
        return Ok(o.value());
    }
    let key = vm.key_from_str(adder_name);
    let adder = vm.get(o, key, o.value())?;
    if !Vm::is_callable(adder) {
        let d = describe(vm, adder);
        return Err(vm.type_error(&format!("'{d}' returned for property '{adder_name}' of object '#<Object>' is not a function")));
    }
    add_entries_from_iterable(vm, o, iterable, adder)?;
    Ok(o.value())
}

fn map_ctor(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let m = create_collection(vm, a, "Map", Intrinsic::MapPrototype, Coll::Map)?;
    init_from_iterable(vm, m, a.arg(0), "set")
}

fn this_map(vm: &mut Vm, v: Value, method: &str, tag: Coll) -> JsResult<(Gc<JsObject>, Gc<JsObject>)> {
    match tag.collection().and_then(|k| table::table_of(v, k)) {
        Some(x) => Ok(x),
        None => {
            let d = describe(vm, v);
            let ty = if tag == Coll::Map { "Map" } else { "WeakMap" };
            Err(vm.type_error(&format!("Method {ty}.prototype.{method} called on incompatible receiver {d}")))
        }
    }
}

fn get(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (_, store) = this_map(vm, a.this, "get", Coll::Map)?;
    Ok(table::get(store, a.arg(0)).unwrap_or(Value::UNDEFINED))
}

fn has(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (_, store) = this_map(vm, a.this, "has", Coll::Map)?;
    Ok(Value::bool(table::find(store, a.arg(0)).is_some()))
}

fn set(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (coll, _) = this_map(vm, a.this, "set", Coll::Map)?;
    table::put(vm, coll, table::canonicalize(a.arg(0)), a.arg(1));
    Ok(a.this)
}

fn delete(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (coll, _) = this_map(vm, a.this, "delete", Coll::Map)?;
    Ok(Value::bool(table::remove(vm, coll, a.arg(0))))
}

fn clear(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (coll, _) = this_map(vm, a.this, "clear", Coll::Map)?;
    table::clear(vm, coll);
    Ok(Value::UNDEFINED)
}

fn size(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (_, store) = this_map(vm, a.this, "size", Coll::Map)?;
    Ok(Value::number(table::live_count(store) as f64))
}

fn get_or_insert_impl(vm: &mut Vm, a: &CallArgs<'_>, tag: Coll) -> JsResult<Value> {
    let (coll, store) = this_map(vm, a.this, "getOrInsert", tag)?;
    let key = table::canonicalize(a.arg(0));
    if let Some(v) = table::get(store, key) {
        return Ok(v);
    }
    table::put(vm, coll, key, a.arg(1));
    Ok(a.arg(1))
}

fn get_or_insert_computed_impl(vm: &mut Vm, a: &CallArgs<'_>, tag: Coll) -> JsResult<Value> {
    let (coll, store) = this_map(vm, a.this, "getOrInsertComputed", tag)?;
    let key = a.arg(0);
    let f = a.arg(1);
    require_callable(vm, f)?;
    let key = table::canonicalize(key);
    if let Some(v) = table::get(store, key) {
        return Ok(v);
    }
    let value = vm.call(f, Value::UNDEFINED, &[key])?;
    table::put(vm, coll, key, value);
    Ok(value)
}

fn get_or_insert(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    get_or_insert_impl(vm, a, Coll::Map)
}
fn get_or_insert_computed(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    get_or_insert_computed_impl(vm, a, Coll::Map)
}

fn for_each(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (coll, _) = this_map(vm, a.this, "forEach", Coll::Map)?;
    let (f, this_arg) = (a.arg(0), a.arg(1));
    require_callable(vm, f)?;
    let mut cur = Cursor::new(coll);
    while let Some((k, v)) = cur.next() {
        vm.call(f, this_arg, &[v, k, a.this])?;
    }
    Ok(Value::UNDEFINED)
}

fn make_iterator(vm: &mut Vm, a: &CallArgs<'_>, kind: IterationKind, method: &str) -> JsResult<Value> {
    let (coll, _) = this_map(vm, a.this, method, Coll::Map)?;
    let store = table::table(coll);
    let proto = vm.realm().intrinsic(Intrinsic::MapIteratorPrototype);
    let it = vm.new_object_with_proto(proto, ObjectKind::CollectionIterator { collection: CollectionKind::Map, table: store.value(), index: 0, kind });
    Ok(it.value())
}

fn keys(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    make_iterator(vm, a, IterationKind::Keys, "keys")
}
fn values(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    make_iterator(vm, a, IterationKind::Values, "values")
}
fn entries(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    make_iterator(vm, a, IterationKind::Entries, "entries")
}

/// The shared `next` of Map and Set iterators.
pub(super) fn collection_iterator_next(vm: &mut Vm, this: Value, which: CollectionKind, name: &str) -> JsResult<Value> {
    let state = JsObject::from_value(this).and_then(|o| match o.kind {
        ObjectKind::CollectionIterator { collection, table, index, kind } if collection == which => Some((o, table, index, kind)),
        _ => None,
    });
    let Some((it, table, index, kind)) = state else {
        let d = describe(vm, this);
        return Err(vm.type_error(&format!("Method {name}.prototype.next called on incompatible receiver {d}")));
    };
    let Some(table) = JsObject::from_value(table) else {
        return Ok(crate::vm::runtime::iteration::iter_result(vm, Value::UNDEFINED, true));
    };
    let mut cur = Cursor { table, index };
    let next = cur.next();
    // SAFETY: a short borrow of the iterator object's kind.
    if let ObjectKind::CollectionIterator { table, index, .. } = &mut unsafe { it.m() }.kind {
        match next {
            Some(_) => {
                *table = cur.table.value();
                *index = cur.index;
            }
            None => *table = Value::UNDEFINED,
        }
    }
    let Some((k, v)) = next else {
        return Ok(crate::vm::runtime::iteration::iter_result(vm, Value::UNDEFINED, true));
    };
    let result = match kind {
        IterationKind::Keys => k,
        IterationKind::Values => v,
        IterationKind::Entries => vm.array_from(&[k, v]).value(),
    };
    Ok(crate::vm::runtime::iteration::iter_result(vm, result, false))
}

fn map_iterator_next(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    collection_iterator_next(vm, a.this, CollectionKind::Map, "Map Iterator")
}

/// Map.groupBy(items, callback).
fn group_by(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (items, f) = (a.arg(0), a.arg(1));
    if items.is_nullish() {
        return Err(vm.type_error("Map.groupBy called on null or undefined"));
    }
    require_callable(vm, f)?;
    let proto = vm.realm().intrinsic(Intrinsic::MapPrototype);
    let kind = table::new_collection_kind(vm, CollectionKind::Map);
    let map = vm.new_object_with_proto(proto, kind);
    let (it, next) = get_iterator(vm, items)?;
    let mut k: u64 = 0;
    loop {
        if k >= crate::vm::runtime::list::MAX_SAFE {
            let e = vm.type_error("Too many elements");
            return Err(close_after_error(vm, it, e));
        }
        let Some(value) = iterator_step(vm, it, next)? else { break };
        let key = match vm.call(f, Value::UNDEFINED, &[value, Value::number(k as f64)]) {
            Ok(key) => table::canonicalize(key),
            Err(e) => return Err(close_after_error(vm, it, e)),
        };
        let store = table::table(map);
        let group = match table::get(store, key) {
            Some(g) => Gc::<JsObject>::from_value(g),
            None => {
                let g = vm.new_array(0);
                table::put(vm, map, key, g.value());
                g
            }
        };
        let len = group.array_length();
        vm.create_data_property_or_throw(group, PropertyKey::Index(len), value)?;
        k += 1;
    }
    Ok(map.value())
}

// ----- WeakMap -----

fn weakmap_ctor(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let m = create_collection(vm, a, "WeakMap", Intrinsic::WeakMapPrototype, Coll::WeakMap)?;
    init_from_iterable(vm, m, a.arg(0), "set")
}

/// The WeakMap or WeakSet (`kind`) `v`, or a TypeError naming the method.
pub(super) fn this_weak(vm: &mut Vm, v: Value, kind: Coll, method: &str) -> JsResult<Gc<JsObject>> {
    match JsObject::from_value(v) {
        Some(o) if matches!((&o.kind, kind), (ObjectKind::WeakMap(_), Coll::WeakMap) | (ObjectKind::WeakSet(_), Coll::WeakSet)) => Ok(o),
        _ => {
            let d = describe(vm, v);
            let name = if kind == Coll::WeakMap { "WeakMap" } else { "WeakSet" };
            Err(vm.type_error(&format!("Method {name}.prototype.{method} called on incompatible receiver {d}")))
        }
    }
}

/// Runs `f` on a WeakMap's or WeakSet's table (never across a JS call).
pub(super) fn with_table<R>(o: Gc<JsObject>, f: impl FnOnce(&mut crate::vm::object::WeakTable) -> R) -> R {
    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
    match &mut unsafe { o.m() }.kind {
        ObjectKind::WeakMap(t) | ObjectKind::WeakSet(t) => f(t),
        _ => unreachable!("checked by this_weak"),
    }
}

fn weak_get(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let m = this_weak(vm, a.this, Coll::WeakMap, "get")?;
    if !can_be_held_weakly(a.arg(0)) {
        return Ok(Value::UNDEFINED);
    }
    Ok(with_table(m, |t| t.get(a.arg(0))).unwrap_or(Value::UNDEFINED))
}

fn weak_has(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let m = this_weak(vm, a.this, Coll::WeakMap, "has")?;
    if !can_be_held_weakly(a.arg(0)) {
        return Ok(Value::FALSE);
    }
    Ok(Value::bool(with_table(m, |t| t.has(a.arg(0)))))
}

fn weak_set(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let m = this_weak(vm, a.this, Coll::WeakMap, "set")?;
    if !can_be_held_weakly(a.arg(0)) {
        let d = describe(vm, a.arg(0));
        return Err(vm.type_error(&format!("Invalid value used as weak map key: {d}")));
    }
    with_table(m, |t| t.set(a.arg(0), a.arg(1)));
    Ok(a.this)
}

fn weak_delete(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let m = this_weak(vm, a.this, Coll::WeakMap, "delete")?;
    if !can_be_held_weakly(a.arg(0)) {
        return Ok(Value::FALSE);
    }
    Ok(Value::bool(with_table(m, |t| t.remove(a.arg(0)))))
}

fn weak_get_or_insert(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let m = this_weak(vm, a.this, Coll::WeakMap, "getOrInsert")?;
    let key = a.arg(0);
    if !can_be_held_weakly(key) {
        return Err(vm.type_error("Invalid value used as weak map key"));
    }
    if let Some(v) = with_table(m, |t| t.get(key)) {
        return Ok(v);
    }
    with_table(m, |t| t.set(key, a.arg(1)));
    Ok(a.arg(1))
}

fn weak_get_or_insert_computed(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let m = this_weak(vm, a.this, Coll::WeakMap, "getOrInsertComputed")?;
    let key = a.arg(0);
    if !can_be_held_weakly(key) {
        return Err(vm.type_error("Invalid value used as weak map key"));
    }
    let f = a.arg(1);
    require_callable(vm, f)?;
    if let Some(v) = with_table(m, |t| t.get(key)) {
        return Ok(v);
    }
    let value = vm.call(f, Value::UNDEFINED, &[key])?;
    with_table(m, |t| t.set(key, value));
    Ok(value)
}
