//! Object constructor, Object.prototype, and property-descriptor conversions.

use crate::vm::JsResult;
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::CallArgs;
use crate::vm::object::{JsObject, JsString, ObjectKind, PropertyKey};
use crate::vm::runtime::PropertyDescriptor;
use crate::vm::runtime::define::make_constructor;
use crate::vm::runtime::descriptor::{from_property_descriptor, to_property_descriptor};
use crate::vm::runtime::realm::{Intrinsic, Realm};
use crate::vm::value::Value;

pub fn install(vm: &mut Vm, realm: Gc<Realm>) {
    let c = make_constructor(vm, realm, "Object", object_ctor, 1, Intrinsic::ObjectPrototype, Intrinsic::Object);
    let statics: &[(&str, crate::vm::object::NativeFn, u32)] = &[
        ("getPrototypeOf", get_prototype_of, 1),
        ("setPrototypeOf", set_prototype_of, 2),
        ("create", create, 2),
        ("defineProperty", define_property, 3),
        ("defineProperties", define_properties, 2),
        ("getOwnPropertyDescriptor", get_own_property_descriptor, 2),
        ("getOwnPropertyDescriptors", get_own_property_descriptors, 1),
        ("getOwnPropertyNames", get_own_property_names, 1),
        ("getOwnPropertySymbols", get_own_property_symbols, 1),
        ("keys", keys, 1),
        ("values", values, 1),
        ("entries", entries, 1),
        ("freeze", freeze, 1),
        ("seal", seal, 1),
        ("preventExtensions", prevent_extensions, 1),
        ("isFrozen", is_frozen, 1),
        ("isSealed", is_sealed, 1),
        ("isExtensible", is_extensible, 1),
        ("assign", assign, 2),
        ("is", is, 2),
        ("hasOwn", has_own, 2),
        ("fromEntries", from_entries, 1),
        ("groupBy", group_by, 2),
    ];
    for &(name, f, len) in statics {
        vm.define_method(c, name, f, len);
    }
    let p = realm.proto(Intrinsic::ObjectPrototype);
    let methods: &[(&str, crate::vm::object::NativeFn, u32)] = &[
        ("hasOwnProperty", has_own_property, 1),
        ("isPrototypeOf", is_prototype_of, 1),
        ("propertyIsEnumerable", property_is_enumerable, 1),
        ("toString", to_string, 0),
        ("toLocaleString", to_locale_string, 0),
        ("valueOf", value_of, 0),
        ("__defineGetter__", define_getter, 2),
        ("__defineSetter__", define_setter, 2),
        ("__lookupGetter__", lookup_getter, 1),
        ("__lookupSetter__", lookup_setter, 1),
    ];
    for &(name, f, len) in methods {
        let m = vm.define_method(p, name, f, len);
        if name == "toString" {
            // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
            (unsafe { realm.m() }).intrinsics[Intrinsic::ObjectProtoToString as usize] = m.value();
        }
    }
    let key = PropertyKey::Atom(vm.names.proto);
    vm.define_accessor(p, key, Some(proto_getter), Some(proto_setter), "__proto__");
}

fn object_ctor(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    if a.is_construct() && a.new_target != a.callee.value() {
        let proto = vm.prototype_from_constructor(a.new_target, Intrinsic::ObjectPrototype)?;
        return Ok(vm.new_object_with_proto(proto, ObjectKind::Ordinary).value());
    }
    let v = a.arg(0);
    if v.is_nullish() {
        return Ok(vm.new_object().value());
    }
    Ok(vm.to_object(v)?.value())
}

fn require_object(vm: &mut Vm, v: Value, what: &str) -> JsResult<Gc<JsObject>> {
    JsObject::from_value(v).ok_or_else(|| vm.type_error(&format!("{what} called on non-object")))
}

fn get_prototype_of(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let o = vm.to_object(a.arg(0))?;
    vm.get_prototype_of(o)
}

