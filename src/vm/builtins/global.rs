//! Global object properties: globalThis, NaN, Infinity, undefined, isNaN,
//! isFinite, parseInt, parseFloat, and (indirect) eval.

use crate::vm::JsResult;
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::CallArgs;
use crate::vm::object::{JsString, attrs};
use crate::vm::runtime::number::is_js_whitespace;
use crate::vm::runtime::realm::{Intrinsic, Realm};
use crate::vm::value::Value;

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
    vm.define_method(g, "encodeURI", encode_uri, 1);
    vm.define_method(g, "encodeURIComponent", encode_uri_component, 1);
    vm.define_method(g, "decodeURI", decode_uri, 1);
    vm.define_method(g, "decodeURIComponent", decode_uri_component, 1);
    vm.define_method(g, "escape", escape, 1);
    vm.define_method(g, "unescape", unescape, 1);
    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
    (unsafe { realm.m() }).intrinsics[Intrinsic::Eval as usize] = ev.value();
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
    if let Some(&c) = s.first()
        && (c == b'-' as u16 || c == b'+' as u16)
    {
        if c == b'-' as u16 {
            sign = -1.0;
        }
        s = &s[1..];
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
    let digits: Vec<u32> = s.iter().map_while(|&c| char::from_u32(c as u32).and_then(|ch| ch.to_digit(radix as u32))).collect();
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
    let text = crate::vm::runtime::strings::source_text(vm, s)?;
    let realm = a.callee.function().unwrap().realm;
    let code = match crate::vm::compiler::compile_eval(vm, &text, false) {
        Ok(c) => c,
        Err(e) => return Err(e.into_unwind(vm)),
    };
    vm.run_script(realm, code)
}

// ----- URI handling (ECMA-262 19.2.6) and Annex B escape/unescape -----

const URI_RESERVED: &str = ";/?:@&=+$,";
const URI_UNESCAPED_MARKS: &str = "-_.!~*'()";

fn is_unreserved(c: u16) -> bool {
    c < 128 && ((c as u8).is_ascii_alphanumeric() || URI_UNESCAPED_MARKS.as_bytes().contains(&(c as u8)))
}

/// Encode (19.2.6.5): percent-encodes the UTF-8 of every unit not in `extra` or unreserved.
fn encode(vm: &mut Vm, s: Gc<JsString>, extra: &str) -> JsResult<Value> {
    let units = s.to_units();
    let mut out: Vec<u16> = Vec::with_capacity(units.len());
    let mut k = 0;
    while k < units.len() {
        let c = units[k];
        if is_unreserved(c) || (c < 128 && extra.as_bytes().contains(&(c as u8))) {
            out.push(c);
            k += 1;
            continue;
        }
        let cp = match c {
            0xD800..=0xDBFF if k + 1 < units.len() && (0xDC00..=0xDFFF).contains(&units[k + 1]) => {
                let cp = 0x10000 + (((c as u32) - 0xD800) << 10) + (units[k + 1] as u32 - 0xDC00);
                k += 1;
                cp
            }
            0xD800..=0xDFFF => return Err(vm.throw_error(crate::vm::runtime::ErrorType::UriError, "URI malformed")),
            _ => c as u32,
        };
        let ch = char::from_u32(cp).unwrap_or('\u{FFFD}');
        let mut buf = [0u8; 4];
        for b in ch.encode_utf8(&mut buf).bytes() {
            out.extend(format!("%{b:02X}").encode_utf16());
        }
        k += 1;
    }
    Ok(JsString::from_units(&mut vm.heap, &out).value())
}

fn hex_byte(units: &[u16], k: usize) -> Option<u8> {
    if units.get(k) != Some(&(b'%' as u16)) {
        return None;
    }
    let h = char::from_u32(*units.get(k + 1)? as u32)?.to_digit(16)?;
    let l = char::from_u32(*units.get(k + 2)? as u32)?.to_digit(16)?;
    Some((h * 16 + l) as u8)
}

