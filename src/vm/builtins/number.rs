//! Number and Boolean constructors and prototypes, with exact decimal
//! formatting for toFixed / toExponential / toPrecision.

use crate::vm::JsResult;
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::CallArgs;
use crate::vm::object::{JsObject, ObjectKind};
use crate::vm::runtime::realm::{Intrinsic, Realm};
use crate::vm::value::Value;

pub fn install(vm: &mut Vm, realm: Gc<Realm>) {
    let c = crate::vm::runtime::define::make_constructor(vm, realm, "Number", number_ctor, 1, Intrinsic::NumberPrototype, Intrinsic::Number);
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
    vm.define_method(p, "toLocaleString", number_to_locale_string, 0);
    vm.define_method(p, "valueOf", number_value_of, 0);
    vm.define_method(p, "toFixed", to_fixed, 1);
    vm.define_method(p, "toExponential", to_exponential, 1);
    vm.define_method(p, "toPrecision", to_precision, 1);
    vm.define_method(c, "isFinite", is_finite, 1);
    vm.define_method(c, "isInteger", is_integer, 1);
    vm.define_method(c, "isNaN", is_nan, 1);
    vm.define_method(c, "isSafeInteger", is_safe_integer, 1);
    let b = crate::vm::runtime::define::make_constructor(vm, realm, "Boolean", boolean_ctor, 1, Intrinsic::BooleanPrototype, Intrinsic::Boolean);
    let _ = b;
    let bp = realm.proto(Intrinsic::BooleanPrototype);
    vm.define_method(bp, "toString", boolean_to_string, 0);
    vm.define_method(bp, "valueOf", boolean_value_of, 0);
}

