//! Error and the native error constructors (message, cause, V8-style `stack`).

use crate::vm::JsResult;
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::CallArgs;
use crate::vm::object::{JsObject, ObjectKind, PropertyKey, attrs};
use crate::vm::runtime::ErrorType;
use crate::vm::runtime::realm::{Intrinsic, Realm};
use crate::vm::value::Value;

const NATIVE: [(&str, ErrorType, Intrinsic, Intrinsic); 6] = [
    ("TypeError", ErrorType::TypeError, Intrinsic::TypeErrorPrototype, Intrinsic::TypeError),
    ("RangeError", ErrorType::RangeError, Intrinsic::RangeErrorPrototype, Intrinsic::RangeError),
    ("SyntaxError", ErrorType::SyntaxError, Intrinsic::SyntaxErrorPrototype, Intrinsic::SyntaxError),
    ("ReferenceError", ErrorType::ReferenceError, Intrinsic::ReferenceErrorPrototype, Intrinsic::ReferenceError),
    ("EvalError", ErrorType::EvalError, Intrinsic::EvalErrorPrototype, Intrinsic::EvalError),
    ("URIError", ErrorType::UriError, Intrinsic::UriErrorPrototype, Intrinsic::UriError),
];

pub fn install(vm: &mut Vm, realm: Gc<Realm>) {
    let error = crate::vm::runtime::define::make_constructor(vm, realm, "Error", error_ctor, 1, Intrinsic::ErrorPrototype, Intrinsic::Error);
    let p = realm.proto(Intrinsic::ErrorPrototype);
    let name = vm.string_value("Error");
    vm.define_value(p, "name", name, attrs::HIDDEN);
    let empty = vm.names.empty.value();
    vm.define_value(p, "message", empty, attrs::HIDDEN);
    vm.define_method(p, "toString", error_to_string, 0);
    vm.define_method(error, "captureStackTrace", capture_stack_trace, 1);
    install_error_constructors(vm, realm, error);

    // AggregateError(errors, message, options).
    let parent = realm.intrinsic(Intrinsic::ErrorPrototype);
    let proto = vm.new_object_with_proto(parent, ObjectKind::Ordinary);
    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
    (unsafe { realm.m() }).intrinsics[Intrinsic::AggregateErrorPrototype as usize] = proto.value();
    let c = crate::vm::runtime::define::make_constructor(
        vm,
        realm,
        "AggregateError",
        aggregate_error_ctor,
        2,
        Intrinsic::AggregateErrorPrototype,
        Intrinsic::AggregateError,
    );
    c.set_proto_raw(&mut vm.heap, error.value(), vm.null_root_shape);
    let n = vm.string_value("AggregateError");
    vm.define_value(proto, "name", n, attrs::HIDDEN);
    let empty = vm.names.empty.value();
    vm.define_value(proto, "message", empty, attrs::HIDDEN);
}

/// The six native error constructors, inheriting from Error.
pub fn install_error_constructors(vm: &mut Vm, realm: Gc<Realm>, error: Gc<JsObject>) {
    for (name, _, proto_slot, ctor_slot) in NATIVE {
        let parent = realm.intrinsic(Intrinsic::ErrorPrototype);
        let proto = vm.new_object_with_proto(parent, ObjectKind::Ordinary);
        // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
        (unsafe { realm.m() }).intrinsics[proto_slot as usize] = proto.value();
        let c = crate::vm::runtime::define::make_constructor(vm, realm, name, native_error_ctor, 1, proto_slot, ctor_slot);
        c.set_proto_raw(&mut vm.heap, error.value(), vm.null_root_shape);
        let n = vm.string_value(name);
        vm.define_value(proto, "name", n, attrs::HIDDEN);
        let empty = vm.names.empty.value();
        vm.define_value(proto, "message", empty, attrs::HIDDEN);
    }
}

/// The common part of the error constructors: the object from new.target,
/// `message` from argument `first` and `cause` from the options after it.
fn construct_error(vm: &mut Vm, a: &CallArgs<'_>, default_proto: Intrinsic) -> JsResult<Value> {
    construct_error_from(vm, a, default_proto, 0)
}

fn construct_error_from(vm: &mut Vm, a: &CallArgs<'_>, default_proto: Intrinsic, first: usize) -> JsResult<Value> {
    let nt = if a.is_construct() { a.new_target } else { a.callee.value() };
    let proto = vm.prototype_from_constructor(nt, default_proto)?;
    let obj = vm.new_object_with_proto(proto, ObjectKind::Error);
    let msg = a.arg(first);
    if !msg.is_undefined() {
        let s = vm.to_string(msg)?;
        let key = PropertyKey::Atom(vm.names.message);
        obj.put_named(&mut vm.heap, key, s.value(), attrs::HIDDEN);
    }
    let options = a.arg(first + 1);
    if let Some(o) = JsObject::from_value(options) {
        let ckey = PropertyKey::Atom(vm.names.cause);
        if vm.has_property(o, ckey)? {
            let cause = vm.get(o, ckey, options)?;
            obj.put_named(&mut vm.heap, ckey, cause, attrs::HIDDEN);
        }
    }
    vm.attach_stack(obj);
    Ok(obj.value())
}

/// AggregateError: the error, then `errors` = IterableToList(errors) as an array.
fn aggregate_error_ctor(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let e = construct_error_from(vm, a, Intrinsic::AggregateErrorPrototype, 1)?;
    vm.temp_roots.push(e);
    let list = vm.new_array(0);
    vm.temp_roots.push(list.value());
    let r = crate::vm::runtime::iteration::array_spread(vm, list.value(), a.arg(0));
    vm.temp_roots.truncate(vm.temp_roots.len() - 2);
    r?;
    let key = PropertyKey::Atom(vm.names.errors);
    Gc::<JsObject>::from_value(e).put_named(&mut vm.heap, key, list.value(), attrs::HIDDEN);
    Ok(e)
}

fn error_ctor(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    construct_error(vm, a, Intrinsic::ErrorPrototype)
}

fn native_error_ctor(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let realm = a.callee.function().unwrap().realm;
    let slot = NATIVE.iter().find(|n| realm.intrinsic(n.3) == a.callee.value()).map_or(Intrinsic::ErrorPrototype, |n| n.2);
    construct_error(vm, a, slot)
}

fn error_to_string(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let Some(o) = JsObject::from_value(a.this) else {
        return Err(vm.type_error("Error.prototype.toString called on non-object"));
    };
    let nkey = PropertyKey::Atom(vm.names.name);
    let name = vm.get(o, nkey, a.this)?;
    let name = if name.is_undefined() { "Error".to_string() } else { vm.to_string(name)?.to_rust_string() };
    let mkey = PropertyKey::Atom(vm.names.message);
    let msg = vm.get(o, mkey, a.this)?;
    let msg = if msg.is_undefined() { String::new() } else { vm.to_string(msg)?.to_rust_string() };
    let s = match (name.is_empty(), msg.is_empty()) {
        (true, _) => msg,
        (_, true) => name,
        _ => format!("{name}: {msg}"),
    };
    Ok(vm.string_value(&s))
}

fn capture_stack_trace(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let Some(o) = JsObject::from_value(a.arg(0)) else {
        return Err(vm.type_error("Invalid argument"));
    };
    vm.attach_stack(o);
    Ok(Value::UNDEFINED)
}