fn set_prototype_of(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, proto) = (a.arg(0), a.arg(1));
    if o.is_nullish() {
        return Err(vm.type_error("Object.setPrototypeOf called on null or undefined"));
    }
    if !proto.is_null() && !JsObject::is_object(proto) {
        let d = vm.display_string(proto);
        return Err(vm.type_error(&format!("Object prototype may only be an Object or null: {d}")));
    }
    if let Some(obj) = JsObject::from_value(o)
        && !vm.set_prototype_of(obj, proto)?
    {
        return Err(vm.type_error("Cyclic __proto__ value or object is not extensible"));
    }
    Ok(o)
}

fn create(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let proto = a.arg(0);
    if !proto.is_null() && !JsObject::is_object(proto) {
        let d = vm.display_string(proto);
        return Err(vm.type_error(&format!("Object prototype may only be an Object or null: {d}")));
    }
    let o = vm.new_object_with_proto(proto, ObjectKind::Ordinary);
    if !a.arg(1).is_undefined() {
        object_define_properties(vm, o, a.arg(1))?;
    }
    Ok(o.value())
}

fn define_property(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let o = require_object(vm, a.arg(0), "Object.defineProperty")?;
    let key = vm.to_property_key(a.arg(1))?;
    let desc = to_property_descriptor(vm, a.arg(2))?;
    vm.define_property_or_throw(o, key, desc)?;
    Ok(o.value())
}

pub fn object_define_properties(vm: &mut Vm, o: Gc<JsObject>, props: Value) -> JsResult<()> {
    let p = vm.to_object(props)?;
    // The keys and the descriptor objects stay rooted while later getters run.
    vm.with_own_keys(p, |vm, keys| {
        let mut descs = Vec::new();
        for &key in keys {
            if let Some(own) = vm.own_property(p, key)?
                && own.enumerable == Some(true)
            {
                let dv = vm.get(p, key, p.value())?;
                vm.temp_roots.push(dv);
                descs.push((key, to_property_descriptor(vm, dv)?));
            }
        }
        for (key, d) in descs {
            vm.define_property_or_throw(o, key, d)?;
        }
        Ok(())
    })
}

fn define_properties(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let o = require_object(vm, a.arg(0), "Object.defineProperties")?;
    object_define_properties(vm, o, a.arg(1))?;
    Ok(o.value())
}

fn get_own_property_descriptor(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let o = vm.to_object(a.arg(0))?;
    let key = vm.to_property_key(a.arg(1))?;
    let d = vm.own_property(o, key)?;
    Ok(from_property_descriptor(vm, d))
}

fn get_own_property_descriptors(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let o = vm.to_object(a.arg(0))?;
    let out = vm.new_object();
    for key in vm.own_property_keys(o)? {
        let d = vm.own_property(o, key)?;
        let dv = from_property_descriptor(vm, d);
        if !dv.is_undefined() {
            vm.create_data_property_or_throw(out, key, dv)?;
        }
    }
    Ok(out.value())
}

fn own_keys_filtered(vm: &mut Vm, v: Value, symbols: bool) -> JsResult<Value> {
    let o = vm.to_object(v)?;
    let keys = vm.own_property_keys(o)?;
    let arr = vm.new_array(0);
    let mut i = 0;
    for k in keys {
        vm.poll_long_operation()?;
        if k.is_symbol() == symbols {
            let kv = vm.key_to_value(k);
            vm.create_data_property_or_throw(arr, PropertyKey::Index(i), kv)?;
            i += 1;
        }
    }
    Ok(arr.value())
}

fn get_own_property_names(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    own_keys_filtered(vm, a.arg(0), false)
}
fn get_own_property_symbols(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    own_keys_filtered(vm, a.arg(0), true)
}

#[derive(Clone, Copy)]
enum EnumKind {
    Keys,
    Values,
    Entries,
}

