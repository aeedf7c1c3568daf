//! The Math namespace object.

use crate::vm::heap::Gc;
use crate::vm::interp::CallArgs;
use crate::vm::isolate::Vm;
use crate::vm::object::{attrs, PropertyKey};
use crate::vm::runtime::realm::Realm;
use crate::vm::value::Value;
use crate::vm::JsResult;

pub fn install(vm: &mut Vm, realm: Gc<Realm>) {
    let m = vm.new_object();
    for (name, v) in [
        ("E", std::f64::consts::E),
        ("LN10", std::f64::consts::LN_10),
        ("LN2", std::f64::consts::LN_2),
        ("LOG10E", std::f64::consts::LOG10_E),
        ("LOG2E", std::f64::consts::LOG2_E),
        ("PI", std::f64::consts::PI),
        ("SQRT1_2", std::f64::consts::FRAC_1_SQRT_2),
        ("SQRT2", std::f64::consts::SQRT_2),
    ] {
        vm.define_value(m, name, Value::number(v), 0);
    }
    vm.define_method(m, "abs", abs, 1);
    vm.define_method(m, "floor", floor, 1);
    vm.define_method(m, "max", max, 2);
    vm.define_method(m, "min", min, 2);
    let tag = vm.symbols.to_string_tag;
    let s = vm.string_value("Math");
    m.put_named(&mut vm.heap, PropertyKey::Symbol(tag), s, attrs::CONFIGURABLE);
    vm.define_value(realm.global, "Math", m.value(), attrs::HIDDEN);
}

fn abs(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(Value::number(vm.to_number(a.arg(0))?.abs()))
}
fn floor(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(Value::number(vm.to_number(a.arg(0))?.floor()))
}
fn max(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let mut r = f64::NEG_INFINITY;
    let mut nan = false;
    for &v in a.args {
        let n = vm.to_number(v)?;
        if n.is_nan() {
            nan = true;
        } else if n > r || (n == 0.0 && r == 0.0 && !n.is_sign_negative()) {
            r = n;
        }
    }
    Ok(Value::number(if nan { f64::NAN } else { r }))
}
fn min(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let mut r = f64::INFINITY;
    let mut nan = false;
    for &v in a.args {
        let n = vm.to_number(v)?;
        if n.is_nan() {
            nan = true;
        } else if n < r || (n == 0.0 && r == 0.0 && n.is_sign_negative()) {
            r = n;
        }
    }
    Ok(Value::number(if nan { f64::NAN } else { r }))
}