/// Decode (19.2.6.6): `preserve` lists characters whose escapes stay as written.
fn decode(vm: &mut Vm, s: Gc<JsString>, preserve: &str) -> JsResult<Value> {
    let units = s.to_units();
    let malformed = |vm: &mut Vm| vm.throw_error(crate::vm::runtime::ErrorType::UriError, "URI malformed");
    let mut out: Vec<u16> = Vec::with_capacity(units.len());
    let mut k = 0;
    while k < units.len() {
        if units[k] != b'%' as u16 {
            out.push(units[k]);
            k += 1;
            continue;
        }
        let Some(b) = hex_byte(&units, k) else { return Err(malformed(vm)) };
        if b < 0x80 {
            if preserve.as_bytes().contains(&b) {
                out.extend_from_slice(&units[k..k + 3]);
            } else {
                out.push(b as u16);
            }
            k += 3;
            continue;
        }
        let n = if b & 0xE0 == 0xC0 {
            2
        } else if b & 0xF0 == 0xE0 {
            3
        } else if b & 0xF8 == 0xF0 {
            4
        } else {
            return Err(malformed(vm));
        };
        let mut bytes = vec![b];
        for j in 1..n {
            match hex_byte(&units, k + 3 * j) {
                Some(cb) if cb & 0xC0 == 0x80 => bytes.push(cb),
                _ => return Err(malformed(vm)),
            }
        }
        match std::str::from_utf8(&bytes) {
            Ok(text) => out.extend(text.encode_utf16()),
            Err(_) => return Err(malformed(vm)),
        }
        k += 3 * n;
    }
    Ok(JsString::from_units(&mut vm.heap, &out).value())
}

fn encode_uri(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let s = vm.to_string(a.arg(0))?;
    encode(vm, s, ";/?:@&=+$,#")
}
fn encode_uri_component(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let s = vm.to_string(a.arg(0))?;
    encode(vm, s, "")
}
fn decode_uri(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let s = vm.to_string(a.arg(0))?;
    let preserve = format!("{URI_RESERVED}#");
    decode(vm, s, &preserve)
}
fn decode_uri_component(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let s = vm.to_string(a.arg(0))?;
    decode(vm, s, "")
}

/// Annex B escape.
fn escape(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let units = vm.to_string(a.arg(0))?.to_units();
    let mut out = Vec::with_capacity(units.len());
    for c in units {
        if c < 128 && ((c as u8).is_ascii_alphanumeric() || b"@*_+-./".contains(&(c as u8))) {
            out.push(c);
        } else if c < 256 {
            out.extend(format!("%{c:02X}").encode_utf16());
        } else {
            out.extend(format!("%u{c:04X}").encode_utf16());
        }
    }
    Ok(JsString::from_units(&mut vm.heap, &out).value())
}

/// Annex B unescape.
fn unescape(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let units = vm.to_string(a.arg(0))?.to_units();
    let hex = |u: Option<&u16>| u.and_then(|&c| char::from_u32(c as u32)).and_then(|c| c.to_digit(16));
    let mut out = Vec::with_capacity(units.len());
    let mut k = 0;
    while k < units.len() {
        let c = units[k];
        if c == b'%' as u16 {
            if units.get(k + 1) == Some(&(b'u' as u16)) {
                let ds: Option<Vec<u32>> = (2..6).map(|j| hex(units.get(k + j))).collect();
                if let Some(ds) = ds {
                    out.push(ds.iter().fold(0u32, |acc, d| acc * 16 + d) as u16);
                    k += 6;
                    continue;
                }
            } else if let (Some(h), Some(l)) = (hex(units.get(k + 1)), hex(units.get(k + 2))) {
                out.push((h * 16 + l) as u16);
                k += 3;
                continue;
            }
        }
        out.push(c);
        k += 1;
    }
    Ok(JsString::from_units(&mut vm.heap, &out).value())
}
