//! Global object properties: globalThis, NaN, Infinity, undefined, isNaN,
//! isFinite, parseInt, parseFloat, and (indirect) eval.

use crate::vm::heap::Gc;
use crate::vm::interp::CallArgs;
use crate::vm::isolate::Vm;
use crate::vm::object::{attrs, JsString};
use crate::vm::runtime::number::is_js_whitespace;
use crate::vm::runtime::realm::{Intrinsic, Realm};
use crate::vm::value::Value;
use crate::vm::JsResult;

pub fn install(vm: &mut Vm, realm: Gc<Realm>) {
    let g = realm.global;
    vm.define_value(g, "globalThis", g.value(), attrs::HIDDEN);
    vm.define_value(g, "NaN", Value::double(f64::NAN), 0);
    vm.define_value(g, "Infinity", Value::double(f64::INFINITY), 0);
    vm.define_value(g, "undefined", Value::UNDEFINED, 0);
    vm.define_method(g, "isNaN", is_nan, 1);
    vm.define_method(g, "isFinite", is_finite, 1);
    let pi = vm.define_method(g, "parseInt", parse_int, 2);
    let pf = vm.define_method(g, "parseFloat", parse_float, 1);
    let ev = vm.define_method(g, "eval", eval, 1);
    realm.m().intrinsics[Intrinsic::Eval as usize] = ev.value();
    let number = realm.intrinsic(Intrinsic::Number);
    if let Some(n) = crate::vm::object::JsObject::from_value(number) {
        vm.define_value(n, "parseInt", pi.value(), attrs::HIDDEN);
        vm.define_value(n, "parseFloat", pf.value(), attrs::HIDDEN);
    }
}

fn is_nan(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(Value::bool(vm.to_number(a.arg(0))?.is_nan()))
}

fn is_finite(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(Value::bool(vm.to_number(a.arg(0))?.is_finite()))
}

fn trim_start(units: &[u16]) -> &[u16] {
    let n = units.iter().take_while(|&&c| is_js_whitespace(c)).count();
    &units[n..]
}

fn parse_int(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let s = vm.to_string(a.arg(0))?.to_units();
    let mut radix = vm.to_int32(a.arg(1))?;
    let mut s = trim_start(&s);
    let mut sign = 1.0;
    if let Some(&c) = s.first() {
        if c == b'-' as u16 || c == b'+' as u16 {
            if c == b'-' as u16 {
                sign = -1.0;
            }
            s = &s[1..];
        }
    }
    let mut strip_prefix = true;
    if radix != 0 {
        if !(2..=36).contains(&radix) {
            return Ok(Value::double(f64::NAN));
        }
        if radix != 16 {
            strip_prefix = false;
        }
    } else {
        radix = 10;
    }
    if strip_prefix && s.len() >= 2 && s[0] == b'0' as u16 && (s[1] == b'x' as u16 || s[1] == b'X' as u16) {
        s = &s[2..];
        radix = 16;
    }
    let digits: Vec<u32> = s
        .iter()
        .map_while(|&c| char::from_u32(c as u32).and_then(|ch| ch.to_digit(radix as u32)))
        .collect();
    if digits.is_empty() {
        return Ok(Value::double(f64::NAN));
    }
    let v = if radix == 10 {
        let text: String = digits.iter().map(|d| char::from_digit(*d, 10).unwrap()).collect();
        text.parse::<f64>().unwrap_or(f64::NAN)
    } else {
        digits.iter().fold(0f64, |acc, &d| acc * radix as f64 + d as f64)
    };
    Ok(Value::number(sign * v))
}

fn parse_float(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let s = vm.to_string(a.arg(0))?.to_units();
    let s = trim_start(&s);
    let text: String = s.iter().take_while(|&&c| c < 128).map(|&c| c as u8 as char).collect();
    let b = text.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    if text[i..].starts_with("Infinity") {
        return Ok(Value::double(if b.first() == Some(&b'-') { f64::NEG_INFINITY } else { f64::INFINITY }));
    }
    let ds = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut digits = i - ds;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let f = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        digits += i - f;
    }
    if digits == 0 {
        return Ok(Value::double(f64::NAN));
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let save = i;
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let e = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == e {
            i = save;
        }
    }
    let mut t = &text[..i];
    if t.ends_with('.') {
        t = &t[..t.len() - 1];
    }
    Ok(Value::number(t.parse::<f64>().unwrap_or(f64::NAN)))
}

/// Indirect eval: compiles the string as a global script.
fn eval(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let x = a.arg(0);
    let Some(s) = Gc::<JsString>::try_from_value(x) else { return Ok(x) };
    let text = s.to_rust_string();
    let realm = a.callee.function().unwrap().realm;
    let code = match crate::vm::compiler::compile_eval(vm, &text, false) {
        Ok(c) => c,
        Err(e) => {
            return Err(match e.kind {
                crate::vm::compiler::CompileErrorKind::ReferenceError => vm.reference_error(&e.message),
                _ => vm.syntax_error(&e.message),
            })
        }
    };
    vm.run_script(realm, code)
}