fn number_ctor(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    // ToNumeric, then a BigInt converts to the nearest Number.
    let n = if a.args.is_empty() {
        0.0
    } else {
        let prim = vm.to_numeric(a.arg(0))?;
        match crate::vm::runtime::bigint::as_bigint(prim) {
            Some(b) => crate::vm::runtime::bigint::bigint_to_f64(&b.value),
            None => prim.as_number(),
        }
    };
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
    if let Some(o) = JsObject::from_value(v)
        && let ObjectKind::Number(n) = o.kind
    {
        return Ok(n);
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

fn number_to_locale_string(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let n = this_number(vm, a.this, "Number.prototype.toLocaleString")?;
    Ok(vm.number_to_jsstring(n).value())
}

fn digit_char(d: u32) -> u8 {
    if d < 10 { b'0' + d as u8 } else { b'a' + (d - 10) as u8 }
}

/// Formats a finite number in `radix` with the shortest digits that identify
/// it (V8's DoubleToRadixCString algorithm).
pub fn radix_string(value: f64, radix: u32) -> String {
    let r = radix as f64;
    let neg = value < 0.0;
    let value = value.abs();
    let mut integer = value.floor();
    let mut fraction = value - integer;
    let next_up = f64::from_bits(value.to_bits() + 1);
    let mut delta = (0.5 * (next_up - value)).max(f64::from_bits(1));
    let mut frac_digits: Vec<u8> = Vec::new();
    if fraction >= delta {
        loop {
            fraction *= r;
            delta *= r;
            let digit = fraction as u32;
            frac_digits.push(digit_char(digit));
            fraction -= digit as f64;
            if (fraction > 0.5 || (fraction == 0.5 && digit & 1 == 1)) && fraction + delta > 1.0 {
                // Round up, propagating carries.
                loop {
                    match frac_digits.pop() {
                        None => {
                            integer += 1.0;
                            break;
                        }
                        Some(c) => {
                            let d = if c > b'9' { (c - b'a' + 10) as u32 } else { (c - b'0') as u32 };
                            if d + 1 < radix {
                                frac_digits.push(digit_char(d + 1));
                                break;
                            }
                        }
                    }
                }
                break;
            }
            if fraction < delta {
                break;
            }
        }
    }
    let mut int_digits: Vec<u8> = Vec::new();
    // Digits below the precision of a double are zeros.
    while integer / r >= 9007199254740992.0 {
        integer /= r;
        int_digits.push(b'0');
    }
    loop {
        let rem = integer % r;
        int_digits.push(digit_char(rem as u32));
        integer = (integer - rem) / r;
        if integer <= 0.0 {
            break;
        }
    }
    int_digits.reverse();
    let mut s = String::new();
    if neg {
        s.push('-');
    }
    s.push_str(std::str::from_utf8(&int_digits).unwrap_or("0"));
    if !frac_digits.is_empty() {
        s.push('.');
        s.push_str(std::str::from_utf8(&frac_digits).unwrap_or(""));
    }
    s
}

// ----- exact decimal formatting (toFixed / toExponential / toPrecision) -----

/// The exact decimal expansion of a finite positive double: (digits, exp10)
/// with value = digits × 10^exp10 and no leading zeros in `digits`.
fn exact_decimal(x: f64) -> (Vec<u8>, i32) {
    let bits = x.to_bits();
    let exp_bits = ((bits >> 52) & 0x7FF) as i32;
    let frac = bits & ((1u64 << 52) - 1);
    let (mant, exp2) = if exp_bits == 0 { (frac, -1074) } else { (frac | (1u64 << 52), exp_bits - 1075) };
    // Little-endian base 10^9 limbs.
    let mut limbs: Vec<u64> = vec![mant % 1_000_000_000, mant / 1_000_000_000 % 1_000_000_000, mant / 1_000_000_000_000_000_000];
    let mul = |limbs: &mut Vec<u64>, m: u64| {
        let mut carry = 0u64;
        for l in limbs.iter_mut() {
            let v = *l * m + carry;
            *l = v % 1_000_000_000;
            carry = v / 1_000_000_000;
        }
        while carry > 0 {
            limbs.push(carry % 1_000_000_000);
            carry /= 1_000_000_000;
        }
    };
    let exp10 = if exp2 >= 0 {
        let mut e = exp2;
        while e > 0 {
            let step = e.min(20);
            mul(&mut limbs, 1u64 << step);
            e -= step;
        }
        0
    } else {
        let mut e = -exp2;
        while e > 0 {
            let step = e.min(12);
            mul(&mut limbs, 5u64.pow(step as u32));
            e -= step;
        }
        exp2
    };
    while limbs.len() > 1 && *limbs.last().unwrap_or(&1) == 0 {
        limbs.pop();
    }
    let mut s = String::new();
    for (i, l) in limbs.iter().rev().enumerate() {
        if i == 0 {
            s.push_str(&l.to_string());
        } else {
            s.push_str(&format!("{l:09}"));
        }
    }
    (s.into_bytes(), exp10)
}

/// Rounds `digits` (an integer) to `keep` leading digits, half up. Returns the
/// kept digits and whether a carry added a digit (999 -> 1000).
fn round_digits(digits: &[u8], keep: usize) -> (Vec<u8>, bool) {
    if keep >= digits.len() {
        let mut v = digits.to_vec();
        v.resize(keep, b'0');
        return (v, false);
    }
    let mut v = digits[..keep].to_vec();
    if digits[keep] >= b'5' {
        let mut i = keep;
        loop {
            if i == 0 {
                v.insert(0, b'1');
                return (v, true);
            }
            i -= 1;
            if v[i] == b'9' {
                v[i] = b'0';
            } else {
                v[i] += 1;
                break;
            }
        }
    }
    (v, false)
}

/// n and e with `sig` significant digits: x ≈ n × 10^(e - sig + 1), ties up.
fn to_significant(x: f64, sig: usize) -> (Vec<u8>, i32) {
    let (d, exp10) = exact_decimal(x);
    let e = d.len() as i32 - 1 + exp10;
    let (mut n, carried) = round_digits(&d, sig);
    if carried {
        n.truncate(sig);
        return (n, e + 1);
    }
    (n, e)
}

fn fraction_digits_arg(vm: &mut Vm, v: Value) -> JsResult<f64> {
    vm.to_integer_or_infinity(v)
}

fn to_fixed(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let x = this_number(vm, a.this, "Number.prototype.toFixed")?;
    let f = fraction_digits_arg(vm, a.arg(0))?;
    if !f.is_finite() || !(0.0..=100.0).contains(&f) {
        return Err(vm.range_error("toFixed() digits argument must be between 0 and 100"));
    }
    if !x.is_finite() {
        return Ok(vm.number_to_jsstring(x).value());
    }
    let f = f as usize;
    let neg = x < 0.0;
    let x = x.abs();
    let body = if x >= 1e21 {
        crate::vm::runtime::number::number_to_string(x)
    } else {
        let mut m: Vec<u8> = if x == 0.0 {
            vec![b'0']
        } else {
            let (d, exp10) = exact_decimal(x);
            let shift = exp10 + f as i32;
            if shift >= 0 {
                let mut v = d;
                v.extend(std::iter::repeat_n(b'0', shift as usize));
                v
            } else {
                let drop = (-shift) as usize;
                if drop > d.len() {
                    vec![b'0']
                } else {
                    let keep = d.len() - drop;
                    let (v, _) = round_digits(&d, keep);
                    if v.is_empty() { vec![b'0'] } else { v }
                }
            }
        };
        while m.len() > 1 && m[0] == b'0' {
            m.remove(0);
        }
        if f != 0 {
            if m.len() <= f {
                let z = f + 1 - m.len();
                let mut v = vec![b'0'; z];
                v.extend(m);
                m = v;
            }
            let k = m.len();
            m.insert(k - f, b'.');
        }
        String::from_utf8(m).unwrap_or_default()
    };
    let s = if neg { format!("-{body}") } else { body };
    Ok(vm.string_value(&s))
}

fn exponent_suffix(e: i32) -> String {
    if e >= 0 { format!("e+{e}") } else { format!("e-{}", -e) }
}

fn to_exponential(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let x = this_number(vm, a.this, "Number.prototype.toExponential")?;
    let f = fraction_digits_arg(vm, a.arg(0))?;
    if !x.is_finite() {
        return Ok(vm.number_to_jsstring(x).value());
    }
    if !f.is_finite() || !(0.0..=100.0).contains(&f) {
        return Err(vm.range_error("toExponential() argument must be between 0 and 100"));
    }
    let neg = x < 0.0;
    let x = x.abs();
    let (digits, e) = if x == 0.0 {
        (vec![b'0'; f as usize + 1], 0)
    } else if a.arg(0).is_undefined() {
        // Shortest round-trip digits.
        let s = format!("{x:e}");
        let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let digits: Vec<u8> = mant.bytes().filter(|b| b.is_ascii_digit()).collect();
        (digits, exp.parse::<i32>().unwrap_or(0))
    } else {
        to_significant(x, f as usize + 1)
    };
    let mut m = String::from_utf8(digits).unwrap_or_default();
    if m.len() > 1 {
        m.insert(1, '.');
    }
    let s = format!("{}{m}{}", if neg { "-" } else { "" }, exponent_suffix(e));
    Ok(vm.string_value(&s))
}

fn to_precision(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let x = this_number(vm, a.this, "Number.prototype.toPrecision")?;
    if a.arg(0).is_undefined() {
        return Ok(vm.number_to_jsstring(x).value());
    }
    let p = vm.to_integer_or_infinity(a.arg(0))?;
    if !x.is_finite() {
        return Ok(vm.number_to_jsstring(x).value());
    }
    if !p.is_finite() || !(1.0..=100.0).contains(&p) {
        return Err(vm.range_error("toPrecision() argument must be between 1 and 100"));
    }
    let p = p as usize;
    let neg = x < 0.0;
    let x = x.abs();
    let sign = if neg { "-" } else { "" };
    let (digits, e) = if x == 0.0 { (vec![b'0'; p], 0) } else { to_significant(x, p) };
    let m = String::from_utf8(digits).unwrap_or_default();
    let s = if x != 0.0 && (e < -6 || e >= p as i32) {
        let mut m = m;
        if p != 1 {
            m.insert(1, '.');
        }
        format!("{sign}{m}{}", exponent_suffix(e))
    } else if e == p as i32 - 1 {
        format!("{sign}{m}")
    } else if e >= 0 {
        let k = e as usize + 1;
        format!("{sign}{}.{}", &m[..k], &m[k..])
    } else {
        format!("{sign}0.{}{m}", "0".repeat((-(e + 1)) as usize))
    };
    Ok(vm.string_value(&s))
}

fn is_finite(_vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let v = a.arg(0);
    Ok(Value::bool(v.is_number() && v.as_number().is_finite()))
}
fn is_nan(_vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let v = a.arg(0);
    Ok(Value::bool(v.is_number() && v.as_number().is_nan()))
}
fn is_integral(v: Value) -> bool {
    v.is_number() && {
        let d = v.as_number();
        d.is_finite() && d.trunc() == d
    }
}
fn is_integer(_vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(Value::bool(is_integral(a.arg(0))))
}
fn is_safe_integer(_vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let v = a.arg(0);
    Ok(Value::bool(is_integral(v) && v.as_number().abs() <= 9007199254740991.0))
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
    if let Some(o) = JsObject::from_value(v)
        && let ObjectKind::Boolean(b) = o.kind
    {
        return Ok(b);
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
