//! The Reflect namespace object.

use crate::vm::JsResult;
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::CallArgs;
use crate::vm::object::{JsObject, NativeFn, PropertyKey, attrs};
use crate::vm::runtime::describe::describe;
use crate::vm::runtime::descriptor::{from_property_descriptor, to_property_descriptor};
use crate::vm::runtime::list::{list_get, list_len, list_push, new_list};
use crate::vm::runtime::realm::Realm;
use crate::vm::value::Value;

pub fn install(vm: &mut Vm, realm: Gc<Realm>) {
    let r = vm.new_object();
    let fns: &[(&str, NativeFn, u32)] = &[
        ("apply", apply, 3),
        ("construct", construct, 2),
        ("defineProperty", define_property, 3),
        ("deleteProperty", delete_property, 2),
        ("get", get, 2),
        ("getOwnPropertyDescriptor", get_own_property_descriptor, 2),
        ("getPrototypeOf", get_prototype_of, 1),
        ("has", has, 2),
        ("isExtensible", is_extensible, 1),
        ("ownKeys", own_keys, 1),
        ("preventExtensions", prevent_extensions, 1),
        ("set", set, 3),
        ("setPrototypeOf", set_prototype_of, 2),
    ];
    for &(name, f, len) in fns {
        vm.define_method(r, name, f, len);
    }
    let tag = vm.symbols.to_string_tag;
    let s = vm.string_value("Reflect");
    r.put_named(&mut vm.heap, PropertyKey::Symbol(tag), s, attrs::CONFIGURABLE);
    vm.define_value(realm.global, "Reflect", r.value(), attrs::HIDDEN);
}

fn target(vm: &mut Vm, v: Value, method: &str) -> JsResult<Gc<JsObject>> {
    match JsObject::from_value(v) {
        Some(o) => Ok(o),
        None => {
            let d = describe(vm, v);
            Err(vm.type_error(&format!("Reflect.{method} called on non-object {d}")))
        }
    }
}

/// CreateListFromArrayLike into a GC-visible list object.
pub(super) fn list_from_array_like_rooted(vm: &mut Vm, v: Value) -> JsResult<Gc<JsObject>> {
    let Some(obj) = JsObject::from_value(v) else {
        return Err(vm.type_error("CreateListFromArrayLike called on non-object"));
    };
    let len = vm.length_of_array_like(obj)?;
    if len > 1 << 24 {
        return Err(vm.range_error("Too many arguments in function call"));
    }
    let list = new_list(vm);
    for i in 0..len {
        let e = vm.get(obj, PropertyKey::Index(i as u32), v)?;
        list_push(list, e);
    }
    Ok(list)
}

/// Runs `f` with the list's values as an argument slice kept rooted.
fn with_args<T>(vm: &mut Vm, list: Gc<JsObject>, f: impl FnOnce(&mut Vm, &[Value]) -> JsResult<T>) -> JsResult<T> {
    let args: Vec<Value> = (0..list_len(list)).map(|i| list_get(list, i)).collect();
    let mark = vm.temp_roots.len();
    vm.temp_roots.extend_from_slice(&args);
    let r = f(vm, &args);
    vm.temp_roots.truncate(mark);
    r
}

fn apply(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let f = a.arg(0);
    if !Vm::is_callable(f) {
        let d = describe(vm, f);
        return Err(vm.type_error(&format!("Reflect.apply target {d} is not a function")));
    }
    let list = list_from_array_like_rooted(vm, a.arg(2))?;
    let this = a.arg(1);
    with_args(vm, list, |vm, args| vm.call(f, this, args))
}

fn construct(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let t = a.arg(0);
    if !Vm::is_constructor(t) {
        let d = describe(vm, t);
        return Err(vm.type_error(&format!("{d} is not a constructor")));
    }
    let nt = if a.args.len() < 3 { t } else { a.arg(2) };
    if !Vm::is_constructor(nt) {
        let d = describe(vm, nt);
        return Err(vm.type_error(&format!("{d} is not a constructor")));
    }
    let list = list_from_array_like_rooted(vm, a.arg(1))?;
    with_args(vm, list, |vm, args| vm.construct(t, args, nt))
}

fn define_property(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let o = target(vm, a.arg(0), "defineProperty")?;
    let key = vm.to_property_key(a.arg(1))?;
    let desc = to_property_descriptor(vm, a.arg(2))?;
    Ok(Value::bool(vm.define_own_property(o, key, desc)?))
}

fn delete_property(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let o = target(vm, a.arg(0), "deleteProperty")?;
    let key = vm.to_property_key(a.arg(1))?;
    Ok(Value::bool(vm.delete_property(o, key)?))
}

fn get(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let o = target(vm, a.arg(0), "get")?;
    let key = vm.to_property_key(a.arg(1))?;
    let receiver = if a.args.len() < 3 { o.value() } else { a.arg(2) };
    vm.get(o, key, receiver)
}

fn get_own_property_descriptor(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let o = target(vm, a.arg(0), "getOwnPropertyDescriptor")?;
    let key = vm.to_property_key(a.arg(1))?;
    let d = vm.own_property(o, key)?;
    Ok(from_property_descriptor(vm, d))
}

fn get_prototype_of(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let o = target(vm, a.arg(0), "getPrototypeOf")?;
    vm.get_prototype_of(o)
}

fn has(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let o = target(vm, a.arg(0), "has")?;
    let key = vm.to_property_key(a.arg(1))?;
    Ok(Value::bool(vm.has_property(o, key)?))
}

fn is_extensible(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let o = target(vm, a.arg(0), "isExtensible")?;
    Ok(Value::bool(vm.is_extensible(o)?))
}

fn own_keys(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let o = target(vm, a.arg(0), "ownKeys")?;
    let keys = vm.own_property_keys(o)?;
    let arr = vm.new_array(0);
    for (i, k) in keys.into_iter().enumerate() {
        let kv = vm.key_to_value(k);
        vm.create_data_property_or_throw(arr, PropertyKey::Index(i as u32), kv)?;
    }
    Ok(arr.value())
}

fn prevent_extensions(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let o = target(vm, a.arg(0), "preventExtensions")?;
    Ok(Value::bool(vm.prevent_extensions(o)?))
}

fn set(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let o = target(vm, a.arg(0), "set")?;
    let key = vm.to_property_key(a.arg(1))?;
    let receiver = if a.args.len() < 4 { o.value() } else { a.arg(3) };
    Ok(Value::bool(vm.set(o, key, a.arg(2), receiver)?))
}

fn set_prototype_of(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let o = target(vm, a.arg(0), "setPrototypeOf")?;
    let proto = a.arg(1);
    if !proto.is_null() && !JsObject::is_object(proto) {
        let d = describe(vm, proto);
        return Err(vm.type_error(&format!("Object prototype may only be an Object or null: {d}")));
    }
    Ok(Value::bool(vm.set_prototype_of(o, proto)?))
}
