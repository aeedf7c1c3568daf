//! The Proxy constructor and Proxy.revocable.

use crate::vm::JsResult;
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::{CallArgs, FunctionKind, JsObject, ObjectKind, attrs};
use crate::vm::runtime::realm::Realm;
use crate::vm::value::Value;

pub fn install(vm: &mut Vm, realm: Gc<Realm>) {
    // Proxy has no "prototype" property: proxies take their target's shape of things.
    let c = vm.new_native_function(realm, proxy_ctor, "Proxy", 2, true);
    vm.define_method(c, "revocable", revocable, 2);
    let global = realm.global;
    vm.define_value(global, "Proxy", c.value(), attrs::HIDDEN);
}

fn proxy_ctor(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    if !a.is_construct() {
        return Err(vm.type_error("Constructor Proxy requires 'new'"));
    }
    Ok(vm.proxy_create(a.arg(0), a.arg(1))?.value())
}

fn revocable(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let p = vm.proxy_create(a.arg(0), a.arg(1))?;
    let realm = vm.realm();
    let revoke = vm.new_function_object(realm, FunctionKind::Native { f: revoke_fn, data: p.value() }, "", 0, false);
    let result = vm.new_object();
    let pk = vm.key_from_str("proxy");
    vm.create_data_property_or_throw(result, pk, p.value())?;
    let rk = vm.key_from_str("revoke");
    vm.create_data_property_or_throw(result, rk, revoke.value())?;
    Ok(result.value())
}

/// A revoke function: revokes its proxy once, then forgets it.
fn revoke_fn(_vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let callee = a.callee;
    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
    if let ObjectKind::Function(f) = &mut unsafe { callee.m() }.kind
        && let FunctionKind::Native { data, .. } = &mut f.kind
    {
        if let Some(p) = JsObject::from_value(*data) {
            Vm::proxy_revoke(p);
        }
        *data = Value::NULL;
    }
    Ok(Value::UNDEFINED)
}
