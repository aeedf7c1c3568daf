//! The BigInt constructor (callable only), asIntN / asUintN, and
//! BigInt.prototype (toString with a radix, toLocaleString, valueOf).

use crate::vm::JsResult;
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::{CallArgs, JsBigInt, JsObject, ObjectKind, PropertyKey, attrs};
use crate::vm::runtime::Hint;
use crate::vm::runtime::bigint::{as_bigint, as_int_n, as_uint_n};
use crate::vm::runtime::realm::{Intrinsic, Realm};
use crate::vm::value::Value;

pub fn install(vm: &mut Vm, realm: Gc<Realm>) {
    let c = crate::vm::runtime::define::make_constructor(vm, realm, "BigInt", bigint_ctor, 1, Intrinsic::BigIntPrototype, Intrinsic::BigInt);
    vm.define_method(c, "asIntN", as_int_n_fn, 2);
    vm.define_method(c, "asUintN", as_uint_n_fn, 2);
    let p = realm.proto(Intrinsic::BigIntPrototype);
    vm.define_method(p, "toString", to_string, 0);
    vm.define_method(p, "toLocaleString", to_locale_string, 0);
    vm.define_method(p, "valueOf", value_of, 0);
    let tag = vm.symbols.to_string_tag;
    let sv = vm.string_value("BigInt");
    p.put_named(&mut vm.heap, PropertyKey::Symbol(tag), sv, attrs::CONFIGURABLE);
}

/// BigInt(value): a conversion, never a constructor.
fn bigint_ctor(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    if a.is_construct() {
        return Err(vm.type_error("BigInt is not a constructor"));
    }
    let prim = vm.to_primitive(a.arg(0), Hint::Number)?;
    let b = if prim.is_number() { vm.number_to_bigint(prim.as_number())? } else { vm.to_bigint(prim)? };
    Ok(vm.bigint_value(b))
}

fn as_int_n_fn(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let bits = vm.to_index(a.arg(0))?;
    let b = vm.to_bigint(a.arg(1))?;
    let r = as_int_n(bits, &b);
    Ok(vm.bigint_value(r))
}

fn as_uint_n_fn(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let bits = vm.to_index(a.arg(0))?;
    let b = vm.to_bigint(a.arg(1))?;
    match as_uint_n(bits, &b) {
        Some(r) => Ok(vm.bigint_value(r)),
        None => Err(vm.range_error("Maximum BigInt size exceeded")),
    }
}

/// thisBigIntValue.
fn this_bigint(vm: &mut Vm, v: Value, method: &str) -> JsResult<Gc<JsBigInt>> {
    if let Some(b) = as_bigint(v) {
        return Ok(b);
    }
    if let Some(o) = JsObject::from_value(v)
        && let ObjectKind::BigInt(b) = o.kind
    {
        return Ok(b);
    }
    Err(vm.type_error(&format!("BigInt.prototype.{method} requires that 'this' be a BigInt")))
}

fn to_string(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let b = this_bigint(vm, a.this, "toString")?;
    let radix = if a.arg(0).is_undefined() { 10.0 } else { vm.to_integer_or_infinity(a.arg(0))? };
    if !(2.0..=36.0).contains(&radix) {
        return Err(vm.range_error("toString() radix must be between 2 and 36"));
    }
    let s = b.value.to_str_radix(radix as u32);
    Ok(vm.string_value(&s))
}

/// Without ECMA-402 this is toString() (the spec's fallback).
fn to_locale_string(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let b = this_bigint(vm, a.this, "toLocaleString")?;
    let s = b.value.to_str_radix(10);
    Ok(vm.string_value(&s))
}

fn value_of(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(this_bigint(vm, a.this, "valueOf")?.value())
}
