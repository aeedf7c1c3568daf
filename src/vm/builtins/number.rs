//! Number and Boolean constructors and prototypes.

use crate::vm::heap::Gc;
use crate::vm::interp::CallArgs;
use crate::vm::isolate::Vm;
use crate::vm::object::{JsObject, ObjectKind};
use crate::vm::runtime::realm::{Intrinsic, Realm};
use crate::vm::value::Value;
use crate::vm::JsResult;

pub fn install(vm: &mut Vm, realm: Gc<Realm>) {
    let c = super::make_constructor(vm, realm, "Number", number_ctor, 1, Intrinsic::NumberPrototype, Intrinsic::Number);
    for (name, v) in [
        ("MAX_SAFE_INTEGER", 9007199254740991.0),
        ("MIN_SAFE_INTEGER", -9007199254740991.0),
        ("MAX_VALUE", f64::MAX),
        ("MIN_VALUE", 5e-324),
        ("EPSILON", f64::EPSILON),
        ("POSITIVE_INFINITY", f64::INFINITY),
        ("NEGATIVE_INFINITY", f64::NEG_INFINITY),
        ("NaN", f64::NAN),
    ] {
        vm.define_value(c, name, Value::number(v), 0);
    }
    let p = realm.proto(Intrinsic::NumberPrototype);
    vm.define_method(p, "toString", number_to_string, 1);
    vm.define_method(p, "valueOf", number_value_of, 0);
    let b = super::make_constructor(vm, realm, "Boolean", boolean_ctor, 1, Intrinsic::BooleanPrototype, Intrinsic::Boolean);
    let _ = b;
    let bp = realm.proto(Intrinsic::BooleanPrototype);
    vm.define_method(bp, "toString", boolean_to_string, 0);
    vm.define_method(bp, "valueOf", boolean_value_of, 0);
}

fn number_ctor(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let n = if a.args.is_empty() { 0.0 } else { vm.to_number(a.arg(0))? };
    if !a.is_construct() {
        return Ok(Value::number(n));
    }
    let proto = vm.prototype_from_constructor(a.new_target, Intrinsic::NumberPrototype)?;
    Ok(vm.new_object_with_proto(proto, ObjectKind::Number(n)).value())
}

/// thisNumberValue.
pub fn this_number(vm: &mut Vm, v: Value, method: &str) -> JsResult<f64> {
    if v.is_number() {
        return Ok(v.as_number());
    }
    if let Some(o) = JsObject::from_value(v) {
        if let ObjectKind::Number(n) = o.kind {
            return Ok(n);
        }
    }
    Err(vm.type_error(&format!("{method} requires that 'this' be a Number")))
}

fn number_value_of(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(Value::number(this_number(vm, a.this, "Number.prototype.valueOf")?))
}

fn number_to_string(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let n = this_number(vm, a.this, "Number.prototype.toString")?;
    let radix = if a.arg(0).is_undefined() { 10.0 } else { vm.to_integer_or_infinity(a.arg(0))? };
    if !(2.0..=36.0).contains(&radix) {
        return Err(vm.range_error("toString() radix must be between 2 and 36"));
    }
    if radix == 10.0 || !n.is_finite() {
        return Ok(vm.number_to_jsstring(n).value());
    }
    let s = radix_string(n, radix as u32);
    Ok(vm.string_value(&s))
}

/// Formats a finite number in `radix` (integer part exact, up to 52 fraction digits).
pub fn radix_string(n: f64, radix: u32) -> String {
    let neg = n < 0.0;
    let mut x = n.abs();
    let mut int = x.trunc();
    x -= int;
    let mut digits = Vec::new();
    if int == 0.0 {
        digits.push('0');
    }
    while int >= 1.0 {
        let d = (int % radix as f64) as u32;
        digits.push(std::char::from_digit(d, radix).unwrap());
        int = (int / radix as f64).trunc();
    }
    digits.reverse();
    let mut s: String = digits.into_iter().collect();
    if x > 0.0 {
        s.push('.');
        let mut count = 0;
        while x > 0.0 && count < 52 {
            x *= radix as f64;
            let d = x.trunc() as u32;
            s.push(std::char::from_digit(d, radix).unwrap());
            x -= d as f64;
            count += 1;
        }
    }
    if neg { format!("-{s}") } else { s }
}

fn boolean_ctor(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let b = Vm::to_boolean(a.arg(0));
    if !a.is_construct() {
        return Ok(Value::bool(b));
    }
    let proto = vm.prototype_from_constructor(a.new_target, Intrinsic::BooleanPrototype)?;
    Ok(vm.new_object_with_proto(proto, ObjectKind::Boolean(b)).value())
}

fn this_boolean(vm: &mut Vm, v: Value) -> JsResult<bool> {
    if v.is_bool() {
        return Ok(v.as_bool());
    }
    if let Some(o) = JsObject::from_value(v) {
        if let ObjectKind::Boolean(b) = o.kind {
            return Ok(b);
        }
    }
    Err(vm.type_error("Boolean.prototype method requires that 'this' be a Boolean"))
}

fn boolean_to_string(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let b = this_boolean(vm, a.this)?;
    Ok(if b { vm.names.true_.value() } else { vm.names.false_.value() })
}

fn boolean_value_of(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(Value::bool(this_boolean(vm, a.this)?))
}
