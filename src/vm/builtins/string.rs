//! String constructor and String.prototype.

use crate::vm::heap::Gc;
use crate::vm::interp::CallArgs;
use crate::vm::isolate::Vm;
use crate::vm::object::{JsObject, JsString, ObjectKind, Symbol};
use crate::vm::runtime::realm::{Intrinsic, Realm};
use crate::vm::value::Value;
use crate::vm::JsResult;

pub fn install(vm: &mut Vm, realm: Gc<Realm>) {
    let c = super::make_constructor(vm, realm, "String", string_ctor, 1, Intrinsic::StringPrototype, Intrinsic::String);
    vm.define_method(c, "fromCharCode", from_char_code, 1);
    let p = realm.proto(Intrinsic::StringPrototype);
    vm.define_method(p, "toString", value_of, 0);
    vm.define_method(p, "valueOf", value_of, 0);
    vm.define_method(p, "charAt", char_at, 1);
    vm.define_method(p, "charCodeAt", char_code_at, 1);
}

fn string_ctor(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let s = if a.args.is_empty() {
        vm.names.empty
    } else if !a.is_construct() && Gc::<Symbol>::try_from_value(a.arg(0)).is_some() {
        let d = vm.display_string(a.arg(0));
        vm.string(&d)
    } else {
        vm.to_string(a.arg(0))?
    };
    if !a.is_construct() {
        return Ok(s.value());
    }
    let proto = vm.prototype_from_constructor(a.new_target, Intrinsic::StringPrototype)?;
    Ok(vm.new_object_with_proto(proto, ObjectKind::String(s)).value())
}

/// thisStringValue.
pub fn this_string(vm: &mut Vm, v: Value, method: &str) -> JsResult<Gc<JsString>> {
    if let Some(s) = Gc::<JsString>::try_from_value(v) {
        return Ok(s);
    }
    if let Some(o) = JsObject::from_value(v) {
        if let ObjectKind::String(s) = o.kind {
            return Ok(s);
        }
    }
    Err(vm.type_error(&format!("{method} requires that 'this' be a String")))
}

/// RequireObjectCoercible(this) + ToString.
pub fn coerce_this(vm: &mut Vm, v: Value, method: &str) -> JsResult<Gc<JsString>> {
    if v.is_nullish() {
        return Err(vm.type_error(&format!("String.prototype.{method} called on null or undefined")));
    }
    vm.to_string(v)
}

fn value_of(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(this_string(vm, a.this, "String.prototype.valueOf")?.value())
}

fn from_char_code(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let mut units = Vec::with_capacity(a.args.len());
    for &v in a.args {
        units.push(vm.to_uint32(v)? as u16);
    }
    Ok(JsString::from_units(&mut vm.heap, &units).value())
}

fn char_at(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let s = coerce_this(vm, a.this, "charAt")?;
    let i = vm.to_integer_or_infinity(a.arg(0))?;
    if i < 0.0 || i >= s.len() as f64 {
        return Ok(vm.names.empty.value());
    }
    let u = s.unit_at_any(i as usize);
    Ok(JsString::from_units(&mut vm.heap, &[u]).value())
}

fn char_code_at(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let s = coerce_this(vm, a.this, "charCodeAt")?;
    let i = vm.to_integer_or_infinity(a.arg(0))?;
    if i < 0.0 || i >= s.len() as f64 {
        return Ok(Value::double(f64::NAN));
    }
    Ok(Value::int(s.unit_at_any(i as usize) as i32))
}