fn enumerable_own(vm: &mut Vm, v: Value, kind: EnumKind) -> JsResult<Value> {
    let o = vm.to_object(v)?;
    let arr = vm.new_array(0);
    let mut i = 0;
    vm.with_own_keys(o, |vm, keys| {
        for &k in keys {
            vm.poll_long_operation()?;
            if k.is_symbol() {
                continue;
            }
            let Some(p) = vm.own_property(o, k)? else { continue };
            if p.enumerable != Some(true) {
                continue;
            }
            let kv = vm.key_to_value(k);
            let item = match kind {
                EnumKind::Keys => kv,
                EnumKind::Values => vm.get(o, k, o.value())?,
                EnumKind::Entries => {
                    let val = vm.get(o, k, o.value())?;
                    vm.array_from(&[kv, val]).value()
                }
            };
            vm.create_data_property_or_throw(arr, PropertyKey::Index(i), item)?;
            i += 1;
        }
        Ok(arr.value())
    })
}

fn keys(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    enumerable_own(vm, a.arg(0), EnumKind::Keys)
}
fn values(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    enumerable_own(vm, a.arg(0), EnumKind::Values)
}
fn entries(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    enumerable_own(vm, a.arg(0), EnumKind::Entries)
}

/// SetIntegrityLevel (frozen when `freeze`, else sealed).
pub fn set_integrity_level(vm: &mut Vm, o: Gc<JsObject>, freeze: bool) -> JsResult<bool> {
    if !vm.prevent_extensions(o)? {
        return Ok(false);
    }
    for k in vm.own_property_keys(o)? {
        let desc = if freeze {
            match vm.own_property(o, k)? {
                Some(p) if !p.is_accessor() => PropertyDescriptor { configurable: Some(false), writable: Some(false), ..Default::default() },
                Some(_) => PropertyDescriptor { configurable: Some(false), ..Default::default() },
                None => continue,
            }
        } else {
            PropertyDescriptor { configurable: Some(false), ..Default::default() }
        };
        vm.define_property_or_throw(o, k, desc)?;
    }
    Ok(true)
}

