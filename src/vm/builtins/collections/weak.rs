//! WeakRef and FinalizationRegistry.
//!
//! A WeakRef's target is a weak edge: after a collection in which the target
//! died, `deref()` returns undefined. Creating a WeakRef and `deref()` keep
//! the target alive until the current job ends (AddToKeptObjects). A
//! FinalizationRegistry holds its targets weakly; the collector empties the
//! cells of dead targets and queues a cleanup job that calls the callback
//! with each held value (see `runtime/jobs.rs`).

use super::map::{can_be_held_weakly, set_tag};
use crate::vm::JsResult;
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::CallArgs;
use crate::vm::object::{FunctionKind, JsObject, NativeFn, ObjectKind, PropertyKey, RegistryCell, RegistryData};
use crate::vm::runtime::describe::describe;
use crate::vm::runtime::realm::{Realm, function_realm};
use crate::vm::value::Value;

pub fn install(vm: &mut Vm, realm: Gc<Realm>) {
    let op = realm.intrinsic(crate::vm::runtime::realm::Intrinsic::ObjectPrototype);
    let wp = vm.new_object_with_proto(op, ObjectKind::Ordinary);
    constructor(vm, realm, "WeakRef", weakref_ctor, wp);
    vm.define_method(wp, "deref", deref, 0);
    set_tag(vm, wp, "WeakRef");

    let fp = vm.new_object_with_proto(op, ObjectKind::Ordinary);
    constructor(vm, realm, "FinalizationRegistry", registry_ctor, fp);
    let methods: &[(&str, NativeFn, u32)] = &[("register", register, 2), ("unregister", unregister, 1)];
    for &(name, f, len) in methods {
        vm.define_method(fp, name, f, len);
    }
    set_tag(vm, fp, "FinalizationRegistry");
}

/// A constructor whose native data slot holds its realm's prototype object.
fn constructor(vm: &mut Vm, realm: Gc<Realm>, name: &str, f: NativeFn, proto: Gc<JsObject>) -> Gc<JsObject> {
    let c = vm.new_function_object(realm, FunctionKind::Native { f, data: proto.value() }, name, 1, true);
    super::map::link_constructor(vm, realm, c, proto, name);
    c
}

/// GetPrototypeFromConstructor for constructors without an intrinsic slot:
/// new_target.prototype, else the same-named constructor's prototype in
/// new_target's realm (found through that realm's global), else ours.
fn proto_from_ctor(vm: &mut Vm, a: &CallArgs<'_>, name: &str) -> JsResult<Value> {
    let own = match &a.callee.kind {
        ObjectKind::Function(fd) => match &fd.kind {
            FunctionKind::Native { data, .. } => *data,
            _ => Value::NULL,
        },
        _ => Value::NULL,
    };
    let nt = a.new_target;
    let Some(nto) = JsObject::from_value(nt) else { return Ok(own) };
    let pkey = PropertyKey::Atom(vm.names.prototype);
    let p = vm.get(nto, pkey, nt)?;
    if JsObject::is_object(p) {
        return Ok(p);
    }
    let Some(realm) = function_realm(nt) else { return Ok(own) };
    let key = vm.key_from_str(name);
    let other = realm.global.get_own_named(key).filter(|p| !p.is_accessor()).map(|p| p.value);
    if let Some(co) = other.and_then(JsObject::from_value)
        && let ObjectKind::Function(fd) = &co.kind
        && let FunctionKind::Native { data, .. } = &fd.kind
        && JsObject::is_object(*data)
    {
        return Ok(*data);
    }
    Ok(own)
}

fn weakref_ctor(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    if !a.is_construct() {
        return Err(vm.type_error("Constructor WeakRef requires 'new'"));
    }
    let target = a.arg(0);
    if !can_be_held_weakly(target) {
        let d = describe(vm, target);
        return Err(vm.type_error(&format!("WeakRef: invalid target {d}")));
    }
    let proto = proto_from_ctor(vm, a, "WeakRef")?;
    vm.add_to_kept_objects(target);
    let o = vm.new_object_with_proto(proto, ObjectKind::WeakRef { target });
    Ok(o.value())
}

fn deref(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    if let Some(o) = JsObject::from_value(a.this)
        && let ObjectKind::WeakRef { target } = o.kind
    {
        if !target.is_undefined() {
            vm.add_to_kept_objects(target);
        }
        return Ok(target);
    }
    let d = describe(vm, a.this);
    Err(vm.type_error(&format!("Method WeakRef.prototype.deref called on incompatible receiver {d}")))
}

fn registry_ctor(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    if !a.is_construct() {
        return Err(vm.type_error("Constructor FinalizationRegistry requires 'new'"));
    }
    let cleanup = a.arg(0);
    if !Vm::is_callable(cleanup) {
        let d = describe(vm, cleanup);
        return Err(vm.type_error(&format!("FinalizationRegistry: cleanup must be callable, got {d}")));
    }
    let proto = proto_from_ctor(vm, a, "FinalizationRegistry")?;
    let o = vm.new_object_with_proto(proto, ObjectKind::FinalizationRegistry(Box::new(RegistryData::new(cleanup))));
    Ok(o.value())
}

fn this_registry(vm: &mut Vm, v: Value, method: &str) -> JsResult<Gc<JsObject>> {
    if let Some(o) = JsObject::from_value(v)
        && let ObjectKind::FinalizationRegistry(_) = &o.kind
    {
        return Ok(o);
    }
    let d = describe(vm, v);
    Err(vm.type_error(&format!("Method FinalizationRegistry.prototype.{method} called on incompatible receiver {d}")))
}

fn register(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let r = this_registry(vm, a.this, "register")?;
    let (target, held, token) = (a.arg(0), a.arg(1), a.arg(2));
    if !can_be_held_weakly(target) {
        let d = describe(vm, target);
        return Err(vm.type_error(&format!("FinalizationRegistry.prototype.register: invalid target {d}")));
    }
    if Vm::same_value(target, held) {
        return Err(vm.type_error("FinalizationRegistry.prototype.register: target and holdings must not be same"));
    }
    if !can_be_held_weakly(token) && !token.is_undefined() {
        let d = describe(vm, token);
        return Err(vm.type_error(&format!("FinalizationRegistry.prototype.register: invalid unregister token {d}")));
    }
    let token = if token.is_undefined() { Value::EMPTY } else { token };
    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
    if let ObjectKind::FinalizationRegistry(data) = &mut unsafe { r.m() }.kind {
        data.cells.push(RegistryCell { target, held, token });
    }
    Ok(Value::UNDEFINED)
}

fn unregister(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let r = this_registry(vm, a.this, "unregister")?;
    let token = a.arg(0);
    if !can_be_held_weakly(token) {
        let d = describe(vm, token);
        return Err(vm.type_error(&format!("Invalid unregisterToken ('{d}')")));
    }
    let mut removed = false;
    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
    if let ObjectKind::FinalizationRegistry(data) = &mut unsafe { r.m() }.kind {
        let before = data.cells.len();
        data.cells.retain(|c| !(c.token != Value::EMPTY && Vm::same_value(c.token, token)));
        removed = data.cells.len() != before;
    }
    Ok(Value::bool(removed))
}