fn test_integrity_level(vm: &mut Vm, o: Gc<JsObject>, frozen: bool) -> JsResult<bool> {
    if vm.is_extensible(o)? {
        return Ok(false);
    }
    for k in vm.own_property_keys(o)? {
        if let Some(p) = vm.own_property(o, k)? {
            if p.configurable == Some(true) {
                return Ok(false);
            }
            if frozen && p.is_data() && p.writable == Some(true) {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

fn freeze(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    if let Some(o) = JsObject::from_value(a.arg(0))
        && !set_integrity_level(vm, o, true)?
    {
        return Err(vm.type_error("Cannot freeze"));
    }
    Ok(a.arg(0))
}
fn seal(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    if let Some(o) = JsObject::from_value(a.arg(0))
        && !set_integrity_level(vm, o, false)?
    {
        return Err(vm.type_error("Cannot seal"));
    }
    Ok(a.arg(0))
}
fn prevent_extensions(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    if let Some(o) = JsObject::from_value(a.arg(0))
        && !vm.prevent_extensions(o)?
    {
        return Err(vm.type_error("Cannot prevent extensions"));
    }
    Ok(a.arg(0))
}
fn is_frozen(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    match JsObject::from_value(a.arg(0)) {
        Some(o) => Ok(Value::bool(test_integrity_level(vm, o, true)?)),
        None => Ok(Value::TRUE),
    }
}
fn is_sealed(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    match JsObject::from_value(a.arg(0)) {
        Some(o) => Ok(Value::bool(test_integrity_level(vm, o, false)?)),
        None => Ok(Value::TRUE),
    }
}
fn is_extensible(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    match JsObject::from_value(a.arg(0)) {
        Some(o) => Ok(Value::bool(vm.is_extensible(o)?)),
        None => Ok(Value::FALSE),
    }
}

fn assign(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let to = vm.to_object(a.arg(0))?;
    for &src in a.args.iter().skip(1) {
        if src.is_nullish() {
            continue;
        }
        let from = vm.to_object(src)?;
        vm.with_own_keys(from, |vm, keys| {
            for &k in keys {
                if let Some(p) = vm.own_property(from, k)?
                    && p.enumerable == Some(true)
                {
                    let v = vm.get(from, k, from.value())?;
                    vm.put_v(to.value(), k, v, true)?;
                }
            }
            Ok(())
        })?;
    }
    Ok(to.value())
}

fn is(_vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(Value::bool(Vm::same_value(a.arg(0), a.arg(1))))
}

fn has_own(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let o = vm.to_object(a.arg(0))?;
    let k = vm.to_property_key(a.arg(1))?;
    Ok(Value::bool(vm.own_property(o, k)?.is_some()))
}

fn from_entries(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let iterable = a.arg(0);
    if iterable.is_nullish() {
        return Err(vm.type_error("Object.fromEntries requires an iterable"));
    }
    let out = vm.new_object();
    let (it, next) = crate::vm::runtime::iteration::get_iterator(vm, iterable)?;
    while let Some(entry) = crate::vm::runtime::iteration::iterator_step(vm, it, next)? {
        let Some(e) = JsObject::from_value(entry) else {
            let _ = crate::vm::runtime::iteration::iterator_close(vm, it);
            return Err(vm.type_error("Iterator value is not an entry object"));
        };
        let k = vm.get(e, PropertyKey::Index(0), entry)?;
        let v = vm.get(e, PropertyKey::Index(1), entry)?;
        let pk = vm.to_property_key(k)?;
        vm.create_data_property_or_throw(out, pk, v)?;
    }
    Ok(out.value())
}

fn has_own_property(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let k = vm.to_property_key(a.arg(0))?;
    let o = vm.to_object(a.this)?;
    Ok(Value::bool(vm.own_property(o, k)?.is_some()))
}

fn is_prototype_of(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let Some(mut v) = JsObject::from_value(a.arg(0)) else { return Ok(Value::FALSE) };
    let o = vm.to_object(a.this)?;
    loop {
        match JsObject::from_value(vm.get_prototype_of(v)?) {
            None => return Ok(Value::FALSE),
            Some(p) if p == o => return Ok(Value::TRUE),
            Some(p) => v = p,
        }
    }
}

fn property_is_enumerable(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let k = vm.to_property_key(a.arg(0))?;
    let o = vm.to_object(a.this)?;
    Ok(Value::bool(vm.own_property(o, k)?.is_some_and(|p| p.enumerable == Some(true))))
}

/// Object.prototype.toString.
fn to_string(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let t = a.this;
    if t.is_undefined() {
        return Ok(vm.string_value("[object Undefined]"));
    }
    if t.is_null() {
        return Ok(vm.string_value("[object Null]"));
    }
    let o = vm.to_object(t)?;
    let builtin = match &o.kind {
        ObjectKind::Array { .. } => "Array",
        ObjectKind::Function(_) => "Function",
        ObjectKind::Error => "Error",
        ObjectKind::Boolean(_) => "Boolean",
        ObjectKind::Number(_) => "Number",
        ObjectKind::String(_) => "String",
        ObjectKind::Date(_) => "Date",
        ObjectKind::Arguments => "Arguments",
        ObjectKind::RegExp(_) => "RegExp",
        ObjectKind::Proxy(_) if vm.is_array_value(o.value())? => "Array",
        ObjectKind::Proxy(p) if p.callable => "Function",
        _ => "Object",
    };
    let key = PropertyKey::Symbol(vm.symbols.to_string_tag);
    let tag = vm.get(o, key, o.value())?;
    let name = match Gc::<JsString>::try_from_value(tag) {
        Some(s) => s.to_rust_string(),
        None => builtin.to_string(),
    };
    Ok(vm.string_value(&format!("[object {name}]")))
}

fn to_locale_string(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let key = PropertyKey::Atom(vm.names.to_string);
    let f = vm.get_v(a.this, key)?;
    vm.call(f, a.this, &[])
}

fn value_of(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(vm.to_object(a.this)?.value())
}

fn proto_getter(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let o = vm.to_object(a.this)?;
    vm.get_prototype_of(o)
}

fn proto_setter(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    if a.this.is_nullish() {
        return Err(vm.type_error("Object.prototype.__proto__ called on null or undefined"));
    }
    let proto = a.arg(0);
    if !proto.is_null() && !JsObject::is_object(proto) {
        return Ok(Value::UNDEFINED);
    }
    if let Some(o) = JsObject::from_value(a.this)
        && !vm.set_prototype_of(o, proto)?
    {
        return Err(vm.type_error("Cyclic __proto__ value"));
    }
    Ok(Value::UNDEFINED)
}

// ----- Annex B legacy accessor methods (B.2.2.2 - B.2.2.5) -----

/// __defineGetter__ / __defineSetter__: an enumerable, configurable accessor half.
fn define_legacy_accessor(vm: &mut Vm, a: &CallArgs<'_>, getter: bool) -> JsResult<Value> {
    let o = vm.to_object(a.this)?;
    let f = a.arg(1);
    if !Vm::is_callable(f) {
        let which = if getter { "Getter" } else { "Setter" };
        return Err(vm.type_error(&format!("Object.prototype.__define{which}__: Expecting function")));
    }
    let key = vm.to_property_key(a.arg(0))?;
    let desc = PropertyDescriptor {
        get: if getter { Some(f) } else { None },
        set: if getter { None } else { Some(f) },
        enumerable: Some(true),
        configurable: Some(true),
        ..Default::default()
    };
    vm.define_property_or_throw(o, key, desc)?;
    Ok(Value::UNDEFINED)
}

fn define_getter(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    define_legacy_accessor(vm, a, true)
}
fn define_setter(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    define_legacy_accessor(vm, a, false)
}

/// __lookupGetter__ / __lookupSetter__: the accessor half found along the prototype chain.
fn lookup_legacy_accessor(vm: &mut Vm, a: &CallArgs<'_>, getter: bool) -> JsResult<Value> {
    let mut o = vm.to_object(a.this)?;
    let key = vm.to_property_key(a.arg(0))?;
    loop {
        if let Some(d) = vm.own_property(o, key)? {
            let half = if getter { d.get } else { d.set };
            return Ok(half.unwrap_or(Value::UNDEFINED));
        }
        match JsObject::from_value(vm.get_prototype_of(o)?) {
            Some(p) => o = p,
            None => return Ok(Value::UNDEFINED),
        }
    }
}

fn lookup_getter(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    lookup_legacy_accessor(vm, a, true)
}
fn lookup_setter(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    lookup_legacy_accessor(vm, a, false)
}

/// Object.groupBy(items, callback): a null-prototype object of arrays keyed by
/// ToPropertyKey(callback(value, index)), in order of first appearance.
fn group_by(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (items, f) = (a.arg(0), a.arg(1));
    if items.is_nullish() {
        return Err(vm.type_error("Object.groupBy called on null or undefined"));
    }
    if !Vm::is_callable(f) {
        let d = vm.display_string(f);
        return Err(vm.type_error(&format!("{d} is not a function")));
    }
    let groups = vm.new_object_with_proto(Value::NULL, ObjectKind::Ordinary);
    let (it, next) = crate::vm::runtime::iteration::get_iterator(vm, items)?;
    let mut k: u64 = 0;
    while let Some(value) = crate::vm::runtime::iteration::iterator_step(vm, it, next)? {
        let key = match vm.call(f, Value::UNDEFINED, &[value, Value::number(k as f64)]).and_then(|r| vm.to_property_key(r)) {
            Ok(key) => key,
            Err(e) => {
                // IteratorClose with a throw completion: the original error wins.
                let _ = crate::vm::runtime::iteration::iterator_close(vm, it);
                return Err(e);
            }
        };
        let group = match vm.get_own_property(groups, key) {
            Some(p) => Gc::<JsObject>::from_value(p.value),
            None => {
                let g = vm.new_array(0);
                vm.create_data_property_or_throw(groups, key, g.value())?;
                g
            }
        };
        let len = group.array_length();
        vm.create_data_property_or_throw(group, PropertyKey::Index(len), value)?;
        k += 1;
    }
    Ok(groups.value())
}
